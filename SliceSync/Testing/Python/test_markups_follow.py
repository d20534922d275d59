"""Following placed (and dragged) markups control points, on real slice views with the real markups widgets.

Points are placed as a user places them: the markups node is made the active place node, the interaction node
is put in Place mode and the mouse moves and clicks in a view; Slicer's markups displayable manager adds the
point. Drags press on the control point in View transform mode and move with the button held.
"""

from __future__ import annotations

import pytest
import slicer
import vtk

from SliceSyncBench import observerCount, planes, userState
from SliceSyncLib import FOLLOW_MODES, SliceSyncEngine

TOLERANCE_MM = 1e-3
POINT_LIST = "vtkMRMLMarkupsFiducialNode"
ROI = "vtkMRMLMarkupsROINode"


def assertPlaneContains(view, point, tolerance=TOLERANCE_MM):
    distance = view.distanceToPlane(point)
    assert abs(distance) <= tolerance, f"{view.name} misses {point} by {distance:.6f} mm"


def assertPlaneMisses(view, point, margin=1.0):
    distance = view.distanceToPlane(point)
    assert abs(distance) > margin, f"{view.name} should not pass through {point} (distance {distance:.6f} mm)"


def controlPoint(node, index=0):
    world = [0.0, 0.0, 0.0]
    node.GetNthControlPointPositionWorld(index, world)
    return tuple(world)


def addMarkupsNode(bench, className=POINT_LIST):
    node = bench.scene.AddNewNodeByClass(className)
    node.CreateDefaultDisplayNodes()
    return node


def startPlacing(bench, node, persistent=False):
    """Make ``node`` the active place node and enter Place mode, as the Markups toolbar does."""
    selection = bench.appLogic.GetSelectionNode()
    selection.SetReferenceActivePlaceNodeClassName(node.GetClassName())
    selection.SetActivePlaceNodeID(node.GetID())
    interaction = bench.interactionNode
    interaction.SetPlaceModePersistence(1 if persistent else 0)
    interaction.SetCurrentInteractionMode(interaction.Place)
    bench.renderAll()


def place(view, x, y):
    """Hover to the pixel (the preview follows the mouse), then click: the point is placed at release."""
    view.move(x - 20, y - 10)
    view.move(x, y)
    view.click(x, y)


def stopPlacing(bench):
    bench.interactionNode.SetCurrentInteractionMode(bench.interactionNode.ViewTransform)
    bench.renderAll()


def dragSteps(view, start, steps):
    """Press on the control point at ``start``, move through ``steps`` with the button held; yield after each."""
    view.move(*start)
    view.press(*start)
    for x, y in steps:
        view.move(x, y)
        yield x, y
    view.release(*steps[-1])


@pytest.fixture
def views(bench, anatomical):
    return bench.views["Red"], bench.views["Yellow"], bench.views["Green"]


def placePoint(bench, red, pixel=(150, 90)):
    node = addMarkupsNode(bench)
    startPlacing(bench, node)
    place(red, *pixel)
    stopPlacing(bench)
    return node


# -- placing ----------------------------------------------------------------------------------------------


def test_follow_markups_defaults_to_place(bench, engine):
    assert engine.followMarkups() == "place"
    assert FOLLOW_MODES == ("off", "place", "placeAndDrag")


@pytest.mark.parametrize("mode", ["place", "placeAndDrag"])
def test_placing_a_point_moves_the_other_views_through_it_and_not_the_view_it_was_placed_in(bench, views, engine, mode):
    red, yellow, green = views
    engine.setFollowMarkups(mode)
    node = addMarkupsNode(bench)  # added after the engine was enabled
    startPlacing(bench, node)
    redBefore = red.sliceToRAS()
    expected = red.pixelToRAS(150, 90)
    assertPlaneMisses(yellow, expected)
    assertPlaneMisses(green, expected)

    place(red, 150, 90)

    assert node.GetNumberOfControlPoints() == 1
    point = controlPoint(node)
    assert point == pytest.approx(expected, abs=TOLERANCE_MM)
    assertPlaneContains(yellow, point)
    assertPlaneContains(green, point)
    assert red.sliceToRAS() == redBefore
    assert engine.lastResult.sourceName == "Red"
    assert sorted(engine.lastResult.movedNames) == ["Green", "Yellow"]
    assert engine.readout().ras == pytest.approx(point, abs=1e-9)


