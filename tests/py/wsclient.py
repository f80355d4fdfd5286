"""wsclient.py: a raw-socket WebSocket client for advisord's black-box tests.

It speaks RFC 6455 by hand so that tests can also send what a well-behaved
client never would: unmasked frames, reserved bits, bad opcodes, broken
UTF-8, lying length fields.
"""
import base64
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")

# Every Daemon and temporary folder of a run; a run that passes removes
# them (Results.finish), one that fails keeps them, with each daemon's log,
# and says where.
_daemons = []
_dirs = []


def tempdir(prefix):
    """A new folder under the system's temporary one, kept only by a run
    that fails."""
    d = tempfile.mkdtemp(prefix=prefix)
    _dirs.append(d)
    return d


class Closed(Exception):
    """The server closed the connection; .code is its close code or None."""

    def __init__(self, code):
        super().__init__("closed with %r" % (code,))
        self.code = code


class Client:
    def __init__(self, port, path="/ws", origin=None, token=None,
                 proto="advisor.v1", host=None, timeout=5.0, extra="",
                 source=None, sock=None):
        # SOURCE: the local address to come from (127.0.0.2, say), so that
        # one test can be many addresses; SOCK: a connection already open
        # to upgrade
        self.sock = sock or socket.create_connection(
            ("127.0.0.1", port), timeout=timeout,
            source_address=(source, 0) if source else None)
        self.sock.settimeout(timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n" % (path, host or "127.0.0.1:%d" % port, key))
        if proto:
            req += "Sec-WebSocket-Protocol: %s\r\n" % proto
        if origin:
            req += "Origin: %s\r\n" % origin
        if token:
            req += "Authorization: Bearer %s\r\n" % token
        req += extra
        self.sock.sendall((req + "\r\n").encode())
        head = b""
        try:
            while b"\r\n\r\n" not in head:
                d = self.sock.recv(4096)
                if not d:
                    break
                head += d
        except (socket.timeout, ConnectionResetError):
            pass
        self.head = head.split(b"\r\n\r\n", 1)[0].decode(errors="replace").lower()
        line = head.split(b"\r\n", 1)[0].decode(errors="replace")
        self.status = int(line.split()[1]) if len(line.split()) > 1 else 0
        self.upgraded = self.status == 101
        self.buf = head.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in head else b""

    def raw(self, data):
        self.sock.sendall(data)

    @staticmethod
    def frame(payload, opcode=1, fin=True, mask=True, rsv=0, length=None):
        if isinstance(payload, str):
            payload = payload.encode()
        n = len(payload) if length is None else length
        b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
        mbit = 0x80 if mask else 0
        if n < 126:
            head = bytes([b0, mbit | n])
        elif n < 65536:
            head = bytes([b0, mbit | 126]) + struct.pack(">H", n)
        else:
            head = bytes([b0, mbit | 127]) + struct.pack(">Q", n)
        if not mask:
            return head + payload
        key = os.urandom(4)
        return head + key + bytes(c ^ key[i % 4] for i, c in enumerate(payload))

    def send(self, payload, **kw):
        self.raw(self.frame(payload, **kw))

    def send_json(self, obj):
        self.send(json.dumps(obj))

    def _read(self, n):
        while len(self.buf) < n:
            d = self.sock.recv(65536)
            if not d:
                raise Closed(None)
            self.buf += d
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_frame(self):
        """(opcode, payload) of the next frame, control frames included."""
        h = self._read(2)
        op, n = h[0] & 15, h[1] & 127
        if n == 126:
            n = struct.unpack(">H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._read(8))[0]
        return op, self._read(n)

    def recv(self):
        """The next JSON frame; raises Closed with the close code."""
        while True:
            try:
                op, data = self.recv_frame()
            except (ConnectionResetError, BrokenPipeError):
                raise Closed(None)
            if op == 8:
                raise Closed(struct.unpack(">H", data[:2])[0] if len(data) >= 2 else None)
            if op == 9:
                self.send(data, opcode=10)
                continue
            if op == 10:
                continue
            return json.loads(data)

    def close_code(self):
        """Read until the server closes; its close code (None: no close frame)."""
        try:
            while True:
                self.recv()
        except Closed as c:
            return c.code
        except (socket.timeout, OSError):
            return "timeout"

    def ask(self, obj):
        self.send_json(obj)
        return self.recv()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def until(fn, timeout=5):
    """Poll FN until it returns something true or TIMEOUT seconds pass;
    its last value.  A check waits for a condition, never for a time."""
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() >= deadline:
            return v
        time.sleep(0.05)


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port():
    """A port nothing listens on, for a server a test starts.  It is taken
    below the kernel's ephemeral range: a port from there (bind to 0) is
    the kind every outgoing connection of the suite is given too, and one
    of those could take it before the server bound it (EADDRINUSE, seen
    under make test's load)."""
    low = _ephemeral_low()
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12000), low)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_exchange(port, path):
    """(status, head, body) of one GET: the head's lines in lower case."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n"
               % (path, port)).encode())
    data = b""
    while b"\r\n\r\n" not in data:
        b = s.recv(65536)
        if not b:
            break
        data += b
    head, _, body = data.partition(b"\r\n\r\n")
    length = None
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while length is None or len(body) < length:
        b = s.recv(65536)
        if not b:
            break
        body += b
    s.close()
    parts = head.split(b"\r\n", 1)[0].split()
    return ((int(parts[1]) if len(parts) > 1 else 0),
            head.decode(errors="replace").lower(), body.decode(errors="replace"))


def http_get(port, path):
    """(status, body) of one GET."""
    status, _, body = http_exchange(port, path)
    return status, body


class Daemon:
    """advisord on a free port with a temporary database."""

    def __init__(self, *args, db=None, env=None, preexec=None):
        self.dir = tempdir("advisord-test-")
        self.db = db or os.path.join(self.dir, "log.db")
        self.args = list(args)
        self.env = env
        self.preexec = preexec
        self.proc = None
        _daemons.append(self)
        self.start()

    def start(self):
        self.port = free_port()
        cmd = [os.path.join(ROOT, BUILD, "advisord"), "--host", "127.0.0.1",
               "--port", str(self.port), "--db", self.db,
               "--log-level", "warning"] + self.args
        self.log = open(os.path.join(self.dir, "daemon.log"), "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log,
                                     env=self.env, preexec_fn=self.preexec)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.02)
        raise RuntimeError("advisord did not start: " + self.logtext())

    def logtext(self):
        with open(os.path.join(self.dir, "daemon.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def metric(self, name):
        """The value of one /metrics sample (first match), or None."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=3)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
        s.close()
        for line in data.decode(errors="replace").splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        return None

    def client(self, **kw):
        return Client(self.port, **kw)

    def alive(self):
        """The daemon still answers a fresh visitor."""
        try:
            c = self.client()
        except OSError:
            return False
        try:
            r = c.ask({"type": "message", "text": "what is kpo"})
            return r.get("intent") == "define_kpo"
        except (Closed, OSError, ValueError):
            return False
        finally:
            c.close()

    def stop(self, sig=signal.SIGTERM, timeout=5):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        self.log.close()
        return rc


class Results:
    """Counts checks and prints the closing line the CI reads."""

    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, what, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s" % what)
        else:
            self.failed += 1
            print("FAIL %s %s" % (what, detail))
        sys.stdout.flush()

    def run(self, what, fn):
        try:
            fn()
        except Exception as e:  # a test that blows up is a failure, not a crash
            self.check(what, False, "%s: %s" % (type(e).__name__, e))

    def finish(self):
        for d in _daemons:
            d.stop(signal.SIGKILL)
        for d in _dirs:
            if self.failed:
                print("kept %s" % d)
            else:
                shutil.rmtree(d, ignore_errors=True)
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        return 1 if self.failed else 0
