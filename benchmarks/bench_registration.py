"""Registration-aware sync: what a view group's mapping through a transform adds to a click.

Two view groups of three views (Red/Yellow/Green in group 0, Red1/Yellow1/Green1 in group 1), each showing its own
copy of a 128^3 volume, on the headless bench with the ten displayable managers of a Slicer slice view. The
contenders take turns pixel by pixel, on the same pixels:

- "linked, no transform": groups 0 and 1 linked (setLinkedViewGroups([0, 1])) with no mapping, the baseline that
  moves the same five views;
- "linear", "grid", "B-spline": group 1 mapped through a rigid, a grid or a B-spline transform (Slicer's classes).

For each, a click in Red (world group) and in Red1 (mapped group) is timed (press + release, the thread's CPU time
by default), and so are the registration stages alone (_toWorld once, _fromWorld for the five targets). After each
click every target plane is checked against Slicer's own transform: a miss makes the benchmark exit non-zero.

    python benchmarks/bench_registration.py            # writes out/bench_registration.md
    python benchmarks/bench_registration.py --quick    # a few clicks: checks the benchmark still works
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
import time
from typing import Optional

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import harness  # noqa: E402
from harness import MOVE, PRESS, RELEASE, ROOT, BenchmarkBrokenError, Sample, addVolume, now, say, send  # noqa: E402

from SliceSyncBench import (  # noqa: E402
    SLICE_VIEW_DISPLAYABLE_MANAGERS,
    SliceViewBench,
    displacementTransformNode,
    linearTransformNode,
    planeIntersection,
)
from SliceSyncLib import SliceSyncEngine  # noqa: E402
from SliceSyncLib.Status import SyncResult  # noqa: E402

OUT_MD = os.path.join(ROOT, "out", "bench_registration.md")
VOLUME_SIZE = 128
PLANE_TOLERANCE_MM = 1e-3
ROUND_TRIP_TOLERANCE_MM = 0.1
CONTENDERS = ("linked, no transform", "linear", "grid", "B-spline")


def rigidMatrix() -> list:
    """A rotation of 8 degrees about (0.2, 0.3, 1) and a shift of (4, -3, 6) mm."""
    x, y, z = (c / math.sqrt(0.2**2 + 0.3**2 + 1.0) for c in (0.2, 0.3, 1.0))
    a = math.radians(8.0)
    c, s, t = math.cos(a), math.sin(a), 1.0 - math.cos(a)
    return [
        [t * x * x + c, t * x * y - s * z, t * x * z + s * y, 4.0],
        [t * x * y + s * z, t * y * y + c, t * y * z - s * x, -3.0],
        [t * x * z - s * y, t * y * z + s * x, t * z * z + c, 6.0],
        [0.0, 0.0, 0.0, 1.0],
    ]


class RegistrationScene:
    """Group 0 over the fixed volume, group 1 over the moving copy, and one transform node per contender."""

    def __init__(self) -> None:
        self.bench = SliceViewBench(SLICE_VIEW_DISPLAYABLE_MANAGERS)
        self.world = self.bench.addStandardViews()
        self.mapped = self.bench.addViewGroup(1, "1")
        fixed = addVolume(self.bench, "fixed", VOLUME_SIZE)
        moving = addVolume(self.bench, "moving", VOLUME_SIZE)
        self.bench.showVolume(fixed, self.world)
        self.bench.showVolume(moving, self.mapped)
        half = VOLUME_SIZE / 2.0
        scene = self.bench.scene
        self.nodes = {
            "linked, no transform": None,
            "linear": linearTransformNode(scene, rigidMatrix()),
            "grid": displacementTransformNode(scene, "grid", (-half,) * 3, (half,) * 3),
            "B-spline": displacementTransformNode(scene, "bspline", (-half,) * 3, (half,) * 3),
        }
        self.engine = SliceSyncEngine(scene)
        for view in self.world + self.mapped:
            self.engine.addView(view.sliceNode, view.interactor)
        self.engine.setClampMode("off")
        self.engine.setEnabled(True)
        # Group 1 starts 5.37 mm off its fitted planes (between pixels): every contender moves all five targets.
        for view in self.mapped:
            matrix = view.sliceNode.GetSliceToRAS()
            for row in range(3):
                matrix.SetElement(row, 3, matrix.GetElement(row, 3) + 5.37 * matrix.GetElement(row, 2))
            view.sliceNode.UpdateMatrices()
        self.home = {view.name: view.sliceToRAS() for view in self.world + self.mapped}

    def use(self, contender: str) -> None:
        node = self.nodes[contender]
        self.engine.setViewGroupTransform(1, node)
        self.engine.setLinkedViewGroups([0, 1] if node is None else None)

    def resetTargets(self) -> None:
        for view in self.world + self.mapped:
            matrix = view.sliceNode.GetSliceToRAS()
            for k, value in enumerate(self.home[view.name]):
                matrix.SetElement(k // 4, k % 4, value)
            view.sliceNode.UpdateMatrices()

    def toWorld(self, contender: str, q) -> tuple:
        node = self.nodes[contender]
        return tuple(q) if node is None else tuple(node.GetTransformToParent().TransformPoint(q))

    def close(self) -> None:
        self.engine.cleanup()
        self.bench.close()


def clickAndCheck(scene: RegistrationScene, contender: str, source, x: int, y: int) -> int:
    """Time one click (press + release) in ``source``; then check every target plane against Slicer's transform."""
    send(source, MOVE, x, y)
    start = now()
    send(source, PRESS, x, y)
    send(source, RELEASE, x, y)
    elapsed = now() - start
    moved = len(scene.engine.lastResult.movedNames)
    if moved != 5:
        raise BenchmarkBrokenError(
            f"{contender}: a click in {source.name} at {(x, y)} moved {moved} views, not 5 "
            f"({scene.engine.lastResult.summary()})"
        )
    point = source.pixelToRAS(x, y)
    if source in scene.mapped:
        checks = [(view, scene.toWorld(contender, point), PLANE_TOLERANCE_MM) for view in scene.world]
        checks += [(view, point, PLANE_TOLERANCE_MM) for view in scene.mapped if view is not source]
    else:
        # The mapped group passes through T^-1(p): T of its planes' common point must land back on p.
        checks = [(view, point, PLANE_TOLERANCE_MM) for view in scene.world if view is not source]
        back = scene.toWorld(contender, planeIntersection(scene.mapped))
        if math.dist(back, point) > ROUND_TRIP_TOLERANCE_MM:
            raise BenchmarkBrokenError(
                f"{contender}: the mapped group missed {point} by {math.dist(back, point):.4f} mm"
            )
    for view, expected, tolerance in checks:
        distance = abs(view.distanceToPlane(expected))
        if distance > tolerance:
            raise BenchmarkBrokenError(
                f"{contender}: after a click in {source.name} {view.name} is {distance:.4f} mm off"
            )
    return elapsed


