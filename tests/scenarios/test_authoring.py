"""scenarios.authoring: scenariogeneration's output written in the XSD of its revision."""

from __future__ import annotations

import pytest
from esmini_csv import REFERENCE
from lxml import etree

from scenarios.authoring import write_xosc, xosc_bytes
from scenarios.check import check_scenario

xosc = pytest.importorskip("scenariogeneration.xosc")
XODR = (REFERENCE / "resources" / "xodr" / "straight_500m.xodr").resolve()


def light_scenario(rev_minor: int = 2):
    """Ego on the straight road; at 1 s it switches its low beam on (LightStateAction, 1.2)."""
    bb = xosc.BoundingBox(2.0, 4.5, 1.5, 1.4, 0.0, 0.75)
    axle = xosc.Axle(0.5, 0.8, 1.7, 2.8, 0.4)
    ego = xosc.Vehicle("car", xosc.VehicleCategory.car, bb, axle, xosc.Axle(0, 0.8, 1.7, 0, 0.4),
                       60, 5, 10)
    entities = xosc.Entities()
    entities.add_scenario_object("Ego", ego)
    init = xosc.Init()
    init.add_init_action("Ego", xosc.TeleportAction(xosc.LanePosition(10, 0, -1, "1")))
    init.add_init_action("Ego", xosc.AbsoluteSpeedAction(
        10, xosc.TransitionDynamics(xosc.DynamicsShapes.step, xosc.DynamicsDimension.time, 0)))
    event = xosc.Event("lights", xosc.Priority.override)
    event.add_action("low_beam", xosc.LightStateAction(xosc.VehicleLightType.lowBeam,
                                                       xosc.LightMode.on))
    event.add_trigger(xosc.ValueTrigger("at1", 0, xosc.ConditionEdge.rising,
                                        xosc.SimulationTimeCondition(1, xosc.Rule.greaterThan)))
    maneuver = xosc.Maneuver("m")
    maneuver.add_event(event)
    group = xosc.ManeuverGroup("g")
    group.add_actor("Ego")
    group.add_maneuver(maneuver)
    act = xosc.Act("act", xosc.ValueTrigger("go", 0, xosc.ConditionEdge.none,
                                            xosc.SimulationTimeCondition(0, xosc.Rule.greaterThan)))
    act.add_maneuver_group(group)
    story = xosc.Story("story")
    story.add_act(act)
    stop = xosc.ValueTrigger("end", 0, xosc.ConditionEdge.rising,
                             xosc.SimulationTimeCondition(3, xosc.Rule.greaterThan), "stop")
    sb = xosc.StoryBoard(init, stop)
    sb.add_story(story)
    return xosc.Scenario("lights", "tests", xosc.ParameterDeclarations(), entities, sb,
                         xosc.RoadNetwork(str(XODR)), xosc.Catalog(), osc_minor_version=rev_minor)


def test_light_type_comes_before_light_state_and_the_file_checks_clean(tmp_path):
    """New-user pass 10: a LightStateAction written by scenariogeneration failed `scenario
    check` (LightState before LightType, against the 1.2 XSD) while `run` took it; the fix
    lived only in the Wuhan generator's source."""
    path = write_xosc(light_scenario(), tmp_path / "lights.xosc")
    action = etree.fromstring(path.read_bytes()).find(".//LightStateAction")
    assert [c.tag for c in action] == ["LightType", "LightState"]
    assert [i.format() for i in check_scenario(path) if i.severity == "error"] == []


def test_an_empty_act_stop_trigger_is_dropped_and_overwrite_becomes_override():
    sc = light_scenario()
    root = etree.fromstring(xosc_bytes(sc))
    assert root.xpath("//Act/StopTrigger") == []
    assert root.xpath("//Event/@priority") == ["override"]


def test_a_document_without_file_header_is_refused():
    class NotAScenario:
        def get_element(self):
            from xml.etree import ElementTree as ET
            return ET.Element("OpenSCENARIO")
    with pytest.raises(ValueError, match="no FileHeader"):
        xosc_bytes(NotAScenario())
