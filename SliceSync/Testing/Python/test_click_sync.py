"""Click-to-sync on real Slicer slice views: the geometry after real interactor events."""

from __future__ import annotations

import math

import numpy as np
import pytest
import slicer
import vtk

from SliceSyncBench import (
    ModifiedCounter,
    SliceViewBench,
    obliqueAffine,
    observerCount,
    sliceBounds,
    sliceOffset,
    userState,
)
from SliceSyncLib import MAX_COORDINATE_MM, SliceSyncEngine

TOLERANCE_MM = 1e-3


def assertPlaneContains(view, point, tolerance=TOLERANCE_MM):
    distance = view.distanceToPlane(point)
    assert abs(distance) <= tolerance, f"{view.name} misses {point} by {distance:.6f} mm"


def rotationMatrix(axis, degrees):
    axis = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    angle = math.radians(degrees)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * k @ k


def makeOblique(view, axis=(1.0, 0.3, 0.2), degrees=25.0):
    """Rotate a view's plane (as Slicer's Reformat module would) about its own centre."""
    m = view.sliceNode.GetSliceToRAS()
    current = np.array([[m.GetElement(r, c) for c in range(3)] for r in range(3)])
    rotated = rotationMatrix(axis, degrees) @ current
    for r in range(3):
        for c in range(3):
            m.SetElement(r, c, rotated[r, c])
    view.sliceNode.UpdateMatrices()


# -- the basic promise, from each source orientation -------------------------------------------------------


@pytest.mark.parametrize("sourceName", ["Red", "Yellow", "Green"])
def test_click_in_any_view_moves_the_others_through_the_point(bench, anatomical, engine, sourceName):
    source = bench.views[sourceName]
    others = [view for view in bench.views.values() if view is not source]
    sourceBefore = source.sliceToRAS()
    point = source.pixelToRAS(120, 140)

    source.click(120, 140)

    for view in others:
        assertPlaneContains(view, point)
    assert source.sliceToRAS() == sourceBefore
    assert sorted(engine.lastResult.movedNames) == sorted(view.name for view in others)


def test_click_in_sagittal_moves_axial_and_coronal(bench, anatomical, engine):
    red, yellow, green = (bench.views[name] for name in ("Red", "Yellow", "Green"))
    point = yellow.pixelToRAS(90, 170)
    redOffsetBefore = red.distanceToPlane(point)
    assert abs(redOffsetBefore) > 1.0, "the click must be off the axial plane for this test to mean anything"

    yellow.click(90, 170)

    assertPlaneContains(red, point)
    assertPlaneContains(green, point)


def test_click_in_oblique_view_moves_targets_along_their_own_normals(bench, anatomical, engine):
    red, yellow, green = (bench.views[name] for name in ("Red", "Yellow", "Green"))
    makeOblique(red)
    makeOblique(green, axis=(0.0, 0.0, 1.0), degrees=-35.0)
    greenRotation = [value for index, value in enumerate(green.sliceToRAS()) if index % 4 != 3]
    point = red.pixelToRAS(140, 110)

    red.click(140, 110)

    assertPlaneContains(yellow, point)
    assertPlaneContains(green, point)
    assert [value for index, value in enumerate(green.sliceToRAS()) if index % 4 != 3] == greenRotation


def test_twelve_views_of_every_orientation_all_pass_through_the_click():
    bench = SliceViewBench()
    try:
        orientations = ["Axial", "Sagittal", "Coronal"] * 4
        views = [bench.addView(f"View{index}", orientation) for index, orientation in enumerate(orientations)]
        for index, view in enumerate(views[3:9]):
            makeOblique(view, axis=(index + 1.0, 2.0 - index, 1.0), degrees=10.0 * (index + 1))
        affine = np.eye(4)
        affine[:3, 3] = -30.0
        volume = bench.addSyntheticVolume("cube", (60, 60, 60), affine)
        bench.showVolume(volume)
        engine = SliceSyncEngine(bench.scene)
        for view in views:
            engine.addView(view.sliceNode, view.interactor)
        engine.setEnabled(True)
        point = views[4].pixelToRAS(128, 128)

        views[4].click(128, 128)

        assert len(engine.lastResult.targetNames) == 11
        for view in views:
            if view is not views[4]:
                assertPlaneContains(view, point)
        engine.cleanup()
    finally:
        bench.close()