def stagesOnly(scene: RegistrationScene, source, x: int, y: int) -> int:
    """The registration stages of one sync alone: _toWorld once, then _fromWorld for the five targets."""
    engine = scene.engine
    # A point the previous click did not use, so no mapping reuses that click's image of it.
    point = tuple(c + 0.01 for c in source.pixelToRAS(x, y))
    targets = [view.sliceNode for view in scene.world + scene.mapped if view is not source]
    start = now()
    result = SyncResult(point)
    world = engine._toWorld(point, source.sliceNode, result)
    for node in targets:
        engine._fromWorld(world, node, "target", result)
    return now() - start


def pixels(scene: RegistrationScene, count: int) -> list:
    """Pixels in the middle 40 % of the views, off the centre lines (where a target would already be in place)."""
    width, height = scene.world[0].size()
    found = []
    k = 0
    while len(found) < count:
        x = int(width * (0.3 + 0.4 * ((k * 37) % 101) / 100))
        y = int(height * (0.3 + 0.4 * ((k * 61) % 103) / 102))
        k += 1
        if abs(x - width / 2) >= 3 and abs(y - height / 2) >= 3:
            found.append((x, y))
    return found


def measure(quick: bool) -> dict:
    scene = RegistrationScene()
    try:
        clicks = 12 if quick else 600
        warmup = 2 if quick else 40
        samples: dict = {}
        gc.collect()
        gc.disable()
        try:
            for index, (x, y) in enumerate(pixels(scene, clicks + warmup)):
                order = CONTENDERS if index % 2 == 0 else CONTENDERS[::-1]
                for contender in order:
                    scene.use(contender)
                    for source in (scene.world[0], scene.mapped[0]):
                        scene.resetTargets()
                        elapsed = clickAndCheck(scene, contender, source, x, y)
                        stages = stagesOnly(scene, source, x, y)
                        if index >= warmup:
                            samples.setdefault((contender, source.name, "click"), []).append(elapsed)
                            samples.setdefault((contender, source.name, "stages"), []).append(stages)
        finally:
            gc.enable()
        return {key: Sample(values) for key, values in samples.items()}
    finally:
        scene.close()


def table(results: dict) -> list:
    def us(sample: Sample, what: str) -> str:
        return f"{getattr(sample, what) * 1000:.1f}"

    lines = [
        "| mapping of group 1 | click in | click median (µs) | click p95 (µs) "
        "| stages median (µs) | stages added (µs) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for contender in CONTENDERS:
        for sourceName in ("Red", "Red1"):
            click = results[(contender, sourceName, "click")]
            stages = results[(contender, sourceName, "stages")]
            base = results[(CONTENDERS[0], sourceName, "stages")]
            added = (stages.median - base.median) * 1000
            lines.append(
                f"| {contender} | {sourceName} | {us(click, 'median')} | {us(click, 'p95')} | {us(stages, 'median')} "
                f"| {'—' if contender == CONTENDERS[0] else f'{added:+.1f}'} |"
            )
    return lines


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few clicks: checks the benchmark still works")
    parser.add_argument("--output", default=OUT_MD, help="markdown table path (default out/bench_registration.md)")
    parser.add_argument("--wall", action="store_true", help="time with the wall clock, not the thread's CPU time")
    args = parser.parse_args(argv)
    harness.useClock("wall" if args.wall else "cpu")
    started = time.perf_counter()
    try:
        results = measure(args.quick)
    except BenchmarkBrokenError as error:
        say(f"BENCHMARK BROKEN: {error}")
        return 1
    clock = "wall clock" if args.wall else "thread CPU time"
    count = results[(CONTENDERS[0], "Red", "click")].count
    lines = [
        "# Registration-aware sync: the cost of a view group's mapping",
        "",
        f"{'Quick smoke run' if args.quick else 'Full run'}: {count} clicks per row, {clock}, six 256x256 views in two "
        f"groups over two {VOLUME_SIZE}^3 volumes, no rendering; {time.perf_counter() - started:.0f} s.",
        "Each click moves all five targets. 'stages' is _toWorld once plus _fromWorld for the five targets;",
        "'added' is over the unmapped baseline.",
        "",
        *table(results),
    ]
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as out:
        out.write(text)
    say(text)
    say(f"table written to {os.path.relpath(args.output, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
