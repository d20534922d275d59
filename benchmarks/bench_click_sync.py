"""Benchmark: SliceSync's click-to-sync against Slicer's own Shift+move crosshair jump, and how both scale.

Runs on the headless bench (real MRML, real slice logics, displayable managers and interactor styles, real
interactor events) and measures, side by side and interleaved:

1. click latency at the MRML level (no rendering), 3 and 12 views;
2. drag-follow step cost;
3. ModifiedEvents per slice node and render requests per click;
4. end to end: click to every requesting view re-rendered off-screen (3 views of 512x512, a 256^3 volume);
5. scaling with the volume size (64^3 against 512^3) and with the number of views (3, 6, 12, 24);
6. memory and observer counts over 10,000 clicks and 10,000 drags.

    python benchmarks/bench_click_sync.py            # full run: writes benchmarks/results/
    python benchmarks/bench_click_sync.py --quick --output out/benchmark-smoke.png

The exit status is non-zero only when the benchmark itself is broken (a view that did not move, a plane that
misses the clicked point, a view rendered twice, ...), never because a speed goal was missed.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import random
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [os.path.join(ROOT, "SliceSync"), os.path.join(ROOT, "SliceSync", "Testing", "Python")]

import numpy as np  # noqa: E402
import slicer  # noqa: E402
import vtk  # noqa: E402
from vtk.util import numpy_support  # noqa: E402

from SliceSyncBench import SliceViewBench, observerCount  # noqa: E402
from SliceSyncLib import SliceSyncEngine  # noqa: E402

RESULTS_DIR = os.path.join(HERE, "results")
DEFAULT_PNG = os.path.join(RESULTS_DIR, "bench_click_sync.png")
ORIENTATIONS = ("Axial", "Sagittal", "Coronal")
STANDARD_NAMES = ("Red", "Yellow", "Green")
PLANE_TOLERANCE_MM = 1e-3
PRESS = vtk.vtkCommand.LeftButtonPressEvent
RELEASE = vtk.vtkCommand.LeftButtonReleaseEvent
MOVE = vtk.vtkCommand.MouseMoveEvent


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
    return volume


@dataclass
class Scene:
    """A bench with views, one volume shown everywhere and an engine with all features on."""

    bench: SliceViewBench
    engine: SliceSyncEngine
    volume: slicer.vtkMRMLScalarVolumeNode
    views: list
    home: dict = field(default_factory=dict)

    @property
    def source(self):
        return self.views[0]

    @property
    def targets(self) -> list:
        return self.views[1:]

    def resetTargets(self) -> None:
        """Put every target view back where it started (untimed), so each measured click moves the same way."""
        for view in self.targets:
            view.sliceNode.GetSliceToRAS().DeepCopy(self.home[view.name])
            view.sliceNode.UpdateMatrices()

    def useSliceSync(self) -> None:
        """SliceSync on (its observers present)."""
        self.engine.setEnabled(True)

    def useNative(self) -> None:
        """SliceSync off: only Slicer's own Shift+move jump is active."""
        self.engine.setEnabled(False)

    def close(self) -> None:
        self.engine.cleanup()
        self.bench.close()


def buildScene(nViews: int, volumeSize: int, viewSize: tuple = (256, 256), images: bool = False) -> Scene:
    """Build ``nViews`` slice views (Red, Yellow, Green, then more of each orientation) showing one volume."""
    bench = SliceViewBench()
    views = []
    for index in range(nViews):
        name = STANDARD_NAMES[index] if index < 3 else f"View{index + 1}"
        views.append(bench.addView(name, ORIENTATIONS[index % 3], size=viewSize))
    volume = addVolume(bench, f"volume{volumeSize}", volumeSize)
    bench.showVolume(volume)
    # The user's setup, which SliceSync must leave alone: Shift+move jumps slices (offset), no crosshair drawn.
    bench.crosshairNode.SetCrosshairBehavior(slicer.vtkMRMLCrosshairNode.OffsetJumpSlice)
    engine = SliceSyncEngine(bench.scene)
    for view in views:
        engine.addView(view.sliceNode, view.interactor)
    engine.setJumpMode("keepInView")
    engine.setClampMode("clamp")
    engine.setDragFollow(True)
    engine.setShowCrosshair(True)
    if images:
        for view in views:
            view.showImage()
        bench.renderAll()
    scene = Scene(bench, engine, volume, views)
    for view in views:
        matrix = vtk.vtkMatrix4x4()
        matrix.DeepCopy(view.sliceNode.GetSliceToRAS())
        scene.home[view.name] = matrix
    return scene


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


def samplePixels(view, count: int, seed: int) -> list:
    """Pixels spread over the view (5% margin); some fall outside the volume, so clamping is exercised."""
    width, height = view.size()
    rng = random.Random(seed)
    return [
        (rng.randint(int(0.05 * width), int(0.95 * width)), rng.randint(int(0.05 * height), int(0.95 * height)))
        for _ in range(count)
    ]


