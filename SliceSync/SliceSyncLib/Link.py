"""CursorLink: share the cursor with other SliceSync instances and OpenIGTLink tools as POINT messages (RAS, mm).

The sockets and the one I/O thread are this module's own; pyigtl (imported when a link starts) only packs and
unpacks messages. The caller's thread never waits on the network: send() and poll() only touch a few fields
under a lock, and received points wait in a one-point inbox until the caller polls.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import logging
import math
import os
import selectors
import socket
import struct
import threading
import time
from typing import Optional, Sequence

ROLES = ("server", "client")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 18944
DEFAULT_NAME = "SliceSyncCursor"

HEADER_SIZE = 58
HEADER_FORMAT = "> H 12s 20s I I Q Q"
POINT_ELEMENT_SIZE = 136
DEVICE_NAME_SIZE = 20
MAX_BODY_SIZE = 64 * 1024  # a POINT for this link: up to ~480 points
MAX_SKIPPED_BODY_SIZE = 1 << 30  # other messages (e.g. a tracker's images) are skipped, not buffered
MAX_DISTANCE_MM = 10000.0

DRAG_INTERVAL = 0.020
MAX_CLIENTS = 64
MAX_QUEUED_PER_PEER = 64
MAX_QUEUED_FINAL = 256
RECEIVE_CHUNK = 64 * 1024
# The kernel holds at most this much of a slow peer's backlog; beyond it the link's own bounded queue drops old cursors.
SEND_BUFFER = 64 * 1024
RETRY_FIRST = 0.1
RETRY_LAST = 1.0
CONNECT_TIMEOUT = 2.0
IDLE_WAKE = 0.25
STOP_TIMEOUT = 2.0

LOG_INTERVAL = 1.0
LOG_LINES_PER_INTERVAL = 3

Point = tuple[float, float, float]


def isAvailable() -> bool:
    """Return True if pyigtl can be imported (a link needs it)."""
    try:
        import pyigtl  # noqa: F401
    except ImportError:
        return False
    return True


def validPoint(point: Sequence[float]) -> Optional[Point]:
    """Return the point as three floats if it is finite and within MAX_DISTANCE_MM of the origin, else None."""
    try:
        r, a, s = (float(c) for c in point)
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(c) for c in (r, a, s)):
        return None
    if math.sqrt(r * r + a * a + s * s) > MAX_DISTANCE_MM:
        return None
    return (r, a, s)


class RateLimitedLog:
    """At most LOG_LINES_PER_INTERVAL warnings per LOG_INTERVAL seconds; the rest are counted and summarised."""

    def __init__(self, interval: float = LOG_INTERVAL, lines: int = LOG_LINES_PER_INTERVAL) -> None:
        self._interval = interval
        self._lines = lines
        self._windowStart = -math.inf
        self._logged = 0
        self._suppressed = 0
        self._lock = threading.Lock()

    def warning(self, message: str, *args: object, exc_info: bool = False) -> None:
        """Log ``message % args`` as a warning unless this interval's lines are used up."""
        with self._lock:
            now = time.monotonic()
            if now - self._windowStart >= self._interval:
                self._windowStart = now
                self._logged = 0
            if self._logged >= self._lines:
                self._suppressed += 1
                return
            self._logged += 1
            suppressed, self._suppressed = self._suppressed, 0
        if suppressed:
            message += f" ({suppressed} similar messages suppressed)"
        logging.warning("SliceSync link: " + message, *args, exc_info=exc_info)


class _Peer:
    """One TCP connection: its socket, the bytes received so far, the whole messages waiting to go out."""

    def __init__(self, sock: socket.socket, address: str) -> None:
        self.sock = sock
        self.address = address
        self.inbox = bytearray()
        self.outbox: collections.deque[bytes] = collections.deque()
        self.written = 0  # bytes of outbox[0] already written
        self.skip = 0  # bytes of an ignored message's body still to discard
        self.wantsWrite = False


