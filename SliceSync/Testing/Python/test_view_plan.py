"""The per-view plan (normal, clamp range, keep-in-view matrices) is reused between clicks and rebuilt on any change.

Each test clicks once so that the targets have a plan, changes one thing a plan depends on the way a user or
Slicer would, clicks again, and checks the geometry a stale plan would get wrong.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import vtk

from SliceSyncBench import ModifiedCounter, sliceBounds, sliceOffset

TOLERANCE_MM = 1e-3


def assertPlaneContains(view, point):
    distance = view.distanceToPlane(point)
    assert abs(distance) <= TOLERANCE_MM, f"{view.name} misses {point} by {distance:.6f} mm"


def assertInsideMargins(view, point):
    x, y = view.rasToPixel(point)
    width, height = view.size()
    margin = 0.05 * width
    assert margin - 1e-6 <= x <= width - margin + 1e-6, (x, width)
    assert margin - 1e-6 <= y <= height - margin + 1e-6, (y, height)


def test_target_rotated_between_clicks_is_moved_along_its_new_normal(bench, anatomical, engine):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    point = red.pixelToRAS(110, 140)
    red.click(110, 140)
    assertPlaneContains(yellow, point)
    # The user turns Yellow coronal: through the same point, a plan kept from the sagittal plane would see
    # nothing to do.
    yellow.sliceNode.SetOrientation("Coronal")
    assert abs(yellow.distanceToPlane(point)) > 1.0, "the test needs the rotated view away from the point"

    red.click(110, 140)

    assertPlaneContains(yellow, point)
    assert "Yellow" in engine.lastResult.movedNames


def test_target_zoomed_between_clicks_is_kept_in_view_with_its_new_zoom(bench, anatomical, engine):
    engine.setJumpMode("keepInView")
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    red.click(128, 128)
    fov = yellow.sliceNode.GetFieldOfView()
    yellow.sliceNode.SetFieldOfView(fov[0] / 6.0, fov[1] / 6.0, fov[2])
    point = red.pixelToRAS(220, 40)
    x, y = yellow.rasToPixel(point)
    width, height = yellow.size()
    assert not (0 <= x <= width and 0 <= y <= height), "the point must be outside the zoomed view"

    red.click(220, 40)

    assertPlaneContains(yellow, point)
    assertInsideMargins(yellow, point)


def test_target_resized_between_clicks_is_kept_in_view_of_its_new_size(bench, anatomical, engine):
    engine.setJumpMode("keepInView")
    red, green = bench.views["Red"], bench.views["Green"]
    red.click(128, 128)
    # A narrower window (Slicer resizes the slice node with the widget); the field of view keeps its mm width.
    green.renderWindow.SetSize(80, 256)
    green.sliceLogic.ResizeSliceNode(80, 256)
    point = red.pixelToRAS(236, 128)
    x, _ = green.rasToPixel(point)
    assert not 0 <= x <= 80, "the point must be outside the narrowed view"

    red.click(236, 128)

    assertPlaneContains(green, point)
    x, y = green.rasToPixel(point)
    assert 4.0 - 1e-6 <= x <= 76.0 + 1e-6


def test_target_panned_between_clicks_keeps_the_users_pan_in_keep_in_view(bench, anatomical, engine):
    engine.setJumpMode("keepInView")
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    red.click(128, 128)
    # The user pans Yellow by 8 mm along its in-plane x axis (Shift+drag does the same through the node).
    sliceToRAS = yellow.sliceNode.GetSliceToRAS()
    for row in range(3):
        sliceToRAS.SetElement(row, 3, sliceToRAS.GetElement(row, 3) + 8.0 * sliceToRAS.GetElement(row, 0))
    yellow.sliceNode.UpdateMatrices()
    point = red.pixelToRAS(120, 150)
    before = yellow.rasToPixel(point)
    width, height = yellow.size()
    assert 0.05 * width < before[0] < 0.95 * width and 0.05 * height < before[1] < 0.95 * height

    red.click(120, 150)

    assertPlaneContains(yellow, point)
    assert np.allclose(yellow.rasToPixel(point), before, atol=1e-6), "visible point: the pan is kept"


def test_slicers_own_jumps_between_clicks_leave_the_plan_right(bench, anatomical, engine):
    red, yellow, green = bench.views["Red"], bench.views["Yellow"], bench.views["Green"]
    bench.crosshairNode.SetCrosshairBehavior(bench.crosshairNode.OffsetJumpSlice)
    engine.setJumpMode("keepInView")
    red.click(90, 100)
    for pixel in ((40, 60), (200, 210), (128, 30)):
        red.move(*pixel, shift=True)  # Slicer's Shift+move jump offsets Yellow and Green
        assertPlaneContains(yellow, red.pixelToRAS(*pixel))
    point = red.pixelToRAS(150, 170)
    with ModifiedCounter([yellow, green]) as counter:
        red.click(150, 170)
    assertPlaneContains(yellow, point)
    assertPlaneContains(green, point)
    assert counter.counts == {"Yellow": 1, "Green": 1}
    # Clicking the same point again finds every plane already through it: nothing moves, no event.
    with ModifiedCounter([yellow, green]) as counter:
        red.click(150, 170)
    assert counter.counts == {"Yellow": 0, "Green": 0}


def test_plan_is_reused_across_clicks_and_rebuilt_after_a_change(bench, anatomical, engine):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    planner = engine._planner
    red.click(100, 100)
    built = planner.misses
    for x in range(60, 200, 20):
        red.click(x, 220 - x)
        assertPlaneContains(yellow, red.pixelToRAS(x, 220 - x))
    assert planner.misses == built, "offset jumps only: no plan is rebuilt"
    assert planner.hits >= 2 * 7
    yellow.compositeNode.SetForegroundOpacity(0.3)  # any composite change rebuilds that view's plan
    red.click(130, 90)
    assert planner.misses == built + 1
    assertPlaneContains(yellow, red.pixelToRAS(130, 90))


def test_other_volume_shown_between_clicks_is_the_one_clamped_to(bench, anatomical, engine):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    point = red.pixelToRAS(128, 128)
    red.click(128, 128)
    assertPlaneContains(yellow, point)
    affine = np.eye(4)
    affine[:3, 3] = (point[0] + 15.0, point[1] - 20.0, point[2] - 20.0)
    thin = bench.addSyntheticVolume("thin", (3, 40, 40), affine)
    bench.showVolume(thin, [yellow], fit=False)

    red.click(128, 128)

    low, high = sliceBounds(yellow, thin)
    offset = sliceOffset(yellow)
    assert math.isclose(offset, low, abs_tol=TOLERANCE_MM) or math.isclose(offset, high, abs_tol=TOLERANCE_MM)
    assert "Yellow" in engine.lastResult.clampedNames


def test_removed_volume_is_no_longer_clamped_to(bench, anatomical, engine):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    fov = red.sliceNode.GetFieldOfView()
    red.sliceNode.SetFieldOfView(fov[0] * 4, fov[1] * 4, fov[2])
    red.click(2, 128)  # far outside the volume: Yellow is clamped
    assert "Yellow" in engine.lastResult.clampedNames
    bench.scene.RemoveNode(anatomical)

    red.click(2, 128)

    assertPlaneContains(yellow, red.pixelToRAS(2, 128))
    assert engine.lastResult.notClamped.get("Yellow") == "no volume shown"


@pytest.mark.parametrize("mode", ["offset", "keepInView", "centered"])
def test_oblique_target_moves_through_every_click_with_a_reused_plan(bench, anatomical, engine, mode):
    engine.setJumpMode(mode)
    engine.setClampMode("off")
    red, green = bench.views["Red"], bench.views["Green"]
    rotation = vtk.vtkTransform()
    rotation.RotateWXYZ(35.0, 0.3, 1.0, 0.2)
    sliceToRAS = green.sliceNode.GetSliceToRAS()
    matrix = vtk.vtkMatrix4x4()
    vtk.vtkMatrix4x4.Multiply4x4(rotation.GetMatrix(), sliceToRAS, matrix)
    sliceToRAS.DeepCopy(matrix)
    green.sliceNode.UpdateMatrices()
    for pixel in ((30, 40), (220, 200), (128, 128), (60, 230)):
        red.click(*pixel)
        assertPlaneContains(green, red.pixelToRAS(*pixel))


def test_target_tilted_about_its_corner_pixel_is_replanned(bench, anatomical, engine):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    point = red.pixelToRAS(128, 128)
    red.click(128, 128)
    assertPlaneContains(yellow, point)
    # Tilt Yellow 30 degrees about an axis through the RAS point of its pixel (0, 0): XYToRAS keeps its translation
    # and only its rotation changes, so only the rotation tells the plan is stale.
    corner = yellow.sliceNode.GetXYToRAS().MultiplyPoint((0.0, 0.0, 0.0, 1.0))[:3]
    tilt = vtk.vtkTransform()
    tilt.Translate(*corner)
    tilt.RotateWXYZ(30.0, 0.0, 0.0, 1.0)
    tilt.Translate(*(-c for c in corner))
    matrix = vtk.vtkMatrix4x4()
    vtk.vtkMatrix4x4.Multiply4x4(tilt.GetMatrix(), yellow.sliceNode.GetSliceToRAS(), matrix)
    yellow.sliceNode.GetSliceToRAS().DeepCopy(matrix)
    yellow.sliceNode.UpdateMatrices()
    assert np.allclose(yellow.sliceNode.GetXYToRAS().MultiplyPoint((0.0, 0.0, 0.0, 1.0))[:3], corner, atol=1e-9)
    assert abs(yellow.distanceToPlane(point)) > 1.0

    red.click(128, 128)

    assertPlaneContains(yellow, point)


def test_keep_in_view_pans_at_every_click_of_a_sequence_across_a_zoomed_view(bench, anatomical, engine):
    engine.setJumpMode("keepInView")
    engine.setClampMode("off")  # some clicks fall outside the volume: follow them, so every plane holds its point
    red, yellow, green = bench.views["Red"], bench.views["Yellow"], bench.views["Green"]
    for view in (yellow, green):
        fov = view.sliceNode.GetFieldOfView()
        view.sliceNode.SetFieldOfView(fov[0] / 5.0, fov[1] / 5.0, fov[2])
    # Far apart: most clicks need a pan, which moves a view in its plane and must not leave a stale plan behind.
    for pixel in ((20, 30), (230, 220), (25, 225), (128, 128), (240, 15), (240, 15), (60, 200)):
        point = red.pixelToRAS(*pixel)
        red.click(*pixel)
        for view in (yellow, green):
            assertPlaneContains(view, point)
            assertInsideMargins(view, point)


def test_clamping_follows_a_change_of_the_volumes_grandparent_transform(bench, engine):
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    volume = bench.addSyntheticVolume("nested", (20, 20, 20))
    bench.showVolume(volume)
    parent = bench.scene.AddNewNodeByClass("vtkMRMLLinearTransformNode")
    grandparent = bench.scene.AddNewNodeByClass("vtkMRMLLinearTransformNode")
    parent.SetAndObserveTransformNodeID(grandparent.GetID())
    volume.SetAndObserveTransformNodeID(parent.GetID())
    fov = red.sliceNode.GetFieldOfView()
    red.sliceNode.SetFieldOfView(fov[0] * 6, fov[1] * 6, fov[2])
    red.click(250, 128)  # far to one side: Yellow is clamped to the volume
    before = sliceBounds(yellow, volume)
    assert math.isclose(sliceOffset(yellow), before[0], abs_tol=TOLERANCE_MM) or math.isclose(
        sliceOffset(yellow), before[1], abs_tol=TOLERANCE_MM
    )
    matrix = vtk.vtkMatrix4x4()
    matrix.SetElement(0, 3, 23.0)
    matrix.SetElement(1, 3, -11.0)
    grandparent.SetMatrixTransformToParent(matrix)  # only the grandparent changes
    after = sliceBounds(yellow, volume)
    assert after != before

    red.click(250, 128)

    offset = sliceOffset(yellow)
    assert math.isclose(offset, after[0], abs_tol=TOLERANCE_MM) or math.isclose(offset, after[1], abs_tol=TOLERANCE_MM)
