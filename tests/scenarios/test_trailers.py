"""Trailers (OpenSCENARIO 1.3 TrailerHitch / TrailerCoupler / Trailer, TrailerAction): reading,
errors with file/line/element, esmini's towing law, connect/disconnect, contacts.

Hand-computed values on the straight fake road (``fake_net.StraightNet``: lane -1 centre at
y = -1.75 driven towards +x, lane 1 centre at y = +1.75 driven towards -x). The conformance
with esmini's lane_change.xosc run is in ``test_esmini_conformance.py``.
"""

from __future__ import annotations

import math

import pytest
from builders import at, event, run, sim_time, speed_action, story, teleport, trigger, write
from esmini_csv import REFERENCE
from fake_net import StraightNet

from scenarios import ScenarioEngine, ScenarioError, load_scenario
from scenarios.check import check_scenario
from scenarios.trailers import drag
from testzone.world import EntityKind, EntityState, Pose

CATALOGS = (REFERENCE / "resources" / "xosc" / "Catalogs" / "Vehicles").resolve()
STOP = trigger(sim_time(4, name="stop"), kind="StopTrigger")
BOX = ('<BoundingBox><Center x="{cx}" y="0" z="1"/><Dimensions width="2" length="{length}" '
       'height="2"/></BoundingBox><Performance maxSpeed="40" maxAcceleration="5" '
       'maxDeceleration="10"/><Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.8" '
       'trackWidth="1.7" positionX="3" positionZ="0.4"/><RearAxle maxSteering="0" '
       'wheelDiameter="0.8" trackWidth="1.7" positionX="0" positionZ="0.4"/></Axles>')


def vehicle(name: str, category: str = "car", cx: float = 1.5, length: float = 5.0,
            inner: str = "") -> str:
    """A Vehicle element (box centre ``cx``, ``length`` [m]) with extra children ``inner``."""
    return (f'<Vehicle name="{name}" vehicleCategory="{category}">'
            f'{BOX.format(cx=cx, length=length)}{inner}</Vehicle>')


def inline_trailer(name: str = "wagon", coupler: str = '<TrailerCoupler dx="4"/>',
                   inner: str = "") -> str:
    """A ``Trailer`` holding an inline Trailer (ScenarioObject) of a 6 m long trailer."""
    return (f'<Trailer><Trailer name="{name}">'
            f'{vehicle(name, "trailer", 2.0, 6.0, coupler + inner)}</Trailer></Trailer>')


TRUCK = vehicle("truck", "truck", inner='<TrailerHitch dx="-1"/>' + inline_trailer())
"""A 5 m tow vehicle (box [-1, 4] m) with its hitch 1 m behind its reference point, towing a
6 m trailer (box [-1, 5] m) whose coupler is 4 m ahead of its reference point."""


def document(objects: str, init: str, stories: str = "", rev: int = 3) -> str:
    """A scenario with the given ScenarioObjects, esmini's vehicle catalog available."""
    return (f'<?xml version="1.0"?>\n<OpenSCENARIO>\n<FileHeader revMajor="1" revMinor="{rev}" '
            f'date="2024-01-01T00:00:00" description="trailers" author="tests"/>\n'
            f'<CatalogLocations><VehicleCatalog><Directory path="{CATALOGS}"/></VehicleCatalog>'
            f'</CatalogLocations>\n<RoadNetwork/>\n<Entities>\n{objects}\n</Entities>\n'
            f'<Storyboard><Init><Actions>{init}</Actions></Init>{stories}{STOP}</Storyboard>\n'
            f'</OpenSCENARIO>\n')


def obj(name: str, body: str) -> str:
    return f'<ScenarioObject name="{name}">{body}</ScenarioObject>'


def line_of(text: str, marker: str) -> int:
    return text.count("\n", 0, text.index(marker)) + 1


