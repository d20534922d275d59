"""Static checks of the Slicer module and its packaging, which CI cannot run inside Slicer.

SliceSync.py imports qt and Slicer's application, so it is read with ``ast`` here, never imported.
Each check is a function returning the problems it finds; every one is also run on a broken sample
to show it can fail.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from typing import Optional

import pytest
from test_extension_index import SCHEMA_PROPERTIES, SCHEMA_REQUIRED

from SliceSyncLib import CLAMP_MODES, JUMP_MODES

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODULE_DIR = os.path.join(ROOT, "SliceSync")
MODULE_FILE = os.path.join(MODULE_DIR, "SliceSync.py")
UI_FILE = os.path.join(MODULE_DIR, "Resources", "UI", "SliceSync.ui")
ICON_FILE = os.path.join(MODULE_DIR, "Resources", "Icons", "SliceSync.png")
MODULE_CMAKE = os.path.join(MODULE_DIR, "CMakeLists.txt")
ROOT_CMAKE = os.path.join(ROOT, "CMakeLists.txt")
INDEX_ENTRY = os.path.join(ROOT, "SliceSync.json")
LIB_DIR = os.path.join(MODULE_DIR, "SliceSyncLib")
REPOSITORY_RAW_URL = "https://raw.githubusercontent.com/slicesync/SlicerSliceSync/main/"


def read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def modulePythonFiles() -> list[str]:
    libFiles = sorted(os.path.join(LIB_DIR, name) for name in os.listdir(LIB_DIR) if name.endswith(".py"))
    return [MODULE_FILE, *libFiles]


# -- the .ui file -------------------------------------------------------------------------------------------


def uiWidgets(uiText: str) -> dict[str, dict[str, str]]:
    """Return {widget name: {"class": ..., "SlicerParameterName": ..., "toolTip": ...}} from a .ui text."""
    root = ElementTree.fromstring(uiText)
    widgets = {}
    for widget in root.iter("widget"):
        info = {"class": widget.get("class", "")}
        for prop in widget.findall("property"):
            value = prop.find("string")
            if value is not None and prop.get("name") in ("SlicerParameterName", "toolTip"):
                info[prop.get("name")] = value.text or ""
        widgets[widget.get("name")] = info
    return widgets


def parameterNodeFields(moduleSource: str) -> dict[str, str]:
    """Return {field: annotation source} of the class decorated with @parameterNodeWrapper."""
    for node in ast.walk(ast.parse(moduleSource)):
        if isinstance(node, ast.ClassDef) and any(
            ast.unparse(decorator) == "parameterNodeWrapper" for decorator in node.decorator_list
        ):
            return {
                item.target.id: ast.unparse(item.annotation)
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            }
    return {}


def parameterNameProblems(uiText: str, moduleSource: str) -> list[str]:
    fields = parameterNodeFields(moduleSource)
    if not fields:
        return ["no @parameterNodeWrapper class in the module"]
    bound = {
        info["SlicerParameterName"]: name for name, info in uiWidgets(uiText).items() if "SlicerParameterName" in info
    }
    problems = [
        f"widget {widget} is bound to unknown parameter {param!r}"
        for param, widget in bound.items()
        if param not in fields
    ]
    problems += [f"parameter {field!r} has no widget in the panel" for field in fields if field not in bound]
    return problems


def uiAttributeProblems(uiText: str, moduleSource: str) -> list[str]:
    names = set(uiWidgets(uiText))
    used = set()
    for node in ast.walk(ast.parse(moduleSource)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "ui"
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "self"
        ):
            used.add(node.attr)
    return [f"self.ui.{name} is used but the .ui file has no widget {name!r}" for name in sorted(used - names)]


def test_ui_parses_and_is_a_mrml_widget():
    root = ElementTree.fromstring(read(UI_FILE))
    top = root.find("widget")
    assert top is not None and top.get("class") == "qMRMLWidget" and top.get("name") == "SliceSync"


def test_ui_parameter_names_are_parameter_node_fields():
    assert parameterNameProblems(read(UI_FILE), read(MODULE_FILE)) == []


def test_self_ui_names_exist_in_the_ui_file():
    assert uiAttributeProblems(read(UI_FILE), read(MODULE_FILE)) == []


def test_ui_checks_can_fail():
    ui = read(UI_FILE).replace("<string>dragFollow</string>", "<string>dragFolow</string>")
    problems = parameterNameProblems(ui, read(MODULE_FILE))
    assert any("dragFolow" in p for p in problems) and any("'dragFollow' has no widget" in p for p in problems)
    source = read(MODULE_FILE) + "\n\ndef extra(self):\n    self.ui.noSuchWidget.enabled = False\n"
    assert uiAttributeProblems(read(UI_FILE), source) == [
        "self.ui.noSuchWidget is used but the .ui file has no widget 'noSuchWidget'"
    ]
    assert parameterNameProblems(read(UI_FILE), "x = 1\n") == ["no @parameterNodeWrapper class in the module"]


def test_parameter_widgets_have_types_the_wrapper_can_connect():
    """Slicer 5.8's parameterNodeWrapper connects bool to QCheckBox, enums to QComboBox, int to QSpinBox."""
    widgets = uiWidgets(read(UI_FILE))
    fields = parameterNodeFields(read(MODULE_FILE))
    expected = {
        "bool": "QCheckBox",
        "JumpMode": "QComboBox",
        "ClampMode": "QComboBox",
        "FollowMarkups": "QComboBox",
        "LinkRole": "QComboBox",
        "str": "QLineEdit",
    }
    for name, info in widgets.items():
        param = info.get("SlicerParameterName")
        if param is None:
            continue
        annotation = fields[param]
        wanted = "QSpinBox" if annotation.startswith("Annotated[int") else expected[annotation]
        assert info["class"] == wanted, f"{name} ({info['class']}) cannot show {param}: {annotation}"


