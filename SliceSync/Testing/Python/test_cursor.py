"""The synced point as a cursor: snap to voxels, nudge, back/forward history. Real views, events and files."""

from __future__ import annotations

import math

import numpy as np
import pytest
import slicer
import vtk

from SliceSyncBench import obliqueAffine, pressKey, sliceOffset
from SliceSyncLib import MAX_COORDINATE_MM, SliceSyncEngine
from SliceSyncLib.Cursor import HISTORY_LIMIT

TOLERANCE_MM = 1e-6
IJK_TOLERANCE = 1e-6

# A 1 x 1 x 5 mm volume, off-centre, axis-aligned (as the NIfTI file says; Slicer reads it as RAS).
ANISOTROPIC_SHAPE = (24, 28, 12)


def anisotropicAffine():
    affine = np.diag([1.0, 1.0, 5.0, 1.0])
    affine[:3, 3] = (-11.0, -13.0, -27.0)
    return affine


@pytest.fixture
def anisotropic(bench):
    """A 1 x 1 x 5 mm volume written to NIfTI, read with Slicer's reader and shown in every view."""
    volume = bench.addSyntheticVolume("anisotropic", ANISOTROPIC_SHAPE, anisotropicAffine())
    bench.showVolume(volume)
    return volume


def worldToIJK(volume: slicer.vtkMRMLVolumeNode, point) -> tuple[float, float, float]:
    """Slicer's own world-to-IJK of ``volume`` (through its linear parent transform, if any)."""
    rasToIJK = vtk.vtkMatrix4x4()
    volume.GetRASToIJKMatrix(rasToIJK)
    parent = volume.GetParentTransformNode()
    if parent is not None:
        fromWorld = vtk.vtkMatrix4x4()
        parent.GetMatrixTransformFromWorld(fromWorld)
        vtk.vtkMatrix4x4.Multiply4x4(rasToIJK, fromWorld, rasToIJK)
    return tuple(rasToIJK.MultiplyPoint((*point, 1.0))[:3])


def assertVoxelCentre(volume, point) -> tuple[int, int, int]:
    ijk = worldToIJK(volume, point)
    rounded = tuple(round(c) for c in ijk)
    assert all(abs(c - r) <= IJK_TOLERANCE for c, r in zip(ijk, rounded)), ijk
    dims = volume.GetImageData().GetDimensions()
    assert all(0 <= r < d for r, d in zip(rounded, dims)), (rounded, dims)
    return rounded


def axis(view, k: int) -> np.ndarray:
    m = view.sliceNode.GetSliceToRAS()
    v = np.array([m.GetElement(r, k) for r in range(3)])
    return v / np.linalg.norm(v)


def makeOblique(view, aboutS: float = 30.0, aboutA: float = 20.0) -> None:
    """Turn an axial view oblique: its SliceToRAS rotated about S, then about A (degrees)."""
    transform = vtk.vtkTransform()
    transform.RotateY(aboutA)
    transform.RotateZ(aboutS)
    m = view.sliceNode.GetSliceToRAS()
    rotated = vtk.vtkMatrix4x4()
    vtk.vtkMatrix4x4.Multiply4x4(transform.GetMatrix(), m, rotated)
    for r in range(3):
        for c in range(3):
            m.SetElement(r, c, rotated.GetElement(r, c))
    view.sliceNode.UpdateMatrices()


# -- snap to voxel ------------------------------------------------------------------------------------------

CLICKS = ((128, 128), (97, 151), (160, 110), (140, 143), (113, 101))


