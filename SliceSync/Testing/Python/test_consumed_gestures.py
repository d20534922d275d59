"""SliceSync never syncs a press that one of Slicer's own widgets took, on real slice views with real events.

Slicer's vtkMRMLSliceViewInteractorStyle observes each interactor at priority 0.0 and aborts the events a
widget processes (markup points, slice-intersection handles, window/level); Segment Editor effects observe at
1.0 and abort what they paint. SliceSync's press observer sits at -1.0, so it only sees presses nobody took.
Every test here has a control: the same gesture where no widget takes it does sync, so each test can fail.
A probe observer at -2.0 (below SliceSync) tells whether a press reached the end of the observer list,
i.e. whether Slicer itself consumed it.
"""

from __future__ import annotations

import pytest
import slicer
import vtk

from SliceSyncBench import planes, userState

BELOW_SLICESYNC_PRIORITY = -2.0
SEGMENT_EDITOR_PRIORITY = 1.0

# Far from every markup point and line below, and from every slice-intersection handle of a 256 x 256 view
# (the tests check that hovering there activates no handle).
FREE_PIXEL = (40, 216)


class SyncCounter:
    """Counts the syncs the engine reports through its public status callback (each sync has a new result; the
    callback also fires when a gesture's end records a history point, with the same result)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.count = 0
        self.seen = None
        engine.lastResult = None
        engine.setStatusCallback(self.onStatus)

    def onStatus(self, text: str) -> None:
        result = self.engine.lastResult
        if result is not None and result is not self.seen:
            self.count += 1
            self.seen = result

    def reset(self) -> None:
        self.count = 0
        self.engine.lastResult = None


class PressProbe:
    """A real observer below SliceSync: it sees a left press only if no observer above aborted it."""

    def __init__(self, interactor: vtk.vtkRenderWindowInteractor) -> None:
        self.interactor = interactor
        self.count = 0
        self.tag = interactor.AddObserver(vtk.vtkCommand.LeftButtonPressEvent, self.onPress, BELOW_SLICESYNC_PRIORITY)

    def onPress(self, caller, event) -> None:
        self.count += 1

    def remove(self) -> None:
        self.interactor.RemoveObserver(self.tag)


class PaintLikeEffect:
    """An effect wired as Segment Editor wires its effects: interactor observers at priority 1.0 that set the
    command's abort flag on every event of a paint stroke (press, moves with the button held, release)."""

    EVENTS = (vtk.vtkCommand.LeftButtonPressEvent, vtk.vtkCommand.MouseMoveEvent, vtk.vtkCommand.LeftButtonReleaseEvent)

    def __init__(self, interactor: vtk.vtkRenderWindowInteractor, consumes: bool = True) -> None:
        self.interactor = interactor
        self.consumes = consumes
        self.painting = False
        self.strokePositions: list[tuple[int, int]] = []
        self.tags = {}
        for event in self.EVENTS:
            self.tags[vtk.vtkCommand.GetStringFromEventId(event)] = interactor.AddObserver(
                event, self.onEvent, SEGMENT_EDITOR_PRIORITY
            )

    def onEvent(self, caller, event: str) -> None:
        if event == "LeftButtonPressEvent":
            self.painting = True
        elif not self.painting:
            return  # hovering: a paint effect only previews its brush, it takes nothing
        self.strokePositions.append(tuple(self.interactor.GetEventPosition()))
        if event == "LeftButtonReleaseEvent":
            self.painting = False
        if self.consumes:
            self.interactor.GetCommand(self.tags[event]).SetAbortFlag(1)

    def remove(self) -> None:
        for tag in self.tags.values():
            self.interactor.RemoveObserver(tag)


@pytest.fixture
def red(bench, anatomical, engine, errorGuard):
    """The Red view of a bench showing anatomical.nii, with an enabled engine and an error guard."""
    bench.crosshairNode.SetCrosshairMode(bench.crosshairNode.ShowBasic)
    bench.crosshairNode.SetCrosshairBehavior(bench.crosshairNode.NoAction)
    return bench.views["Red"]


