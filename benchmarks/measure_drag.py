"""Drag-follow: the cost of each mouse move with the left button held, against Slicer's native click-and-drag."""

from __future__ import annotations

import gc

from harness import (
    MODE_NATIVE_DRAG,
    MODE_SHIFT,
    MODE_SLICESYNC,
    MOVE,
    PRESS,
    RELEASE,
    Config,
    Sample,
    buildScene,
    checkPlanes,
    dragPath,
    now,
    pressShift,
    say,
    send,
)
from measure_clicks import CASES

# Each contender: the mode, and whether its moves carry Shift (Slicer's Shift+move needs no button).
DRAGGERS = {"SliceSync": (MODE_SLICESYNC, False), "native": (MODE_NATIVE_DRAG, False), "shift": (MODE_SHIFT, True)}


def dragOnce(scene, name: str, path: list, steps: list) -> None:
    """One drag along ``path``: press (untimed), every move timed into ``steps``, release (untimed)."""
    mode, shift = DRAGGERS[name]
    scene.use(mode)
    scene.resetTargets()
    source = scene.source
    if shift:
        pressShift(source)
    send(source, MOVE, *path[0], shift=shift)
    if not shift:
        send(source, PRESS, *path[0])
    for x, y in path[1:]:
        start = now()
        send(source, MOVE, x, y, shift=shift)
        steps.append(now() - start)
    if not shift:
        send(source, RELEASE, *path[-1])
    checkPlanes(scene, *path[-1], mode)


def measureDrag(config: Config, report: dict) -> None:
    """Per-step cost for the three goal cases, the contenders taking turns drag by drag along the same path."""
    report["drag"] = {}
    for label, shown, hidden in CASES:
        scene = buildScene(shown, 256, hiddenViews=hidden)
        try:
            steps: dict = {name: [] for name in DRAGGERS}
            gc.collect()
            gc.disable()
            try:
                for drag in range(config.drags + 1):
                    path = dragPath(scene.source, config.dragSteps, seed=drag)
                    names = list(DRAGGERS) if drag % 2 == 0 else list(DRAGGERS)[::-1]
                    for name in names:
                        dragOnce(scene, name, path, steps[name] if drag else [])
            finally:
                gc.enable()
            samples = {name: Sample(values) for name, values in steps.items()}
            report["drag"][label] = samples
            say(
                f"  {label}: drag step SliceSync {samples['SliceSync'].median:.3f} ms, native click-and-drag "
                f"{samples['native'].median:.3f} ms, Shift move {samples['shift'].median:.3f} ms"
            )
        finally:
            scene.close()