@pytest.mark.parametrize("case", ["anisotropic", "oblique", "underLinearTransform"])
def test_snapped_click_puts_the_cursor_on_the_nearest_voxel_centre_and_every_view_through_it(bench, engine, case):
    if case == "oblique":
        volume = bench.addSyntheticVolume("oblique", (20, 30, 12), obliqueAffine())
    else:
        volume = bench.addSyntheticVolume("anisotropic", ANISOTROPIC_SHAPE, anisotropicAffine())
    if case == "underLinearTransform":
        transform = slicer.vtkMRMLLinearTransformNode()
        bench.scene.AddNode(transform)
        rotation = vtk.vtkTransform()
        rotation.Translate(3.3, -2.1, 4.7)
        rotation.RotateWXYZ(35.0, 0.3, 0.5, 0.8)
        transform.SetMatrixTransformToParent(rotation.GetMatrix())
        volume.SetAndObserveTransformNodeID(transform.GetID())
    bench.showVolume(volume)
    engine.setSnapToVoxel(True)
    red = bench.views["Red"]
    for x, y in CLICKS:
        clicked = red.pixelToRAS(x, y)
        red.click(x, y)
        cursor = engine.cursorRAS()
        ijk = assertVoxelCentre(volume, cursor)
        # The nearest voxel centre: each IJK coordinate within half a voxel of the clicked point's.
        clickedIJK = worldToIJK(volume, clicked)
        assert all(abs(c - r) <= 0.5 + 1e-9 for c, r in zip(clickedIJK, ijk)), (clickedIJK, ijk)
        for view in bench.views.values():
            assert abs(view.distanceToPlane(cursor)) < TOLERANCE_MM, view.name
        assert f"snapped to voxel ({ijk[0]}, {ijk[1]}, {ijk[2]}) of {volume.GetName()}" in engine.statusText()


def test_snapped_targets_of_an_axis_aligned_volume_sit_on_slicers_own_voxel_centre_slice_positions(
    bench, engine, anisotropic
):
    engine.setSnapToVoxel(True)
    red = bench.views["Red"]
    for x, y in CLICKS:
        red.click(x, y)
        for view in bench.views.values():
            before = sliceOffset(view)
            view.sliceLogic.SnapSliceOffsetToIJK()  # Slicer's own snap of a slice to the voxel centres
            assert abs(sliceOffset(view) - before) < TOLERANCE_MM, (view.name, before, sliceOffset(view))


def test_without_snap_the_cursor_is_the_clicked_point(bench, engine, anisotropic):
    red = bench.views["Red"]
    clicked = red.pixelToRAS(97, 151)
    offset = sliceOffset(red)
    red.click(97, 151)
    assert np.allclose(engine.cursorRAS(), clicked, atol=TOLERANCE_MM)
    assert sliceOffset(red) == offset
    assert "snapped" not in engine.statusText()


def test_snap_without_a_volume_in_the_clicked_view_does_not_snap_and_says_so(bench, engine, anisotropic):
    red = bench.views["Red"]
    bench.showVolume(None, [red], fit=False)
    engine.setSnapToVoxel(True)
    clicked = red.pixelToRAS(97, 151)
    red.click(97, 151)
    assert np.allclose(engine.cursorRAS(), clicked, atol=TOLERANCE_MM)
    assert "not snapped: no volume shown in Red" in engine.statusText()


def test_snap_uses_the_reference_volume_instead_of_the_clicked_views(bench, engine, anisotropic):
    oblique = bench.addSyntheticVolume("oblique", (20, 30, 12), obliqueAffine())
    engine.setSnapToVoxel(True)
    engine.setReferenceVolume(oblique)
    assert engine.referenceVolume() is oblique
    bench.views["Red"].click(128, 128)
    assertVoxelCentre(oblique, engine.cursorRAS())
    assert "of oblique" in engine.statusText()


def test_a_removed_reference_volume_falls_back_to_the_clicked_views_volume_with_a_status_line(
    bench, engine, anisotropic
):
    oblique = bench.addSyntheticVolume("oblique", (20, 30, 12), obliqueAffine())
    engine.setSnapToVoxel(True)
    engine.setReferenceVolume(oblique)
    bench.scene.RemoveNode(oblique)
    bench.views["Red"].click(128, 128)
    assertVoxelCentre(anisotropic, engine.cursorRAS())
    status = engine.statusText()
    assert "reference volume oblique was removed" in status and "of anisotropic" in status
    assert engine.referenceVolume() is None