def test_views_of_another_view_group_do_not_move():
    bench = SliceViewBench()
    try:
        red = bench.addView("Red", "Axial", viewGroup=0)
        yellow = bench.addView("Yellow", "Sagittal", viewGroup=0)
        red2 = bench.addView("Red+", "Axial", viewGroup=1)
        yellow2 = bench.addView("Yellow+", "Sagittal", viewGroup=1)
        bench.showVolume(bench.addSyntheticVolume("cube", (40, 40, 40)))
        engine = SliceSyncEngine(bench.scene)
        for view in bench.views.values():
            engine.addView(view.sliceNode, view.interactor)
        engine.setEnabled(True)
        otherGroup = {view.name: view.sliceToRAS() for view in (red2, yellow2)}
        point = red.pixelToRAS(60, 200)

        red.click(60, 200)

        assertPlaneContains(yellow, point)
        assert {view.name: view.sliceToRAS() for view in (red2, yellow2)} == otherGroup
        point2 = yellow2.pixelToRAS(200, 60)
        yellow2.click(200, 60)
        assertPlaneContains(red2, point2)
        assert abs(red.distanceToPlane(point2)) > 1.0
        engine.cleanup()
    finally:
        bench.close()


# -- jump modes ----------------------------------------------------------------------------------------------


def test_offset_mode_keeps_pan_and_zoom_of_targets(bench, anatomical, engine):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    fieldOfView = yellow.sliceNode.GetFieldOfView()
    probe = yellow.pixelToRAS(10, 10)
    point = red.pixelToRAS(70, 90)

    red.click(70, 90)

    assertPlaneContains(yellow, point)
    assert abs(yellow.distanceToPlane(probe)) > 1.0, "the target must have moved for this test to mean anything"
    assert yellow.sliceNode.GetFieldOfView() == fieldOfView
    # Moving along the normal only: what was under pixel (10, 10) still projects there (pan kept).
    assert np.allclose(yellow.rasToPixel(probe), (10, 10), atol=1e-6)


def test_centered_mode_puts_the_point_at_the_centre_of_each_target(bench, anatomical, engine):
    engine.setJumpMode("centered")
    red, yellow, green = (bench.views[name] for name in ("Red", "Yellow", "Green"))
    fieldOfView = green.sliceNode.GetFieldOfView()
    point = red.pixelToRAS(70, 190)

    red.click(70, 190)

    for view in (yellow, green):
        assertPlaneContains(view, point)
        width, height = view.size()
        assert np.allclose(view.rasToPixel(point), (width / 2, height / 2), atol=1e-3)
    assert green.sliceNode.GetFieldOfView() == fieldOfView


def zoomIn(view, factor):
    fov = view.sliceNode.GetFieldOfView()
    view.sliceNode.SetFieldOfView(fov[0] / factor, fov[1] / factor, fov[2])


def test_keep_in_view_pans_just_enough_when_the_point_would_leave_the_view(bench, anatomical, engine):
    engine.setJumpMode("keepInView")
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    zoomIn(yellow, 8.0)
    fieldOfView = yellow.sliceNode.GetFieldOfView()
    point = red.pixelToRAS(200, 200)
    x, y = yellow.rasToPixel(point)
    width, height = yellow.size()
    assert not (0 <= x <= width and 0 <= y <= height), "the point must start outside the zoomed view"

    red.click(200, 200)

    assertPlaneContains(yellow, point)
    x, y = yellow.rasToPixel(point)
    margin = 0.05 * width
    assert margin - 1e-6 <= x <= width - margin + 1e-6 and margin - 1e-6 <= y <= height - margin + 1e-6
    # Minimal pan: the point sits on the edge of the margin on each axis it had to move along.
    assert math.isclose(x, margin, abs_tol=1e-3) or math.isclose(x, width - margin, abs_tol=1e-3)
    assert yellow.sliceNode.GetFieldOfView() == fieldOfView


