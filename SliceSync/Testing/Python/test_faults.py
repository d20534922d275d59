"""Bad input and faults: SliceSync never throws into a VTK callback, never changes the user's setup, leaks nothing.

Every case runs on the headless bench (real MRML, real interactor style, real events) inside a ``Rig``
(FaultRig.py), which
checks after each action that no Python exception escaped an observer, VTK reported no error or warning,
only the views that should move moved, and the user's state is unchanged; and at the end that every
observer count is back to its baseline after ``cleanup()``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import slicer
import vtk
from FaultRig import RED_CLICK, TOLERANCE_MM, Rig, addVolume, assertOnBoundary, assertWithin, clampedOffset

from SliceSyncBench import BenchView, sliceBounds, sliceOffset
from SliceSyncLib.Status import (
    REASON_BAD_GEOMETRY,
    REASON_DEGENERATE,
    REASON_NO_IMAGE,
    REASON_NO_VOLUME,
    REASON_NONLINEAR,
)

# -- what the views show -----------------------------------------------------------------------------------


def test_click_with_no_volume_moves_targets_unclamped_and_says_so(rig):
    point = rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    assert rig.engine.lastResult.notClamped == {"Yellow": REASON_NO_VOLUME, "Green": REASON_NO_VOLUME}
    assert "no volume shown in Yellow" in rig.engine.statusText()
    assert rig.engine.lastResult.point == pytest.approx(point)


def test_volume_without_image_data_is_not_clamped(rig):
    with rig.userChange():
        volume = addVolume(rig.bench.scene, image=False)
    rig.show(volume)
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    assert set(rig.engine.lastResult.notClamped.values()) == {REASON_NO_IMAGE}
    assert REASON_NO_IMAGE in rig.engine.statusText()


def test_empty_image_is_not_clamped(rig):
    with rig.userChange():
        volume = addVolume(rig.bench.scene, dimensions=(0, 0, 0))
    rig.show(volume, fit=False)  # Slicer's own fit collapses the field of view on an empty image
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    assert set(rig.engine.lastResult.notClamped.values()) == {REASON_NO_IMAGE}


def test_single_slice_volume_clamps_to_its_only_slice(rig):
    with rig.userChange():
        volume = addVolume(rig.bench.scene, dimensions=(30, 30, 1), ijkToRAS=np.diag([1.0, 1.0, 3.0, 1.0]))
    rig.show(volume)
    red = rig.bench.views["Red"]
    with rig.userChange():
        red.sliceNode.JumpSliceByOffsetting(0, 0, 40)  # the user scrolled Red away from the only slice
    rig.click("Yellow", 100, 100, moved={"Red", "Green"}, hits=False)
    assertOnBoundary(red, volume)
    assert sliceOffset(red) == pytest.approx(0.0, abs=TOLERANCE_MM)
    assert rig.engine.lastResult.clampedNames == ["Red"]


@pytest.mark.parametrize(
    ("nodeClass", "components", "layer"),
    [
        (slicer.vtkMRMLVectorVolumeNode, 3, "Background"),
        (slicer.vtkMRMLLabelMapVolumeNode, 1, "Label"),
        (slicer.vtkMRMLScalarVolumeNode, 1, "Foreground"),
    ],
    ids=["rgbVector", "labelMapOnly", "foregroundOnly"],
)
def test_volume_in_any_layer_and_of_any_voxel_type_clamps(rig, nodeClass, components, layer):
    with rig.userChange():
        volume = addVolume(rig.bench.scene, nodeClass=nodeClass, components=components)
    rig.show(volume, layer=layer)
    # A point far above the volume, typed in: Red is clamped to the top slice, the others pass through it.
    point = (5.0, 6.0, 500.0)
    rig.act(lambda: rig.engine.syncTo(point, rig.bench.views["Green"].sliceNode), moved={"Red", "Yellow"})
    red = rig.bench.views["Red"]
    assertOnBoundary(red, volume)
    assert sliceOffset(red) == pytest.approx(15.0, abs=TOLERANCE_MM)
    assert abs(rig.bench.views["Yellow"].distanceToPlane(point)) < TOLERANCE_MM
    assert rig.engine.lastResult.clampedNames == ["Red"]


def test_each_view_clamps_to_the_volume_it_shows(rig):
    bench = rig.bench
    red, yellow, green = (bench.views[name] for name in ("Red", "Yellow", "Green"))
    with rig.userChange():
        small = addVolume(bench.scene, dimensions=(10, 10, 10), name="small")
        large = addVolume(bench.scene, dimensions=(80, 80, 80), ijkToRAS=np.diag([2.0, 2.0, 2.0, 1.0]), name="large")
    rig.show(small, [red])
    rig.show(large, [yellow])
    point = (200.0, 120.0, 120.0)
    rig.act(lambda: rig.engine.syncTo(point), moved={"Red", "Yellow", "Green"})
    assert sliceOffset(red) == pytest.approx(9.0, abs=TOLERANCE_MM)  # the small volume's top slice
    assertOnBoundary(yellow, large)
    assert yellow.distanceToPlane((158.0, 0.0, 0.0)) == pytest.approx(0.0, abs=TOLERANCE_MM)
    assert abs(green.distanceToPlane(point)) < TOLERANCE_MM  # shows nothing: not clamped
    assert rig.engine.lastResult.notClamped == {"Green": REASON_NO_VOLUME}


def test_linear_transform_moves_the_clamp_range(rig):
    with rig.userChange():
        volume = addVolume(rig.bench.scene)
        transform = slicer.vtkMRMLLinearTransformNode()
        rig.bench.scene.AddNode(transform)
        matrix = vtk.vtkMatrix4x4()
        matrix.SetElement(2, 3, 100.0)
        transform.SetMatrixTransformToParent(matrix)
        volume.SetAndObserveTransformNodeID(transform.GetID())
    rig.show(volume)
    rig.act(lambda: rig.engine.syncTo((3.0, 4.0, 0.0), rig.bench.views["Green"].sliceNode), moved={"Red", "Yellow"})
    red = rig.bench.views["Red"]
    assert sliceOffset(red) == pytest.approx(100.0, abs=TOLERANCE_MM)
    assertOnBoundary(red, volume)


def test_grid_transform_syncs_unclamped_with_a_clear_status(rig):
    with rig.userChange():
        volume = addVolume(rig.bench.scene)
        grid = vtk.vtkImageData()
        grid.SetOrigin(-50, -50, -50)
        grid.SetSpacing(25, 25, 25)
        grid.SetDimensions(5, 5, 5)
        grid.AllocateScalars(vtk.VTK_DOUBLE, 3)
        grid.GetPointData().GetScalars().Fill(2.0)
        gridTransform = slicer.vtkOrientedGridTransform()
        gridTransform.SetDisplacementGridData(grid)
        transform = slicer.vtkMRMLGridTransformNode()
        rig.bench.scene.AddNode(transform)
        transform.SetAndObserveTransformFromParent(gridTransform)
        volume.SetAndObserveTransformNodeID(transform.GetID())
    rig.show(volume)
    point = (3.0, 4.0, 300.0)
    rig.act(
        lambda: rig.engine.syncTo(point, rig.bench.views["Green"].sliceNode), moved={"Red", "Yellow"}, through=point
    )
    assert rig.engine.lastResult.notClamped == {"Red": REASON_NONLINEAR, "Yellow": REASON_NONLINEAR}
    assert "non-linear transform in Red: not clamped" in rig.engine.statusText()


@pytest.mark.parametrize("clampMode", ["clamp", "ignoreOutside"])
@pytest.mark.parametrize("fault", ["singular", "nan", "inf"])
def test_volume_with_an_invalid_ijk_to_ras_is_not_clamped_and_says_so(rig, fault, clampMode):
    diagonal = {"singular": [1.0, 1.0, 0.0, 1.0], "nan": [1.0, math.nan, 1.0, 1.0], "inf": [math.inf, 1.0, 1.0, 1.0]}
    with rig.userChange():
        volume = addVolume(rig.bench.scene, ijkToRAS=np.diag(diagonal[fault]))
    rig.show(volume, fit=False)  # Slicer's own fit cannot fit to such a volume
    rig.engine.setClampMode(clampMode)
    point = (5.0, 6.0, 300.0)
    rig.act(lambda: rig.engine.syncTo(point), moved={"Red", "Yellow", "Green"}, through=point)
    assert set(rig.engine.lastResult.notClamped.values()) == {REASON_BAD_GEOMETRY}
    assert "invalid IJK-to-RAS matrix in Red: not clamped" in rig.engine.statusText()


def test_reflected_ijk_to_ras_clamps_to_the_right_end(rig):
    ijkToRAS = np.array([[-1.0, 0, 0, 10], [0, 1.0, 0, 0], [0, 0, -2.0, 30], [0, 0, 0, 1]])  # det < 0
    with rig.userChange():
        volume = addVolume(rig.bench.scene, dimensions=(20, 24, 16), ijkToRAS=ijkToRAS)
    rig.show(volume)
    red, yellow = rig.bench.views["Red"], rig.bench.views["Yellow"]
    rig.act(lambda: rig.engine.syncTo((50.0, 5.0, -100.0), rig.bench.views["Green"].sliceNode), moved={"Red", "Yellow"})
    assert sliceOffset(red) == pytest.approx(0.0, abs=TOLERANCE_MM)  # S = 30 - 2 * 15
    assert yellow.distanceToPlane((10.0, 0.0, 0.0)) == pytest.approx(0.0, abs=TOLERANCE_MM)  # R = 10 - 0
    assertOnBoundary(red, volume)
    assertOnBoundary(yellow, volume)


def test_clicks_on_a_real_file_with_flipped_axes_move_targets_through_the_point_clamped_inside(rig):
    from conftest import anatomicalPath

    with rig.userChange():
        volume = rig.bench.loadVolume(anatomicalPath(), "anatomical")
    rig.show(volume)
    for pixel in ((0, 0), (255, 255), (128, 3), (250, 10), (128, 128)):
        _clickAndCheckClamp(rig, volume, pixel)


def _clickAndCheckClamp(rig: Rig, volume, pixel: tuple[int, int]) -> None:
    """Click ``pixel`` in Red: Yellow and Green go through the point, clamped to Slicer's slice bounds of
    ``volume``; a view already there stays, and so does Red (the rig checks every view)."""
    red = rig.bench.views["Red"]
    point = red.pixelToRAS(*pixel)
    targets = {name: rig.bench.views[name] for name in ("Yellow", "Green")}
    expected = {name: clampedOffset(view, volume, point) for name, view in targets.items()}
    moved = {name for name, view in targets.items() if abs(sliceOffset(view) - expected[name]) > 1e-6}
    rig.act(lambda: red.click(*pixel), moved=moved)
    for name, view in targets.items():
        assert sliceOffset(view) == pytest.approx(expected[name], abs=TOLERANCE_MM), (name, pixel)
        assertWithin(view, volume)
        low, high = sliceBounds(view, volume)
        if low < expected[name] < high:  # not clamped: the plane goes through the clicked point
            assert abs(view.distanceToPlane(point)) < TOLERANCE_MM, (name, pixel)


# -- where the user clicks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pixel",
    [(0, 0), (255, 255), (0, 255), (255, 128), (300, 20), (-40, -7), (-(2**30), 2**30), (2**31 - 1, -(2**31))],
    ids=["originCorner", "farCorner", "topLeft", "rightEdge", "outsideView", "negative", "huge", "int32Limits"],
)
def test_clicks_anywhere_move_targets_through_the_point_clamped_to_the_volume(rig, pixel):
    """Clicks off the image, on the last pixel, at negative or huge positions: no error, clamped or exact."""
    with rig.userChange():
        volume = addVolume(rig.bench.scene, dimensions=(40, 40, 40))
    rig.show(volume)
    _clickAndCheckClamp(rig, volume, pixel)


@pytest.mark.parametrize(
    "ras",
    [
        (float("nan"), 0.0, 0.0),
        (0.0, float("inf"), 0.0),
        (0.0, 0.0, float("-inf")),
        (1.0, 2.0),
        (1.0, 2.0, 3.0, 4.0),
        "abc",
        "123",
        b"123",
        {1.0: "R", 2.0: "A", 3.0: "S"},
        None,
        (1.0, "x", 2.0),
    ],
)
def test_sync_to_rejects_bad_points_with_value_error(rig, ras):
    def badSync() -> None:
        with pytest.raises(ValueError):
            rig.engine.syncTo(ras)

    rig.act(badSync)


def test_sync_to_rejects_a_wrong_source_type_with_value_error(rig):
    def badSync() -> None:
        with pytest.raises(ValueError):
            rig.engine.syncTo((1.0, 2.0, 3.0), rig.bench.views["Red"].compositeNode)

    rig.act(badSync)


@pytest.mark.parametrize("fault", ["zeroNormal", "nanNormal", "nanOrigin"])
def test_degenerate_target_is_left_alone_and_reported(rig, fault):
    green = rig.bench.views["Green"]
    with rig.userChange():
        matrix = green.sliceNode.GetSliceToRAS()
        if fault == "nanOrigin":
            matrix.SetElement(1, 3, math.nan)
        for row in range(3 if fault != "nanOrigin" else 0):
            matrix.SetElement(row, 2, 0.0 if fault == "zeroNormal" else math.nan)
        green.sliceNode.UpdateMatrices()
    rig.click("Red", *RED_CLICK, moved={"Yellow"})
    assert "Green" not in rig.engine.lastResult.movedNames
    assert rig.engine.lastResult.notMoved == {"Green": REASON_DEGENERATE}
    assert "Green not moved: its slice orientation matrix is invalid" in rig.engine.statusText()


def test_click_in_a_degenerate_source_moves_the_targets_through_its_origin(rig):
    bench = rig.bench
    red = bench.views["Red"]
    with rig.userChange():
        bench.views["Yellow"].sliceNode.JumpSliceByOffsetting(12, 0, 0)
        bench.views["Green"].sliceNode.JumpSliceByOffsetting(0, -7, 0)
        matrix = red.sliceNode.GetSliceToRAS()
        for row in range(3):
            for column in range(3):
                matrix.SetElement(row, column, 0.0)
        red.sliceNode.UpdateMatrices()
    # Every pixel of Red maps to its origin: a finite point the others move through; never an error.
    origin = tuple(red.sliceNode.GetSliceToRAS().GetElement(k, 3) for k in range(3))
    assert red.pixelToRAS(*RED_CLICK) == pytest.approx(origin, abs=1e-9)
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    assert rig.engine.lastResult.point == pytest.approx(origin, abs=TOLERANCE_MM)


# What a click at pixel (0, 0) of the zero-size sagittal view must move, after a click in Red put Yellow, Green
# and Zero through one point: Zero's (0, 0) is that point in centered mode (only Red is off it); in the other
# modes it is Zero's own origin, on Yellow's plane (same orientation) and off Green's and Red's in-plane
# positions, so only Green's plane has to move.
ZERO_VIEW_CLICK_MOVES = {"offset": {"Green"}, "centered": {"Red"}, "keepInView": {"Green"}}


@pytest.mark.parametrize("jumpMode", sorted(ZERO_VIEW_CLICK_MOVES))
def test_zero_size_view_follows_as_target_and_moves_the_others_as_source(rig, jumpMode):
    rig.engine.setJumpMode(jumpMode)
    zero = rig.addView("Zero", "Sagittal", size=(0, 0))
    rig.guard.allow(r"vtkPlaneSource|Bad plane coordinate system|returned failure for request")
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green", "Zero"})
    point = zero.pixelToRAS(0, 0)
    assert all(math.isfinite(c) for c in point)
    rig.click("Zero", 0, 0, moved=ZERO_VIEW_CLICK_MOVES[jumpMode])
    for name in ("Red", "Yellow", "Green"):
        assert abs(rig.bench.views[name].distanceToPlane(point)) < TOLERANCE_MM, name


# -- gestures that must not sync ------------------------------------------------------------------------


@pytest.mark.parametrize("modifier", ["ctrl", "alt"])
def test_modifier_clicks_never_sync(rig, modifier):
    rig.click("Red", *RED_CLICK, **{modifier: True})
    assert rig.engine.lastResult is None


def test_shift_click_is_left_to_slicers_own_jump(rig):
    # Shift + move is Slicer's crosshair jump (its default behaviour moves the other views); SliceSync stays out.
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"}, shift=True)
    assert rig.engine.lastResult is None


@pytest.mark.parametrize("mode", ["Place", "AdjustWindowLevel", "ViewTransform"])
def test_only_view_transform_mode_clicks_sync_and_the_mode_is_kept(rig, mode):
    interaction = rig.bench.interactionNode
    with rig.userChange():
        interaction.SetCurrentInteractionMode(getattr(slicer.vtkMRMLInteractionNode, mode))
    rig.guard.drain()
    moved = {"Yellow", "Green"} if mode == "ViewTransform" else set()
    rig.click("Red", *RED_CLICK, moved=moved)
    assert interaction.GetCurrentInteractionMode() == getattr(slicer.vtkMRMLInteractionNode, mode)


def test_disabled_engine_moves_nothing_on_clicks_and_drags(rig):
    rig.engine.setEnabled(False)
    rig.click("Red", *RED_CLICK)
    rig.act(lambda: rig.bench.views["Red"].drag([(10, 10), (50, 60), (120, 90)]))


# -- Slicer's own behaviour stays intact -----------------------------------------------------------------


def _wheel(view: BenchView, forward: bool) -> None:
    view.interactor.SetEventInformation(100, 100, 0, 0, "\0", 0)
    view.interactor.InvokeEvent(
        vtk.vtkCommand.MouseWheelForwardEvent if forward else vtk.vtkCommand.MouseWheelBackwardEvent
    )


def test_mouse_wheel_still_browses_slices_and_never_syncs(rig):
    """Slicer's wheel moves only the view under the mouse, one slice, with SliceSync on, off and cleaned up."""
    with rig.userChange():
        volume = addVolume(rig.bench.scene, dimensions=(20, 20, 20), ijkToRAS=np.diag([1.0, 1.0, 2.0, 1.0]))
    rig.show(volume)
    red = rig.bench.views["Red"]
    for stage in ("on", "off", "cleanedUp"):
        if stage == "off":
            rig.engine.setEnabled(False)
        elif stage == "cleanedUp":
            rig.engine.cleanup()
        before = sliceOffset(red)
        rig.act(lambda: _wheel(red, True), moved={"Red"})
        assert sliceOffset(red) == pytest.approx(before + 2.0, abs=TOLERANCE_MM), stage
        rig.act(lambda: _wheel(red, False), moved={"Red"})
        assert sliceOffset(red) == pytest.approx(before, abs=TOLERANCE_MM), stage


