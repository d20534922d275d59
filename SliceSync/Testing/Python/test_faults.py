"""Bad input and faults: SliceSync never throws into a VTK callback, never changes the user's setup, leaks nothing.

Every case runs on the headless bench (real MRML, real interactor style, real events) inside a ``Rig``, which
checks after each action that no Python exception escaped an observer, VTK reported no error or warning,
only the views that should move moved, and the user's state is unchanged; and at the end that every
observer count is back to its baseline after ``cleanup()``.
"""

from __future__ import annotations

import contextlib
import math
from typing import Callable, Iterable, Optional, Sequence

import numpy as np
import pytest
import slicer
import vtk

from SliceSyncBench import BenchView, SliceViewBench, observerCount
from SliceSyncLib import SliceSyncEngine
from SliceSyncLib.Status import (
    REASON_BAD_GEOMETRY,
    REASON_DEGENERATE,
    REASON_NO_IMAGE,
    REASON_NO_VOLUME,
    REASON_NONLINEAR,
)

TOLERANCE_MM = 1e-3
# vtkMRMLSliceViewInteractorStyle actions, one bit each (vtkMRMLSliceIntersectionWidget::Action*).
STYLE_ACTION_BITS = tuple(1 << k for k in range(14))


# -- what the user owns ----------------------------------------------------------------------------------


def userState(bench: SliceViewBench) -> dict:
    """Everything SliceSync must never change (all but the slice planes and the crosshair position)."""
    state: dict = {}
    for name, view in bench.views.items():
        node = view.sliceNode
        composite = view.compositeNode
        state[name] = {
            "orientation": node.GetOrientation(),
            "fieldOfView": tuple(round(v, 9) for v in node.GetFieldOfView()),
            "dimensions": tuple(node.GetDimensions()),
            "viewGroup": node.GetViewGroup(),
            "jumpMode": node.GetJumpMode(),
            "spacingMode": node.GetSliceSpacingMode(),
            "sliceInteractionFlags": node.GetInteractionFlags(),
            "sliceVisible": node.GetSliceVisible(),
            "layoutName": node.GetLayoutName(),
            "composite": (
                composite.GetBackgroundVolumeID(),
                composite.GetForegroundVolumeID(),
                composite.GetLabelVolumeID(),
                composite.GetForegroundOpacity(),
                composite.GetLabelOpacity(),
                composite.GetLinkedControl(),
                composite.GetHotLinkedControl(),
                composite.GetCompositing(),
                composite.GetInteractionFlags(),
            )
            if composite is not None
            else None,
            "styleActions": tuple(view.style.GetActionEnabled(bit) for bit in STYLE_ACTION_BITS),
            "interactorStyle": view.interactor.GetInteractorStyle().GetClassName(),
        }
    crosshair = bench.crosshairNode
    if crosshair is not None:
        state["crosshair"] = (
            crosshair.GetCrosshairMode(),
            crosshair.GetCrosshairBehavior(),
            crosshair.GetCrosshairThickness(),
        )
    interaction = bench.scene.GetNodeByID("vtkMRMLInteractionNodeSingleton")
    if interaction is not None:
        state["interaction"] = (interaction.GetCurrentInteractionMode(), interaction.GetPlaceModePersistence())
    state["sceneNodes"] = tuple(bench.scene.GetNthNode(k).GetID() for k in range(bench.scene.GetNumberOfNodes()))
    return state


def planes(bench: SliceViewBench) -> dict[str, tuple]:
    """The SliceToRAS matrix of every bench view (NaN as a string, so that equal matrices compare equal)."""
    return {name: tuple("nan" if math.isnan(v) else v for v in view.sliceToRAS()) for name, view in bench.views.items()}


class ModifiedCounter:
    """Counts ModifiedEvents of slice nodes while active (its observers are removed on exit)."""

    def __init__(self, views: Iterable[BenchView]) -> None:
        self.counts: dict[str, int] = {}
        self._views = list(views)
        self._tags: list[tuple[vtk.vtkObject, int]] = []

    def _counter(self, name: str) -> Callable:
        def onModified(caller: vtk.vtkObject, event: str) -> None:
            self.counts[name] += 1

        return onModified

    def __enter__(self) -> ModifiedCounter:
        for view in self._views:
            self.counts[view.name] = 0
            tag = view.sliceNode.AddObserver(vtk.vtkCommand.ModifiedEvent, self._counter(view.name))
            self._tags.append((view.sliceNode, tag))
        return self

    def __exit__(self, *args) -> None:
        for node, tag in self._tags:
            node.RemoveObserver(tag)
        self._tags = []


