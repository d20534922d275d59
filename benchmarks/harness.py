"""The benchmark's shared harness: scenes of real slice views, the contenders, interleaved timing and statistics.

Every scene is the headless bench (real MRML, slice logics, the ten displayable managers of a Slicer slice view,
``vtkMRMLSliceViewInteractorStyle``, real interactor events). The anchor is Slicer's own C++ click: the script
repository's "Set crosshair position by left-click" recipe, i.e. event translations on each view's
``vtkMRMLSliceIntersectionWidget`` with the crosshair behaviour OffsetJumpSlice.
"""

from __future__ import annotations

import gc
import os
import random
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for path in (os.path.join(ROOT, "SliceSync", "Testing", "Python"), os.path.join(ROOT, "SliceSync")):
    if path not in sys.path:
        sys.path.insert(0, path)

import numpy as np  # noqa: E402
import slicer  # noqa: E402
import vtk  # noqa: E402
from vtk.util import numpy_support  # noqa: E402

from SliceSyncBench import SLICE_VIEW_DISPLAYABLE_MANAGERS, BenchView, SliceViewBench, observerCount  # noqa: E402,F401
from SliceSyncLib import SliceSyncEngine  # noqa: E402

ORIENTATIONS = ("Axial", "Sagittal", "Coronal")
STANDARD_NAMES = ("Red", "Yellow", "Green")
PLANE_TOLERANCE_MM = 1e-3
PRESS = vtk.vtkCommand.LeftButtonPressEvent
RELEASE = vtk.vtkCommand.LeftButtonReleaseEvent
MOVE = vtk.vtkCommand.MouseMoveEvent
RESET_CROSSHAIR = (0.123, -0.456, 0.789)
CLICK_EVENT = slicer.vtkMRMLInteractionEventData.LeftButtonClickEvent

# MRML-level measures time the calling thread's CPU (time.thread_time_ns): the machine is shared, and a thread that
# is preempted mid-click would otherwise be charged for other processes' work. End to end uses the wall clock
# (Mesa renders on its own threads). Set by the entry point (--wall).
CLOCKS = {"cpu": time.thread_time_ns, "wall": time.perf_counter_ns}
clock = CLOCKS["cpu"]


def useClock(name: str) -> None:
    """Choose the clock of the MRML-level measures: "cpu" (this thread's CPU time) or "wall"."""
    global clock
    clock = CLOCKS[name]


def now() -> int:
    """The current reading of the chosen clock, in nanoseconds."""
    return clock()


# What is active in a scene while a contender runs (SliceSync's engine, or one of Slicer's native gestures).
MODE_SLICESYNC = "SliceSync"
MODE_NATIVE_CLICK = "native click"
MODE_NATIVE_DRAG = "native drag"
MODE_SHIFT = "Shift move"
MODE_NONE = "nothing"


class BenchmarkBrokenError(RuntimeError):
    """The benchmark no longer measures what it claims (a defect, not a missed speed goal)."""