@pytest.mark.parametrize("show", [True, False])
def test_crosshair_follows_the_click_only_when_asked(rig, show):
    crosshair = rig.bench.crosshairNode
    rig.engine.setShowCrosshair(show)
    before = crosshair.GetCrosshairRAS()
    point = rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    expected = point if show else before
    assert crosshair.GetCrosshairRAS() == pytest.approx(expected, abs=TOLERANCE_MM)


# -- the guard itself --------------------------------------------------------------------------------------


def test_error_guard_catches_observer_exceptions_vtk_errors_and_warnings():
    """The checks above can fail: an exception inside a VTK observer, a VTK error and a warning are all caught."""
    import logging

    from conftest import ErrorGuard

    guard = ErrorGuard()
    guard.start()
    try:

        class Raiser:
            def onModified(self, caller, event) -> None:
                raise RuntimeError("inside an observer")

        raiser = Raiser()
        node = slicer.vtkMRMLSliceNode()
        node.AddObserver(vtk.vtkCommand.ModifiedEvent, raiser.onModified)
        node.Modified()
        vtk.vtkImageReslice().Update()  # VTK: "Input port 0 ... has 0 connections"
        logging.getLogger("SliceSync").warning("something the panel should have shown")
        caught = guard.drain()
    finally:
        guard.stop()
    assert len(caught) == 3, caught
    assert "RuntimeError: inside an observer" in caught[0]
    assert caught[1] == "log WARNING: something the panel should have shown"
    assert caught[2].startswith("VTK: ERROR") and "has 0 connections" in caught[2]


def test_every_test_runs_under_the_error_guard_and_guards_nest(errorGuard):
    """conftest's guard is on for every test; a guard started inside it collects alone until it stops."""
    import logging

    from conftest import ErrorGuard

    assert ErrorGuard._active == [errorGuard]
    logging.getLogger("SliceSync").warning("seen by the outer guard")
    inner = ErrorGuard()
    inner.start()
    try:
        logging.getLogger("SliceSync").warning("seen by the inner guard")
        innerCaught = inner.drain()
    finally:
        inner.stop()
    assert innerCaught == ["log WARNING: seen by the inner guard"]
    assert errorGuard.drain() == ["log WARNING: seen by the outer guard"]