def enumMembers(moduleSource: str, className: str) -> list[str]:
    for node in ast.walk(ast.parse(moduleSource)):
        if isinstance(node, ast.ClassDef) and node.name == className:
            return [
                item.targets[0].id
                for item in node.body
                if isinstance(item, ast.Assign) and isinstance(item.targets[0], ast.Name)
            ]
    return []


def test_enum_names_are_the_engine_modes():
    """Modes are stored in the scene by enum name and handed to the engine by name: they must match."""
    source = read(MODULE_FILE)
    assert tuple(enumMembers(source, "JumpMode")) == JUMP_MODES
    assert tuple(enumMembers(source, "ClampMode")) == CLAMP_MODES


def test_shortcut_in_tooltip_matches_the_code():
    match = re.search(r'^TOGGLE_SHORTCUT = "([^"]+)"', read(MODULE_FILE), re.MULTILINE)
    assert match, "TOGGLE_SHORTCUT constant not found"
    assert match.group(1) in uiWidgets(read(UI_FILE))["enabledCheckBox"]["toolTip"]


def moduleTextProblems(moduleSource: str) -> list[str]:
    """Slicer's generic tests need non-empty contributors and acknowledgement; users need help text."""
    found = {}
    for node in ast.walk(ast.parse(moduleSource)):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute):
            target = ast.unparse(node.targets[0])
            if target.startswith("self.parent."):
                found[target.split(".")[-1]] = node.value
    problems = []
    for name in ("title", "categories", "contributors", "helpText", "acknowledgementText"):
        value = found.get(name)
        if value is None:
            problems.append(f"{name} is not set")
            continue
        strings = [n.value for n in ast.walk(value) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        if not any(s.strip() for s in strings):
            problems.append(f"{name} is empty")
    help = found.get("helpText")
    if help is not None and "README_URL" not in ast.unparse(help) and "github.com" not in ast.unparse(help):
        problems.append("helpText does not link to the README")
    return problems


def test_module_texts():
    assert moduleTextProblems(read(MODULE_FILE)) == []
    assert 'self.parent.categories = [translate("qSlicerAbstractCoreModule", "Utilities")]' in read(MODULE_FILE)


def test_module_text_check_can_fail():
    source = read(MODULE_FILE).replace(
        'self.parent.contributors = ["SliceSync contributors"]', "self.parent.contributors = ['  ']"
    )
    assert moduleTextProblems(source) == ["contributors is empty"]


# -- Python 3.9 (Slicer 5.8) compatibility -----------------------------------------------------------------


def python39Problems(source: str, path: str) -> list[str]:
    """Find what Slicer 5.8's Python 3.9 cannot run: newer syntax, and ``X | Y`` evaluated at run time."""
    try:
        tree = ast.parse(source, path, feature_version=(3, 9))
        compile(source, path, "exec")
    except SyntaxError as error:
        return [f"{path}:{error.lineno}: {error.msg}"]
    problems = []
    futureAnnotations = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
        for node in tree.body
    )
    annotations = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            annotations += [a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs if a.annotation]
            annotations += [a.annotation for a in (args.vararg, args.kwarg) if a is not None and a.annotation]
            if node.returns is not None:
                annotations.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        elif isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in ("isinstance", "issubclass") and len(node.args) == 2 and isinstance(node.args[1], ast.BinOp):
                problems.append(f"{path}:{node.lineno}: {name}() with X | Y needs Python 3.10")
            if name == "zip" and any(k.arg == "strict" for k in node.keywords):
                problems.append(f"{path}:{node.lineno}: zip(strict=) needs Python 3.10")
            if name.endswith("dataclass") and any(k.arg in ("slots", "kw_only") for k in node.keywords):
                problems.append(f"{path}:{node.lineno}: dataclass(slots/kw_only) needs Python 3.10")
    if not futureAnnotations:
        for annotation in annotations:
            if any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr) for n in ast.walk(annotation)):
                problems.append(f"{path}:{annotation.lineno}: annotation {ast.unparse(annotation)} needs Python 3.10")
    return problems