# -- the rig ---------------------------------------------------------------------------------------------


class Rig:
    """A bench, an error guard and an engine, with the checks every case makes."""

    def __init__(self, bench: SliceViewBench, guard, enable: bool = True) -> None:
        self.bench = bench
        self.guard = guard
        self.baseline: dict[str, int] = {}
        self._tracked: dict[str, vtk.vtkObject] = {}
        for view in bench.views.values():
            self.track(view)
        self._trackShared()
        self.engine = SliceSyncEngine(bench.scene)
        for view in bench.views.values():
            self.engine.addView(view.sliceNode, view.interactor)
        self.engine.setEnabled(enable)
        self.actions = 0
        guard.drain()

    def _trackShared(self) -> None:
        for key, obj in (
            ("scene", self.bench.scene),
            ("crosshair", self.bench.crosshairNode),
            ("interaction", self.bench.scene.GetNodeByID("vtkMRMLInteractionNodeSingleton")),
        ):
            if obj is not None and key not in self._tracked:
                self._tracked[key] = obj
                self.baseline[key] = observerCount(obj)

    def track(self, view: BenchView) -> None:
        """Record the observer baseline of a view's interactor, slice node and composite node."""
        for kind, obj in (
            ("interactor", view.interactor),
            ("sliceNode", view.sliceNode),
            ("composite", view.compositeNode),
        ):
            key = f"{view.name}.{kind}"
            self._tracked[key] = obj
            self.baseline[key] = observerCount(obj)

    def observerCounts(self) -> dict[str, int]:
        """Observer counts of every tracked object now."""
        return {key: observerCount(obj) for key, obj in self._tracked.items()}

    @contextlib.contextmanager
    def userChange(self):
        """Wrap what the *user* (or Slicer) does: observers it adds to shared nodes move the baseline."""
        shared = [key for key in self._tracked if "." not in key]
        before = {key: observerCount(self._tracked[key]) for key in shared}
        yield
        for key in shared:
            self.baseline[key] += observerCount(self._tracked[key]) - before[key]
        self.guard.drain()

    def addView(self, name: str, orientation: str = "Axial", viewGroup: int = 0, size=(256, 256)) -> BenchView:
        """The user's layout gains a view: build it, then register it with the engine."""
        with self.userChange():
            view = self.bench.addView(name, orientation, viewGroup, size)
            self.track(view)
        self.engine.addView(view.sliceNode, view.interactor)
        return view

    def show(
        self, volume, views: Optional[Iterable[BenchView]] = None, layer: str = "Background", fit: bool = True
    ) -> None:
        """The user shows a volume (fitting the views to it)."""
        with self.userChange():
            self.bench.showVolume(volume, views, layer, fit)

    def act(
        self,
        action: Callable[[], object],
        moved: Iterable[str] = (),
        through: Optional[Sequence[float]] = None,
        views: Optional[Iterable[str]] = None,
    ):
        """Run a SliceSync action and check: no error, exactly ``moved`` moved (through ``through``), no user change."""
        names = set(views) if views is not None else set(self.bench.views)
        moved = set(moved)
        stateBefore = userState(self.bench)
        planesBefore = planes(self.bench)
        result = action()
        self.actions += 1
        self.guard.check()
        assert userState(self.bench) == stateBefore, "SliceSync changed the user's state"
        planesAfter = planes(self.bench)
        for name in names:
            if name in moved:
                assert planesAfter[name] != planesBefore[name], f"{name} should have moved"
                if through is not None:
                    distance = self.bench.views[name].distanceToPlane(through)
                    assert abs(distance) < TOLERANCE_MM, f"{name} misses the point by {distance} mm"
            else:
                assert planesAfter[name] == planesBefore[name], f"{name} should not have moved"
        return result

    def click(
        self,
        viewName: str,
        x: int,
        y: int,
        moved: Iterable[str] = (),
        hits: bool = True,
        views: Optional[Iterable[str]] = None,
        **keys,
    ):
        """Click a pixel of a view; the moved views must pass through the clicked point if ``hits``."""
        view = self.bench.views[viewName]
        point = view.pixelToRAS(x, y)
        self.act(lambda: view.click(x, y, **keys), moved, point if hits else None, views)
        return point

    def finish(self) -> None:
        """Clean the engine up (twice: it must be harmless) and check every observer count is back."""
        self.engine.cleanup()
        self.engine.cleanup()
        assert self.observerCounts() == self.baseline, "observers left behind"
        self.guard.check()