def addMarkups(bench, view, className: str, pixels) -> slicer.vtkMRMLMarkupsNode:
    """Add a markups node whose control points lie on ``view``'s plane at ``pixels``; render so widgets exist."""
    node = bench.scene.AddNewNodeByClass(className)
    node.CreateDefaultDisplayNodes()
    for x, y in pixels:
        node.AddControlPoint(vtk.vtkVector3d(*view.pixelToRAS(x, y)))
    bench.renderAll()
    return node


# -- markups ------------------------------------------------------------------------------------------------

MARKUP_PIXELS = {
    "vtkMRMLMarkupsFiducialNode": [(150, 90)],
    "vtkMRMLMarkupsLineNode": [(150, 90), (210, 150)],
    "vtkMRMLMarkupsClosedCurveNode": [(150, 90), (210, 150), (170, 200)],
}


@pytest.mark.parametrize("className", sorted(MARKUP_PIXELS))
def test_click_on_a_markup_point_does_not_sync(bench, red, engine, className):
    addMarkups(bench, red, className, MARKUP_PIXELS[className])
    probe = PressProbe(red.interactor)
    syncs = SyncCounter(engine)
    before = userState(bench)

    red.click(150, 90)

    assert probe.count == 0, "Slicer's markups widget should have consumed the press on the point"
    assert syncs.count == 0
    assert engine.lastResult is None
    assert userState(bench) == before

    red.click(*FREE_PIXEL)  # control: the same click away from the markup syncs

    assert probe.count == 1
    assert syncs.count == 1
    assert engine.lastResult.movedNames


@pytest.mark.parametrize("className", sorted(MARKUP_PIXELS))
def test_dragging_a_markup_point_moves_the_point_and_never_syncs(bench, red, engine, className):
    node = addMarkups(bench, red, className, MARKUP_PIXELS[className])
    syncs = SyncCounter(engine)
    before = userState(bench)
    slices = planes(bench)

    red.press(150, 90)
    for x in (155, 162, 170):
        red.move(x, 95)
    red.release(170, 95)

    moved = node.GetNthControlPointPositionWorld(0)
    target = red.pixelToRAS(170, 95)
    assert max(abs(moved[k] - target[k]) for k in range(3)) < 1e-3, "Slicer should have dragged the point"
    assert syncs.count == 0
    assert userState(bench) == before
    assert planes(bench) == slices, "no view may move while a markup point is dragged"

    red.drag([FREE_PIXEL, (60, 200), (80, 190)])  # control: the same drag away from the markup follows

    assert syncs.count == 3


def test_click_on_a_markups_line_between_its_points_is_left_to_sync(bench, red, engine):
    """Slicer 5.12 hovers a line segment but does not take a plain left press on it (only on its points;
    middle-drag translates the line), so the press is free and SliceSync syncs, as for any untaken press."""
    node = addMarkups(bench, red, "vtkMRMLMarkupsLineNode", MARKUP_PIXELS["vtkMRMLMarkupsLineNode"])
    probe = PressProbe(red.interactor)
    syncs = SyncCounter(engine)

    red.move(180, 120)  # the middle of the segment
    hovered = node.GetDisplayNode().GetActiveComponentType()
    red.click(180, 120)

    assert hovered == slicer.vtkMRMLMarkupsDisplayNode.ComponentLine
    assert probe.count == 1
    assert syncs.count == 1
    assert engine.lastResult.movedNames


# -- interaction modes --------------------------------------------------------------------------------------


def startPlacing(bench, persistent: bool) -> slicer.vtkMRMLMarkupsFiducialNode:
    """Put the scene in Place mode with a point list active for placement, as the Markups toolbar does."""
    node = bench.scene.AddNewNodeByClass("vtkMRMLMarkupsFiducialNode")
    node.CreateDefaultDisplayNodes()
    selection = bench.appLogic.GetSelectionNode()
    selection.SetReferenceActivePlaceNodeClassName("vtkMRMLMarkupsFiducialNode")
    selection.SetActivePlaceNodeID(node.GetID())
    interaction = bench.interactionNode
    interaction.SetPlaceModePersistence(1 if persistent else 0)
    interaction.SetCurrentInteractionMode(interaction.Place)
    bench.renderAll()
    return node