# ------------------------------------------------------------------ reading
def test_esmini_truck_with_two_trailers_reads_as_three_entities():
    """lane_change.xosc's Truck (catalog entry semi_truck_with_extra_trailer): the inline
    trailers become Truck+ and Truck++ (esmini's names, its CSV header and log), listed after
    the Truck, with the catalog's boxes, hitches and couplers."""
    sc = load_scenario(REFERENCE / "resources" / "xosc" / "lane_change.xosc")
    assert list(sc.entities) == ["Ego", "Truck", "Truck+", "Truck++"]
    truck, semi, extra = (sc.entities[n] for n in ("Truck", "Truck+", "Truck++"))
    assert (truck.hitch, truck.coupler, truck.trailer) == (1.0, None, "Truck+")
    assert (semi.hitch, semi.coupler, semi.trailer) == (-3.2, 7.0, "Truck++")
    assert (extra.hitch, extra.coupler, extra.trailer) == (None, 9.5, None)
    assert (semi.category, semi.box.cx, semi.box.length) == ("trailer", 2.56, 11.23)
    assert (extra.box.cx, extra.box.length, extra.box.width) == (3.06, 11.23, 2.6)


def test_trailer_from_catalog_reference_and_trailer_ref(tmp_path):
    """An inline Trailer holding a CatalogReference (esmini's semi_truck -> semi_trailer) and a
    TrailerRef given by a ParameterAssignment naming a declared entity (car_white with
    $TrailerRef); an empty TrailerRef (the catalog's default) is no trailer."""
    objects = (obj("Semi", '<CatalogReference catalogName="VehicleCatalog" '
                           'entryName="semi_truck"/>')
               + obj("Car", '<CatalogReference catalogName="VehicleCatalog" '
                            'entryName="car_white"><ParameterAssignments><ParameterAssignment '
                            'parameterRef="TrailerRef" value="Wagon"/></ParameterAssignments>'
                            '</CatalogReference>')
               + obj("Wagon", '<CatalogReference catalogName="VehicleCatalog" '
                              'entryName="car_trailer"/>')
               + obj("Plain", '<CatalogReference catalogName="VehicleCatalog" '
                              'entryName="car_white"/>'))
    sc = load_scenario(write(tmp_path, document(objects, "")))
    assert list(sc.entities) == ["Semi", "Semi+", "Car", "Wagon", "Plain"]
    assert sc.entities["Semi"].trailer == "Semi+"
    assert sc.entities["Semi+"].coupler == 7.0 and sc.entities["Semi+"].trailer is None
    assert (sc.entities["Car"].hitch, sc.entities["Car"].trailer) == (-1.2, "Wagon")
    assert sc.entities["Wagon"].coupler == 3.25
    assert sc.entities["Plain"].trailer is None


TWICE = (obj("A", vehicle("a", inner='<TrailerHitch dx="-1"/><Trailer><TrailerRef '
                                      'entityRef="W"/></Trailer>'))
         + "\n" + obj("B", vehicle("b", inner='<TrailerHitch dx="-1"/><Trailer><TrailerRef '
                                               'entityRef="W"/></Trailer>'))
         + obj("W", vehicle("w", inner='<TrailerCoupler dx="1"/>')))
"""Two vehicles whose TrailerRefs name the same trailer (the second is refused)."""

