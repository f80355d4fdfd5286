"""test_reliability.py: WebSocket conformance, hostile input and faults.

Reproduces the case categories of the usual WebSocket conformance suite
with raw frames, then throws hostile input at the daemon, and after every
case checks that a fresh visitor is still served.  docs/reliability.md
lists every case and its expected outcome.
"""
import hashlib
import json
import shutil
import os
import re
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsclient import (BUILD, ROOT, Client, Closed, Daemon, Results, free_port,  # noqa: E402
                      http_exchange, tempdir, until)

R = Results("reliability")


def expect_close(d, what, code, *frames, **kw):
    """CODE may be a tuple of acceptable outcomes; None means the server
    dropped the connection without a close frame."""
    c = d.client(**kw)
    for f in frames:
        c.raw(f)
    got = c.close_code()
    c.close()
    want = code if isinstance(code, tuple) else (code,)
    R.check("%s closes with %s" % (what, "/".join(map(str, want))), got in want, "got %r" % (got,))
    R.check("%s: others still served" % what, d.alive())


def conformance(d):
    F = Client.frame
    # framing
    c = d.client()
    r = c.ask({"type": "ping", "id": "a"})
    R.check("masked text frame answered", r == {"type": "pong", "in_reply_to": "a"}, r)
    c.send('{"type":"ping","id":"u"}', mask=False)
    r = c.recv()
    R.check("unmasked client frame accepted (libwebsockets 4.1.6 deviation)",
            r.get("in_reply_to") == "u", r)
    big = '{"type":"ping","id":"%s"}' % ("x" * 100)
    c.send('{"type":"message","text":"%s"}' % ("k" * 300))
    R.check("16-bit length frame", c.recv().get("type") == "reply")
    c.close()
    # ping and pong
    c = d.client()
    c.send(b"hello", opcode=9)
    op, data = c.recv_frame()
    R.check("ping answered by pong with the same payload", (op, data) == (10, b"hello"), (op, data))
    c.send(b"", opcode=10)   # unsolicited pong is ignored
    R.check("unsolicited pong ignored", c.ask({"type": "ping"})["type"] == "pong")
    c.close()
    # libwebsockets 4.1.6 drops this one without a close frame
    expect_close(d, "ping payload over 125 bytes", (1002, None), F(b"p" * 126, opcode=9))
    # reserved bits and opcodes
    expect_close(d, "RSV1 without an extension", 1002, F(big, rsv=4))
    expect_close(d, "reserved data opcode 3", 1002, F(big, opcode=3))
    expect_close(d, "reserved control opcode 11", 1002, F(b"", opcode=11))
    expect_close(d, "binary frame", 1003, F(b"\x00\x01", opcode=2))
    # fragmentation
    c = d.client()
    c.raw(F('{"type":"pi', fin=False) + F('ng","id', opcode=0, fin=False) +
          F(b"", opcode=9) + F('":"f"}', opcode=0))
    op, _ = c.recv_frame()
    r = c.recv()
    R.check("fragmented message with a ping in between", op == 10 and r.get("in_reply_to") == "f", (op, r))
    c.close()
    expect_close(d, "continuation without a start", 1002, F("x", opcode=0))
    expect_close(d, "fragmented control frame", 1002, F(b"p", opcode=9, fin=False))
    expect_close(d, "new message inside a fragmented one", 1002,
                 F('{"type":', fin=False), F('"ping"}'))
    # UTF-8
    expect_close(d, "invalid UTF-8", 1007, F(b'{"type":"message","text":"\xc3\x28"}'))
    # libwebsockets 4.1.6's own check (VALIDATE_UTF8) went on checking
    # the rest of a frame longer than one 4,096-byte read after queueing
    # its 1007, and a second failure dropped the connection without it
    for n in (4088, 4089, 16000):
        expect_close(d, "a text frame of %d bytes of \\xff" % n, 1007, F(b"\xff" * n))
    expect_close(d, "invalid UTF-8 after the first 4,096 bytes", 1007, F(b"a" * 5000 + b"\xff"))
    expect_close(d, "a text message ending inside a character", 1007, F(b'{"type":"ping"}\xc3'))
    expect_close(d, "invalid UTF-8 split over fragments", 1007,
                 F(b'{"type":"message","text":"\xe2\x82', fin=False), F(b'\x28"}', opcode=0))
    c = d.client()
    c.raw(F('{"type":"message","text":"caf\xc3'.encode("latin-1"), fin=False) +
          F(b'\xa9 kpo"}', opcode=0))
    R.check("valid UTF-8 split inside a character", c.recv().get("type") == "reply")
    c.close()
    # close handling
    c = d.client()
    c.send(struct.pack(">H", 1000) + b"bye", opcode=8)
    R.check("client close 1000 echoed", c.close_code() == 1000)
    c.close()
    expect_close(d, "close with invalid code 999", 1002, F(struct.pack(">H", 999), opcode=8))
    # limits
    expect_close(d, "message over 16 KiB", 1009, F("x" * 17000))
    # the client is still sending when the daemon closes, so the kernel may
    # reset the connection before the close frame is read: either is fine,
    # what matters is a prompt close without buffering a gigabyte
    # (the tail is masked with the frame's own key, so that it unmasks to
    # text: raw bytes unmasked to whatever the random key made of them,
    # and a close for bad UTF-8 (1007) now and then came first)
    head = F(b"x" * 1024, length=1 << 30)[:14]
    tail = bytes(b ^ head[10 + i % 4] for i, b in enumerate(b"x" * 16385))
    expect_close(d, "a frame declaring 1 GiB", (1009, None), head + tail)
    ones = b"".join(F(b"a", opcode=0 if i else 1, fin=False) for i in range(16385))
    expect_close(d, "flood of one-byte fragments", (1009, None), ones)