def test_placing_markups_never_syncs_and_keeps_place_mode(bench, red, engine):
    engine.setFollowMarkups("off")  # this is about the click gesture; following placed points is tested apart
    node = startPlacing(bench, persistent=True)
    syncs = SyncCounter(engine)
    before = userState(bench)
    slices = planes(bench)

    red.click(100, 100)
    red.drag([(60, 170), (80, 160), (100, 150)])

    assert node.GetNumberOfControlPoints() == 2, "Slicer should have placed a point per click"
    assert syncs.count == 0
    assert engine.lastResult is None
    assert bench.interactionNode.GetCurrentInteractionMode() == bench.interactionNode.Place
    assert userState(bench) == before
    assert planes(bench) == slices

    bench.interactionNode.SetCurrentInteractionMode(bench.interactionNode.ViewTransform)
    red.click(100, 100)  # in ViewTransform mode: now a press on the point just placed, which Slicer takes
    assert syncs.count == 0
    red.click(*FREE_PIXEL)  # control: the same click in ViewTransform mode, off the points, syncs

    assert syncs.count == 1
    assert engine.lastResult.movedNames


def test_single_placement_that_ends_place_mode_does_not_sync_on_its_release(bench, red, engine):
    """Slicer takes the press in Place mode only at release (it places the point then), so SliceSync sees the
    press at -1.0 and must refuse it itself; Slicer then returns to ViewTransform before the release arrives."""
    engine.setFollowMarkups("off")  # this is about the click gesture; following placed points is tested apart
    node = startPlacing(bench, persistent=False)
    probe = PressProbe(red.interactor)
    syncs = SyncCounter(engine)
    slices = planes(bench)

    red.click(100, 100)

    assert probe.count == 1  # the press was not consumed: SliceSync's own interaction-mode check refused it
    assert node.GetNumberOfControlPoints() == 1
    assert bench.interactionNode.GetCurrentInteractionMode() == bench.interactionNode.ViewTransform  # Slicer's doing
    assert syncs.count == 0
    assert planes(bench) == slices

    red.click(*FREE_PIXEL)  # control: the next click, now in ViewTransform mode and off the point, syncs

    assert syncs.count == 1
    assert node.GetNumberOfControlPoints() == 1


def test_window_level_drags_never_sync(bench, red, engine, anatomical):
    interaction = bench.interactionNode
    interaction.SetCurrentInteractionMode(interaction.AdjustWindowLevel)
    display = anatomical.GetDisplayNode()
    windowLevel = (display.GetWindow(), display.GetLevel())
    probe = PressProbe(red.interactor)
    syncs = SyncCounter(engine)
    before = userState(bench)
    slices = planes(bench)

    red.drag([(100, 100), (120, 110), (140, 120)])
    red.click(150, 60)

    assert (display.GetWindow(), display.GetLevel()) != windowLevel, "Slicer should have adjusted window/level"
    assert probe.count == 0
    assert syncs.count == 0
    assert engine.lastResult is None
    assert userState(bench) == before
    assert planes(bench) == slices

    interaction.SetCurrentInteractionMode(interaction.ViewTransform)
    red.drag([(100, 100), (120, 110), (140, 120)])  # control: the same drag in ViewTransform mode follows

    assert syncs.count == 3


# -- Segment Editor effects ---------------------------------------------------------------------------------


def test_paint_stroke_taken_by_an_effect_never_syncs(bench, red, engine):
    effect = PaintLikeEffect(red.interactor, consumes=True)
    probe = PressProbe(red.interactor)
    syncs = SyncCounter(engine)
    before = userState(bench)
    slices = planes(bench)
    stroke = [(90, 90), (100, 95), (115, 100), (130, 110)]

    red.drag(stroke)

    assert effect.strokePositions == [*stroke, stroke[-1]], "the effect should have painted the whole stroke"
    assert probe.count == 0
    assert syncs.count == 0
    assert engine.lastResult is None
    assert userState(bench) == before
    assert planes(bench) == slices
    effect.remove()


def test_stroke_an_effect_does_not_take_syncs_and_follows(bench, red, engine):
    """Control for the test above: the same observer at 1.0 that does not abort lets the stroke through."""
    effect = PaintLikeEffect(red.interactor, consumes=False)
    syncs = SyncCounter(engine)
    stroke = [(90, 90), (100, 95), (115, 100), (130, 110)]

    red.drag(stroke)

    assert len(effect.strokePositions) == len(stroke) + 1
    assert syncs.count == len(stroke)  # the press and each of the three moves
    target = red.pixelToRAS(*stroke[-1])
    assert abs(bench.views["Yellow"].distanceToPlane(target)) < 1e-3
    effect.remove()