@pytest.mark.parametrize("bad", ["volume", 3, object()])
def test_a_reference_that_is_not_a_volume_node_is_a_value_error(bench, engine, bad):
    with pytest.raises(ValueError):
        engine.setReferenceVolume(bench.views["Red"].sliceNode if bad == "volume" else bad)
    assert engine.referenceVolume() is None


def test_a_reference_volume_of_another_scene_is_a_value_error(engine):
    other = slicer.vtkMRMLScene()
    volume = other.AddNewNodeByClass("vtkMRMLScalarVolumeNode")
    with pytest.raises(ValueError):
        engine.setReferenceVolume(volume)
    with pytest.raises(ValueError):
        engine.setSnapToVoxel("yes")


@pytest.mark.parametrize("flag", [True, 1, np.True_, np.bool_(False), np.int64(1), np.array(True)])
def test_snap_takes_python_vtk_and_numpy_booleans(engine, flag):
    engine.setSnapToVoxel(flag)
    assert engine.snapToVoxel() is bool(flag)


@pytest.mark.parametrize("bad", ["yes", 2, 0.5, None, np.array([True]), np.float64(1.0)])
def test_snap_refuses_anything_else_with_a_value_error(engine, bad):
    engine.setSnapToVoxel(True)
    with pytest.raises(ValueError, match="setSnapToVoxel needs True or False"):
        engine.setSnapToVoxel(bad)
    assert engine.snapToVoxel() is True


# -- nudge --------------------------------------------------------------------------------------------------

NUDGES = [(axisIndex, sign) for axisIndex in range(3) for sign in (1, -1)]
KEYS = {
    (0, 1): "Ctrl+Shift+Right",
    (0, -1): "Ctrl+Shift+Left",
    (1, 1): "Ctrl+Shift+Up",
    (1, -1): "Ctrl+Shift+Down",
    (2, 1): "Ctrl+Shift+Prior",
    (2, -1): "Ctrl+Shift+Next",
}
EXPECTED_STEPS = {"axial": (1.0, 1.0, 5.0), "sagittal": (1.0, 5.0, 1.0)}


@pytest.mark.parametrize("how", ["nudge", "keys"])
@pytest.mark.parametrize("orientation", ["axial", "sagittal", "oblique"])
def test_nudge_moves_one_voxel_step_along_the_views_own_axes_and_the_others_follow(
    bench, engine, anisotropic, orientation, how
):
    view = bench.views["Yellow" if orientation == "sagittal" else "Red"]
    if orientation == "oblique":
        makeOblique(view)
    centre = anisotropic.GetImageData().GetCenter()
    ijkToRAS = vtk.vtkMatrix4x4()
    anisotropic.GetIJKToRASMatrix(ijkToRAS)
    engine.syncTo(ijkToRAS.MultiplyPoint((*centre, 1.0))[:3])
    slicerSteps = tuple(view.sliceLogic.GetVolumeSliceSpacing(anisotropic))
    if orientation in EXPECTED_STEPS:
        assert slicerSteps == pytest.approx(EXPECTED_STEPS[orientation], abs=1e-9)
    else:
        assert slicerSteps[0] < 1.0 - 1e-3  # an oblique view steps by the projection of the voxel axis
    assert engine.nudgeStep(view.sliceNode) == pytest.approx(slicerSteps, abs=1e-9)
    for axisIndex, sign in NUDGES:
        before = np.array(engine.cursorRAS())
        if how == "nudge":
            steps = [0, 0, 0]
            steps[axisIndex] = sign
            engine.nudge(view.sliceNode, *steps)
        else:
            pressKey(view, KEYS[(axisIndex, sign)])
        after = np.array(engine.cursorRAS())
        expected = before + sign * slicerSteps[axisIndex] * axis(view, axisIndex)
        assert np.allclose(after, expected, atol=TOLERANCE_MM), (axisIndex, sign, after - before)
        for other in bench.views.values():
            assert abs(other.distanceToPlane(after)) < TOLERANCE_MM, (other.name, axisIndex, sign)
    assert len(engine.history()) == 1 + len(NUDGES)


