"""fakeadvisor.py: a stand-in for advisord that the test drives by hand.

It accepts WebSocket upgrades on a free port, hands each frame a client
sends to the test (frames()), and sends only what the test tells it to
(reply()), when it tells it to: so that a test can hold a request "with
advisord" for as long as it needs, which the real daemon, answering at
once, never does.
"""
import base64
import hashlib
import json
import queue
import socket
import struct
import threading
import time

from wsclient import free_port

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class FakeAdvisor:
    def __init__(self):
        self.port = free_port()
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", self.port))
        self.lsock.listen(8)
        self.conn = None
        self.peers = []     # client ports, in the order accepted
        self.received = queue.Queue()
        self.closed = threading.Event()
        self.close_code = None
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, peer = self.lsock.accept()
            except OSError:
                return
            with self.lock:
                self.peers.append(peer[1])
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        head = b""
        while b"\r\n\r\n" not in head:
            d = c.recv(4096)
            if not d:
                c.close()
                return
            head += d
        key = ""
        for line in head.decode(errors="replace").split("\r\n"):
            if line.lower().startswith("sec-websocket-key:"):
                key = line.split(":", 1)[1].strip()
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        c.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
                   "Sec-WebSocket-Protocol: advisor.v1\r\n\r\n" % accept).encode())
        with self.lock:
            self.conn = c
        buf = head.split(b"\r\n\r\n", 1)[1]
        while True:
            try:
                op, payload, buf = self._frame(c, buf)
            except OSError:
                break
            if op is None:
                break
            if op == 8:
                self.close_code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                break
            if op == 1:
                self.received.put(json.loads(payload))
        with self.lock:
            if self.conn is c:
                self.conn = None
        c.close()
        self.closed.set()

    @staticmethod
    def _frame(c, buf):
        def need(n, buf):
            while len(buf) < n:
                d = c.recv(65536)
                if not d:
                    return None
                buf += d
            return buf
        if (buf := need(2, buf)) is None:
            return None, None, b""
        op, n, masked = buf[0] & 15, buf[1] & 127, buf[1] & 128
        at = 2
        if n == 126:
            if (buf := need(4, buf)) is None:
                return None, None, b""
            n, at = struct.unpack(">H", buf[2:4])[0], 4
        elif n == 127:
            if (buf := need(10, buf)) is None:
                return None, None, b""
            n, at = struct.unpack(">Q", buf[2:10])[0], 10
        key = b""
        if masked:
            if (buf := need(at + 4, buf)) is None:
                return None, None, b""
            key, at = buf[at:at + 4], at + 4
        if (buf := need(at + n, buf)) is None:
            return None, None, b""
        data = buf[at:at + n]
        if masked:
            data = bytes(b ^ key[i % 4] for i, b in enumerate(data))
        return op, data, buf[at + n:]

    def frame(self, timeout=10):
        """The next frame a client sent, as JSON (queue.Empty if none)."""
        return self.received.get(timeout=timeout)

    def send(self, obj):
        """One text frame to the connected client."""
        data = json.dumps(obj).encode()
        n = len(data)
        head = bytes([0x81, n]) if n < 126 else bytes([0x81, 126]) + struct.pack(">H", n)
        with self.lock:
            self.conn.sendall(head + data)

    def reply(self, request, text, options=()):
        """advisord's reply to the frame REQUEST."""
        self.send({"type": "reply", "conversation": request.get("conversation", ""),
                   "in_reply_to": request.get("id"), "id": 1, "text": text,
                   "intent": "define_kpo", "node": "define_kpo",
                   "options": [{"id": o, "label": o} for o in options],
                   "resume": "0" * 64})

    def drop(self):
        """Hang up on the connected client, as a daemon that died would."""
        with self.lock:
            if self.conn is not None:
                self.conn.shutdown(socket.SHUT_RDWR)

    def close(self, code, reason):
        """A close frame to the connected client, as advisord sends one."""
        data = struct.pack(">H", code) + reason.encode()
        with self.lock:
            self.conn.sendall(bytes([0x88, len(data)]) + data)

    def connections(self, limit=10):
        """How many TCP connections came in so far.  Every connection whose
        connect() returned before this call is counted: accept() takes them
        in order, and a sentinel of our own goes in last."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        mine = s.getsockname()[1]
        deadline = time.time() + limit
        try:
            while time.time() < deadline:
                with self.lock:
                    if mine in self.peers:
                        return self.peers.index(mine)
                time.sleep(0.02)
            raise RuntimeError("the sentinel connection was not accepted")
        finally:
            s.close()

    def stop(self):
        self.lsock.close()
        with self.lock:
            if self.conn is not None:
                self.conn.close()
