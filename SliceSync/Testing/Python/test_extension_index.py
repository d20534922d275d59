"""The Slicer Extensions Index's offline rules, checked on this repository before a submission.

What the index's checker and its reviewers require that can be checked without the network: the catalog entry
(SliceSync.json) against schema v1.0.x, LF line endings, a known category, an https or git scm_url whose
repository name starts with "Slicer" (the extension's own name must not), ``project()`` equal to the entry's
file name, icon and screenshot URLs naming files of this repository, a LICENSE at the root and a repository
under 100 MB. The GitHub topic ``3d-slicer-extension`` is set on GitHub itself (see README).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCHEMA_PREFIX = (
    "https://raw.githubusercontent.com/Slicer/Slicer/main/Schemas/slicer-extension-catalog-entry-schema-v1.0."
)
SCHEMA_PROPERTIES = {
    "$schema",
    "category",
    "scm_url",
    "scm_revision",
    "scm_type",
    "build_dependencies",
    "build_subdirectory",
    "enabled",
    "tier",
}
SCHEMA_REQUIRED = ("$schema", "category", "scm_url", "scm_revision", "tier")
# Top-level categories the Extensions Index lists extensions under.
KNOWN_CATEGORIES = {
    "Active Learning",
    "Cardiac",
    "Chest Imaging",
    "Converters",
    "DICOM",
    "Developer Tools",
    "Diffusion",
    "Examples",
    "Filtering",
    "IGT",
    "Informatics",
    "Legacy",
    "Microscopy",
    "Neuroimaging",
    "Nuclear Medicine",
    "Quantification",
    "Radiotherapy",
    "Registration",
    "Rendering",
    "Segmentation",
    "Sequences",
    "Shape Analysis",
    "Spectral Imaging",
    "Surface Models",
    "Tractography",
    "Utilities",
    "Web System Tools",
    "Wizards",
}
MAX_REPOSITORY_BYTES = 100 * 1024 * 1024
TEXT_SUFFIXES = {".json", ".txt", ".py", ".md", ".ui", ".toml", ".cfg", ".cmake"}


def _cmakeSetting(cmake: str, name: str) -> str:
    match = re.search(rf'set\({name}\s+"([^"]*)"\)', cmake)
    return match.group(1) if match else ""


def _repositoryName(url: str) -> str:
    return re.sub(r"\.git$", "", url.rstrip("/").split("/")[-1].split(":")[-1])


def _repositoryFiles(root: Path) -> list[Path]:
    """The files git tracks (or every file outside .git when this is not a git checkout)."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=True, timeout=60
        ).stdout.decode()
        files = [root / name for name in listed.split("\0") if name]
        if files:
            return [path for path in files if path.is_file()]
    except (OSError, subprocess.SubprocessError):
        pass
    return [path for path in root.rglob("*") if path.is_file() and ".git" not in path.parts]