@pytest.fixture
def rig(errorGuard, bench):
    """An enabled engine on Red/Yellow/Green; observer counts checked after cleanup."""
    rig = Rig(bench, errorGuard)
    yield rig
    rig.finish()


# -- volumes built directly in MRML ----------------------------------------------------------------------


def addVolume(
    scene: slicer.vtkMRMLScene,
    dimensions: Sequence[int] = (20, 24, 16),
    ijkToRAS: Optional[np.ndarray] = None,
    nodeClass=slicer.vtkMRMLScalarVolumeNode,
    components: int = 1,
    image: bool = True,
    name: str = "volume",
) -> slicer.vtkMRMLVolumeNode:
    """Add a volume node with a gradient image (or none, or an empty one if a dimension is 0)."""
    volume = nodeClass()
    volume.SetName(name)
    scene.AddNode(volume)
    if ijkToRAS is not None:
        matrix = vtk.vtkMatrix4x4()
        for row in range(4):
            for column in range(4):
                matrix.SetElement(row, column, float(ijkToRAS[row][column]))
        volume.SetIJKToRASMatrix(matrix)
    if image:
        data = vtk.vtkImageData()
        if min(dimensions) <= 0:
            data.SetExtent(0, -1, 0, -1, 0, -1)
        else:
            data.SetDimensions(*dimensions)
        data.AllocateScalars(vtk.VTK_UNSIGNED_CHAR if components == 3 else vtk.VTK_SHORT, components)
        if data.GetNumberOfPoints():
            scalars = data.GetPointData().GetScalars()
            for k in range(data.GetNumberOfPoints()):
                for c in range(components):
                    scalars.SetComponent(k, c, (k + c) % 200)
        volume.SetAndObserveImageData(data)
    volume.CreateDefaultDisplayNodes()
    return volume


def sliceBounds(view: BenchView, volume: slicer.vtkMRMLVolumeNode) -> tuple[float, float]:
    """Slicer's own voxel-centre extent of ``volume`` along the view's normal (its slice frame's z)."""
    bounds = [0.0] * 6
    view.sliceLogic.GetVolumeSliceBounds(volume, bounds, True)
    return bounds[4], bounds[5]


def sliceOffset(view: BenchView) -> float:
    """The view's offset along its own normal, in its slice frame."""
    m = view.sliceNode.GetSliceToRAS()
    return sum(m.GetElement(k, 2) * m.GetElement(k, 3) for k in range(3))


def assertOnBoundary(view: BenchView, volume: slicer.vtkMRMLVolumeNode) -> None:
    """The view's plane lies on one end of the volume's voxel-centre extent."""
    low, high = sliceBounds(view, volume)
    offset = sliceOffset(view)
    assert min(abs(offset - low), abs(offset - high)) < TOLERANCE_MM, (offset, low, high)


def assertWithin(view: BenchView, volume: slicer.vtkMRMLVolumeNode) -> None:
    """The view's plane lies inside the volume's voxel-centre extent."""
    low, high = sliceBounds(view, volume)
    assert low - TOLERANCE_MM <= sliceOffset(view) <= high + TOLERANCE_MM


RED_CLICK = (60, 190)  # off-centre in Red: Yellow and Green both have to move


# -- what the views show -----------------------------------------------------------------------------------


def testNoVolumeSyncsUnclampedAndSaysSo(rig):
    point = rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    assert rig.engine.lastResult.notClamped == {"Yellow": REASON_NO_VOLUME, "Green": REASON_NO_VOLUME}
    assert "no volume shown in Yellow" in rig.engine.statusText()
    assert rig.engine.lastResult.point == pytest.approx(point)


def testVolumeWithoutImageDataIsNotClamped(rig):
    with rig.userChange():
        volume = addVolume(rig.bench.scene, image=False)
    rig.show(volume)
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    assert set(rig.engine.lastResult.notClamped.values()) == {REASON_NO_IMAGE}
    assert REASON_NO_IMAGE in rig.engine.statusText()