def test_snapped_nudges_in_an_axial_view_go_from_voxel_centre_to_voxel_centre(bench, engine, anisotropic):
    engine.setSnapToVoxel(True)
    red = bench.views["Red"]
    red.click(120, 130)
    start = np.array(assertVoxelCentre(anisotropic, engine.cursorRAS()))
    # The axial view's x axis is patient left, so a step right is one voxel down in I.
    moves = (((1, 0, 0), (-1, 0, 0)), ((0, 1, 0), (0, 1, 0)), ((0, 0, 1), (0, 0, 1)), ((0, 0, -2), (0, 0, -2)))
    for steps, delta in moves:
        engine.nudge(red.sliceNode, *steps)
        now = np.array(assertVoxelCentre(anisotropic, engine.cursorRAS()))
        assert tuple(now - start) == delta, (steps, now - start)
        start = now
        assert abs(red.distanceToPlane(engine.cursorRAS())) < TOLERANCE_MM


def test_nudge_with_no_volume_steps_one_millimetre(bench, engine):
    red = bench.views["Red"]
    engine.syncTo((1.0, 2.0, 3.0))
    engine.nudge(red.sliceNode, 0, 0, 1)
    assert np.allclose(engine.cursorRAS(), (1.0, 2.0, 4.0), atol=TOLERANCE_MM)
    assert abs(red.distanceToPlane((1.0, 2.0, 4.0))) < TOLERANCE_MM
    engine.nudge(red.sliceNode, 2, 0, 0)  # the axial view's x axis points to patient left
    assert np.allclose(engine.cursorRAS(), (-1.0, 2.0, 4.0), atol=TOLERANCE_MM)


def test_nudge_before_any_sync_starts_from_the_centre_of_the_view(bench, engine, anisotropic):
    red = bench.views["Red"]
    centre = red.pixelToRAS(128, 128)
    engine.nudge(red.sliceNode, 0, 1, 0)
    assert np.allclose(engine.cursorRAS(), np.array(centre) + axis(red, 1), atol=TOLERANCE_MM)


def test_nudge_keeps_the_cursor_inside_the_nudging_view(bench, engine, anisotropic):
    red = bench.views["Red"]
    engine.syncTo(red.pixelToRAS(250, 128))  # near the right edge
    engine.nudge(red.sliceNode, 8, 0, 0)
    x, y = red.rasToPixel(engine.cursorRAS())
    width, height = red.size()
    assert 0 <= x <= width and 0 <= y <= height, (x, y)


@pytest.mark.parametrize(
    "steps", [(1.5, 0, 0), (True, 0, 0), ("1", 0, 0), (0, None, 0), (0, 0, float("nan")), (0, 0, 1.0)]
)
def test_nudge_with_non_integer_steps_is_a_value_error(bench, engine, anisotropic, steps):
    with pytest.raises(ValueError):
        engine.nudge(bench.views["Red"].sliceNode, *steps)
    assert engine.cursorRAS() is None


def test_nudge_that_would_leave_the_coordinate_bound_is_a_value_error_and_moves_nothing(bench, engine, anisotropic):
    red = bench.views["Red"]
    with pytest.raises(ValueError):
        engine.nudge(red.sliceNode, 10**30, 0, 0)
    assert engine.cursorRAS() is None
    engine.syncTo((MAX_COORDINATE_MM - 0.5, 0.0, 0.0))
    cursor = engine.cursorRAS()
    towardsR = 1 if axis(red, 0)[0] > 0 else -1  # the view's x axis runs along R or against it
    before = {name: view.sliceToRAS() for name, view in bench.views.items()}
    with pytest.raises(ValueError):
        engine.nudge(red.sliceNode, towardsR, 0, 0)  # one 1 mm step along R: past the bound
    assert engine.cursorRAS() == cursor
    assert {name: view.sliceToRAS() for name, view in bench.views.items()} == before
    engine.nudge(red.sliceNode, -towardsR, 0, 0)
    assert np.allclose(engine.cursorRAS(), (MAX_COORDINATE_MM - 1.5, 0.0, 0.0), atol=TOLERANCE_MM)


