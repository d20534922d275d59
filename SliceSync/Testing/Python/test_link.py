"""The cursor link: engines in separate processes on 127.0.0.1, each with its own bench, and plain OpenIGTLink peers.

Every wait polls with a deadline; every peer process is killed in a finally (LinkPeer.peers).
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import struct
import threading
import time

import numpy
import pytest
from LinkPeer import LINK_NAME, PeerPool, freePort, peers, waitFor

from SliceSyncBench import observerCount
from SliceSyncLib import Link

pyigtl = pytest.importorskip("pyigtl")

TOLERANCE_MM = 1e-3
CLICK = (140, 120)
OTHER_CLICK = (100, 150)
NEVER = 0.3  # how long a test listens for a message that must not come (after a later marker message arrived)


def float32(point):
    """The point as a POINT message carries it (32-bit floats)."""
    return tuple(struct.unpack(">3f", struct.pack(">3f", *point)))


def assertViewsThrough(bench, ras):
    for name, view in bench.views.items():
        distance = view.distanceToPlane(ras)
        assert abs(distance) < TOLERANCE_MM, f"{name} is {distance} mm from {ras}"


def assertPeerViewsThrough(peer, ras):
    for name, distance in peer.call("distances", ras).items():
        assert abs(distance) < TOLERANCE_MM, f"the peer's {name} is {distance} mm from {ras}"


def peerThrough(peer, ras):
    return all(abs(d) < TOLERANCE_MM for d in peer.call("distances", ras).values())


def pointMessage(point, name=LINK_NAME) -> bytes:
    return pyigtl.PointMessage(positions=[list(point)], device_name=name).pack()


class RawPeer:
    """A plain OpenIGTLink client on a socket of its own; pyigtl packs and unpacks its messages."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buffer = bytearray()
        self.offset = 0

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def receive(self, timeout: float):
        """Return the next message's first point (device name, point), or None if nothing came within timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buffer) - self.offset >= 58:
                fields = pyigtl.MessageBase.parse_header(self.buffer[self.offset : self.offset + 58])
                start = self.offset + 58
                end = start + fields["body_size"]
                if len(self.buffer) >= end:
                    message = pyigtl.PointMessage()
                    message.unpack(fields, bytes(self.buffer[start:end]))
                    self.offset = end
                    if self.offset > 1 << 20:
                        del self.buffer[: self.offset]
                        self.offset = 0
                    return fields["device_name"], tuple(float(c) for c in message.positions[0])
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                return None
            self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


@contextlib.contextmanager
def rawPeers(port: int, count: int):
    opened = []
    try:
        for _ in range(count):
            opened.append(RawPeer(port))
        yield opened
    finally:
        for peer in opened:
            peer.close()


def connectedPeers(engine, count: int):
    return waitFor(lambda: len(engine.linkStatus()["peers"]) == count, tick=engine.pollLink)


def openFileDescriptors() -> set:
    return set(os.listdir("/proc/self/fd"))


@pytest.fixture(scope="module")
def peerPool():
    """Engine peer processes shared by this module's tests; every one is killed at the end."""
    pool = PeerPool()
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def enginePeers(peerPool):
    """``enginePeers(count, role, port)``: that many pooled engine peers with their links started."""

    def start(count: int, role: str, port: int):
        started = peerPool.engines(count)
        for peer in started:
            peer.call("startLink", (role, "127.0.0.1", port))
        return started

    yield start
    peerPool.stopLinks()


@pytest.fixture
def linkedEngine(engine):
    """The test process's engine (Red/Yellow/Green over anatomical.nii), its link stopped after the test."""
    yield engine
    engine.stopLink()


def test_two_engines_a_click_in_either_moves_the_others_views_through_the_point(
    bench, anatomical, linkedEngine, enginePeers
):
    port = freePort()
    linkedEngine.startLink("server", port=port)
    (client,) = enginePeers(1, "client", port)
    connectedPeers(linkedEngine, 1)
    ras = bench.views["Red"].pixelToRAS(*CLICK)
    bench.views["Red"].click(*CLICK)
    waitFor(lambda: peerThrough(client, ras))
    assertPeerViewsThrough(client, ras)

    clientRAS, _ = client.call("click", ("Yellow", *OTHER_CLICK))
    waitFor(lambda: linkedEngine.linkStatus()["received"] == 1, tick=linkedEngine.pollLink)
    assertViewsThrough(bench, clientRAS)
    # A message counts as sent once written, which the sender's I/O thread records just after the write.
    waitFor(lambda: client.call("status")["sent"] == 1, describe=lambda: client.call("status"))
    assert linkedEngine.linkStatus()["sent"] == 1
    assert client.call("status")["received"] == 1


