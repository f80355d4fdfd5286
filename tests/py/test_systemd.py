"""test_systemd.py: advisord as a system service (issue 8).

Installs with `make install` into a PREFIX and a DESTDIR and runs the
installed daemon; checks the unit's offline security exposure; listens on
a NOTIFY_SOCKET for READY=1, WATCHDOG=1 and STOPPING=1; and reloads good
and broken content with SIGHUP.
"""
import json
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsclient import BUILD, ROOT, Client, Daemon, Results, free_port, http_get, until  # noqa: E402

R = Results("systemd")
MAX_EXPOSURE = 1.5
BRIDGE = os.path.exists(os.path.join(ROOT, "bridge", "main.c"))
NEW_TEXT = "Reloaded: KPO hands knowledge work to outside experts."


def make(*args):
    """Run make in the source tree, isolated from an enclosing make."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "BUILD")}
    p = subprocess.run(["make", "-s", "-j8", "-C", ROOT,
                        "INSTALL_BUILD=%s/install" % BUILD] + list(args),
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.returncode, p.stdout.decode(errors="replace")


# What `make deps` adds for the tests, asan, fuzz and bench (libFuzzer's
# clang, cmocka, python3): a server's `make install` must not apt-get them.
TEST_ONLY_DEBS = ("clang", "libclang-rt-14-dev", "libcmocka-dev", "python3")


def dry_run(*args):
    """The commands `make -n ARGS` would run (recursive makes included)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "BUILD")}
    p = subprocess.run(["make", "-n", "-C", ROOT] + list(args), env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.returncode, p.stdout.decode(errors="replace")


def deps_split():
    """install, run and all install only the build's packages; the test
    targets and `make deps` also the test tooling."""
    tmp = tempfile.mkdtemp(prefix="advisord-deps-")
    build = ["BUILD=%s/build" % tmp, "INSTALL_BUILD=%s/install" % tmp]
    try:
        for target in ("deps-build", "all", "run", "install"):
            rc, out = dry_run(target, "PREFIX=%s/prefix" % tmp, *build)
            words = set(out.replace('"', " ").replace(";", " ").split())
            extra = [d for d in TEST_ONLY_DEBS if d in words]
            R.check("make %s checks the build's packages only" % target,
                    rc == 0 and "libwebsockets-dev" in words and not extra,
                    "rc %d, also %s:\n%s" % (rc, extra, out[-1500:]))
        for target in ("deps", "test", "fuzz", "soak"):
            rc, out = dry_run(target, *build)
            words = set(out.replace('"', " ").replace(";", " ").split())
            lacking = [d for d in TEST_ONLY_DEBS + ("libwebsockets-dev",)
                       if d not in words]
            R.check("make %s checks the test tooling too" % target,
                    rc == 0 and not lacking,
                    "rc %d, lacking %s:\n%s" % (rc, lacking, out[-1500:]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def files_under(top):
    out = []
    for d, _, names in os.walk(top):
        out += [os.path.relpath(os.path.join(d, n), top) for n in names]
    return sorted(out)


def start(cmd, port, env=None):
    """Start CMD and wait until PORT accepts; the Popen, or raise."""
    log = tempfile.TemporaryFile()
    p = subprocess.Popen(cmd, stdout=log, stderr=log, env=env)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return p
        except OSError:
            if p.poll() is not None:
                break
            time.sleep(0.02)
    p.kill()
    p.wait()
    log.seek(0)
    raise RuntimeError("did not start: " + log.read().decode(errors="replace"))


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        return p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        return p.wait()


def check_unit(prefix, name, program, conf):
    """The installed unit NAME starts PREFIX/PROGRAM with PREFIX's CONF."""
    with open(os.path.join(prefix, "lib/systemd/system", name)) as f:
        unit = f.read()
    R.check("installed %s has the paths substituted" % name,
            "DIR@" not in unit and
            "ExecStart=%s/%s -c %s/etc/advisord/%s" % (prefix, program, prefix, conf)
            in unit, unit[:600])
    # comments too: the unit names PREFIX's config folder, not /etc's
    elsewhere = [line for line in unit.splitlines()
                 if "/etc/advisord" in line.replace(prefix + "/etc/advisord", "")]
    R.check("installed %s names no /etc/advisord but PREFIX's" % name,
            not elsewhere, elsewhere)


def reinstall_keeps_configs(prefix):
    """An install over an earlier one (an upgrade) keeps the edited
    config files, secrets and all, and says so."""
    confs = ["advisord.conf"] + (["advisor-bridge.conf", "advisor-bridge.secrets"]
                                 if BRIDGE else [])
    edited = {}
    for name in confs:
        path = os.path.join(prefix, "etc/advisord", name)
        with open(path, "a") as f:
            f.write("# edited by the operator\n")
        with open(path) as f:
            edited[name] = f.read()
    rc, out = make("install", "PREFIX=" + prefix)
    R.check("make install again", rc == 0, out[-2000:])
    for name in confs:
        with open(os.path.join(prefix, "etc/advisord", name)) as f:
            kept = f.read()
        R.check("make install again keeps the edited %s" % name,
                kept == edited[name] and "keeping" in out and name in out,
                out[-1000:])
    if BRIDGE:
        mode = os.stat(os.path.join(prefix, "etc/advisord/advisor-bridge.secrets")).st_mode
        R.check("the kept advisor-bridge.secrets is still mode 0600",
                stat.S_IMODE(mode) == 0o600, oct(mode))


def reinstall_reports_version(prefix):
    """An install from a newer commit reports that commit's version, though
    no source of the objects that print it changed."""
    for v in ("h-upgrade-1", "h-upgrade-2"):
        rc, out = make("install", "PREFIX=" + prefix, "VERSION=" + v)
        R.check("make install VERSION=%s" % v, rc == 0, out[-2000:])
    for prog in ("sbin/advisord",) + (("bin/advisor-bridge",) if BRIDGE else ()):
        p = subprocess.run([os.path.join(prefix, prog), "--version"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = p.stdout.decode(errors="replace")
        R.check("an upgraded %s reports the new version" % prog,
                out.split()[-1:] == ["h-upgrade-2"], out)


def install_prefix():
    tmp = tempfile.mkdtemp(prefix="advisord-install-")
    prefix = os.path.join(tmp, "prefix")
    try:
        rc, out = make("install", "PREFIX=" + prefix)
        R.check("make install PREFIX", rc == 0, out[-2000:])
        if rc != 0:
            return
        want = ["sbin/advisord", "bin/advisorctl",
                "share/advisord/intents/catalog.json",
                "share/advisord/web/index.html",
                "etc/advisord/advisord.conf",
                "lib/systemd/system/advisord.service",
                "share/man/man8/advisord.8", "share/man/man1/advisorctl.1"]
        if BRIDGE:
            want += ["bin/advisor-bridge", "etc/advisord/advisor-bridge.conf",
                     "etc/advisord/advisor-bridge.secrets",
                     "lib/systemd/system/advisor-bridge.service",
                     "lib/systemd/system/advisor-bridge.socket",
                     "share/man/man8/advisor-bridge.8"]
        got = files_under(prefix)
        missing = [w for w in want if w not in got]
        R.check("install lays out binaries, content, web, config, unit, man",
                not missing, "missing %s" % missing)
        check_unit(prefix, "advisord.service", "sbin/advisord", "advisord.conf")
        if BRIDGE:
            # the chat's secrets: root's alone, the unit's credential copy
            # is the dynamic user's (the config file stays 0644 for it)
            modes = {n: stat.S_IMODE(os.stat(os.path.join(prefix, "etc/advisord", n)).st_mode)
                     for n in ("advisor-bridge.conf", "advisor-bridge.secrets")}
            R.check("install: advisor-bridge.secrets 0600, advisor-bridge.conf 0644",
                    modes == {"advisor-bridge.conf": 0o644, "advisor-bridge.secrets": 0o600},
                    modes)
        reinstall_keeps_configs(prefix)
        reinstall_reports_version(prefix)

        # The installed daemon finds content and web files without flags.
        port = free_port()
        p = start([os.path.join(prefix, "sbin/advisord"), "--host", "127.0.0.1",
                   "--port", str(port), "--db", os.path.join(tmp, "log.db"),
                   "--log-level", "warning"], port)
        try:
            st, _ = http_get(port, "/healthz")
            R.check("installed advisord: /healthz 200", st == 200, st)
            st, body = http_get(port, "/")
            R.check("installed advisord: / serves the page",
                    st == 200 and "<html" in body.lower(), "%d %r" % (st, body[:200]))
            c = Client(port)
            r = c.ask({"type": "message", "text": "what is kpo"})
            c.close()
            R.check("installed advisord: answers from installed content",
                    r.get("intent") == "define_kpo", r)
        finally:
            R.check("installed advisord: SIGTERM exits 0", stop(p) == 0)

        if BRIDGE:
            check_unit(prefix, "advisor-bridge.service", "bin/advisor-bridge",
                       "advisor-bridge.conf")
            with open(os.path.join(prefix, "lib/systemd/system",
                                   "advisor-bridge.service")) as f:
                unit = f.read()
            R.check("installed bridge unit loads PREFIX's bridge.token",
                    "LoadCredential=bridge.token:%s/etc/advisord/bridge.token"
                    % prefix in unit, unit[:1500])
            R.check("installed bridge unit loads PREFIX's advisor-bridge.secrets",
                    "LoadCredential=bridge.secrets:%s/etc/advisord/advisor-bridge.secrets"
                    % prefix in unit and "--secrets-file %d/bridge.secrets" in unit,
                    unit[:1500])
            h = subprocess.run([os.path.join(prefix, "bin/advisor-bridge"), "--help"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            R.check("installed advisor-bridge runs (--help)",
                    h.returncode == 0 and b"--token-file" in h.stdout, h.stdout[:300])

        # the configs were edited (reinstall_keeps_configs): they are the
        # operator's, settings and secrets, and outlive the programs
        rc, out = make("uninstall", "PREFIX=" + prefix)
        left = files_under(prefix)
        confs = sorted("etc/advisord/" + n for n in
                       ["advisord.conf"] +
                       (["advisor-bridge.conf", "advisor-bridge.secrets"] if BRIDGE else []))
        R.check("make uninstall keeps the edited configs, and says so, and nothing else",
                rc == 0 and sorted(left) == confs and
                all("keeping %s/%s" % (prefix, c) in out for c in confs),
                "rc %d, left %s, %s" % (rc, left, out[-1000:]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def install_destdir():
    tmp = tempfile.mkdtemp(prefix="advisord-destdir-")
    dest = os.path.join(tmp, "dest")
    try:
        rc, out = make("install", "DESTDIR=" + dest, "PREFIX=/usr")
        R.check("make install DESTDIR", rc == 0, out[-2000:])
        got = files_under(dest)
        R.check("DESTDIR install lays files under DESTDIR/usr",
                "usr/sbin/advisord" in got and "usr/bin/advisorctl" in got and
                "usr/share/advisord/dialogues/topics.json" in got and
                "usr/etc/advisord/advisord.conf" in got and
                "usr/lib/systemd/system/advisord.service" in got, got)
        with open(os.path.join(dest, "usr/lib/systemd/system/advisord.service")) as f:
            unit = f.read()
        R.check("DESTDIR unit names the final paths, not DESTDIR",
                "ExecStart=/usr/sbin/advisord -c /usr/etc/advisord/advisord.conf" in unit
                and dest not in unit)
        # Run the staged daemon from DESTDIR, pointing it at the staged share.
        share = os.path.join(dest, "usr/share/advisord")
        port = free_port()
        p = start([os.path.join(dest, "usr/sbin/advisord"), "--host", "127.0.0.1",
                   "--port", str(port), "--db", os.path.join(tmp, "log.db"),
                   "--content", share, "--web-dir", os.path.join(share, "web"),
                   "--log-level", "warning"], port)
        try:
            st, body = http_get(port, "/")
            R.check("DESTDIR advisord serves the page", st == 200 and "<html" in body.lower())
        finally:
            stop(p)
        rc, out = make("uninstall", "DESTDIR=" + dest, "PREFIX=/usr")
        left = files_under(dest)
        R.check("make uninstall DESTDIR leaves no files", rc == 0 and not left, left)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def exposure_of(unit_text, name):
    """The overall exposure systemd-analyze gives UNIT_TEXT, or None."""
    tmp = tempfile.mkdtemp(prefix="advisord-unit-")
    try:
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(unit_text)
        p = subprocess.run(["systemd-analyze", "security", "--offline=true", path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = p.stdout.decode(errors="replace")
        for line in out.splitlines():
            if "Overall exposure level" in line:
                return float(line.split(":", 1)[1].split()[0]), out
        return None, out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def security():
    if shutil.which("systemd-analyze") is None:
        print("skip security score: systemd-analyze not installed (not counted)")
        return
    for name in ("advisord.service", "advisor-bridge.service"):
        with open(os.path.join(ROOT, "systemd", name)) as f:
            unit = f.read()
        unit = unit.replace("@SBINDIR@", "/usr/sbin").replace(
            "@BINDIR@", "/usr/bin").replace("@SYSCONFDIR@", "/etc")
        score, out = exposure_of(unit, name)
        if score is None and "offline" in out and "unrecognized" in out:
            print("skip security score: this systemd-analyze has no --offline (not counted)")
            return
        print("%s exposure: %s" % (name, score))
        R.check("%s exposure <= %.1f (got %s)" % (name, MAX_EXPOSURE, score),
                score is not None and score <= MAX_EXPOSURE, out[-1500:])


def notify():
    tmp = tempfile.mkdtemp(prefix="advisord-notify-")
    path = os.path.join(tmp, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    got = []

    def wait_for(word, timeout):
        """Read datagrams until one carries WORD; True if it came."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            sock.settimeout(max(0.01, deadline - time.time()))
            try:
                msg = sock.recv(4096).decode(errors="replace")
            except socket.timeout:
                break
            lines = msg.split("\n")
            got.append(msg)
            if word in lines:
                return True
        return False

    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="1000000")
    env.pop("WATCHDOG_PID", None)
    d = None
    try:
        d = Daemon(env=env)
        R.check("notify: READY=1 once listening", wait_for("READY=1", 5), got)
        R.check("notify: WATCHDOG=1 within 2 s (WatchdogSec 1 s)",
                wait_for("WATCHDOG=1", 2), got)
        R.check("notify: WATCHDOG=1 keeps coming", wait_for("WATCHDOG=1", 2), got)
        # SIGSTOP for three watchdog periods: the pings stop, so systemd
        # (WatchdogSec) would kill and restart it; after SIGCONT they
        # resume and the daemon serves again
        d.proc.send_signal(signal.SIGSTOP)
        while wait_for("WATCHDOG=1", 0.2):
            pass    # drain what was sent before the stop
        del got[:]
        silent = not wait_for("WATCHDOG=1", 3)
        R.check("watchdog: no WATCHDOG=1 while stopped (systemd would act)", silent, got)
        d.proc.send_signal(signal.SIGCONT)
        R.check("watchdog: pings resume after SIGCONT", wait_for("WATCHDOG=1", 2), got)
        R.check("watchdog: serves again after SIGCONT", d.alive())
        d.proc.send_signal(signal.SIGHUP)
        R.check("notify: RELOADING=1 on SIGHUP", wait_for("RELOADING=1", 5), got)
        R.check("notify: READY=1 after the reload", wait_for("READY=1", 5), got)
        d.proc.send_signal(signal.SIGTERM)
        R.check("notify: STOPPING=1 after SIGTERM", wait_for("STOPPING=1", 5), got)
        R.check("notify: exits 0", d.stop() == 0)
    finally:
        if d is not None:
            d.stop(signal.SIGKILL)
        sock.close()
        shutil.rmtree(tmp, ignore_errors=True)


PR_SET_MDWE = 65               # linux/prctl.h, Linux 6.3 and later
PR_MDWE_REFUSE_EXEC_GAIN = 1


def deny_write_execute():
    """In the child before exec: what MemoryDenyWriteExecute=yes enforces."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_MDWE)")


def write_execute_denied():
    """The unit's MemoryDenyWriteExecute=yes, emulated with PR_SET_MDWE:
    PCRE2's JIT cannot get executable memory, so advisord must fall back
    to the interpreter and still answer and reload."""
    probe = subprocess.run([sys.executable, "-c", "import ctypes; "
                            "raise SystemExit(ctypes.CDLL(None).prctl(%d, %d, 0, 0, 0))"
                            % (PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN)])
    if probe.returncode != 0:
        print("skip write-execute test: this kernel has no PR_SET_MDWE (not counted)")
        return
    d = Daemon(preexec=deny_write_execute)
    try:
        c = d.client()
        r = c.ask({"type": "message", "text": "what is kpo"})
        R.check("W^X: advisord answers without the JIT", r.get("intent") == "define_kpo", r)
        d.proc.send_signal(signal.SIGHUP)
        R.check("W^X: a SIGHUP reload succeeds",
                until(lambda: d.metric("advisord_content_reloads_total") == 1),
                d.logtext()[-500:])
        r = c.ask({"type": "message", "text": "what is bpo"})
        c.close()
        R.check("W^X: answers after the reload", r.get("intent") == "define_bpo", r)
        R.check("W^X: SIGTERM exits 0", d.stop() == 0)
    finally:
        d.stop(signal.SIGKILL)


SYSTEMD_NOFILE = 1024          # systemd's soft limit for a unit that sets none


def unit_nofile():
    """The soft descriptor limit advisord gets under its unit."""
    with open(os.path.join(ROOT, "systemd", "advisord.service")) as f:
        for line in f:
            if line.startswith("LimitNOFILE="):
                return int(line.split("=", 1)[1].split(":")[0])
    return SYSTEMD_NOFILE


def open_files():
    """Under the unit's descriptor limit, advisord holds 2,000 visitors
    from 32 addresses at once (each below max_conns_per_ip): at systemd's
    default of 1,024 descriptors, 16 addresses took every one, and all
    other visitors were refused."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    want = min(unit_nofile(), hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))   # this client's
    d = Daemon("--rate-limit", "0", preexec=lambda: resource.setrlimit(
        resource.RLIMIT_NOFILE, (want, hard)))
    conns = []
    try:
        for i in range(2000):
            c = d.client(source="127.0.0.%d" % (2 + i % 32))
            conns.append(c)
            if not c.upgraded:
                break
        R.check("under the unit's LimitNOFILE, 2,000 visitors from 32 addresses are all served",
                len(conns) == 2000 and conns[-1].upgraded, "refused at %d" % len(conns))
    finally:
        for c in conns:
            c.close()
        d.stop()


def set_kpo_text(content, text):
    path = os.path.join(content, "dialogues", "topics.json")
    with open(path) as f:
        doc = json.load(f)
    nodes = doc["nodes"]
    for n in nodes if isinstance(nodes, list) else nodes.values():
        if n.get("id") == "define_kpo":
            n["text"] = text
    with open(path + ".tmp", "w") as f:
        json.dump(doc, f, indent=1)
    os.rename(path + ".tmp", path)


def rename_node(content, old, new):
    """Give dialogue node OLD the id NEW, with every reference to it."""
    path = os.path.join(content, "dialogues", "topics.json")
    with open(path) as f:
        doc = json.load(f)
    nodes = doc["nodes"]
    for n in nodes if isinstance(nodes, list) else nodes.values():
        if n.get("id") == old:
            n["id"] = new
        for o in n.get("options", []):
            if o.get("target") == old:
                o["target"] = new
    for k, v in list(doc.get("routes", {}).items()):
        if v == old:
            doc["routes"][k] = new
    with open(path + ".tmp", "w") as f:
        json.dump(doc, f, indent=1)
    os.rename(path + ".tmp", path)


def reload():
    tmp = tempfile.mkdtemp(prefix="advisord-content-")
    for sub in ("intents", "dialogues"):
        shutil.copytree(os.path.join(ROOT, sub), os.path.join(tmp, sub),
                        ignore=shutil.ignore_patterns("*.c", "*.h", "*.mk", "*.o"))
    d = Daemon("--content", tmp)

    def kpo_text(c=None):
        own = c is None
        c = c or d.client()
        try:
            return c.ask({"type": "message", "text": "what is kpo"}).get("text")
        finally:
            if own:
                c.close()

    try:
        old = kpo_text()
        R.check("reload: original text served first", old and old != NEW_TEXT, old)
        early = d.client()
        kpo_text(early)

        set_kpo_text(tmp, NEW_TEXT)
        d.proc.send_signal(signal.SIGHUP)
        R.check("reload: SIGHUP counted in advisord_content_reloads_total",
                until(lambda: d.metric("advisord_content_reloads_total") == 1),
                d.metric("advisord_content_reloads_total"))
        R.check("reload: a new visitor gets the new text", kpo_text() == NEW_TEXT,
                kpo_text())
        R.check("reload: a conversation opened before carries on with it",
                kpo_text(early) == NEW_TEXT)

        # The node EARLY stands on (define_kpo) vanishes in the next reload.
        rename_node(tmp, "define_kpo", "kpo_defined")
        d.proc.send_signal(signal.SIGHUP)
        R.check("reload: a renamed node reloads",
                until(lambda: d.metric("advisord_content_reloads_total") == 2),
                d.logtext()[-500:])
        r = early.ask({"type": "message", "text": "hello"})
        R.check("reload: a conversation whose node vanished starts over, saying so",
                r.get("type") == "reply" and "changed" in r.get("text", "") and
                r.get("node") != "define_kpo", r)
        R.check("reload: ... and carries on normally",
                early.ask({"type": "message", "text": "what is kpo"}).get("node")
                == "kpo_defined")
        early.close()

        with open(os.path.join(tmp, "dialogues", "topics.json"), "w") as f:
            f.write('{"routes": {"define_kpo": ')
        d.proc.send_signal(signal.SIGHUP)
        R.check("broken reload: advisord_content_reload_failures_total 1",
                until(lambda: d.metric("advisord_content_reload_failures_total") == 1),
                d.metric("advisord_content_reload_failures_total"))
        R.check("broken reload: the previous content keeps serving",
                kpo_text() == NEW_TEXT, kpo_text())
        R.check("broken reload: reloads_total still 2",
                d.metric("advisord_content_reloads_total") == 2)
        R.check("broken reload: the reason is logged",
                "reload" in d.logtext(), d.logtext()[-500:])
        R.check("reload: SIGTERM exits 0", d.stop() == 0)
    finally:
        d.stop(signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    R.run("deps for the build, deps for the tests", deps_split)
    R.run("install into PREFIX", install_prefix)
    R.run("install into DESTDIR", install_destdir)
    R.run("security score", security)
    R.run("sd_notify", notify)
    R.run("SIGHUP reload", reload)
    R.run("MemoryDenyWriteExecute", write_execute_denied)
    R.run("LimitNOFILE", open_files)
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