def send(view, event: int, x: int, y: int, shift: bool = False) -> None:
    """Send one real interactor event at pixel (x, y)."""
    view.interactor.SetEventInformation(int(x), int(y), 0, int(shift), "\0", 0)
    view.interactor.SetAltKey(0)
    view.interactor.InvokeEvent(event)


# -- the two contenders (only the events a user's gesture adds are timed) ------------------------------


def sliceSyncClick(scene: Scene, x: int, y: int) -> int:
    """SliceSync: the pointer already rests at (x, y) (untimed hover move); time left press + release."""
    source = scene.source
    send(source, MOVE, x, y)
    start = time.perf_counter_ns()
    send(source, PRESS, x, y)
    send(source, RELEASE, x, y)
    return time.perf_counter_ns() - start


def nativeJump(scene: Scene, x: int, y: int) -> int:
    """Slicer: one Shift+MouseMove at (x, y), handled by the interactor style and crosshair widget."""
    source = scene.source
    start = time.perf_counter_ns()
    send(source, MOVE, x, y, shift=True)
    return time.perf_counter_ns() - start


def dispatchOnly(scene: Scene, x: int, y: int) -> int:
    """Slicer's own handling of press + release, run with SliceSync off (what any click costs anyway)."""
    return sliceSyncClick(scene, x, y)


def hoverMove(scene: Scene, x: int, y: int) -> int:
    """A plain mouse move (no button, no Shift): the hover that precedes any click."""
    source = scene.source
    start = time.perf_counter_ns()
    send(source, MOVE, x, y)
    return time.perf_counter_ns() - start


def engineOnly(scene: Scene, x: int, y: int) -> int:
    """SliceSync's engine alone: ``syncTo`` at the clicked point (converted untimed), no interactor events."""
    ras = scene.source.pixelToRAS(x, y)
    start = time.perf_counter_ns()
    scene.engine.syncTo(ras, scene.source.sliceNode)
    return time.perf_counter_ns() - start


def mrmlFloor(scene: Scene, x: int, y: int) -> int:
    """The MRML work behind Slicer's jump without its event handling: JumpAllSlices (offset) + SetCrosshairRAS."""
    source = scene.source.sliceNode
    ras = scene.source.pixelToRAS(x, y)
    start = time.perf_counter_ns()
    slicer.vtkMRMLSliceNode.JumpAllSlices(
        scene.bench.scene, *ras, slicer.vtkMRMLSliceNode.OffsetJumpSlice, source.GetViewGroup(), source
    )
    scene.bench.crosshairNode.SetCrosshairRAS(*ras)
    return time.perf_counter_ns() - start


def checkPlanes(scene: Scene, x: int, y: int, clamped: bool) -> None:
    """Every target plane must contain the clicked point (SliceSync: unless it clamped that view)."""
    ras = scene.source.pixelToRAS(x, y)
    result = scene.engine.lastResult if clamped else None
    skip = set(result.clampedNames) | set(result.outsideNames) if result is not None else set()
    for view in scene.targets:
        if view.sliceNode.GetLayoutName() in skip:
            continue
        distance = abs(view.distanceToPlane(ras))
        if distance > PLANE_TOLERANCE_MM:
            who = "SliceSync" if clamped else "the native jump"
            raise BenchmarkBrokenError(f"after {who} at ({x}, {y}) {view.name} is {distance:.4f} mm from the point")


# -- statistics --------------------------------------------------------------------------------------


@dataclass
class Sample:
    """Durations in nanoseconds."""

    values: list

    @property
    def median(self) -> float:
        return float(np.median(self.values)) / 1e6

    @property
    def p95(self) -> float:
        return float(np.percentile(self.values, 95)) / 1e6

    @property
    def count(self) -> int:
        return len(self.values)


def interleave(
    scene: Scene, contenders: dict, pixels: list, warmup: int, check: bool = True, reset: bool = True
) -> dict:
    """Time each contender at every pixel, alternating which goes first, targets reset before each."""
    names = list(contenders)
    samples = {name: [] for name in names}
    gc.collect()
    gc.disable()
    try:
        for index, (x, y) in enumerate(pixels):
            order = names if index % 2 == 0 else names[::-1]
            for name in order:
                setup, measure, checkClamped = contenders[name]
                setup()
                if reset:
                    scene.resetTargets()
                elapsed = measure(scene, x, y)
                if index >= warmup:
                    samples[name].append(elapsed)
                if check and checkClamped is not None:
                    checkPlanes(scene, x, y, checkClamped)
    finally:
        gc.enable()
    return {name: Sample(values) for name, values in samples.items()}


