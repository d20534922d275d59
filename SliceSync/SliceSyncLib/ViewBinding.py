"""Which slice views SliceSync drives, and with which settings: the Qt-free half of the module's logic.

The module's Logic asks Slicer's layout manager for its slice views and hands them here as
(name, slice node, interactor) tuples; everything else (adding, removing, filtering by view group,
applying settings, cleaning up) happens in this file so it runs on the headless bench.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Callable, Iterable, Mapping, Optional, Tuple

import slicer
import vtk

from .Engine import CLAMP_MODES, JUMP_MODES, SliceSyncEngine
from .GroupMapping import VIEW_GROUP_COUNT
from .Link import DEFAULT_HOST, DEFAULT_PORT, ROLES
from .MarkupsFollower import FOLLOW_MODES

# viewGroup value meaning "every view group takes part".
ALL_VIEW_GROUPS = -1
# Highest view group offered in the panel (Slicer's layouts use 0 and 1; custom layouts may use more).
MAX_VIEW_GROUP = 9

ViewHandle = Tuple[str, "slicer.vtkMRMLSliceNode", "vtk.vtkRenderWindowInteractor"]

_TRUE_WORDS = ("1", "true", "yes", "on")
_FALSE_WORDS = ("0", "false", "no", "off")


@dataclasses.dataclass(frozen=True)
class SyncSettings:
    """Everything a user can choose in the SliceSync panel."""

    enabled: bool = False
    jumpMode: str = "offset"
    clampMode: str = "clamp"
    dragFollow: bool = True
    showCrosshair: bool = True
    viewGroup: int = ALL_VIEW_GROUPS
    followMarkups: str = "place"
    linkedViewGroups: str = ""
    linkRole: str = "server"
    linkHost: str = DEFAULT_HOST
    linkPort: int = DEFAULT_PORT
    snapToVoxel: bool = False

    def validate(self) -> None:
        """Raise ValueError if any value is out of range."""
        for name in ("enabled", "dragFollow", "showCrosshair", "snapToVoxel"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if self.jumpMode not in JUMP_MODES:
            raise ValueError(f"jumpMode must be one of {', '.join(JUMP_MODES)}; got {self.jumpMode!r}")
        if self.clampMode not in CLAMP_MODES:
            raise ValueError(f"clampMode must be one of {', '.join(CLAMP_MODES)}; got {self.clampMode!r}")
        self.linkedGroupList()
        if self.linkRole not in ROLES:
            raise ValueError(f"linkRole must be one of {', '.join(ROLES)}; got {self.linkRole!r}")
        if not isinstance(self.linkHost, str) or not self.linkHost.strip() or any(c.isspace() for c in self.linkHost):
            raise ValueError(f"linkHost must be a host name or address without spaces; got {self.linkHost!r}")
        if isinstance(self.linkPort, bool) or not isinstance(self.linkPort, int) or not 1 <= self.linkPort <= 65535:
            raise ValueError(f"linkPort must be an integer from 1 to 65535; got {self.linkPort!r}")
        if self.followMarkups not in FOLLOW_MODES:
            raise ValueError(f"followMarkups must be one of {', '.join(FOLLOW_MODES)}; got {self.followMarkups!r}")
        if (
            not isinstance(self.viewGroup, int)
            or isinstance(self.viewGroup, bool)
            or not ALL_VIEW_GROUPS <= self.viewGroup <= MAX_VIEW_GROUP
        ):
            raise ValueError(
                f"viewGroup must be an integer from {ALL_VIEW_GROUPS} (all) to {MAX_VIEW_GROUP}; got {self.viewGroup!r}"
            )

    def linkedGroupList(self) -> Optional[list[int]]:
        """Return the linked view groups as a sorted list ("" gives None: the engine's default), or raise ValueError."""
        text = self.linkedViewGroups
        if not isinstance(text, str):
            raise ValueError(f"linkedViewGroups must be a string such as '0, 1'; got {text!r}")
        if not text.strip():
            return None
        groups = set()
        for part in text.replace(";", ",").split(","):
            word = part.strip()
            if not word.isdigit() or not 0 <= int(word) < VIEW_GROUP_COUNT:
                raise ValueError(
                    f"linkedViewGroups must list view groups from 0 to {VIEW_GROUP_COUNT - 1} separated by commas; "
                    f"got {text!r}"
                )
            groups.add(int(word))
        return sorted(groups)

    def toStrings(self) -> dict[str, str]:
        """Return the settings as strings, e.g. for QSettings."""
        return {field.name: str(getattr(self, field.name)) for field in dataclasses.fields(self)}

    @classmethod
    def fromStrings(cls, values: Mapping[str, object]) -> SyncSettings:
        """Build settings from stored strings; missing or unreadable values fall back to the defaults."""
        defaults = cls()
        chosen: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            if field.name not in values or values[field.name] is None:
                continue
            raw = values[field.name]
            default = getattr(defaults, field.name)
            try:
                value = parseLike(default, raw)
                dataclasses.replace(defaults, **{field.name: value}).validate()
            except ValueError as error:
                logging.warning("SliceSync: ignoring the stored %s %r (%s)", field.name, raw, error)
                continue
            chosen[field.name] = value
        return dataclasses.replace(defaults, **chosen)  # type: ignore[arg-type]


def parseLike(default: object, raw: object) -> object:
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise ValueError("not a yes/no value")
    if isinstance(default, int):
        if isinstance(raw, bool):
            raise ValueError("not an integer")
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ValueError("not an integer") from None
    return str(raw)


class ViewBinding:
    """Keeps one engine's registered views equal to the views the layout offers, with the chosen settings."""

    def __init__(self, scene: slicer.vtkMRMLScene) -> None:
        self.engine = SliceSyncEngine(scene)
        self._settings = SyncSettings()
        self._transforms: dict[int, slicer.vtkMRMLTransformNode] = {}
        self._linkSettings: Optional[SyncSettings] = None
        self._referenceVolume: Optional[slicer.vtkMRMLVolumeNode] = None
        self._offered: dict[str, tuple[slicer.vtkMRMLSliceNode, vtk.vtkRenderWindowInteractor]] = {}
        self._statusCallback: Optional[Callable[[str], None]] = None
        self._applyToEngine()

    @property
    def scene(self) -> slicer.vtkMRMLScene:
        """The scene whose slice views are driven."""
        return self.engine.scene

    # -- views ---------------------------------------------------------------------------------------

    def setViews(self, views: Iterable[ViewHandle]) -> None:
        """Offer the layout's current slice views; views no longer offered are released."""
        offered: dict[str, tuple[slicer.vtkMRMLSliceNode, vtk.vtkRenderWindowInteractor]] = {}
        for handle in views:
            try:
                name, sliceNode, interactor = handle
            except (TypeError, ValueError):
                raise ValueError(f"a view must be (name, slice node, interactor), got {handle!r}") from None
            if not isinstance(sliceNode, slicer.vtkMRMLSliceNode) or not isinstance(
                interactor, vtk.vtkRenderWindowInteractor
            ):
                logging.warning("SliceSync: view %r has no slice node or no interactor; skipped", name)
                continue
            offered[str(name)] = (sliceNode, interactor)
        self._offered = offered
        self.refresh()

    def refresh(self) -> None:
        """Re-match registered views to the offered ones (after a scene close or a view group change)."""
        wanted: dict[str, tuple[slicer.vtkMRMLSliceNode, vtk.vtkRenderWindowInteractor]] = {}
        for sliceNode, interactor in self._offered.values():
            if sliceNode.GetScene() is not self.scene or not self._takesPart(sliceNode):
                continue
            wanted[sliceNode.GetID()] = (sliceNode, interactor)
        for sliceNode in self.engine.views():
            kept = wanted.get(sliceNode.GetID())
            if kept is None or kept[0] is not sliceNode:
                self.engine.removeView(sliceNode)
        for sliceNode, interactor in wanted.values():
            self.engine.addView(sliceNode, interactor)

    def viewNames(self) -> list[str]:
        """Return the layout names of the views being synced, sorted."""
        return sorted(node.GetLayoutName() or node.GetID() for node in self.engine.views())

    def offeredViewNames(self) -> list[str]:
        """Return the names of every view the layout offered, sorted."""
        return sorted(self._offered)

    def _takesPart(self, sliceNode: slicer.vtkMRMLSliceNode) -> bool:
        group = self._settings.viewGroup
        return group == ALL_VIEW_GROUPS or sliceNode.GetViewGroup() == group

    # -- settings ------------------------------------------------------------------------------------

    def applySettings(self, settings: SyncSettings) -> None:
        """Apply the panel's settings to the engine; invalid settings raise ValueError and change nothing."""
        if not isinstance(settings, SyncSettings):
            raise ValueError(f"applySettings needs SyncSettings, got {type(settings).__name__}")
        settings.validate()
        groupChanged = settings.viewGroup != self._settings.viewGroup
        self._settings = settings
        self._applyToEngine()
        if groupChanged:
            self.refresh()

    def setViewGroupTransforms(self, transforms: Mapping[int, Optional[slicer.vtkMRMLTransformNode]]) -> None:
        """Map each view group through its transform node (groups left out, or None, are not mapped)."""
        wanted = {group: node for group, node in transforms.items() if node is not None}
        for group, node in wanted.items():
            self.engine.setViewGroupTransform(group, node)
        for group in set(self._transforms) - set(wanted):
            self.engine.setViewGroupTransform(group, None)
        self._transforms = wanted

    def setReferenceVolume(self, volume: Optional[slicer.vtkMRMLVolumeNode]) -> None:
        """Snap and nudge on this volume's voxels (None: the volume shown in the clicked view)."""
        self.engine.setReferenceVolume(volume)
        self._referenceVolume = volume

    def viewGroupTransforms(self) -> dict[int, slicer.vtkMRMLTransformNode]:
        """Return the mapped view groups and their transform nodes."""
        return dict(self._transforms)

    def settings(self) -> SyncSettings:
        """Return the settings in force."""
        return self._settings

    def _applyToEngine(self) -> None:
        engine = self.engine
        engine.setJumpMode(self._settings.jumpMode)
        engine.setClampMode(self._settings.clampMode)
        engine.setDragFollow(self._settings.dragFollow)
        engine.setShowCrosshair(self._settings.showCrosshair)
        engine.setFollowMarkups(self._settings.followMarkups)
        engine.setLinkedViewGroups(self._settings.linkedGroupList())
        engine.setSnapToVoxel(self._settings.snapToVoxel)
        engine.setReferenceVolume(self._referenceVolume)
        for group in range(VIEW_GROUP_COUNT):
            engine.setViewGroupTransform(group, self._transforms.get(group))
        engine.setEnabled(self._settings.enabled)

    # -- status --------------------------------------------------------------------------------------

    def setStatusCallback(self, callback: Optional[Callable[[str], None]]) -> None:
        """Call ``callback(text)`` whenever the status line changes (None to stop)."""
        self.engine.setStatusCallback(callback)
        self._statusCallback = callback

    def statusText(self) -> str:
        """Return the engine's one-line status."""
        return self.engine.statusText()

    def notifyStatus(self) -> None:
        """Call the status callback with the current status (after a change the engine does not report, e.g. a
        restored history)."""
        if self._statusCallback is not None:
            self._statusCallback(self.statusText())

    def linkStatusText(self, running: bool) -> str:
        """Return one line about the link: off, or role, address, peers and message counts."""
        settings = self._linkSettings if running and self._linkSettings is not None else None
        if settings is None:
            return "Link is off"
        status = self.engine.linkStatus()
        peers = status.get("peers") or []
        where = f"{settings.linkHost}:{settings.linkPort}"
        head = f"Server on {where}" if settings.linkRole == "server" else f"Client of {where}"
        connection = f"{len(peers)} peer{'s' if len(peers) != 1 else ''}" if peers else "waiting for a peer"
        return f"{head}: {connection}; sent {status.get('sent', 0)}, received {status.get('received', 0)}"

    def startLink(self, settings: SyncSettings) -> None:
        """Start the engine's link with the settings' role, host and port (replaces a running link)."""
        settings.validate()
        self.engine.startLink(settings.linkRole, settings.linkHost, settings.linkPort)
        self._linkSettings = settings

    def stopLink(self) -> None:
        """Stop the engine's link; safe without one."""
        self.engine.stopLink()
        self._linkSettings = None

    # -- lifetime ------------------------------------------------------------------------------------

    def setScene(self, scene: slicer.vtkMRMLScene) -> None:
        """Follow a different scene object: the old engine is cleaned up and a new one takes its place."""
        if scene is self.scene:
            return
        callback = self._statusCallback
        self.engine.cleanup()
        self.engine = SliceSyncEngine(scene)
        self._transforms = {}
        self._linkSettings = None
        self._referenceVolume = None
        self._applyToEngine()
        if callback is not None:
            self.setStatusCallback(callback)
        self.refresh()

    def cleanup(self) -> None:
        """Release every view and observer and stop the link; safe to call twice."""
        self.engine.cleanup()
        self._linkSettings = None
        self._offered = {}
        self._statusCallback = None