BAD = [
    # (objects, marker of the offending element, element, message)
    (obj("T", vehicle("t", inner=inline_trailer())), "<Trailer>", "Trailer",
     "no TrailerHitch"),
    (obj("T", vehicle("t", inner='<TrailerHitch dx="-1"/>' + inline_trailer(coupler=""))),
     '<Trailer name="wagon">', "Trailer", "'T+' has no TrailerCoupler"),
    (obj("T", vehicle("t", inner='<TrailerHitch dx="-1"/><Trailer><Trailer name="p">'
                                  '<Pedestrian name="p" pedestrianCategory="pedestrian" '
                                  'mass="80"><BoundingBox><Center x="0" y="0" z="1"/>'
                                  '<Dimensions width="1" length="1" height="2"/></BoundingBox>'
                                  '<Properties/></Pedestrian></Trailer></Trailer>')),
     '<Trailer name="p">', "Trailer", "'T+' is no Vehicle"),
    (obj("T", vehicle("t", inner='<TrailerHitch dx="-1"/><Trailer><TrailerRef '
                                  'entityRef="Ghost"/></Trailer>')), "<TrailerRef", "TrailerRef",
     "unknown entity 'Ghost'"),
    (obj("T", vehicle("t", inner='<TrailerHitch dx="-1"/><TrailerCoupler dx="1"/><Trailer>'
                                  '<TrailerRef entityRef="T"/></Trailer>')), "<TrailerRef",
     "TrailerRef", "cannot tow itself"),
    (obj("T", vehicle("t", inner='<TrailerHitch dx="-1"/><Trailer><TrailerRef entityRef="U"/>'
                                  '</Trailer>')) + obj("U", vehicle("u")), "<TrailerRef",
     "TrailerRef", "'U' has no TrailerCoupler"),
    (obj("A", vehicle("a", inner='<TrailerHitch dx="-1"/><TrailerCoupler dx="1"/><Trailer>'
                                  '<TrailerRef entityRef="B"/></Trailer>'))
     + obj("B", vehicle("b", inner='<TrailerHitch dx="-1"/><TrailerCoupler dx="1"/><Trailer>'
                                    '<TrailerRef entityRef="A"/></Trailer>')),
     '<TrailerRef entityRef="A"', "TrailerRef", "tow each other"),
    (obj("T+", vehicle("x")) + obj("T", TRUCK), '<Trailer name="wagon">', "Trailer",
     "named 'T+' (esmini's naming), a name already declared"),
    (obj("T", TRUCK) + obj("T+", vehicle("x")), '<ScenarioObject name="T+">', "ScenarioObject",
     "the name esmini gives the trailer of 'T'"),
    (obj("T", vehicle("t", inner='<TrailerHitch dx="-1"/><Trailer><Sedan/></Trailer>')),
     "<Sedan/>", "Sedan", "expected Trailer (inline) or TrailerRef"),
    (obj("T", vehicle("t", inner='<TrailerHitch dx="${1/0}"/>')), "<TrailerHitch", "TrailerHitch",
     "bad expression"),
]


@pytest.mark.parametrize("objects, marker, element, message", BAD)
def test_bad_trailers_name_file_line_element(tmp_path, objects, marker, element, message):
    text = document(objects, "")
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert message in str(info.value)
    assert (info.value.file, info.value.element) == (str(path.resolve()), element)
    assert info.value.line == line_of(text, marker)


def test_bad_twice_towed_trailer_points_at_the_second_tow(tmp_path):
    text = document(TWICE, "")
    with pytest.raises(ScenarioError, match="'W' is already the trailer of 'A'") as info:
        load_scenario(write(tmp_path, text))
    assert (info.value.element, info.value.line) == ("TrailerRef",
                                                     line_of(text, '<ScenarioObject name="B">'))


# ------------------------------------------------------------------ motion
def truck_run(tmp_path, stories: str = "", objects: str = "", init: str = "", until=4.0):
    text = document(obj("T", TRUCK) + objects, teleport("T", -1, 100, speed=10) + init,
                    stories)
    return run(write(tmp_path, text), until=until)


