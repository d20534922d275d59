"""What a sync did, in a form a panel can show and a test can check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

# Why a target view was not clamped, keyed by reason; the panel shows these words.
REASON_NO_VOLUME = "no volume shown"
REASON_NO_IMAGE = "volume has no image data"
REASON_NONLINEAR = "volume under a non-linear transform"
REASON_BAD_GEOMETRY = "volume has an invalid IJK-to-RAS matrix"
# Why a target view was not moved at all.
REASON_DEGENERATE = "its slice orientation matrix is invalid"
REASON_NO_INVERSE = "its view group's transform cannot be inverted at this point"


def _views(count: int) -> str:
    return "1 view" if count == 1 else f"{count} views"


@dataclass
class SyncResult:
    """The outcome of one sync: the point, and what happened to each target view."""

    point: tuple[float, float, float]
    sourceName: Optional[str] = None
    targetNames: list[str] = field(default_factory=list)
    movedNames: list[str] = field(default_factory=list)
    clampedNames: list[str] = field(default_factory=list)
    notClamped: dict[str, str] = field(default_factory=dict)
    outsideNames: list[str] = field(default_factory=list)
    notMoved: dict[str, str] = field(default_factory=dict)
    deferredNames: list[str] = field(default_factory=list)
    skippedReason: Optional[str] = None
    # The source view's group and the world point it mapped to, when that group is mapped through a transform.
    sourceViewGroup: Optional[int] = None
    world: Optional[tuple[float, float, float]] = None
    # Other facts about this sync, one phrase each (snapping to a voxel, or why not).
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return one human-readable line describing this sync."""
        if self.skippedReason:
            return f"Not synced: {self.skippedReason}" + (" (" + "; ".join(self.notes) + ")" if self.notes else "")
        r, a, s = self.point
        where = f"R {r:.1f}, A {a:.1f}, S {s:.1f}"
        count = len(self.targetNames)
        changed = self.movedNames or self.clampedNames or self.outsideNames or self.notMoved or self.deferredNames
        if self.targetNames and not changed:
            passes = "the view passes" if count == 1 else f"the {count} views pass"
            return f"Already synced: {passes} through {where}"
        left = set(self.movedNames) | set(self.clampedNames) | set(self.outsideNames) | set(self.deferredNames)
        already = [name for name in self.targetNames if name not in left and name not in self.notMoved]
        synced = len(self.movedNames) + len(already)
        text = f"Synced {synced} of {_views(count)} to {where}"
        notes = []
        if already:
            notes.append(f"{len(already)} already there")
        if self.world is not None and self.world != self.point:
            notes.append(
                "through the transform of view group {}: world R {:.1f}, A {:.1f}, S {:.1f}".format(
                    self.sourceViewGroup, *self.world
                )
            )
        if self.clampedNames:
            notes.append("clamped to the volume in " + ", ".join(self.clampedNames))
        if self.outsideNames:
            notes.append("outside the volume, not moved: " + ", ".join(self.outsideNames))
        for name, reason in self.notClamped.items():
            notes.append(f"{reason} in {name}: not clamped")
        for name, reason in self.notMoved.items():
            notes.append(f"{name} not moved: {reason}")
        if self.deferredNames:
            notes.append("hidden, will follow when shown: " + ", ".join(self.deferredNames))
        notes.extend(self.notes)
        if notes:
            text += " (" + "; ".join(notes) + ")"
        return text