def clickContenders(scene: Scene, extra: bool = False) -> dict:
    contenders = {
        "SliceSync": (scene.useSliceSync, sliceSyncClick, True),
        "native": (scene.useNative, nativeJump, False),
    }
    if extra:
        contenders["dispatch"] = (scene.useNative, dispatchOnly, None)
        contenders["hover"] = (scene.useNative, hoverMove, None)
        contenders["engine"] = (scene.useNative, engineOnly, True)
        contenders["floor"] = (scene.useNative, mrmlFloor, False)
    return contenders


# -- the sections ------------------------------------------------------------------------------------


@dataclass
class Config:
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


def sectionClicks(config: Config, report: dict) -> None:
    """(1) and (5b): click latency at the MRML level against the number of views."""
    report["views"] = {}
    for nViews in config.viewCounts:
        scene = buildScene(nViews, 256)
        try:
            detailed = nViews in (3, 12)
            count = config.clicks if detailed else config.scalingClicks
            pixels = samplePixels(scene.source, count + config.warmup, seed=nViews)
            samples = interleave(scene, clickContenders(scene, extra=detailed), pixels, config.warmup)
            report["views"][nViews] = samples
            say(
                f"  {nViews:2d} views: SliceSync {samples['SliceSync'].median:.3f} ms, "
                f"native {samples['native'].median:.3f} ms (median of {samples['SliceSync'].count})"
            )
        finally:
            scene.close()


def dragPath(view, steps: int, seed: int) -> list:
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


def sectionDrag(config: Config, report: dict) -> None:
    """(2) drag-follow: cost of each move with the button held, against a Shift+move per step."""
    scene = buildScene(3, 256)
    try:
        steps = {"SliceSync": [], "native": []}
        totals = {"SliceSync": 0, "native": 0}
        gc.collect()
        gc.disable()
        try:
            for drag in range(config.drags + 1):
                path = dragPath(scene.source, config.dragSteps, seed=drag)
                order = ("SliceSync", "native") if drag % 2 == 0 else ("native", "SliceSync")
                for name in order:
                    scene.resetTargets()
                    source = scene.source
                    if name == "SliceSync":
                        scene.useSliceSync()
                        send(source, MOVE, *path[0])
                        send(source, PRESS, *path[0])
                        shift = False
                    else:
                        scene.useNative()
                        shift = True
                    started = time.perf_counter_ns()
                    for x, y in path[1:]:
                        start = time.perf_counter_ns()
                        send(source, MOVE, x, y, shift=shift)
                        if drag:
                            steps[name].append(time.perf_counter_ns() - start)
                    if drag:
                        totals[name] += time.perf_counter_ns() - started
                    if name == "SliceSync":
                        send(source, RELEASE, *path[-1])
                    checkPlanes(scene, *path[-1], clamped=name == "SliceSync")
        finally:
            gc.enable()
        report["drag"] = {name: Sample(values) for name, values in steps.items()}
        report["dragRate"] = {name: len(steps[name]) / (totals[name] / 1e9) for name in steps}
        say(
            f"  drag step: SliceSync {report['drag']['SliceSync'].median:.3f} ms "
            f"({report['dragRate']['SliceSync']:.0f} moves/s), native {report['drag']['native'].median:.3f} ms"
        )
    finally:
        scene.close()