def test_teleport_lines_trailer_up_behind_and_straight_run_keeps_it_there(tmp_path):
    """Hitch 1 m behind the truck, coupler 4 m ahead of the trailer's reference point: the
    trailer's reference point stays 5 m behind the truck's on a straight lane, heading and
    speed the truck's; it is reported on the truck's lane."""
    worlds, events, _ = truck_run(tmp_path)
    for w in worlds:
        t, tr = w.entities["T"], w.entities["T+"]
        assert (tr.pose.x, tr.pose.y) == pytest.approx((t.pose.x - 5.0, -1.75), abs=1e-9)
        assert tr.pose.h == pytest.approx(0.0, abs=1e-12) and tr.speed == 10.0
        assert (tr.lane.road_id, tr.lane.lane_id) == ("R", -1)
    assert at(worlds, 0.0).entities["T+"].pose.x == pytest.approx(95.0)
    assert at(worlds, 2.0).entities["T+"].pose.x == pytest.approx(115.0)
    assert not [e for e in events if e.kind == "collision"]     # tow and trailer overlap 1 m


def test_drag_law_hand_computed(tmp_path):
    """esmini's step: hitch H = (49, -1.75) (truck at x = 50 heading 0, hitch dx -1); the
    trailer stood at P = (45, 1.25), so P - H = (-4, 3), |P - H| = 5: its reference point goes
    to H + 4/5 (-4, 3) = (45.8, 0.65) and its heading points at the hitch: atan2(3, -4) + pi
    = -atan(3/4); speed 12 = the truck's. At y = 0.65 it is on lane 1, against its direction."""
    text = document(obj("T", TRUCK), teleport("T", -1, 50))
    eng = ScenarioEngine(load_scenario(write(tmp_path, text)), StraightNet())
    eng.initialize()
    truck, trailer = eng.rt.mover("T"), eng.rt.mover("T+")
    truck.speed = 12.0
    trailer.pose = Pose(45.0, 1.25, 0.0, 0.3)
    drag(eng.rt)
    assert (trailer.pose.x, trailer.pose.y) == pytest.approx((45.8, 0.65), abs=1e-12)
    assert trailer.pose.h == pytest.approx(-math.atan(0.75), abs=1e-12)
    assert trailer.speed == 12.0
    assert (trailer.lane.lane_id, trailer.reverse) == (1, True)
    assert trailer.lane.offset == pytest.approx(0.65 - 1.75)


def test_lane_change_drags_trailer_heading_behind(tmp_path):
    """The truck changes from lane -2 to lane -1 (sinusoidal, 2 s, from 1 s on): the
    trailer's heading lags the truck's (it peaks later and lower), its coupler stays on the
    hitch at every step, and it ends in lane -1 nearly straight again."""
    lc = ('<Action name="lc"><PrivateAction><LateralAction><LaneChangeAction>'
          '<LaneChangeActionDynamics dynamicsShape="sinusoidal" value="2" '
          'dynamicsDimension="time"/><LaneChangeTarget><AbsoluteTargetLane value="-1"/>'
          '</LaneChangeTarget></LaneChangeAction></LateralAction></PrivateAction></Action>')
    text = document(obj("T", TRUCK), teleport("T", -2, 100, speed=10),
                    story(event("LC", lc, trigger(sim_time(1))), actor="T"))
    worlds, _, _ = run(write(tmp_path, text), until=4.0)
    headings = [(w.entities["T"].pose.h, w.entities["T+"].pose.h) for w in worlds]
    peak_truck = max(range(len(worlds)), key=lambda i: headings[i][0])
    peak_trailer = max(range(len(worlds)), key=lambda i: headings[i][1])
    assert peak_trailer > peak_truck
    assert 0 < headings[peak_trailer][1] < headings[peak_truck][0]
    for w in worlds:
        t, tr = w.entities["T"], w.entities["T+"]
        hx, hy = t.pose.x - math.cos(t.pose.h), t.pose.y - math.sin(t.pose.h)
        cx, cy = tr.pose.x + 4 * math.cos(tr.pose.h), tr.pose.y + 4 * math.sin(tr.pose.h)
        assert math.hypot(hx - cx, hy - cy) < 1e-9
    final = worlds[-1].entities["T+"]
    assert final.lane.lane_id == -1 and abs(final.pose.h) < 0.02