def test_placing_follows_a_node_that_existed_before_sync_was_enabled(bench, views):
    red, yellow, green = views
    node = addMarkupsNode(bench)
    engine = SliceSyncEngine(bench.scene)
    try:
        for view in bench.views.values():
            engine.addView(view.sliceNode, view.interactor)
        engine.setEnabled(True)
        startPlacing(bench, node)

        place(yellow, 100, 160)

        point = controlPoint(node)
        assertPlaneContains(red, point)
        assertPlaneContains(green, point)
        assert engine.lastResult.sourceName == "Yellow"
    finally:
        engine.cleanup()


def test_off_follows_no_placed_point(bench, views, engine):
    red, yellow, green = views
    engine.setFollowMarkups("off")
    node = addMarkupsNode(bench)
    startPlacing(bench, node, persistent=True)
    before = planes(bench)

    place(red, 150, 90)
    place(red, 60, 170)

    assert node.GetNumberOfControlPoints() == 2
    assert planes(bench) == before
    assert engine.lastResult is None


def test_the_preview_of_a_point_being_placed_moves_nothing(bench, views, engine):
    red, yellow, green = views
    engine.setFollowMarkups("placeAndDrag")
    node = addMarkupsNode(bench)
    startPlacing(bench, node)
    before = planes(bench)

    for x, y in [(40, 40), (150, 90), (200, 180)]:
        red.move(x, y)
        yellow.move(x, y)
    red.press(120, 120)  # Slicer places the point at release: a press and moves are still the preview
    red.move(130, 125)

    assert node.GetNumberOfControlPoints() == 1, "the preview point should exist"
    assert node.GetNthControlPointPositionStatus(0) == slicer.vtkMRMLMarkupsNode.PositionPreview
    assert planes(bench) == before
    assert engine.lastResult is None

    red.release(130, 125)  # control: now it is placed, and followed

    assertPlaneContains(yellow, controlPoint(node))


def test_points_added_by_a_script_are_not_followed(bench, views, engine):
    red, yellow, green = views
    engine.setFollowMarkups("placeAndDrag")
    node = addMarkupsNode(bench)
    before = planes(bench)

    node.AddControlPoint(vtk.vtkVector3d(*red.pixelToRAS(150, 90)))
    node.SetNthControlPointPosition(0, *red.pixelToRAS(60, 60))

    assert planes(bench) == before
    assert engine.lastResult is None


def test_placing_moves_only_views_of_the_view_group_it_was_placed_in(bench, views, engine):
    red, yellow, green = views
    blue = bench.addView("Blue", "Sagittal", viewGroup=1)
    bench.showVolume(bench.scene.GetFirstNodeByClass("vtkMRMLScalarVolumeNode"), [blue])
    engine.addView(blue.sliceNode, blue.interactor)
    blueBefore = blue.sliceToRAS()
    node = addMarkupsNode(bench)
    startPlacing(bench, node)

    place(red, 150, 90)

    point = controlPoint(node)
    assertPlaneContains(yellow, point)
    assertPlaneMisses(blue, point)
    assert blue.sliceToRAS() == blueBefore


# -- dragging ---------------------------------------------------------------------------------------------


def test_place_does_not_follow_a_dragged_point(bench, views, engine):
    red, yellow, green = views
    node = placePoint(bench, red)
    placed = controlPoint(node)
    before = planes(bench)

    for _ in dragSteps(red, (150, 90), [(160, 100), (175, 115)]):
        pass

    moved = controlPoint(node)
    assert moved != pytest.approx(placed, abs=1.0), "Slicer should have moved the point"
    assert planes(bench) == before
    assertPlaneContains(yellow, placed)


