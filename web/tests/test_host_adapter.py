"""registerTrameSlicerViews on trame-slicer's own views (no browser): views now and views created later are synced."""

from __future__ import annotations

import asyncio

import pytest

trame_slicer = pytest.importorskip("trame_slicer", reason="trame-slicer is installed in the web environment only")

from trame_slicer.core import SlicerApp  # noqa: E402
from trame_slicer.views import DirectViewFactory, ViewLayoutDefinition  # noqa: E402

from SliceSyncLib import SliceSyncEngine  # noqa: E402
from TrameSlicerHost import registerTrameSlicerViews  # noqa: E402


def planeOffset(sliceNode) -> float:
    matrix = sliceNode.GetSliceToRAS()
    normal = [matrix.GetElement(i, 2) for i in range(3)]
    return sum(normal[i] * matrix.GetElement(i, 3) for i in range(3))


def pointOffset(sliceNode, point) -> float:
    matrix = sliceNode.GetSliceToRAS()
    return sum(matrix.GetElement(i, 2) * point[i] for i in range(3))


@pytest.fixture
def app():
    slicerApp = SlicerApp()
    slicerApp.view_manager.register_factory(DirectViewFactory(do_render_offscreen=True))
    engine = SliceSyncEngine(slicerApp.scene)
    yield slicerApp, engine
    engine.cleanup()


def test_the_adapter_registers_existing_views_and_views_created_later(app):
    slicerApp, engine = app
    manager = slicerApp.view_manager
    axial = manager.create_view(ViewLayoutDefinition.axial_view())
    sagittal = manager.create_view(ViewLayoutDefinition.sagittal_view())
    host = registerTrameSlicerViews(manager, engine)
    try:
        assert set(engine.views()) == {axial.get_view_node(), sagittal.get_view_node()}

        async def createLater():
            view = manager.create_view(ViewLayoutDefinition.coronal_view())
            await asyncio.sleep(0)  # the adapter looks again once the event loop is free
            await asyncio.sleep(0)
            return view

        coronal = asyncio.run(createLater())
        assert coronal.get_view_node() in engine.views()

        # As a layout manager does: the views are shown (mapped), so a sync moves them at once.
        manager.set_current_view_ids([view.get_singleton_tag() for view in (axial, sagittal, coronal)])
        engine.setEnabled(True)
        point = (12.5, -20.25, 7.75)
        engine.syncTo(point, axial.get_view_node())
        for view in (sagittal, coronal):
            node = view.get_view_node()
            assert abs(planeOffset(node) - pointOffset(node, point)) < 1e-3

        manager.remove_view(sagittal.get_singleton_tag())
        assert host.refresh() == sorted([axial.get_view_node().GetID(), coronal.get_view_node().GetID()])
        assert sagittal.get_view_node() not in engine.views()
    finally:
        host.cleanup()
    assert engine.views() == []


def pressKey(interactor, keySym: str, ctrl: int = 0, shift: int = 0) -> str:
    """Deliver a key press as trame-rca does (browser key name); return the key symbol observers saw last."""
    interactor.SetKeyEventInformation(ctrl, shift, "\0", 0, keySym)
    interactor.InvokeEvent("KeyPressEvent")
    return interactor.GetKeySym()


def test_browser_key_names_reach_the_views_as_vtk_key_symbols_so_nudge_keys_work(app):
    slicerApp, engine = app
    manager = slicerApp.view_manager
    axial = manager.create_view(ViewLayoutDefinition.axial_view())
    sagittal = manager.create_view(ViewLayoutDefinition.sagittal_view())
    manager.set_current_view_ids([view.get_singleton_tag() for view in (axial, sagittal)])
    host = registerTrameSlicerViews(manager, engine)
    interactor = axial.interactor()
    try:
        engine.setEnabled(True)
        start = (10.0, -5.0, 3.0)
        engine.syncTo(start, axial.get_view_node())
        step = engine.nudgeStep(axial.get_view_node())
        assert pressKey(interactor, "ArrowRight", ctrl=1, shift=1) == "Right"
        moved = engine.cursorRAS()
        assert moved is not None and moved != start
        # Ctrl+Shift+Right moves the cursor one step along the view's screen x axis (towards patient left in Slicer's
        # radiological axial view).
        sliceToRAS = axial.get_view_node().GetSliceToRAS()
        expected = [start[i] + step[0] * sliceToRAS.GetElement(i, 0) for i in range(3)]
        assert max(abs(moved[i] - expected[i]) for i in range(3)) < 1e-3
        node = sagittal.get_view_node()
        assert abs(planeOffset(node) - pointOffset(node, moved)) < 1e-3
        assert [pressKey(interactor, name) for name in ("PageUp", "PageDown", "ArrowUp", "a")] == [
            "Prior",
            "Next",
            "Up",
            "a",
        ]
    finally:
        host.cleanup()
    assert pressKey(interactor, "ArrowRight") == "ArrowRight"