def test_nudge_of_an_unregistered_view_is_a_value_error(bench, engine, anisotropic):
    engine.removeView(bench.views["Green"].sliceNode)
    with pytest.raises(ValueError):
        engine.nudge(bench.views["Green"].sliceNode, 1, 0, 0)
    with pytest.raises(ValueError):
        engine.nudge(slicer.vtkMRMLSliceNode(), 1, 0, 0)
    with pytest.raises(ValueError):
        engine.nudge("Red", 1, 0, 0)
    with pytest.raises(ValueError):
        engine.nudgeStep(None)
    assert engine.cursorRAS() is None


# -- history ------------------------------------------------------------------------------------------------


def test_back_and_forward_walk_the_history_and_sync_every_view(bench, engine, anisotropic):
    red = bench.views["Red"]
    points = []
    for x, y in CLICKS[:3]:
        red.click(x, y)
        points.append(engine.cursorRAS())
    assert engine.history() == points and engine.historyIndex() == 2
    assert engine.back() == points[1]
    assert engine.cursorRAS() == points[1] and engine.historyIndex() == 1
    for view in bench.views.values():
        if view.name != "Red":
            assert abs(view.distanceToPlane(points[1])) < TOLERANCE_MM
    assert engine.back() == points[0]
    assert engine.back() is None and engine.historyIndex() == 0
    assert engine.forward() == points[1]
    assert engine.history() == points  # stepping adds nothing
    red.click(*CLICKS[3])
    assert engine.history() == points[:2] + [engine.cursorRAS()]  # the forward part is dropped
    assert engine.historyIndex() == 2 and engine.forward() is None


def test_back_and_forward_while_the_scene_is_busy_leave_the_history_index_and_the_views(bench, engine, anisotropic):
    red = bench.views["Red"]
    for pixel in CLICKS[:3]:
        red.click(*pixel)
    engine.back()
    assert engine.historyIndex() == 1
    before = {name: view.sliceToRAS() for name, view in bench.views.items()}
    bench.scene.StartState(slicer.vtkMRMLScene.BatchProcessState)
    try:
        for step in (engine.back, engine.forward):
            engine.lastResult = None
            assert step() is None
            assert engine.historyIndex() == 1
            assert engine.lastResult.skippedReason
    finally:
        bench.scene.EndState(slicer.vtkMRMLScene.BatchProcessState)
    assert {name: view.sliceToRAS() for name, view in bench.views.items()} == before
    assert np.allclose(engine.forward(), red.pixelToRAS(*CLICKS[2]), atol=TOLERANCE_MM)
    assert engine.historyIndex() == 2


def test_history_keys_go_back_and_forward(bench, engine, anisotropic):
    red = bench.views["Red"]
    red.click(*CLICKS[0])
    first = engine.cursorRAS()
    red.click(*CLICKS[1])
    second = engine.cursorRAS()
    pressKey(bench.views["Green"], "Alt+Prior")
    assert engine.cursorRAS() == first
    assert abs(bench.views["Yellow"].distanceToPlane(first)) < TOLERANCE_MM
    pressKey(bench.views["Green"], "Alt+Next")
    assert engine.cursorRAS() == second and engine.historyIndex() == 1


def test_history_holds_the_last_hundred_points(engine):
    for k in range(HISTORY_LIMIT + 5):
        engine.syncTo((float(k), 0.0, 0.0))
    history = engine.history()
    assert len(history) == HISTORY_LIMIT == 100
    assert history[0] == (5.0, 0.0, 0.0) and history[-1] == (104.0, 0.0, 0.0)
    assert engine.historyIndex() == 99