def test_three_engines_a_click_in_one_client_moves_the_server_and_the_other_client(
    bench, anatomical, linkedEngine, enginePeers
):
    port = freePort()
    linkedEngine.startLink("server", port=port)
    first, second = enginePeers(2, "client", port)
    connectedPeers(linkedEngine, 2)
    ras, _ = first.call("click", ("Green", *CLICK))
    waitFor(lambda: peerThrough(second, ras))
    waitFor(lambda: linkedEngine.linkStatus()["received"] == 1, tick=linkedEngine.pollLink)
    assertViewsThrough(bench, ras)
    assertPeerViewsThrough(second, ras)

    serverRAS = bench.views["Red"].pixelToRAS(*OTHER_CLICK)
    bench.views["Red"].click(*OTHER_CLICK)
    waitFor(lambda: peerThrough(first, serverRAS) and peerThrough(second, serverRAS))
    # One move, one message per connection: the first client's point reached the second once, and nothing
    # came back to the first client but the server's own click.
    assert first.call("status")["received"] == 1
    assert second.call("status")["received"] == 2
    assert first.call("applied")[0] == 1
    assert second.call("applied")[0] == 2
    waitFor(lambda: linkedEngine.linkStatus()["sent"] == 3, describe=linkedEngine.linkStatus)


def test_a_plain_pyigtl_client_moves_the_views_and_receives_the_cursor_after_a_click(bench, anatomical, linkedEngine):
    port = freePort()
    linkedEngine.startLink("server", port=port)
    with peers(("pyigtl", "client", port)) as (client,):
        connectedPeers(linkedEngine, 1)
        waitFor(lambda: client.call("connected"))
        point = (10.25, -20.5, 5.125)
        client.call("send", list(point))
        waitFor(lambda: linkedEngine.linkStatus()["received"] == 1, tick=linkedEngine.pollLink)
        assertViewsThrough(bench, point)
        assert linkedEngine.lastResult is not None and sorted(linkedEngine.lastResult.movedNames) == sorted(bench.views)

        ras = bench.views["Red"].pixelToRAS(*CLICK)
        bench.views["Red"].click(*CLICK)
        positions = client.call("wait", 10.0)
        assert positions is not None, "the pyigtl client received no cursor"
        assert positions[0] == pytest.approx(ras, abs=TOLERANCE_MM)


def test_the_server_relays_a_clients_point_to_every_other_client_exactly_once_and_never_back(
    bench, anatomical, linkedEngine
):
    port = freePort()
    linkedEngine.startLink("server", port=port)
    with rawPeers(port, 3) as (sender, second, third):
        connectedPeers(linkedEngine, 3)
        point = (3.0, -7.5, 12.25)
        sender.send(pointMessage(point))
        assert second.receive(5) == (LINK_NAME, point)
        assert third.receive(5) == (LINK_NAME, point)
        waitFor(lambda: linkedEngine.pollLink())
        assertViewsThrough(bench, point)

        # The engine applied the relayed point without sending it again; its own click is the next message on
        # every connection, so nothing else was queued before it.
        ras = float32(bench.views["Red"].pixelToRAS(*CLICK))
        bench.views["Red"].click(*CLICK)
        for peer in (sender, second, third):
            assert peer.receive(5) == (LINK_NAME, pytest.approx(ras, abs=1e-4))
            assert peer.receive(NEVER) is None
        assert linkedEngine.linkStatus()["received"] == 1
        assert linkedEngine.linkStatus()["sent"] == 2 + 3