def hostile(d):
    c = d.client()
    for name, frame, code in [
        ("invalid JSON", "{", "invalid_json"),
        ("nesting deeper than 1000", "[" * 1100 + "]" * 1100, "invalid_json"),
        ("not an object", "[1,2]", "bad_request"),
        ("wrong type of text", '{"type":"message","text":5}', "bad_request"),
        ("wrong type of type", '{"type":7}', "bad_request"),
        ("unknown type", '{"type":"launch"}', "unknown_type"),
        ("bad conversation id", '{"type":"message","text":"hi","conversation":"a b"}', "bad_request"),
        ("feedback on a foreign message", '{"type":"feedback","message":999999,"helpful":true}', "bad_request"),
        ("text over 2000 characters", '{"type":"message","text":"%s"}' % ("a" * 2001), "too_large"),
    ]:
        c.send(frame)
        r = c.recv()
        R.check("%s gives error %s" % (name, code), r.get("type") == "error" and r.get("code") == code, r)
    # a NUL would cut the text short where it stands: refused, clearly
    r = c.ask({"type": "message", "text": "kpo\u0000 meaning"})
    R.check("NUL in text: bad_request", r.get("type") == "error" and r.get("code") == "bad_request" and
            "u0000" in r.get("message", ""), r)
    r = c.ask({"type": "message", "text": "   "})
    R.check("blank text: bad_request", r.get("type") == "error" and r.get("code") == "bad_request", r)
    r = c.ask({"type": "message", "text": "kpo meaning"})
    R.check("after them the connection still answers", r.get("type") == "reply", r)
    r = c.ask({"type": "start", "resume": "f" * 64})
    R.check("forged resume token refused", r.get("code") == "unknown_resume", r)
    R.check("connection still usable after errors", c.ask({"type": "ping"})["type"] == "pong")
    c.close()
    expect_close(d, "megabyte string", 1009, Client.frame('{"type":"message","text":"%s"}' % ("m" * (1 << 20))))

    # ReDoS-shaped text: every reply still comes back
    c = d.client()
    shapes = ["a" * 1999, "what is " * 249, "kpo " * 499, "b" + "p" * 1990 + "!",
              "difference " * 180, "(" * 1999, "\\" * 1999, "\u00e9" * 1999]
    ok = all(c.ask({"type": "message", "text": s}).get("type") == "reply" for s in shapes)
    R.check("ReDoS-shaped texts all answered", ok)
    c.close()

    # Origin and bridge credentials
    c = d.client(origin="http://evil.example")
    R.check("wrong Origin refused", not c.upgraded, c.status)
    c.close()
    c = d.client(origin="http://127.0.0.1:%d" % d.port)
    R.check("own Origin accepted", c.upgraded)
    c.close()
    c = d.client(host="localhost:%d" % d.port, origin="http://localhost:%d" % d.port)
    R.check("own Origin accepted at localhost", c.upgraded, c.status)
    c.close()
    # DNS rebinding: a page of evil.example, its name then pointed at the
    # daemon's address, sends its own name as Host and as Origin; the two
    # agreed, and it was let in
    rebound = "evil.example:%d" % d.port
    c = d.client(host=rebound, origin="http://" + rebound)
    R.check("a DNS-rebinding page (Host and Origin of its own name) refused with 403",
            c.status == 403, c.status)
    c.close()
    # a host name may be 253 bytes, so a browser sends an Origin longer
    # than the 255 bytes the check reads: that passed as no Origin at all
    long_origin = "https://" + ".".join(["a" * 62] * 4) + ".evil.example"
    c = d.client(origin=long_origin)
    R.check("foreign Origin of %d bytes refused with 403" % len(long_origin),
            c.status == 403, c.status)
    c.close()
    c = d.client(token="t" * 600)
    R.check("bearer token too long to read refused with 401, not served as a visitor",
            c.status == 401, c.status)
    c.close()
    c = d.client(token="not-a-token")
    R.check("wrong bridge token refused", not c.upgraded, c.status)
    c.close()
    c = d.client(path="/elsewhere")
    R.check("WebSocket on another path refused", not c.upgraded, c.status)
    c.close()
    # subprotocols: none or ours among others is served; only others is a
    # 400 (libwebsockets dropped it without an answer)
    for proto, served in (("foo", False), ("advisor.v10", False), ("foo,advisor.v1", True),
                          ("foo, advisor.v1", True), (None, True)):
        c = d.client(proto=proto)
        R.check("subprotocol %r: %s" % (proto, "served" if served else "refused with 400"),
                c.upgraded if served else c.status == 400, c.status)
        c.close()
    # no compression: a small deflated frame cannot unpack to gigabytes
    c = d.client(extra="Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n")
    R.check("permessage-deflate offered: served, and not agreed to",
            c.upgraded and "sec-websocket-extensions" not in c.head, c.head)
    c.close()
    # Upgrade: foo (the CVE-2025-11677 shape) must not hurt the daemon
    s = socket.create_connection(("127.0.0.1", d.port), timeout=3)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: foo\r\nConnection: Upgrade\r\n\r\n")
    try:
        s.recv(4096)
    except OSError:
        pass
    s.close()
    R.check("Upgrade: foo does not hurt the daemon", d.alive())
    # static files: no way out of the web folder
    for path in ["/../daemon/main.c", "/%2e%2e/daemon/main.c", "/..%2fMakefile", "/%2e%2e%2f%2e%2e%2fetc/passwd"]:
        s = socket.create_connection(("127.0.0.1", d.port), timeout=3)
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        data = b""
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
        except OSError:
            pass
        s.close()
        R.check("path %s does not escape" % path,
                b"root:" not in data and b"advisord's entry point" not in data and b"PREFIX" not in data,
                data[:80])
    # the headers docs/widget.md settles on: the page may not be framed
    # (the widget embeds by script tag), nothing is sniffed
    for path in ["/", "/widget.js", "/healthz", "/metrics"]:
        _, head, _ = http_exchange(d.port, path)
        R.check("%s: CSP with frame-ancestors 'none', X-Frame-Options deny, nosniff" % path,
                "content-security-policy:" in head and "frame-ancestors 'none'" in head and
                "script-src 'self'" in head and "x-frame-options: deny" in head and
                "x-content-type-options: nosniff" in head, head[:300])
    # slow-loris handshake: others are served while it dawdles
    s = socket.create_connection(("127.0.0.1", d.port), timeout=3)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\n")
    R.check("slow-loris handshake does not block others", d.alive())
    s.close()


