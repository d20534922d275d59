""".ci/run works in the clone but resolves the caller's relative file names against the caller's directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from WebHarness import ROOT

RUN = os.path.join(ROOT, ".ci", "run")


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("dpkg") is None, reason="needs bash and dpkg")
def test_relative_volume_output_and_state_file_paths_are_the_callers_not_the_clones(tmp_path):
    # A stand-in web environment whose python prints its directory and arguments, stamped as up to date so .ci/run
    # installs nothing.
    venvs = tmp_path / "venvs"
    python = venvs / "web" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text('#!/bin/sh\nprintf "%s\\n" "$PWD" "$@"\n')
    python.chmod(0o755)
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as pyproject:
        cksum = subprocess.run(["cksum"], stdin=pyproject, capture_output=True, text=True, check=True).stdout.strip()
    version = subprocess.run([sys.executable, "--version"], capture_output=True, text=True).stdout.strip()
    (venvs / "web" / ".slicesync-stamp").write_text(f"web {cksum} {version}\n")
    caller = tmp_path / "caller"
    caller.mkdir()
    environment = dict(os.environ, SLICESYNC_VENVS=str(venvs), PYTHON=sys.executable)
    arguments = ["--volume", "data/my.nii.gz", "--port", "9000", "--state-file=s.json", "--host", "127.0.0.1"]
    run = subprocess.run(
        ["bash", RUN, "web", *arguments], cwd=caller, env=environment, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == ROOT  # the server still runs in the clone
    assert lines[1:] == [
        "web/SliceSyncWeb.py",
        "--volume",
        f"{caller}/data/my.nii.gz",
        "--port",
        "9000",
        f"--state-file={caller}/s.json",
        "--host",
        "127.0.0.1",
    ]