# -- interactive slice-intersection handles -----------------------------------------------------------------

# What makes Slicer's vtkMRMLSliceIntersectionWidget take a left press (read in Slicer 5.12's source, seen here):
# - Interactive handles exist only in the widget's interactive representation. The widget picks its
#   representation when it is created and swaps it only on a ModifiedEvent of its slice node, which
#   vtkMRMLApplicationLogic::SetIntersectingSlicesEnabled sends to every slice node after setting the slice
#   display nodes. Setting SetIntersectingSlicesInteractive on the display nodes alone leaves the old,
#   non-interactive representation in place: presses on the lines are then not taken.
# - The representation hides the lines and handles of intersecting views that are not mapped in the layout
#   (vtkMRMLAbstractViewNode::IsMappedInLayout); Slicer's layout manager maps the views it shows, the bench
#   does the same.
# - A plain left press is translated into a handle action only in a hover state (On...Handle) that the
#   preceding mouse move sets when the pointer is within the picking distance of a handle point; a press with
#   no move before it is not taken. No render is needed: the handle positions are recomputed whenever a
#   slice node changes.
# - The picking distance is InteractionSize / 2 + PickingTolerance * ScreenScaleFactor = 10 + 30 * 0.2 = 16
#   pixels around each handle point (the rotate and slice-offset handles are arrows made of several points).
#   Pressing on a line away from its handles is not taken.
# Each handle sits in the view's XY (pixel) frame: the translate handle where the two intersection lines cross,
# a rotate handle at each end of a line (where it meets the view's edge inset by 3 % of the view size), and a
# slice-offset handle halfway between the two.
HANDLE_MARGIN = 0.03
HANDLES = {
    "translate": slicer.vtkMRMLSliceDisplayNode.ComponentTranslateIntersectingSlicesHandle,
    "rotate": slicer.vtkMRMLSliceDisplayNode.ComponentRotateIntersectingSlicesHandle,
    "sliceOffset": slicer.vtkMRMLSliceDisplayNode.ComponentTranslateSingleIntersectingSliceHandle,
}


def crossingPixel(view, other, alongX: bool) -> float:
    """The pixel column (``alongX``) or row where ``other``'s plane crosses ``view``'s middle row (column)."""
    width, height = view.size()
    first, second = ((0, height / 2), (100, height / 2)) if alongX else ((width / 2, 0), (width / 2, 100))
    d0, d1 = other.distanceToPlane(view.pixelToRAS(*first)), other.distanceToPlane(view.pixelToRAS(*second))
    assert abs(d0 - d1) > 1e-6, f"{other.name} does not cross {view.name} there"
    return 100.0 * d0 / (d0 - d1)


def handlePixel(bench, kind: str) -> tuple[int, int]:
    """Where Slicer puts a handle of the Yellow (sagittal) intersection line in the Red (axial) view."""
    red, yellow, green = (bench.views[name] for name in ("Red", "Yellow", "Green"))
    x = crossingPixel(red, yellow, alongX=True)  # Yellow's line is the column x
    crossingY = crossingPixel(red, green, alongX=False)  # Green's line is the row crossingY
    height = red.size()[1]
    assert abs(yellow.distanceToPlane(red.pixelToRAS(x, 0))) < 1e-6
    assert abs(yellow.distanceToPlane(red.pixelToRAS(x, height))) < 1e-6
    bottomHandleY = HANDLE_MARGIN * height
    y = {"translate": crossingY, "rotate": bottomHandleY, "sliceOffset": (bottomHandleY + crossingY) / 2.0}[kind]
    return round(x), round(y)