def say(text: str = "") -> None:
    """Write one line to stdout (the benchmark's report)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# -- scenes --------------------------------------------------------------------------------------------


def addVolume(bench: SliceViewBench, name: str, size: int) -> slicer.vtkMRMLScalarVolumeNode:
    """Add a size^3 int16 gradient volume built in memory (no file), 1 mm voxels, centred on the origin."""
    array = np.empty((size, size, size), dtype=np.int16)  # k, j, i
    ramp = (np.arange(size, dtype=np.int32) * 255 // max(size - 1, 1)).astype(np.int16)
    array[:] = ramp[None, None, :]
    array += ramp[None, :, None] // 2
    image = vtk.vtkImageData()
    image.SetDimensions(size, size, size)
    scalars = numpy_support.numpy_to_vtk(array.reshape(-1), deep=False, array_type=vtk.VTK_SHORT)
    image.GetPointData().SetScalars(scalars)
    volume = slicer.vtkMRMLScalarVolumeNode()
    volume.SetName(name)
    volume.SetOrigin(-size / 2.0, -size / 2.0, -size / 2.0)
    bench.scene.AddNode(volume)
    display = slicer.vtkMRMLScalarVolumeDisplayNode()
    bench.scene.AddNode(display)
    display.SetAndObserveColorNodeID("vtkMRMLColorTableNodeGrey")
    display.SetAutoWindowLevel(False)
    display.SetWindowLevel(400, 200)
    volume.SetAndObserveDisplayNodeID(display.GetID())
    volume.SetAndObserveImageData(image)
    volume._keepAlive = array  # the image shares the array's memory
    return volume


def intersectionWidget(view: BenchView) -> slicer.vtkMRMLSliceIntersectionWidget:
    """The view's slice-intersection widget, which carries Slicer's crosshair gestures."""
    manager = view.displayableManagers.GetDisplayableManagerByClassName("vtkMRMLCrosshairDisplayableManager")
    return manager.GetSliceIntersectionWidget()


@dataclass
class Scene:
    """A bench with shown (and maybe hidden) views, one volume shown everywhere and an engine with all features on."""

    bench: SliceViewBench
    engine: SliceSyncEngine
    volume: slicer.vtkMRMLScalarVolumeNode
    views: list
    hidden: list
    home: dict = field(default_factory=dict)
    mode: str = ""

    @property
    def source(self) -> BenchView:
        return self.views[0]

    @property
    def targets(self) -> list:
        """The shown views a click must move (every view but the source that is mapped in the layout)."""
        return self.views[1:]

    @property
    def allViews(self) -> list:
        return self.views + self.hidden

    def resetTargets(self) -> None:
        """Put every view but the source back where it started (untimed), so each measured click moves the same way."""
        for view in self.allViews[1:]:
            view.sliceNode.GetSliceToRAS().DeepCopy(self.home[view.name])
            view.sliceNode.UpdateMatrices()
        # Slicer's crosshair widget does not jump to where the crosshair already is: start each contender elsewhere.
        self.bench.crosshairNode.SetCrosshairRAS(*RESET_CROSSHAIR)

    def use(self, mode: str) -> None:
        """Make exactly one contender active: SliceSync's observers, or one of Slicer's native gestures."""
        if mode == self.mode:
            return
        self.engine.setEnabled(mode == MODE_SLICESYNC)
        none = slicer.vtkMRMLSliceIntersectionWidget.WidgetEventNone
        for view in self.allViews:
            w = intersectionWidget(view)
            click = w.WidgetEventSetCrosshairPosition if mode == MODE_NATIVE_CLICK else none
            w.SetEventTranslation(
                w.WidgetStateIdle,
                slicer.vtkMRMLInteractionEventData.LeftButtonClickEvent,
                vtk.vtkEvent.NoModifier,
                click,
            )
            if mode == MODE_NATIVE_DRAG:
                w.SetEventTranslationClickAndDrag(
                    w.WidgetStateIdle,
                    PRESS,
                    vtk.vtkEvent.NoModifier,
                    w.WidgetStateMoveCrosshair,
                    w.WidgetEventMoveCrosshairStart,
                    w.WidgetEventMoveCrosshairEnd,
                )
            else:
                w.SetEventTranslationClickAndDrag(
                    w.WidgetStateIdle, PRESS, vtk.vtkEvent.NoModifier, w.WidgetStateMoveCrosshair, none, none
                )
        self.mode = mode

    def close(self) -> None:
        self.use(MODE_NONE)
        self.engine.cleanup()
        self.bench.close()


def buildScene(
    nViews: int, volumeSize: int, viewSize: tuple = (256, 256), images: bool = False, hiddenViews: int = 0
) -> Scene:
    """``nViews`` shown slice views (Red, Yellow, Green, then more) and ``hiddenViews`` hidden ones, one volume."""
    bench = SliceViewBench(SLICE_VIEW_DISPLAYABLE_MANAGERS)
    views, hidden = [], []
    for index in range(nViews + hiddenViews):
        name = STANDARD_NAMES[index] if index < 3 else f"View{index + 1}"
        view = bench.addView(name, ORIENTATIONS[index % 3], size=viewSize)
        (views if index < nViews else hidden).append(view)
    volume = addVolume(bench, f"volume{volumeSize}", volumeSize)
    bench.showVolume(volume)
    for view in hidden:
        # As Slicer's layout manager leaves the views of layouts used earlier: they exist, but are not shown.
        view.sliceNode.SetMappedInLayout(0)
    # The user's setup, which SliceSync must leave alone: clicks and Shift+move jump slices (offset).
    bench.crosshairNode.SetCrosshairBehavior(slicer.vtkMRMLCrosshairNode.OffsetJumpSlice)
    engine = SliceSyncEngine(bench.scene)
    for view in views + hidden:
        engine.addView(view.sliceNode, view.interactor)
    engine.setJumpMode("keepInView")
    engine.setClampMode("clamp")
    engine.setDragFollow(True)
    engine.setShowCrosshair(True)
    if images:
        for view in views:
            view.showImage()
        bench.renderAll()
    scene = Scene(bench, engine, volume, views, hidden)
    for view in views + hidden:
        matrix = vtk.vtkMatrix4x4()
        matrix.DeepCopy(view.sliceNode.GetSliceToRAS())
        scene.home[view.name] = matrix
    scene.use(MODE_NONE)
    return scene


def samplePixels(view: BenchView, count: int, seed: int) -> list:
    """Pixels spread over the view (5% margin); some fall outside the volume, so clamping is exercised."""
    width, height = view.size()
    rng = random.Random(seed)
    return [
        (rng.randint(int(0.05 * width), int(0.95 * width)), rng.randint(int(0.05 * height), int(0.95 * height)))
        for _ in range(count)
    ]


def pixelsInsideVolume(scene: Scene, count: int, seed: int) -> list:
    """Pixels of the source view whose point lies inside the volume (2 mm in), so clamping changes nothing."""
    bounds = [0.0] * 6
    scene.volume.GetRASBounds(bounds)
    pixels = []
    for x, y in samplePixels(scene.source, 50 * count, seed):
        ras = scene.source.pixelToRAS(x, y)
        if all(bounds[2 * k] + 2 <= ras[k] <= bounds[2 * k + 1] - 2 for k in range(3)):
            pixels.append((x, y))
            if len(pixels) == count:
                return pixels
    raise BenchmarkBrokenError("the volume does not cover enough of the source view")


def dragPath(view: BenchView, steps: int, seed: int) -> list:
    """A wandering pointer path over the view, one pixel position per drag step."""
    width, height = view.size()
    rng = random.Random(seed)
    x, y = width // 2, height // 2
    path = [(x, y)]
    for _ in range(steps):
        x = min(max(x + rng.randint(-6, 6), 10), width - 10)
        y = min(max(y + rng.randint(-6, 6), 10), height - 10)
        path.append((x, y))
    return path


def send(view: BenchView, event: int, x: int, y: int, shift: bool = False) -> None:
    """Send one real interactor event at pixel (x, y)."""
    view.interactor.SetEventInformation(int(x), int(y), 0, int(shift), "\0", 0)
    view.interactor.SetAltKey(0)
    view.interactor.InvokeEvent(event)


def pressShift(view: BenchView) -> None:
    """Press and release the Shift key, as a user does before a Shift+move.

    Slicer's slice intersection widget ignores Shift+move after a click-and-drag until a modifier key is pressed.
    """
    iren = view.interactor
    iren.SetKeyEventInformation(0, 1, "\0", 0, "Shift_L")
    iren.InvokeEvent(vtk.vtkCommand.KeyPressEvent)
    iren.InvokeEvent(vtk.vtkCommand.KeyReleaseEvent)
    iren.SetKeyEventInformation(0, 0, "\0", 0, "")


# -- the contenders (only the events a user's gesture adds are timed) ------------------------------------


def click(scene: Scene, x: int, y: int) -> int:
    """Left press + release at (x, y), the pointer already resting there (untimed hover move).

    Whoever is active handles it: SliceSync's engine, or Slicer's own C++ click (the recipe's translation).
    """
    source = scene.source
    send(source, MOVE, x, y)
    start = now()
    send(source, PRESS, x, y)
    send(source, RELEASE, x, y)
    return now() - start


def shiftMove(scene: Scene, x: int, y: int) -> int:
    """Slicer's Shift+MouseMove jump at (x, y): one event, handled by the interactor style and crosshair widget."""
    pressShift(scene.source)
    start = now()
    send(scene.source, MOVE, x, y, shift=True)
    return now() - start


def engineOnly(scene: Scene, x: int, y: int) -> int:
    """SliceSync's engine alone: what a click at (x, y) runs once its gesture is recognised, no interactor events."""
    key = scene.source.sliceNode.GetID()
    start = now()
    scene.engine._syncFromPixel(key, x, y, True)  # the click's own path: pixel to RAS, sync, result
    return now() - start


def mrmlFloor(scene: Scene, x: int, y: int) -> int:
    """The MRML work behind Slicer's native click without its event handling: JumpAllSlices + SetCrosshairRAS."""
    source = scene.source.sliceNode
    ras = scene.source.pixelToRAS(x, y)
    start = now()
    slicer.vtkMRMLSliceNode.JumpAllSlices(
        scene.bench.scene, *ras, slicer.vtkMRMLSliceNode.OffsetJumpSlice, source.GetViewGroup(), source
    )
    scene.bench.crosshairNode.SetCrosshairRAS(*ras)
    return now() - start


def checkPlanes(scene: Scene, x: int, y: int, who: str) -> None:
    """Every shown target plane must contain the clicked point (SliceSync: unless it clamped that view)."""
    ras = scene.source.pixelToRAS(x, y)
    skip: set = set()
    if who == MODE_SLICESYNC and scene.engine.lastResult is not None:
        skip = set(scene.engine.lastResult.clampedNames) | set(scene.engine.lastResult.outsideNames)
    for view in scene.targets:
        if view.sliceNode.GetLayoutName() in skip:
            continue
        distance = abs(view.distanceToPlane(ras))
        if distance > PLANE_TOLERANCE_MM:
            raise BenchmarkBrokenError(f"after {who} at ({x}, {y}) {view.name} is {distance:.4f} mm from the point")


# -- statistics --------------------------------------------------------------------------------------


@dataclass
class Sample:
    """Durations in nanoseconds."""

    values: list

    @property
    def median(self) -> float:
        return float(np.median(self.values)) / 1e6 if self.values else float("nan")

    @property
    def p95(self) -> float:
        return float(np.percentile(self.values, 95)) / 1e6 if self.values else float("nan")

    @property
    def count(self) -> int:
        return len(self.values)


@dataclass
class Contender:
    """What to make active, what to time, and which plane check applies afterwards (None: no check)."""

    mode: str
    measure: Callable[[Scene, int, int], int]
    check: Optional[str] = None


def interleave(scene: Scene, contenders: dict, pixels: list, warmup: int, reset: bool = True) -> dict:
    """Time each contender at every pixel, alternating which goes first, targets reset before each."""
    names = list(contenders)
    samples: dict = {name: [] for name in names}
    gc.collect()
    gc.disable()
    try:
        for index, (x, y) in enumerate(pixels):
            order = names if index % 2 == 0 else names[::-1]
            for name in order:
                contender = contenders[name]
                scene.use(contender.mode)
                if reset:
                    scene.resetTargets()
                elapsed = contender.measure(scene, x, y)
                if index >= warmup:
                    samples[name].append(elapsed)
                if contender.check is not None:
                    checkPlanes(scene, x, y, contender.check)
    finally:
        gc.enable()
    return {name: Sample(values) for name, values in samples.items()}


def ratio(a: Sample, b: Sample) -> float:
    """The ratio of two medians."""
    return a.median / b.median if b.median else float("nan")


@dataclass
class Config:
    """How many iterations each measure runs."""

    quick: bool
    clicks: int
    warmup: int
    dragSteps: int
    drags: int
    endToEnd: int
    scalingClicks: int
    memoryClicks: int
    largeVolume: int
    warmupEndToEnd: int
    viewCounts: tuple


def makeConfig(quick: bool) -> Config:
    """The quick smoke run (CI) or the full run."""
    if quick:
        return Config(True, 16, 4, 12, 2, 3, 8, 100, 128, 2, (3, 6, 12))
    return Config(False, 1200, 100, 120, 12, 100, 300, 10000, 512, 5, (3, 6, 12, 24))
