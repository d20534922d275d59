"""Click-to-sync scenarios shared by the headless pytest bench and the self-test inside Slicer.

A scenario gets an engine, a volume shown in every view, and one "view driver" per slice view. A
driver sends real mouse events to a view's interactor at pixels and reads the view's geometry; the
bench's ``BenchView`` is one, and ``InteractorViewDriver`` (built from a slice widget's interactor
inside Slicer) is the other. Scenarios check geometry only, with their own arithmetic, and raise
``ScenarioError`` when SliceSync misbehaves.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Callable, Mapping, Optional, Protocol, Sequence

import slicer
import vtk

from .Engine import SliceSyncEngine

PLANE_TOLERANCE_MM = 1e-3
PIXEL_TOLERANCE = 1.0
# Half-extent fractions of the point clicked inside the volume, and of the one clicked outside it.
INSIDE_FRACTIONS = (0.3, -0.25, 0.2)
OUTSIDE_FRACTIONS = (1.6, -1.5, 1.7)
# Scenarios frame every view on the volume centre with this multiple of the volume's largest size.
FIELD_OF_VIEW_FACTOR = 1.3
# ... and zoom the source view out by this much when they need to click outside the volume.
ZOOMED_OUT_FACTOR = 4.0


class ScenarioError(AssertionError):
    """SliceSync did not do what a scenario expects."""


class ViewDriver(Protocol):
    """What a scenario needs from a slice view: real events at pixels, and the view's geometry."""

    name: str
    sliceNode: slicer.vtkMRMLSliceNode

    def size(self) -> tuple[int, int]: ...

    def move(self, x: int, y: int, shift: bool = False, ctrl: bool = False, alt: bool = False) -> None: ...

    def press(
        self, x: int, y: int, shift: bool = False, ctrl: bool = False, alt: bool = False, repeat: int = 0
    ) -> None: ...

    def release(self, x: int, y: int, shift: bool = False, ctrl: bool = False, alt: bool = False) -> None: ...

    def click(self, x: int, y: int, shift: bool = False, ctrl: bool = False, alt: bool = False) -> None: ...

    def pixelToRAS(self, x: float, y: float) -> tuple[float, float, float]: ...

    def rasToPixel(self, ras: Sequence[float]) -> tuple[float, float]: ...

    def distanceToPlane(self, ras: Sequence[float]) -> float: ...