WAGON = obj("W", vehicle("w", "trailer", 2.0, 6.0, '<TrailerCoupler dx="3"/>'))
CAR = obj("C", vehicle("c", inner='<TrailerHitch dx="-1"/>'))


def trailer_action(name: str, inner: str) -> str:
    return (f'<Action name="{name}"><PrivateAction><TrailerAction>{inner}</TrailerAction>'
            f'</PrivateAction></Action>')


def test_connect_then_disconnect_trailer_action(tmp_path):
    """ConnectTrailerAction starts at 1.05 s: in that step (world at 1.10 s) the wagon,
    standing at x = 30, is pulled onto the car's hitch (its reference point 4 m behind the
    car's: hitch 1 + coupler 3) and moves with it; DisconnectTrailerAction at 2.05 s: from the
    world at 2.10 s the wagon goes on by itself at 10 m/s along its lane, 4 m behind the car."""
    stories = story(event("Connect", trailer_action("c", '<ConnectTrailerAction '
                                                         'trailerRef="W"/>'),
                          trigger(sim_time(1))) +
                    event("Free", trailer_action("d", "<DisconnectTrailerAction/>"),
                          trigger(sim_time(2)), "parallel"), actor="C")
    text = document(CAR + WAGON, teleport("C", -1, 50, speed=10) + teleport("W", -1, 30),
                    stories)
    worlds, events, _ = run(write(tmp_path, text), until=4.0)
    assert [(e.t, e.kind, e.data) for e in events if e.kind.startswith("trailer_")] == [
        (pytest.approx(1.05), "trailer_connected", {"tow": "C", "trailer": "W"}),
        (pytest.approx(2.05), "trailer_disconnected", {"tow": "C", "trailer": "W"})]
    assert at(worlds, 1.05).entities["W"].pose.x == pytest.approx(30.0)
    assert at(worlds, 1.05).entities["W"].speed == 0.0
    for t in (1.1, 1.5, 2.0, 2.05, 2.1, 3.0, 4.0):
        w = at(worlds, t)
        assert w.entities["W"].pose.x == pytest.approx(w.entities["C"].pose.x - 4.0), t
        assert w.entities["W"].speed == 10.0
    assert at(worlds, 4.0).entities["W"].pose.x == pytest.approx(50 + 10 * 4.0 - 4.0)


def test_connect_without_hitch_names_the_action(tmp_path):
    stories = story(event("Connect", trailer_action("c", '<ConnectTrailerAction '
                                                         'trailerRef="W"/>'),
                          trigger(sim_time(1))), actor="W")
    text = document(CAR + WAGON, teleport("C", -1, 50) + teleport("W", -1, 30), stories)
    with pytest.raises(ScenarioError, match="'W' has no TrailerHitch") as info:
        run(write(tmp_path, text), until=2.0)
    assert info.value.line == line_of(text, '<Action name="c">')
    assert info.value.element == "ConnectTrailerAction"


@pytest.mark.parametrize("ref, message", [("", "trailerRef is empty"),
                                          ("Ghost", "unknown entity 'Ghost'")])
def test_connect_bad_trailer_ref_fails_loading(tmp_path, ref, message):
    stories = story(event("Connect", trailer_action("c", f'<ConnectTrailerAction '
                                                         f'trailerRef="{ref}"/>'),
                          trigger(sim_time(1))), actor="C")
    text = document(CAR + WAGON, "", stories)
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario(write(tmp_path, text))
    assert info.value.line == line_of(text, "<ConnectTrailerAction")


