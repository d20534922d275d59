"""The web viewer's tests import its modules (web/) and the engine (SliceSync/)."""

from __future__ import annotations

import os
import sys

WEB = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (WEB, os.path.join(os.path.dirname(WEB), "SliceSync")):
    if path not in sys.path:
        sys.path.insert(0, path)