class CursorLink:
    """A POINT-message link, as a server (any number of clients, relaying between them) or a client (retrying)."""

    def __init__(self, role: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, name: str = DEFAULT_NAME) -> None:
        if role not in ROLES:
            raise ValueError(f"the link role must be one of {', '.join(ROLES)}; got {role!r}")
        if not isinstance(host, str) or not host.strip():
            raise ValueError(f"the link host must be a non-empty host name or address, got {host!r}")
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ValueError(f"the link port must be an integer from 1 to 65535, got {port!r}")
        if not isinstance(name, str) or not name or len(name.encode("utf-8")) > DEVICE_NAME_SIZE:
            raise ValueError(f"the link device name must be 1 to {DEVICE_NAME_SIZE} bytes of text, got {name!r}")
        self.role = role
        self.host = host.strip()
        self.port = port
        self.name = name
        self._nameBytes = name.encode("utf-8")
        self._pyigtl = None
        self._lock = threading.Lock()
        self._log = RateLimitedLog()
        self._thread: Optional[threading.Thread] = None
        self._stopping = False
        self._selector: Optional[selectors.BaseSelector] = None
        self._listener: Optional[socket.socket] = None
        self._wakeReader: Optional[socket.socket] = None
        self._wakeWriter: Optional[socket.socket] = None
        self._peers: dict[socket.socket, _Peer] = {}
        self._connecting: Optional[tuple[socket.socket, float]] = None
        self._nextAttempt = 0.0
        self._retryDelay = RETRY_FIRST
        # Shared with the caller's thread (under _lock).
        self._finals: collections.deque[Point] = collections.deque(maxlen=MAX_QUEUED_FINAL)
        self._drag: Optional[Point] = None
        self._flushDrag = False
        self._inboxPoint: Optional[Point] = None
        self._peerNames: list[str] = []
        self._sent = 0
        self._received = 0
        self._lastDragSent = -math.inf
        self.lastReceivedAt = 0.0  # time.perf_counter() when the I/O thread accepted the latest point

    # -- the caller's side ---------------------------------------------------------------------------

    def start(self) -> None:
        """Open the sockets and start the I/O thread; RuntimeError if pyigtl is missing or the port is taken."""
        if self._thread is not None:
            return
        try:
            import pyigtl
        except ImportError:
            raise RuntimeError(
                "SliceSync link needs the pyigtl package (pip install pyigtl==0.3.4); it is not installed"
            ) from None
        self._pyigtl = pyigtl
        self._selector = selectors.DefaultSelector()
        try:
            self._wakeReader, self._wakeWriter = socket.socketpair()
            for sock in (self._wakeReader, self._wakeWriter):
                sock.setblocking(False)
            self._selector.register(self._wakeReader, selectors.EVENT_READ, "wake")
            if self.role == "server":
                self._listener = self._listen()
                self._selector.register(self._listener, selectors.EVENT_READ, "listen")
        except BaseException:
            self._closeAll()
            raise
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"SliceSyncLink-{self.role}-{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the I/O thread and close every socket; safe to call twice."""
        thread = self._thread
        if thread is None:
            self._closeAll()
            return
        self._stopping = True
        self._wake()
        thread.join(STOP_TIMEOUT)
        if thread.is_alive():
            logging.warning("SliceSync link: the I/O thread did not stop within %.1f s", STOP_TIMEOUT)
        else:
            self._closeAll()
        self._thread = None
        with self._lock:
            self._inboxPoint = None
            self._drag = None
            self._finals.clear()
            self._peerNames = []

    def isRunning(self) -> bool:
        """Return True between start() and stop()."""
        return self._thread is not None

    def send(self, point: Sequence[float], final: bool = True) -> None:
        """Queue the cursor for every peer; provisional (drag) points go out at most once per DRAG_INTERVAL."""
        checked = validPoint(point)
        if checked is None or self._thread is None:
            return
        now = time.monotonic()
        with self._lock:
            if final:
                self._finals.append(checked)
                self._drag = None
            elif self._drag is None and now - self._lastDragSent >= DRAG_INTERVAL:
                # The first step after a quiet interval goes out at once, whenever the I/O thread runs.
                self._finals.append(checked)
                self._lastDragSent = now
            else:
                self._drag = checked
        self._wake()

    def flush(self) -> None:
        """Send the last provisional point now if the throttle still holds it (the end of a drag)."""
        if self._thread is None:
            return
        with self._lock:
            if self._drag is None:
                return
            self._flushDrag = True
        self._wake()

    def poll(self) -> Optional[Point]:
        """Return the latest point received since the last poll (None if none)."""
        with self._lock:
            point, self._inboxPoint = self._inboxPoint, None
        return point

    def status(self) -> dict:
        """Return connected, peers ("host:port"), sent and received (messages, all peers together)."""
        with self._lock:
            peers = list(self._peerNames)
            return {"connected": bool(peers), "peers": peers, "sent": self._sent, "received": self._received}

    def queuedCount(self) -> int:
        """Return how many messages wait to be written (all peers), plus points not yet handed to the I/O thread."""
        with self._lock:
            waiting = len(self._finals) + (self._drag is not None)
        while True:
            try:
                return waiting + sum(len(peer.outbox) for peer in list(self._peers.values()))
            except RuntimeError:  # the I/O thread added or dropped a peer meanwhile
                continue

    def _wake(self) -> None:
        writer = self._wakeWriter
        if writer is None:
            return
        with contextlib.suppress(OSError):  # already awake (buffer full) or stopping
            writer.send(b"\0")

    def _listen(self) -> socket.socket:
        try:
            family, kind, proto, _, address = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)[0]
        except socket.gaierror as error:
            raise RuntimeError(f"SliceSync link: cannot resolve the host {self.host!r}: {error}") from None
        listener = socket.socket(family, kind, proto)
        try:
            if os.name == "posix":
                # Lets a restarted server reuse the port at once; a port another socket listens on stays refused.
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(address)
            listener.listen(16)
            listener.setblocking(False)
        except OSError as error:
            listener.close()
            if error.errno == errno.EADDRINUSE:
                raise RuntimeError(
                    f"SliceSync link: port {self.port} on {self.host} is already in use (another server, maybe "
                    "another SliceSync or Slicer's OpenIGTLinkIF, listens there); choose another port, or connect "
                    "to that server as a client"
                ) from None
            raise RuntimeError(f"SliceSync link: cannot listen on {self.host}:{self.port}: {error}") from None
        return listener

    # -- the I/O thread ------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping:
            try:
                self._step()
            except Exception:
                self._log.warning("unexpected error in the I/O thread", exc_info=True)
                time.sleep(0.05)
        self._closeAll()

    def _step(self) -> None:
        now = time.monotonic()
        if self.role == "client" and not self._peers:
            self._connectStep(now)
        events = self._selector.select(self._timeout(time.monotonic()))  # type: ignore[union-attr]
        for key, mask in events:
            data = key.data
            if data == "wake":
                self._drainWake()
            elif data == "listen":
                self._accept()
            elif data == "connecting":
                self._finishConnect()
            elif isinstance(data, _Peer):
                if mask & selectors.EVENT_READ:
                    self._receive(data)
                if mask & selectors.EVENT_WRITE and data.sock in self._peers:
                    self._write(data)
        self._sendPending(time.monotonic())

    def _timeout(self, now: float) -> float:
        timeout = IDLE_WAKE
        with self._lock:
            if self._drag is not None:
                timeout = min(timeout, max(0.0, self._lastDragSent + DRAG_INTERVAL - now))
        if self.role == "client" and not self._peers:
            if self._connecting is not None:
                timeout = min(timeout, max(0.0, self._connecting[1] - now))
            else:
                timeout = min(timeout, max(0.0, self._nextAttempt - now))
        return timeout

    def _drainWake(self) -> None:
        try:
            while self._wakeReader.recv(4096):  # type: ignore[union-attr]
                pass
        except (BlockingIOError, OSError):
            pass

    def _sendPending(self, now: float) -> None:
        with self._lock:
            finals = list(self._finals)
            self._finals.clear()
            drag = None
            if self._drag is not None and (self._flushDrag or now - self._lastDragSent >= DRAG_INTERVAL):
                drag, self._drag = self._drag, None
                self._lastDragSent = now
            self._flushDrag = False
        for point in finals:
            self._broadcast(self._pack(point))
        if drag is not None:
            self._broadcast(self._pack(drag))

    def _pack(self, point: Point) -> bytes:
        message = self._pyigtl.PointMessage(  # type: ignore[union-attr]
            positions=[list(point)], names=[self.name], device_name=self.name
        )
        return message.pack()

    def _broadcast(self, data: bytes, exclude: Optional[_Peer] = None) -> None:
        for peer in list(self._peers.values()):
            if peer is exclude:
                continue
            if len(peer.outbox) >= MAX_QUEUED_PER_PEER:
                # The peer does not read: drop its oldest waiting message (never one half written).
                del peer.outbox[1 if peer.written else 0]
                self._log.warning("%s does not keep up; dropped an old cursor message", peer.address)
            peer.outbox.append(data)
            self._write(peer)

    def _write(self, peer: _Peer) -> None:
        try:
            while peer.outbox:
                data = peer.outbox[0]
                count = peer.sock.send(data[peer.written :])
                peer.written += count
                if peer.written < len(data):
                    break
                with self._lock:
                    self._sent += 1
                peer.outbox.popleft()
                peer.written = 0
        except BlockingIOError:
            pass
        except OSError as error:
            self._drop(peer, f"write failed ({error})")
            return
        wantsWrite = bool(peer.outbox)
        if wantsWrite != peer.wantsWrite:
            peer.wantsWrite = wantsWrite
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if wantsWrite else 0)
            self._selector.modify(peer.sock, events, peer)  # type: ignore[union-attr]

    def _accept(self) -> None:
        try:
            sock, address = self._listener.accept()  # type: ignore[union-attr]
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._log.warning("accepting a client failed: %s", error)
            return
        if len(self._peers) >= MAX_CLIENTS:
            sock.close()
            self._log.warning("refused a client: already %d connected", MAX_CLIENTS)
            return
        self._addPeer(sock, f"{address[0]}:{address[1]}")

    def _addPeer(self, sock: socket.socket, address: str) -> None:
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        peer = _Peer(sock, address)
        self._peers[sock] = peer
        self._selector.register(sock, selectors.EVENT_READ, peer)  # type: ignore[union-attr]
        self._publishPeers()
        logging.info("SliceSync link: %s connected", address)

    def _drop(self, peer: _Peer, reason: str) -> None:
        if self._peers.pop(peer.sock, None) is None:
            return
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(peer.sock)  # type: ignore[union-attr]
        peer.sock.close()
        self._publishPeers()
        logging.info("SliceSync link: %s disconnected (%s)", peer.address, reason)
        if self.role == "client":
            self._nextAttempt = time.monotonic() + RETRY_FIRST
            self._retryDelay = RETRY_FIRST

    def _publishPeers(self) -> None:
        names = [peer.address for peer in self._peers.values()]
        with self._lock:
            self._peerNames = names

    def _connectStep(self, now: float) -> None:
        if self._connecting is not None:
            sock, deadline = self._connecting
            if now >= deadline:
                self._abandonConnect()
            return
        if now < self._nextAttempt:
            return
        sock = None
        try:
            family, kind, proto, _, address = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)[0]
            sock = socket.socket(family, kind, proto)
            sock.setblocking(False)
            code = sock.connect_ex(address)
        except OSError as error:
            if sock is not None:
                sock.close()
            self._log.warning("cannot connect to %s:%d: %s", self.host, self.port, error)
            self._scheduleRetry()
            return
        if code not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
            sock.close()
            self._scheduleRetry()
            return
        self._connecting = (sock, now + CONNECT_TIMEOUT)
        self._selector.register(sock, selectors.EVENT_WRITE, "connecting")  # type: ignore[union-attr]

    def _finishConnect(self) -> None:
        if self._connecting is None:
            return
        sock, _ = self._connecting
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code != 0:
            self._abandonConnect()
            return
        self._selector.unregister(sock)  # type: ignore[union-attr]
        self._connecting = None
        self._retryDelay = RETRY_FIRST
        self._addPeer(sock, f"{self.host}:{self.port}")

    def _abandonConnect(self) -> None:
        sock, _ = self._connecting  # type: ignore[misc]
        self._connecting = None
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(sock)  # type: ignore[union-attr]
        sock.close()
        self._scheduleRetry()

    def _scheduleRetry(self) -> None:
        self._nextAttempt = time.monotonic() + self._retryDelay
        self._retryDelay = min(RETRY_LAST, self._retryDelay * 2)

    def _receive(self, peer: _Peer) -> None:
        try:
            data = peer.sock.recv(RECEIVE_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._drop(peer, f"read failed ({error})")
            return
        if not data:
            self._drop(peer, "closed by the peer")
            return
        peer.inbox += data
        while True:
            if peer.skip:
                # The body of a message this link does not read (an image, another device) is discarded unbuffered.
                count = min(peer.skip, len(peer.inbox))
                del peer.inbox[:count]
                peer.skip -= count
                if peer.skip:
                    return
            if len(peer.inbox) < HEADER_SIZE:
                return
            version, kind, device, _, _, bodySize, crc = struct.unpack(HEADER_FORMAT, bytes(peer.inbox[:HEADER_SIZE]))
            ours = kind.rstrip(b"\0 ") == b"POINT" and device.rstrip(b"\0 ") == self._nameBytes
            if version not in (1, 2) or bodySize > (MAX_BODY_SIZE if ours else MAX_SKIPPED_BODY_SIZE):
                # The stream cannot be resynchronised after a bad header: close this connection only.
                self._log.warning(
                    "malformed header from %s (version %d, body of %d bytes); closing that connection",
                    peer.address,
                    version,
                    bodySize,
                )
                self._drop(peer, "malformed header")
                return
            if not ours:
                del peer.inbox[:HEADER_SIZE]
                peer.skip = bodySize
                continue
            end = HEADER_SIZE + bodySize
            if len(peer.inbox) < end:
                return
            header = bytes(peer.inbox[:HEADER_SIZE])
            body = bytes(peer.inbox[HEADER_SIZE:end])
            del peer.inbox[:end]
            self._receivePoint(peer, header, body, crc)

    def _receivePoint(self, peer: _Peer, header: bytes, body: bytes, crc: int) -> None:
        pyigtl = self._pyigtl
        if pyigtl.messages.CRC64(body) != crc:  # type: ignore[union-attr]
            self._log.warning("dropped a POINT from %s: bad CRC", peer.address)
            return
        try:
            fields = pyigtl.MessageBase.parse_header(header)  # type: ignore[union-attr]
            if fields["header_version"] == 1 and (not body or len(body) % POINT_ELEMENT_SIZE):
                raise ValueError(f"a body of {len(body)} bytes is not a whole number of points")
            message = pyigtl.PointMessage()  # type: ignore[union-attr]
            message.unpack(fields, body)
            if not message.positions:
                raise ValueError("no point")
            first = message.positions[0]
        except Exception as error:
            self._log.warning("dropped a malformed POINT from %s: %s", peer.address, error)
            return
        point = validPoint(first)
        if point is None:
            self._log.warning(
                "dropped a POINT from %s: %s is not finite or is more than %.0f mm from the origin",
                peer.address,
                tuple(first),
                MAX_DISTANCE_MM,
            )
            return
        with self._lock:
            self._received += 1
            self._inboxPoint = point
            self.lastReceivedAt = time.perf_counter()
        if self.role == "server":
            self._broadcast(self._pack(point), exclude=peer)

    def _closeAll(self) -> None:
        if self._connecting is not None:
            self._connecting[0].close()
            self._connecting = None
        for peer in list(self._peers.values()):
            peer.sock.close()
        self._peers.clear()
        for sock in (self._listener, self._wakeReader, self._wakeWriter):
            if sock is not None:
                sock.close()
        self._listener = self._wakeReader = self._wakeWriter = None
        if self._selector is not None:
            self._selector.close()
            self._selector = None
        with self._lock:
            self._peerNames = []