class InteractorViewDriver:
    """A view driver for any slice view with a slice node and a VTK interactor (a Slicer slice widget's)."""

    def __init__(self, name: str, sliceNode: slicer.vtkMRMLSliceNode, interactor: vtk.vtkRenderWindowInteractor):
        self.name = name
        self.sliceNode = sliceNode
        self.interactor = interactor

    def size(self) -> tuple[int, int]:
        """Return the view's size in pixels, as the slice node knows it."""
        dimensions = self.sliceNode.GetDimensions()
        return int(dimensions[0]), int(dimensions[1])

    def _send(self, event: int, x: int, y: int, shift: bool, ctrl: bool, alt: bool, repeat: int = 0) -> None:
        self.interactor.SetEventInformation(int(x), int(y), int(ctrl), int(shift), "\0", repeat)
        self.interactor.SetAltKey(int(alt))
        self.interactor.InvokeEvent(event)

    def move(self, x: int, y: int, shift: bool = False, ctrl: bool = False, alt: bool = False) -> None:
        """Send a mouse move to pixel (x, y)."""
        self._send(vtk.vtkCommand.MouseMoveEvent, x, y, shift, ctrl, alt)

    def press(
        self, x: int, y: int, shift: bool = False, ctrl: bool = False, alt: bool = False, repeat: int = 0
    ) -> None:
        """Move to (x, y), then press the left button there."""
        self.move(x, y, shift, ctrl, alt)
        self._send(vtk.vtkCommand.LeftButtonPressEvent, x, y, shift, ctrl, alt, repeat)

    def release(self, x: int, y: int, shift: bool = False, ctrl: bool = False, alt: bool = False) -> None:
        """Release the left button at (x, y)."""
        self._send(vtk.vtkCommand.LeftButtonReleaseEvent, x, y, shift, ctrl, alt)

    def click(self, x: int, y: int, shift: bool = False, ctrl: bool = False, alt: bool = False) -> None:
        """Press and release the left button at (x, y) with no move in between."""
        self.press(x, y, shift, ctrl, alt)
        self.release(x, y, shift, ctrl, alt)

    def pixelToRAS(self, x: float, y: float) -> tuple[float, float, float]:
        """Return the RAS point under pixel (x, y), by Slicer's own conversion."""
        xyz = [0.0, 0.0, 0.0]
        ras = [0.0, 0.0, 0.0]
        slicer.vtkMRMLAbstractSliceViewDisplayableManager.ConvertDeviceToXYZ(self.interactor, self.sliceNode, x, y, xyz)
        slicer.vtkMRMLAbstractSliceViewDisplayableManager.ConvertXYZToRAS(self.sliceNode, xyz, ras)
        return ras[0], ras[1], ras[2]

    def rasToPixel(self, ras: Sequence[float]) -> tuple[float, float]:
        """Return the pixel where an RAS point projects on the view."""
        rasToXY = vtk.vtkMatrix4x4()
        vtk.vtkMatrix4x4.Invert(self.sliceNode.GetXYToRAS(), rasToXY)
        xy = rasToXY.MultiplyPoint((ras[0], ras[1], ras[2], 1.0))
        return xy[0], xy[1]

    def distanceToPlane(self, ras: Sequence[float]) -> float:
        """Return the signed distance (mm) from ``ras`` to the view's slice plane."""
        m = self.sliceNode.GetSliceToRAS()
        return sum(m.GetElement(k, 2) * (ras[k] - m.GetElement(k, 3)) for k in range(3))


@dataclasses.dataclass
class ScenarioContext:
    """What a scenario drives: the engine, the views (by name), the volume they all show."""

    engine: SliceSyncEngine
    views: Mapping[str, ViewDriver]
    volume: slicer.vtkMRMLVolumeNode
    interactionNode: slicer.vtkMRMLInteractionNode
    crosshairNode: Optional[slicer.vtkMRMLCrosshairNode] = None
    source: str = "Red"

    def sourceView(self) -> ViewDriver:
        """The view scenarios click in."""
        return self.views[self.source]

    def targetViews(self) -> list[ViewDriver]:
        """Every other view of the source's view group."""
        group = self.sourceView().sliceNode.GetViewGroup()
        return [
            view for name, view in self.views.items() if name != self.source and view.sliceNode.GetViewGroup() == group
        ]


# -- independent geometry (deliberately not the engine's Geometry module) ---------------------------------


def _matrixElements(matrix: vtk.vtkMatrix4x4) -> list[float]:
    return [matrix.GetElement(row, column) for row in range(4) for column in range(4)]


def _normalAndTranslation(sliceNode: slicer.vtkMRMLSliceNode) -> tuple[list[float], list[float]]:
    m = sliceNode.GetSliceToRAS()
    normal = [m.GetElement(k, 2) for k in range(3)]
    length = math.sqrt(sum(c * c for c in normal))
    return [c / length for c in normal], [m.GetElement(k, 3) for k in range(3)]


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b))


def voxelCentreCorners(volume: slicer.vtkMRMLVolumeNode) -> list[tuple[float, float, float]]:
    """Return the eight corner voxel centres of a volume in RAS (no parent transform)."""
    if volume.GetParentTransformNode() is not None:
        raise ScenarioError("scenario volumes must not be under a transform")
    extent = volume.GetImageData().GetExtent()
    ijkToRAS = vtk.vtkMatrix4x4()
    volume.GetIJKToRASMatrix(ijkToRAS)
    corners = []
    for i in extent[0:2]:
        for j in extent[2:4]:
            for k in extent[4:6]:
                point = ijkToRAS.MultiplyPoint((i, j, k, 1.0))
                corners.append((point[0], point[1], point[2]))
    return corners


