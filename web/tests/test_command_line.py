"""The web viewer's command line: bad values give one line on stderr and exit status 2, before anything is built."""

from __future__ import annotations

import os
import subprocess
import sys

from WebHarness import WEB


def test_the_web_viewer_refuses_a_port_out_of_range_with_one_line_and_exit_status_2():
    for option in ("--port", "--link-port"):
        result = subprocess.run(
            [sys.executable, os.path.join(WEB, "SliceSyncWeb.py"), option, "99999"],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert lines == [f"error: {option} 99999: a port is a number from 1 to 65535 (0 picks a free one)"]