def test_a_drag_adds_its_end_point_once(bench, engine, anisotropic):
    red = bench.views["Red"]
    red.click(*CLICKS[0])
    path = [(100, 100), (110, 104), (120, 108), (130, 112), (140, 116)]
    red.press(*path[0])
    for x, y in path[1:]:
        red.move(x, y)
        assert np.allclose(engine.cursorRAS(), red.pixelToRAS(x, y), atol=TOLERANCE_MM)  # the cursor follows
    assert len(engine.history()) == 1  # nothing recorded while the button is down
    red.release(*path[-1])
    assert len(engine.history()) == 2
    assert np.allclose(engine.history()[-1], red.pixelToRAS(*path[-1]), atol=TOLERANCE_MM)


def test_the_status_callback_sees_the_history_point_a_click_records_at_release(bench, engine, anisotropic):
    seen = []
    engine.setStatusCallback(lambda text: seen.append((engine.historyIndex(), list(engine.history()))))
    assert engine.dragFollow()
    red = bench.views["Red"]
    for pixel in CLICKS[:2]:
        seen.clear()
        red.press(*pixel)
        assert seen and seen[-1][0] == len(engine.history()) - 1  # the press synced, nothing recorded yet
        before = seen[-1][0]
        red.release(*pixel)
        index, history = seen[-1]
        assert index == before + 1 == engine.historyIndex()
        assert np.allclose(history[index], red.pixelToRAS(*pixel), atol=TOLERANCE_MM)
    assert engine.historyIndex() == 1
    seen.clear()
    red.click(*CLICKS[1])  # the same point again: nothing recorded
    assert all(index == 1 for index, _ in seen)


def test_a_click_with_drag_follow_off_adds_one_entry_and_the_same_point_twice_adds_one(bench, engine, anisotropic):
    engine.setDragFollow(False)
    red = bench.views["Red"]
    red.click(*CLICKS[0])
    red.click(*CLICKS[0])
    engine.syncTo(engine.cursorRAS())
    assert len(engine.history()) == 1
    red.drag([(100, 100), (140, 140)])  # no drag-follow: nothing synced, nothing recorded
    assert len(engine.history()) == 1


def test_set_history_restores_points_and_position_without_moving_views(bench, engine, anisotropic):
    before = {name: view.sliceToRAS() for name, view in bench.views.items()}
    engine.setHistory([(1, 2, 3), [4.0, 5.0, 6.0], np.array([7.0, 8.0, 9.0])], 1)
    assert engine.history() == [(1.0, 2.0, 3.0), (4.0, 5.0, 6.0), (7.0, 8.0, 9.0)]
    assert engine.historyIndex() == 1 and engine.cursorRAS() == (4.0, 5.0, 6.0)
    assert {name: view.sliceToRAS() for name, view in bench.views.items()} == before
    assert engine.forward() == (7.0, 8.0, 9.0)
    engine.setHistory([], None)
    assert engine.history() == [] and engine.historyIndex() == -1 and engine.back() is None


@pytest.mark.parametrize(
    "points, index",
    [
        ("1,2,3", 0),
        (None, 0),
        ([(1, 2)], 0),
        ([(1, 2, 3, 4)], 0),
        ([(1, 2, "x")], 0),
        ([(1, 2, math.nan)], 0),
        ([(1, 2, 3)], 1),
        ([(1, 2, 3)], -1),
        ([(1, 2, 3)], True),
        ([(1, 2, 3)], 0.0),
        ([(1, 2, 3)], None),
        ([], 0),
        ([(k, 0, 0) for k in range(HISTORY_LIMIT + 1)], 0),
    ],
)
def test_set_history_rejects_bad_input_and_keeps_the_history(engine, points, index):
    engine.syncTo((1.0, 1.0, 1.0))
    with pytest.raises(ValueError):
        engine.setHistory(points, index)
    assert engine.history() == [(1.0, 1.0, 1.0)] and engine.historyIndex() == 0
    assert engine.cursorRAS() == (1.0, 1.0, 1.0)