def test_keep_in_view_does_not_pan_when_the_point_is_visible(bench, anatomical, engine):
    engine.setJumpMode("keepInView")
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    probe = yellow.pixelToRAS(30, 30)
    point = red.pixelToRAS(60, 190)  # off the centre of Yellow, so a centring would show

    red.click(60, 190)

    assertPlaneContains(yellow, point)
    assert abs(yellow.distanceToPlane(probe)) > 1.0
    assert np.allclose(yellow.rasToPixel(probe), (30, 30), atol=1e-6)


# -- clamping ------------------------------------------------------------------------------------------------


def test_click_outside_the_volume_clamps_each_target_to_its_voxel_centre_extent(bench, anatomical, engine):
    red, yellow, green = (bench.views[name] for name in ("Red", "Yellow", "Green"))
    zoomIn(red, 0.25)  # zoom out so that pixels outside the volume are visible
    point = red.pixelToRAS(2, 2)
    low, high = sliceBounds(yellow, anatomical)
    assert not (low <= yellow.distanceToPlane(point) + sliceOffset(yellow) <= high)

    red.click(2, 2)

    for view in (yellow, green):
        low, high = sliceBounds(view, anatomical)
        offset = sliceOffset(view)
        assert math.isclose(offset, low, abs_tol=TOLERANCE_MM) or math.isclose(offset, high, abs_tol=TOLERANCE_MM)
    assert set(engine.lastResult.clampedNames) == {"Yellow", "Green"}


def test_ignore_outside_moves_nothing_for_a_click_outside_the_volume(bench, anatomical, engine):
    engine.setClampMode("ignoreOutside")
    red, yellow, green = (bench.views[name] for name in ("Red", "Yellow", "Green"))
    zoomIn(red, 0.25)
    before = {view.name: view.sliceToRAS() for view in (yellow, green)}

    red.click(2, 2)

    assert {view.name: view.sliceToRAS() for view in (yellow, green)} == before
    assert engine.lastResult.skippedReason
    inside = red.pixelToRAS(128, 128)
    red.click(128, 128)
    assertPlaneContains(yellow, inside)


def test_clamp_off_follows_the_point_beyond_the_volume(bench, anatomical, engine):
    engine.setClampMode("off")
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    zoomIn(red, 0.25)
    point = red.pixelToRAS(2, 2)

    red.click(2, 2)

    assertPlaneContains(yellow, point)


def volumeCases(bench):
    """Real volumes written to NIfTI and read back with Slicer's reader: oblique, anisotropic, single slice."""
    anisotropic = np.diag([1.0, 1.0, 5.0, 1.0])
    anisotropic[:3, 3] = (-16, -16, -40)
    return {
        "oblique": bench.addSyntheticVolume("oblique", (30, 24, 18), obliqueAffine()),
        "anisotropic": bench.addSyntheticVolume("anisotropic", (32, 32, 16), anisotropic),
        "singleSlice": bench.addSyntheticVolume("single", (40, 40, 1), np.diag([1.0, 1.0, 3.0, 1.0])),
    }


@pytest.mark.parametrize("case", ["oblique", "anisotropic", "singleSlice", "transformed"])
def test_clamped_targets_land_on_slicers_own_volume_slice_bounds(bench, engine, case):
    red, yellow, green = (bench.views[name] for name in ("Red", "Yellow", "Green"))
    if case == "transformed":
        volume = bench.addSyntheticVolume("transformed", (30, 30, 20), np.diag([1.0, 1.5, 2.0, 1.0]))
        transform = bench.scene.AddNewNodeByClass("vtkMRMLLinearTransformNode")
        matrix = vtk.vtkMatrix4x4()
        rotation = rotationMatrix((1.0, -0.5, 0.3), 40.0)
        for r in range(3):
            for c in range(3):
                matrix.SetElement(r, c, rotation[r, c])
            matrix.SetElement(r, 3, (12.0, -7.0, 30.0)[r])
        transform.SetMatrixTransformToParent(matrix)
        volume.SetAndObserveTransformNodeID(transform.GetID())
    else:
        volume = volumeCases(bench)[case]
    bench.showVolume(volume)
    makeOblique(green, axis=(0.3, 1.0, 0.0), degrees=20.0)
    zoomIn(red, 0.2)

    for x, y in ((1, 1), (255, 255), (128, 128), (1, 250)):
        point = red.pixelToRAS(x, y)
        red.click(x, y)
        for view in (yellow, green):
            low, high = sliceBounds(view, volume)
            offset = sliceOffset(view)
            wanted = min(max(view.distanceToPlane(point) + offset, low), high)
            assert math.isclose(offset, wanted, abs_tol=TOLERANCE_MM), (view.name, x, y, offset, low, high)