class EventCounter:
    """Counts ModifiedEvents per slice node and render requests per view (Slicer's scheduleRender sources)."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.modified: dict = {}
        self.requests: dict = {}
        self._observations: list = []
        for view in scene.views:
            self._observe(view.sliceNode, vtk.vtkCommand.ModifiedEvent, self._makeCallback(self.modified, view.name))
            request = self._makeCallback(self.requests, view.name)
            # A slice view renders when its displayable managers call RequestRender (the group's UpdateEvent)
            # or when its slice logic changes (the slice controller's renderRequested).
            self._observe(view.displayableManagers, vtk.vtkCommand.UpdateEvent, request)
            self._observe(view.sliceLogic, vtk.vtkCommand.ModifiedEvent, request)
        self.reset()

    def _observe(self, obj, event, callback) -> None:
        self._observations.append((obj, obj.AddObserver(event, callback)))

    @staticmethod
    def _makeCallback(counts: dict, name: str) -> Callable:
        def callback(caller, event) -> None:
            counts[name] += 1

        return callback

    def reset(self) -> None:
        for view in self.scene.views:
            self.modified[view.name] = 0
            self.requests[view.name] = 0

    def viewsToRender(self) -> list:
        return [view for view in self.scene.views if self.requests[view.name]]

    def close(self) -> None:
        for obj, tag in self._observations:
            obj.RemoveObserver(tag)
        self._observations = []


CLICK_KINDS = ("all targets move", "one target stays", "repeated click")


def clickSequence(view, count: int, seed: int) -> list:
    """(kind, x, y): clicks that move all targets, then all but the coronal view, then none (a repeat)."""
    sequence = []
    for x, y in samplePixels(view, count, seed):
        sequence += [(CLICK_KINDS[0], x, y), (CLICK_KINDS[1], x + 7, y), (CLICK_KINDS[2], x + 7, y)]
    return sequence


def sectionEvents(config: Config, report: dict) -> None:
    """(3) ModifiedEvents per moved / unmoved slice node and render requests per click."""
    scene = buildScene(3, 256)
    counter = EventCounter(scene)
    try:
        stats = {}
        for name, setup, act in (
            ("SliceSync", scene.useSliceSync, sliceSyncClick),
            ("native", scene.useNative, nativeJump),
        ):
            setup()
            scene.resetTargets()
            send(scene.source, MOVE, 5, 5)
            moved, unmoved = [], []
            requests = {kind: [] for kind in CLICK_KINDS}
            rendering = {kind: [] for kind in CLICK_KINDS}
            for kind, x, y in clickSequence(scene.source, max(3, config.clicks // 20), seed=3):
                before = {view.name: tuple(view.sliceToRAS()) for view in scene.views}
                send(scene.source, MOVE, x, y)  # the hover, not counted
                counter.reset()
                act(scene, x, y)
                for view in scene.views:
                    changed = tuple(view.sliceToRAS()) != before[view.name]
                    (moved if changed else unmoved).append(counter.modified[view.name])
                    if changed and counter.modified[view.name] == 0:
                        raise BenchmarkBrokenError(f"{name}: {view.name} moved without a ModifiedEvent")
                requests[kind].append(sum(counter.requests.values()))
                rendering[kind].append(len(counter.viewsToRender()))
            if not moved:
                raise BenchmarkBrokenError(f"{name}: no view moved in the events section")
            stats[name] = {
                "movedNodes": len(moved),
                "modifiedPerMoved": (min(moved), max(moved)),
                "unmovedNodes": len(unmoved),
                "modifiedPerUnmoved": (min(unmoved), max(unmoved)) if unmoved else (0, 0),
                "requests": {kind: float(np.mean(values)) for kind, values in requests.items()},
                "views": {kind: float(np.mean(values)) for kind, values in rendering.items()},
            }
        report["events"] = stats
        for name, values in stats.items():
            perKind = ", ".join(
                f"{kind}: {values['requests'][kind]:.1f} from {values['views'][kind]:.1f} views" for kind in CLICK_KINDS
            )
            say(
                f"  {name}: ModifiedEvents per moved node {values['modifiedPerMoved']}, per unmoved node "
                f"{values['modifiedPerUnmoved']}; render requests per click ({perKind})"
            )
    finally:
        counter.close()
        scene.close()


def sectionEndToEnd(config: Config, report: dict) -> None:
    """(4) click to every requesting view re-rendered once, off-screen; 3 views of 512x512, 256^3 volume."""
    scene = buildScene(3, 256, viewSize=(512, 512), images=True)
    counter = EventCounter(scene)
    renders = {view.name: 0 for view in scene.views}

    def makeRenderCounter(name: str) -> Callable:
        def onRender(caller, event) -> None:
            renders[name] += 1

        return onRender

    renderTags = [
        (view.renderWindow, view.renderWindow.AddObserver(vtk.vtkCommand.StartEvent, makeRenderCounter(view.name)))
        for view in scene.views
    ]

    def renderRequested() -> int:
        # What Slicer's scheduleRender does once the event is handled: each requesting view renders once.
        views = counter.viewsToRender()
        for view in views:
            view.render()
        return len(views)

    def endToEnd(act: Callable) -> Callable:
        def measure(scene: Scene, x: int, y: int) -> int:
            if act is sliceSyncClick:
                send(scene.source, MOVE, x, y)  # the hover comes before the click, as for a user
            scene.bench.renderAll()
            counter.reset()
            for name in renders:
                renders[name] = 0
            elapsed = act(scene, x, y)
            start = time.perf_counter_ns()
            rendered = renderRequested()
            renderTime = time.perf_counter_ns() - start
            parts = report.setdefault("e2eParts", {}).setdefault(act.__name__, ([], []))
            parts[0].append(elapsed)
            parts[1].append(renderTime)
            elapsed += renderTime
            if rendered == 0 or any(count > 1 for count in renders.values()):
                raise BenchmarkBrokenError(f"views rendered {renders} after one click at ({x}, {y})")
            report.setdefault("e2eViews", []).append(rendered)
            return elapsed

        return measure

    try:
        contenders = {
            "SliceSync": (scene.useSliceSync, endToEnd(sliceSyncClick), True),
            "native": (scene.useNative, endToEnd(nativeJump), False),
        }
        pixels = pixelsInsideVolume(scene, config.endToEnd + config.warmupEndToEnd, seed=4)
        report["e2e"] = interleave(scene, contenders, pixels, warmup=config.warmupEndToEnd)
        say(
            f"  end to end: SliceSync {report['e2e']['SliceSync'].median:.2f} ms, "
            f"native {report['e2e']['native'].median:.2f} ms"
        )
    finally:
        for obj, tag in renderTags:
            obj.RemoveObserver(tag)
        counter.close()
        scene.close()


def sectionVolumeSize(config: Config, report: dict) -> None:
    """(5a) the same click against a 64^3 and a large volume, two scenes interleaved click by click."""
    small = buildScene(3, 64)
    large = buildScene(3, config.largeVolume)
    try:
        pixels = samplePixels(small.source, config.scalingClicks + config.warmup, seed=5)
        samples = {"small": [], "large": [], "smallNative": [], "largeNative": []}
        gc.collect()
        gc.disable()
        try:
            for index, (x, y) in enumerate(pixels):
                pairs = (("small", small), ("large", large)) if index % 2 == 0 else (("large", large), ("small", small))
                for key, scene in pairs:
                    for suffix, setup, act in (
                        ("", scene.useSliceSync, sliceSyncClick),
                        ("Native", scene.useNative, nativeJump),
                    ):
                        setup()
                        scene.resetTargets()
                        elapsed = act(scene, x, y)
                        if index >= config.warmup:
                            samples[key + suffix].append(elapsed)
                        checkPlanes(scene, x, y, clamped=not suffix)
        finally:
            gc.enable()
        report["volume"] = {key: Sample(values) for key, values in samples.items()}
        say(
            f"  64^3: {report['volume']['small'].median:.3f} ms, {config.largeVolume}^3: "
            f"{report['volume']['large'].median:.3f} ms"
        )
    finally:
        small.close()
        large.close()


def residentKilobytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise BenchmarkBrokenError("no VmRSS in /proc/self/status")


def observerCounts(scene: Scene) -> dict:
    """Observer counts on everything SliceSync or Slicer's views observe."""
    scene.engine.lastResult = None  # a result is a plain Python object; drop it so only VTK state is compared
    objects = {
        "scene": scene.bench.scene,
        "crosshair": scene.bench.crosshairNode,
        "interaction": scene.bench.interactionNode,
        "volume": scene.volume,
    }
    for view in scene.views:
        objects[f"{view.name}.interactor"] = view.interactor
        objects[f"{view.name}.sliceNode"] = view.sliceNode
        objects[f"{view.name}.compositeNode"] = view.compositeNode
        objects[f"{view.name}.sliceLogic"] = view.sliceLogic
    return {name: observerCount(obj) for name, obj in objects.items()}


