"""The SliceSync parameter node and remembered settings as strings: read (validated), written, repaired.

Qt-free, so the module's Logic and panel stay thin and this runs on the headless bench. The scene stores the
same strings as Slicer's parameterNodeWrapper does for the module's wrapper class: booleans as "True"/"False",
modes by name, the view group as an integer.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from typing import Callable, Mapping, Optional, Sequence

import slicer

from .Cursor import HISTORY_LIMIT
from .GroupMapping import VIEW_GROUP_COUNT
from .ViewBinding import SyncSettings, parseLike

PARAMETER_NAMES = tuple(field.name for field in dataclasses.fields(SyncSettings))
# Set once the user's remembered choices were written into a scene's parameter node. Scene close empties the
# node; on Slicer 5.8/5.10 a wrapper may then write its defaults back, so the fields alone cannot tell.
INITIALIZED_PARAMETER = "SliceSyncInitialized"
# Node reference role of the transform view group <n> is mapped through: TRANSFORM_ROLE + "<n>". Saved with the
# scene; not remembered across scenes (transform nodes belong to a scene).
TRANSFORM_ROLE = "SliceSyncViewGroupTransform"
# Node reference role of the volume snapping and nudging use (none: the volume shown in the clicked view).
REFERENCE_VOLUME_ROLE = "SliceSyncReferenceVolume"
# The cursor history, written when the scene is saved: JSON {"index": i, "points": [[R, A, S], ...]}. Saved with
# the scene only, never remembered across sessions.
HISTORY_PARAMETER = "SliceSyncHistory"


def settingsToStrings(settings: SyncSettings) -> dict[str, str]:
    """Return the settings as the parameter node stores them (ValueError if a value is out of range)."""
    if not isinstance(settings, SyncSettings):
        raise ValueError(f"settings must be SyncSettings, got {type(settings).__name__}")
    settings.validate()
    strings = {}
    for name in PARAMETER_NAMES:
        value = getattr(settings, name)
        strings[name] = ("True" if value else "False") if isinstance(value, bool) else str(value)
    return strings


def parseStrings(values: Mapping[str, object]) -> tuple[SyncSettings, dict[str, object]]:
    """Return the settings stored strings describe, and the unusable values (each replaced by its default).

    Missing or empty values take their defaults silently; booleans also accept true/false, yes/no, on/off and 1/0
    in any case, as Qt's INI files and hand edits write them.
    """
    defaults = SyncSettings()
    chosen: dict[str, object] = {}
    invalid: dict[str, object] = {}
    for name in PARAMETER_NAMES:
        raw = values.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            value = parseLike(getattr(defaults, name), raw)
            dataclasses.replace(defaults, **{name: value}).validate()
        except ValueError:
            invalid[name] = raw
            continue
        chosen[name] = value
    return dataclasses.replace(defaults, **chosen), invalid  # type: ignore[arg-type]


def warnInvalid(invalid: Mapping[str, object], where: str) -> None:
    """Log one warning naming every unusable value found in ``where``."""
    if invalid:
        listed = ", ".join(f"{name}={value!r}" for name, value in invalid.items())
        logging.warning(
            "SliceSync: %s holds values this version cannot use (%s); they are reset to the defaults", where, listed
        )


def storedStrings(node: slicer.vtkMRMLScriptedModuleNode) -> dict[str, str]:
    """Return the node's SliceSync values as stored (absent ones left out)."""
    return {name: node.GetParameter(name) for name in PARAMETER_NAMES if node.GetParameter(name)}


def readParameterNode(node: slicer.vtkMRMLScriptedModuleNode) -> SyncSettings:
    """Return the node's settings; unusable values are reset to the defaults in the node, with one warning."""
    settings, invalid = parseStrings(storedStrings(node))
    if invalid:
        warnInvalid(invalid, f"the scene's SliceSync parameter node ({node.GetID()})")
        writeParameterNode(node, settings)
    return settings


def writeParameterNode(node: slicer.vtkMRMLScriptedModuleNode, settings: SyncSettings) -> bool:
    """Write the settings in one modification (one ModifiedEvent); return whether any value changed."""
    strings = settingsToStrings(settings)
    changed = {name: value for name, value in strings.items() if node.GetParameter(name) != value}
    if not changed:
        return False
    wasModifying = node.StartModify()
    try:
        for name, value in changed.items():
            node.SetParameter(name, value)
    finally:
        node.EndModify(wasModifying)
    return True


def isInitialized(node: slicer.vtkMRMLScriptedModuleNode) -> bool:
    """Return whether the user's remembered choices were already written into this node."""
    return bool(node.GetParameter(INITIALIZED_PARAMETER))


def initializeParameterNode(
    node: slicer.vtkMRMLScriptedModuleNode, remembered: Callable[[], SyncSettings]
) -> SyncSettings:
    """Start a new node from ``remembered()`` settings, or repair one already set up; return its settings."""
    if isInitialized(node):
        return readParameterNode(node)
    settings = remembered()
    wasModifying = node.StartModify()
    try:
        writeParameterNode(node, settings)
        node.SetParameter(INITIALIZED_PARAMETER, "1")
    finally:
        node.EndModify(wasModifying)
    return settings