def test_a_view_showing_no_volume_is_not_clamped_and_says_so(bench, anatomical, engine):
    red, green = bench.views["Red"], bench.views["Green"]
    bench.showVolume(None, [green])
    zoomIn(red, 0.25)
    point = red.pixelToRAS(2, 2)

    red.click(2, 2)

    assertPlaneContains(green, point)
    assert engine.lastResult.notClamped == {"Green": "no volume shown"}
    assert "Green" in engine.statusText()


def test_foreground_then_label_volume_is_used_when_there_is_no_background(bench, engine):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    volume = bench.addSyntheticVolume("fg", (20, 20, 20))
    bench.showVolume(volume, layer="Foreground")
    zoomIn(red, 0.2)

    red.click(1, 1)

    low, high = sliceBounds(yellow, volume)
    assert math.isclose(sliceOffset(yellow), low, abs_tol=TOLERANCE_MM) or math.isclose(
        sliceOffset(yellow), high, abs_tol=TOLERANCE_MM
    )


# -- drag-follow ---------------------------------------------------------------------------------------------


def test_drag_follow_moves_the_targets_at_every_step(bench, anatomical, engine):
    red, yellow, green = (bench.views[name] for name in ("Red", "Yellow", "Green"))
    path = [(60, 60), (80, 70), (110, 95), (150, 150), (170, 180)]
    red.press(*path[0])
    for x, y in path[1:]:
        red.move(x, y)
        point = red.pixelToRAS(x, y)
        assertPlaneContains(yellow, point)
        assertPlaneContains(green, point)
    red.release(*path[-1])
    assertPlaneContains(yellow, red.pixelToRAS(*path[-1]))


def test_without_drag_follow_a_drag_moves_nothing_but_a_click_still_syncs(bench, anatomical, engine):
    engine.setDragFollow(False)
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    before = yellow.sliceToRAS()

    red.drag([(60, 60), (90, 90), (120, 120)])
    assert yellow.sliceToRAS() == before

    point = red.pixelToRAS(60, 60)
    red.press(60, 60)
    assert yellow.sliceToRAS() == before, "without drag-follow a click syncs on release"
    red.move(62, 61)  # mouse jitter within the click tolerance
    red.release(62, 61)
    assertPlaneContains(yellow, point)


def test_moves_without_a_press_do_not_sync(bench, anatomical, engine):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    before = yellow.sliceToRAS()
    for x in range(20, 200, 20):
        red.move(x, x)
    assert yellow.sliceToRAS() == before


# -- gestures that belong to Slicer --------------------------------------------------------------------------


@pytest.mark.parametrize("modifier", ["shift", "ctrl", "alt"])
def test_modifier_clicks_and_drags_are_left_to_slicer(bench, anatomical, engine, modifier):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    bench.crosshairNode.SetCrosshairBehavior(bench.crosshairNode.NoAction)
    before = yellow.sliceToRAS()
    keys = {modifier: True}

    red.press(100, 100, **keys)
    red.move(140, 120, **keys)
    red.release(140, 120, **keys)

    assert yellow.sliceToRAS() == before
    assert engine.lastResult is None


@pytest.mark.parametrize("mode", ["Place", "AdjustWindowLevel"])
def test_no_sync_outside_view_transform_mode(bench, anatomical, engine, mode):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    interaction = bench.interactionNode
    interaction.SetCurrentInteractionMode(getattr(interaction, mode))
    before = yellow.sliceToRAS()

    red.click(100, 100)

    assert yellow.sliceToRAS() == before
    assert interaction.GetCurrentInteractionMode() == getattr(interaction, mode)
    interaction.SetCurrentInteractionMode(interaction.ViewTransform)
    red.click(100, 100)
    assertPlaneContains(yellow, red.pixelToRAS(100, 100))


def test_disabled_engine_does_nothing_and_has_no_observers(bench, anatomical):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    baseline = observerCount(red.interactor)
    engine = SliceSyncEngine(bench.scene)
    engine.addView(red.sliceNode, red.interactor)
    engine.addView(yellow.sliceNode, yellow.interactor)
    before = yellow.sliceToRAS()

    red.click(100, 100)

    assert yellow.sliceToRAS() == before
    assert observerCount(red.interactor) == baseline
    engine.cleanup()