def limits():
    d = Daemon("--max-conns-per-ip", "20", "--rate-limit", "0", "--outq-max", "8")
    try:
        conns = [d.client() for _ in range(20)]
        extra = d.client()
        R.check("connections beyond the per-address cap refused", all(c.upgraded for c in conns) and not extra.upgraded)
        extra.close()
        for c in conns:
            c.close()
        R.check("cap frees up when connections close", until(d.alive))
        # a client that never reads is dropped, not buffered without end
        c = d.client()
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        frame = Client.frame('{"type":"message","text":"%s"}' % ("compare bpo and kpo " * 90))
        dropped = False
        try:
            for _ in range(20000):
                c.raw(frame)
        except OSError:
            dropped = True
        c.close()
        R.check("a client that never reads is dropped",
                until(lambda: dropped or "output queue full" in d.logtext()))
        R.check("others served after the slow client", d.alive())
    finally:
        d.stop()
    d = Daemon("--rate-limit", "2")
    try:
        c = d.client()
        codes = [c.ask({"type": "ping"})["type"] for _ in range(8)]
        R.check("rate limit gives rate_limited errors", "error" in codes and codes[0] == "pong", codes)
        c.close()
    finally:
        d.stop()


def proxied():
    """Behind a proxy every connection comes from its one address: each
    client is counted by the address the proxy names instead."""
    xff = lambda a: "X-Forwarded-For: %s\r\n" % a
    d = Daemon("--trusted-proxies", "10.0.0.9, 127.0.0.1", "--max-conns-per-ip", "3")
    try:
        # the proxy appends the address it saw: the entries before it are
        # the client's own claim and count for nothing
        conns = [d.client(extra=xff("198.51.100.%d, 203.0.113.5" % i)) for i in range(3)]
        extra = d.client(extra=xff("203.0.113.5"))
        R.check("through a trusted proxy, a client over the per-address cap gets 429",
                all(c.upgraded for c in conns) and extra.status == 429, extra.status)
        extra.close()
        others = [d.client(extra=xff("203.0.113.%d" % i)) for i in (6, 7)]
        R.check("through a trusted proxy, other clients are served past the proxy's own cap",
                all(c.upgraded for c in others), [c.status for c in others])
        for c in conns + others:
            c.close()

        def again():
            c = d.client(extra=xff("203.0.113.5"))
            c.close()
            return c.upgraded and c
        c = until(again)
        R.check("the proxied client's count frees up as its connections close", c, c)
        # the page of the proxy's own name: the proxy chose the names it
        # forwards, so a named host's own Origin is let in
        c = d.client(host="advisor.example", origin="https://advisor.example",
                     extra=xff("203.0.113.8"))
        R.check("through a trusted proxy, a named host's own page accepted", c.upgraded, c.status)
        c.close()
    finally:
        d.stop()
    d = Daemon("--max-conns-per-ip", "3")
    try:
        conns = [d.client(extra=xff("203.0.113.%d" % i)) for i in range(4)]
        R.check("X-Forwarded-For from an address not trusted changes nothing",
                [c.upgraded for c in conns] == [True, True, True, False])
        for c in conns:
            c.close()
    finally:
        d.stop()


def proxied_after_reload():
    """A connection accepted before a SIGHUP made its peer a trusted proxy
    and upgraded after it moves its count from the proxy's address to the
    client's; it was counted under both, and the proxy's count was never
    given back (nor its memory freed), one connection fewer for it for as
    long as the daemon ran."""
    xff = "X-Forwarded-For: 203.0.113.5\r\n"
    conf = os.path.join(tempdir("advisord-proxyconf-"), "advisord.conf")

    def reload_to(text, n):
        with open(conf, "w") as f:
            f.write(text)
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline and \
                d.metric("advisord_content_reloads_total") != n:
            time.sleep(0.05)
        return d.metric("advisord_content_reloads_total") == n

    with open(conf, "w") as f:
        f.write("max_conns_per_ip = 2\n")
    d = Daemon("-c", conf)
    try:
        # from an address of its own, which nothing else here comes from
        early = socket.create_connection(("127.0.0.1", d.port), timeout=5,
                                         source_address=("127.0.0.2", 0))
        # accepted (and counted) before the /metrics connection after it
        d.metric("advisord_content_reloads_total")
        R.check("proxy reload: 127.0.0.2 becomes a trusted proxy",
                reload_to("max_conns_per_ip = 2\ntrusted_proxies = 127.0.0.2\n", 1))
        c = d.client(sock=early, extra=xff)
        R.check("proxy reload: the early connection upgrades as the client's",
                c.upgraded, c.status)
        R.check("proxy reload: 127.0.0.2 is no proxy again",
                reload_to("max_conns_per_ip = 2\n", 2))
        # the early one counts under 203.0.113.5 only: 127.0.0.2 has both
        conns = [d.client(source="127.0.0.2") for _ in range(2)]
        R.check("proxy reload: the proxy's own address has its whole cap",
                [x.upgraded for x in conns] == [True, True],
                [x.status for x in conns])
        for x in conns:
            x.close()
        c.close()
    finally:
        d.stop()