def sectionMemory(config: Config, report: dict) -> None:
    """(6) resident memory and observer counts across many clicks and drags."""
    scene = buildScene(3, 64)
    try:
        scene.useSliceSync()
        source = scene.source
        pixels = samplePixels(source, 997, seed=6)

        def work(count: int) -> None:
            for index in range(count):
                x, y = pixels[index % len(pixels)]
                send(source, MOVE, x, y)
                send(source, PRESS, x, y)
                send(source, RELEASE, x, y)
                send(source, PRESS, x, y)
                for step in range(1, 4):
                    send(source, MOVE, x + 5 * step, y + 3 * step)
                send(source, RELEASE, x + 15, y + 9)

        work(max(200, config.memoryClicks // 20))
        gc.collect()
        observersBefore = observerCounts(scene)
        rssBefore = residentKilobytes()
        started = time.perf_counter()
        work(config.memoryClicks)
        elapsed = time.perf_counter() - started
        gc.collect()
        rssAfter = residentKilobytes()
        observersAfter = observerCounts(scene)
        changed = {
            k: (observersBefore[k], observersAfter[k])
            for k in observersBefore
            if observersBefore[k] != observersAfter[k]
        }
        report["memory"] = {
            "clicks": config.memoryClicks,
            "drags": config.memoryClicks,
            "rssGrowthKB": rssAfter - rssBefore,
            "observersChanged": changed,
            "observerTotal": sum(observersAfter.values()),
            "seconds": elapsed,
        }
        say(
            f"  memory: RSS {rssAfter - rssBefore:+d} kB over {config.memoryClicks} clicks and as many drags, "
            f"observers changed: {changed or 'none'}"
        )
    finally:
        scene.close()


# -- report ------------------------------------------------------------------------------------------


def machineDescription() -> dict:
    """CPU, cores, memory, OS, Python, VTK, slicer-core and the OpenGL renderer used off-screen."""
    from importlib import metadata

    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "?"
    try:
        with open("/proc/meminfo") as info:
            memory = f"{int(info.readline().split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    window = vtk.vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.Render()
    renderer = next(
        (
            line.split(":", 1)[1].strip()
            for line in window.ReportCapabilities().splitlines()
            if line.startswith("OpenGL renderer string")
        ),
        window.GetClassName(),
    )
    window.Finalize()
    try:
        slicerCore = metadata.version("slicer-core")
    except metadata.PackageNotFoundError:
        slicerCore = "?"
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores, {memory} RAM",
        "os": platform.platform(),
        "python": platform.python_version(),
        "vtk": vtk.vtkVersion.GetVTKVersion(),
        "slicerCore": slicerCore,
        "renderer": f"{renderer} ({window.GetClassName()})",
    }


def fmt(sample: Sample) -> str:
    return f"{sample.median:.3f} ({sample.p95:.3f})"


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def buildTable(config: Config, report: dict) -> tuple:
    """Return (markdown table lines, goal verdicts)."""
    rows = [
        "| # | Measure | SliceSync | Slicer native Shift jump | Ratio | Goal | Met |",
        "|---|---|---|---|---|---|---|",
    ]
    goals = {}
    for nViews in (3, 12):
        samples = report["views"].get(nViews)
        if samples is None:
            continue
        ratio = samples["SliceSync"].median / samples["native"].median
        goals[f"click{nViews}"] = ratio <= 1.0
        rows.append(
            f"| 1 | Click, MRML only, {nViews} views: median (p95) ms, n={samples['SliceSync'].count} | "
            f"{fmt(samples['SliceSync'])} | {fmt(samples['native'])} | {ratio:.2f} | <= 1.0 | "
            f"{verdict(goals[f'click{nViews}'])} |"
        )
        click, native = samples["SliceSync"].median, samples["native"].median
        engine, floor = samples["engine"].median, samples["floor"].median
        rows += [
            f"| 1 | {nViews} views, parts: the same jumps without events (SliceSync: `syncTo` alone; native: "
            f"JumpAllSlices + SetCrosshairRAS called directly) | {fmt(samples['engine'])} | {fmt(samples['floor'])} "
            f"| {engine / floor:.2f} | | |",
            f"| 1 | {nViews} views, where the time goes (medians): MRML work both must do / SliceSync's own Python "
            f"(engine - floor) / event handling (click - engine; native - floor) | {floor:.3f} / "
            f"{engine - floor:.3f} / {click - engine:.3f} | {floor:.3f} / 0 / {native - floor:.3f} | | | |",
            f"| 1 | {nViews} views, Slicer's own handling of any press + release (SliceSync off) / of a hover move | "
            f"{fmt(samples['dispatch'])} | {fmt(samples['hover'])} | | | |",
        ]
    drag = report["drag"]
    goals["drag"] = drag["SliceSync"].p95 < 1.0
    rows.append(
        f"| 2 | Drag-follow step, 3 views: median (p95) ms; sustained moves/s | "
        f"{fmt(drag['SliceSync'])}; {report['dragRate']['SliceSync']:.0f}/s | "
        f"{fmt(drag['native'])}; {report['dragRate']['native']:.0f}/s | "
        f"{drag['SliceSync'].median / drag['native'].median:.2f} | p95 < 1 ms | {verdict(goals['drag'])} |"
    )
    events = report["events"]
    own, native = events["SliceSync"], events["native"]

    def span(pair: tuple) -> str:
        return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}-{pair[1]}"

    goals["modifiedMoved"] = own["modifiedPerMoved"] == (1, 1)
    goals["modifiedUnmoved"] = own["modifiedPerUnmoved"] == (0, 0)
    goals["renderRequests"] = all(own["views"][kind] <= native["views"][kind] + 1e-9 for kind in CLICK_KINDS)
    rows += [
        f"| 3 | ModifiedEvents per moved slice node ({own['movedNodes']} / {native['movedNodes']} nodes) | "
        f"{span(own['modifiedPerMoved'])} | {span(native['modifiedPerMoved'])} | | exactly 1 | "
        f"{verdict(goals['modifiedMoved'])} |",
        f"| 3 | ModifiedEvents per slice node that did not need to move ({own['unmovedNodes']} / "
        f"{native['unmovedNodes']} nodes) | {span(own['modifiedPerUnmoved'])} | {span(native['modifiedPerUnmoved'])} "
        f"| | 0 | {verdict(goals['modifiedUnmoved'])} |",
    ]
    for kind in CLICK_KINDS:
        rows.append(
            f"| 3 | Render requests per click, {kind}: RequestRender + slice-logic Modified (views asking) | "
            f"{own['requests'][kind]:.1f} ({own['views'][kind]:.1f}) | "
            f"{native['requests'][kind]:.1f} ({native['views'][kind]:.1f}) | | views <= native | "
            f"{verdict(own['views'][kind] <= native['views'][kind] + 1e-9)} |"
        )
    e2e = report["e2e"]
    ratio = e2e["SliceSync"].median / e2e["native"].median
    goals["e2e"] = ratio <= 1.05
    rendered = report.get("e2eViews", [0])
    skip = config.warmupEndToEnd
    parts = {name: [Sample(values[skip:]) for values in pair] for name, pair in report["e2eParts"].items()}
    paired = np.asarray(e2e["SliceSync"].values) - np.asarray(e2e["native"].values)
    rows.append(
        f"| 4 | End to end, 3 views 512x512, 256^3 volume, click inside it to views re-rendered: median (p95) ms, "
        f"n={e2e['SliceSync'].count}; each view rendered once ({min(rendered)}-{max(rendered)} views per click) | "
        f"{e2e['SliceSync'].median:.2f} ({e2e['SliceSync'].p95:.2f}) | {e2e['native'].median:.2f} "
        f"({e2e['native'].p95:.2f}) | {ratio:.3f} | <= 1.05 | {verdict(goals['e2e'])} |"
    )
    own, native = parts["sliceSyncClick"], parts["nativeJump"]
    rows.append(
        f"| 4 | of which the event (press + release / Shift+move) / the renders, medians ms; paired difference "
        f"SliceSync - native per click, median | {own[0].median:.2f} / {own[1].median:.2f} | "
        f"{native[0].median:.2f} / {native[1].median:.2f} | {float(np.median(paired)) / 1e6:+.2f} ms | | |"
    )
    volume = report["volume"]
    ratio = volume["large"].median / volume["small"].median
    nativeRatio = volume["largeNative"].median / volume["smallNative"].median
    goals["volume"] = ratio <= 1.1
    rows.append(
        f"| 5 | Click, MRML only, 3 views: 64^3 -> {config.largeVolume}^3 volume, median ms | "
        f"{volume['small'].median:.3f} -> {volume['large'].median:.3f} | "
        f"{volume['smallNative'].median:.3f} -> {volume['largeNative'].median:.3f} (ratio {nativeRatio:.2f}) | "
        f"{ratio:.2f} (large / small) | <= 1.1 | {verdict(goals['volume'])} |"
    )
    for nViews, samples in sorted(report["views"].items()):
        rows.append(
            f"| 5 | Click, MRML only, {nViews} views: median (p95) ms | {fmt(samples['SliceSync'])} | "
            f"{fmt(samples['native'])} | {samples['SliceSync'].median / samples['native'].median:.2f} | | |"
        )
    memory = report["memory"]
    goals["memory"] = memory["rssGrowthKB"] < 1024 and not memory["observersChanged"]
    rows.append(
        f"| 6 | {memory['clicks']} clicks + {memory['drags']} drags: RSS growth; observers changed "
        f"(of {memory['observerTotal']}) | {memory['rssGrowthKB']:+d} kB; "
        f"{memory['observersChanged'] or 'none'} | | | < 1 MB; none | {verdict(goals['memory'])} |"
    )
    return rows, goals