@pytest.mark.parametrize("path", modulePythonFiles(), ids=lambda p: os.path.relpath(p, MODULE_DIR))
def test_module_files_run_on_python_39(path):
    assert python39Problems(read(path), path) == []


def test_module_file_keeps_real_annotations():
    """parameterNodeWrapper evaluates annotations: SliceSync.py must not postpone them."""
    tree = ast.parse(read(MODULE_FILE))
    assert not any(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in tree.body)


@pytest.mark.parametrize(
    "snippet, expected",
    [
        ("def f(x):\n    match x:\n        case 1:\n            return 1\n", "match"),
        ("from typing import Optional\ndef f(x: int | None) -> None:\n    pass\n", "int | None"),
        ("x: list[int] | None = None\n", "list[int] | None"),
        ("def f(x):\n    return isinstance(x, int | str)\n", "isinstance"),
        ("def f(a, b):\n    return list(zip(a, b, strict=True))\n", "zip(strict=)"),
        ("import dataclasses\n@dataclasses.dataclass(slots=True)\nclass A:\n    x: int = 0\n", "dataclass"),
        ("def f(:\n", "invalid"),
    ],
)
def test_python39_check_can_fail(snippet, expected):
    problems = python39Problems(snippet, "sample.py")
    assert problems, f"{snippet!r} should be rejected"
    assert expected in " ".join(problems) or expected == "invalid"


def test_future_annotations_allow_union_annotations_in_the_library():
    assert python39Problems("from __future__ import annotations\ndef f(x: int | None) -> None: ...\n", "s.py") == []


def test_ruff_with_python39_target():
    """The same files through ruff's own Python 3.9 syntax check and pyflakes."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--target-version", "py39", "--select", "UP,F,E9"]
        + ["--ignore", "UP006,UP007,UP035,UP045", *modulePythonFiles()],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# A real CPython 3.9 (Slicer 5.8's version), when this machine has one: it compiles and runs what the checks
# above can only approximate (``X | Y`` in a plain alias, stdlib calls added in 3.10, ...).
PYENV_PYTHON39 = "/root/.pyenv/versions/3.9.18/bin/python"
# Library modules that need neither slicer nor vtk: importable (hence run at module level) by a bare 3.9.
PURE_LIBRARY_MODULES = ("Geometry", "Status", "Cursor", "Voxels")
# Imports the named SliceSyncLib modules without running the package's __init__ (which imports vtk).
IMPORT_WITHOUT_PACKAGE_INIT = """
import importlib, sys, types
package = types.ModuleType("SliceSyncLib")
package.__path__ = [sys.argv[1]]
sys.modules["SliceSyncLib"] = package
for name in sys.argv[2:]:
    importlib.import_module("SliceSyncLib." + name)
print(sys.version_info[:2])
"""


def python39Interpreter() -> Optional[str]:
    """A CPython 3.9 to run, or None: pyenv's 3.9.18, else any ``python3.9`` on PATH that really is 3.9."""
    for candidate in (PYENV_PYTHON39, shutil.which("python3.9")):
        if not candidate or not os.path.exists(candidate):
            continue
        try:
            probe = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True, timeout=60
            )
        except OSError:
            continue
        if probe.returncode == 0 and probe.stdout.strip() == "(3, 9)":
            return candidate
    return None