def volumeCentreAndHalfSizes(volume: slicer.vtkMRMLVolumeNode) -> tuple[list[float], list[float]]:
    """Return the RAS centre and the half sizes along R, A, S of the volume's voxel centres."""
    corners = voxelCentreCorners(volume)
    low = [min(c[k] for c in corners) for k in range(3)]
    high = [max(c[k] for c in corners) for k in range(3)]
    return [(low[k] + high[k]) / 2 for k in range(3)], [(high[k] - low[k]) / 2 for k in range(3)]


def rangeAlong(volume: slicer.vtkMRMLVolumeNode, normal: Sequence[float]) -> tuple[float, float]:
    """Return the lowest and highest offset of the volume's voxel centres along ``normal``."""
    offsets = [_dot(corner, normal) for corner in voxelCentreCorners(volume)]
    return min(offsets), max(offsets)


def isInsideVolume(volume: slicer.vtkMRMLVolumeNode, ras: Sequence[float]) -> bool:
    """Return True if ``ras`` lies within half a voxel of the voxel-centre box."""
    rasToIJK = vtk.vtkMatrix4x4()
    volume.GetRASToIJKMatrix(rasToIJK)
    ijk = rasToIJK.MultiplyPoint((ras[0], ras[1], ras[2], 1.0))
    extent = volume.GetImageData().GetExtent()
    return all(extent[2 * k] - 0.5 <= ijk[k] <= extent[2 * k + 1] + 0.5 for k in range(3))


# -- helpers ----------------------------------------------------------------------------------------------


def check(condition: bool, message: str) -> None:
    """Raise ScenarioError with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ScenarioError(message)


def observerCount(obj: vtk.vtkObject) -> int:
    """Return how many observers ``obj`` carries, whatever added them (Python or C++), on any event.

    VTK hands out observer tags 1, 2, 3, ... per object; a probe observer gets the next one, and GetCommand(tag)
    tells for each earlier tag whether its observer is still there. (PrintSelf does not list the observers of
    MRML nodes, so it cannot be used.)
    """
    probe = obj.AddObserver(vtk.vtkCommand.NoEvent, _ignore)
    try:
        return sum(1 for tag in range(1, probe) if obj.GetCommand(tag) is not None)
    finally:
        obj.RemoveObserver(probe)


def _ignore(caller: vtk.vtkObject, event: str) -> None:
    """A probe observer's callback: never called (NoEvent is never invoked)."""


def snapshot(ctx: ScenarioContext) -> dict[str, list[float]]:
    """Return every view's SliceToRAS elements, by view name."""
    return {name: _matrixElements(view.sliceNode.GetSliceToRAS()) for name, view in ctx.views.items()}


def changedViews(before: Mapping[str, list[float]], ctx: ScenarioContext) -> list[str]:
    """Return the names of the views whose SliceToRAS changed since ``before``."""
    after = snapshot(ctx)
    return sorted(
        name for name in before if any(abs(a - b) > PLANE_TOLERANCE_MM for a, b in zip(before[name], after[name]))
    )


def prepare(ctx: ScenarioContext, fieldOfViewFactor: float = FIELD_OF_VIEW_FACTOR) -> None:
    """Reset the engine to its defaults (enabled) and frame every view on the volume centre."""
    engine = ctx.engine
    engine.setJumpMode("offset")
    engine.setClampMode("clamp")
    engine.setDragFollow(True)
    engine.setShowCrosshair(True)
    engine.setEnabled(True)
    ctx.interactionNode.SetCurrentInteractionMode(slicer.vtkMRMLInteractionNode.ViewTransform)
    check(len(ctx.targetViews()) >= 2, "scenarios need a source view and at least two target views")
    centre, halfSizes = volumeCentreAndHalfSizes(ctx.volume)
    for view in ctx.views.values():
        frameView(view, centre, 2 * max(halfSizes) * fieldOfViewFactor)