def updateParameterNode(node: slicer.vtkMRMLScriptedModuleNode, **changes: object) -> SyncSettings:
    """Change some values (validated first: ValueError changes nothing) and return the new settings."""
    unknown = sorted(set(changes) - set(PARAMETER_NAMES))
    if unknown:
        raise ValueError(f"unknown SliceSync setting(s): {', '.join(unknown)}")
    settings = dataclasses.replace(readParameterNode(node), **changes)  # type: ignore[arg-type]
    writeParameterNode(node, settings)
    return settings


def viewGroupTransforms(node: slicer.vtkMRMLScriptedModuleNode) -> dict[int, slicer.vtkMRMLTransformNode]:
    """Return the view groups the node maps through a transform node, and those nodes."""
    transforms = {}
    for group in range(VIEW_GROUP_COUNT):
        transform = node.GetNodeReference(TRANSFORM_ROLE + str(group))
        if isinstance(transform, slicer.vtkMRMLTransformNode):
            transforms[group] = transform
    return transforms


def setViewGroupTransform(
    node: slicer.vtkMRMLScriptedModuleNode, viewGroup: int, transform: Optional[slicer.vtkMRMLTransformNode]
) -> None:
    """Map ``viewGroup`` through ``transform`` (None: not mapped); ValueError for a bad group or node."""
    if isinstance(viewGroup, bool) or not isinstance(viewGroup, int) or not 0 <= viewGroup < VIEW_GROUP_COUNT:
        raise ValueError(f"view group must be an integer from 0 to {VIEW_GROUP_COUNT - 1}; got {viewGroup!r}")
    if transform is not None and not isinstance(transform, slicer.vtkMRMLTransformNode):
        raise ValueError(f"a view group is mapped through a transform node, not {type(transform).__name__}")
    node.SetNodeReferenceID(TRANSFORM_ROLE + str(viewGroup), transform.GetID() if transform is not None else None)


def referenceVolume(node: slicer.vtkMRMLScriptedModuleNode) -> Optional[slicer.vtkMRMLVolumeNode]:
    """Return the volume the node says snapping and nudging use, or None."""
    volume = node.GetNodeReference(REFERENCE_VOLUME_ROLE)
    return volume if isinstance(volume, slicer.vtkMRMLVolumeNode) else None


def setReferenceVolume(node: slicer.vtkMRMLScriptedModuleNode, volume: Optional[slicer.vtkMRMLVolumeNode]) -> None:
    """Make ``volume`` the reference for snapping and nudging (None: the volume shown in the clicked view)."""
    if volume is not None and not isinstance(volume, slicer.vtkMRMLVolumeNode):
        raise ValueError(f"the reference volume must be a volume node, not {type(volume).__name__}")
    node.SetNodeReferenceID(REFERENCE_VOLUME_ROLE, volume.GetID() if volume is not None else None)


def historyToString(points: Sequence[Sequence[float]], index: int) -> str:
    """Return the history as the parameter node stores it (ValueError if it is not a usable history)."""
    text = json.dumps({"index": index, "points": [[float(c) for c in point] for point in points]})
    parseHistory(text)
    return text


def parseHistory(text: str) -> tuple[list[tuple[float, float, float]], int]:
    """Return the points and index a stored history describes; ValueError if it is malformed."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        raise ValueError("the history is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("points"), list):
        raise ValueError('the history needs {"index": i, "points": [[R, A, S], ...]}')
    points = []
    for point in data["points"]:
        if (
            not isinstance(point, list)
            or len(point) != 3
            or not all(isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) for c in point)
        ):
            raise ValueError(f"history point {point!r} is not three finite numbers")
        points.append((float(point[0]), float(point[1]), float(point[2])))
    if len(points) > HISTORY_LIMIT:
        raise ValueError(f"the history holds at most {HISTORY_LIMIT} points, got {len(points)}")
    index = data.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or not -1 <= index < len(points):
        raise ValueError(f"history index {index!r} is not a position in the {len(points)} points")
    if (index == -1) != (not points):
        raise ValueError(f"history index {index!r} does not fit {len(points)} points")
    return points, index


def writeHistory(node: slicer.vtkMRMLScriptedModuleNode, points: Sequence[Sequence[float]], index: int) -> None:
    """Store the cursor history in the node (nothing stored while it is empty)."""
    text = historyToString(points, index) if points else ""
    if node.GetParameter(HISTORY_PARAMETER) != text:
        node.SetParameter(HISTORY_PARAMETER, text)


def readHistory(node: slicer.vtkMRMLScriptedModuleNode) -> Optional[tuple[list[tuple[float, float, float]], int]]:
    """Return the node's stored history (points, index), or None if none is stored or it is malformed (warned)."""
    text = node.GetParameter(HISTORY_PARAMETER)
    if not text:
        return None
    try:
        return parseHistory(text)
    except ValueError as error:
        logging.warning("SliceSync: the cursor history saved in the scene (%s) is ignored: %s", node.GetID(), error)
        return None
