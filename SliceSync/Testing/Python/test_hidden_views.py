"""Hidden views (not mapped in the layout) are moved only when they are shown, once, through the same path.

Slicer keeps the slice views of layouts used earlier and marks the ones it shows with MappedInLayout. A sync moves
the registered views that are mapped; a hidden one takes the last point it missed when it is mapped again.
"""

from __future__ import annotations

import numpy as np
import pytest
import vtk

from SliceSyncBench import ModifiedCounter, sliceBounds, sliceOffset
from SliceSyncLib.ViewBinding import SyncSettings, ViewBinding

TOLERANCE_MM = 1e-3
HIDDEN = (("Slice4", "Sagittal"), ("Slice5", "Coronal"), ("Slice6", "Axial"))


@pytest.fixture
def hidden(bench, anatomical):
    """Three more views of the anatomical volume, hidden as the layout manager hides views of earlier layouts."""
    views = []
    for name, orientation in HIDDEN:
        view = bench.addView(name, orientation)
        bench.showVolume(anatomical, [view])
        view.sliceNode.SetMappedInLayout(0)
        views.append(view)
    return views


@pytest.fixture
def allEngine(hidden, engine):
    """The suite's engine, made after the hidden views exist: the three shown and the three hidden registered."""
    return engine


def observerCount(obj: vtk.vtkObject) -> int:
    """Python observers on ``obj`` (Slicer drops C++ observers of its own when a node leaves the scene)."""
    probe = obj.AddObserver(vtk.vtkCommand.UserEvent, _ignore)
    obj.RemoveObserver(probe)
    commands = (obj.GetCommand(tag) for tag in range(1, probe))
    return sum(1 for command in commands if command is not None and command.GetClassName() == "vtkPythonCommand")


def _ignore(caller: vtk.vtkObject, event: str) -> None:
    """A probe observer that does nothing."""