def frameView(view: ViewDriver, centre: Sequence[float], fieldOfView: float) -> None:
    """Centre a view on ``centre`` with a field of view ``fieldOfView`` mm wide; orientation kept."""
    width, height = view.size()
    check(width > 0 and height > 0, f"{view.name} has no size")
    sliceNode = view.sliceNode
    wasModifying = sliceNode.StartModify()
    sliceNode.SetXYZOrigin(0, 0, 0)
    sliceNode.SetFieldOfView(fieldOfView, fieldOfView * height / width, sliceNode.GetFieldOfView()[2])
    sliceNode.JumpSliceByCentering(*centre)
    sliceNode.EndModify(wasModifying)


def pixelFor(ctx: ScenarioContext, fractions: Sequence[float]) -> tuple[tuple[int, int], tuple[float, float, float]]:
    """Return the source pixel nearest centre + fractions * half sizes, and the RAS point under it."""
    source = ctx.sourceView()
    centre, halfSizes = volumeCentreAndHalfSizes(ctx.volume)
    wanted = [centre[k] + fractions[k] * halfSizes[k] for k in range(3)]
    x, y = source.rasToPixel(wanted)
    pixel = (int(round(x)), int(round(y)))
    width, height = source.size()
    check(
        0 <= pixel[0] < width and 0 <= pixel[1] < height,
        f"the scenario point falls outside {source.name} at pixel {pixel} (view {width}x{height})",
    )
    return pixel, source.pixelToRAS(*pixel)


def checkPassesThrough(view: ViewDriver, point: Sequence[float], what: str = "") -> None:
    """Fail unless the view's plane contains ``point`` within PLANE_TOLERANCE_MM."""
    distance = view.distanceToPlane(point)
    check(
        abs(distance) <= PLANE_TOLERANCE_MM,
        f"{view.name} misses the point {tuple(round(c, 3) for c in point)} by {distance:.4f} mm {what}".rstrip(),
    )


def checkUnchanged(before: Mapping[str, list[float]], ctx: ScenarioContext, why: str) -> None:
    """Fail if any view moved since ``before``."""
    moved = changedViews(before, ctx)
    check(not moved, f"{why}, but {', '.join(moved)} moved")


def _clickAndCheckSync(
    ctx: ScenarioContext, fractions: Sequence[float] = INSIDE_FRACTIONS
) -> tuple[tuple[int, int], tuple[float, float, float], dict[str, list[float]]]:
    """Click inside the volume and check that exactly the target views moved through the point."""
    pixel, point = pixelFor(ctx, fractions)
    before = snapshot(ctx)
    ctx.sourceView().click(*pixel)
    for view in ctx.targetViews():
        checkPassesThrough(view, point, "after a click")
    moved = changedViews(before, ctx)
    check(ctx.source not in moved, f"the source view {ctx.source} moved on its own click")
    targets = sorted(view.name for view in ctx.targetViews())
    check(moved == targets, f"a click in {ctx.source} should move {targets}; moved {moved}")
    return pixel, point, before


# -- scenarios --------------------------------------------------------------------------------------------

ScenarioFunction = Callable[[ScenarioContext], None]
SCENARIOS: dict[str, ScenarioFunction] = {}


def scenario(function: ScenarioFunction) -> ScenarioFunction:
    """Register a scenario under its function name."""
    SCENARIOS[function.__name__] = function
    return function


