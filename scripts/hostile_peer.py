#!/usr/bin/env python3
"""A scripted peer that speaks meshnode's wire protocol (docs/wire-protocol.md) and misbehaves.

    python3 scripts/hostile_peer.py --target 127.0.0.2:7071 --source 127.0.0.9 --scenario NAME

Connects from --source (bind before connect, so the node sees that IP), plays one scenario,
and prints one JSON line: what it sent, what the node sent back (message kinds and the
Disconnect reason, if any), whether and when the node closed the connection. Exit status 0
when the scenario ran to its end (the verdict is the caller's), 2 on bad usage.

Test tooling only: standard library, bounded in time (every scenario ends by --seconds).
"""

import argparse
import json
import os
import random
import socket
import struct
import sys
import time

GENESIS = bytes.fromhex("672232b5c453c80cb5b53624d9f6595b971c9131548bec9ca9a984b18ee4c417")
KINDS = {1: "handshake", 2: "handshake_ack", 3: "ping", 4: "pong", 5: "get_peers", 6: "peer_list",
         7: "disconnect", 0x10: "payload"}


def frame(body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + body


def str8(text: str) -> bytes:
    data = text.encode()
    return bytes([len(data)]) + data


def handshake(chain_id="mainnet", version=2, port=7071, nonce=None, minimum=2) -> bytes:
    """A protocol version 2 Handshake (docs/wire-protocol.md): the version range and no
    application bytes after the user agent."""
    nonce = random.getrandbits(64) if nonce is None else nonce
    body = bytes([1]) + struct.pack(">I", version) + str8(chain_id) + GENESIS + struct.pack(">HQ", port, nonce)
    return frame(body + str8("hostile/0.1") + struct.pack(">IH", minimum, 0))


def ping(nonce: int) -> bytes:
    return frame(bytes([3]) + struct.pack(">Q", nonce))


def pong(nonce: int) -> bytes:
    return frame(bytes([4]) + struct.pack(">Q", nonce))


def peer_list(count: int) -> bytes:
    # Loopback addresses only (127.128.0.0/9): the node dials what it learns, and a test must
    # never make it dial off this machine.
    entries = b"".join(
        bytes([4, 127, random.randint(128, 255), random.randint(0, 255), random.randint(1, 254)])
        + struct.pack(">H", 7071) for _ in range(count))
    return frame(bytes([6]) + struct.pack(">H", count) + entries)


ACK = frame(bytes([2]))
GET_PEERS = frame(bytes([5]))


def payload(size: int, channel: int = 0) -> bytes:
    # Kind, then the channel (u16, big-endian, since version 2), then the application's bytes.
    return frame(bytes([0x10]) + channel.to_bytes(2, "big") + os.urandom(16) * (size // 16))


class Stream:
    """Sends `chunk` over and over on a non-blocking socket, never cutting a frame (a short
    send goes on where it stopped)."""

    def __init__(self, chunk: bytes):
        self.chunk = memoryview(chunk)
        self.offset = 0

    def send(self, sock) -> int:
        count = sock.send(self.chunk[self.offset:])
        self.offset = (self.offset + count) % len(self.chunk)
        return count


def flood(session, stream, reading, limit=None) -> int:
    """Sends `stream` until the deadline, `limit` bytes, or the node closes. reading: reads
    meanwhile and answers the node's pings, between whole chunks (never inside a frame)."""
    pongs = []

    def collect(kind, body):
        if kind == "ping":
            pongs.append(pong(struct.unpack(">Q", body[1:9])[0]))

    sent = 0
    session.sock.setblocking(False)
    while time.monotonic() < session.deadline and session.closed_after is None:
        if limit is not None and sent >= limit:
            break
        try:
            sent += stream.send(session.sock)
        except BlockingIOError:
            if reading:
                session.pump(0.001, collect)
            else:
                time.sleep(0.01)
        except OSError:
            session.mark_closed()
        if pongs and stream.offset == 0:
            session.sock.settimeout(5)
            session.send(b"".join(pongs))
            pongs.clear()
        session.sock.setblocking(False)
    session.sock.setblocking(True)
    session.sent_bytes += sent
    return sent


class Session:
    """The socket and what came back on it."""

    def __init__(self, target, source, deadline):
        host, port = target.rsplit(":", 1)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((source, 0))
        self.sock.settimeout(5)
        self.sock.connect((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.started = time.monotonic()
        self.deadline = deadline
        self.buffer = b""
        self.received = []
        self.disconnect_reason = None
        self.closed_after = None
        self.sent_bytes = 0

    def send(self, data: bytes) -> bool:
        try:
            self.sock.sendall(data)
            self.sent_bytes += len(data)
            return True
        except OSError:
            self.mark_closed()
            return False

    def mark_closed(self):
        if self.closed_after is None:
            self.closed_after = round(time.monotonic() - self.started, 3)

    def pump(self, seconds: float, on_message=None) -> bool:
        """Reads for up to `seconds` (never past the deadline); False once the node closed."""
        until = min(time.monotonic() + seconds, self.deadline)
        while self.closed_after is None:
            left = until - time.monotonic()
            if left <= 0:
                return True
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return True
            except OSError:
                self.mark_closed()
                return False
            if not data:
                self.mark_closed()
                return False
            self.buffer += data
            while len(self.buffer) >= 4:
                (length,) = struct.unpack(">I", self.buffer[:4])
                if len(self.buffer) < 4 + length:
                    break
                body, self.buffer = self.buffer[4:4 + length], self.buffer[4 + length:]
                kind = KINDS.get(body[0], hex(body[0])) if body else "empty"
                self.received.append(kind)
                if kind == "disconnect":
                    self.disconnect_reason = body[2:2 + body[1]].decode(errors="replace")
                if on_message:
                    on_message(kind, body)
        return False

    def wait_for(self, kind: str, seconds=3.0) -> bool:
        until = time.monotonic() + seconds
        while kind not in self.received and time.monotonic() < until:
            if not self.pump(0.05):
                return kind in self.received
        return kind in self.received

    def answer_pings(self, kind, body):
        if kind == "ping":
            self.send(pong(struct.unpack(">Q", body[1:9])[0]))

    def handshake_fully(self) -> bool:
        self.send(handshake())
        if not self.wait_for("handshake"):
            return False
        self.send(ACK)
        return self.wait_for("handshake_ack")


def run(scenario: str, session: Session, seconds: float) -> dict:
    extra = {}
    if scenario == "random-bytes":
        session.send(os.urandom(4096))
        session.pump(seconds)
    elif scenario == "huge-length":
        session.send(b"\xff\xff\xff\xff" + os.urandom(64))
        session.pump(seconds)
    elif scenario == "slow-bytes":
        # A valid Handshake, one byte a second: the handshake deadline must end it.
        for byte in handshake():
            if not session.send(bytes([byte])) or not session.pump(1.0):
                break
    elif scenario == "silent":
        session.pump(seconds)
    elif scenario == "version-without-ack":
        session.send(handshake())
        session.pump(seconds)
    elif scenario == "message-before-handshake":
        session.send(ping(7))
        session.pump(seconds)
    elif scenario == "duplicate-handshake":
        if session.handshake_fully():
            session.send(handshake())
        session.pump(seconds, session.answer_pings)
    elif scenario == "unsolicited-pongs":
        # Pongs that answer nothing, ten a second, while real pings are answered: they are
        # ignored, and the session must stay up. Plays for a second after the handshake and
        # until it has answered a ping (a slow node may take a while), or until the deadline.
        if session.handshake_fully():
            started = time.monotonic()
            while time.monotonic() < session.deadline and session.closed_after is None:
                session.send(pong(random.getrandbits(64)))
                session.pump(0.1, session.answer_pings)
                if "ping" in session.received and time.monotonic() - started >= 1.0:
                    break
    elif scenario == "peer-list-flood":
        # Answers the node's GetPeers with a full PeerList, then keeps sending full ones
        # nobody asked for: the node must keep the first and close on the next.
        if session.handshake_fully():
            session.wait_for("get_peers")
            sent = 0
            while sent < 200 and session.closed_after is None and time.monotonic() < session.deadline:
                if not session.send(peer_list(1000)):
                    break
                sent += 1
                session.pump(0.01, session.answer_pings)
            extra["peer_lists_sent"] = sent
            session.pump(seconds, session.answer_pings)
    elif scenario == "payload-flood":
        # Payload frames of 64 KiB as fast as the node takes them, up to --bytes: the node
        # must hold at most its receive budget for us, whatever the application does.
        if session.handshake_fully():
            started = time.monotonic()
            extra["flood_bytes"] = flood(session, Stream(payload(64 << 10) * 16), True, BYTES)
            extra["flood_seconds"] = round(time.monotonic() - started, 3)
            session.pump(0.5, session.answer_pings)
            # Lingering close: closing with the node's pings unread would reset the connection,
            # and the node (slow under a sanitizer) would lose what it had not read yet. Half-
            # close and read until it hangs up, so every byte sent is the node's to count.
            try:
                session.sock.shutdown(socket.SHUT_WR)
                session.sock.settimeout(1)
                linger_deadline = time.monotonic() + 30
                while time.monotonic() < linger_deadline:
                    try:
                        if session.sock.recv(65536) == b"":
                            break
                    except socket.timeout:
                        continue
            except OSError:
                pass
    elif scenario == "pings-no-read":
        # Pings as fast as the node takes them, never reading a Pong (a small receive buffer):
        # the Pongs pile up in the node's send queue, which must stop taking our frames at its
        # send budget and, when we stay stuck, drop us (slow_peer, or ping_timeout first).
        session.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        if session.handshake_fully():
            started = time.monotonic()
            sent = flood(session, Stream(b"".join(ping(n) for n in range(4096))), False)
            extra["pings_sent"] = sent // 13
            extra["flood_seconds"] = round(time.monotonic() - started, 3)
    elif scenario in ("getpeers-no-read", "getpeers-flood"):
        # GetPeers as fast as the node takes them. no-read: never reads an answer (a small
        # receive buffer), so answers would pile up in the node's send queue. flood: reads the
        # answers. Either way the node answers one per interval and cuts the flood off.
        reading = scenario == "getpeers-flood"
        if not reading:
            session.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        if session.handshake_fully():
            started = time.monotonic()
            sent = flood(session, Stream(GET_PEERS * 4096), reading)
            extra["get_peers_sent"] = sent // len(GET_PEERS)
            extra["flood_seconds"] = round(time.monotonic() - started, 3)
            if not reading:
                session.pump(0.2)
    elif scenario == "many-connections":
        # --count connections from one IP, each holding a partial frame that declares the
        # largest size, for the whole time: how many does the node keep open?
        held = [session.sock]
        for _ in range(COUNT - 1):
            try:
                extra_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                extra_sock.bind((session.sock.getsockname()[0], 0))
                extra_sock.settimeout(2)
                extra_sock.connect(session.sock.getpeername())
                held.append(extra_sock)
            except OSError:
                break
        for sock in held:
            try:
                sock.sendall(struct.pack(">I", (4 << 20) - 1) + bytes([1]) * 16000)
            except OSError:
                pass
        time.sleep(max(0.0, min(seconds, 2.0)))
        still_open = 0
        for sock in held:
            sock.setblocking(False)
            # A refused connection may carry the node's Disconnect (or a PeerList) before its
            # end: read past what was sent; open means no end of stream behind it.
            open_now = True
            try:
                while True:
                    data = sock.recv(65536)
                    if data == b"":
                        open_now = False
                        break
            except BlockingIOError:
                pass
            except OSError:
                open_now = False
            still_open += 1 if open_now else 0
        extra["connections_made"] = len(held)
        extra["connections_open"] = still_open
        for sock in held[1:]:
            sock.close()
    else:
        raise ValueError(scenario)
    return extra


SCENARIOS = ["random-bytes", "huge-length", "slow-bytes", "silent", "version-without-ack",
             "message-before-handshake", "duplicate-handshake", "unsolicited-pongs", "peer-list-flood",
             "payload-flood", "pings-no-read", "getpeers-no-read", "getpeers-flood", "many-connections"]
BYTES = 0
COUNT = 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="HOST:PORT of the node")
    parser.add_argument("--source", default="127.0.0.1", help="local IP to dial from")
    parser.add_argument("--scenario", required=True, choices=SCENARIOS)
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to play (upper bound)")
    parser.add_argument("--bytes", type=int, default=256 << 20, help="payload-flood: bytes to send")
    parser.add_argument("--count", type=int, default=150, help="many-connections: connections to open")
    args = parser.parse_args()
    global BYTES, COUNT
    BYTES, COUNT = args.bytes, args.count
    deadline = time.monotonic() + args.seconds
    try:
        session = Session(args.target, args.source, deadline)
    except OSError as error:
        print(json.dumps({"scenario": args.scenario, "error": f"connect: {error}"}))
        return 1
    extra = run(args.scenario, session, max(0.0, deadline - time.monotonic()))
    session.pump(0)
    result = {
        "scenario": args.scenario, "sent_bytes": session.sent_bytes, "received": session.received,
        "disconnect_reason": session.disconnect_reason, "closed_by_node": session.closed_after is not None,
        "closed_after_s": session.closed_after, **extra,
    }
    session.sock.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
