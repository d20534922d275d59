"""Link peers in their own processes for the link tests and benchmark: a SliceSync engine on its own bench, or a
plain pyigtl client. Each is driven over a multiprocessing pipe and always killed by its owner."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import socket
import time
from typing import Callable, Optional

LINK_NAME = "SliceSyncCursor"
START_TIMEOUT = 60.0
REPLY_TIMEOUT = 20.0


def anatomicalPath() -> str:
    """nibabel's anatomical.nii, the volume every peer shows."""
    import nibabel

    return os.path.join(os.path.dirname(nibabel.__file__), "tests", "data", "anatomical.nii")


def freePort() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def waitFor(
    predicate: Callable[[], object],
    timeout: float = 10.0,
    tick: Optional[Callable[[], object]] = None,
    describe: Optional[Callable[[], object]] = None,
):
    """Return predicate()'s first true value, calling tick() (e.g. engine.pollLink) in between; fail at timeout.

    ``describe()`` says what was seen instead, in the failure message."""
    deadline = time.monotonic() + timeout
    while True:
        if tick is not None:
            tick()
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            seen = f"; seen: {describe()}" if describe is not None else ""
            raise AssertionError(f"timed out after {timeout} s waiting for {getattr(predicate, '__name__', '?')}{seen}")
        time.sleep(0.001)


def _engineLoop(conn, role: str, port: int, startLink: bool, pollInterval: float) -> None:
    from SliceSyncBench import SliceViewBench
    from SliceSyncLib import SliceSyncEngine

    bench = SliceViewBench()
    bench.addStandardViews()
    volume = bench.loadVolume(anatomicalPath(), "anatomical")
    bench.showVolume(volume)
    engine = SliceSyncEngine(bench.scene)
    for view in bench.views.values():
        engine.addView(view.sliceNode, view.interactor)
    engine.setEnabled(True)
    if startLink:
        engine.startLink(role, port=port)
    applied = 0
    lastApplied = 0.0
    conn.send(("ready", None))
    while True:
        # A steady cadence, as a host's timer: a command arriving does not make the next pollLink come sooner.
        time.sleep(pollInterval)
        if engine.pollLink():
            applied += 1
            lastApplied = time.perf_counter()
        if not conn.poll(0):
            continue
        command, args = conn.recv()
        if command == "quit":
            engine.cleanup()
            bench.close()
            conn.send(("ok", None))
            return
        if command == "status":
            reply = engine.linkStatus()
        elif command == "startLink":
            engine.startLink(*args)
            applied = 0
            reply = None
        elif command == "stopLink":
            engine.stopLink()
            reply = None
        elif command == "click":
            name, x, y = args
            view = bench.views[name]
            ras = view.pixelToRAS(x, y)
            started = time.perf_counter()
            view.click(x, y)
            reply = (ras, started)
        elif command == "drag":
            name, points, pace = args
            view = bench.views[name]
            view.press(*points[0])
            for x, y in points[1:]:
                view.move(x, y)
                time.sleep(pace)
            view.release(*points[-1])
            reply = view.pixelToRAS(*points[-1])
        elif command == "distances":
            reply = {name: view.distanceToPlane(args) for name, view in bench.views.items()}
        elif command == "applied":
            link = engine._link
            reply = (applied, lastApplied, link.lastReceivedAt if link is not None else 0.0)
        else:
            reply = f"unknown command {command!r}"
        conn.send(("ok", reply))


def _pyigtlClientLoop(conn, role: str, port: int, startLink: bool, pollInterval: float) -> None:
    import pyigtl

    client = pyigtl.OpenIGTLinkClient("127.0.0.1", port)
    conn.send(("ready", None))
    while True:
        command, args = conn.recv()
        if command == "quit":
            conn.send(("ok", None))
            return
        if command == "connected":
            reply = client.is_connected()
        elif command == "send":
            reply = client.send_message(pyigtl.PointMessage(positions=[args], device_name=LINK_NAME), wait=True)
        elif command == "wait":
            message = client.wait_for_message(LINK_NAME, timeout=args)
            reply = None if message is None else [list(map(float, p)) for p in message.positions]
        else:
            reply = f"unknown command {command!r}"
        conn.send(("ok", reply))


LOOPS = {"engine": _engineLoop, "pyigtl": _pyigtlClientLoop}


def _main(kind: str, conn, role: str, port: int, startLink: bool, pollInterval: float) -> None:
    try:
        LOOPS[kind](conn, role, port, startLink, pollInterval)
    except BaseException as error:  # reported to the owner, which fails the test with it
        with contextlib.suppress(Exception):
            conn.send(("error", repr(error)))
        raise


class Peer:
    """A peer process: ``call(command, args)`` sends a command and returns its reply."""

    def __init__(
        self, kind: str, role: str = "client", port: int = 0, startLink: bool = True, pollInterval: float = 0.002
    ) -> None:
        """``pollInterval``: how often an engine peer calls pollLink (as a host's timer would)."""
        context = multiprocessing.get_context("spawn")
        self.conn, childConn = context.Pipe()
        args = (kind, childConn, role, port, startLink, pollInterval)
        self.process = context.Process(target=_main, args=args, daemon=True)
        self.process.start()
        childConn.close()
        self.kind = kind
        self._ready = False

    def waitReady(self) -> Peer:
        """Wait until the peer has built its scene and started its link."""
        if not self._ready:
            self._expect(START_TIMEOUT)
            self._ready = True
        return self

    def call(self, command: str, args: object = None, timeout: float = REPLY_TIMEOUT):
        """Send a command and return the reply."""
        self.waitReady()
        self.conn.send((command, args))
        return self._expect(timeout)

    def _expect(self, timeout: float):
        if not self.conn.poll(timeout):
            raise AssertionError(f"the {self.kind} peer did not answer within {timeout} s")
        kind, reply = self.conn.recv()
        if kind == "error":
            raise AssertionError(f"the {self.kind} peer failed: {reply}")
        return reply

    def kill(self) -> None:
        """End the process at once (as a crash would) and wait for it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def close(self) -> None:
        """Ask the peer to quit, kill it if it does not, and wait for it."""
        with contextlib.suppress(Exception):
            if self.process.is_alive() and self._ready:
                self.conn.send(("quit", None))
                if self.conn.poll(5):
                    self.conn.recv()
        self.process.join(5)
        self.kill()


@contextlib.contextmanager
def peers(*specs: tuple):
    """Start peers (kind, role, port[, startLink]) together, wait for all, and kill every one at the end."""
    started: list[Peer] = []
    try:
        for spec in specs:
            started.append(Peer(*spec))
        for peer in started:
            peer.waitReady()
        yield started
    finally:
        for peer in started:
            peer.close()


class PeerPool:
    """Engine peers kept across tests (their links started and stopped per test); dead ones are replaced."""

    def __init__(self) -> None:
        self._peers: list[Peer] = []

    def engines(self, count: int) -> list[Peer]:
        """Return ``count`` live engine peers without a link, starting the missing ones together."""
        self._peers = [peer for peer in self._peers if peer.process.is_alive()]
        while len(self._peers) < count:
            self._peers.append(Peer("engine", startLink=False))
        for peer in self._peers:
            peer.waitReady()
        return self._peers[:count]

    def stopLinks(self) -> None:
        """Stop every live peer's link (after a test)."""
        for peer in self._peers:
            if peer.process.is_alive():
                with contextlib.suppress(Exception):
                    peer.call("stopLink", timeout=5)

    def close(self) -> None:
        """Quit (or kill) every peer."""
        for peer in self._peers:
            peer.close()
        self._peers = []