def test_malformed_and_far_messages_are_dropped_with_few_log_lines(bench, anatomical, linkedEngine, errorGuard, caplog):
    errorGuard.allow(r"SliceSync link: (dropped|malformed)")
    port = freePort()
    linkedEngine.startLink("server", port=port)
    before = [view.sliceToRAS() for view in bench.views.values()]
    good = (1.0, 2.0, 3.0)
    with rawPeers(port, 2) as (bad, marker):
        connectedPeers(linkedEngine, 2)
        badCRC = bytearray(pointMessage(good))
        badCRC[-1] ^= 0xFF
        truncated = pointMessage(good)
        header = pyigtl.MessageBase.parse_header(truncated[:58])
        shortBody = truncated[58:-10]
        shortHeader = struct.pack(
            ">H12s20sIIQQ", 1, b"POINT", LINK_NAME.encode(), 0, 0, len(shortBody), pyigtl.messages.CRC64(shortBody)
        )
        assert header["body_size"] == 136
        for message in (
            bytes(badCRC),
            shortHeader + shortBody,
            pointMessage((math.nan, 0.0, 0.0)),
            pointMessage((math.inf, 0.0, 0.0)),
            pointMessage((10001.0, 0.0, 0.0)),
            pointMessage((6000.0, 6000.0, 6000.0)),
            pointMessage((4.0, 5.0, 6.0), name="SomeOtherDevice"),
            pyigtl.TransformMessage(device_name=LINK_NAME).pack(),
        ):
            bad.send(message)
        with caplog.at_level("WARNING"):
            for _ in range(500):
                bad.send(pointMessage((math.nan, 1.0, 1.0)))
            marker.send(pointMessage(good))
            waitFor(lambda: linkedEngine.linkStatus()["received"] == 1, tick=linkedEngine.pollLink)
        assert linkedEngine.pollLink() is False
        assert [view.sliceToRAS() for view in bench.views.values()] != before
        assertViewsThrough(bench, good)
        linkLines = [r for r in caplog.records if r.getMessage().startswith("SliceSync link")]
        assert 1 <= len(linkLines) <= 2 * Link.LOG_LINES_PER_INTERVAL, [r.getMessage() for r in linkLines]
        assert bad.receive(5) == (LINK_NAME, good)  # the marker's point, relayed to the other client
        # A header announcing a body beyond the bound closes that connection only.
        bad.send(struct.pack(">H12s20sIIQQ", 1, b"POINT", LINK_NAME.encode(), 0, 0, 1 << 40, 0))
        assert bad.receive(5) is None
        waitFor(lambda: len(linkedEngine.linkStatus()["peers"]) == 1)
        marker.send(pointMessage((7.0, 8.0, 9.0)))
        waitFor(lambda: linkedEngine.linkStatus()["received"] == 2, tick=linkedEngine.pollLink)
        assertViewsThrough(bench, (7.0, 8.0, 9.0))


def test_a_client_started_before_its_server_returns_at_once_and_connects_when_the_server_starts(
    bench, anatomical, linkedEngine, enginePeers
):
    port = freePort()
    linkedEngine.startLink("client", port=port)
    assert linkedEngine.linkStatus() == {"connected": False, "peers": [], "sent": 0, "received": 0}
    bench.views["Red"].click(*CLICK)  # nobody to send to yet: dropped, never queued
    waitFor(lambda: linkedEngine._link.queuedCount() == 0)
    (server,) = enginePeers(1, "server", port)
    waitFor(lambda: linkedEngine.linkStatus()["connected"], tick=linkedEngine.pollLink)
    assert linkedEngine.linkStatus()["peers"] == [f"127.0.0.1:{port}"]
    ras = bench.views["Red"].pixelToRAS(*OTHER_CLICK)
    bench.views["Red"].click(*OTHER_CLICK)
    waitFor(lambda: peerThrough(server, ras))


def test_a_server_that_crashes_and_restarts_is_reconnected(bench, anatomical, linkedEngine, enginePeers):
    port = freePort()
    linkedEngine.startLink("client", port=port)
    (server,) = enginePeers(1, "server", port)
    waitFor(lambda: linkedEngine.linkStatus()["connected"], tick=linkedEngine.pollLink)
    server.kill()
    waitFor(lambda: not linkedEngine.linkStatus()["connected"], tick=linkedEngine.pollLink)
    bench.views["Red"].click(*CLICK)  # while disconnected: the UI thread goes on
    # Another process takes the port, as the restarted server would.
    (server,) = enginePeers(1, "server", port)
    waitFor(lambda: linkedEngine.linkStatus()["connected"], tick=linkedEngine.pollLink)
    ras = bench.views["Red"].pixelToRAS(*OTHER_CLICK)
    bench.views["Red"].click(*OTHER_CLICK)
    waitFor(lambda: peerThrough(server, ras))
    serverRAS, _ = server.call("click", ("Green", *CLICK))
    waitFor(lambda: linkedEngine.pollLink())
    assertViewsThrough(bench, serverRAS)