def test_every_source_moves_the_cursor(bench, engine, anisotropic):
    red = bench.views["Red"]
    assert engine.cursorRAS() is None
    red.click(*CLICKS[0])
    assert np.allclose(engine.cursorRAS(), red.pixelToRAS(*CLICKS[0]), atol=TOLERANCE_MM)
    engine.syncTo((2.0, 3.0, 4.0))
    assert engine.cursorRAS() == (2.0, 3.0, 4.0)
    engine.setClampMode("clamp")
    engine.syncTo((500.0, 3.0, 4.0))  # outside: views are clamped, the cursor is the point itself
    assert engine.cursorRAS() == (500.0, 3.0, 4.0)


def test_cleanup_forgets_nothing_of_the_history_but_removes_the_key_observers(bench, anisotropic):
    from SliceSyncBench import observerCount

    red = bench.views["Red"]
    baseline = observerCount(red.interactor)
    engine = SliceSyncEngine(bench.scene)
    engine.addView(red.sliceNode, red.interactor)
    assert observerCount(red.interactor) == baseline
    engine.setEnabled(True)
    assert observerCount(red.interactor) == baseline + 5
    engine.syncTo((1.0, 2.0, 3.0))
    engine.cleanup()
    assert observerCount(red.interactor) == baseline
    assert engine.history() == [(1.0, 2.0, 3.0)]
    pressKey(red, "Alt+Prior")  # no observer left: nothing happens, nothing raises
    assert engine.cursorRAS() == (1.0, 2.0, 3.0)


def test_snapped_nudges_in_an_oblique_view_step_one_whole_voxel_each_time(bench, engine, anisotropic):
    red = bench.views["Red"]
    makeOblique(red, aboutS=40.0, aboutA=35.0)  # steps along the screen axes alone would round back to the same voxel
    engine.setSnapToVoxel(True)
    red.click(128, 128)
    start = np.array(assertVoxelCentre(anisotropic, engine.cursorRAS()))
    for axisIndex, sign in NUDGES:
        steps = [0, 0, 0]
        steps[axisIndex] = sign
        before = np.array(engine.cursorRAS())
        engine.nudge(red.sliceNode, *steps)
        now = np.array(assertVoxelCentre(anisotropic, engine.cursorRAS()))
        moved = now - start
        assert sorted(abs(moved)) == [0, 0, 1], (axisIndex, sign, moved)
        worldStep = np.array(engine.cursorRAS()) - before
        assert np.dot(worldStep, sign * axis(red, axisIndex)) > 0.3 * np.linalg.norm(worldStep)  # the way it points
        start = now
        for view in bench.views.values():
            assert abs(view.distanceToPlane(engine.cursorRAS())) < TOLERANCE_MM, view.name


