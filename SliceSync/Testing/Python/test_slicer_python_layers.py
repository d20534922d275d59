"""Where the harness finds Slicer's Python layers: the shared folder, SLICER_SOURCE_DIR, and a clear skip reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import SlicerPythonHarness


def _fakeLayer(folder: Path) -> Path:
    (folder / "slicer" / "parameterNodeWrapper").mkdir(parents=True)
    (folder / "slicer" / "parameterNodeWrapper" / "__init__.py").write_text("")
    (folder / "slicer" / "ScriptedLoadableModule.py").write_text("")
    return folder


def test_slicer_source_dir_may_name_a_source_tree_or_its_base_python(tmp_path, monkeypatch):
    layer = _fakeLayer(tmp_path / "Slicer" / "Base" / "Python")
    monkeypatch.setenv("SLICER_SOURCE_DIR", str(tmp_path / "Slicer"))
    assert SlicerPythonHarness.layers()["source"] == layer
    monkeypatch.setenv("SLICER_SOURCE_DIR", str(layer))
    assert SlicerPythonHarness.layers()["source"] == layer
    monkeypatch.setenv("SLICER_SOURCE_DIR", str(tmp_path / "nothing"))
    assert "source" not in SlicerPythonHarness.layers()


def test_the_shared_folder_beside_the_repository_comes_first_and_absent_releases_say_where_they_were_sought(
    tmp_path, monkeypatch
):
    beside = tmp_path / "shared" / "slicer-python"
    _fakeLayer(beside / "5.10")
    monkeypatch.delenv("SLICER_SOURCE_DIR", raising=False)
    monkeypatch.setattr(SlicerPythonHarness, "SHARED_CANDIDATES", (beside, tmp_path / "fallback"))
    found = SlicerPythonHarness.layers()
    assert found == {"5.8": None, "5.10": beside / "5.10", "5.12": None}
    reason = SlicerPythonHarness.absenceReason("5.8")
    assert str(beside / "5.8") in reason and str(tmp_path / "fallback" / "5.8") in reason
    assert "SLICER_SOURCE_DIR" in reason


def test_the_team_fallback_is_used_when_nothing_is_beside_the_repository(tmp_path, monkeypatch):
    fallback = tmp_path / "fallback"
    _fakeLayer(fallback / "5.12")
    monkeypatch.delenv("SLICER_SOURCE_DIR", raising=False)
    monkeypatch.setattr(SlicerPythonHarness, "SHARED_CANDIDATES", (tmp_path / "missing", fallback))
    assert SlicerPythonHarness.layers()["5.12"] == fallback / "5.12"


def test_a_second_layer_in_one_process_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(SlicerPythonHarness, "_loaded", tmp_path / "first")
    with pytest.raises(RuntimeError, match="its own process"):
        SlicerPythonHarness.loadLayer(tmp_path / "second")
