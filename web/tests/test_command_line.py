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


def runViewer(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, os.path.join(WEB, "SliceSyncWeb.py"), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_the_web_viewer_names_the_whole_path_of_a_missing_volume_and_a_folder_as_a_folder(tmp_path):
    missing = tmp_path / "data" / "missing.nii.gz"
    for volume, what in ((missing, "no such file"), (tmp_path, "a folder, not a volume file")):
        result = runViewer("--volume", str(volume), "--port", "0")
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [f"error: --volume {volume}: {what}"]


def test_an_address_the_web_viewer_cannot_bind_points_at_host_not_port():
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
    result = runViewer("--host", "192.0.2.1", "--port", "0", "--volume", os.path.join(WEB, "SliceSyncWeb.py"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot listen on 192.0.2.1:0") and "--host" in lines[0]
