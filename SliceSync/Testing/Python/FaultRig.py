"""The ``Rig`` the fault, lifecycle and randomized tests share: a bench, an error guard and an engine.

After each action the rig checks that no Python exception escaped an observer, VTK reported no error or
warning, only the views that should move moved, and the user's state is unchanged; after ``cleanup()``
that every observer count is back to its baseline. Also volumes built directly in MRML and checks of
where a view's plane lies in a volume.
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterable, Optional, Sequence

import numpy as np
import slicer
import vtk

from SliceSyncBench import BenchView, SliceViewBench, observerCount, planes, sliceBounds, sliceOffset, userState
from SliceSyncLib import SliceSyncEngine

TOLERANCE_MM = 1e-3
RED_CLICK = (60, 190)  # off-centre in Red: Yellow and Green both have to move


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
        counts = self.observerCounts()
        left = {key: (self.baseline[key], count) for key, count in counts.items() if count != self.baseline[key]}
        assert not left, f"observers left behind (baseline, now): {left}"
        self.guard.check()


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


def assertOnBoundary(view: BenchView, volume: slicer.vtkMRMLVolumeNode) -> None:
    """The view's plane lies on one end of the volume's voxel-centre extent."""
    low, high = sliceBounds(view, volume)
    offset = sliceOffset(view)
    assert min(abs(offset - low), abs(offset - high)) < TOLERANCE_MM, (offset, low, high)


def assertWithin(view: BenchView, volume: slicer.vtkMRMLVolumeNode) -> None:
    """The view's plane lies inside the volume's voxel-centre extent."""
    low, high = sliceBounds(view, volume)
    assert low - TOLERANCE_MM <= sliceOffset(view) <= high + TOLERANCE_MM


def clampedOffset(view: BenchView, volume: slicer.vtkMRMLVolumeNode, point: Sequence[float]) -> float:
    """Where a sync to ``point`` must put the view: the point's offset along its normal, clamped to the volume."""
    m = view.sliceNode.GetSliceToRAS()
    offset = sum(m.GetElement(k, 2) * point[k] for k in range(3))
    low, high = sliceBounds(view, volume)
    return min(max(offset, low), high)
