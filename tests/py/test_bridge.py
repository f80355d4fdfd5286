"""test_bridge.py: advisor-bridge end to end with the real advisord.

50 team chat users in 10 channels post at once through the bridge; each
gets their own conversation; wrong tokens and signatures are refused;
advisord restarts mid-test and the conversations carry on, and so do the
numbered options when the bridge itself restarts; SIGTERM waits for a
request already with advisord (a stand-in, fakeadvisor.py, holds its
reply) and a SIGHUP in that wait opens no connection; a request with
advisord when the connection ends is answered then; 40 at once keep 32
with advisord, 300 at once keep advisord's connection; the context is
freed with the signals blocked (hook_destroy.so); a flood of refused
requests is logged at most 5 lines a second, every refusal counted; an
anonymous WebSocket client still holds only one conversation.  A late
answer goes to its response_url, and while the lookup of a host name
hangs (hook_resolve.so) every other conversation is relayed; so is the
lookup of advisord's own host name: while it hangs the bridge answers, and
a name that resolves connects.  A stop waits for a late answer being
posted, up to its 3 s.
"""
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsclient import ROOT, BUILD, Daemon, Results, free_port, Client, tempdir, until  # noqa: E402
from fakeadvisor import FakeAdvisor  # noqa: E402

HOOK = "hook-" + secrets.token_hex(8)
SECRET = "sign-" + secrets.token_hex(8)


class FixedPortDaemon(Daemon):
    """advisord that comes back on the same port after a restart."""

    def start(self):
        port = getattr(self, "fixed", None)
        if port is None:
            return Daemon.start(self)
        import wsclient
        wsclient.free_port = lambda: port
        try:
            Daemon.start(self)
        finally:
            wsclient.free_port = free_port


def post(port, fields=None, body=None, ctype="application/x-www-form-urlencoded",
         headers=None):
    """(status, parsed JSON or raw text) of one POST to the bridge."""
    if body is None:
        body = urllib.parse.urlencode(fields)
    if isinstance(body, str):
        body = body.encode()
    req = urllib.request.Request("http://127.0.0.1:%d/slack" % port, data=body,
                                 headers=dict({"Content-Type": ctype}, **(headers or {})))
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            status, data = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, data = e.code, e.read()
    try:
        return status, json.loads(data)
    except ValueError:
        return status, data.decode(errors="replace")


def say(port, user, channel, text, team="T1"):
    return post(port, {"token": HOOK, "team_id": team, "channel_id": channel,
                       "user_id": user, "user_name": user.lower(), "text": text})


def healthz(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=2) as r:
            return json.loads(r.read())
    except (OSError, ValueError):
        return {}


def wait_connected(port, want=True, limit=10):
    deadline = time.time() + limit
    while time.time() < deadline:
        if (healthz(port).get("advisor") == "connected") == want:
            return True
        time.sleep(0.05)
    return False


