"""What a click makes Slicer do: ModifiedEvents per slice node, render requests, and end to end with rendering."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
import vtk
from harness import (
    MODE_NATIVE_CLICK,
    MODE_SLICESYNC,
    MOVE,
    BenchmarkBrokenError,
    Config,
    Contender,
    Scene,
    buildScene,
    click,
    interleave,
    pixelsInsideVolume,
    samplePixels,
    say,
    send,
)

CLICK_KINDS = ("all targets move", "one target stays", "repeated click")


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


def clickSequence(view, count: int, seed: int) -> list:
    """(kind, x, y): clicks that move all targets, then all but the coronal view, then none (a repeat)."""
    sequence = []
    for x, y in samplePixels(view, count, seed):
        sequence += [(CLICK_KINDS[0], x, y), (CLICK_KINDS[1], x + 7, y), (CLICK_KINDS[2], x + 7, y)]
    return sequence


def measureEvents(config: Config, report: dict) -> None:
    """ModifiedEvents per moved / unmoved slice node and render requests per click, 3 views."""
    scene = buildScene(3, 256)
    counter = EventCounter(scene)
    try:
        stats = {}
        for name, mode in (("SliceSync", MODE_SLICESYNC), ("native", MODE_NATIVE_CLICK)):
            scene.use(mode)
            scene.resetTargets()
            send(scene.source, MOVE, 5, 5)
            moved, unmoved = [], []
            requests: dict = {kind: [] for kind in CLICK_KINDS}
            rendering: dict = {kind: [] for kind in CLICK_KINDS}
            for kind, x, y in clickSequence(scene.source, max(3, config.clicks // 20), seed=3):
                before = {view.name: tuple(view.sliceToRAS()) for view in scene.views}
                send(scene.source, MOVE, x, y)  # the hover, not counted
                counter.reset()
                click(scene, x, y)
                for view in scene.views:
                    changed = tuple(view.sliceToRAS()) != before[view.name]
                    (moved if changed else unmoved).append(counter.modified[view.name])
                    if changed and counter.modified[view.name] == 0:
                        raise BenchmarkBrokenError(f"{name}: {view.name} moved without a ModifiedEvent")
                requests[kind].append(sum(counter.requests.values()))
                rendering[kind].append(len(counter.viewsToRender()))
            if not moved:
                raise BenchmarkBrokenError(f"{name}: no view moved in the events measure")
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
            say(
                f"  {name}: ModifiedEvents per moved node {values['modifiedPerMoved']}, per unmoved node "
                f"{values['modifiedPerUnmoved']}"
            )
    finally:
        counter.close()
        scene.close()


def measureEndToEnd(config: Config, report: dict) -> None:
    """Click to every requesting view re-rendered once, off-screen; 3 views of 512x512, a 256^3 volume; wall clock."""
    scene = buildScene(3, 256, viewSize=(512, 512), images=True)
    counter = EventCounter(scene)
    renders = {view.name: 0 for view in scene.views}
    parts: dict = {"SliceSync": ([], []), "native": ([], [])}

    def makeRenderCounter(name: str) -> Callable:
        def onRender(caller, event) -> None:
            renders[name] += 1

        return onRender

    renderTags = [
        (view.renderWindow, view.renderWindow.AddObserver(vtk.vtkCommand.StartEvent, makeRenderCounter(view.name)))
        for view in scene.views
    ]

    def endToEnd(name: str) -> Callable:
        def measure(scene: Scene, x: int, y: int) -> int:
            send(scene.source, MOVE, x, y)  # the hover comes before the click, as for a user
            scene.bench.renderAll()
            counter.reset()
            for view in renders:
                renders[view] = 0
            start = time.perf_counter_ns()
            send(scene.source, vtk.vtkCommand.LeftButtonPressEvent, x, y)
            send(scene.source, vtk.vtkCommand.LeftButtonReleaseEvent, x, y)
            handled = time.perf_counter_ns()
            # What Slicer's scheduleRender does once the event is handled: each requesting view renders once.
            views = counter.viewsToRender()
            for view in views:
                view.render()
            end = time.perf_counter_ns()
            parts[name][0].append(handled - start)
            parts[name][1].append(end - handled)
            if not views or any(count > 1 for count in renders.values()):
                raise BenchmarkBrokenError(f"views rendered {renders} after one click at ({x}, {y})")
            report.setdefault("e2eViews", []).append(len(views))
            return end - start

        return measure

    try:
        contenders = {
            "SliceSync": Contender(MODE_SLICESYNC, endToEnd("SliceSync"), MODE_SLICESYNC),
            "native": Contender(MODE_NATIVE_CLICK, endToEnd("native"), MODE_NATIVE_CLICK),
        }
        pixels = pixelsInsideVolume(scene, config.endToEnd + config.warmupEndToEnd, seed=4)
        report["e2e"] = interleave(scene, contenders, pixels, warmup=config.warmupEndToEnd)
        skip = config.warmupEndToEnd
        report["e2eParts"] = {name: (values[0][skip:], values[1][skip:]) for name, values in parts.items()}
        say(
            f"  end to end: SliceSync {report['e2e']['SliceSync'].median:.2f} ms, "
            f"native click {report['e2e']['native'].median:.2f} ms"
        )
    finally:
        for obj, tag in renderTags:
            obj.RemoveObserver(tag)
        counter.close()
        scene.close()