def testEmptyImageIsNotClamped(rig):
    with rig.userChange():
        volume = addVolume(rig.bench.scene, dimensions=(0, 0, 0))
    rig.show(volume, fit=False)  # Slicer's own fit collapses the field of view on an empty image
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    assert set(rig.engine.lastResult.notClamped.values()) == {REASON_NO_IMAGE}


def testSingleSliceVolumeClampsToItsOnlySlice(rig):
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
def testAnyLayerAndVoxelTypeClamps(rig, nodeClass, components, layer):
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


def testDifferentVolumesInDifferentViews(rig):
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


def testLinearTransformMovesTheClampRange(rig):
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


def testGridTransformSyncsUnclampedWithAClearStatus(rig):
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
def testVolumeWithAnInvalidIJKToRASIsNotClampedAndSaysSo(rig, fault, clampMode):
    diagonal = {"singular": [1.0, 1.0, 0.0, 1.0], "nan": [1.0, math.nan, 1.0, 1.0], "inf": [math.inf, 1.0, 1.0, 1.0]}
    with rig.userChange():
        volume = addVolume(rig.bench.scene, ijkToRAS=np.diag(diagonal[fault]))
    rig.show(volume, fit=False)  # Slicer's own fit cannot fit to such a volume
    rig.engine.setClampMode(clampMode)
    point = (5.0, 6.0, 300.0)
    rig.act(lambda: rig.engine.syncTo(point), moved={"Red", "Yellow", "Green"}, through=point)
    assert set(rig.engine.lastResult.notClamped.values()) == {REASON_BAD_GEOMETRY}
    assert "invalid IJK-to-RAS matrix in Red: not clamped" in rig.engine.statusText()


def testReflectedIJKToRASClampsToTheRightEnd(rig):
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


def testRealFileWithFlippedAxesClampsInsideOnEveryClick(rig):
    from conftest import anatomicalPath

    with rig.userChange():
        volume = rig.bench.loadVolume(anatomicalPath(), "anatomical")
    rig.show(volume)
    red = rig.bench.views["Red"]
    for x, y in ((0, 0), (255, 255), (128, 3), (250, 10)):
        rig.act(lambda x=x, y=y: red.click(x, y), views={"Red"})
        for name in ("Yellow", "Green"):
            assertWithin(rig.bench.views[name], volume)


# -- where the user clicks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pixel",
    [(0, 0), (255, 255), (0, 255), (255, 128), (300, 20), (-40, -7), (-(2**30), 2**30), (2**31 - 1, -(2**31))],
    ids=["originCorner", "farCorner", "topLeft", "rightEdge", "outsideView", "negative", "huge", "int32Limits"],
)
def testClicksAnywhereAreSafeAndClampOrHit(rig, pixel):
    """Clicks off the image, on the last pixel, at negative or huge positions: no error, clamped or exact."""
    with rig.userChange():
        volume = addVolume(rig.bench.scene, dimensions=(40, 40, 40))
    rig.show(volume)
    red = rig.bench.views["Red"]
    point = red.pixelToRAS(*pixel)
    inside = all(-0.5 <= point[k] <= 39.5 for k in range(2))
    rig.act(lambda: red.click(*pixel), moved={"Yellow", "Green"}, through=point if inside else None, views={"Red"})
    for name in ("Yellow", "Green"):
        assertWithin(rig.bench.views[name], volume)
        if not inside:
            assert math.isfinite(sliceOffset(rig.bench.views[name]))


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
def testSyncToRejectsBadPointsWithValueError(rig, ras):
    def badSync() -> None:
        with pytest.raises(ValueError):
            rig.engine.syncTo(ras)

    rig.act(badSync)


def testSyncToRejectsAWrongSourceType(rig):
    def badSync() -> None:
        with pytest.raises(ValueError):
            rig.engine.syncTo((1.0, 2.0, 3.0), rig.bench.views["Red"].compositeNode)

    rig.act(badSync)


@pytest.mark.parametrize("fault", ["zeroNormal", "nanNormal", "nanOrigin"])
def testDegenerateTargetIsLeftAloneAndReported(rig, fault):
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