def test_a_snapped_click_reuses_the_clicked_views_plan_and_follows_changes_of_its_volume(bench, engine, anisotropic):
    """The snap reads the clicked view's volume and plane from its cached plan; what the plan depends on rebuilds it."""
    engine.setSnapToVoxel(True)
    red = bench.views["Red"]
    planner = engine._planner
    red.click(128, 128)  # Red moves onto a voxel-centre slice: later snapped points lie on its plane
    for x, y in CLICKS[1:]:
        hits, misses = planner.hits, planner.misses
        red.click(x, y)
        assertVoxelCentre(anisotropic, engine.cursorRAS())
        # Red, Yellow and Green each reuse their plan once: the snap costs no composite-node search.
        assert (planner.hits - hits, planner.misses - misses) == (3, 0)
    # Another volume shown in Red (its composite node changes): the snap uses that volume's voxels.
    shifted = np.diag([2.0, 1.5, 3.0, 1.0])
    shifted[:3, 3] = (-9.3, -12.2, -20.6)
    other = bench.addSyntheticVolume("other", (14, 20, 14), shifted)
    bench.showVolume(other, [red], fit=False)
    red.click(97, 151)
    assertVoxelCentre(other, engine.cursorRAS())
    assert "of other" in engine.statusText()
    # Its parent transform moved, then the volume's own origin: each click snaps to the grid as it is now.
    transform = slicer.vtkMRMLLinearTransformNode()
    bench.scene.AddNode(transform)
    other.SetAndObserveTransformNodeID(transform.GetID())
    moved = vtk.vtkTransform()
    moved.Translate(0.7, -0.4, 1.1)
    transform.SetMatrixTransformToParent(moved.GetMatrix())
    red.click(160, 110)
    assertVoxelCentre(other, engine.cursorRAS())
    other.SetOrigin(-8.9, -12.0, -21.3)
    red.click(113, 101)
    cursor = assertVoxelCentre(other, engine.cursorRAS())
    for view in bench.views.values():
        assert abs(view.distanceToPlane(engine.cursorRAS())) < TOLERANCE_MM, (view.name, cursor)


def _closeScene(scene: slicer.vtkMRMLScene) -> None:
    """What Slicer's File / Close Scene does to the scene."""
    scene.StartState(slicer.vtkMRMLScene.CloseState)
    scene.Clear(0)
    scene.EndState(slicer.vtkMRMLScene.CloseState)


def test_closing_the_scene_forgets_the_cursor_and_the_history_and_a_restored_history_comes_back(
    bench, engine, anisotropic
):
    red, green = bench.views["Red"], bench.views["Green"]
    red.click(97, 151)
    red.click(160, 110)
    assert len(engine.history()) == 2
    _closeScene(bench.scene)
    assert engine.cursorRAS() is None
    assert engine.history() == [] and engine.historyIndex() == -1
    assert engine.back() is None and engine.forward() is None
    # The next scene starts a new history; one restored (as the module does for a saved scene) is walked as usual.
    clicked = red.pixelToRAS(113, 101)
    red.click(113, 101)
    assert np.allclose(engine.history(), [clicked], atol=TOLERANCE_MM)
    engine.setHistory([(1.0, 2.0, 3.0), (4.0, -5.0, 6.0)], 1)
    assert engine.back() == (1.0, 2.0, 3.0)
    assert abs(green.distanceToPlane((1.0, 2.0, 3.0))) < TOLERANCE_MM


def test_the_scene_close_observer_is_removed_by_cleanup(bench, anisotropic):
    from SliceSyncBench import observerCount

    baseline = observerCount(bench.scene)
    engine = SliceSyncEngine(bench.scene)
    engine.syncTo((1.0, 2.0, 3.0))
    engine.cleanup()
    assert observerCount(bench.scene) == baseline
    _closeScene(bench.scene)  # no longer observed: the history stays, nothing raises
    assert engine.history() == [(1.0, 2.0, 3.0)]


def test_nudge_key_past_the_coordinate_bound_logs_one_line_and_moves_nothing(bench, engine, anisotropic, errorGuard):
    red = bench.views["Red"]
    towardsR = 1 if axis(red, 0)[0] > 0 else -1
    engine.syncTo((MAX_COORDINATE_MM - 0.5, 0.0, 0.0))
    cursor = engine.cursorRAS()
    before = {name: view.sliceToRAS() for name, view in bench.views.items()}
    key = engine.keyBindings()["nudgeRight" if towardsR > 0 else "nudgeLeft"]
    pressKey(red, key)
    messages = errorGuard.drain()
    assert len(messages) == 1 and "Traceback" not in messages[0], messages
    assert "within 100000 mm" in messages[0], messages
    assert engine.cursorRAS() == cursor
    assert {name: view.sliceToRAS() for name, view in bench.views.items()} == before