def test_a_client_that_crashes_leaves_the_server_serving_the_others(bench, anatomical, linkedEngine, enginePeers):
    port = freePort()
    linkedEngine.startLink("server", port=port)
    doomed, survivor = enginePeers(2, "client", port)
    connectedPeers(linkedEngine, 2)
    doomed.kill()
    connectedPeers(linkedEngine, 1)
    ras = bench.views["Red"].pixelToRAS(*CLICK)
    bench.views["Red"].click(*CLICK)
    waitFor(lambda: peerThrough(survivor, ras))


def test_a_port_in_use_gives_a_clear_error(engine):
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        threads = set(threading.enumerate())
        with pytest.raises(RuntimeError, match=rf"port {port} on 127.0.0.1 is already in use"):
            engine.startLink("server", port=port)
        assert set(threading.enumerate()) == threads
        assert engine.linkStatus()["connected"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("peer",), "role must be one of server, client"),
        (("server", "127.0.0.1", 0), "port must be an integer from 1 to 65535"),
        (("server", "127.0.0.1", "18944"), "port must be an integer"),
        (("client", ""), "host must be a non-empty"),
        (("client", "127.0.0.1", 18944, "x" * 21), "device name must be 1 to 20 bytes"),
    ],
)
def test_bad_link_arguments_raise_value_error(engine, args, message):
    with pytest.raises(ValueError, match=message):
        engine.startLink(*args)


def test_poll_link_before_start_and_after_stop_does_nothing_and_never_raises(bench, anatomical, engine):
    before = [view.sliceToRAS() for view in bench.views.values()]
    assert engine.pollLink() is False
    engine.stopLink()
    engine.startLink("server", port=freePort())
    engine.stopLink()
    assert engine.pollLink() is False
    assert [view.sliceToRAS() for view in bench.views.values()] == before


def test_after_stop_link_and_cleanup_no_thread_socket_or_observer_is_left(bench, anatomical):
    from SliceSyncLib import SliceSyncEngine

    threads = set(threading.enumerate())
    files = openFileDescriptors()
    counts = {name: observerCount(view.interactor) for name, view in bench.views.items()}
    sceneCount = observerCount(bench.scene)
    port = freePort()
    for role in ("server", "client", "server"):
        engine = SliceSyncEngine(bench.scene)
        for view in bench.views.values():
            engine.addView(view.sliceNode, view.interactor)
        engine.setEnabled(True)
        engine.startLink(role, port=port)
        with rawPeers(port, 2) if role == "server" else contextlib.nullcontext([]) as clients:
            if role == "server":
                connectedPeers(engine, len(clients))
            bench.views["Red"].click(*CLICK)
            assert len(set(threading.enumerate()) - threads) == 1
            if role == "client":
                engine.stopLink()
            else:
                engine.cleanup()  # stops the link too
        engine.cleanup()
        assert set(threading.enumerate()) == threads
        assert openFileDescriptors() == files
        assert {name: observerCount(view.interactor) for name, view in bench.views.items()} == counts
        assert observerCount(bench.scene) == sceneCount
        assert engine.linkStatus()["connected"] is False