def test_place_and_drag_follows_each_step_of_a_dragged_point(bench, views, engine):
    red, yellow, green = views
    engine.setFollowMarkups("placeAndDrag")
    node = placePoint(bench, red)
    redBefore = red.sliceToRAS()
    steps = 0

    for _ in dragSteps(red, (150, 90), [(160, 100), (175, 115), (190, 140)]):
        point = controlPoint(node)
        assertPlaneContains(yellow, point)
        assertPlaneContains(green, point)
        steps += 1

    final = controlPoint(node)
    assert steps == 3
    assert final == pytest.approx(red.pixelToRAS(190, 140), abs=TOLERANCE_MM)
    assertPlaneContains(yellow, final)
    assertPlaneContains(green, final)
    assert red.sliceToRAS() == redBefore


def test_switching_to_place_stops_following_drags(bench, views, engine):
    red, yellow, green = views
    engine.setFollowMarkups("placeAndDrag")
    node = placePoint(bench, red)
    engine.setFollowMarkups("place")
    before = planes(bench)

    for _ in dragSteps(red, (150, 90), [(170, 110)]):
        pass

    assert controlPoint(node) == pytest.approx(red.pixelToRAS(170, 110), abs=TOLERANCE_MM)
    assert planes(bench) == before


# -- an ROI -----------------------------------------------------------------------------------------------


def test_placing_an_roi_follows_its_first_corner_then_its_centre(bench, views, engine):
    red, yellow, green = views
    roi = addMarkupsNode(bench, ROI)
    startPlacing(bench, roi)
    corner = red.pixelToRAS(110, 100)

    place(red, 110, 100)

    assertPlaneContains(yellow, corner)
    assertPlaneContains(green, corner)

    red.move(150, 130)
    red.move(170, 150)  # the second corner's preview: nothing moves
    assertPlaneContains(yellow, corner)
    red.click(170, 150)

    assert roi.GetNumberOfControlPoints() == 1
    centre = controlPoint(roi)
    farCorner = red.pixelToRAS(170, 150)
    assert centre == pytest.approx(tuple((corner[k] + farCorner[k]) / 2 for k in range(3)), abs=TOLERANCE_MM)
    assertPlaneContains(yellow, centre)
    assertPlaneContains(green, centre)


@pytest.mark.parametrize("mode", ["off", "place", "placeAndDrag"])
def test_dragging_an_roi_is_followed_only_with_place_and_drag(bench, views, engine, mode):
    red, yellow, green = views
    roi = addMarkupsNode(bench, ROI)
    startPlacing(bench, roi)
    place(red, 110, 100)
    place(red, 170, 150)
    stopPlacing(bench)
    engine.setFollowMarkups(mode)
    before = planes(bench)
    x, y = (int(round(c)) for c in red.rasToPixel(controlPoint(roi)))

    for _ in dragSteps(red, (x, y), [(x + 10, y + 8), (x + 25, y + 20)]):
        if mode == "placeAndDrag":
            assertPlaneContains(yellow, controlPoint(roi))

    moved = controlPoint(roi)
    assert moved == pytest.approx(red.pixelToRAS(x + 25, y + 20), abs=TOLERANCE_MM), "Slicer should move the ROI"
    if mode == "placeAndDrag":
        assertPlaneContains(yellow, moved)
        assertPlaneContains(green, moved)
    else:
        assert planes(bench) == before


# -- guards -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["Place", "drag", "", None, 1, True])
def test_an_unknown_follow_mode_is_refused(engine, mode):
    with pytest.raises(ValueError, match="follow-markups mode"):
        engine.setFollowMarkups(mode)
    assert engine.followMarkups() == "place"


def followed(node):
    """Whether a markups node carries interaction observers; nothing in Slicer's bench observes these but SliceSync."""
    markups = slicer.vtkMRMLMarkupsNode
    return (
        bool(node.HasObserver(markups.PointStartInteractionEvent)),
        bool(node.HasObserver(markups.PointEndInteractionEvent)),
    )


