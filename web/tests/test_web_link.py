"""The web viewer's --link: an OpenIGTLink peer's POINT moves the viewer's views (the server process as shipped)."""

from __future__ import annotations

import contextlib
import os
import socket

import pytest

pytest.importorskip("trame_slicer", reason="trame-slicer is installed in the web environment only")
pyigtl = pytest.importorskip("pyigtl")

from WebHarness import VIEW_NAMES, ViewerServer, freePort, waitFor  # noqa: E402

TOLERANCE_MM = 1e-3


def anatomicalPath() -> str:
    """nibabel's anatomical.nii (the default template needs nilearn, which not every environment has)."""
    import nibabel

    return os.path.join(os.path.dirname(nibabel.__file__), "tests", "data", "anatomical.nii")


def planeDistance(view: dict, point) -> float:
    m = view["sliceToRAS"]
    normal, origin = (m[2], m[6], m[10]), (m[3], m[7], m[11])
    return sum(n * (p - o) for n, p, o in zip(normal, point, origin))


def test_the_web_viewer_linked_as_a_server_follows_a_point_from_an_openigtlink_client():
    linkPort = freePort()
    server = ViewerServer(anatomicalPath(), extraArgs=["--link", "server", "--link-port", str(linkPort)])
    try:
        server.start()
        point = (3.0, -7.5, 12.25)  # inside the volume
        with contextlib.closing(socket.create_connection(("127.0.0.1", linkPort), timeout=10)) as peer:
            peer.sendall(pyigtl.PointMessage(positions=[point], device_name="SliceSyncCursor").pack())
            state = waitFor(
                lambda: (lambda s: s if s.get("lastSync") and s["lastSync"]["point"] == list(point) else None)(
                    server.state()
                ),
                30,
                "the viewer to sync to the linked point",
            )
        assert state["lastSync"]["source"] is None
        for name in VIEW_NAMES:
            distance = planeDistance(state["views"][name], point)
            assert abs(distance) < TOLERANCE_MM, f"{name} is {distance} mm from {point}"
    finally:
        server.stop()


def test_the_web_viewer_refuses_a_link_port_in_use_with_one_line():
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        server = ViewerServer(anatomicalPath(), extraArgs=["--link", "server", "--link-port", str(port)])
        try:
            with pytest.raises(AssertionError, match=rf"port {port} on 127.0.0.1 is already in use"):
                server.start()
            assert server.process.wait(30) == 2
        finally:
            server.stop()