# -- events and user settings --------------------------------------------------------------------------------


def test_each_moved_view_fires_exactly_one_modified_event_and_unmoved_views_none(bench, anatomical, engine):
    red, yellow, green = (bench.views[name] for name in ("Red", "Yellow", "Green"))
    with ModifiedCounter((red, yellow, green)) as counter:
        for index, mode in enumerate(("offset", "centered", "keepInView")):
            engine.setJumpMode(mode)
            zoomIn(yellow, 4.0)
            x, y = 30 + 40 * index, 200 - 50 * index
            counter.counts.update(Red=0, Yellow=0, Green=0)
            red.click(x, y)
            assert counter.counts == {"Red": 0, "Yellow": 1, "Green": 1}, mode
            counter.counts.update(Red=0, Yellow=0, Green=0)
            red.click(x, y)  # the same point again: every target already passes through it
            assert counter.counts == {"Red": 0, "Yellow": 0, "Green": 0}, mode


def test_user_setup_is_untouched_by_clicks_drags_and_modes(bench, anatomical, engine):
    bench.crosshairNode.SetCrosshairMode(bench.crosshairNode.ShowSmallBasic)
    bench.crosshairNode.SetCrosshairBehavior(bench.crosshairNode.CenteredJumpSlice)
    for view in bench.views.values():
        view.compositeNode.SetLinkedControl(1)
    before = userState(bench)
    red = bench.views["Red"]

    for mode in ("offset", "centered", "keepInView"):
        engine.setJumpMode(mode)
        red.click(50, 60)
        red.drag([(70, 70), (90, 100), (130, 120)])

    assert userState(bench) == before


def test_crosshair_is_placed_at_the_synced_point_without_changing_its_settings(bench, anatomical, engine):
    crosshair = bench.crosshairNode
    crosshair.SetCrosshairMode(crosshair.ShowBasic)
    settings = (crosshair.GetCrosshairMode(), crosshair.GetCrosshairBehavior(), crosshair.GetCrosshairThickness())
    red = bench.views["Red"]
    point = red.pixelToRAS(77, 99)

    red.click(77, 99)

    assert np.allclose(crosshair.GetCrosshairRAS(), point, atol=TOLERANCE_MM)
    assert (
        crosshair.GetCrosshairMode(),
        crosshair.GetCrosshairBehavior(),
        crosshair.GetCrosshairThickness(),
    ) == settings
    engine.setShowCrosshair(False)
    red.click(150, 40)
    assert np.allclose(crosshair.GetCrosshairRAS(), point, atol=TOLERANCE_MM)


# -- API -----------------------------------------------------------------------------------------------------


def test_sync_to_moves_every_registered_view_when_no_source_is_given(bench, anatomical, engine):
    point = (5.0, -3.0, 10.0)
    result = engine.syncTo(point)
    for view in bench.views.values():
        assertPlaneContains(view, point)
    assert len(result.movedNames) == 3


def test_sync_to_with_a_source_leaves_the_source_alone(bench, anatomical, engine):
    red = bench.views["Red"]
    before = red.sliceToRAS()
    engine.syncTo((1.0, 2.0, 3.0), red.sliceNode)
    assert red.sliceToRAS() == before
    assertPlaneContains(bench.views["Green"], (1.0, 2.0, 3.0))


@pytest.mark.parametrize(
    "call",
    [
        lambda e, b: e.syncTo((1.0, 2.0)),
        lambda e, b: e.syncTo("abc"),
        lambda e, b: e.syncTo((float("nan"), 0.0, 0.0)),
        lambda e, b: e.syncTo((0.0, float("inf"), 0.0)),
        lambda e, b: e.syncTo((0.0, 0.0, 0.0), "Red"),
        lambda e, b: e.setJumpMode("jump"),
        lambda e, b: e.setClampMode("clip"),
        lambda e, b: e.addView("Red", b.views["Red"].interactor),
        lambda e, b: e.addView(b.views["Red"].sliceNode, None),
        lambda e, b: SliceSyncEngine(None),
        lambda e, b: e.setStatusCallback(42),
        lambda e, b: e.setEnabled("false"),
        lambda e, b: e.setDragFollow(None),
        lambda e, b: e.setShowCrosshair(2),
    ],
)
def test_wrong_arguments_raise_value_error(bench, engine, call):
    with pytest.raises(ValueError):
        call(engine, bench)


