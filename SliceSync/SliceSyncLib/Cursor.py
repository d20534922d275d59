"""The synced point as a cursor, with a browser-like back/forward history. Pure: no MRML, no VTK."""

from __future__ import annotations

import math
import numbers
from typing import Optional, Sequence

Vector3 = tuple[float, float, float]

# The history keeps at most this many points; the oldest are dropped first.
HISTORY_LIMIT = 100

# Two points closer than this (mm, in each coordinate) are the same history entry.
SAME_POINT_MM = 1e-6


def _point(value: object, what: str) -> Vector3:
    """Return ``value`` as three finite floats, or raise ValueError naming ``what``."""
    try:
        if isinstance(value, (str, bytes, dict)):
            raise TypeError
        point = tuple(float(c) for c in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be three numbers (R, A, S), got {value!r}") from None
    if len(point) != 3 or not all(math.isfinite(c) for c in point):
        raise ValueError(f"{what} must be three finite numbers (R, A, S), got {value!r}")
    return point  # type: ignore[return-value]


def samePoint(a: Sequence[float], b: Sequence[float]) -> bool:
    """Return True if two points are the same history entry."""
    return all(abs(a[k] - b[k]) <= SAME_POINT_MM for k in range(3))


class Cursor:
    """The last synced point and the history of final points (oldest first).

    A final move records its point; provisional moves (the steps of a drag) only move the cursor, and
    ``endGesture()`` records the last of them once. A new entry after going back drops the forward part.
    """

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self._limit = limit
        self._point: Optional[Vector3] = None
        self._pending: Optional[Vector3] = None
        self._history: list[Vector3] = []
        self._index = -1

    def point(self) -> Optional[Vector3]:
        """Return the cursor, or None before the first move."""
        return self._point

    def move(self, point: Sequence[float], final: bool = True) -> None:
        """Move the cursor; a final point enters the history, a provisional one waits for endGesture()."""
        self._point = (float(point[0]), float(point[1]), float(point[2]))
        if final:
            self._pending = None
            self._record(self._point)
        else:
            self._pending = self._point

    def show(self, point: Sequence[float]) -> None:
        """Move the cursor without touching the history (a step back or forward)."""
        self._point = (float(point[0]), float(point[1]), float(point[2]))
        self._pending = None

    def endGesture(self) -> bool:
        """Record the last provisional point of the gesture that just ended (once); True if the history changed."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            return self._record(pending)
        return False

    def _record(self, point: Vector3) -> bool:
        if self._index >= 0 and samePoint(self._history[self._index], point):
            return False
        del self._history[self._index + 1 :]
        self._history.append(point)
        if len(self._history) > self._limit:
            del self._history[: len(self._history) - self._limit]
        self._index = len(self._history) - 1
        return True

    def back(self) -> Optional[Vector3]:
        """Step back in the history and return that point, or None at the oldest entry."""
        if self._index <= 0:
            return None
        self._index -= 1
        return self._history[self._index]

    def forward(self) -> Optional[Vector3]:
        """Step forward in the history and return that point, or None at the newest entry."""
        if self._index < 0 or self._index >= len(self._history) - 1:
            return None
        self._index += 1
        return self._history[self._index]

    def history(self) -> list[Vector3]:
        """Return the history's points, oldest first."""
        return list(self._history)

    def index(self) -> int:
        """Return the current position in history() (-1 while it is empty)."""
        return self._index

    def setHistory(self, points: Sequence[Sequence[float]], index: Optional[int]) -> None:
        """Replace the history (e.g. from a saved scene); the cursor goes to the entry at ``index``."""
        try:
            if isinstance(points, (str, bytes, dict)):
                raise TypeError
            items = list(points)
        except TypeError:
            raise ValueError(f"setHistory needs a list of (R, A, S) points, got {type(points).__name__}") from None
        checked = [_point(p, f"history point {k}") for k, p in enumerate(items)]
        if len(checked) > self._limit:
            raise ValueError(f"the history holds at most {self._limit} points, got {len(checked)}")
        if not checked:
            if index not in (None, -1):
                raise ValueError(f"an empty history needs index -1 or None, got {index!r}")
            self._history, self._index, self._pending = [], -1, None
            return
        if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not 0 <= index < len(checked):
            raise ValueError(f"history index must be an integer from 0 to {len(checked) - 1}, got {index!r}")
        self._history, self._index, self._pending = checked, int(index), None
        self._point = checked[self._index]

    def clear(self) -> None:
        """Forget the cursor and the history."""
        self._point = self._pending = None
        self._history, self._index = [], -1
