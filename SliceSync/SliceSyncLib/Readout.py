"""What every shown volume holds at the cursor: voxel index, value and label name. Computed only when asked."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence, Union

import slicer
import vtk

from .GroupMapping import GroupMapping

LAYERS = ("background", "foreground", "label")

Value = Union[float, tuple[float, ...], None]


@dataclass
class LayerReadout:
    """One volume at the cursor: which layer shows it, the voxel it falls in, that voxel's value and label."""

    volumeName: str
    layer: str
    ijk: Optional[tuple[int, int, int]] = None
    value: Value = None
    label: Optional[str] = None

    def text(self) -> str:
        """Return one line for this volume."""
        head = f"{self.layer}: {self.volumeName}"
        if self.ijk is None:
            return head + ": outside"
        line = f"{head}: IJK ({self.ijk[0]}, {self.ijk[1]}, {self.ijk[2]}), value {_formatValue(self.value)}"
        if self.label:
            line += f" ({self.label})"
        return line


@dataclass
class Readout:
    """The cursor (world RAS, or None before the first sync) and one entry per shown volume."""

    ras: Optional[tuple[float, float, float]]
    layers: list[LayerReadout] = field(default_factory=list)

    def text(self) -> str:
        """Return lines a person can paste: the position, then one line per volume."""
        if self.ras is None:
            return "No synced point yet"
        r, a, s = self.ras
        lines = [f"R {r:.2f}, A {a:.2f}, S {s:.2f} mm"]
        lines.extend(layer.text() for layer in self.layers)
        return "\n".join(lines)


def _formatValue(value: Value) -> str:
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return "(" + ", ".join(f"{v:g}" for v in value) + ")"
    return f"{value:g}"


def shownVolumes(
    scene: slicer.vtkMRMLScene, sliceNodes: Iterable[slicer.vtkMRMLSliceNode]
) -> list[tuple[slicer.vtkMRMLVolumeNode, str]]:
    """Return (volume, layer) for each volume shown in any of the views, each volume once, backgrounds first."""
    composites = []
    for sliceNode in sliceNodes:
        composite = slicer.vtkMRMLSliceLogic.GetSliceCompositeNode(sliceNode)
        if composite is not None:
            composites.append(composite)
    seen: set[str] = set()
    shown = []
    for layer in LAYERS:
        for composite in composites:
            volumeID = getattr(composite, f"Get{layer.capitalize()}VolumeID")()
            if not volumeID or volumeID in seen:
                continue
            volume = scene.GetNodeByID(volumeID)
            if isinstance(volume, slicer.vtkMRMLVolumeNode):
                seen.add(volumeID)
                shown.append((volume, layer))
    return shown


def readVolume(volume: slicer.vtkMRMLVolumeNode, layer: str, world: tuple[float, float, float]) -> LayerReadout:
    """Read one volume at a world point (through its parent transform, linear or not)."""
    entry = LayerReadout(volume.GetName() or volume.GetID(), layer)
    image = volume.GetImageData()
    if image is None:
        return entry
    local = _worldToVolumeRAS(volume, world)
    if local is None:
        return entry
    rasToIJK = vtk.vtkMatrix4x4()
    volume.GetRASToIJKMatrix(rasToIJK)
    ijkFloat = rasToIJK.MultiplyPoint((*local, 1.0))[:3]
    if not all(math.isfinite(c) for c in ijkFloat):
        return entry
    # The voxel whose centre is nearest, as Slicer's Data Probe picks it.
    ijk = tuple(int(math.floor(c + 0.5)) for c in ijkFloat)
    extent = image.GetExtent()
    if any(not extent[2 * k] <= ijk[k] <= extent[2 * k + 1] for k in range(3)):
        return entry
    entry.ijk = ijk  # type: ignore[assignment]
    components = image.GetNumberOfScalarComponents()
    values = tuple(image.GetScalarComponentAsDouble(*ijk, c) for c in range(components))
    entry.value = values[0] if components == 1 else values
    if components == 1 and isinstance(volume, slicer.vtkMRMLLabelMapVolumeNode):
        entry.label = _labelName(volume, values[0])
    return entry


def _worldToVolumeRAS(
    volume: slicer.vtkMRMLVolumeNode, world: tuple[float, float, float]
) -> Optional[tuple[float, float, float]]:
    parent = volume.GetParentTransformNode()
    if parent is None:
        return world
    if parent.IsTransformToWorldLinear():
        fromWorld = vtk.vtkMatrix4x4()
        parent.GetMatrixTransformFromWorld(fromWorld)
        local = fromWorld.MultiplyPoint((*world, 1.0))[:3]
    else:
        fromWorld = vtk.vtkGeneralTransform()
        parent.GetTransformFromWorld(fromWorld)
        local = fromWorld.TransformPoint(world)
    return tuple(local) if all(math.isfinite(c) for c in local) else None  # type: ignore[return-value]


def _labelName(volume: slicer.vtkMRMLVolumeNode, value: float) -> Optional[str]:
    display = volume.GetDisplayNode()
    colors = display.GetColorNode() if display is not None else None
    if colors is None or value != math.floor(value):
        return None
    index = int(value)
    if not 0 <= index < colors.GetNumberOfColors():
        return None
    return colors.GetColorName(index) or None


def readAt(
    scene: slicer.vtkMRMLScene,
    sliceNodes: Iterable[slicer.vtkMRMLSliceNode],
    world: Optional[tuple[float, float, float]],
) -> Readout:
    """Read every volume shown in ``sliceNodes`` at the world point ``world`` (no layers when it is None)."""
    if world is None:
        return Readout(None)
    world = tuple(float(c) for c in world)  # type: ignore[assignment]
    return Readout(world, [readVolume(volume, layer, world) for volume, layer in shownVolumes(scene, sliceNodes)])


def readThroughMappings(
    scene: slicer.vtkMRMLScene,
    sliceNodes: Sequence[slicer.vtkMRMLSliceNode],
    world: tuple[float, float, float],
    groupMapping: GroupMapping,
) -> Readout:
    """Read a volume shown in a mapped view group at T⁻¹(world) of the first such group, any other at ``world``."""
    pointOf: dict[str, Optional[tuple[float, float, float]]] = {}
    for group in groupMapping.mappedGroups():
        point = groupMapping.fromWorld(group, world)
        for volume, _ in shownVolumes(scene, [node for node in sliceNodes if node.GetViewGroup() == group]):
            pointOf.setdefault(volume.GetID(), point)
    layers = []
    for volume, layer in shownVolumes(scene, sliceNodes):
        point = pointOf.get(volume.GetID(), world)
        if point is None:
            layers.append(LayerReadout(volume.GetName() or volume.GetID(), layer))
        else:
            layers.append(readVolume(volume, layer, point))
    return Readout(tuple(float(c) for c in world), layers)  # type: ignore[arg-type]