def clickAt(view, dx: int = -30, dy: int = 20):
    width, height = view.size()
    pixel = (width // 2 + dx, height // 2 + dy)
    view.click(*pixel)
    return view.pixelToRAS(*pixel)


def test_click_moves_shown_views_and_leaves_hidden_views_untouched(bench, hidden, allEngine):
    before = {view.name: view.sliceToRAS() for view in hidden}
    with ModifiedCounter(hidden) as counter:
        point = clickAt(bench.views["Red"])
    for name in ("Yellow", "Green"):
        assert abs(bench.views[name].distanceToPlane(point)) <= TOLERANCE_MM
    assert {view.name: view.sliceToRAS() for view in hidden} == before
    assert counter.counts == {name: 0 for name, _ in HIDDEN}
    assert sorted(allEngine.lastResult.deferredNames) == ["Slice4", "Slice5", "Slice6"]
    assert sorted(allEngine.lastResult.movedNames) == ["Green", "Yellow"]
    assert "hidden, will follow when shown" in allEngine.lastResult.summary()


def test_hidden_view_takes_the_last_point_once_when_the_host_maps_it(bench, hidden, allEngine):
    red, sagittal = bench.views["Red"], hidden[0]
    clickAt(red, -50, 10)
    point = clickAt(red, 25, -15)  # the later click is the one a hidden view must take
    assert abs(sagittal.distanceToPlane(point)) > 1.0, "the test needs a hidden view away from the point"
    with ModifiedCounter([sagittal]) as counter:
        sagittal.sliceNode.SetMappedInLayout(1)
    assert abs(sagittal.distanceToPlane(point)) <= TOLERANCE_MM
    assert counter.counts["Slice4"] == 2, "one ModifiedEvent for being mapped, one for the jump"
    moved = sagittal.sliceToRAS()
    with ModifiedCounter([sagittal]) as counter:
        sagittal.sliceNode.SetMappedInLayout(0)
        sagittal.sliceNode.SetMappedInLayout(1)
        sagittal.sliceNode.Modified()
    assert sagittal.sliceToRAS() == moved, "a view is brought to the cursor exactly once"
    assert counter.counts["Slice4"] == 3
    assert observerCount(sagittal.sliceNode) == observerCount(hidden[1].sliceNode) - 1, (
        "the shown view's wait observer is gone; Slice5 still waits"
    )


def test_shown_view_keeps_its_pan_in_offset_mode_and_is_centred_in_centered_mode(bench, hidden, allEngine):
    red, coronal, axial = bench.views["Red"], hidden[1], hidden[2]
    allEngine.setJumpMode("centered")
    point = clickAt(bench.views["Yellow"], 20, 30)
    coronal.sliceNode.SetMappedInLayout(1)
    origin = np.array(coronal.sliceToRAS()).reshape(4, 4)[:3, 3]
    assert np.allclose(origin, point, atol=TOLERANCE_MM), "centered: the slice origin is the point"
    assert coronal.sliceNode.GetXYZOrigin() == (0.0, 0.0, 0.0)
    allEngine.setJumpMode("offset")
    panBefore = np.array(axial.sliceToRAS()).reshape(4, 4)[:2, 3]
    assert abs(axial.distanceToPlane(point)) > 1.0
    axial.sliceNode.SetMappedInLayout(1)
    after = np.array(axial.sliceToRAS()).reshape(4, 4)
    assert abs(axial.distanceToPlane(point)) <= TOLERANCE_MM
    assert np.allclose(after[:2, 3], panBefore, atol=TOLERANCE_MM), "offset keeps the in-plane pan"
    assert red.sliceNode.IsMappedInLayout() == 1


def test_shown_view_is_clamped_to_its_own_volume(bench, hidden, allEngine):
    sagittal = hidden[0]
    red = bench.views["Red"]
    width, height = red.size()
    centre = red.pixelToRAS(width // 2, height // 2)
    # A thin volume 20 mm to the right of the point, shown only in the hidden sagittal view.
    affine = np.eye(4)
    affine[:3, 3] = (centre[0] + 20.0, centre[1] - 20.0, centre[2] - 20.0)
    thin = bench.addSyntheticVolume("thin", (4, 40, 40), affine)
    bench.showVolume(thin, [sagittal], fit=False)
    red.click(width // 2, height // 2)
    sagittal.sliceNode.SetMappedInLayout(1)
    low, high = sliceBounds(sagittal, thin)
    assert low - TOLERANCE_MM <= sliceOffset(sagittal) <= high + TOLERANCE_MM
    nearest = min((low, high), key=lambda bound: abs(bound - sliceOffset(sagittal)))
    assert abs(sliceOffset(sagittal) - nearest) <= TOLERANCE_MM
    assert abs(sagittal.distanceToPlane(centre)) >= 20.0 - TOLERANCE_MM
    # The anatomical volume, shown in the mapped views, does not clamp: they pass through the point.
    assert abs(bench.views["Yellow"].distanceToPlane(centre)) <= TOLERANCE_MM


def test_drag_leaves_hidden_views_until_shown_then_they_take_the_release_point(bench, hidden, allEngine):
    red, coronal = bench.views["Red"], hidden[1]
    before = coronal.sliceToRAS()
    width, height = red.size()
    path = [(width // 2 + step * 6, height // 2 - step * 4) for step in range(6)]
    with ModifiedCounter([coronal]) as counter:
        red.drag(path)
    assert coronal.sliceToRAS() == before and counter.counts["Slice5"] == 0
    coronal.sliceNode.SetMappedInLayout(1)
    end = red.pixelToRAS(*path[-1])
    assert abs(coronal.distanceToPlane(end)) <= TOLERANCE_MM
    assert abs(bench.views["Green"].distanceToPlane(end)) <= TOLERANCE_MM


def test_removed_or_unregistered_hidden_views_are_released(bench, hidden, allEngine):
    baseline = {view.name: observerCount(view.sliceNode) for view in hidden}
    clickAt(bench.views["Red"])
    assert all(observerCount(view.sliceNode) == baseline[view.name] + 1 for view in hidden)
    allEngine.removeView(hidden[0].sliceNode)
    assert observerCount(hidden[0].sliceNode) == baseline["Slice4"]
    before = hidden[0].sliceToRAS()
    hidden[0].sliceNode.SetMappedInLayout(1)
    assert hidden[0].sliceToRAS() == before, "an unregistered view is not moved"
    node = hidden[1].sliceNode
    bench.scene.RemoveNode(node)
    assert observerCount(node) == baseline["Slice5"]
    allEngine.cleanup()
    assert observerCount(hidden[2].sliceNode) == baseline["Slice6"]
    del bench.views["Slice5"]  # its node left the scene; the bench must not touch it again


def handles(bench):
    """What the module's Logic passes: every slice view the layout manager knows, shown or hidden."""
    return [(name, view.sliceNode, view.interactor) for name, view in bench.views.items()]


def switchLayout(bench, shown):
    """What Slicer's layout manager does on a layout change: map the views of the new layout, unmap the others."""
    for name, view in bench.views.items():
        view.sliceNode.SetMappedInLayout(1 if name in shown else 0)


def test_layout_change_through_view_binding_brings_newly_shown_views_to_the_cursor(bench, hidden):
    baseline = {name: observerCount(view.sliceNode) for name, view in bench.views.items()}
    binding = ViewBinding(bench.scene)
    try:
        binding.setViews(handles(bench))
        binding.applySettings(SyncSettings(enabled=True, jumpMode="offset"))
        assert binding.viewNames() == sorted(bench.views)
        point = clickAt(bench.views["Yellow"])
        yellowBefore = bench.views["Yellow"].sliceToRAS()
        # The user switches to a layout showing Red, Slice4 and Slice5; Yellow, Green and Slice6 are kept hidden.
        switchLayout(bench, {"Red", "Slice4", "Slice5"})
        binding.setViews(handles(bench))
        for name in ("Slice4", "Slice5"):
            assert abs(bench.views[name].distanceToPlane(point)) <= TOLERANCE_MM
        assert abs(bench.views["Slice6"].distanceToPlane(point)) > 1.0, "Slice6 stays hidden and unmoved"
        # A click in a newly shown view moves the shown Red, not the now hidden Yellow...
        second = clickAt(bench.views["Slice5"], 15, 25)
        assert abs(bench.views["Red"].distanceToPlane(second)) <= TOLERANCE_MM
        assert bench.views["Yellow"].sliceToRAS() == yellowBefore
        # ...until the user switches back: then Yellow takes the latest point.
        switchLayout(bench, {"Red", "Yellow", "Green"})
        binding.setViews(handles(bench))
        assert abs(bench.views["Yellow"].distanceToPlane(second)) <= TOLERANCE_MM
        assert abs(bench.views["Green"].distanceToPlane(second)) <= TOLERANCE_MM
    finally:
        binding.cleanup()
    assert {name: observerCount(view.sliceNode) for name, view in bench.views.items()} == baseline


def test_hidden_view_stays_put_when_shown_after_sync_is_turned_off(bench, hidden, allEngine):
    sagittal = hidden[0]
    baseline = observerCount(sagittal.sliceNode)
    point = (sliceOffset(sagittal) + 20.0, 0.0, 0.0)
    allEngine.syncTo(point)
    assert sorted(allEngine.lastResult.deferredNames) == ["Slice4", "Slice5", "Slice6"]
    assert observerCount(sagittal.sliceNode) == baseline + 1, "the hidden view waits for the point"
    before = sagittal.sliceToRAS()
    allEngine.setEnabled(False)
    assert observerCount(sagittal.sliceNode) == baseline
    sagittal.sliceNode.SetMappedInLayout(1)
    assert np.allclose(sagittal.sliceToRAS(), before, atol=TOLERANCE_MM)
    assert abs(sagittal.distanceToPlane(point)) > 1.0
    allEngine.setEnabled(True)
    sagittal.sliceNode.SetMappedInLayout(0)
    sagittal.sliceNode.SetMappedInLayout(1)
    assert np.allclose(sagittal.sliceToRAS(), before, atol=TOLERANCE_MM), "the dropped point is not taken later"


def test_host_that_marks_no_view_mapped_has_every_view_moved_at_once(bench, anatomical, engine):
    """Without a layout manager nothing sets MappedInLayout (it defaults to 0): such views are all shown."""
    for view in bench.views.values():
        view.sliceNode.SetMappedInLayout(0)
    point = clickAt(bench.views["Red"])
    for name in ("Yellow", "Green"):
        assert abs(bench.views[name].distanceToPlane(point)) <= TOLERANCE_MM
    assert sorted(engine.lastResult.movedNames) == ["Green", "Yellow"]
    assert engine.lastResult.deferredNames == []