@pytest.mark.parametrize(
    "point, source",
    [
        ((1.0, "2", 3.0), None),
        ((b"1", 2.0, 3.0), None),
        ((1.0, None, 3.0), None),
        ((MAX_COORDINATE_MM * 1.001, 0.0, 0.0), None),
        ((0.0, -1e300, 0.0), None),
        ((0.0, 0.0, 10**400), None),
        ((1.0, 2.0, 3.0), "foreign"),
        ((1.0, 2.0, 3.0), "unadded"),
    ],
)
def test_sync_to_rejects_non_numbers_far_points_and_foreign_sources_and_moves_nothing(bench, engine, point, source):
    if source == "foreign":
        source = slicer.vtkMRMLScene().AddNewNodeByClass("vtkMRMLSliceNode")
    elif source == "unadded":
        source = slicer.vtkMRMLSliceNode()
    before = {name: view.sliceToRAS() for name, view in bench.views.items()}
    with pytest.raises(ValueError):
        engine.syncTo(point, source)
    assert {name: view.sliceToRAS() for name, view in bench.views.items()} == before
    assert engine.lastResult is None


def test_sync_to_accepts_points_up_to_the_documented_bound(bench, engine):
    result = engine.syncTo((0.0, 0.0, MAX_COORDINATE_MM), bench.views["Green"].sliceNode)
    assert result.point == (0.0, 0.0, MAX_COORDINATE_MM)
    assert "Red" in result.targetNames


def test_cleanup_leaves_exactly_the_observers_that_were_there_before(bench, anatomical):
    objects = [bench.scene] + [view.interactor for view in bench.views.values()]
    objects += [view.sliceNode for view in bench.views.values()]
    baseline = [observerCount(obj) for obj in objects]
    engine = SliceSyncEngine(bench.scene)
    for view in bench.views.values():
        engine.addView(view.sliceNode, view.interactor)
        engine.addView(view.sliceNode, view.interactor)  # twice: no double observers
    for _ in range(50):
        engine.setEnabled(True)
        engine.setEnabled(False)
    engine.setEnabled(True)
    assert observerCount(bench.views["Red"].interactor) == baseline[1] + 5  # 4 mouse, 1 key
    bench.views["Red"].click(100, 100)

    engine.cleanup()
    engine.cleanup()

    assert [observerCount(obj) for obj in objects] == baseline


# -- behaviour the reviewers found untested ------------------------------------------------------------------


def offsetIsAtBound(view, volume):
    low, high = sliceBounds(view, volume)
    offset = sliceOffset(view)
    return math.isclose(offset, low, abs_tol=TOLERANCE_MM) or math.isclose(offset, high, abs_tol=TOLERANCE_MM)


@pytest.mark.parametrize("change", ["origin", "spacing", "transform", "extent"])
def test_clamping_follows_a_volume_whose_geometry_changed_between_clicks(bench, engine, change):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    volume = bench.addSyntheticVolume("changing", (30, 30, 30))
    bench.showVolume(volume)
    zoomIn(red, 0.15)
    red.click(1, 1)
    boundsBefore = sliceBounds(yellow, volume)
    assert offsetIsAtBound(yellow, volume)

    if change == "origin":
        volume.SetOrigin(-50.0, 40.0, 5.0)
    elif change == "spacing":
        volume.SetSpacing(2.5, 0.5, 1.0)
    elif change == "transform":
        transform = bench.scene.AddNewNodeByClass("vtkMRMLLinearTransformNode")
        volume.SetAndObserveTransformNodeID(transform.GetID())
        red.click(1, 1)  # the transform is the identity first: the cached geometry is still right
        matrix = vtk.vtkMatrix4x4()
        matrix.SetElement(0, 3, 17.0)
        matrix.SetElement(1, 3, -9.0)
        transform.SetMatrixTransformToParent(matrix)
    else:
        smaller = vtk.vtkImageData()
        smaller.SetDimensions(10, 12, 8)
        smaller.AllocateScalars(vtk.VTK_SHORT, 1)
        volume.SetAndObserveImageData(smaller)
    assert sliceBounds(yellow, volume) != boundsBefore

    red.click(1, 1)

    assert offsetIsAtBound(yellow, volume), (sliceOffset(yellow), sliceBounds(yellow, volume))