def sql_and_strict_crash():
    weird = "'; DROP TABLE messages; -- \" \\ %s _ ` ) ( \u2603"
    token = "t" * 64
    tokens = os.path.join(tempdir("advisord-tok-"), "tokens")
    with open(tokens, "w") as f:
        f.write("chat %s\n" % hashlib.sha256(token.encode()).hexdigest())
    d = Daemon("--durability", "strict", "--rate-limit", "0", "--bridge-tokens", tokens)
    replied = []
    stop = threading.Event()

    def load(n):
        # half visitors, half bridge conversations that name their user
        try:
            bridge = n % 2 == 0
            c = d.client(token=token) if bridge else d.client()
            extra = {"conversation": "c%d" % n, "user": weird} if bridge else {}
            c.ask(dict({"type": "start"}, **extra))
            while not stop.is_set():
                r = c.ask(dict({"type": "message", "text": "what is kpo %d %s" % (n, weird)}, **extra))
                if r.get("type") == "reply":
                    replied.append(r["id"])
        except (Closed, OSError, ValueError):
            pass

    threads = [threading.Thread(target=load, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    d.stop(signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join()
    db = sqlite3.connect(d.db)
    R.check("integrity_check after kill -9", db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    have = set(r[0] for r in db.execute("SELECT id FROM messages WHERE direction = 'out'"))
    missing = [i for i in replied if i not in have]
    R.check("strict mode: every reply sent is in the log (%d replies)" % len(replied),
            len(replied) > 0 and not missing, "%d missing" % len(missing))
    texts = [r[0] for r in db.execute("SELECT text FROM messages WHERE direction = 'in' LIMIT 5")]
    R.check("SQL metacharacters stored verbatim", texts and all(weird in t for t in texts), texts[:1])
    users = [r[0] for r in db.execute("SELECT user FROM conversations WHERE user IS NOT NULL LIMIT 1")]
    R.check("SQL metacharacters in user stored verbatim", users == [weird], users)
    db.close()


def chat(d, n):
    """N question-and-answer rounds on one connection; the replies' ids."""
    c = d.client()
    ids = []
    for i in range(n):
        r = c.ask({"type": "message", "text": "what is kpo, round %d" % i})
        if r.get("type") == "reply":
            ids.append(r["id"])
    c.close()
    return ids


def locked_db():
    d = Daemon("--rate-limit", "0")
    try:
        chat(d, 2)
        time.sleep(0.2)
        other = sqlite3.connect(d.db, timeout=0.1, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        ids = chat(d, 20)
        R.check("chat goes on while another process locks the log", len(ids) == 20, len(ids))
        time.sleep(6.5)   # past the writer's busy timeout: errors counted
        errors = d.metric("advisord_log_write_errors_total")
        R.check("lock shows up as log write errors in /metrics", errors and errors > 0, errors)
        other.execute("COMMIT")
        other.close()
        time.sleep(1.5)   # retries succeed once the lock is gone
        R.check("rows written once the lock is released", d.alive())
        d.stop()
        db = sqlite3.connect(d.db)
        have = set(r[0] for r in db.execute("SELECT id FROM messages"))
        R.check("locked database: every reply logged after all", all(i in have for i in ids),
                [i for i in ids if i not in have][:5])
        R.check("locked database: integrity ok", db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
        db.close()
    finally:
        d.stop(signal.SIGKILL)


def disk_full():
    import resource

    def limit():
        # a small file-size limit stands in for a full disk: writes fail
        # with EFBIG once the database would grow past it
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))

    d = Daemon("--rate-limit", "0", preexec=limit)
    try:
        c = d.client()
        n = 0
        for i in range(600):
            r = c.ask({"type": "message", "text": "compare bpo and kpo %d %s" % (i, "x" * 1500)})
            n += r.get("type") == "reply"
        c.close()
        R.check("disk full: every message still answered", n == 600, n)
        time.sleep(1)
        errors = d.metric("advisord_log_write_errors_total")
        R.check("disk full: write errors shown in /metrics", errors and errors > 0, errors)
        R.check("disk full: others still served", d.alive())
        rc = d.stop()
        R.check("disk full: clean exit", rc == 0, rc)
        db = sqlite3.connect(d.db)
        R.check("disk full: database not corrupted", db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
        db.close()
    finally:
        d.stop(signal.SIGKILL)


def out_of_fds():
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48))

    d = Daemon("--rate-limit", "0", "--max-conns-per-ip", "1000", preexec=limit)
    try:
        conns = []
        for _ in range(60):
            try:
                c = d.client(timeout=1)
                if c.upgraded:
                    conns.append(c)
                else:
                    c.close()
            except OSError:
                pass
        R.check("out of descriptors: some connections refused (%d accepted)" % len(conns), len(conns) < 60)
        ok = all(c.ask({"type": "ping"})["type"] == "pong" for c in conns[:5])
        R.check("out of descriptors: open connections still served", ok)
        for c in conns:
            c.close()
        time.sleep(0.5)
        R.check("out of descriptors: recovers once connections close", d.alive())
    finally:
        d.stop(signal.SIGKILL)


def poll_loop():
    """libwebsockets' own poll loop, the fallback to libev, still serves."""
    d = Daemon("--rate-limit", "0", "--event-loop", "poll")
    try:
        c = d.client()
        r = c.ask({"type": "message", "text": "what is kpo"})
        R.check("poll loop: a question is answered", r.get("type") == "reply" and r.get("intent") == "define_kpo", r)
        R.check("poll loop: ping answered", c.ask({"type": "ping"})["type"] == "pong")
        c.close()
        R.check("poll loop: SIGTERM exits 0", d.stop() == 0)
    finally:
        d.stop(signal.SIGKILL)


def stopping(*args):
    """SIGTERM closes each WebSocket with 1001: a client then knows that
    the daemon went, not the network."""
    d = Daemon("--rate-limit", "0", *args)
    try:
        cs = [d.client() for _ in range(3)]
        for c in cs:
            R.check("stopping%s: a visitor is answered first" % " ".join([""] + list(args)),
                    c.ask({"type": "start"}).get("type") == "reply")
        d.proc.send_signal(signal.SIGTERM)
        codes = [c.close_code() for c in cs]
        for c in cs:
            c.close()
        R.check("stopping%s: every WebSocket is closed with 1001" % " ".join([""] + list(args)),
                codes == [1001] * len(cs), codes)
        R.check("stopping%s: exit 0" % " ".join([""] + list(args)), d.stop() == 0)
    finally:
        d.stop(signal.SIGKILL)


def stopping_frame():
    """A frame that comes while advisord is stopping is not taken in.  It
    was read, logged and answered into a queue that had until the end of
    the flush to leave: one connection busy to the end (a bridge carries
    many people) lost its last questions, logged and never answered.  The
    log is locked here, so that the reply queued before the stop holds the
    connection open through the flush."""
    d = Daemon("--rate-limit", "0", "--durability", "strict", "--log-level", "info")
    other = None
    try:
        c = d.client()
        c.ask({"type": "start"})
        held = d.metric("advisord_replies_held_total")
        other = sqlite3.connect(d.db, timeout=0.1, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        c.send_json({"type": "message", "text": "what is kpo", "id": "m1"})
        R.check("stopping, a frame after: the reply before it waits for the locked log",
                until(lambda: d.metric("advisord_replies_held_total") > held), held)
        d.proc.send_signal(signal.SIGTERM)
        R.check("stopping, a frame after: the stop has begun",
                until(lambda: "stopping: flushing" in d.logtext()), d.logtext())
        c.send_json({"type": "message", "text": "what is bpo", "id": "m2"})
        answered = []
        try:
            while True:
                answered.append(c.recv().get("in_reply_to"))
        except (Closed, OSError):
            pass
        c.close()
        other.execute("COMMIT")
        other.close()
        other = None
        rc = d.stop(timeout=10)
        R.check("stopping, a frame after: exit 0", rc == 0, rc)
        db = sqlite3.connect(d.db)
        taken = db.execute("SELECT count(*) FROM messages WHERE direction = 'in' "
                           "AND text = 'what is bpo'").fetchone()[0]
        db.close()
        R.check("stopping, a frame after: not taken in (not logged)", taken == 0, taken)
        R.check("stopping, a frame after: not answered", "m2" not in answered, answered)
        R.check("stopping, a frame after: the log says it was not read",
                "1 frames that came meanwhile not read" in d.logtext(), d.logtext())
    finally:
        if other is not None:
            other.close()
        d.stop(signal.SIGKILL)


def frames_in(d, kind):
    """advisord_frames_in_total of frames of KIND."""
    _, _, body = http_exchange(d.port, "/metrics")
    m = re.search(r'^advisord_frames_in_total\{type="%s"\} (\d+)$' % kind, body, re.M)
    return int(m.group(1)) if m else 0


def stopping_slow_reader(*args):
    """A visitor that reads too slowly for the stop's one-second flush
    loses the replies still queued for it, but nothing it was answered is
    lost: each reply was logged before it was queued, so the visitor that
    resumes the conversation after the restart finds it in the history.
    Here the client stops reading after the welcome and asks far more
    than the kernel's buffers can carry to a reader that does not read."""
    what = "stopping, a slow reader%s" % " ".join([""] + list(args))
    # about 2 KB a reply: 8 MB, twice what the kernel's buffers hold at
    # the most (tcp_wmem's 4 MB); about 1,900 arrived here
    n = 4000
    d = Daemon("--rate-limit", "0", "--outq-max", str(n + 16), "--log-level", "info",
               *args)
    d2 = None
    try:
        # a small receive window from the handshake on
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", d.port))
        c = d.client(sock=s)
        token = c.ask({"type": "start"}).get("resume")
        R.check("%s: the welcome carries a resume token" % what, bool(token), token)
        asked = "compare bpo and kpo, question %d" % (n - 1)
        for i in range(n):
            c.send_json({"type": "message", "id": "q%d" % i,
                         "text": "compare bpo and kpo, question %d" % i})
        R.check("%s: every question taken in before the stop" % what,
                until(lambda: frames_in(d, "message") >= n, timeout=20))
        t0 = time.monotonic()
        rc = d.stop(timeout=15)
        took = time.monotonic() - t0
        R.check("%s: exit 0" % what, rc == 0, rc)
        # the flush's deadline is a timer of its own: the loop is woken at
        # it, not by the reader, which gives it nothing (the sweep's next
        # second ended the flush, up to two seconds after the SIGTERM)
        R.check("%s: the flush ends at its deadline, not on the reader" % what,
                "the flush's second is over, 1 connection not flushed" in d.logtext()
                and took < 3, (took, d.logtext()[-400:]))
        got = []
        c.sock.settimeout(3)
        try:
            while True:
                r = c.recv()
                got.append(r.get("in_reply_to"))
        except (Closed, OSError, ValueError):
            pass
        c.close()
        R.check("%s: replies were cut off by the flush's deadline" % what,
                "q%d" % (n - 1) not in got, "%d of %d answers arrived" % (len(got), n))
        d2 = Daemon(*args, db=d.db)
        c = d2.client()
        h = c.ask({"type": "start", "resume": token})
        msgs = h.get("messages") or []
        R.check("%s: resuming after the restart gives a history" % what,
                h.get("type") == "history" and len(msgs) >= 2, h)
        last_q = [i for i, m in enumerate(msgs) if m.get("from") == "user" and m.get("text") == asked]
        R.check("%s: the history holds the last question" % what, len(last_q) == 1, msgs[-4:])
        after = msgs[last_q[0] + 1] if last_q and last_q[0] + 1 < len(msgs) else {}
        R.check("%s: and the reply that never reached the reader, after it" % what,
                after.get("from") == "bot" and after.get("intent") == "compare", msgs[-4:])
        r = c.recv()
        R.check("%s: then the reply to the start" % what, r.get("type") == "reply", r)
        c.close()
    finally:
        d.stop(signal.SIGKILL)
        if d2 is not None:
            d2.stop(signal.SIGKILL)


def reload_off_the_loop():
    """SIGHUP loads the content on a thread of its own: connections are
    served while it compiles and checks (tens of milliseconds of CPU, and
    more on a busy machine or a slow disk; every connection waited for it,
    up to a second here under load).  The catalog is a FIFO here, so that
    the load stays in its open() until the test lets it go; the settings,
    read on the loop before the load starts, show that the reload began."""
    top = tempdir("advisord-fifo-")
    content = os.path.join(top, "content")
    for sub in ("intents", "dialogues"):
        shutil.copytree(os.path.join(ROOT, sub), os.path.join(content, sub),
                        ignore=shutil.ignore_patterns("*.c", "*.h", "*.mk"))
    conf = os.path.join(top, "advisord.conf")
    with open(conf, "w") as f:
        f.write("max_text_chars = 2000\n")
    catalog = os.path.join(content, "intents", "catalog.json")
    saved = catalog + ".saved"
    d = Daemon("-c", conf, "--content", content, "--log-level", "info")
    fifo = []

    def let_go():
        try:
            os.close(os.open(catalog, os.O_WRONLY | os.O_NONBLOCK))
            return True
        except OSError:
            return False

    def held_reload(chars):
        """A SIGHUP that sets max_text_chars to CHARS, the catalog a FIFO
        that holds its load; the reply to "what is kpo" once the settings
        are in."""
        os.rename(catalog, saved)
        os.mkfifo(catalog)
        fifo.append(catalog)
        with open(conf, "w") as f:
            f.write("max_text_chars = %d\n" % chars)
        d.proc.send_signal(signal.SIGHUP)
        want = "define_kpo" if chars >= len("what is kpo") else "too_large"

        def answer():
            r = c.ask({"type": "message", "text": "what is kpo"})
            return r if want in (r.get("intent"), r.get("code")) else None
        return until(answer) or {}

    def restore():
        os.remove(catalog)
        os.rename(saved, catalog)
        fifo.clear()
    try:
        c = d.client()
        R.check("reload off the loop: served before",
                c.ask({"type": "message", "text": "what is kpo"}).get("intent") == "define_kpo")
        # too long for the new setting: the reload has begun
        r = held_reload(5)
        R.check("reload off the loop: the settings are read at once",
                r.get("code") == "too_large", (r, d.logtext()))
        r = c.ask({"type": "message", "text": "kpo"})
        R.check("reload off the loop: answered while the content loads",
                r.get("intent") == "define_kpo", r)
        R.check("reload off the loop: the load is still under way",
                "content reload" not in d.logtext(), d.logtext())
        R.check("reload off the loop: the load is let go", until(let_go))
        R.check("reload off the loop: a catalog that cannot be read is refused",
                until(lambda: "content reload refused" in d.logtext()), d.logtext())
        restore()
        d.proc.send_signal(signal.SIGHUP)
        R.check("reload off the loop: then reloaded",
                until(lambda: "content reloaded" in d.logtext()), d.logtext())
        r = c.ask({"type": "message", "text": "kpo"})
        R.check("reload off the loop: served after", r.get("intent") == "define_kpo", r)
        # a stop waits for a load under way, then drops it
        r = held_reload(2000)
        R.check("reload off the loop: a second load has begun",
                r.get("intent") == "define_kpo", (r, d.logtext()))
        c.close()
        d.proc.send_signal(signal.SIGTERM)
        R.check("reload off the loop: a stop waits for the load",
                until(lambda: "waiting for the content reload under way" in d.logtext()),
                d.logtext())
        R.check("reload off the loop: the load is let go, the stop goes on",
                until(let_go) and d.stop() == 0)
        fifo.clear()
    finally:
        if fifo:
            until(let_go, timeout=1)
        d.stop(signal.SIGKILL)


def refused_origin_logged():
    """The log line of a refused Origin names it, so that whoever embeds
    the widget knows what to add to origins; cut, and its control
    characters shown as '?', since its sender chose it."""
    d = Daemon("--log-level", "info")
    try:
        c = d.client(origin="http://evil.example")
        R.check("refused Origin: refused", c.status == 403, c.status)
        c.close()
        R.check("refused Origin: named in the log",
                until(lambda: 'foreign Origin: "http://evil.example"' in d.logtext()),
                d.logtext()[-500:])
        c = d.client(origin="http://x\x1b[31m\x7fy" + "z" * 200)
        c.close()
        R.check("refused Origin: logged cut, without control characters",
                until(lambda: 'foreign Origin: "http://x?[31m?y%s..."' % ("z" * 81) in d.logtext()),
                d.logtext()[-500:])
        c = d.client(origin="http://" + "w" * 300)
        c.close()
        R.check("refused Origin: one too long to read logged by its length",
                until(lambda: "foreign Origin: one of 307 bytes" in d.logtext()),
                d.logtext()[-500:])
    finally:
        d.stop()


def jit_unavailable():
    """Under the unit's MemoryDenyWriteExecute (PR_SET_MDWE here) PCRE2's
    JIT fails and the patterns run interpreted: said once, at the start,
    and the start line does not claim the JIT (it read "JIT on when
    available"); a reload does not say it again."""
    from test_systemd import deny_write_execute
    plain = Daemon("--log-level", "info")
    plain.stop()
    R.check("JIT: without W^X the start says it is on",
            "PCRE2 JIT on," in plain.logtext() and "unavailable" not in plain.logtext(),
            plain.logtext())
    try:
        d = Daemon("--log-level", "info", preexec=deny_write_execute)
    except (OSError, subprocess.SubprocessError) as e:
        print("skip JIT-unavailable test: no PR_SET_MDWE here (%s; not counted)" % e)
        return
    try:
        R.check("JIT: unavailable under W^X, said at the start",
                "PCRE2's JIT is unavailable here" in d.logtext() and
                "PCRE2 JIT unavailable (interpreted)" in d.logtext(), d.logtext())
        R.check("JIT: and matching still works", d.alive())
        d.proc.send_signal(signal.SIGHUP)
        R.check("JIT: a reload under W^X succeeds",
                until(lambda: "content reloaded" in d.logtext()), d.logtext())
        R.check("JIT: said once, not again at the reload",
                d.logtext().count("JIT is unavailable") == 1, d.logtext())
    finally:
        d.stop()


def closes_counted():
    """The connections advisord closes for what the client sent (1003
    binary, 1007 bad UTF-8, 1009 too big) are counted by code in /metrics
    and logged at info: before, nothing showed them."""
    F = Client.frame
    d = Daemon("--log-level", "info")
    try:
        for code, frame in ((1003, F(b"\x00\x01", opcode=2)), (1007, F(b"\xff" * 5000)),
                            (1007, F(b"\xc3\x28")), (1009, F("x" * 17000))):
            c = d.client()
            c.raw(frame)
            got = c.close_code()
            c.close()
            R.check("closes counted: %d sent" % code, got == code, got)
        for code, n in ((1003, 1), (1007, 2), (1009, 1), (1001, 0)):
            got = d.metric('advisord_closes_total{code="%d"}' % code)
            R.check("closes counted: advisord_closes_total{code=\"%d\"} is %d" % (code, n),
                    got == n, got)
        for code, why in ((1003, "text frames only"), (1007, "bad utf8"),
                          (1009, "message too large")):
            R.check("closes counted: %d logged" % code,
                    until(lambda: "closed a WebSocket from 127.0.0.1 with %d: %s" % (code, why)
                          in d.logtext()), d.logtext()[-800:])
    finally:
        d.stop()


def reload_report_in_journal():
    """Under the journal (JOURNAL_STREAM set) each line of a refused
    reload's report carries the <4> of a warning: only the first did, the
    others went at the default priority with an empty line after them, and
    `journalctl -p warning` hid the problems."""
    top = tempdir("advisord-journal-")
    content = os.path.join(top, "content")
    for sub in ("intents", "dialogues"):
        shutil.copytree(os.path.join(ROOT, sub), os.path.join(content, sub),
                        ignore=shutil.ignore_patterns("*.c", "*.h", "*.mk"))
    env = dict(os.environ, JOURNAL_STREAM="8:12345")
    d = Daemon("--content", content, "--log-level", "info", env=env)
    try:
        topics = os.path.join(content, "dialogues", "topics.json")
        with open(topics) as f:
            text = f.read()
        # two broken links: a report of two lines
        n = 0
        for name in ("nosuch_a", "nosuch_b"):
            i = text.index('"deeper": "', n)
            j = text.index('"', i + len('"deeper": "'))
            text = text[:i] + '"deeper": "%s' % name + text[j:]
            n = i + 1
        with open(topics, "w") as f:
            f.write(text)
        d.proc.send_signal(signal.SIGHUP)
        R.check("journal: the reload is refused",
                until(lambda: "nosuch_b" in d.logtext()), d.logtext())
        lines = d.logtext().split("\n")
        first = [i for i, l in enumerate(lines) if "content reload refused" in l][0]
        report = lines[first:first + 2]
        R.check("journal: each line of the report is a warning (<4>)",
                all(l.startswith("<4>advisord: ") for l in report) and
                "nosuch_a" in report[0] and "nosuch_b" in report[1], report)
        R.check("journal: no empty line after it", "\n\n" not in d.logtext(), d.logtext())
        R.check("journal: every line has its priority",
                all(re.match(r"<[0-7]>advisord: ", l) for l in lines if l), lines)
        # the same report at a start: errors, each line (they were written
        # raw, at the default priority)
        p = subprocess.run([os.path.join(ROOT, BUILD, "advisord"), "--content", content,
                            "--check"], capture_output=True, text=True, timeout=20, env=env)
        err = p.stderr.splitlines()
        R.check("journal: a start with that content is refused, each line an error (<3>)",
                p.returncode == 1 and len(err) == 3 and all(l.startswith("<3>advisord: ") for l in err)
                and "nosuch_b" in err[1] and "is not valid" in err[2], p.stderr)
    finally:
        d.stop()


def content_warnings():
    """Valid content that comes with warnings (an example that also
    matches another intent of its priority) has them said by --check and
    at a start, each a warning under the journal: once the report went
    through the log, a valid load's report was dropped unread."""
    top = tempdir("advisord-warn-")
    content = os.path.join(top, "content")
    for sub in ("intents", "dialogues"):
        shutil.copytree(os.path.join(ROOT, sub), os.path.join(content, sub),
                        ignore=shutil.ignore_patterns("*.c", "*.h", "*.mk"))
    cat = os.path.join(content, "intents", "catalog.json")
    with open(cat) as f:
        c = json.load(f)
    c["intents"].append({"id": "zz_overlap", "label": "overlap", "priority": 0,
                         "patterns": ["\\bkpo\\b"]})
    with open(cat, "w") as f:
        json.dump(c, f)
    topics = os.path.join(content, "dialogues", "topics.json")
    with open(topics) as f:
        t = json.load(f)
    t["routes"]["zz_overlap"] = "define_kpo"
    with open(topics, "w") as f:
        json.dump(t, f)
    env = dict(os.environ, JOURNAL_STREAM="8:12345")
    p = subprocess.run([os.path.join(ROOT, BUILD, "advisord"), "--content", content,
                        "--check"], capture_output=True, text=True, timeout=20, env=env)
    warn = [l for l in p.stderr.splitlines() if "also matches zz_overlap" in l]
    R.check("content warnings: --check exits 0", p.returncode == 0, p.stderr[-500:])
    R.check("content warnings: --check says them, each a warning (<4>)",
            len(warn) > 0 and all(l.startswith("<4>advisord: ") for l in warn), p.stderr[-800:])


def make_n_bench():
    """`make -n bench` prints the benchmark's command and runs nothing: the
    recipe named $(MAKE), which make runs even under -n, and the whole
    benchmark ran (here an advisord that does not exist makes run.sh stop
    at once with "bench: build failed", so that the old way fails fast)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env["ADVISORD"] = "/nonexistent/advisord"
    p = subprocess.run(["make", "-n", "--no-print-directory", "BUILD=" + BUILD, "bench"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120, env=env)
    R.check("make -n bench: exits 0", p.returncode == 0, (p.returncode, p.stderr[-500:]))
    R.check("make -n bench: prints bench/run.sh", "bash bench/run.sh" in p.stdout, p.stdout[-500:])
    R.check("make -n bench: does not run it", "bench:" not in p.stderr, p.stderr[-500:])


def port_in_use():
    """A port another program holds: exit 1, saying that the port is in
    use, not blaming libev."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen()
    port = s.getsockname()[1]
    try:
        p = subprocess.run([os.path.join(ROOT, BUILD, "advisord"), "--host", "127.0.0.1",
                            "--port", str(port), "--db", ":memory:"],
                           capture_output=True, text=True, timeout=20)
        R.check("port in use: exits 1", p.returncode == 1, p.returncode)
        R.check("port in use: says it cannot listen there",
                "cannot listen on 127.0.0.1:%d" % port in p.stderr, p.stderr)
        R.check("port in use: does not blame libev", "libev" not in p.stderr, p.stderr)
        # libwebsockets' own "ERROR on binding fd 6 ... (-1 98)", twice,
        # and then "cannot listen" with no reason, was all it said
        R.check("port in use: says the port is in use",
                "cannot listen on 127.0.0.1:%d: the port is in use" % port in p.stderr, p.stderr)
        R.check("port in use: no raw libwebsockets bind error", "ERROR on binding" not in p.stderr,
                p.stderr)
        # it never started, so it does not say it stopped
        R.check("port in use: no 'stopped'", "advisord: stopped" not in p.stderr, p.stderr)
    finally:
        s.close()


def host_not_here():
    """A host that is no address of this machine (TEST-NET-1) or no name at
    all: exit 1 saying so, never "listening" (libwebsockets waited for the
    interface to appear, and the daemon ran listening nowhere)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]  # free here, so only the host can fail
    s.close()
    for host in ("192.0.2.1", "nosuch.invalid"):
        p = subprocess.run([os.path.join(ROOT, BUILD, "advisord"), "--host", host,
                            "--port", str(port), "--db", ":memory:"],
                           capture_output=True, text=True, timeout=20)
        R.check("host %s: exits 1" % host, p.returncode == 1, p.returncode)
        R.check("host %s: says it cannot listen there" % host,
                "cannot listen on %s:%d" % (host, port) in p.stderr, p.stderr)
        R.check("host %s: never says it is listening" % host,
                "listening on" not in p.stderr, p.stderr)


def host_name():
    """--host localhost, a host name rather than an address: advisord
    listens on the name's IPv4 address and says which (libwebsockets took
    addresses and interface names only: "DOESN'T EXIST", and advisord
    "cannot listen" with no reason).  A name that does not resolve is
    refused saying that an address is wanted and why the name failed."""
    d = Daemon("--host", "localhost", "--log-level", "info")
    try:
        r = d.client().ask({"type": "message", "text": "what is kpo"})
        R.check("--host localhost: answers on 127.0.0.1", r.get("intent") == "define_kpo", r)
        R.check("--host localhost: says the address it listens on",
                "listening on http://localhost:%d/ (127.0.0.1, " % d.port in d.logtext(),
                d.logtext())
    finally:
        d.stop()
    port = free_port()
    p = subprocess.run([os.path.join(ROOT, BUILD, "advisord"), "--host", "nosuch.invalid",
                        "--port", str(port), "--db", ":memory:"],
                       capture_output=True, text=True, timeout=20)
    R.check("--host nosuch.invalid: exits 1", p.returncode == 1, p.returncode)
    R.check("--host nosuch.invalid: says the name did not resolve and an address is wanted",
            "cannot listen on nosuch.invalid:%d: nosuch.invalid is no IPv4 address, no host "
            "name with one (" % port in p.stderr and "give --host an address" in p.stderr,
            p.stderr)
    R.check("--host nosuch.invalid: no raw libwebsockets error", "DOESN'T EXIST" not in p.stderr,
            p.stderr)


def web_dir_missing():
    """A web_dir without index.html: --check fails naming it, and a daemon
    started with it says so (it still serves the WebSocket)."""
    adv = os.path.join(ROOT, BUILD, "advisord")
    missing = tempfile.mkdtemp(prefix="advisord-noweb-")
    try:
        p = subprocess.run([adv, "--web-dir", missing, "--check"],
                           capture_output=True, text=True, timeout=20)
        R.check("web_dir without index.html: --check exits 1", p.returncode == 1,
                p.returncode)
        R.check("web_dir without index.html: --check names web_dir and the folder",
                "web_dir %s" % missing in p.stderr, p.stderr)
        # --explain reads the content only: it says how a text is
        # understood and nothing about the page, whatever web_dir holds
        p = subprocess.run([adv, "--web-dir", missing, "--explain",
                            "what is kpo"], capture_output=True, text=True,
                           timeout=20)
        R.check("web_dir without index.html: --explain exits 0",
                p.returncode == 0, (p.returncode, p.stderr))
        R.check("web_dir without index.html: --explain explains, no more",
                "intent:     define_kpo" in p.stdout and
                "are valid" not in p.stdout and p.stderr == "",
                (p.stdout, p.stderr))
        d = Daemon("--web-dir", missing)
        try:
            r = d.client().ask({"type": "message", "text": "what is kpo"})
            R.check("web_dir without index.html: the WebSocket still answers",
                    r.get("intent") == "define_kpo", r)
            R.check("web_dir without index.html: the start warns of it",
                    "web_dir %s" % missing in d.logtext(), d.logtext())
        finally:
            d.stop()
    finally:
        shutil.rmtree(missing, ignore_errors=True)


def main():
    R.run("port in use", port_in_use)
    R.run("host not on this machine", host_not_here)
    R.run("host name", host_name)
    R.run("web_dir without index.html", web_dir_missing)
    R.run("refused Origin logged", refused_origin_logged)
    R.run("JIT unavailable", jit_unavailable)
    R.run("closes counted", closes_counted)
    R.run("reload report in the journal", reload_report_in_journal)
    R.run("content warnings", content_warnings)
    R.run("make -n bench", make_n_bench)
    R.run("trusted proxy added by a reload", proxied_after_reload)
    R.run("reload off the loop", reload_off_the_loop)
    d = Daemon("--rate-limit", "0")
    try:
        R.run("conformance", lambda: conformance(d))
        R.run("hostile input", lambda: hostile(d))
        rc = d.stop()
        R.check("SIGTERM exits 0", rc == 0, rc)
    finally:
        d.stop(signal.SIGKILL)
    R.run("poll loop", poll_loop)
    R.run("stopping", stopping)
    R.run("stopping, poll loop", lambda: stopping("--event-loop", "poll"))
    R.run("stopping, strict", lambda: stopping("--durability", "strict"))
    R.run("stopping, a frame after", stopping_frame)
    R.run("stopping, a slow reader", stopping_slow_reader)
    R.run("stopping, a slow reader, strict",
          lambda: stopping_slow_reader("--durability", "strict"))
    R.run("limits", limits)
    R.run("behind a proxy", proxied)
    R.run("kill -9 in strict mode", sql_and_strict_crash)
    R.run("locked database", locked_db)
    R.run("disk full", disk_full)
    R.run("out of file descriptors", out_of_fds)
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