def test_a_thousand_drag_steps_reach_the_peer_throttled_ending_exactly_at_the_last(
    bench, anatomical, linkedEngine, enginePeers
):
    port = freePort()
    linkedEngine.startLink("server", port=port)
    red = bench.views["Red"]
    width, height = red.size()
    steps = [(40 + (i * 7) % (width - 80), 40 + (i * 3) % (height - 80)) for i in range(1000)]
    (client,) = enginePeers(1, "client", port)
    connectedPeers(linkedEngine, 1)
    link = linkedEngine._link
    queued = []
    started = time.monotonic()
    red.press(*steps[0])
    for index, (x, y) in enumerate(steps[1:]):
        red.move(x, y)
        queued.append(link.queuedCount())
        if index % 2:
            time.sleep(0.005)
    lastRAS = red.pixelToRAS(*steps[-1])
    red.release(*steps[-1])
    elapsed = time.monotonic() - started

    def seen():
        return linkedEngine.linkStatus(), client.call("status"), client.call("distances", lastRAS), lastRAS

    waitFor(lambda: peerThrough(client, lastRAS), describe=seen)
    waitFor(lambda: link.queuedCount() == 0, describe=seen)
    sent = linkedEngine.linkStatus()["sent"]
    waitFor(lambda: client.call("status")["received"] == sent, describe=seen)
    # Throttled to one message per 20 ms at most (+1: the press, +1: the flush at the release).
    assert 2 <= sent <= elapsed / Link.DRAG_INTERVAL + 2
    assert max(queued) <= 2
    assert link.queuedCount() == 0
    applied = client.call("applied")[0]
    assert applied <= sent
    assertPeerViewsThrough(client, lastRAS)


