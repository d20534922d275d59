"""RemoteInputGuard in front of real trame-slicer views: trame-rca's own view adapters and remote-controlled windows,
Slicer's interactors and a SliceSync engine, with events given to the adapters exactly as trame-rca's RPC gives them.

Only trame-rca's frame streamer is stood in (nothing is streamed here). Which browser sent an event is a variable
the test sets, as wslink's ``last_active_client_id`` is in the server.
"""

from __future__ import annotations

import itertools
import math

import pytest

pytest.importorskip("trame_slicer", reason="trame-slicer is installed in the web environment only")

import vtk  # noqa: E402
from trame.app import get_server  # noqa: E402
from trame_rca.protocol import StreamManager  # noqa: E402
from trame_rca.utils import RcaViewAdapter  # noqa: E402
from trame_slicer.core import SlicerApp  # noqa: E402
from trame_slicer.rca_view.rca_view_factory import RcaWindow  # noqa: E402
from trame_slicer.views import DirectViewFactory, ViewLayoutDefinition  # noqa: E402

from RemoteInput import RemoteInputGuard  # noqa: E402
from SliceSyncLib import SliceSyncEngine  # noqa: E402
from TrameSlicerHost import registerTrameSlicerViews  # noqa: E402

TOLERANCE_MM = 1e-3
VIEW_PIXELS = 480
NAMES = ("Red", "Yellow", "Green")
SERVER_NUMBERS = itertools.count()


class StandInScheduler:
    """Stands in for trame-rca's render scheduler, which encodes and streams frames on an asyncio loop."""

    def __init__(self, rca: RcaWindow) -> None:
        self.rca = rca

    def set_push_callback(self, _callback) -> None:
        return None

    def schedule_render(self) -> None:
        return None


class Rig:
    """Three trame-slicer slice views under one engine, each behind a trame-rca adapter the guard watches."""

    def __init__(self) -> None:
        self.slicerApp = SlicerApp()
        manager = self.slicerApp.view_manager
        manager.register_factory(DirectViewFactory(do_render_offscreen=True))
        definitions = (ViewLayoutDefinition.axial_view(), ViewLayoutDefinition.sagittal_view())
        self.views = [manager.create_view(d) for d in definitions + (ViewLayoutDefinition.coronal_view(),)]
        manager.set_current_view_ids([view.get_singleton_tag() for view in self.views])
        self.engine = SliceSyncEngine(self.slicerApp.scene)
        self.host = registerTrameSlicerViews(manager, self.engine)
        self.engine.setEnabled(True)
        self.server = get_server(f"slicesync-remote-input-{next(SERVER_NUMBERS)}", client_type="vue3")
        self.client = "A"
        self.streams = StreamManager()  # trame-rca's RPC protocol, set up as its module does
        self.server.controller.rc_area_register = self.streams.register_area
        self.ignored: list[str] = []
        self.guard = RemoteInputGuard(self.server, clientId=lambda: self.client, onIgnoredPress=self.ignored.append)
        self.adapters = {}
        for name, view in zip(NAMES, self.views):
            window = RcaWindow(view.render_window(), state=self.server.state, active_view_cursor=f"{name}_cursor")
            adapter = RcaViewAdapter(window, name, scheduler=StandInScheduler(window))
            self.server.controller.rc_area_register(adapter)  # as trame-slicer registers each view's adapter
            adapter.update_size("region", {"w": VIEW_PIXELS, "h": VIEW_PIXELS, "p": 1})
            self.adapters[name] = adapter

    def node(self, name: str):
        return self.views[NAMES.index(name)].get_view_node()

    def send(self, name: str, kind: str, x: float, y: float, size: int = VIEW_PIXELS, button: bool = False) -> None:
        """One event as trame-rca's page sends it (y from the bottom), given to the adapter as its RPC does."""
        event = {"type": kind, "action": "down" if button else "up", "x": x, "y": y, "w": size, "h": size, "p": 1}
        event.update({"buttonLeft": int(button), "buttonMiddle": 0, "buttonRight": 0})
        event.update({"shiftKey": 0, "altKey": 0, "ctrlKey": 0, "metaKey": 0})
        self.streams.on_interaction(name, "region", event)  # trame-rca's "trame.rca.event" RPC

    def pixelRAS(self, name: str, x: float, y: float) -> tuple:
        return tuple(self.node(name).GetXYToRAS().MultiplyPoint((x, y, 0.0, 1.0))[:3])

    def planes(self) -> list:
        matrices = [self.node(name).GetSliceToRAS() for name in NAMES]
        return [[matrix.GetElement(i, j) for i in range(4) for j in range(4)] for matrix in matrices]

    def assertTargetsThrough(self, source: str, point) -> None:
        for name in NAMES:
            if name == source:
                continue
            matrix = self.node(name).GetSliceToRAS()
            normal = [matrix.GetElement(i, 2) for i in range(3)]
            offset = sum(normal[i] * (point[i] - matrix.GetElement(i, 3)) for i in range(3))
            assert abs(offset) < TOLERANCE_MM, f"{name} is {offset:+.4f} mm off {point}"

    def close(self) -> None:
        self.guard.cleanup()
        self.host.cleanup()
        self.engine.cleanup()


@pytest.fixture
def rig():
    current = Rig()
    yield current
    current.close()