def runScenario(name: str, ctx: ScenarioContext) -> None:
    """Prepare the views, run one scenario, and leave the engine enabled in ViewTransform mode."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(sorted(SCENARIOS))}")
    prepare(ctx)
    try:
        SCENARIOS[name](ctx)
    finally:
        ctx.interactionNode.SetCurrentInteractionMode(slicer.vtkMRMLInteractionNode.ViewTransform)
        ctx.engine.setEnabled(True)


@scenario
def offsetJumpKeepsPan(ctx: ScenarioContext) -> None:
    """A click moves each other view along its own normal only: orientation, pan and zoom kept."""
    _, point, before = _clickAndCheckSync(ctx)
    for view in ctx.targetViews():
        old = before[view.name]
        new = _matrixElements(view.sliceNode.GetSliceToRAS())
        normal, _ = _normalAndTranslation(view.sliceNode)
        for row in range(3):
            for column in range(3):
                index = 4 * row + column
                check(abs(old[index] - new[index]) < 1e-9, f"{view.name} changed orientation on an offset jump")
        shift = [new[4 * k + 3] - old[4 * k + 3] for k in range(3)]
        along = _dot(shift, normal)
        sideways = math.sqrt(sum((shift[k] - along * normal[k]) ** 2 for k in range(3)))
        check(sideways <= PLANE_TOLERANCE_MM, f"{view.name} panned by {sideways:.4f} mm on an offset jump")
        check(abs(along) > PLANE_TOLERANCE_MM, f"{view.name} did not move along its normal")


@scenario
def centeredJumpCentresPoint(ctx: ScenarioContext) -> None:
    """In centered mode the clicked point lands in the middle of each other view."""
    ctx.engine.setJumpMode("centered")
    _, point, _ = _clickAndCheckSync(ctx)
    for view in ctx.targetViews():
        width, height = view.size()
        x, y = view.rasToPixel(point)
        check(
            abs(x - width / 2) <= PIXEL_TOLERANCE and abs(y - height / 2) <= PIXEL_TOLERANCE,
            f"{view.name} shows the point at ({x:.1f}, {y:.1f}), not at its centre ({width / 2}, {height / 2})",
        )


@scenario
def keepInViewPansOnlyWhenNeeded(ctx: ScenarioContext) -> None:
    """keepInView pans a view whose plane would put the point off-screen; offset mode would leave it off."""
    pixel, point = pixelFor(ctx, INSIDE_FRACTIONS)
    _panTargetsAway(ctx)
    ctx.sourceView().click(*pixel)
    for view in ctx.targetViews():
        checkPassesThrough(view, point, "in offset mode")
        check(not _isOnScreen(view, point), f"{view.name} shows the point although offset mode keeps the pan")
    prepare(ctx)
    ctx.engine.setJumpMode("keepInView")
    _panTargetsAway(ctx)
    ctx.sourceView().click(*pixel)
    for view in ctx.targetViews():
        checkPassesThrough(view, point, "in keepInView mode")
        check(_isOnScreen(view, point), f"{view.name} does not show the point in keepInView mode")


def _panTargetsAway(ctx: ScenarioContext) -> None:
    for view in ctx.targetViews():
        sliceToRAS = view.sliceNode.GetSliceToRAS()
        width, _ = view.size()
        fieldOfView = view.sliceNode.GetFieldOfView()[0]
        wasModifying = view.sliceNode.StartModify()
        for row in range(3):
            # Shift along the view's own x axis by one and a half views.
            shift = 1.5 * fieldOfView * sliceToRAS.GetElement(row, 0)
            sliceToRAS.SetElement(row, 3, sliceToRAS.GetElement(row, 3) + shift)
        view.sliceNode.UpdateMatrices()
        view.sliceNode.EndModify(wasModifying)
        check(width > 0, f"{view.name} has no size")


def _isOnScreen(view: ViewDriver, point: Sequence[float]) -> bool:
    width, height = view.size()
    x, y = view.rasToPixel(point)
    return 0 <= x <= width and 0 <= y <= height


def _zoomSourceOut(ctx: ScenarioContext) -> tuple[tuple[int, int], tuple[float, float, float]]:
    centre, halfSizes = volumeCentreAndHalfSizes(ctx.volume)
    frameView(ctx.sourceView(), centre, 2 * max(halfSizes) * ZOOMED_OUT_FACTOR)
    pixel, point = pixelFor(ctx, OUTSIDE_FRACTIONS)
    check(not isInsideVolume(ctx.volume, point), "the outside scenario point fell inside the volume")
    return pixel, point


@scenario
def clampStopsAtVolumeEdge(ctx: ScenarioContext) -> None:
    """With clamping, a click outside the volume puts each view at the nearest voxel-centre slice."""
    pixel, point = _zoomSourceOut(ctx)
    ctx.sourceView().click(*pixel)
    clamped = []
    for view in ctx.targetViews():
        normal, translation = _normalAndTranslation(view.sliceNode)
        low, high = rangeAlong(ctx.volume, normal)
        wanted = _dot(point, normal)
        expected = min(max(wanted, low), high)
        offset = _dot(translation, normal)
        check(
            abs(offset - expected) <= PLANE_TOLERANCE_MM,
            f"{view.name} is at offset {offset:.4f}, expected {expected:.4f} (voxel centres {low:.3f}..{high:.3f})",
        )
        if abs(wanted - expected) > 1.0:
            clamped.append(view.name)
    check(bool(clamped), "no target view needed clamping: the scenario point is not outside along any normal")


@scenario
def clampOffFollowsOutside(ctx: ScenarioContext) -> None:
    """With clamping off, views go through a point outside the volume."""
    ctx.engine.setClampMode("off")
    pixel, point = _zoomSourceOut(ctx)
    ctx.sourceView().click(*pixel)
    for view in ctx.targetViews():
        checkPassesThrough(view, point, "with clamping off")


@scenario
def ignoreOutsideSkipsClick(ctx: ScenarioContext) -> None:
    """In ignoreOutside mode a click outside the volume moves nothing; one inside still syncs."""
    ctx.engine.setClampMode("ignoreOutside")
    pixel, _ = _zoomSourceOut(ctx)
    before = snapshot(ctx)
    ctx.sourceView().click(*pixel)
    checkUnchanged(before, ctx, "the click was outside the volume in ignoreOutside mode")
    prepare(ctx)
    ctx.engine.setClampMode("ignoreOutside")
    _clickAndCheckSync(ctx)


@scenario
def dragFollows(ctx: ScenarioContext) -> None:
    """While the left button is held, the other views follow the pointer; without dragFollow they stay."""
    source = ctx.sourceView()
    start, _ = pixelFor(ctx, INSIDE_FRACTIONS)
    path = [start, (start[0] + 12, start[1] - 7), (start[0] + 25, start[1] - 15)]
    source.press(*path[0])
    for x, y in path[1:]:
        source.move(x, y)
        point = source.pixelToRAS(x, y)
        for view in ctx.targetViews():
            checkPassesThrough(view, point, f"while dragging at ({x}, {y})")
    source.release(*path[-1])
    last = source.pixelToRAS(*path[-1])
    for view in ctx.targetViews():
        checkPassesThrough(view, last, "after the drag")

    prepare(ctx)
    ctx.engine.setDragFollow(False)
    before = snapshot(ctx)
    source.press(*path[0])
    for x, y in path[1:]:
        source.move(x, y)
    source.release(*path[-1])
    checkUnchanged(before, ctx, "drag-follow is off and the mouse was dragged")
    _clickAndCheckSync(ctx)


@scenario
def modifierClickDoesNotSync(ctx: ScenarioContext) -> None:
    """Ctrl-click and Alt-click belong to Slicer's own gestures: no view moves."""
    pixel, _ = pixelFor(ctx, INSIDE_FRACTIONS)
    before = snapshot(ctx)
    ctx.sourceView().click(*pixel, ctrl=True)
    ctx.sourceView().click(*pixel, alt=True)
    checkUnchanged(before, ctx, "only modifier clicks were sent")
    _clickAndCheckSync(ctx)


