"""The headless demo: real views, a click, a labelled before/after picture; bad input gives one line and exit 2."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
from PIL import Image
from SliceSyncDemo import GAP, LABEL_HEIGHT, VIEW_SIZE, run

DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "SliceSyncDemo.py")


def runDemo(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, DEMO, *arguments], capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
    )


def test_demo_writes_a_labelled_picture_where_the_click_changed_only_the_other_views(tmp_path):
    path = run(None, str(tmp_path / "demo.png"), None)

    pixels = np.asarray(Image.open(path).convert("RGB")).astype(int)
    assert pixels.shape == (3 * LABEL_HEIGHT + 2 * VIEW_SIZE + 2 * GAP, 3 * VIEW_SIZE, 3)
    top = LABEL_HEIGHT
    before = pixels[top : top + VIEW_SIZE]
    top += VIEW_SIZE + GAP + LABEL_HEIGHT
    after = pixels[top : top + VIEW_SIZE]
    tiles = [slice(k * VIEW_SIZE, (k + 1) * VIEW_SIZE) for k in range(3)]
    changed = [np.abs(after[:, tile] - before[:, tile]).sum(axis=2) > 30 for tile in tiles]
    # Red (the clicked view) differs only by the drawn cross (205 pixels with its black outline); Yellow and
    # Green now cut through the lesion.
    assert changed[0].sum() <= 205
    assert changed[1].sum() > 1000
    assert changed[2].sum() > 1000
    # The label bands and the status band carry text (light pixels on the dark band).
    for band in (pixels[:LABEL_HEIGHT], pixels[-LABEL_HEIGHT:]):
        assert (band.sum(axis=2) > 400).sum() > 50


def test_demo_reports_a_missing_file_in_one_line_with_exit_status_2(tmp_path):
    result = runDemo("--volume", str(tmp_path / "missing.nii.gz"), "--output", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path / 'missing.nii.gz'}: no such file"]
    assert not (tmp_path / "x.png").exists()


def test_demo_reports_a_file_that_is_not_a_volume_in_one_line_with_exit_status_2(tmp_path):
    notVolume = tmp_path / "notes.nii.gz"
    notVolume.write_text("this is not a volume\n")
    result = runDemo("--volume", str(notVolume), "--output", str(tmp_path / "x.png"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {notVolume}: ") and "could not read" in lines[0]
    assert "Traceback" not in result.stderr


def test_demo_refuses_a_click_outside_the_view_in_one_line_with_exit_status_2(tmp_path):
    for pixel in (("320", "10"), ("10", "-1")):
        result = runDemo("--click", *pixel, "--output", str(tmp_path / "x.png"))
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "outside the Red view" in lines[0] and "bottom left" in lines[0]


def test_a_click_whose_targets_already_pass_through_the_point_says_so(bench, anatomical, engine):
    red = bench.views["Red"]
    width, height = red.size()
    red.click(width // 2 + 5, height // 2 - 4)
    assert engine.statusText().startswith("Synced 2 of 2 views to R ")
    red.click(width // 2 + 5, height // 2 - 4)
    r, a, s = engine.lastResult.point
    assert engine.statusText() == f"Already synced: the 2 views pass through R {r:.1f}, A {a:.1f}, S {s:.1f}"


def test_demo_refuses_an_output_it_cannot_write_in_one_line_with_exit_status_2_before_rendering(tmp_path):
    aFile = tmp_path / "notes.txt"
    aFile.write_text("a file, not a folder\n")
    cases = {
        str(tmp_path): "is a folder",
        str(tmp_path / "picture.txt"): "ending in .png",
        str(aFile / "x.png"): "cannot write there",
    }
    for output, reason in cases.items():
        result = runDemo("--output", output)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: --output {output}: ") and reason in lines[0], lines
        assert "Traceback" not in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]


def test_demo_names_a_folder_given_as_volume_as_a_folder(tmp_path):
    result = runDemo("--volume", str(tmp_path), "--output", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path}: a folder, not a volume file"]


def test_demo_writes_the_path_of_the_picture_on_stdout(tmp_path):
    output = tmp_path / "demo.png"
    result = runDemo("--output", str(output))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [str(output)]
    assert output.stat().st_size > 0


def test_a_view_already_through_the_point_counts_as_synced_and_the_status_names_one_view_in_the_singular(
    bench, anatomical, engine
):
    red = bench.views["Red"]
    width, height = red.size()
    red.click(width // 2 + 5, height // 2 - 4)
    red.click(width // 2 + 5, height // 2 + 12)  # the same column: Yellow (sagittal) already passes through
    assert engine.lastResult.movedNames == ["Green"]
    r, a, s = engine.lastResult.point
    where = f"R {r:.1f}, A {a:.1f}, S {s:.1f}"
    assert engine.statusText() == f"Synced 2 of 2 views to {where} (1 already there)"
    engine.removeView(bench.views["Green"].sliceNode)
    red.click(width // 2 - 9, height // 2 + 12)
    r, a, s = engine.lastResult.point
    where = f"R {r:.1f}, A {a:.1f}, S {s:.1f}"
    assert engine.statusText() == f"Synced 1 of 1 view to {where}"
    red.click(width // 2 - 9, height // 2 + 12)
    assert engine.statusText() == f"Already synced: the view passes through {where}"