def testClickInADegenerateSourceMovesNothing(rig):
    red = rig.bench.views["Red"]
    with rig.userChange():
        matrix = red.sliceNode.GetSliceToRAS()
        for row in range(3):
            for column in range(3):
                matrix.SetElement(row, column, 0.0)
        red.sliceNode.UpdateMatrices()
    point = red.pixelToRAS(*RED_CLICK)
    # All pixels map to one point; it is finite, so the others move through it; never an error.
    if all(math.isfinite(c) for c in point):
        rig.click("Red", *RED_CLICK, moved=_needsMove(rig, point, exclude="Red"))
    else:
        rig.click("Red", *RED_CLICK, hits=False)


def _needsMove(rig: Rig, point: Sequence[float], exclude: str) -> set:
    """The targets that must move to pass through ``point`` (all of them in centered mode)."""
    centered = rig.engine.jumpMode() == "centered"
    return {
        name
        for name, view in rig.bench.views.items()
        if name != exclude and (_isOffCentre(view, point) if centered else abs(view.distanceToPlane(point)) > 1e-6)
    }


def _isOffCentre(view: BenchView, point: Sequence[float]) -> bool:
    m = view.sliceNode.GetSliceToRAS()
    return any(abs(m.GetElement(k, 3) - point[k]) > 1e-6 for k in range(3)) or any(view.sliceNode.GetXYZOrigin())


@pytest.mark.parametrize("jumpMode", ["offset", "centered", "keepInView"])
def testZeroSizeViewAsSourceAndTarget(rig, jumpMode):
    rig.engine.setJumpMode(jumpMode)
    zero = rig.addView("Zero", "Sagittal", size=(0, 0))
    rig.guard.allow(r"vtkPlaneSource|Bad plane coordinate system|returned failure for request")
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green", "Zero"})
    point = zero.pixelToRAS(0, 0)
    if all(math.isfinite(c) for c in point):
        rig.click("Zero", 0, 0, moved=_needsMove(rig, point, exclude="Zero"))
    else:
        rig.click("Zero", 0, 0, hits=False)


# -- gestures that must not sync ------------------------------------------------------------------------


@pytest.mark.parametrize("modifier", ["ctrl", "alt"])
def testModifierClicksNeverSync(rig, modifier):
    rig.click("Red", *RED_CLICK, **{modifier: True})
    assert rig.engine.lastResult is None


def testShiftClickIsLeftToSlicersOwnJump(rig):
    # Shift + move is Slicer's crosshair jump (its default behaviour moves the other views); SliceSync stays out.
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"}, shift=True)
    assert rig.engine.lastResult is None


@pytest.mark.parametrize("mode", ["Place", "AdjustWindowLevel", "ViewTransform"])
def testInteractionModes(rig, mode):
    interaction = rig.bench.interactionNode
    with rig.userChange():
        interaction.SetCurrentInteractionMode(getattr(slicer.vtkMRMLInteractionNode, mode))
    rig.guard.drain()
    moved = {"Yellow", "Green"} if mode == "ViewTransform" else set()
    rig.click("Red", *RED_CLICK, moved=moved)
    assert interaction.GetCurrentInteractionMode() == getattr(slicer.vtkMRMLInteractionNode, mode)


def testDisabledEngineDoesNothing(rig):
    rig.engine.setEnabled(False)
    rig.click("Red", *RED_CLICK)
    rig.act(lambda: rig.bench.views["Red"].drag([(10, 10), (50, 60), (120, 90)]))


# -- Slicer's own behaviour stays intact -----------------------------------------------------------------


def _wheel(view: BenchView, forward: bool) -> None:
    view.interactor.SetEventInformation(100, 100, 0, 0, "\0", 0)
    view.interactor.InvokeEvent(
        vtk.vtkCommand.MouseWheelForwardEvent if forward else vtk.vtkCommand.MouseWheelBackwardEvent
    )


def testMouseWheelStillBrowsesSlicesAndNeverSyncs(rig):
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
def testCrosshairFollowsOnlyWhenAsked(rig, show):
    crosshair = rig.bench.crosshairNode
    rig.engine.setShowCrosshair(show)
    before = crosshair.GetCrosshairRAS()
    point = rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    expected = point if show else before
    assert crosshair.GetCrosshairRAS() == pytest.approx(expected, abs=TOLERANCE_MM)


# -- the guard itself --------------------------------------------------------------------------------------


def testErrorGuardCatchesWhatItMust():
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