def test_markups_observers_exist_only_while_enabled_and_following_and_are_removed_by_cleanup(bench, views):
    node = addMarkupsNode(bench)
    sceneBaseline = observerCount(bench.scene)
    assert followed(node) == (False, False)
    engine = SliceSyncEngine(bench.scene)
    engineScene = observerCount(bench.scene)
    for view in bench.views.values():
        engine.addView(view.sliceNode, view.interactor)
    assert followed(node) == (False, False), "nothing is observed before sync is enabled"

    engine.setEnabled(True)
    following = (observerCount(bench.scene), followed(node))
    later = addMarkupsNode(bench)
    laterFollowed = followed(later)
    engine.setFollowMarkups("off")
    off = (observerCount(bench.scene), followed(node), followed(later))
    engine.setFollowMarkups("placeAndDrag")
    engine.setEnabled(False)
    disabled = (observerCount(bench.scene), followed(node), followed(later))
    engine.setEnabled(True)
    engine.cleanup()

    assert following == (engineScene + 2, (True, True))
    assert laterFollowed == (True, True)
    assert off == (engineScene, (False, False), (False, False))
    assert disabled == off
    assert observerCount(bench.scene) == sceneBaseline
    assert followed(node) == followed(later) == (False, False)


def test_following_markups_leaves_the_users_state_alone(bench, views, engine):
    red, yellow, green = views
    engine.setFollowMarkups("placeAndDrag")
    node = addMarkupsNode(bench)
    startPlacing(bench, node, persistent=True)
    placing = userState(bench)

    place(red, 150, 90)
    place(yellow, 100, 160)

    assert userState(bench) == placing
    stopPlacing(bench)
    transforming = userState(bench)
    for _ in dragSteps(red, (150, 90), [(165, 105)]):
        pass
    assert userState(bench) == transforming


def test_a_removed_markups_node_is_forgotten_and_others_still_followed(bench, views, engine):
    red, yellow, green = views
    first = addMarkupsNode(bench)
    bench.scene.RemoveNode(first)
    node = addMarkupsNode(bench)
    startPlacing(bench, node)

    place(red, 150, 90)

    assertPlaneContains(yellow, controlPoint(node))
    assert followed(first) == (False, False)


# -- the cursor and its history ---------------------------------------------------------------------------


def test_a_placed_point_becomes_the_cursor_and_one_history_entry(bench, views, engine):
    red, yellow, green = views
    node = addMarkupsNode(bench)
    startPlacing(bench, node, persistent=True)

    place(red, 150, 90)
    place(red, 60, 170)

    points = [controlPoint(node, 0), controlPoint(node, 1)]
    assert engine.cursorRAS() == pytest.approx(points[1], abs=1e-9)
    assert [tuple(p) for p in engine.history()] == [pytest.approx(p, abs=1e-9) for p in points]


def test_a_followed_drag_adds_its_end_point_to_the_history_once(bench, views, engine):
    red, yellow, green = views
    engine.setFollowMarkups("placeAndDrag")
    node = placePoint(bench, red)
    placed = controlPoint(node)

    for _ in dragSteps(red, (150, 90), [(160, 100), (175, 115), (190, 140)]):
        assert engine.cursorRAS() == pytest.approx(controlPoint(node), abs=1e-9)

    end = controlPoint(node)
    assert [tuple(p) for p in engine.history()] == [pytest.approx(placed, abs=1e-9), pytest.approx(end, abs=1e-9)]
    assert engine.historyIndex() == 1


@pytest.mark.parametrize(
    "className",
    [
        "vtkMRMLMarkupsLineNode",
        "vtkMRMLMarkupsAngleNode",
        "vtkMRMLMarkupsCurveNode",
        "vtkMRMLMarkupsClosedCurveNode",
        "vtkMRMLMarkupsPlaneNode",
    ],
)
def test_placing_the_points_of_any_markups_kind_is_followed_point_by_point(bench, views, engine, className):
    red, yellow, green = views
    node = addMarkupsNode(bench, className)
    startPlacing(bench, node, persistent=True)

    for pixel in [(110, 100), (170, 150)]:
        point = red.pixelToRAS(*pixel)
        assertPlaneMisses(yellow, point)
        place(red, *pixel)
        assert node.GetNumberOfDefinedControlPoints() >= 1
        assertPlaneContains(yellow, point)
        assertPlaneContains(green, point)