@contextlib.contextmanager
def rawServer(port: int):
    """A plain OpenIGTLink server socket on 127.0.0.1:port; yields a function that accepts the engine's connection."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen(1)
        listener.settimeout(10)
        accepted = []

        def accept() -> RawPeer:
            sock, _ = listener.accept()
            peer = RawPeer.__new__(RawPeer)
            peer.sock, peer.buffer, peer.offset = sock, bytearray(), 0
            accepted.append(peer)
            return peer

        try:
            yield accept
        finally:
            for peer in accepted:
                peer.close()


def test_a_client_applies_received_points_without_sending_them_back_and_sends_syncto_unclamped(
    bench, anatomical, linkedEngine
):
    port = freePort()
    with rawServer(port) as accept:
        linkedEngine.startLink("client", port=port)
        server = accept()
        waitFor(lambda: linkedEngine.linkStatus()["connected"])
        received = (2.5, -4.0, 8.75)
        server.send(pointMessage(received))
        waitFor(lambda: linkedEngine.pollLink())
        assertViewsThrough(bench, received)
        # Far outside the volume: every view is clamped, the point sent is the cursor itself.
        outside = (300.5, -250.25, 400.125)
        result = linkedEngine.syncTo(outside)
        assert sorted(result.clampedNames) == sorted(bench.views)
        assert server.receive(5) == (LINK_NAME, outside)
        assert server.receive(NEVER) is None
        assert linkedEngine.linkStatus()["sent"] == 1
        assert linkedEngine.linkStatus()["received"] == 1


def test_of_several_points_in_one_message_the_first_is_used(bench, anatomical, linkedEngine):
    port = freePort()
    linkedEngine.startLink("server", port=port)
    with rawPeers(port, 1) as (client,):
        connectedPeers(linkedEngine, 1)
        first, second = (6.0, -3.0, 2.0), (-9.0, 11.0, -5.0)
        client.send(pyigtl.PointMessage(positions=[first, second], device_name=LINK_NAME).pack())
        waitFor(lambda: linkedEngine.pollLink())
        assertViewsThrough(bench, first)
        assert linkedEngine.linkStatus()["received"] == 1


def test_a_drag_sends_its_steps_throttled_and_its_last_position_at_the_end(bench, anatomical, linkedEngine):
    port = freePort()
    linkedEngine.startLink("server", port=port)
    red = bench.views["Red"]
    with rawPeers(port, 1) as (client,):
        connectedPeers(linkedEngine, 1)
        steps = [(60 + i, 80 + i // 2) for i in range(60)]
        started = time.monotonic()
        red.drag(steps)  # as fast as the bench goes: most steps fall inside one throttle interval
        elapsed = time.monotonic() - started
        last = float32(red.pixelToRAS(*steps[-1]))
        messages = []
        while not messages or messages[-1][1] != pytest.approx(last, abs=1e-4):
            message = client.receive(5)
            assert message is not None, f"the drag's last position never came; got {messages}"
            messages.append(message)
        assert client.receive(NEVER) is None
        assert 2 <= len(messages) <= elapsed / Link.DRAG_INTERVAL + 2


def test_a_peer_that_stops_reading_never_makes_the_queues_grow_and_gets_the_latest_cursor(errorGuard):
    errorGuard.allow(r"SliceSync link: .* does not keep up")
    port = freePort()
    link = Link.CursorLink("server", port=port)
    link.start()
    try:
        with rawPeers(port, 1) as (sleeper,):
            waitFor(lambda: link.status()["connected"])
            bound = Link.MAX_QUEUED_FINAL + Link.MAX_QUEUED_PER_PEER + 1
            largest = 0
            for index in range(10000):
                link.send((index * 0.001, 1.0, 2.0))
                largest = max(largest, link.queuedCount())
            assert largest <= bound
            last = float32((9999 * 0.001, 1.0, 2.0))
            messages = 0
            while True:
                message = sleeper.receive(5)
                assert message is not None, "the latest cursor never came"
                messages += 1
                if message[1] == last:
                    break
            assert messages < 10000  # old cursors were dropped, not queued without end
            assert link.status()["connected"]
    finally:
        link.stop()


def test_a_flooding_peer_leaves_one_point_for_each_poll(bench, anatomical, linkedEngine):
    port = freePort()
    linkedEngine.startLink("server", port=port)
    with rawPeers(port, 1) as (flooder,):
        connectedPeers(linkedEngine, 1)
        burst = b"".join(pointMessage((index % 100 * 0.05, -1.0, 3.0)) for index in range(5000))
        flooder.send(burst)
        waitFor(lambda: linkedEngine.linkStatus()["received"] == 5000)
        assert linkedEngine.pollLink() is True
        assert linkedEngine.pollLink() is False
        assertViewsThrough(bench, float32((99 * 0.05, -1.0, 3.0)))


def test_a_point_with_an_openigtlink_3_header_and_metadata_is_read(bench, anatomical, linkedEngine):
    port = freePort()
    linkedEngine.startLink("server", port=port)
    with rawPeers(port, 1) as (client,):
        connectedPeers(linkedEngine, 1)
        point = (-4.5, 7.25, 1.0)
        message = pyigtl.PointMessage(positions=[point], device_name=LINK_NAME)
        message.header_version = 2
        message.metadata = {"Sender": "a navigation system"}
        client.send(message.pack())
        waitFor(lambda: linkedEngine.pollLink())
        assertViewsThrough(bench, point)


def test_large_messages_of_other_types_and_devices_are_skipped_and_the_connection_kept(bench, anatomical, linkedEngine):
    port = freePort()
    linkedEngine.startLink("server", port=port)
    with rawPeers(port, 1) as (tracker,):
        connectedPeers(linkedEngine, 1)
        image = pyigtl.ImageMessage(
            image=numpy.zeros((40, 80, 80), dtype=numpy.uint8), device_name="Image_Reference"
        ).pack()
        assert len(image) > Link.MAX_BODY_SIZE
        other = pyigtl.PointMessage(positions=[[0.0, 0.0, 0.0]] * 600, device_name="Stylus").pack()
        point = (5.5, -6.5, 2.0)
        tracker.send(image + other + image + pointMessage(point))
        waitFor(lambda: linkedEngine.pollLink())
        assertViewsThrough(bench, point)
        assert linkedEngine.linkStatus()["peers"] != []


def test_nudges_and_history_steps_send_the_cursor_once_each(bench, anatomical, linkedEngine):
    port = freePort()
    linkedEngine.startLink("server", port=port)
    red = bench.views["Red"]
    with rawPeers(port, 1) as (client,):
        connectedPeers(linkedEngine, 1)
        red.click(*CLICK)
        clicked = client.receive(5)
        assert clicked is not None and clicked[1] == pytest.approx(linkedEngine.cursorRAS(), abs=1e-4)
        linkedEngine.nudge(red.sliceNode, 1, 0, 0)
        nudged = linkedEngine.cursorRAS()
        assert nudged != pytest.approx(clicked[1], abs=1e-3)
        assert client.receive(5) == (LINK_NAME, pytest.approx(nudged, abs=1e-4))
        assert linkedEngine.back() is not None
        assert client.receive(5) == (LINK_NAME, pytest.approx(clicked[1], abs=1e-4))
        assert linkedEngine.forward() is not None
        assert client.receive(5) == (LINK_NAME, pytest.approx(nudged, abs=1e-4))
        assert client.receive(NEVER) is None
        waitFor(lambda: linkedEngine.linkStatus()["sent"] == 4, describe=linkedEngine.linkStatus)