def indexProblems(root: Path) -> list[str]:
    """Every offline rule of the Extensions Index this repository breaks (none when ready)."""
    problems = []
    entries = sorted(root.glob("*.json"))
    entries = [path for path in entries if "$schema" in path.read_text(encoding="utf-8")]
    if len(entries) != 1:
        return [f"expected one catalog entry (*.json with $schema) at the root, found {len(entries)}"]
    entryPath = entries[0]
    raw = entryPath.read_bytes()
    if b"\r" in raw:
        problems.append(f"{entryPath.name} has CR line endings (LF only)")
    entry = json.loads(raw.decode("utf-8"))
    name = entryPath.stem
    problems += [f"{entryPath.name} lacks {key}" for key in SCHEMA_REQUIRED if key not in entry]
    problems += [f"{entryPath.name}: {key} is not in schema v1.0.x" for key in sorted(set(entry) - SCHEMA_PROPERTIES)]
    if not str(entry.get("$schema", "")).startswith(SCHEMA_PREFIX):
        problems.append(f"{entryPath.name} does not name schema v1.0.x")
    if entry.get("category") not in KNOWN_CATEGORIES:
        problems.append(f"category {entry.get('category')!r} is not a known category")
    scmUrl = str(entry.get("scm_url", ""))
    if not scmUrl.startswith(("https://", "git@", "git://")):
        problems.append(f"scm_url {scmUrl!r} is neither https nor git")
    repository = _repositoryName(scmUrl)
    if not repository.startswith("Slicer"):
        problems.append(f"repository name {repository!r} must start with 'Slicer' (e.g. 'Slicer{name}')")
    if name.startswith("Slicer"):
        problems.append(f"the extension name {name!r} must not start with 'Slicer'")

    cmakePath = root / "CMakeLists.txt"
    cmake = cmakePath.read_text(encoding="utf-8") if cmakePath.is_file() else ""
    project = re.search(r"^\s*project\(\s*([A-Za-z0-9_]+)", cmake, re.MULTILINE)
    if project is None or project.group(1) != name:
        problems.append(f"project() in CMakeLists.txt must be {name!r} (the catalog entry's file name)")
    rawPrefix = f"https://raw.githubusercontent.com/{'/'.join(scmUrl.rstrip('/').split('/')[-2:])}"
    rawPrefix = re.sub(r"\.git$", "", rawPrefix) + f"/{entry.get('scm_revision', 'main')}/"
    homepage = _cmakeSetting(cmake, "EXTENSION_HOMEPAGE")
    if repository and f"/{repository}" not in homepage:
        problems.append(f"EXTENSION_HOMEPAGE {homepage!r} is not the repository {repository!r}")
    for key in ("EXTENSION_ICONURL", "EXTENSION_SCREENSHOTURLS"):
        urls = _cmakeSetting(cmake, key).split()
        if not urls:
            problems.append(f"{key} is not set")
        for url in urls:
            if not url.startswith(rawPrefix):
                problems.append(f"{key} {url} is not a file of {rawPrefix}")
            elif not (root / url[len(rawPrefix) :]).is_file():
                problems.append(f"{key} {url} names a file that is not in the repository")
    if not (root / "LICENSE").is_file() and not (root / "LICENSE.txt").is_file():
        problems.append("no LICENSE at the repository root")
    files = _repositoryFiles(root)
    size = sum(path.stat().st_size for path in files)
    if size >= MAX_REPOSITORY_BYTES:
        problems.append(f"the repository holds {size / 1e6:.1f} MB (the index accepts under 100 MB)")
    crlf = [
        str(path.relative_to(root))
        for path in files
        if (path.suffix in TEXT_SUFFIXES or path.name == "CMakeLists.txt") and b"\r\n" in path.read_bytes()
    ]
    problems += [f"{name} has CRLF line endings" for name in sorted(set(crlf))]
    return problems


def test_repository_passes_the_extensions_index_offline_rules():
    assert indexProblems(ROOT) == []


@pytest.fixture
def copy(tmp_path):
    """The catalog entry, CMakeLists.txt, LICENSE and the icon and screenshot files, copied."""
    for name in ("SliceSync.json", "CMakeLists.txt", "LICENSE"):
        shutil.copy(ROOT / name, tmp_path / name)
    for relative in ("SliceSync/Resources/Icons/SliceSync.png", "Screenshots/slicesync-click.png"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, tmp_path / relative)
    return tmp_path


def test_the_copy_passes(copy):
    assert indexProblems(copy) == []


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8", newline="")


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("SliceSync.json", "slicesync/SlicerSliceSync.git", "slicesync/SliceSync.git", "must start with 'Slicer'"),
        ("SliceSync.json", "https://github.com", "http://github.com", "neither https nor git"),
        ("SliceSync.json", '"Utilities"', '"Gadgets"', "not a known category"),
        ("SliceSync.json", "schema-v1.0.1", "schema-v2.0.0", "schema v1.0.x"),
        ("SliceSync.json", '"tier": 1', '"tier": 1,\n  "colour": "red"', "colour"),
        ("SliceSync.json", "\n", "\r\n", "CR line endings"),
        ("CMakeLists.txt", "project(SliceSync)", "project(SlicerSliceSync)", "project()"),
        ("CMakeLists.txt", "Screenshots/slicesync-click.png", "Screenshots/missing.png", "not in the repository"),
        ("CMakeLists.txt", "githubusercontent.com/slicesync/SlicerSliceSync/", "githubusercontent.com/x/y/", "icon"),
    ],
)
def test_each_rule_can_fail(copy, file, old, new, expected):
    _edit(copy / file, old, new)
    problems = indexProblems(copy)
    assert any(expected.lower() in problem.lower() for problem in problems), problems


def test_a_missing_license_and_a_huge_repository_are_caught(copy):
    (copy / "LICENSE").unlink()
    with open(copy / "data.bin", "wb") as f:
        f.truncate(MAX_REPOSITORY_BYTES)
    problems = indexProblems(copy)
    assert any("LICENSE" in problem for problem in problems)
    assert any("100 MB" in problem for problem in problems)


def test_an_extension_named_slicer_something_is_caught(copy):
    os.rename(copy / "SliceSync.json", copy / "SlicerSync.json")
    assert any("must not start with 'Slicer'" in problem for problem in indexProblems(copy))