def runWithPython39(interpreter: str, args: list[str], cacheDir: str) -> subprocess.CompletedProcess:
    """Run ``interpreter`` with ``args``, its bytecode kept out of the source tree."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=cacheDir, PYTHONNOUSERSITE="1")
    env.pop("PYTHONPATH", None)
    return subprocess.run([interpreter, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def python39CompileAndImport(interpreter: str, files: list[str], libDir: str, modules, cacheDir: str) -> str:
    """Byte-compile ``files`` and import ``modules`` of ``libDir`` with a real Python 3.9; return its errors."""
    compiled = runWithPython39(interpreter, ["-m", "py_compile", *files], cacheDir)
    if compiled.returncode != 0:
        return "py_compile: " + compiled.stdout + compiled.stderr
    imported = runWithPython39(interpreter, ["-c", IMPORT_WITHOUT_PACKAGE_INIT, libDir, *modules], cacheDir)
    if imported.returncode != 0 or imported.stdout.strip() != "(3, 9)":
        return "import: " + imported.stdout + imported.stderr
    return ""


NEEDS_PYTHON39 = pytest.mark.skipif(
    python39Interpreter() is None,
    reason=f"no CPython 3.9 here (neither {PYENV_PYTHON39} nor a python3.9 on PATH that runs as 3.9)",
)


@NEEDS_PYTHON39
def test_module_files_compile_and_pure_modules_import_with_a_real_python_39(tmp_path):
    interpreter = python39Interpreter()
    assert (
        python39CompileAndImport(interpreter, modulePythonFiles(), LIB_DIR, PURE_LIBRARY_MODULES, str(tmp_path)) == ""
    )


@NEEDS_PYTHON39
@pytest.mark.parametrize(
    "source, compiles",
    [
        ("from typing import Optional\nAlias = Optional[int] | str\n", True),
        ("import math\nCOUNT = math.prod([2, 3])\nMID = __import__('bisect').bisect([1, 2], 1, key=abs)\n", True),
        ("def f(x):\n    match x:\n        case 1:\n            return 1\n", False),
    ],
    ids=["unionAlias", "newStdlibCall", "matchStatement"],
)
def test_python_39_check_can_fail(tmp_path, source, compiles):
    """A plain ``X | Y`` alias and a 3.10-only keyword compile but fail on import; ``match`` fails to compile."""
    libDir = tmp_path / "lib"
    libDir.mkdir()
    (libDir / "Sample.py").write_text(source, encoding="utf-8")
    problems = python39CompileAndImport(
        python39Interpreter(), [str(libDir / "Sample.py")], str(libDir), ["Sample"], str(tmp_path / "cache")
    )
    assert problems.startswith("import: " if compiles else "py_compile: "), problems
    assert ("SyntaxError" if not compiles else "Error") in problems, problems


# -- CMake, icon, extension index --------------------------------------------------------------------------


def cmakeListingProblems(cmakeText: str) -> list[str]:
    listed = set(re.findall(r"SliceSyncLib/[A-Za-z0-9_]+\.py", cmakeText))
    present = {f"SliceSyncLib/{name}" for name in os.listdir(LIB_DIR) if name.endswith(".py")}
    problems = [f"{path} is not listed in SliceSync/CMakeLists.txt" for path in sorted(present - listed)]
    problems += [f"{path} is listed but does not exist" for path in sorted(listed - present)]
    for required in ("WITH_GENERIC_TESTS", "slicer_add_python_unittest(SCRIPT ${MODULE_NAME}.py)"):
        if required not in cmakeText:
            problems.append(f"{required} missing")
    for resource in re.findall(r"Resources/[^\s)]+", cmakeText):
        if not os.path.exists(os.path.join(MODULE_DIR, resource.replace("${MODULE_NAME}", "SliceSync"))):
            problems.append(f"resource {resource} does not exist")
    return problems


def test_every_library_file_is_in_cmake():
    assert cmakeListingProblems(read(MODULE_CMAKE)) == []


def test_cmake_check_can_fail():
    text = read(MODULE_CMAKE).replace("  SliceSyncLib/Gestures.py\n", "  SliceSyncLib/Gesture.py\n")
    assert cmakeListingProblems(text) == [
        "SliceSyncLib/Gestures.py is not listed in SliceSync/CMakeLists.txt",
        "SliceSyncLib/Gesture.py is listed but does not exist",
    ]
    assert "WITH_GENERIC_TESTS missing" in cmakeListingProblems(read(MODULE_CMAKE).replace("WITH_GENERIC_TESTS", ""))


def pngSize(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def test_icon_is_a_128_png():
    with open(ICON_FILE, "rb") as f:
        assert pngSize(f.read()) == (128, 128)


def test_icon_check_can_fail():
    with pytest.raises(ValueError):
        pngSize(b"GIF89a" + bytes(30))
    header = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + struct.pack(">II", 64, 64)
    assert pngSize(header) == (64, 64)


def extensionProblems(cmakeText: str, entry: dict) -> list[str]:
    problems = []
    settings = dict(re.findall(r'set\((EXTENSION_[A-Z_]+)\s+"([^"]*)"\)', cmakeText))
    for key in ("HOMEPAGE", "CATEGORY", "CONTRIBUTORS", "DESCRIPTION", "ICONURL", "SCREENSHOTURLS", "DEPENDS"):
        if not settings.get(f"EXTENSION_{key}", "").strip():
            problems.append(f"EXTENSION_{key} is not set")
    if settings.get("EXTENSION_DEPENDS") != "NA":
        problems.append("EXTENSION_DEPENDS must be NA")
    for line in (
        "find_package(Slicer REQUIRED)",
        "include(${Slicer_USE_FILE})",
        "add_subdirectory(SliceSync)",
        "include(${Slicer_EXTENSION_GENERATE_CONFIG})",
        "include(${Slicer_EXTENSION_CPACK})",
    ):
        if line not in cmakeText:
            problems.append(f"{line} missing")
    for key in ("EXTENSION_ICONURL", "EXTENSION_SCREENSHOTURLS"):
        for url in settings.get(key, "").split():
            if not url.startswith(REPOSITORY_RAW_URL):
                problems.append(f"{key} {url} does not point into this repository")
            elif not os.path.exists(os.path.join(ROOT, url[len(REPOSITORY_RAW_URL) :])):
                problems.append(f"{key} {url} names a file that is not in the repository")
    for key in SCHEMA_REQUIRED:
        if key not in entry:
            problems.append(f"index entry lacks {key}")
    problems += [f"index entry key {key} is not in the schema" for key in sorted(set(entry) - SCHEMA_PROPERTIES)]
    if "slicer-extension-catalog-entry-schema-v1.0." not in str(entry.get("$schema", "")):
        problems.append("index entry does not name schema v1.0.x")
    if entry.get("category") != settings.get("EXTENSION_CATEGORY"):
        problems.append("index entry category differs from EXTENSION_CATEGORY")
    tier = entry.get("tier")
    if not isinstance(tier, int) or isinstance(tier, bool) or not 1 <= tier <= 5:
        problems.append("tier must be an integer from 1 to 5")
    if not str(entry.get("scm_url", "")).startswith("https://"):
        problems.append("scm_url must be an https URL")
    return problems


def test_extension_metadata_and_index_entry():
    with open(INDEX_ENTRY, encoding="utf-8") as f:
        entry = json.load(f)
    assert extensionProblems(read(ROOT_CMAKE), entry) == []


def test_extension_check_can_fail():
    with open(INDEX_ENTRY, encoding="utf-8") as f:
        entry = json.load(f)
    cmake = read(ROOT_CMAKE).replace("Screenshots/slicesync-click.png", "Screenshots/missing.png")
    cmake = cmake.replace('set(EXTENSION_DEPENDS "NA")', 'set(EXTENSION_DEPENDS "Foo")')
    broken = dict(entry, tier=9, colour="red")
    del broken["scm_revision"]
    problems = extensionProblems(cmake, broken)
    for expected in ("missing.png", "EXTENSION_DEPENDS must be NA", "tier", "colour", "lacks scm_revision"):
        assert any(expected in p for p in problems), (expected, problems)


def test_license_is_bsd3():
    text = read(os.path.join(ROOT, "LICENSE"))
    assert text.startswith("BSD 3-Clause License") and "SliceSync contributors" in text


def selfTestProblems(moduleSource: str) -> list[str]:
    """Every test_ method of SliceSyncTest must be run by its runTest (listed once in TEST_ORDER)."""
    for node in ast.walk(ast.parse(moduleSource)):
        if isinstance(node, ast.ClassDef) and node.name == "SliceSyncTest":
            methods = [item.name for item in node.body if isinstance(item, ast.FunctionDef)]
            order = []
            for item in node.body:
                if isinstance(item, ast.Assign) and ast.unparse(item.targets[0]) == "TEST_ORDER":
                    order = list(ast.literal_eval(item.value))
            tests = [name for name in methods if name.startswith("test_")]
            problems = [f"{name} is never run" for name in tests if name not in order]
            problems += [f"{name} in TEST_ORDER does not exist" for name in order if name not in tests]
            problems += [f"{name} is listed twice" for name in set(order) if order.count(name) > 1]
            if "runTest" not in methods:
                problems.append("SliceSyncTest has no runTest")
            return problems
    return ["no SliceSyncTest class"]


def test_self_test_runs_every_test_method():
    assert selfTestProblems(read(MODULE_FILE)) == []


def test_self_test_check_can_fail():
    source = read(MODULE_FILE).replace('        "test_Clamping",\n', "", 1)
    assert selfTestProblems(source) == ["test_Clamping is never run"]


# -- the glue's use of the library (SliceSync.py cannot be imported here, so names are checked) -------------


def classMembers(moduleSource: str, className: str) -> set[str]:
    """Methods, properties, class attributes and self.<name> assignments of a class in ``moduleSource``."""
    for node in ast.walk(ast.parse(moduleSource)):
        if isinstance(node, ast.ClassDef) and node.name == className:
            members = set()
            for item in ast.walk(node):
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    members.add(item.name)
                elif isinstance(item, ast.Attribute) and isinstance(item.ctx, ast.Store):
                    if isinstance(item.value, ast.Name) and item.value.id == "self":
                        members.add(item.attr)
                elif isinstance(item, ast.Assign):
                    members.update(t.id for t in item.targets if isinstance(t, ast.Name))
            return members
    return set()


def glueProblems(moduleSource: str) -> list[str]:
    """Names the module uses on its logic, the binding, the engine and the scenarios must exist."""
    import slicer

    from SliceSyncLib import Scenarios
    from SliceSyncLib.ViewBinding import ViewBinding

    binding = ViewBinding(slicer.vtkMRMLScene())
    engine = binding.engine
    binding.cleanup()
    logicMembers = classMembers(moduleSource, "SliceSyncLogic") | {"getParameterNode", "moduleName"}
    problems = []
    tree = ast.parse(moduleSource)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not isinstance(node.ctx, ast.Load):
            continue
        owner = ast.unparse(node.value)
        if owner in ("self.logic", "logic", "self._logic()") and node.attr not in logicMembers:
            problems.append(f"SliceSyncLogic has no {node.attr} (used as {owner}.{node.attr})")
        elif owner.endswith(".binding") and not hasattr(binding, node.attr):
            problems.append(f"ViewBinding has no {node.attr}")
        elif owner.endswith(".engine") and not hasattr(engine, node.attr):
            problems.append(f"SliceSyncEngine has no {node.attr}")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("SliceSyncLib"):
            module = __import__(node.module, fromlist=["_"])
            problems += [
                f"{node.module} has no {a.name}"
                for a in node.names
                if not hasattr(module, a.name)
                and not (hasattr(module, "__path__") and importlib.util.find_spec(f"{node.module}.{a.name}"))
            ]
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "self._run":
            used.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    problems += [f"the self-test runs unknown scenario {name}" for name in sorted(used - set(Scenarios.SCENARIOS))]
    problems += [f"scenario {name} is not run inside Slicer" for name in sorted(set(Scenarios.SCENARIOS) - used)]
    return problems


def test_glue_uses_names_that_exist():
    assert glueProblems(read(MODULE_FILE)) == []


def test_glue_check_can_fail():
    source = read(MODULE_FILE)
    broken = source.replace("self.logic.toggleEnabled()", "self.logic.toggleSync()")
    broken = broken.replace("self.binding.setViews(", "self.binding.setView(")
    broken = broken.replace('self._run("dragFollows")', 'self._run("dragFollow")')
    broken = broken.replace(
        "from SliceSyncLib.Scenarios import INSIDE_FRACTIONS,", "from SliceSyncLib.Scenarios import INSIDE,"
    )
    problems = glueProblems(broken)
    for expected in (
        "SliceSyncLogic has no toggleSync",
        "ViewBinding has no setView",
        "unknown scenario dragFollow",
        "scenario dragFollows is not run inside Slicer",
        "SliceSyncLib.Scenarios has no INSIDE",
    ):
        assert any(expected in p for p in problems), (expected, problems)