def config_errors(res, tmp):
    """A bad setting stops the bridge with a line that names it."""
    conf = os.path.join(tmp, "bad.conf")
    cases = [("timeout = 2500\nbogus = 1\n", [], 'bad.conf:2: unknown setting "bogus"'),
             ("timeout = soon\n", [], 'bad.conf:1: bad value "soon" for timeout'),
             ("log_level = loud\n", [], 'bad.conf:1: bad value "loud" for log_level'),
             ("listen\n", [], "bad.conf:1: expected key = value"),
             ("", ["--log-level", "loud"], "bad value for --log-level: loud")]
    for text, flags, want in cases:
        with open(conf, "w") as f:
            f.write(text)
        p = subprocess.run([os.path.join(ROOT, BUILD, "advisor-bridge"), "-c", conf] + flags,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
        err = p.stderr.decode(errors="replace")
        res.check("bad setting is named: %s" % want,
                  p.returncode != 0 and want in err, (p.returncode, err))
    # a secret too long is named, never printed: the error goes to the journal
    secret = "s3cr3t" * 50
    for text, flags in (("signing_secret = %s\n" % secret, []),
                        ("", ["--webhook-token", secret])):
        with open(conf, "w") as f:
            f.write(text)
        p = subprocess.run([os.path.join(ROOT, BUILD, "advisor-bridge"), "-c", conf] + flags,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
        err = p.stderr.decode(errors="replace")
        res.check("a bad secret is named, not shown (%s)" % ("file" if text else "flag"),
                  p.returncode != 0 and "not shown" in err and "s3cr3t" not in err,
                  (p.returncode, err))


def check_mode(res, tmp):
    """--check reads the settings, the token and the secrets as a start
    would, says so, and exits without listening: 0 when they are good,
    1 (the error named) when not."""
    conf = os.path.join(tmp, "check.conf")
    with open(conf, "w") as f:
        f.write("listen = 127.0.0.1:1\ntoken_file = %s\nchat = mattermost\n"
                % os.path.join(tmp, "bridge.token"))
    for name, flags, rc, want in (
            ("good", ["--webhook-token", HOOK], 0, "check.conf: the settings are good: listen "
             "127.0.0.1:1, advisord at ws://127.0.0.1:8080/ws, chat mattermost, late answers "
             "to hooks.slack.com"),
            ("no secret", [], 1, "refusing to run open"),
            ("no token file", ["--webhook-token", HOOK, "--token-file",
                               os.path.join(tmp, "none")], 1, "token file %s (--token-file, advisord's bearer token): "
                           "No such file or directory" % os.path.join(tmp, "none"))):
        p = subprocess.run([os.path.join(ROOT, BUILD, "advisor-bridge"), "--check", "-c", conf]
                           + flags, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
        err = p.stderr.decode(errors="replace")
        res.check("--check, %s: exit %d, said" % (name, rc),
                  p.returncode == rc and want in err and "listening on" not in err,
                  (p.returncode, err))


def token_mode(res, tmp):
    """A token file other users can read is warned about; a 0600 one not."""
    tfile = os.path.join(tmp, "open.token")
    with open(tfile, "w") as f:
        f.write("0" * 64 + "\n")
    for mode, warned in ((0o644, True), (0o600, False)):
        os.chmod(tfile, mode)
        # no webhook token: it reads the token file, then refuses to run
        p = subprocess.run([os.path.join(ROOT, BUILD, "advisor-bridge"), "--token-file", tfile],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
        err = p.stderr.decode(errors="replace")
        res.check("token file mode %04o: %s" % (mode, "warned" if warned else "no warning"),
                  ("open to other users (mode %04o)" % mode in err) == warned and
                  "refusing to run open" in err, err)


def secrets_mode(res, tmp):
    """A secrets file other users can read is warned about, as the token
    file is; so is a config file holding a secret, but not one without."""
    tfile = os.path.join(tmp, "bridge.token")
    sfile = os.path.join(tmp, "open.secrets")
    conf = os.path.join(tmp, "open.conf")
    with open(sfile, "w") as f:
        f.write("# nothing yet\n")
    for mode, warned in ((0o644, True), (0o600, False)):
        os.chmod(sfile, mode)
        # an empty secrets file: it reads it, then refuses to run open
        p = subprocess.run([os.path.join(ROOT, BUILD, "advisor-bridge"), "--token-file", tfile,
                            "--secrets-file", sfile],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
        err = p.stderr.decode(errors="replace")
        res.check("secrets file mode %04o: %s" % (mode, "warned" if warned else "no warning"),
                  ("the secrets file is open to other users (mode %04o)" % mode in err)
                  == warned and "refusing to run open" in err and p.returncode != 0, err)
    with open(sfile, "w") as f:
        f.write("webhook_token = x\ntimeout = 10\n")
    p = subprocess.run([os.path.join(ROOT, BUILD, "advisor-bridge"), "--token-file", tfile,
                        "--secrets-file", sfile],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
    err = p.stderr.decode(errors="replace")
    res.check("a secrets file holds the secrets only",
              p.returncode != 0 and "open.secrets:2: timeout does not belong in a secrets file"
              in err, err)
    for name, text, warned in (("no secret", "timeout = 2500\n", False),
                               ("an empty secret", "webhook_token =\n", False),
                               ("a secret", "signing_secret = %s\n" % SECRET, True)):
        with open(conf, "w") as f:
            f.write(text)
        os.chmod(conf, 0o644)
        # an advisord URL it cannot parse: it reads everything, then stops
        p = subprocess.run([os.path.join(ROOT, BUILD, "advisor-bridge"), "-c", conf,
                            "--token-file", tfile, "--advisor", "http://nowhere"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
        err = p.stderr.decode(errors="replace")
        res.check("config file 0644 with %s: %s" % (name, "warned" if warned else "no warning"),
                  ("the config file holds a secret and is open to other users (mode 0644)"
                   in err) == warned and "advisor: expected ws://" in err and
                  SECRET not in err, err)


def log_prefix(res, tmp):
    """A "<3>" priority starts a line only in the journal: the stream
    JOURNAL_STREAM names (as systemd sets it), not a terminal, not a
    terminal whose shell inherited JOURNAL_STREAM, not a file."""
    import pty
    other = os.path.join(tmp, "other.log")
    open(other, "w").close()
    st = os.stat(other)
    inherited = "%d:%d" % (st.st_dev, st.st_ino)
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
    argv = [os.path.join(ROOT, BUILD, "advisor-bridge"), "--log-level", "loud"]
    want = "advisor-bridge: error: bad value for --log-level: loud"
    for name, extra in (("a terminal", {}),
                        ("a terminal with an inherited JOURNAL_STREAM",
                         {"JOURNAL_STREAM": inherited})):
        master, slave = pty.openpty()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                             env=dict(env, **extra))
        os.close(slave)
        out = b""
        while True:
            try:
                d = os.read(master, 4096)
            except OSError:   # EIO: the bridge exited, the terminal is gone
                break
            if not d:
                break
            out += d
        os.close(master)
        p.wait(10)
        lines = out.decode(errors="replace").splitlines()
        res.check("log on %s: plain lines, no priority" % name,
                  lines and lines[0] == want, out)
    journal = os.path.join(tmp, "journal.log")
    with open(journal, "wb") as f:
        st = os.fstat(f.fileno())
        p = subprocess.run(argv, stdout=f, stderr=f, timeout=10,
                           env=dict(env, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino)))
    lines = open(journal).read().splitlines()
    res.check("log in the journal: lines keep their priority",
              lines and lines[0] == "<3>" + want, lines)


def main():
    res = Results("bridge")
    tok = secrets.token_hex(32)
    tmp = tempdir("bridge-test-")
    with open(os.path.join(tmp, "tokens"), "w") as f:
        f.write("chat %s\n" % hashlib.sha256(tok.encode()).hexdigest())
    with open(os.path.join(tmp, "bridge.token"), "w") as f:
        f.write(tok + "\n")
    config_errors(res, tmp)
    log_prefix(res, tmp)
    token_mode(res, tmp)
    check_mode(res, tmp)
    os.chmod(os.path.join(tmp, "bridge.token"), 0o600)
    secrets_mode(res, tmp)
    d = FixedPortDaemon("--bridge-tokens", os.path.join(tmp, "tokens"),
                        "--durability", "strict", "--log-level", "info")
    d.fixed = d.port
    bport = free_port()
    blog = open(os.path.join(tmp, "bridge.log"), "wb")

    def start_bridge():
        return subprocess.Popen(
            [os.path.join(ROOT, BUILD, "advisor-bridge"), "--listen", "127.0.0.1:%d" % bport,
             "--advisor", "ws://127.0.0.1:%d/ws" % d.port,
             "--token-file", os.path.join(tmp, "bridge.token"),
             "--webhook-token", HOOK, "--signing-secret", SECRET,
             "--state-file", os.path.join(tmp, "options"),
             "--timeout", "1500", "--log-level", "warning"],
            stdout=blog, stderr=blog)

    def stop_bridge(b):
        b.terminate()
        try:
            return b.wait(5)
        except subprocess.TimeoutExpired:
            b.kill()
            return b.wait()

    bridge = start_bridge()
    try:
        res.check("bridge connects to advisord", wait_connected(bport))
        run(res, d, bport, tok)
        # the bridge itself restarts: "1" still means option 1 of the
        # person's last reply (kept in --state-file), as it does for
        # someone whose bridge stayed up
        say(bport, "U97", "C9", "what is kpo")
        say(bport, "U98", "C9", "what is kpo")
        _, same = say(bport, "U98", "C9", "1")
        rc = stop_bridge(bridge)
        res.check("bridge exits 0 on SIGTERM", rc == 0, "rc=%r" % rc)
        saved = os.path.join(tmp, "options")
        res.check("bridge saved the options on the way out",
                  os.path.exists(saved) and "T1:C9:U97\t" in open(saved).read())
        bridge = start_bridge()
        res.check("bridge back after its own restart", wait_connected(bport))
        s, r = say(bport, "U97", "C9", "1")
        res.check("after the bridge restarts '1' picks option 1 of the last reply",
                  s == 200 and r.get("text") == same.get("text"), (s, r, same))
        revoke(res, d, tmp, bport)
        bad_token(res, d, tmp)
        wrong_path(res, d, tmp)
        secrets_file(res, d, tmp)
        signals(res, d, tmp)
        save_off_the_loop(res, d, tmp)
        save_at_stop_signalled(res, d, tmp)
        late_signals(res, d, tmp)
        drain(res, tmp)
        ended(res, tmp)
        window(res, tmp)
        refusal_flood(res, tmp)
        chats(res, d, tmp, bport)
        timeouts(res, d, tmp)
        late_answers(res, tmp)
        late_lookups(res, tmp)
        advisor_lookup(res, d, tmp)
        late_at_stop(res, tmp)
        activation(res, d, tmp)
        unit(res)
        res.check("advisord logs which bridge connected, and from where",
                  "bridge chat connected from 127.0.0.1" in d.logtext(), d.logtext()[-500:])
        res.check("advisord logs a bridge's close code and reason",
                  'bridge chat2 (127.0.0.1) disconnected: close 1008 "bridge token revoked", '
                  'sent by advisord' in d.logtext(), d.logtext()[-500:])
        res.check("advisord logs a stopping bridge's 1001",
                  'bridge chat (127.0.0.1) disconnected: close 1001 "bridge stopping", '
                  'sent by the bridge' in d.logtext(), d.logtext()[-800:])
        res.check("advisord names the address it refused",
                  "refused a WebSocket upgrade from 127.0.0.1: bad bridge token" in d.logtext(),
                  d.logtext()[-500:])
    finally:
        rc = stop_bridge(bridge)
        res.check("bridge exits 0 on SIGTERM (again)", rc == 0, "rc=%r" % rc)
        d.stop()
        blog.close()
        if res.failed:
            print(open(os.path.join(tmp, "bridge.log")).read()[-3000:])
    return res.finish()


def revoke(res, d, tmp, bport):
    """A token taken out of the file by a SIGHUP reload stops working at
    once: its open connection is closed (1008), a new one gets 401, and the
    other bridges carry on."""
    path = os.path.join(tmp, "tokens")
    kept = open(path).read()
    tok2 = secrets.token_hex(32)
    with open(path, "a") as f:
        f.write("chat2 %s\n" % hashlib.sha256(tok2.encode()).hexdigest())
    d.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 5
    while time.time() < deadline:
        c = Client(d.port, token=tok2)
        if c.upgraded:
            break
        c.close()
        time.sleep(0.05)
    res.check("a token added to the file works after SIGHUP", c.upgraded, c.status)
    r = c.ask({"type": "message", "conversation": "r1", "text": "what is kpo", "id": "r1"})
    res.check("the added bridge is answered", r.get("type") == "reply", r)
    # a broken file is refused whole, counted, and every token keeps working
    with open(path, "w") as f:
        f.write("not a token line\n")
    d.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 5
    while time.time() < deadline and d.metric("advisord_settings_reload_failures_total") != 1:
        time.sleep(0.05)
    res.check("a broken token file on SIGHUP counts a settings reload failure",
              d.metric("advisord_settings_reload_failures_total") == 1,
              d.metric("advisord_settings_reload_failures_total"))
    r = c.ask({"type": "message", "conversation": "r1", "text": "what is bpo", "id": "r2"})
    res.check("... and the tokens loaded before keep working", r.get("type") == "reply", r)
    with open(path, "w") as f:
        f.write(kept)
    d.proc.send_signal(signal.SIGHUP)
    code = c.close_code()
    c.close()
    res.check("a revoked token's open connection is closed with 1008", code == 1008, code)
    c = Client(d.port, token=tok2)
    res.check("a revoked token is refused at the upgrade (401)", c.status == 401, c.status)
    c.close()
    s, r = say(bport, "U97", "C9", "what is bpo")
    res.check("the bridge whose token stayed is still served",
              s == 200 and "Business Process" in r.get("text", ""), (s, r))


class Bridge:
    """One more advisor-bridge, with a log of its own."""

    def __init__(self, tmp, name, advisor_port, token_file, *flags, env=None, hook=HOOK):
        self.logpath = os.path.join(tmp, name + ".log")
        # free_port() closes the port it found; on a busy machine another
        # program may take it before the bridge binds it: then another one
        for _ in range(5):
            self.port = free_port()
            self.log = open(self.logpath, "wb")
            self.proc = subprocess.Popen(
                [os.path.join(ROOT, BUILD, "advisor-bridge"),
                 "--listen", "127.0.0.1:%d" % self.port,
                 "--advisor", "ws://127.0.0.1:%d/ws" % advisor_port, "--token-file", token_file,
                 "--log-level", "info"] + (["--webhook-token", hook] if hook else []) +
                list(flags),
                stdout=self.log, stderr=self.log, env=env)
            deadline = time.time() + 5
            while time.time() < deadline and not healthz(self.port) and \
                    self.proc.poll() is None:
                time.sleep(0.05)
            if self.proc.poll() is None or "cannot listen on" not in self.text():
                break
            self.log.close()

    def text(self):
        with open(self.logpath, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        return self.proc.wait()


def wrong_path(res, d, tmp):
    """--advisor without advisord's /ws: the log names the HTTP status and
    the path (lws says only "ws upgrade response not 101")."""
    b = Bridge(tmp, "bridge19", d.port, os.path.join(tmp, "bridge.token"),
               "--advisor", "ws://127.0.0.1:%d" % d.port)
    try:
        ok = until(lambda: "cannot connect to advisord at ws://127.0.0.1:%d: HTTP 404 at /, "
                   "no WebSocket there (advisord's is at /ws)" % d.port in b.text())
        res.check("--advisor without /ws: the log says the path has no WebSocket", ok,
                  b.text()[-400:])
    finally:
        b.stop()


def bad_token(res, d, tmp):
    """A token advisord refuses: one clear error per change of state (not
    two warnings a retry), people told why, and the bridge recovers by
    itself once the token is right (SIGHUP re-reads its token file;
    advisord's reload lets a revoked one back in)."""
    path = os.path.join(tmp, "tokens")
    kept = open(path).read()
    tok3 = secrets.token_hex(32)
    tfile = os.path.join(tmp, "bridge3.token")
    with open(tfile, "w") as f:
        f.write("0" * 64 + "\n")
    os.chmod(tfile, 0o600)
    b = Bridge(tmp, "bridge3", d.port, tfile)
    try:
        until(lambda: healthz(b.port).get("advisor") == "refused")
        time.sleep(1.5)   # several retries
        log = b.text()
        res.check("refused token: /healthz says refused",
                  healthz(b.port).get("advisor") == "refused", healthz(b.port))
        res.check("refused token: one error line, not one a retry",
                  log.count("advisord refused the bridge token (HTTP 401); check --token-file "
                            + tfile) == 1 and "advisord away" not in log and
                  "got bad HTTP response" not in log and "warning" not in log, log[-800:])
        s, r = post(b.port, {"token": HOOK, "team_id": "T3", "channel_id": "C3",
                             "user_id": "U1", "text": "what is kpo"})
        res.check("refused token: the person is told the truth, at once",
                  s == 200 and "credentials" in r.get("text", "") and
                  "not reachable" not in r.get("text", ""), (s, r))
        with open(path, "a") as f:
            f.write("chat3 %s\n" % hashlib.sha256(tok3.encode()).hexdigest())
        d.proc.send_signal(signal.SIGHUP)
        with open(tfile, "w") as f:
            f.write(tok3 + "\n")
        time.sleep(0.3)
        b.proc.send_signal(signal.SIGHUP)
        res.check("SIGHUP: the bridge re-reads its token file and connects",
                  wait_connected(b.port, limit=3) and b.proc.poll() is None, b.text()[-500:])
        with open(path, "w") as f:
            f.write(kept)
        d.proc.send_signal(signal.SIGHUP)
        res.check("revoked: the bridge logs advisord's close code and reason",
                  until(lambda: 'advisord closed the connection: 1008 "bridge token revoked"'
                           in b.text()), b.text()[-500:])
        res.check("revoked: then one refusal line",
                  until(lambda: b.text().count("advisord refused the bridge token") == 2),
                  b.text()[-500:])
        with open(path, "a") as f:
            f.write("chat3 %s\n" % hashlib.sha256(tok3.encode()).hexdigest())
        d.proc.send_signal(signal.SIGHUP)
        res.check("token back in advisord's file: the bridge recovers by itself",
                  wait_connected(b.port, limit=8), b.text()[-500:])
    finally:
        b.stop()
        with open(path, "w") as f:
            f.write(kept)
        d.proc.send_signal(signal.SIGHUP)


def secrets_file(res, d, tmp):
    """The chat's secrets from --secrets-file, over the config file's; a
    new one is taken on SIGHUP, and a broken file keeps the old ones."""
    sfile = os.path.join(tmp, "bridge.secrets")
    conf = os.path.join(tmp, "secrets.conf")
    first, second = "hook1-" + secrets.token_hex(8), "hook2-" + secrets.token_hex(8)
    with open(conf, "w") as f:
        f.write("webhook_token = %s\n" % HOOK)
    os.chmod(conf, 0o600)
    with open(sfile, "w") as f:
        f.write("webhook_token = %s\nsigning_secret = \"%s\"\n" % (first, SECRET))
    os.chmod(sfile, 0o600)

    def ask(token):
        return post(b.port, {"token": token, "team_id": "T6", "channel_id": "C6",
                             "user_id": "U61", "text": "what is kpo"})[0]
    b = Bridge(tmp, "bridge6", d.port, os.path.join(tmp, "bridge.token"), "-c", conf,
               "--secrets-file", sfile, hook=None)
    try:
        res.check("secrets file: the bridge connects", wait_connected(b.port), b.text()[-500:])
        res.check("secrets file: its webhook token is taken, over the config file's",
                  ask(first) == 200 and ask(HOOK) == 403, b.text()[-500:])
        body = urllib.parse.urlencode({"team_id": "T6", "channel_id": "C6", "user_id": "S6",
                                       "text": "what is kpo"})
        ts = str(int(time.time()))
        sig = "v0=" + hmac.new(SECRET.encode(), ("v0:%s:%s" % (ts, body)).encode(),
                               hashlib.sha256).hexdigest()
        s, _ = post(b.port, body=body, headers={"X-Slack-Request-Timestamp": ts,
                                                "X-Slack-Signature": sig})
        res.check("secrets file: its signing secret is taken", s == 200, s)
        with open(sfile, "w") as f:
            f.write("webhook_token = %s\n" % second)
        b.proc.send_signal(signal.SIGHUP)
        res.check("secrets file: SIGHUP takes the new webhook token",
                  until(lambda: ask(second) == 200) and ask(first) == 403, b.text()[-500:])
        with open(sfile, "w") as f:
            f.write("webhook_token = %s\nlisten = 127.0.0.1:1\n" % first)
        b.proc.send_signal(signal.SIGHUP)
        res.check("secrets file: a broken one on SIGHUP keeps the secrets in use",
                  until(lambda: "keeping the settings in use" in b.text()) and
                  ask(second) == 200 and ask(first) == 403 and b.proc.poll() is None,
                  b.text()[-500:])
        res.check("secrets file: no secret in the log",
                  first not in b.text() and second not in b.text() and SECRET not in b.text(),
                  b.text()[-500:])
    finally:
        b.stop()


def unit(res):
    """The unit's reload is the bridge's SIGHUP, and its stop timeout leaves
    room for the bridge to answer the requests still waiting."""
    text = open(os.path.join(ROOT, "systemd", "advisor-bridge.service")).read()
    res.check("unit: ExecReload sends SIGHUP", "\nExecReload=/bin/kill -HUP $MAINPID\n" in text)
    start = [ln for ln in text.splitlines() if ln.startswith("ExecStart=")]
    res.check("unit: the chat's secrets come root-only, as a credential",
              "\nLoadCredential=bridge.secrets:@SYSCONFDIR@/advisord/advisor-bridge.secrets\n"
              in text and len(start) == 1 and " --secrets-file %d/bridge.secrets " in start[0],
              start)
    sock = open(os.path.join(ROOT, "systemd", "advisor-bridge.socket")).read()
    conf = open(os.path.join(ROOT, "bridge", "advisor-bridge.conf")).read()
    res.check("unit: advisor-bridge.socket listens where advisor-bridge.conf does",
              "\nListenStream=127.0.0.1:8090\n" in sock and "\nlisten = 127.0.0.1:8090\n" in conf)
    stop = [ln.split("=", 1)[1] for ln in text.splitlines() if ln.startswith("TimeoutStopSec=")]
    res.check("unit: TimeoutStopSec over the bridge's 3 s to answer",
              len(stop) == 1 and stop[0].endswith("s") and int(stop[0][:-1]) > 3, stop)


def signals(res, d, tmp):
    """SIGHUP keeps the bridge running and saves its options; SIGTERM
    answers the requests still waiting for advisord before it exits."""
    state = os.path.join(tmp, "options4")
    tfile = os.path.join(tmp, "bridge.token")
    b = Bridge(tmp, "bridge4", d.port, tfile, "--state-file", state, "--timeout", "10000")
    try:
        res.check("bridge4 connects", wait_connected(b.port))
        s, r = say(b.port, "U41", "C4", "what is kpo")
        b.proc.send_signal(signal.SIGHUP)
        res.check("SIGHUP saves the options",
                  until(lambda: os.path.exists(state) and "T1:C4:U41\t" in open(state).read()),
                  b.text()[-500:])
        time.sleep(0.3)
        res.check("SIGHUP leaves the bridge running", b.proc.poll() is None, b.proc.poll())
        s2, r2 = say(b.port, "U41", "C4", "what is bpo")
        res.check("after SIGHUP the bridge still answers",
                  s2 == 200 and "Business Process" in r2.get("text", ""), (s2, r2))
    finally:
        b.stop()
    # nothing listens where this one's advisord should be: its request waits
    b = Bridge(tmp, "bridge5", free_port(), tfile, "--timeout", "10000")
    try:
        pool = ThreadPoolExecutor(max_workers=1)

        def ask():
            try:
                return say(b.port, "U51", "C5", "what is kpo")
            except OSError as e:
                return None, repr(e)
        fut = pool.submit(ask)
        time.sleep(0.5)
        b.proc.terminate()
        s, r = fut.result(timeout=10)
        rc = b.proc.wait(10)
        res.check("SIGTERM answers a waiting request: the advisor restarts",
                  s == 200 and "restarting" in r.get("text", ""), (s, r))
        res.check("SIGTERM: exits 0", rc == 0, rc)
        pool.shutdown()
    finally:
        b.stop()


def saving_bridge(tmp, d, n):
    """A bridge (bridgeN) that keeps its options in optionsN, and the
    FIFO its saver's temporary file will be: (bridge, state, fifo)."""
    state = os.path.join(tmp, "options" + n)
    b = Bridge(tmp, "bridge" + n, d.port, os.path.join(tmp, "bridge.token"),
               "--state-file", state, "--timeout", "10000")
    return b, state, state + ".tmp"


def hold_a_save(res, b, state, fifo, conv, label):
    """Once the bridge's first save of STATE is over, make its next one
    wait: the save's temporary file FIFO holds the child that writes it in
    its open() until the test reads.  A person of CONV asks, and SIGHUP
    saves (then reloads the settings: their log line says the save is
    under way, off the loop)."""
    u = "U" + conv[1:]
    res.check("%s: the bridge connects" % label, wait_connected(b.port))
    say(b.port, u + "1", conv, "what is kpo")
    # the first comes with the 5 s round of saves, so the wait is longer
    # than that: with until's 5 s, a loaded machine's fork and fsync past
    # the deadline failed the check, and the held save was this one
    res.check("%s: the first save" % label,
              until(lambda: os.path.exists(state) and
                    "T1:%s:%s1\t" % (conv, u) in open(state).read(), timeout=20))
    os.mkfifo(fifo)
    say(b.port, u + "2", conv, "what is kpo")
    b.proc.send_signal(signal.SIGHUP)
    res.check("%s: a save held" % label,
              until(lambda: "reloaded the flags" in b.text()), b.text()[-500:])


def save_off_the_loop(res, d, tmp):
    """The options are saved by a child process, and the bridge serves
    meanwhile: with 50,000 people a save on the loop held every request
    up for 0.1-0.2 s, every 5 s while options changed.  The save's
    temporary file is a FIFO here, which holds the writer in its open()
    until the test reads; SIGHUP saves, then reloads the settings, so
    their log line says the save is under way, off the loop."""
    b, state, fifo = saving_bridge(tmp, d, "6")
    try:
        hold_a_save(res, b, state, fifo, "C6", "save off the loop")
        s, r = say(b.port, "U63", "C6", "what is bpo")
        res.check("save off the loop: answered while the save is held",
                  s == 200 and "Business Process" in r.get("text", ""), (s, r))
        # the saver held copies of the listening socket and of advisord's
        # connection, so a connection the bridge closed stayed open to
        # its peer until the save ended
        kids = open("/proc/%d/task/%d/children" % (b.proc.pid, b.proc.pid)).read().split()
        socks = []
        for k in kids:
            fd = "/proc/%s/fd" % k
            socks += [os.readlink(os.path.join(fd, n)) for n in os.listdir(fd)
                      if os.readlink(os.path.join(fd, n)).startswith("socket:")]
        res.check("save off the loop: the saver holds none of the bridge's sockets",
                  len(kids) == 1 and socks == [], (kids, socks))
        with open(fifo, "rb") as f:
            held = f.read().decode(errors="replace")
        res.check("save off the loop: the held save has the options", "T1:C6:U62\t" in held, held)
        # it cannot fsync a FIFO: a failure, reported by the bridge
        res.check("save off the loop: its failure is logged",
                  until(lambda: "cannot save the options (Invalid argument)" in b.text()),
                  b.text()[-500:])
        b.proc.send_signal(signal.SIGHUP)
        res.check("save off the loop: the next save works",
                  until(lambda: "options saved again" in b.text() and os.path.exists(state) and
                        "T1:C6:U63\t" in open(state).read()), b.text()[-500:])
    finally:
        if os.path.exists(fifo):
            try:
                os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
            except OSError:
                pass
        b.stop()


def in_wait(pid):
    """Whether process PID sleeps in waitpid() (the kernel's do_wait)."""
    try:
        with open("/proc/%d/wchan" % pid) as f:
            return f.read().strip() == "do_wait"
    except OSError:
        return False


def let_writers_through(b, fifo):
    """Read the save's FIFO for every writer that opens it, until the
    bridge B has ended (10 s at most)."""
    deadline = time.time() + 10
    while b.proc.poll() is None and time.time() < deadline:
        try:
            fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
            time.sleep(0.2)
            while os.read(fd, 65536):
                pass
            os.close(fd)
        except OSError:
            time.sleep(0.05)


def save_at_stop_signalled(res, d, tmp):
    """The stop waits for a save under way in its child before it makes
    the last one itself; a signal in that wait (a second SIGTERM, a
    SIGHUP) interrupted waitpid(), and the bridge logged the save as
    failed ("Interrupted system call") and wrote the file itself while the
    child still wrote the same temporary file.  The save's temporary file
    is a FIFO, which holds the child in its open() until it is read; the
    SIGHUP comes once the bridge sleeps in waitpid(), and the check reads
    the log once the bridge has ended: the child's own failure (it cannot
    fsync a FIFO) is the save's first, not the interrupted wait."""
    b, state, fifo = saving_bridge(tmp, d, "7")
    try:
        hold_a_save(res, b, state, fifo, "C7", "stop, signalled")
        b.proc.terminate()
        # the loop is over once advisord's connection is: then the stop
        # waits for the held child
        res.check("stop, signalled: the stop waits for the held save",
                  until(lambda: "closed the connection to advisord" in b.text() and
                        in_wait(b.proc.pid), timeout=10), b.text()[-500:])
        b.proc.send_signal(signal.SIGHUP)
        let_writers_through(b, fifo)
        log = b.text()
        res.check("stop, signalled: the wait for the save goes on",
                  b.proc.poll() is not None and "Interrupted system call" not in log and
                  "cannot save the options (Invalid argument)" in log, log[-500:])
    finally:
        let_writers_through(b, fifo)
        if os.path.exists(fifo):
            os.unlink(fifo)
        b.stop()


class StandIn:
    """A bridge NAME connected to a FakeAdvisor, with a thread pool for the
    requests it is to hold: `with StandIn(...) as (fake, bridge, pool)`."""

    def __init__(self, res, tmp, name, *flags, env=None):
        self.fa = FakeAdvisor()
        self.b = Bridge(tmp, name, self.fa.port, os.path.join(tmp, "bridge.token"), *flags,
                        env=env)
        self.pool = ThreadPoolExecutor(max_workers=1)
        res.check("%s connects to the stand-in" % name, wait_connected(self.b.port))

    def __enter__(self):
        return self.fa, self.b, self.pool

    def __exit__(self, *exc):
        self.pool.shutdown(wait=False)
        self.b.stop()
        self.fa.stop()
        return False


def partial_post(port):
    """A POST whose body has not all arrived: the bridge counts it as a
    request to answer, and so stays in its drain (up to 3 s) while the
    socket is open.  The socket, to send the rest with finish_post()."""
    body = urllib.parse.urlencode({"token": HOOK, "team_id": "T1", "channel_id": "C7",
                                   "user_id": "U71", "text": "what is kpo"}).encode()
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"POST /slack HTTP/1.1\r\nHost: x\r\nContent-Type: "
              b"application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n" % len(body)
              + body[:5])
    return s, body[5:]


def finish_post(s, rest):
    """The rest of partial_post()'s body; the status line of the answer."""
    s.sendall(rest)
    data = b""
    try:
        while b"\r\n" not in data:
            d = s.recv(4096)
            if not d:
                break
            data += d
    except OSError:
        pass
    s.close()
    return data.split(b"\r\n", 1)[0].decode(errors="replace")


def drain(res, tmp):
    """SIGTERM with a request already with advisord: the reply that comes
    within the bridge's grace is the person's answer, and one that does not
    come is answered "the advisor is restarting"; a SIGHUP in the drain,
    with advisord gone, opens no new connection.  A stand-in advisord holds
    the reply for as long as the test needs."""
    for reply in (True, False):
        with StandIn(res, tmp, "bridge6", "--timeout", "10000") as (fa, b, pool):
            fut = pool.submit(say, b.port, "U61", "C6", "what is kpo")
            frame = fa.frame()
            b.proc.terminate()
            res.check("SIGTERM: the bridge counts the request with advisord",
                      until(lambda: "stopping; answering 1 waiting request" in b.text()),
                      b.text()[-500:])
            if reply:
                fa.reply(frame, "held reply for " + frame["conversation"])
            s, r = fut.result(timeout=15)
            rc = b.proc.wait(10)
            if reply:
                res.check("SIGTERM: a reply that comes in the grace is the answer",
                          s == 200 and r.get("text") == "held reply for T1:C6:U61",
                          (s, r, b.text()[-500:]))
            else:
                res.check("SIGTERM: no reply in the grace, the advisor restarts",
                          s == 200 and "restarting" in r.get("text", "") and
                          "request b1: no answer from advisord in time (stopping)" in b.text(),
                          (s, r, b.text()[-500:]))
            res.check("SIGTERM with a request with advisord: exit 0, close 1001",
                      rc == 0 and fa.closed.wait(5) and fa.close_code == 1001,
                      (rc, fa.close_code))

    # SIGHUP while stopping, advisord gone: the reload must not connect
    # (the drain cancelled the retries for good; one from the reload would
    # outlive it)
    with StandIn(res, tmp, "bridge7", "--log-level", "debug") as (fa, b, pool):
        sock, rest = partial_post(b.port)
        ok = until(lambda: "a POST from the chat; 1 open" in b.text())
        b.proc.terminate()
        ok = ok and until(lambda: "stopping; answering 1 waiting request" in b.text())
        fa.drop()
        ok = ok and until(lambda: "closed the connection to advisord" in b.text())
        b.proc.send_signal(signal.SIGHUP)
        ok = ok and until(lambda: "reloaded the flags" in b.text())
        res.check("SIGHUP in the drain is read (the drain lasts up to 3 s)", ok,
                  b.text()[-600:])
        status = finish_post(sock, rest)
        rc = b.proc.wait(10)
        res.check("SIGHUP in the drain: the waiting request is answered, exit 0",
                  status == "HTTP/1.1 200 OK" and rc == 0, (status, rc))
        n = fa.connections()
        res.check("SIGHUP in the drain: no new connection to advisord", n == 1,
                  (n, b.text()[-600:]))


def ended(res, tmp):
    """A request with advisord when the connection ends is answered then:
    its reply could only come on that connection."""
    # advisord gone with a request: its reply could only come on that
    # connection, so the person hears at once, not after the 60 s timeout
    with StandIn(res, tmp, "bridge8", "--timeout", "60000") as (fa, b, pool):
        fut = pool.submit(say, b.port, "U81", "C8", "what is kpo")
        fa.frame()
        fa.drop()
        try:
            s, r = fut.result(timeout=15)
        except Exception as e:   # noqa: BLE001 (still waiting: the timeout)
            s, r = None, repr(e)
        res.check("advisord gone: a request it had is answered when the connection ends",
                  s == 200 and "not reachable" in r.get("text", "") and
                  "request b1: the connection to advisord ended before its answer" in b.text(),
                  (s, r, b.text()[-400:]))

    # the token revoked with a request: that person is told why, as the
    # next ones are once advisord refuses the token
    with StandIn(res, tmp, "bridge10", "--timeout", "60000") as (fa, b, pool):
        fut = pool.submit(say, b.port, "U82", "C8", "what is kpo")
        fa.frame()
        fa.close(1008, "bridge token revoked")
        try:
            s, r = fut.result(timeout=15)
        except Exception as e:   # noqa: BLE001 (still waiting: the timeout)
            s, r = None, repr(e)
        res.check("token revoked with a request: it is told about the credentials",
                  s == 200 and "credentials" in r.get("text", ""), (s, r))


def window(res, tmp):
    """40 people at once, advisord slow: 32 requests go to advisord, the
    other 8 wait their turn in the bridge and go as replies come (advisord
    drops a connection with 64 replies queued, its outq_max, and a burst
    of people filled that; burst() below meets the real one)."""
    with StandIn(res, tmp, "bridge9", "--log-level", "debug",
                 "--timeout", "30000") as (fa, b, _):
        pool = ThreadPoolExecutor(max_workers=40)
        futs = [pool.submit(say, b.port, "W%02d" % i, "C9", "what is kpo") for i in range(40)]
        res.check("the window fills at 32 requests with advisord",
                  until(lambda: "32 requests with advisord; the next wait for a reply"
                           in b.text(), timeout=15), b.text()[-400:])
        held = [fa.frame() for _ in range(32)]
        for f in held:
            fa.reply(f, "held reply for " + f["conversation"])
        for _ in range(8):
            f = fa.frame()
            fa.reply(f, "held reply for " + f["conversation"])
        got = [f.result(timeout=30) for f in futs]
        res.check("all 40 are answered, each with their own reply",
                  all(s == 200 and r.get("text") == "held reply for T1:C9:W%02d" % i
                      for i, (s, r) in enumerate(got)), [r for _, r in got][:3])
        pool.shutdown()


def refusal_flood(res, tmp):
    """Refused requests are logged at most 5 a second (a burst of 10): one
    client's wrong tokens wrote a line each, thousands a second, past
    journald's rate limit, which then dropped the bridge's real warnings.
    The line that passes says how many were held back, so every refusal
    is accounted for."""
    with StandIn(res, tmp, "bridge-flood", "--log-level", "warning") as (_, b, _p):
        pool = ThreadPoolExecutor(max_workers=8)
        t0 = time.time()
        got = list(pool.map(lambda i: post(b.port, {"token": "wrong", "team_id": "T1",
                                                    "channel_id": "C1", "user_id": "F%d" % i,
                                                    "text": "hi"})[0], range(300)))
        elapsed = time.time() - t0
        pool.shutdown()
        res.check("flood: every request refused", got == [403] * 300, set(got))
        sent = [300]

        def refused():
            return [ln for ln in b.text().splitlines() if ": refused: " in ln]

        # once a refusal after the flood is logged, every one before it
        # has been: in a line of its own or in the count of one
        def after():
            sent[0] += 1
            s, _ = post(b.port, body="{not json", ctype="application/json")
            return s == 400 and ": refused: malformed request" in refused()[-1]
        res.check("flood: a refusal after it is logged again", until(after, timeout=10),
                  b.text()[-400:])
        lines = refused()
        res.check("flood: a later line says how many were held back",
                  any(ln.endswith(" refused requests before it not logged)") for ln in lines),
                  lines[-3:])
        counted = 0
        for ln in lines:
            counted += 1
            if ln.endswith(" refused requests before it not logged)"):
                counted += int(ln.rsplit(" (", 1)[1].split()[0])
        res.check("flood: far fewer lines than requests (5 a second, burst 10)",
                  len(lines) <= 10 + 5 * (elapsed + 0.5) + sent[0] - 300, (len(lines), elapsed))
        res.check("flood: the lines and the counts they give add up to every refusal",
                  counted == sent[0], (counted, sent[0]))

        # a request without any token is named so in the log, not "wrong"
        # (a chat that sends none, or a Slack request that lost its
        # signature headers on the way, sent whoever reads the log looking
        # for a mistyped token); it waits for the throttle like after()
        def missing():
            s, _ = post(b.port, {"team_id": "T1", "channel_id": "C1", "user_id": "F0",
                                 "text": "hi"})
            return s == 403 and ": refused: no verification token" in refused()[-1]
        res.check("a request without a token: 403, logged as no token",
                  until(missing, timeout=10), refused()[-3:])


def chats(res, d, tmp, bport):
    """Emphasis in the markup of the chat the answer goes to: advisord's
    *x* is bold in Slack and Rocket.Chat, italics in Mattermost, which
    wants **x**; the chat is the one set (chat, --chat), else the one the
    request's fields name, else Slack."""
    def ask(port, **extra):
        fields = {"token": HOOK, "team_id": "T12", "channel_id": "C12",
                  "user_id": "U12", "user_name": "kim", "text": "what is kpo"}
        fields.update(extra)
        return post(port, fields)
    for name, extra, want in (
            ("Slack slash command (api_app_id)", {"api_app_id": "A1"}, "*Knowledge Process"),
            ("Mattermost webhook (post_id)", {"post_id": "p1", "trigger_word": ""},
             "@kim **Knowledge Process Outsourcing** means"),
            ("Rocket.Chat webhook (message_id)", {"message_id": "m1", "trigger_word": ""},
             "@kim *Knowledge Process Outsourcing* means"),
            ("a request that does not say", {}, "*Knowledge Process Outsourcing* means")):
        s, r = ask(bport, **extra)
        res.check("chat auto, %s: %s" % (name, want),
                  s == 200 and r.get("text", "").startswith(want), (s, r))
    b = Bridge(tmp, "bridge12", d.port, os.path.join(tmp, "bridge.token"), "--chat", "mattermost")
    try:
        res.check("bridge12 (chat mattermost) connects", wait_connected(b.port), b.text()[-300:])
        s, r = ask(b.port)
        res.check("chat mattermost: **bold**, also for a request that does not say",
                  s == 200 and r.get("text", "").startswith("**Knowledge Process Outsourcing** "),
                  (s, r))
        s, r = ask(b.port, api_app_id="A1")
        res.check("chat mattermost: the setting wins over the fields",
                  s == 200 and r.get("text", "").startswith("**Knowledge"), (s, r))
    finally:
        b.stop()


def timeouts(res, d, tmp):
    """The timeout stays below the 3 s Slack waits (it was 5 s by default,
    and Slack showed its own error, the answer lost); a longer one is
    warned about at start, with the figures; a slow advisord's person is
    told so, not that it is unreachable."""
    tfile = os.path.join(tmp, "bridge.token")
    for flags, warning in (
            ([], None),
            (["--timeout", "5000"], "timeout 5000 ms: Slack waits 3000 ms for an answer"),
            (["--chat", "slack", "--timeout", "3000"],
             "timeout 3000 ms: slack waits 3000 ms for an answer"),
            (["--chat", "mattermost", "--timeout", "5000"], None),
            (["--chat", "mattermost", "--timeout", "40000"],
             "timeout 40000 ms: mattermost waits 30000 ms for an answer")):
        b = Bridge(tmp, "bridge13", free_port(), tfile, *flags)
        try:
            log = b.text()
            ms = flags[flags.index("--timeout") + 1] if "--timeout" in flags else "2500"
            res.check("timeout %s: said at start" % " ".join(flags or ["(default)"]),
                      "; answering within %s ms; chat " % ms in log, log[-400:])
            if warning is None:
                res.check("timeout %s: no warning" % " ".join(flags or ["(default)"]),
                          "warning: timeout" not in log, log[-400:])
            else:
                res.check("timeout %s: warned once, with the figures" % " ".join(flags),
                          log.count(warning) == 1, log[-400:])
        finally:
            b.stop()
    with StandIn(res, tmp, "bridge14", "--timeout", "300") as (fa, b, pool):
        fut = pool.submit(say, b.port, "U14", "C14", "what is kpo")
        frame = fa.frame()
        s, r = fut.result(timeout=15)
        res.check("advisord slow: the person is told it is slow, not unreachable",
                  s == 200 and "taking too long" in r.get("text", ""), (s, r))
        fa.reply(frame, "late", options=("late-a", "late-b"))
        res.check("advisord slow: its late answer is dropped",
                  until(lambda: "answer for b1 came after its request was gone" in b.text()),
                  b.text()[-400:])
        # the late options were never shown: "1" is no pick from them
        fut = pool.submit(say, b.port, "U14", "C14", "1")
        frame = fa.frame()
        fa.reply(frame, "in time")
        s, r = fut.result(timeout=15)
        res.check("advisord slow: a '1' after it picks none of the late options",
                  frame.get("type") == "message" and frame.get("text") == "1", frame)
        res.check("advisord slow: the next answer in time is the person's",
                  s == 200 and r.get("text") == "in time", (s, r))


class ResponseUrls:
    """A chat's response_url endpoint: an HTTPS server on 127.0.0.1 with a
    certificate for localhost from a throwaway CA (ca.pem in TMP, made with
    openssl), which counts every connection it accepts (TLS or not) and
    keeps every POST as (path, content type, parsed body); /redirect
    answers 302 to /elsewhere.  hold() keeps the connections accepted from
    then on before their TLS handshake, until release()."""

    def __init__(self, tmp):
        import http.server
        import ssl
        import threading
        self.ca = os.path.join(tmp, "ca.pem")
        self.other_ca = os.path.join(tmp, "other-ca.pem")
        key, csr, crt = (os.path.join(tmp, n) for n in ("srv.key", "srv.csr", "srv.pem"))
        ext = os.path.join(tmp, "srv.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:localhost\n")
        ca = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
              "-nodes", "-days", "1", "-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign"]
        for argv in (ca + ["-keyout", os.path.join(tmp, "ca.key"), "-out", self.ca,
                           "-subj", "/CN=bridge test CA"],
                     ca + ["-keyout", os.path.join(tmp, "other-ca.key"), "-out", self.other_ca,
                           "-subj", "/CN=another CA"],
                     ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                      "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=localhost"],
                     ["x509", "-req", "-in", csr, "-CA", self.ca,
                      "-CAkey", os.path.join(tmp, "ca.key"), "-CAcreateserial", "-out", crt,
                      "-days", "1", "-extfile", ext]):
            subprocess.run(["openssl"] + argv, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(crt, key)
        self.posts, self.hosts, self.connections, self.lock = [], [], 0, threading.Lock()
        self.gate = threading.Event()
        self.gate.set()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                try:
                    body = json.loads(body)
                except ValueError:
                    pass
                with outer.lock:
                    outer.posts.append((self.path, self.headers.get("Content-Type"), body))
                    outer.hosts.append(self.headers.get("Host"))
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "https://localhost:%d/elsewhere" % outer.port)
                else:
                    self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            def get_request(self):
                sock, addr = self.socket.accept()
                with outer.lock:
                    outer.connections += 1
                outer.gate.wait(30)
                sock.settimeout(5)
                return ctx.wrap_socket(sock, server_side=True), addr

            def handle_error(self, request, client_address):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path, host="localhost", scheme="https"):
        return "%s://%s:%d%s" % (scheme, host, self.port, path)

    def hold(self):
        self.gate.clear()

    def release(self):
        self.gate.set()

    def seen(self):
        """(connections, posts) so far."""
        with self.lock:
            return self.connections, list(self.posts)

    def stop(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()


def slash(pool, port, user, url, token=HOOK):
    """A slash command from USER with the response_url URL, in POOL: the
    future of post()'s (status, answer)."""
    return pool.submit(post, port, {"token": token, "team_id": "T1", "channel_id": "C15",
                                    "user_id": user, "user_name": user.lower(),
                                    "command": "/advisor", "text": "what is kpo",
                                    "api_app_id": "A1", "response_url": url})


def late(fa, b, pool, user, url):
    """A slash command whose reply comes after the bridge's timeout: the
    person's (status, answer), and the frame advisord (FA) had."""
    fut = slash(pool, b.port, user, url)
    frame = fa.frame()
    s, r = fut.result(timeout=15)
    fa.reply(frame, "late *answer* for " + user, options=("late-a", "late-b"))
    return s, r, frame


def late_answers(res, tmp):
    """An answer advisord gives after the timeout goes to the request's
    response_url (it was dropped, and the person had been told to ask
    again): once, with the answer the chat would have had, over HTTPS
    verified against the CA set; never to a host not in
    response_url_hosts, nor over http://, nor for a request that was not
    authenticated, nor after a redirect.  A stand-in advisord holds each
    reply until the bridge has answered the person."""
    urls = ResponseUrls(tmp)

    def ask(pool, user, url, token=HOOK):
        return slash(pool, b.port, user, url, token)

    try:
        with StandIn(res, tmp, "bridge15", "--timeout", "300", "--response-url-hosts",
                     "localhost, chat.example.org", "--response-url-ca", urls.ca) as (fa, b, pool):
            # answered in time: the chat has it, nothing is posted
            fut = ask(pool, "U151", urls.url("/in-time"))
            fa.reply(fa.frame(), "in time")
            s, r = fut.result(timeout=15)
            res.check("response_url: an answer in time is the reply",
                      s == 200 and r.get("text") == "in time", (s, r))
            # a host not in the list, http://, a request not authenticated
            s, r, _ = late(fa, b, pool, "U152", urls.url("/not-listed", host="127.0.0.1"))
            res.check("response_url: a host not in the list is not taken",
                      "taking too long" in r.get("text", "") and
                      until(lambda: "request b2: its response_url is not used: 127.0.0.1 is "
                            "not in response_url_hosts" in b.text() and
                            "answer for b2 came after its request was gone" in b.text()),
                      (s, r, b.text()[-500:]))
            s, r, _ = late(fa, b, pool, "U153", urls.url("/plain", scheme="http"))
            res.check("response_url: http:// is not taken",
                      "taking too long" in r.get("text", "") and
                      until(lambda: "request b3: its response_url is not used: not https"
                            in b.text() and
                            "answer for b3 came after its request was gone" in b.text()),
                      (s, r, b.text()[-500:]))
            s, r = ask(pool, "U154", urls.url("/forged"), token="forged").result(timeout=15)
            res.check("response_url: a request not authenticated is refused", s == 403, (s, r))
            # late, with a listed host: the person is told it follows,
            # and it does, once, as the chat would have shown it
            s, r, frame = late(fa, b, pool, "U155", urls.url("/late/U155?x=1"))
            res.check("response_url: the person is told the answer follows",
                      s == 200 and "the answer will follow" in r.get("text", ""), (s, r))
            ok = until(lambda: "request b4: its late answer went to localhost (HTTP 200)"
                       in b.text(), timeout=15)
            n, posts = urls.seen()
            res.check("response_url: the late answer arrives there once, the only post",
                      ok and [(p, c) for p, c, _ in posts] == [("/late/U155?x=1",
                                                               "application/json")],
                      (posts, b.text()[-600:]))
            res.check("response_url: ... with the answer the chat would have had",
                      posts[-1:] and posts[-1][2] == {
                          "text": "late *answer* for U155\n\n1. late-a\n2. late-b"}, posts)
            res.check("response_url: ... its Host: with the port", urls.hosts[:1] ==
                      ["localhost:%d" % urls.port], urls.hosts)
            res.check("response_url: nothing else was ever contacted (no host not listed, "
                      "no http://, no unauthenticated request's URL)", n == 1, (n, posts))
            # its options are the person's now: they saw them
            fut = pool.submit(say, b.port, "U155", "C15", "2")
            frame = fa.frame()
            fa.reply(frame, "picked")
            fut.result(timeout=15)
            res.check("response_url: a '2' after it picks the late answer's option",
                      frame.get("type") == "choose" and frame.get("option") == "late-b", frame)
            # advisord answers the same request again: not posted again
            fa.reply({"conversation": "T1:C15:U155", "id": "b4"}, "twice")
            ok = until(lambda: "answer for b4 came after its request was gone" in b.text())
            # a redirect is the server's answer, not followed
            s, r, _ = late(fa, b, pool, "U156", urls.url("/redirect"))
            ok = ok and until(lambda: "request b6: localhost answered the late answer with "
                              "HTTP 302 (a redirect, not followed)" in b.text(), timeout=15)
            n, posts = urls.seen()
            res.check("response_url: a second answer is not posted; a redirect not followed",
                      ok and [p for p, _, _ in posts] == ["/late/U155?x=1", "/redirect"] and
                      n == 2, (n, posts, b.text()[-600:]))
            # every slash command of a chat not listed carries its URL:
            # one warning a host, not one a request
            late(fa, b, pool, "U157", urls.url("/not-listed-2", host="127.0.0.1"))
            ok = until(lambda: "answer for b7 came after its request was gone" in b.text())
            res.check("response_url: a host not in the list is warned about once, with what "
                      "to do", ok and b.text().count("is not in response_url_hosts") == 1 and
                      "127.0.0.1 is not in response_url_hosts (said once a host; add it there "
                      "for its late answers)" in b.text(), b.text()[-600:])
        # the server's certificate is verified: one of another CA is
        # refused, and so is one that does not name the host posted to
        for name, ca, host, why in (("a certificate of another CA", urls.other_ca, "localhost",
                                     "unable to get local issuer certificate"),
                                    ("a certificate for another name", urls.ca, "127.0.0.1",
                                     "IP address mismatch")):
            with StandIn(res, tmp, "bridge16", "--timeout", "300", "--response-url-hosts",
                         host, "--response-url-ca", ca) as (fa, b, pool):
                late(fa, b, pool, "U161", urls.url("/unverified", host=host))
                ok = until(lambda: "request b1: cannot post its late answer to %s:" % host
                           in b.text(), timeout=15)
                n, posts = urls.seen()
                res.check("response_url: %s is refused" % name,
                          ok and why in b.text() and
                          "/unverified" not in [p for p, _, _ in posts], (posts,
                                                                          b.text()[-600:]))
    finally:
        urls.stop()


def advisor_lookup(res, d, tmp):
    """advisord's host name is looked up off the bridge's loop too (it was
    looked up by libwebsockets on the loop, at the start and at every
    retry: a dead DNS server held every request): while its lookup hangs
    (hook_resolve.so holds hang.test) the bridge answers /healthz and a
    request, saying advisord is away, and gives the lookup up after 5 s,
    while it still hangs.  A name that resolves, localhost, connects."""
    hook = os.path.join(ROOT, BUILD, "tests", "bridge", "hook_resolve.so")
    go = os.path.join(tmp, "advisor-lookup-go")
    token = os.path.join(tmp, "bridge.token")
    env = dict(os.environ, LD_PRELOAD=hook, HOOK_RESOLVE_HANG="hang.test",
               HOOK_RESOLVE_GO=go,
               ASAN_OPTIONS="verify_asan_link_order=0:" + os.environ.get("ASAN_OPTIONS", ""))
    url = "ws://hang.test:%d/ws" % d.port
    b = Bridge(tmp, "bridge18", d.port, token, "--advisor", url, env=env)
    try:
        hung = until(lambda: "hook: looking up hang.test hangs" in b.text(), timeout=15)
        h = healthz(b.port)
        res.check("advisord's lookup hangs: the bridge answers /healthz, advisord away",
                  hung and h.get("advisor") == "away", (h, b.text()[-600:]))
        s, r = say(b.port, "U181", "C18", "what is kpo")
        res.check("advisord's lookup hangs: a request is answered",
                  s == 200 and isinstance(r, dict) and r.get("text"), (s, r))
        gave_up = until(lambda: "cannot connect to advisord at %s: its name was not found "
                        "within 5 s" % url in b.text(), timeout=15)
        res.check("advisord's lookup hangs: given up after 5 s, while it still hangs",
                  gave_up and "hook: the lookup of hang.test ends" not in b.text(),
                  b.text()[-600:])
    finally:
        open(go, "w").close()
        b.stop()
    b = Bridge(tmp, "bridge19", d.port, token, "--advisor", "ws://localhost:%d/ws" % d.port)
    try:
        res.check("advisord by name: the bridge connects to localhost",
                  wait_connected(b.port), b.text()[-600:])
        s, r = say(b.port, "U191", "C19", "what is kpo")
        res.check("advisord by name: a request is relayed",
                  s == 200 and isinstance(r, dict) and
                  "knowledge process outsourcing" in r.get("text", "").lower(),
                  (s, r))
    finally:
        b.stop()


def late_lookups(res, tmp):
    """A response_url's host name is looked up off the bridge's loop: while
    its lookup hangs (a dead DNS server: hook_resolve.so, put first with
    LD_PRELOAD, holds getaddrinfo for hang.test) the other conversations
    are relayed, and so is a late answer to another host; the lookup is
    given up after 5 s, and nothing is ever posted for it.  The connection
    goes to the address found, and the certificate is checked for the
    name: alias.test, at 127.0.0.1 like localhost, is refused (the
    certificate names localhost only), localhost is taken."""
    urls = ResponseUrls(tmp)
    hook = os.path.join(ROOT, BUILD, "tests", "bridge", "hook_resolve.so")
    go = os.path.join(tmp, "lookups-go")
    env = dict(os.environ, LD_PRELOAD=hook, HOOK_RESOLVE_HANG="hang.test",
               HOOK_RESOLVE_GO=go, HOOK_RESOLVE_AS="alias.test=127.0.0.1",
               ASAN_OPTIONS="verify_asan_link_order=0:" + os.environ.get("ASAN_OPTIONS", ""))
    try:
        with StandIn(res, tmp, "bridge17", "--timeout", "300", "--response-url-hosts",
                     "localhost hang.test alias.test", "--response-url-ca", urls.ca,
                     env=env) as (fa, b, pool):
            s, r, _ = late(fa, b, pool, "U171", urls.url("/hung", host="hang.test"))
            hung = until(lambda: "hook: looking up hang.test hangs" in b.text(), timeout=15)
            # another person's conversation, while the lookup hangs
            fut = pool.submit(say, b.port, "U172", "C17", "what is kpo")
            try:
                frame = fa.frame()
            except Exception:
                frame = {}
            if frame:
                fa.reply(frame, "relayed for U172")
            try:
                s, r = fut.result(timeout=15)
            except Exception as e:
                s, r = None, repr(e)
            still = "hook: the lookup of hang.test ends" not in b.text()
            ok = hung and still and s == 200 and r.get("text") == "relayed for U172"
            res.check("response_url lookup hangs: another conversation is relayed meanwhile",
                      ok, (hung, still, s, r, b.text()[-600:]))
            if not ok:
                return
            gave_up = "request b1: cannot post its late answer to hang.test: its name was " \
                      "not found within 5 s; given up"
            ok = until(lambda: gave_up in b.text(), timeout=15)
            res.check("response_url lookup hangs: given up after 5 s, while it still hangs",
                      ok and "hook: the lookup of hang.test ends" not in b.text(),
                      b.text()[-600:])
            # a late answer to another host, with one lookup thread stuck
            late(fa, b, pool, "U173", urls.url("/after-hang"))
            ok = until(lambda: "request b3: its late answer went to localhost (HTTP 200)"
                       in b.text(), timeout=15)
            _, posts = urls.seen()
            res.check("response_url lookup hangs: a late answer to another host goes",
                      ok and [p for p, _, _ in posts] == ["/after-hang"], (posts,
                                                                          b.text()[-600:]))
            # posted to the address, its certificate checked for the name
            late(fa, b, pool, "U174", urls.url("/alias", host="alias.test"))
            ok = until(lambda: "request b4: cannot post its late answer to alias.test:"
                       in b.text(), timeout=15)
            _, posts = urls.seen()
            res.check("response_url: a name at the server's address but not in its "
                      "certificate is refused (the name is checked, not the address)",
                      ok and "hostname mismatch" in b.text() and
                      "/alias" not in [p for p, _, _ in posts], (posts, b.text()[-600:]))
            with open(go, "w"):
                pass
            ok = until(lambda: "hook: the lookup of hang.test ends" in b.text(), timeout=15)
            # a later answer is not taken for the one given up
            late(fa, b, pool, "U175", urls.url("/last"))
            ok = ok and until(lambda: "request b5: its late answer went to localhost" in
                              b.text(), timeout=15)
            n, posts = urls.seen()
            res.check("response_url lookup hangs: once it ends nothing is posted for it",
                      ok and [p for p, _, _ in posts] == ["/after-hang", "/last"],
                      (posts, b.text()[-600:]))
    finally:
        with open(go, "w"):
            pass
        urls.stop()


def late_at_stop(res, tmp):
    """A stop waits for the late answers being posted (it left at once,
    the post lost): one that gets through within the stop's 3 s is
    posted; one that does not is given up then, and said so.  The chat's
    server holds the connection before its TLS handshake."""
    urls = ResponseUrls(tmp)
    try:
        for through in (True, False):
            with StandIn(res, tmp, "bridge18", "--timeout", "300", "--response-url-hosts",
                         "localhost", "--response-url-ca", urls.ca) as (fa, b, pool):
                urls.hold()
                before, _ = urls.seen()
                late(fa, b, pool, "U181", urls.url("/at-stop"))
                ok = until(lambda: urls.seen()[0] > before, timeout=15)
                b.proc.terminate()
                ok = ok and until(lambda: "stopping; waiting up to" in b.text() and
                                  "for 1 late answer being posted" in b.text())
                if through:
                    urls.release()
                try:
                    rc = b.proc.wait(15)
                except subprocess.TimeoutExpired:
                    rc = None
                urls.release()
                _, posts = urls.seen()
                if through:
                    res.check("SIGTERM: a late answer being posted is waited for, and goes",
                              ok and rc == 0 and [p for p, _, _ in posts] == ["/at-stop"] and
                              "request b1: its late answer went to localhost (HTTP 200)" in
                              b.text(), (ok, rc, posts, b.text()[-600:]))
                else:
                    res.check("SIGTERM: a late answer not posted within 3 s is given up, "
                              "and said",
                              ok and rc == 0 and [p for p, _, _ in posts] == ["/at-stop"] and
                              "request b1: its late answer to localhost is not posted: the "
                              "bridge stopped while it was being posted" in b.text() and
                              "stopped with 1 late answer not posted" in b.text(),
                              (ok, rc, posts, b.text()[-600:]))
    finally:
        urls.stop()


def activation(res, d, tmp):
    """The listening socket from systemd (advisor-bridge.socket): a request
    that comes while the bridge restarts waits in the socket's queue and
    is answered by the next bridge (it was refused: nothing listened).
    The test holds the socket, as systemd does, and passes it the way
    systemd does (fd 3, LISTEN_FDS, LISTEN_PID)."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    port = ls.getsockname()[1]
    logpath = os.path.join(tmp, "bridge15.log")

    def start():
        log = open(logpath, "ab")
        # --listen names the socket's own port: a bridge that ignored the
        # socket would fail to bind it
        p = subprocess.Popen(
            ["sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"',
             os.path.join(ROOT, BUILD, "advisor-bridge"), "--listen", "127.0.0.1:%d" % port,
             "--advisor", "ws://127.0.0.1:%d/ws" % d.port,
             "--token-file", os.path.join(tmp, "bridge.token"), "--webhook-token", HOOK,
             "--log-level", "info"], stdout=log, stderr=log,
            # the socket as fd 3, kept open through the exec
            pass_fds=[3], preexec_fn=lambda: os.dup2(ls.fileno(), 3))
        log.close()
        return p

    def text():
        return open(logpath, errors="replace").read()
    b = start()
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        res.check("socket from systemd: the bridge serves it",
                  wait_connected(port) and "listening on the socket systemd passed" in text(),
                  text()[-400:])
        s, r = say(port, "U15", "C15", "what is kpo")
        res.check("socket from systemd: answered", s == 200 and "Knowledge" in r.get("text", ""),
                  (s, r))
        b.terminate()
        rc = b.wait(10)
        fut = pool.submit(say, port, "U15", "C15", "what is bpo")
        # it is in the socket's queue, with nobody to accept it yet
        time.sleep(0.3)
        res.check("socket from systemd: a request between two bridges waits",
                  rc == 0 and not fut.done(), (rc, fut.done()))
        b = start()
        s, r = fut.result(timeout=15)
        res.check("socket from systemd: ... and the next bridge answers it",
                  s == 200 and "Business Process" in r.get("text", ""), (s, r, text()[-400:]))
    finally:
        pool.shutdown(wait=False)
        b.terminate()
        b.wait(10)
        ls.close()


def burst(res, d, bport):
    """300 people post at once: advisord answers each of them, and keeps
    the bridge's connection (it dropped it with "output queue full")."""
    pool = ThreadPoolExecutor(max_workers=300)
    got = list(pool.map(lambda i: say(bport, "B%03d" % i, "C%d" % (i % 10), "what is kpo"),
                        range(300)))
    pool.shutdown()
    res.check("300 at once: every one answered by advisord",
              all(s == 200 and "Knowledge Process" in r.get("text", "") for s, r in got),
              [r for s, r in got if "Knowledge" not in r.get("text", "")][:2])
    res.check("300 at once: advisord kept the bridge's connection",
              "output queue full" not in d.logtext(), d.logtext()[-300:])


def long_messages(res, d, bport):
    """A long message gets "too long" from whichever side finds it so, never
    400 Malformed; one whose frame would pass advisord's 16 KiB (3,000
    control characters are 18,000 bytes escaped) is answered by the bridge,
    not sent to close everybody's WebSocket with 1009."""
    too_long = "That message is too long for me; could you make it shorter?"
    for what, text in (("3,000 control characters", "\x01" * 3000),
                       ("5,000 letters (advisord's too_large)", "a" * 5000),
                       ("9,000 letters (past the bridge's 8 KiB)", "a" * 9000)):
        s, r = say(bport, "L01", "C8", text)
        res.check("long message, %s: 200, too long" % what,
                  s == 200 and r.get("text") == too_long, (s, str(r)[:200]))
    s, r = say(bport, "L02", "C8", "\u4e2d" * 1900)
    res.check("1,900 CJK characters (5,700 bytes, 17,100 %-encoded) reach advisord",
              s == 200 and isinstance(r, dict) and "Sorry, I did not catch" in r.get("text", ""),
              (s, str(r)[:200]))
    res.check("no long message closed the bridge's WebSocket (1009)",
              "1009" not in d.logtext() and wait_connected(bport), d.logtext()[-400:])


def late_signals(res, d, tmp):
    """The context is freed with SIGTERM, SIGINT and SIGHUP blocked, so that
    on_signal cannot reach it: a stand-in for lws_context_destroy (put first
    with LD_PRELOAD) looks at the signal mask, and raises a SIGHUP too."""
    hook = os.path.join(ROOT, BUILD, "tests", "bridge", "hook_destroy.so")
    # a sanitizer build wants its runtime first in the list, not the hook
    env = dict(os.environ, LD_PRELOAD=hook, ASAN_OPTIONS="verify_asan_link_order=0:" +
               os.environ.get("ASAN_OPTIONS", ""))
    b = Bridge(tmp, "bridge11", d.port, os.path.join(tmp, "bridge.token"), env=env)
    res.check("bridge11 (with the hook) connects", wait_connected(b.port), b.text()[-300:])
    rc = b.stop()
    res.check("the context is freed with the signals blocked; exit 0",
              "hook: the context is freed with the signals blocked" in b.text() and rc == 0,
              (rc, b.text()[-300:]))


def users():
    """50 users in 10 channels: (user id, channel id)."""
    return [("U%02d" % i, "C%d" % (i % 10)) for i in range(50)]


def run(res, d, bport, tok):
    pool = ThreadPoolExecutor(max_workers=50)
    us = users()

    # round 1, all at once: even users ask about KPO, odd users say hello
    first = list(pool.map(lambda u: say(bport, u[0], u[1],
                 "what is kpo" if int(u[0][1:]) % 2 == 0 else "hello"), us))
    ok_kpo = all(s == 200 and "Knowledge Process" in r["text"]
                 for (s, r), u in zip(first, us) if int(u[0][1:]) % 2 == 0)
    ok_hello = all(s == 200 and "Hello" in r["text"] and "\n1. " in r["text"]
                   for (s, r), u in zip(first, us) if int(u[0][1:]) % 2 == 1)
    res.check("25 users asking 'what is kpo' get the KPO answer", ok_kpo,
              str(first[:2]))
    res.check("25 users saying hello get the welcome as a numbered list", ok_hello,
              str(first[1:2]))

    # round 2: everybody answers "1"; what that picks depends on their own
    # conversation's last options
    second = list(pool.map(lambda u: say(bport, u[0], u[1], "1"), us))
    kpo_more = {r["text"] for (s, r), u in zip(second, us) if int(u[0][1:]) % 2 == 0}
    bpo_def = {r["text"] for (s, r), u in zip(second, us) if int(u[0][1:]) % 2 == 1}
    res.check("'1' after the KPO answer goes deeper into KPO, for all 25",
              len(kpo_more) == 1 and all(s == 200 for s, _ in second) and
              "Business Process" not in next(iter(kpo_more)).split("\n")[0],
              str(kpo_more)[:300])
    res.check("'1' after the welcome answers 'What is BPO?', for all 25",
              len(bpo_def) == 1 and "Business Process" in next(iter(bpo_def)),
              str(bpo_def)[:300])
    res.check("users at different steps get different replies", kpo_more != bpo_def)

    # the same user id in another channel or team is another conversation
    s, r = say(bport, "U01", "C9", "2")
    res.check("same user in another channel: '2' is not an option there",
              s == 200 and "Knowledge Process" not in r.get("text", ""), str(r)[:200])

    # ids a custom integration may send: "ann lee" is not "ann_lee", and a
    # ':' in a channel does not make ("C8:x", "U") the same as ("C8", "x:U")
    for first, second in ((("ann lee", "C8"), ("ann_lee", "C8")),
                          (("U1", "C8:x"), ("x:U1", "C8"))):
        say(bport, first[0], first[1], "what is kpo")
        _, other = say(bport, second[0], second[1], "1")
        _, own = say(bport, first[0], first[1], "1")
        res.check("%r in %r and %r in %r are two conversations" % (first + second),
                  "text" in own and other.get("text") != own.get("text"), (own, other))

    # refusals
    s, _ = post(bport, {"token": "wrong", "team_id": "T1", "channel_id": "C1",
                        "user_id": "U01", "text": "hi"})
    res.check("wrong webhook token refused", s in (401, 403), s)
    s, _ = post(bport, {"team_id": "T1", "channel_id": "C1", "user_id": "U01", "text": "hi"})
    res.check("no token at all refused", s in (401, 403), s)
    body = urllib.parse.urlencode({"team_id": "T2", "channel_id": "C1", "user_id": "S1",
                                   "user_name": "sig", "text": "what is kpo"})
    ts = str(int(time.time()))

    def sign(t, b, secret=SECRET):
        return "v0=" + hmac.new(secret.encode(), ("v0:%s:%s" % (t, b)).encode(),
                                hashlib.sha256).hexdigest()
    s, r = post(bport, body=body, headers={"X-Slack-Request-Timestamp": ts,
                                           "X-Slack-Signature": sign(ts, body)})
    res.check("Slack signed request accepted", s == 200 and "Knowledge" in r["text"], (s, r))
    s, _ = post(bport, body=body, headers={"X-Slack-Request-Timestamp": ts,
                                           "X-Slack-Signature": sign(ts, body, "nope")})
    res.check("bad Slack signature refused", s in (401, 403), s)
    old = str(int(time.time()) - 600)
    s, _ = post(bport, body=body, headers={"X-Slack-Request-Timestamp": old,
                                           "X-Slack-Signature": sign(old, body)})
    res.check("stale Slack signature refused", s in (401, 403), s)
    s, _ = post(bport, body=body + "x", headers={"X-Slack-Request-Timestamp": ts,
                                                 "X-Slack-Signature": sign(ts, body)})
    res.check("tampered body refused", s in (401, 403), s)
    # Slack checks the URL's certificate with a token and ssl_check=1
    s, r = post(bport, {"ssl_check": "1", "token": HOOK})
    res.check("Slack's ssl_check=1 gets 200", s == 200, (s, r))
    s, _ = post(bport, {"ssl_check": "1", "token": "wrong"})
    res.check("... with the token checked", s == 403, s)
    s, _ = post(bport, body="token=%s&user_id=U1&text=%%zz" % HOOK)
    res.check("malformed form refused with 400", s == 400, s)
    s, _ = post(bport, body="{not json", ctype="application/json")
    res.check("malformed JSON refused with 400", s == 400, s)
    s, _ = post(bport, body="token=%s&user_id=U1&text=%s" % (HOOK, "a" * 70000))
    res.check("oversized body refused with 413", s == 413, s)
    mm = json.dumps({"token": HOOK, "team_id": "mm", "channel_id": "town",
                     "user_id": "m1", "user_name": "mia", "trigger_word": "advisor",
                     "text": "advisor what is kpo"})
    s, r = post(bport, body=mm, ctype="application/json")
    res.check("Mattermost JSON webhook answered", s == 200 and "Knowledge" in r.get("text", ""),
              (s, r))
    # an outgoing webhook's answer goes into the channel, for everyone:
    # it names whom it answers (it did not, and with two people at once
    # nobody could tell whose options were whose)
    res.check("outgoing webhook: the answer names its person",
              r.get("text", "").startswith("@mia *Knowledge"), r)
    both = ThreadPoolExecutor(max_workers=2)
    got = list(both.map(lambda u: post(bport, {"token": HOOK, "team_id": "mm",
                                               "channel_id": "shared", "user_id": u,
                                               "user_name": u, "trigger_word": "advisor",
                                               "text": "advisor what is bpo"}),
                        ("ann", "bob")))
    both.shutdown()
    res.check("outgoing webhook: two at once in a channel, each answer named",
              [r.get("text", "")[:5] for _, r in got] == ["@ann ", "@bob "], got)
    s, r = post(bport, {"token": HOOK, "team_id": "mm", "channel_id": "shared",
                        "user_id": "ann", "user_name": "ann", "trigger_word": "advisor",
                        "text": "advisor 9"})
    res.check("outgoing webhook: the bridge's own answers are named too",
              r.get("text", "").startswith("@ann Pick a number"), (s, r))
    _, r = say(bport, "X01", "CX", "what is kpo")   # not one of users()
    res.check("a request that is no outgoing webhook is not named",
              r.get("text", "").startswith("*Knowledge"), r)
    try:
        urllib.request.urlopen("http://127.0.0.1:%d/nope" % bport, timeout=5)
        s = 200
    except urllib.error.HTTPError as e:
        s = e.code
    res.check("GET of anything but /healthz is 404", s == 404, s)
    # a number that is none of the options on screen gets told which are
    s, r = say(bport, "U00", "C0", "what is kpo")
    n = len([ln for ln in r.get("text", "").split("\n\n")[-1].split("\n") if ln.split(". ")[0].isdigit()])
    s, r = say(bport, "U00", "C0", "9")
    res.check("out-of-range number: which numbers there are",
              s == 200 and r.get("text") == "Pick a number from 1 to %d, or type your question." % n, (s, r, n))
    s, r = say(bport, "U00", "C0", "2")
    res.check("after it the options still stand", s == 200 and "Pick a number" not in r.get("text", ""), r)
    s, r = say(bport, "U00", "C0", "   ")
    res.check("empty text gets a hint, not a relay", s == 200 and "KPO" in r.get("text", ""),
              (s, r))
    res.check("bridge still serves after bad input", say(bport, "U00", "C0", "what is kpo")[0] == 200)

    long_messages(res, d, bport)
    burst(res, d, bport)

    # advisord: a wrong bridge token is refused at the upgrade
    c = Client(d.port, token="0" * 64)
    res.check("wrong bearer token refused by advisord (401)", c.status == 401, c.status)
    c.close()

    # an anonymous client keeps one conversation
    c = Client(d.port)
    r1 = c.ask({"type": "message", "text": "what is kpo", "conversation": "a1"})
    r2 = c.ask({"type": "message", "text": "what is bpo", "conversation": "a2"})
    c.close()
    res.check("anonymous client: first conversation answered", r1.get("type") == "reply", r1)
    res.check("anonymous client: second conversation -> too_many_conversations",
              r2.get("type") == "error" and r2.get("code") == "too_many_conversations", r2)

    # advisord goes away: waiting requests get a friendly answer
    d.stop()
    wait_connected(bport, want=False, limit=5)
    s, r = say(bport, "U03", "C3", "what is kpo")
    res.check("advisord away: friendly answer after the timeout",
              s == 200 and "not reachable" in r.get("text", ""), (s, r))

    # advisord back on the same port and database: conversations carry on
    d.start()
    res.check("bridge reconnects after advisord restarts", wait_connected(bport))
    third = list(pool.map(lambda u: say(bport, u[0], u[1], "2"), us))
    after = {r["text"].split("\n")[0] for (s, r), u in zip(third, us) if int(u[0][1:]) % 2 == 1}
    res.check("after the restart all 50 are answered",
              all(s == 200 and "not reachable" not in r["text"] for s, r in third),
              str(third[:2])[:300])
    res.check("after the restart '2' still picks from each conversation's options",
              len(after) == 1 and "Hello" not in next(iter(after)) and
              "no longer open" not in next(iter(after)) and
              "went wrong" not in next(iter(after)), str(after)[:300])
    print("     after the restart: %s" % next(iter(after))[:100])
    pool.shutdown()


if __name__ == "__main__":
    sys.exit(main())
