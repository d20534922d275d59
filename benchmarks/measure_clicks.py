"""Click latency at the MRML level (no rendering): SliceSync against Slicer's native C++ click, case by case."""

from __future__ import annotations

import gc

from harness import (
    MODE_NATIVE_CLICK,
    MODE_NONE,
    MODE_SHIFT,
    MODE_SLICESYNC,
    Config,
    Contender,
    Sample,
    buildScene,
    checkPlanes,
    click,
    engineOnly,
    interleave,
    mrmlFloor,
    samplePixels,
    say,
    shiftMove,
)

# (label, shown views, hidden views): the three cases the goals are set on.
CASES = (("3 views", 3, 0), ("12 views", 12, 0), ("3 shown + 6 hidden", 3, 6))


def contenders(detailed: bool) -> dict:
    """SliceSync's click against the native C++ click; with the breakdown and Shift move when ``detailed``."""
    chosen = {
        "SliceSync": Contender(MODE_SLICESYNC, click, MODE_SLICESYNC),
        "native": Contender(MODE_NATIVE_CLICK, click, MODE_NATIVE_CLICK),
    }
    if detailed:
        chosen["shift"] = Contender(MODE_SHIFT, shiftMove, MODE_SHIFT)
        chosen["engine"] = Contender(MODE_NONE, engineOnly, MODE_SLICESYNC)
        chosen["floor"] = Contender(MODE_NONE, mrmlFloor, MODE_NATIVE_CLICK)
        chosen["dispatch"] = Contender(MODE_NONE, click)
    return chosen


def measureCases(config: Config, report: dict) -> None:
    """Click latency for the three goal cases, with the breakdown rows."""
    report["clicks"] = {}
    for label, shown, hidden in CASES:
        scene = buildScene(shown, 256, hiddenViews=hidden)
        try:
            # Views beyond three make every click dearer: fewer clicks keep the run short, medians stay steady.
            clicks = config.clicks if shown + hidden <= 3 else max(config.clicks // 3, 1)
            pixels = samplePixels(scene.source, clicks + config.warmup, seed=shown + 100 * hidden)
            samples = interleave(scene, contenders(True), pixels, config.warmup)
            planner = scene.engine._planner  # how often a view plan was reused or rebuilt (see ViewPlan.py)
            report["clicks"][label] = {"samples": samples, "plans": (planner.hits, planner.misses)}
            say(
                f"  {label}: SliceSync {samples['SliceSync'].median:.3f} ms, native click "
                f"{samples['native'].median:.3f} ms, Shift move {samples['shift'].median:.3f} ms "
                f"(medians of {samples['SliceSync'].count})"
            )
        finally:
            scene.close()


def measureViewCounts(config: Config, report: dict) -> None:
    """Click cost against the number of shown views (all mapped)."""
    report["viewCounts"] = {}
    for nViews in config.viewCounts:
        scene = buildScene(nViews, 256)
        try:
            pixels = samplePixels(scene.source, config.scalingClicks + config.warmup, seed=nViews)
            samples = interleave(scene, contenders(False), pixels, config.warmup)
            report["viewCounts"][nViews] = samples
            say(
                f"  {nViews:2d} views: SliceSync {samples['SliceSync'].median:.3f} ms, "
                f"native click {samples['native'].median:.3f} ms"
            )
        finally:
            scene.close()


def measureVolumeSize(config: Config, report: dict) -> None:
    """The same click against a 64^3 and a large volume, the two scenes interleaved click by click."""
    small = buildScene(3, 64)
    large = buildScene(3, config.largeVolume)
    try:
        pixels = samplePixels(small.source, config.scalingClicks + config.warmup, seed=5)
        samples: dict = {"small": [], "large": [], "smallNative": [], "largeNative": []}
        gc.collect()
        gc.disable()
        try:
            for index, (x, y) in enumerate(pixels):
                scenes = (("small", small), ("large", large))
                for key, scene in scenes if index % 2 == 0 else scenes[::-1]:
                    for suffix, mode in (("", MODE_SLICESYNC), ("Native", MODE_NATIVE_CLICK)):
                        scene.use(mode)
                        scene.resetTargets()
                        elapsed = click(scene, x, y)
                        if index >= config.warmup:
                            samples[key + suffix].append(elapsed)
                        checkPlanes(scene, x, y, mode)
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