def plot(config: Config, report: dict, path: str) -> None:
    """Write the figure: cost against views, latency distributions, drag steps, end to end."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 2, figsize=(11, 8))
    colors = {"SliceSync": "tab:blue", "native": "tab:orange"}
    labels = {"SliceSync": "SliceSync click (press + release)", "native": "Slicer Shift+move jump"}

    ax = axes[0][0]
    counts = sorted(report["views"])
    for name in ("SliceSync", "native"):
        medians = [report["views"][n][name].median for n in counts]
        p95 = [report["views"][n][name].p95 for n in counts]
        ax.plot(counts, medians, "o-", color=colors[name], label=f"{labels[name]}, median")
        ax.plot(counts, p95, "--", color=colors[name], alpha=0.6, label="p95")
    ax.set_xlabel("slice views in the group")
    ax.set_ylabel("ms per click (MRML, no render)")
    ax.set_xticks(counts)
    ax.set_title("(5) Click cost against the number of views")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)

    ax = axes[0][1]
    data, names, boxColors = [], [], []
    for nViews in (3, 12):
        if nViews in report["views"]:
            for name in ("SliceSync", "native"):
                data.append(np.asarray(report["views"][nViews][name].values) / 1e6)
                names.append(f"{'SliceSync' if name == 'SliceSync' else 'native'}\n{nViews} views")
                boxColors.append(colors[name])
    boxes = ax.boxplot(data, showfliers=False, patch_artist=True)
    for patch, color in zip(boxes["boxes"], boxColors):
        patch.set_facecolor(color)
        patch.set_alpha(0.5)
    ax.set_xticks(range(1, len(names) + 1), names, fontsize=8)
    ax.set_ylabel("ms per click")
    ax.set_title("(1) Click latency, MRML only (whiskers 1.5 IQR)")
    ax.grid(alpha=0.3, axis="y")

    ax = axes[1][0]
    for name in ("SliceSync", "native"):
        values = np.asarray(report["drag"][name].values) / 1e6
        ax.hist(
            values,
            bins=60,
            range=(0, np.percentile(values, 99) * 1.2),
            alpha=0.5,
            color=colors[name],
            label=f"{'SliceSync drag step' if name == 'SliceSync' else 'Shift+move step'}",
        )
    ax.axvline(1.0, color="k", linestyle=":", label="1 ms")
    ax.set_xlabel("ms per mouse move, 3 views")
    ax.set_title("(2) Drag-follow step cost")
    ax.legend(fontsize=8)

    ax = axes[1][1]
    e2e = report["e2e"]
    medians = [e2e[name].median for name in ("SliceSync", "native")]
    p95 = [e2e[name].p95 - e2e[name].median for name in ("SliceSync", "native")]
    ax.bar(
        ["SliceSync click\n+ render", "Shift jump\n+ render"],
        medians,
        yerr=[[0, 0], p95],
        capsize=6,
        color=[colors["SliceSync"], colors["native"]],
        alpha=0.7,
    )
    for index, value in enumerate(medians):
        ax.text(index, value / 2, f"{value:.1f} ms", ha="center")
    ax.set_ylabel("ms, median (bar to p95)")
    ax.set_title("(4) End to end: 3 views 512x512, 256^3 volume, Mesa")
    figure.suptitle("SliceSync click-to-sync against Slicer's native Shift jump (headless, real MRML)")
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def makeConfig(quick: bool) -> Config:
    if quick:
        return Config(
            True,
            clicks=20,
            warmup=5,
            dragSteps=20,
            drags=2,
            endToEnd=3,
            scalingClicks=10,
            memoryClicks=200,
            largeVolume=256,
            warmupEndToEnd=2,
            viewCounts=(3, 6, 12, 24),
        )
    return Config(
        False,
        clicks=2000,
        warmup=100,
        dragSteps=200,
        drags=20,
        endToEnd=150,
        scalingClicks=600,
        memoryClicks=10000,
        largeVolume=512,
        warmupEndToEnd=5,
        viewCounts=(3, 6, 12, 24),
    )


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations: checks the benchmark still works")
    parser.add_argument("--output", default=None, help=f"PNG plot path (default {DEFAULT_PNG} for a full run)")
    parser.add_argument("--markdown", default=None, help="table path (default: next to the PNG, .md)")
    args = parser.parse_args(argv)
    config = makeConfig(args.quick)
    output = args.output or (os.path.join("out", "benchmark-smoke.png") if args.quick else DEFAULT_PNG)
    markdown = args.markdown or os.path.splitext(output)[0] + ".md"

    started = time.perf_counter()
    machine = machineDescription()
    say(f"SliceSync benchmark ({'quick smoke run' if config.quick else 'full run'}) on {machine['cpu']}")
    report: dict = {}
    try:
        say("(1, 5) click latency at the MRML level against the number of views")
        sectionClicks(config, report)
        say("(2) drag-follow")
        sectionDrag(config, report)
        say("(3) events per click")
        sectionEvents(config, report)
        say("(4) end to end with off-screen rendering")
        sectionEndToEnd(config, report)
        say("(5) volume size")
        sectionVolumeSize(config, report)
        say("(6) memory and observers")
        sectionMemory(config, report)
        rows, goals = buildTable(config, report)
        plot(config, report, output)
    except BenchmarkBrokenError as error:
        say(f"BENCHMARK BROKEN: {error}")
        return 1
    wall = time.perf_counter() - started
    header = [
        f"SliceSync benchmark, {'quick smoke run' if config.quick else 'full run'}, "
        f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}, {wall:.0f} s wall time.",
        "",
        f"Machine: {machine['cpu']}; {machine['os']}; Python {machine['python']}, VTK {machine['vtk']}, "
        f"slicer-core {machine['slicerCore']}; off-screen renderer {machine['renderer']}.",
        "",
        "Times in ms (median, p95 in brackets); ratios are SliceSync / native of the medians. Contenders are "
        "interleaved click by click at the same pixels, targets reset before each click, after a warm-up.",
        "",
    ]
    missed = [name for name, ok in goals.items() if not ok]
    shown = os.path.relpath(os.path.abspath(output), ROOT).replace(os.sep, "/")
    footer = ["", f"Goals missed: {', '.join(missed) if missed else 'none'}. Plot: {shown}"]
    text = "\n".join(header + rows + footer) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(markdown)), exist_ok=True)
    with open(markdown, "w") as out:
        out.write(text)
    say("")
    say(text)
    say(f"table written to {markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