def test_a_press_from_a_view_the_browser_has_not_measured_is_dropped_and_moves_nothing(rig):
    planes = rig.planes()
    rig.send("Red", "LeftButtonPress", 192, -182, size=10, button=True)
    rig.send("Red", "LeftButtonRelease", 192, -182, size=10)
    assert rig.guard.droppedEvents() == 2
    assert rig.ignored == ["Red"]  # the press is reported (the viewer says so); the release is not
    assert rig.planes() == planes
    assert rig.engine.cursorRAS() is None


def test_a_measured_click_syncs_through_its_pixel(rig):
    rig.send("Red", "MouseMove", 200, 240)
    rig.send("Red", "LeftButtonPress", 200, 240, button=True)
    rig.send("Red", "LeftButtonRelease", 200, 240)
    point = rig.pixelRAS("Red", 200, 240)
    assert math.dist(rig.engine.cursorRAS(), point) < TOLERANCE_MM
    rig.assertTargetsThrough("Red", point)
    assert rig.guard.droppedEvents() == 0


def test_the_release_of_a_held_button_is_kept_when_the_view_reports_the_placeholder_size_again(rig):
    # A layout change in another tab re-mounts this tab's view mid-drag: its release comes with the 10 x 10 size.
    rig.send("Red", "MouseMove", 200, 240)
    rig.send("Red", "LeftButtonPress", 200, 240, button=True)
    rig.send("Red", "MouseMove", 260, 250, button=True)
    dragged = rig.pixelRAS("Red", 260, 250)
    rig.assertTargetsThrough("Red", dragged)
    rig.send("Red", "LeftButtonRelease", 5, -200, size=10)
    assert rig.guard.droppedEvents() == 0
    # The view's button is up: hovering moves nothing.
    planes = rig.planes()
    for x in (100, 150, 300):
        rig.send("Red", "MouseMove", x, 120)
    assert rig.planes() == planes
    assert math.dist(rig.engine.cursorRAS(), dragged) < TOLERANCE_MM


def test_closing_a_browser_releases_the_buttons_it_held_where_it_last_pointed(rig):
    released = []
    interactor = rig.views[0].interactor()
    tag = interactor.AddObserver(
        vtk.vtkCommand.LeftButtonReleaseEvent, lambda caller, _event: released.append(caller.GetEventPosition())
    )
    try:
        rig.send("Red", "MouseMove", 200, 240)
        rig.send("Red", "LeftButtonPress", 200, 240, button=True)
        rig.send("Red", "MouseMove", 230, 260, button=True)
        assert rig.guard.onConnectionClosed("A") == 1
    finally:
        interactor.RemoveObserver(tag)
    assert released == [(230, 260)]
    assert rig.guard.releasedButtons() == 1
    planes = rig.planes()
    rig.client = "B"
    rig.send("Red", "MouseMove", 120, 300)  # another browser hovering where the drag was
    assert rig.planes() == planes
    assert rig.guard.onConnectionClosed("A") == 0  # nothing left to release
    assert rig.guard.onConnectionClosed("B") == 0
    assert rig.guard._lastPointer == {}  # a browser that only hovered leaves nothing behind either


def test_one_browser_leaving_does_not_end_another_browsers_drag(rig):
    rig.send("Red", "MouseMove", 200, 240)
    rig.send("Red", "LeftButtonPress", 200, 240, button=True)
    assert rig.guard.onConnectionClosed("B") == 0  # another tab reloads
    rig.send("Red", "MouseMove", 280, 220, button=True)
    rig.assertTargetsThrough("Red", rig.pixelRAS("Red", 280, 220))
    rig.send("Red", "LeftButtonRelease", 280, 220)
    assert rig.guard.onConnectionClosed("A") == 0  # released by the browser itself


def test_size_reports_count_the_browsers_measurements_not_the_servers_own_resizes(rig):
    reports = rig.guard.sizeReports()
    assert reports == {name: 1 for name in NAMES}
    rig.adapters["Red"].scale = 2  # trame-rca resizes the view itself, with origin "self"
    assert rig.guard.sizeReports() == reports
    rig.adapters["Red"].update_size("region", {"w": VIEW_PIXELS, "h": VIEW_PIXELS, "p": 1})
    assert rig.guard.sizeReports()["Red"] == 2


def test_cleanup_gives_the_adapters_their_own_methods_back_and_guards_no_new_one(rig):
    rig.guard.cleanup()
    for adapter in rig.adapters.values():
        assert "on_interaction" not in vars(adapter) and "update_size" not in vars(adapter)
    rig.send("Red", "LeftButtonPress", 192, 240, size=VIEW_PIXELS, button=True)
    rig.send("Red", "LeftButtonRelease", 192, 240)
    assert rig.guard.droppedEvents() == 0 and rig.guard.sizeReports() == {name: 1 for name in NAMES}
    extra = RcaViewAdapter(rig.adapters["Red"]._rca, "Extra", scheduler=StandInScheduler(rig.adapters["Red"]._rca))
    rig.server.controller.rc_area_register(extra)
    assert "on_interaction" not in vars(extra)
    assert rig.streams._area_adapters["Extra"] is extra  # trame-rca's own registration still runs
    assert rig.guard.onConnectionClosed("A") == 0


def test_a_guard_made_after_the_server_started_is_refused():
    class StartedServer:
        running = True

    with pytest.raises(ValueError, match="before the trame server starts"):
        RemoteInputGuard(StartedServer())