@scenario
def placeModeDoesNotSync(ctx: ScenarioContext) -> None:
    """In Place mode (placing markups) a click is the markup's, not SliceSync's."""
    pixel, _ = pixelFor(ctx, INSIDE_FRACTIONS)
    # The click may place a point, which the engine follows by default: this is about the click gesture alone.
    followMarkups = ctx.engine.followMarkups()
    ctx.engine.setFollowMarkups("off")
    ctx.interactionNode.SetCurrentInteractionMode(slicer.vtkMRMLInteractionNode.Place)
    before = snapshot(ctx)
    try:
        ctx.sourceView().click(*pixel)
        checkUnchanged(before, ctx, "the click was in Place mode")
    finally:
        ctx.interactionNode.SetCurrentInteractionMode(slicer.vtkMRMLInteractionNode.ViewTransform)
        ctx.engine.setFollowMarkups(followMarkups)
    _clickAndCheckSync(ctx)


@scenario
def disabledDoesNothing(ctx: ScenarioContext) -> None:
    """With sync off, clicks and drags move nothing; turned back on, a click syncs again."""
    pixel, _ = pixelFor(ctx, INSIDE_FRACTIONS)
    ctx.engine.setEnabled(False)
    before = snapshot(ctx)
    ctx.sourceView().click(*pixel)
    ctx.sourceView().press(*pixel)
    ctx.sourceView().move(pixel[0] + 20, pixel[1] + 20)
    ctx.sourceView().release(pixel[0] + 20, pixel[1] + 20)
    checkUnchanged(before, ctx, "sync was off")
    ctx.engine.setEnabled(True)
    _clickAndCheckSync(ctx)