def test_car_running_into_trailer_collides_with_the_trailer(tmp_path):
    """The truck stands at x = 100 (box [99, 104]; its trailer's box spans x = [94, 100]); a
    car (box [x - 1, x + 4]) drives at 10 m/s from x = 60 in the same lane, through both:
    contact with the trailer at x = 90 (t = 3.00 s), with the truck at x = 95 (3.50 s); the
    truck and its trailer, which overlap by 1 m, do not collide."""
    text = document(obj("C", vehicle("c")) + obj("T", TRUCK),
                    teleport("C", -1, 60, speed=10) + teleport("T", -1, 100, speed=0))
    worlds, events, _ = run(write(tmp_path, text), until=4.0)
    hits = [(e.t, e.kind, e.data) for e in events if e.kind == "collision"]
    assert hits == [(pytest.approx(3.0), "collision", {"a": "C", "b": "T+"}),
                    (pytest.approx(3.5), "collision", {"a": "C", "b": "T"})]
    assert set(at(worlds, 3.0).entities) == {"C", "T", "T+"}


def test_delete_and_add_entity_takes_its_trailers_along(tmp_path):
    delete = ('<Action name="del"><GlobalAction><EntityAction entityRef="T">'
              '<DeleteEntityAction/></EntityAction></GlobalAction></Action>')
    add = ('<Action name="add"><GlobalAction><EntityAction entityRef="T"><AddEntityAction>'
           '<Position><LanePosition roadId="R" laneId="-1" s="200" offset="0"/></Position>'
           '</AddEntityAction></EntityAction></GlobalAction></Action>')
    stories = story(event("Del", delete, trigger(sim_time(1))) +
                    event("Add", add, trigger(sim_time(2)), "parallel"), actor="T")
    worlds, events, _ = truck_run(tmp_path, stories)
    assert set(at(worlds, 1.5).entities) == set()
    w = at(worlds, 2.1)
    assert w.entities["T"].pose.x == pytest.approx(200.0)
    assert w.entities["T+"].pose.x == pytest.approx(w.entities["T"].pose.x - 5.0)
    assert [(e.kind, e.data["entity"]) for e in events if e.kind.startswith("entity_")] == [
        ("entity_deleted", "T"), ("entity_deleted", "T+"), ("entity_added", "T"),
        ("entity_added", "T+")]


def test_scenario_check_knows_inline_trailer_names(tmp_path):
    """``scenario check``: a condition on the trailer ``T+`` names a known entity; an empty
    TrailerRef is no reference."""
    cond = ('<Condition name="c" delay="0" conditionEdge="rising"><ByEntityCondition>'
            '<TriggeringEntities triggeringEntitiesRule="any"><EntityRef entityRef="T+"/>'
            '</TriggeringEntities><EntityCondition><SpeedCondition value="5" '
            'rule="greaterThan"/></EntityCondition></ByEntityCondition></Condition>')
    plain = obj("P", vehicle("p", inner='<TrailerHitch dx="-1"/><Trailer><TrailerRef '
                                         'entityRef=""/></Trailer>'))
    text = document(obj("T", TRUCK) + plain, teleport("T", -1, 100),
                    story(event("E", speed_action(3), trigger(cond)), actor="T"))
    issues = check_scenario(write(tmp_path, text))
    assert [i.format() for i in issues if i.severity == "error"] == []


def test_external_tow_vehicle_drags_its_trailer(tmp_path):
    """The vehicle under test (external) tows: its states come from outside (here: along
    lane -1 at 8 m/s from x = 100, as a stack would drive it), its trailer is still the
    engine's, lined up by the Init TeleportAction and dragged 5 m behind it."""
    text = document(obj("T", TRUCK), teleport("T", -1, 100, speed=8))

    def states(t):
        return {"T": EntityState("T", EntityKind.VEHICLE, Pose(100 + 8 * t, -1.75), speed=8.0)}

    worlds, _, _ = run(write(tmp_path, text), until=2.0, external={"T"}, states=states)
    assert at(worlds, 0.0).entities["T+"].pose.x == pytest.approx(95.0)
    for w in worlds:
        assert w.entities["T+"].pose.x == pytest.approx(95.0 + 8 * w.time)
        assert w.entities["T+"].speed == 8.0
