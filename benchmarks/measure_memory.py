"""Resident memory and observer counts across many clicks, drags and hidden views being shown and hidden again."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import time

from harness import (
    MODE_SLICESYNC,
    MOVE,
    PRESS,
    RELEASE,
    BenchmarkBrokenError,
    Config,
    Scene,
    buildScene,
    observerCount,
    samplePixels,
    say,
    send,
)


def residentKilobytes() -> int:
    """Resident memory after a full collection, with freed heap pages handed back to the system where glibc can."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
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
    for view in scene.allViews:
        objects[f"{view.name}.interactor"] = view.interactor
        objects[f"{view.name}.sliceNode"] = view.sliceNode
        objects[f"{view.name}.compositeNode"] = view.compositeNode
        objects[f"{view.name}.sliceLogic"] = view.sliceLogic
    return {name: observerCount(obj) for name, obj in objects.items()}


def measureMemory(config: Config, report: dict) -> None:
    """Clicks and drags by the thousand, a hidden view shown and hidden again every 100: nothing may accumulate."""
    scene = buildScene(3, 64, hiddenViews=2)
    try:
        scene.use(MODE_SLICESYNC)
        source = scene.source
        shownAgain = scene.hidden[0].sliceNode
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
                if index % 100 == 99:
                    shownAgain.SetMappedInLayout(1)  # takes the point it missed, once
                    shownAgain.SetMappedInLayout(0)

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
            key: (observersBefore[key], observersAfter[key])
            for key in observersBefore
            if observersBefore[key] != observersAfter[key]
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