@scenario
def crosshairFollowsWhenAsked(ctx: ScenarioContext) -> None:
    """The crosshair is placed at the synced point only when showCrosshair is on; its mode never changes."""
    crosshair = ctx.crosshairNode
    check(crosshair is not None, "this scenario needs the scene's crosshair node")
    mode, behavior = crosshair.GetCrosshairMode(), crosshair.GetCrosshairBehavior()
    _, point, _ = _clickAndCheckSync(ctx)
    shown = crosshair.GetCrosshairRAS()
    check(
        all(abs(shown[k] - point[k]) <= PLANE_TOLERANCE_MM for k in range(3)),
        f"the crosshair is at {tuple(shown)}, not at the synced point {point}",
    )
    prepare(ctx)
    ctx.engine.setShowCrosshair(False)
    _, other, _ = _clickAndCheckSync(ctx, (-0.2, 0.3, 0.1))
    after = crosshair.GetCrosshairRAS()
    check(
        all(abs(after[k] - shown[k]) <= PLANE_TOLERANCE_MM for k in range(3)),
        "the crosshair moved although showCrosshair is off",
    )
    check(
        (crosshair.GetCrosshairMode(), crosshair.GetCrosshairBehavior()) == (mode, behavior),
        "SliceSync changed the crosshair's mode or behaviour",
    )


@scenario
def otherViewGroupStays(ctx: ScenarioContext) -> None:
    """A view in another view group does not follow clicks in the source's group."""
    loner = ctx.targetViews()[-1]
    group = loner.sliceNode.GetViewGroup()
    loner.sliceNode.SetViewGroup(group + 1)
    try:
        pixel, point = pixelFor(ctx, INSIDE_FRACTIONS)
        before = snapshot(ctx)
        ctx.sourceView().click(*pixel)
        moved = changedViews(before, ctx)
        check(loner.name not in moved, f"{loner.name} is in another view group but moved")
        for view in ctx.targetViews():
            checkPassesThrough(view, point, "in the source's view group")
        check(bool(ctx.targetViews()), "no view was left in the source's view group")
    finally:
        loner.sliceNode.SetViewGroup(group)