def test_background_layer_wins_over_foreground_and_label_for_clamping(bench, engine):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    small = bench.addSyntheticVolume("small", (10, 10, 10))
    large = bench.addSyntheticVolume("large", (60, 60, 60))
    bench.showVolume(large, layer="Foreground")
    bench.showVolume(small, layer="Background")
    zoomIn(red, 0.1)
    red.click(1, 1)
    assert offsetIsAtBound(yellow, small)

    bench.showVolume(None, layer="Background", fit=False)
    bench.showVolume(None, layer="Foreground", fit=False)
    bench.showVolume(large, layer="Label", fit=False)
    red.click(1, 1)
    assert offsetIsAtBound(yellow, large)
    assert not offsetIsAtBound(yellow, small)


def test_ignore_outside_lets_the_clicked_views_volume_decide(bench, engine):
    engine.setClampMode("ignoreOutside")
    red, yellow, green = (bench.views[name] for name in ("Red", "Yellow", "Green"))
    large = bench.addSyntheticVolume("large", (60, 60, 60))
    small = bench.addSyntheticVolume("small", (10, 10, 10))
    bench.showVolume(large)
    bench.showVolume(small, [yellow], fit=False)
    pixel = tuple(int(round(c)) for c in red.rasToPixel((40.0, 45.0, 0.0)))
    point = red.pixelToRAS(*pixel)
    assert point[0] > 10.0, "the point must lie outside Yellow's small volume"

    red.click(*pixel)

    assertPlaneContains(yellow, point)
    assertPlaneContains(green, point)
    assert engine.lastResult.outsideNames == [] and engine.lastResult.notClamped == {}


def test_a_drag_that_comes_back_near_the_press_is_not_a_click(bench, anatomical, engine):
    engine.setDragFollow(False)
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    before = yellow.sliceToRAS()

    red.drag([(60, 60), (120, 110), (61, 61)])

    assert yellow.sliceToRAS() == before


def test_a_new_press_forgets_a_press_whose_release_never_came(bench, anatomical, engine):
    engine.setDragFollow(False)
    bench.crosshairNode.SetCrosshairBehavior(bench.crosshairNode.NoAction)  # no Shift-move jump of Slicer's own
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    before = yellow.sliceToRAS()

    red.press(60, 60)  # its release is lost (e.g. the button was released outside the window)
    red.press(60, 60, shift=True)  # a Shift press is Slicer's; SliceSync must start nothing
    red.release(60, 60, shift=True)

    assert yellow.sliceToRAS() == before


def test_a_release_taken_by_another_observer_still_ends_the_gesture(bench, anatomical, engine):
    red, yellow = bench.views["Red"], bench.views["Yellow"]

    def swallowRelease(caller, event):
        caller.GetCommand(tag).SetAbortFlag(1)

    tag = red.interactor.AddObserver(vtk.vtkCommand.LeftButtonReleaseEvent, swallowRelease, 5.0)
    try:
        red.click(60, 60)
        assertPlaneContains(yellow, red.pixelToRAS(60, 60))
        afterClick = yellow.sliceToRAS()
        for x in range(70, 200, 20):
            red.move(x, x)  # hovering with no button held
        assert yellow.sliceToRAS() == afterClick
    finally:
        red.interactor.RemoveObserver(tag)


def test_an_engine_reused_after_cleanup_still_forgets_removed_slice_nodes(bench, anatomical):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    baseline = observerCount(yellow.interactor)
    engine = SliceSyncEngine(bench.scene)
    engine.cleanup()
    engine.addView(red.sliceNode, red.interactor)
    engine.addView(yellow.sliceNode, yellow.interactor)
    engine.setEnabled(True)

    bench.scene.RemoveNode(yellow.sliceNode)

    assert [node.GetLayoutName() for node in engine.views()] == ["Red"]
    assert observerCount(yellow.interactor) == baseline
    engine.cleanup()