@pytest.mark.parametrize("kind", sorted(HANDLES))
def test_click_on_a_slice_intersection_handle_does_not_sync(bench, red, engine, kind):
    bench.setInteractiveSliceIntersections(True)
    pixel = handlePixel(bench, kind)
    display = red.sliceLogic.GetSliceDisplayNode()
    probe = PressProbe(red.interactor)
    syncs = SyncCounter(engine)
    before = userState(bench)
    slices = planes(bench)

    red.move(*pixel)  # hovering activates the handle, as the widget requires before it takes a press
    assert display.GetActiveComponentType() == HANDLES[kind], f"no {kind} handle under {pixel}"
    red.click(*pixel)

    assert probe.count == 0, f"Slicer should have consumed the press on the {kind} handle"
    assert syncs.count == 0
    assert engine.lastResult is None
    assert userState(bench) == before
    assert planes(bench) == slices, f"a click on the {kind} handle moves no view"

    red.click(*FREE_PIXEL)  # control: a click away from every handle syncs
    assert display.GetActiveComponentType() == slicer.vtkMRMLSliceDisplayNode.ComponentNone
    assert probe.count == 1
    assert syncs.count == 1

    bench.setInteractiveSliceIntersections(False)
    red.click(*pixel)  # control: without interactive handles the very same pixel syncs
    assert probe.count == 2
    assert syncs.count == 2


def test_dragging_the_intersection_translate_handle_is_slicers_jump_not_a_sync(bench, red, engine):
    bench.setInteractiveSliceIntersections(True)
    x, y = handlePixel(bench, "translate")
    yellow = bench.views["Yellow"]
    syncs = SyncCounter(engine)
    before = userState(bench)

    red.drag([(x, y), (x + 10, y + 5), (x + 20, y + 10)])

    assert syncs.count == 0
    assert abs(yellow.distanceToPlane(red.pixelToRAS(x + 20, y + 10))) < 1e-3, "Slicer should have moved Yellow"
    assert userState(bench) == before


def test_after_a_sync_a_click_on_the_crossing_it_made_is_slicers_translate_handle(bench, red, engine):
    """With interactive intersections on, a sync moves the crossing of the intersection lines (and its translate
    handle) under the clicked pixel: a second click within the handle's 16 pixels is Slicer's, not a sync, and a
    drag from there is Slicer's own jump of all slices. Farther away, clicks sync again."""
    bench.setInteractiveSliceIntersections(True)
    yellow = bench.views["Yellow"]
    syncs = SyncCounter(engine)

    red.click(60, 60)
    assert syncs.count == 1
    redBefore = planes(bench)["Red"]
    red.click(66, 63)
    assert red.sliceLogic.GetSliceDisplayNode().GetActiveComponentType() == HANDLES["translate"]
    assert syncs.count == 1
    # Slicer's translate handle takes the press and moves the crossing under the pointer itself; Red stays.
    assert planes(bench)["Red"] == redBefore
    for name in ("Yellow", "Green"):
        assert abs(bench.views[name].distanceToPlane(red.pixelToRAS(66, 63))) < 1e-3, name
    red.drag([(60, 60), (75, 70), (90, 80)])
    assert syncs.count == 1
    assert abs(yellow.distanceToPlane(red.pixelToRAS(90, 80))) < 1e-3, "Slicer's handle should have moved Yellow"

    red.click(150, 150)  # control: far from the handles, a click syncs
    assert syncs.count == 2


# -- double-click -------------------------------------------------------------------------------------------


def secondPressOfDoubleClick(view, x: int, y: int, delivery: str) -> None:
    """Send the second press of a double-click as Qt's VTK adapter does: older VTK sends a left press with
    repeat count 1; VTK 9 sends LeftButtonDoubleClickEvent (repeat count 1) instead of a press."""
    if delivery == "pressWithRepeatCount":
        view.press(x, y, repeat=1)
        return
    view.interactor.SetEventInformation(x, y, 0, 0, "\0", 1)
    view.interactor.SetAltKey(0)
    view.interactor.InvokeEvent(vtk.vtkCommand.LeftButtonDoubleClickEvent)


@pytest.mark.parametrize("delivery", ["pressWithRepeatCount", "doubleClickEvent"])
def test_second_press_of_a_double_click_does_not_sync(bench, red, engine, delivery):
    syncs = SyncCounter(engine)
    before = userState(bench)

    red.click(100, 100)
    slices = planes(bench)
    secondPressOfDoubleClick(red, 100, 100, delivery)
    red.release(100, 100)

    assert syncs.count == 1
    assert userState(bench) == before
    assert planes(bench) == slices, "the second press of a double-click moves no view"

    red.click(100, 100)  # control: two single clicks sync twice
    red.click(100, 100)
    assert syncs.count == 3
