"""SliceSync's Qt-free engine: click in a slice view, the other slice views follow."""

from .Engine import CLAMP_MODES, JUMP_MODES, MAX_COORDINATE_MM, SliceSyncEngine
from .MarkupsFollower import FOLLOW_MODES
from .Readout import LayerReadout, Readout
from .Status import SyncResult

__all__ = [
    "CLAMP_MODES",
    "FOLLOW_MODES",
    "JUMP_MODES",
    "MAX_COORDINATE_MM",
    "LayerReadout",
    "Readout",
    "SliceSyncEngine",
    "SyncResult",
]
