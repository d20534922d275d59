"""Registration-aware sync on real Slicer slice views: a click maps through a transform into another view group.

Group 0 shows a volume in world space. Group 1 shows a second copy of it, with no transform applied to it, and
is mapped through a transform node: its views show the space that transform maps to world. Group 2 is free
for tests that map a second group; group 3 is never linked. Every point is checked against Slicer's own
transform classes, not against the engine's arithmetic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import slicer
import vtk
from conftest import anatomicalPath
from test_markups_follow import addMarkupsNode, controlPoint, place, startPlacing, stopPlacing
from vtk.util import numpy_support

from SliceSyncBench import (
    SliceViewBench,
    displacementTransformNode,
    observerCount,
    planeIntersection,
    planes,
    sliceBounds,
    sliceOffset,
    userState,
)
from SliceSyncLib import CLAMP_MODES, JUMP_MODES, SliceSyncEngine

TOLERANCE_MM = 1e-3
ROUND_TRIP_MM = 0.1
PIXEL = (120, 140)


def rigidMatrix(degrees=8.0, axis=(0.2, 0.3, 1.0), translation=(4.0, -3.0, 6.0)) -> np.ndarray:
    axis = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    angle = math.radians(degrees)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    matrix = np.eye(4)
    matrix[:3, :3] = np.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * k @ k
    matrix[:3, 3] = translation
    return matrix


def setMatrix(node: slicer.vtkMRMLLinearTransformNode, matrix: np.ndarray) -> None:
    vtkMatrix = vtk.vtkMatrix4x4()
    for r in range(4):
        for c in range(4):
            vtkMatrix.SetElement(r, c, matrix[r, c])
    node.SetMatrixTransformToParent(vtkMatrix)


def matrixToParent(node: slicer.vtkMRMLLinearTransformNode) -> list:
    matrix = vtk.vtkMatrix4x4()
    node.GetMatrixTransformToParent(matrix)
    return list(matrix.GetData())


def apply(matrix: np.ndarray, point) -> tuple:
    return tuple(float(c) for c in (matrix @ np.append(np.asarray(point, dtype=float), 1.0))[:3])


def assertThrough(view, point, tolerance=TOLERANCE_MM) -> None:
    distance = view.distanceToPlane(point)
    assert abs(distance) <= tolerance, f"{view.name} misses {point} by {distance:.6f} mm"


class Registered:
    """Four view groups over two copies of anatomical.nii; group 1 mapped through a rigid transform."""

    def __init__(self, bench: SliceViewBench) -> None:
        self.bench = bench
        self.fixed = bench.loadVolume(anatomicalPath(), "fixed")
        self.moving = bench.loadVolume(anatomicalPath(), "moving")
        self.world = [bench.views[name] for name in ("Red", "Yellow", "Green")]
        self.group1 = bench.addViewGroup(1, "1")
        self.group2 = bench.addViewGroup(2, "2")
        self.group3 = [bench.addView("Red3", "Axial", 3), bench.addView("Yellow3", "Sagittal", 3)]
        bench.showVolume(self.fixed, self.world + self.group3)
        bench.showVolume(self.moving, self.group1 + self.group2)
        self.matrix = rigidMatrix()
        self.transform = slicer.vtkMRMLLinearTransformNode()
        self.transform.SetName("Registration")
        bench.scene.AddNode(self.transform)
        setMatrix(self.transform, self.matrix)
        self.engine = SliceSyncEngine(bench.scene)
        for view in bench.views.values():
            self.engine.addView(view.sliceNode, view.interactor)
        self.engine.setEnabled(True)
        self.engine.setViewGroupTransform(1, self.transform)

    def toWorld(self, q) -> tuple:
        return apply(self.matrix, q)

    def fromWorld(self, p) -> tuple:
        return apply(np.linalg.inv(self.matrix), p)


@pytest.fixture
def registered(bench):
    rig = Registered(bench)
    yield rig
    rig.engine.cleanup()


# -- the basic promise -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("sourceName", ["Red1", "Yellow1", "Green1"])
def test_click_in_mapped_group_moves_world_group_through_the_transformed_point(registered, sourceName):
    bench = registered.bench
    source = bench.views[sourceName]
    group3Before = {view.name: view.sliceToRAS() for view in registered.group3}
    group2Before = {view.name: view.sliceToRAS() for view in registered.group2}
    q = source.pixelToRAS(*PIXEL)
    p = registered.toWorld(q)

    source.click(*PIXEL)

    for view in registered.world:
        assertThrough(view, p)
    for view in registered.group1:
        assertThrough(view, q)
    crosshair = bench.crosshairNode.GetCrosshairRAS()
    assert math.dist(crosshair, p) <= TOLERANCE_MM
    assert math.dist(registered.engine.readout().ras, p) <= TOLERANCE_MM  # the cursor is kept in world coordinates
    assert {view.name: view.sliceToRAS() for view in registered.group3} == group3Before
    assert {view.name: view.sliceToRAS() for view in registered.group2} == group2Before
    assert "through the transform of view group 1" in registered.engine.statusText()


@pytest.mark.parametrize("sourceName", ["Red", "Yellow", "Green"])
def test_click_in_world_group_moves_mapped_group_through_the_inverse(registered, sourceName):
    source = registered.bench.views[sourceName]
    group3Before = {view.name: view.sliceToRAS() for view in registered.group3}
    p = source.pixelToRAS(*PIXEL)
    q = registered.fromWorld(p)

    source.click(*PIXEL)

    for view in registered.group1:
        assertThrough(view, q)
    for view in registered.world:
        assertThrough(view, p)
    assert math.dist(planeIntersection(registered.group1), q) <= TOLERANCE_MM
    assert {view.name: view.sliceToRAS() for view in registered.group3} == group3Before
    assert registered.engine.lastResult.movedNames


def nearestVoxel(volume, ras) -> tuple:
    rasToIJK = vtk.vtkMatrix4x4()
    volume.GetRASToIJKMatrix(rasToIJK)
    return tuple(int(math.floor(c + 0.5)) for c in rasToIJK.MultiplyPoint((*ras, 1.0))[:3])


def test_readout_reads_each_volume_where_its_group_shows_the_cursor(registered):
    red = registered.bench.views["Red"]
    p = red.pixelToRAS(*PIXEL)
    q = registered.fromWorld(p)
    assert nearestVoxel(registered.moving, q) != nearestVoxel(registered.fixed, p), "the test needs distinct voxels"

    red.click(*PIXEL)

    readout = registered.engine.readout()
    entries = {entry.volumeName: entry for entry in readout.layers}
    assert math.dist(readout.ras, p) <= TOLERANCE_MM
    assert [entry.volumeName for entry in readout.layers] == ["fixed", "moving"]
    assert entries["fixed"].ijk == nearestVoxel(registered.fixed, p)
    assert entries["moving"].ijk == nearestVoxel(registered.moving, q)
    registered.engine.setViewGroupTransform(1, None)
    assert registered.engine.readout().layers[1].ijk == nearestVoxel(registered.moving, p)


def voxelCentre(volume, ijk) -> tuple:
    ijkToRAS = vtk.vtkMatrix4x4()
    volume.GetIJKToRASMatrix(ijkToRAS)
    return tuple(ijkToRAS.MultiplyPoint((*ijk, 1.0))[:3])


def test_snap_in_a_mapped_group_lands_on_a_voxel_centre_of_the_volume_it_shows(registered):
    bench = registered.bench
    engine = registered.engine
    bench.showVolume(registered.fixed, registered.group2, fit=False)
    engine.setSnapToVoxel(True)
    source = bench.views["Red1"]
    q = source.pixelToRAS(*PIXEL)
    centre = voxelCentre(registered.moving, nearestVoxel(registered.moving, q))
    assert math.dist(centre, q) > 0.1, "the test needs a click off the voxel centre"

    source.click(*PIXEL)

    for view in registered.group1:
        assertThrough(view, centre)
    for view in registered.world:
        assertThrough(view, registered.toWorld(centre))
    assert math.dist(engine.cursorRAS(), registered.toWorld(centre)) <= TOLERANCE_MM

    red = bench.views["Red"]
    p = red.pixelToRAS(*PIXEL)
    fixedCentre = voxelCentre(registered.fixed, nearestVoxel(registered.fixed, p))

    red.click(*PIXEL)

    for view in registered.world:
        assertThrough(view, fixedCentre)
    for view in registered.group1:
        assertThrough(view, registered.fromWorld(fixedCentre))


def test_nudge_and_back_in_a_mapped_group_keep_the_cursor_in_world_coordinates(registered):
    bench = registered.bench
    engine = registered.engine
    source = bench.views["Red1"]
    q = source.pixelToRAS(*PIXEL)
    source.click(*PIXEL)
    step = engine.nudgeStep(source.sliceNode)[2]
    nudged = (q[0], q[1], q[2] + step)  # Red1 is axial: z is S in its group's space

    engine.nudge(source.sliceNode, 0, 0, 1)

    assert math.dist(engine.cursorRAS(), registered.toWorld(nudged)) <= TOLERANCE_MM
    for view in registered.world:
        assertThrough(view, registered.toWorld(nudged))
    for view in registered.group1:
        assertThrough(view, nudged)

    engine.back()

    assert math.dist(engine.cursorRAS(), registered.toWorld(q)) <= TOLERANCE_MM
    for view in registered.world:
        assertThrough(view, registered.toWorld(q))
    for view in registered.group1:
        assertThrough(view, q)


def test_point_placed_in_a_mapped_group_moves_the_world_group_through_its_image(registered):
    bench = registered.bench
    node = addMarkupsNode(bench)
    startPlacing(bench, node)

    place(bench.views["Red1"], *PIXEL)

    stopPlacing(bench)
    q = controlPoint(node)
    for view in registered.world:
        assertThrough(view, registered.toWorld(q))
    for view in registered.group1[1:]:
        assertThrough(view, q)


def test_click_in_unlinked_group_moves_only_its_own_group(registered):
    bench = registered.bench
    red3, yellow3 = registered.group3
    before = planes(bench)
    point = red3.pixelToRAS(*PIXEL)

    red3.click(*PIXEL)

    assertThrough(yellow3, point)
    after = planes(bench)
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == ["Yellow3"]


def test_drag_in_mapped_group_keeps_the_world_group_on_the_transformed_point(registered):
    source = registered.bench.views["Green1"]
    path = [(110, 120), (118, 126), (130, 134), (141, 150)]

    source.drag(path)

    q = source.pixelToRAS(*path[-1])
    for view in registered.world:
        assertThrough(view, registered.toWorld(q))
    for view in registered.group1[:2]:
        assertThrough(view, q)


def test_between_two_mapped_groups_the_point_goes_through_both_transforms(registered):
    bench = registered.bench
    second = rigidMatrix(-5.0, (1.0, -0.4, 0.3), (-2.0, 5.0, -3.0))
    transform2 = slicer.vtkMRMLLinearTransformNode()
    bench.scene.AddNode(transform2)
    setMatrix(transform2, second)
    registered.engine.setViewGroupTransform(2, transform2)
    assert registered.engine.linkedViewGroups() == [0, 1, 2]
    source = bench.views["Green1"]
    q = source.pixelToRAS(*PIXEL)
    world = registered.toWorld(q)
    inGroup2 = apply(np.linalg.inv(second), world)

    source.click(*PIXEL)

    for view in registered.group2:
        assertThrough(view, inGroup2)
    for view in registered.world:
        assertThrough(view, world)


@pytest.mark.parametrize("jumpMode", JUMP_MODES)
@pytest.mark.parametrize("clampMode", CLAMP_MODES)
def test_every_jump_and_clamp_mode_passes_through_the_mapped_point(registered, jumpMode, clampMode):
    engine = registered.engine
    engine.setJumpMode(jumpMode)
    engine.setClampMode(clampMode)
    group3Before = planes(registered.bench)
    source = registered.bench.views["Yellow1"]
    q = source.pixelToRAS(128, 128)
    p = registered.toWorld(q)

    source.click(128, 128)

    for view in registered.world:
        assertThrough(view, p)
    for view in registered.group1:
        assertThrough(view, q)
    after = planes(registered.bench)
    assert all(after[view.name] == group3Before[view.name] for view in registered.group3)
    if jumpMode == "centered":
        for view in registered.world:
            centre = view.pixelToRAS(view.size()[0] / 2, view.size()[1] / 2)
            assert math.dist(centre, p) <= TOLERANCE_MM


# -- each target clamps to its own volume, in its own space ----------------------------------------------------


def clickBelowMovingVolume(registered):
    """Click in Green (world) near the bottom of the fixed volume, where the inverse falls below the moving one."""
    green = registered.bench.views["Green"]
    low, high = sliceBounds(registered.bench.views["Red"], registered.fixed)
    x, y = green.rasToPixel((0.0, 0.0, low + 1.0))
    x, y = int(round(x)), int(round(y))
    p = green.pixelToRAS(x, y)
    q = registered.fromWorld(p)
    red1 = registered.bench.views["Red1"]
    assert q[2] < sliceBounds(red1, registered.moving)[0] - 1.0, "the test needs a point below the moving volume"
    green.click(x, y)
    return p, q


def test_clamp_keeps_each_mapped_target_in_its_own_volume(registered):
    registered.engine.setClampMode("clamp")
    red1 = registered.bench.views["Red1"]
    p, q = clickBelowMovingVolume(registered)

    low, _ = sliceBounds(red1, registered.moving)
    assert abs(sliceOffset(red1) - low) <= TOLERANCE_MM
    assert "Red1" in registered.engine.lastResult.clampedNames
    for view in registered.world:
        if view.name != "Green":
            assertThrough(view, p)


def test_ignore_outside_leaves_mapped_targets_whose_point_misses_their_volume(registered):
    registered.engine.setClampMode("ignoreOutside")
    before = planes(registered.bench)
    p, q = clickBelowMovingVolume(registered)

    after = planes(registered.bench)
    for view in registered.group1:
        assert after[view.name] == before[view.name]
        assert view.name in registered.engine.lastResult.outsideNames
    for view in registered.world:
        if view.name != "Green":
            assertThrough(view, p)


def test_clamp_off_moves_mapped_targets_through_the_exact_inverse(registered):
    registered.engine.setClampMode("off")
    p, q = clickBelowMovingVolume(registered)

    for view in registered.group1:
        assertThrough(view, q)


# -- linking ---------------------------------------------------------------------------------------------------


def test_linked_groups_default_to_mapped_groups_plus_group_zero_and_can_be_replaced(registered):
    engine = registered.engine
    bench = registered.bench
    assert engine.linkedViewGroups() == [0, 1]
    engine.setLinkedViewGroups([0, 3])
    assert engine.linkedViewGroups() == [0, 3]
    before = planes(bench)
    red3 = bench.views["Red3"]
    point = red3.pixelToRAS(*PIXEL)

    red3.click(*PIXEL)

    for view in registered.world + [bench.views["Yellow3"]]:
        assertThrough(view, point)
    after = planes(bench)
    assert all(after[view.name] == before[view.name] for view in registered.group1 + registered.group2)

    engine.setLinkedViewGroups(None)
    assert engine.linkedViewGroups() == [0, 1]
    engine.setLinkedViewGroups([])
    before = planes(bench)
    bench.views["Red"].click(*PIXEL)
    after = planes(bench)
    assert all(after[view.name] == before[view.name] for view in registered.group1)


def test_script_sync_without_a_source_moves_every_view_each_through_its_mapping(registered):
    p = (3.0, -4.0, 10.0)
    q = registered.fromWorld(p)

    result = registered.engine.syncTo(p)

    for view in registered.world + registered.group2 + registered.group3:
        assertThrough(view, p)
    for view in registered.group1:
        assertThrough(view, q)
    assert not result.notMoved


def test_script_sync_from_a_mapped_view_maps_its_point_like_a_click(registered):
    q = (1.0, 2.0, 5.0)
    source = registered.bench.views["Red1"]

    result = registered.engine.syncTo(q, source.sliceNode)

    for view in registered.world:
        assertThrough(view, registered.toWorld(q))
    for view in registered.group1[1:]:
        assertThrough(view, q)
    assert result.world is not None and math.dist(result.world, registered.toWorld(q)) <= TOLERANCE_MM


# -- the transform changes under a running sync ----------------------------------------------------------------


def test_modified_transform_is_used_by_the_next_click(registered):
    source = registered.bench.views["Red1"]
    source.click(*PIXEL)
    registered.matrix = rigidMatrix(-12.0, (1.0, 0.0, 0.2), (-6.0, 2.0, -1.0))
    setMatrix(registered.transform, registered.matrix)
    q = source.pixelToRAS(100, 150)

    source.click(100, 150)

    for view in registered.world:
        assertThrough(view, registered.toWorld(q))


def test_modified_parent_of_the_transform_is_used_by_the_next_click(registered):
    bench = registered.bench
    parent = slicer.vtkMRMLLinearTransformNode()
    bench.scene.AddNode(parent)
    registered.transform.SetAndObserveTransformNodeID(parent.GetID())
    red = bench.views["Red"]
    red.click(130, 110)
    parentMatrix = rigidMatrix(6.0, (0.0, 1.0, 0.0), (1.0, 1.0, -2.0))
    setMatrix(parent, parentMatrix)
    p = red.pixelToRAS(130, 110)

    red.click(130, 110)

    q = apply(np.linalg.inv(parentMatrix @ registered.matrix), p)
    for view in registered.group1:
        assertThrough(view, q)


def test_deleted_transform_drops_the_mapping_and_the_status_says_so(registered):
    bench = registered.bench
    engine = registered.engine
    seen = []
    engine.setStatusCallback(seen.append)
    registered.bench.views["Red1"].click(*PIXEL)
    withMapping = observerCount(registered.transform)

    bench.scene.RemoveNode(registered.transform)

    assert engine.viewGroupTransform(1) is None
    assert "transform" in engine.statusText()
    assert seen and "transform" in seen[-1]
    assert engine.linkedViewGroups() == [0]
    assert observerCount(registered.transform) < withMapping
    before = planes(bench)
    bench.views["Red"].click(*PIXEL)
    after = planes(bench)
    assert all(after[view.name] == before[view.name] for view in registered.group1)
    assert "transform" not in engine.statusText()


def test_replacing_and_removing_a_mapping_releases_the_transform_observer(registered):
    bench = registered.bench
    engine = registered.engine
    other = slicer.vtkMRMLLinearTransformNode()
    bench.scene.AddNode(other)
    counts = observerCount(registered.transform), observerCount(other)
    engine.setViewGroupTransform(1, other)
    assert (observerCount(registered.transform), observerCount(other)) == (counts[0] - 1, counts[1] + 1)
    assert engine.viewGroupTransform(1) is other
    engine.setViewGroupTransform(1, None)
    assert engine.viewGroupTransform(1) is None
    assert observerCount(other) == counts[1]
    q = bench.views["Red1"].pixelToRAS(*PIXEL)
    before = planes(bench)

    bench.views["Red1"].click(*PIXEL)

    for view in registered.group1[1:]:
        assertThrough(view, q)
    after = planes(bench)
    assert all(after[view.name] == before[view.name] for view in registered.world)


# -- non-linear transforms built with Slicer's own classes -----------------------------------------------------


def nonLinearTransformNode(registered: Registered, kind: str) -> slicer.vtkMRMLTransformNode:
    bounds = [0.0] * 6
    registered.moving.GetRASBounds(bounds)
    node = displacementTransformNode(registered.bench.scene, kind, bounds[0::2], bounds[1::2])
    assert not node.IsTransformToWorldLinear()
    return node


@pytest.mark.parametrize("kind", ["grid", "bspline"])
def test_non_linear_mapping_round_trips_within_a_tenth_of_a_millimetre(registered, kind):
    bench = registered.bench
    node = nonLinearTransformNode(registered, kind)
    registered.engine.setViewGroupTransform(1, node)
    toParent = node.GetTransformToParent()
    for k, (x, y) in enumerate([(128, 128), (100, 150), (150, 105), (90, 90)]):
        world = bench.views[("Red", "Yellow", "Green")[k % 3]]
        p = world.pixelToRAS(x, y)

        world.click(x, y)

        r = planeIntersection(registered.group1)
        assert math.dist(toParent.TransformPoint(r), p) <= ROUND_TRIP_MM, f"click {k} at {p}"

        mapped = bench.views[("Red1", "Yellow1", "Green1")[k % 3]]
        q = mapped.pixelToRAS(x, y)

        mapped.click(x, y)

        for view in registered.world:
            assertThrough(view, toParent.TransformPoint(q))
        for view in registered.group1:
            if view is not mapped:
                assertThrough(view, q, 1e-6)  # the clicked group itself needs no inverse: exactly through q


def foldedTransformNode(scene: slicer.vtkMRMLScene) -> slicer.vtkMRMLGridTransformNode:
    """A grid transform with large random displacements: folded, its inverse does not converge at many points."""
    grid = vtk.vtkImageData()
    grid.SetDimensions(20, 20, 20)
    grid.SetSpacing(5.0, 5.0, 5.0)
    grid.SetOrigin(-47.5, -47.5, -47.5)
    grid.AllocateScalars(vtk.VTK_DOUBLE, 3)
    numpy_support.vtk_to_numpy(grid.GetPointData().GetScalars())[:] = np.random.RandomState(0).uniform(
        -30.0, 30.0, (grid.GetNumberOfPoints(), 3)
    )
    grid.Modified()
    transform = slicer.vtkOrientedGridTransform()
    transform.SetDisplacementGridData(grid)
    node = slicer.vtkMRMLGridTransformNode()
    scene.AddNode(node)
    node.SetAndObserveTransformToParent(transform)
    return node


def roundTripFails(first: vtk.vtkAbstractTransform, second: vtk.vtkAbstractTransform, point) -> bool:
    """True if ``second(first(point))`` misses ``point`` by more than half a millimetre (VTK's warnings muted)."""
    shown = vtk.vtkObject.GetGlobalWarningDisplay()
    vtk.vtkObject.GlobalWarningDisplayOff()
    try:
        return math.dist(second.TransformPoint(first.TransformPoint(point)), point) > 0.5
    finally:
        vtk.vtkObject.SetGlobalWarningDisplay(shown)


def inverseFails(node: slicer.vtkMRMLTransformNode, p) -> bool:
    return roundTripFails(node.GetTransformFromParent(), node.GetTransformToParent(), p)


def test_target_where_the_inverse_does_not_converge_is_not_moved_and_status_says_so(registered):
    bench = registered.bench
    node = foldedTransformNode(bench.scene)
    registered.engine.setViewGroupTransform(1, node)
    red = bench.views["Red"]
    pixel = next(
        (x, y) for x in range(60, 200, 7) for y in range(60, 200, 7) if inverseFails(node, red.pixelToRAS(x, y))
    )
    p = red.pixelToRAS(*pixel)
    before = planes(bench)

    red.click(*pixel)

    after = planes(bench)
    for view in registered.group1:
        assert after[view.name] == before[view.name]
        assert view.name in registered.engine.lastResult.notMoved
    for view in registered.world[1:]:
        assertThrough(view, p)
    assert "cannot be inverted" in registered.engine.statusText()
    entries = {entry.volumeName: entry for entry in registered.engine.readout().layers}
    assert entries["moving"].ijk is None and entries["fixed"].ijk is not None


# -- bad input, cleanup, the user's state ----------------------------------------------------------------------


@pytest.mark.parametrize("viewGroup", [-1, 10, 1.0, "1", True, None])
def test_view_group_outside_zero_to_nine_raises_value_error(registered, viewGroup):
    with pytest.raises(ValueError, match="view group"):
        registered.engine.setViewGroupTransform(viewGroup, registered.transform)
    with pytest.raises(ValueError, match="view group"):
        registered.engine.viewGroupTransform(viewGroup)
    with pytest.raises(ValueError, match="view group"):
        registered.engine.setLinkedViewGroups([0, viewGroup])


def test_node_that_is_not_a_transform_raises_value_error(registered):
    engine = registered.engine
    for bad in (registered.fixed, "Registration", 1, vtk.vtkTransform(), registered.bench.views["Red"].sliceNode):
        with pytest.raises(ValueError, match="vtkMRMLTransformNode"):
            engine.setViewGroupTransform(1, bad)
    elsewhere = slicer.vtkMRMLScene()
    foreign = slicer.vtkMRMLLinearTransformNode()
    elsewhere.AddNode(foreign)
    with pytest.raises(ValueError, match="scene"):
        engine.setViewGroupTransform(2, foreign)
    with pytest.raises(ValueError, match="list of view groups"):
        engine.setLinkedViewGroups("01")
    assert engine.viewGroupTransform(1) is registered.transform
    assert engine.linkedViewGroups() == [0, 1]


def test_cleanup_leaves_no_observers_and_the_users_state_untouched(bench):
    transform = slicer.vtkMRMLLinearTransformNode()
    bench.scene.AddNode(transform)
    parent = slicer.vtkMRMLLinearTransformNode()
    bench.scene.AddNode(parent)
    transform.SetAndObserveTransformNodeID(parent.GetID())
    setMatrix(transform, rigidMatrix())
    fixed = bench.loadVolume(anatomicalPath(), "fixed")
    bench.showVolume(fixed)
    mapped = bench.addViewGroup(1, "1")
    bench.showVolume(fixed, mapped)
    sceneObservers = observerCount(bench.scene)
    interactorObservers = {name: observerCount(view.interactor) for name, view in bench.views.items()}
    nodeObservers = observerCount(transform), observerCount(parent)
    matrixBefore = matrixToParent(transform)
    stateBefore = userState(bench)
    engine = SliceSyncEngine(bench.scene)
    for view in bench.views.values():
        engine.addView(view.sliceNode, view.interactor)
    engine.setEnabled(True)
    engine.setViewGroupTransform(1, transform)
    engine.setViewGroupTransform(2, transform)
    for view in list(bench.views.values()):
        view.click(*PIXEL)
    setMatrix(parent, rigidMatrix(3.0))

    engine.cleanup()
    engine.cleanup()

    assert observerCount(bench.scene) == sceneObservers
    assert (observerCount(transform), observerCount(parent)) == nodeObservers
    assert {name: observerCount(view.interactor) for name, view in bench.views.items()} == interactorObservers
    assert engine.viewGroupTransform(1) is None
    assert userState(bench) == stateBefore
    assert matrixToParent(transform) == matrixBefore
    assert transform.GetParentTransformNode() is parent


def test_click_where_the_mapping_cannot_be_inverted_moves_nothing_and_status_says_so(registered):
    bench = registered.bench
    node = foldedTransformNode(bench.scene)
    registered.engine.setViewGroupTransform(1, node)
    red1 = bench.views["Red1"]
    toParent, fromParent = node.GetTransformToParent(), node.GetTransformFromParent()
    pixel = next(
        (x, y)
        for x in range(60, 200, 7)
        for y in range(60, 200, 7)
        if roundTripFails(toParent, fromParent, red1.pixelToRAS(x, y))
    )
    before = planes(bench)

    red1.click(*pixel)

    assert planes(bench) == before
    assert "cannot be inverted" in registered.engine.statusText()
