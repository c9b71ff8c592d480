"""GeoPosition, TrajectoryPosition, EntitySelection, AppearanceAction (LightStateAction,
AnimationAction), TrafficSourceAction and TrafficSinkAction.

Expected values are computed by hand: geodesy from the WGS84 ellipsoid (meridian radius of
curvature rho, prime-vertical radius N) to first order, with the transverse-Mercator second
order term where it matters; trajectory poses from the arc formulas; traffic timings from the
rate schedule (the k-th vehicle at t0 + k / rate) and the distance travelled per 0.05 s step.
Most scenarios run on the straight fake road (tests/scenarios/fake_net.py: lane -1 centre
y = -1.75 driven towards +x, lane -2 centre y = -5.25, lane 1 centre y = +1.75 towards -x).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from builders import at, document, event, run, sim_time, speed_action, starts, story, \
    teleport, trigger, write
from fake_net import StraightNet
from reference_data import ESMINI

import maps
from scenarios import ScenarioEngine, ScenarioError, load_scenario
from scenarios.check import check_scenario


def STOP(t=6):  # noqa: N802
    return trigger(sim_time(t), kind="StopTrigger")


def now():
    return trigger(sim_time(0, edge="none"))


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def tele(entity: str, position: str) -> str:
    """Init TeleportAction of ``entity`` to the position element ``position``."""
    return (f'<Private entityRef="{entity}"><PrivateAction><TeleportAction><Position>'
            f'{position}</Position></TeleportAction></PrivateAction></Private>')


def glob(name: str, inner: str) -> str:
    return f'<Action name="{name}"><GlobalAction>{inner}</GlobalAction></Action>'


def private(name: str, inner: str) -> str:
    return f'<Action name="{name}"><PrivateAction>{inner}</PrivateAction></Action>'


def initial(path: Path, net=None):
    """(world at t = 0, events) of a scenario."""
    sc = load_scenario(path)
    got: list = []
    eng = ScenarioEngine(sc, net or StraightNet(), on_event=got.append)
    return eng.initialize(), got


# ---------------------------------------------------------------------------- GeoPosition
PROJ = "+proj=tmerc +lat_0=30.5 +lon_0=114.3 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
A_WGS84, F_WGS84 = 6378137.0, 1 / 298.257223563


def radii(lat_deg: float) -> tuple[float, float]:
    """(rho, N) [m]: meridian and prime-vertical radii of curvature of WGS84 at a latitude."""
    e2 = F_WGS84 * (2 - F_WGS84)
    w = 1 - e2 * math.sin(math.radians(lat_deg)) ** 2
    return A_WGS84 * (1 - e2) / w ** 1.5, A_WGS84 / math.sqrt(w)


def geo_road(tmp_path: Path, proj: str | None = PROJ) -> Path:
    """A 200 m straight road along +x from (0, 0), lanes 1 and -1 of 3.5 m, geo-referenced by
    a transverse Mercator centred on (30.5 N, 114.3 E) (no geoReference when ``proj`` is
    None)."""
    def lane(lid):
        return (f'<lane id="{lid}" type="driving" level="false"><width sOffset="0" a="3.5" '
                f'b="0" c="0" d="0"/></lane>')
    geo = f"<geoReference><![CDATA[{proj}]]></geoReference>" if proj else ""
    text = ('<?xml version="1.0"?>\n<OpenDRIVE>\n<header revMajor="1" revMinor="6" name="g">'
            f'{geo}</header>\n<road name="r" length="200" id="1" junction="-1"><link/>'
            '<planView><geometry s="0" x="0" y="0" hdg="0" length="200"><line/></geometry>'
            f'</planView><lanes><laneSection s="0"><left>{lane(1)}</left><center><lane id="0" '
            f'type="none" level="false"/></center><right>{lane(-1)}</right></laneSection>'
            '</lanes></road>\n</OpenDRIVE>\n')
    p = tmp_path / "g.xodr"
    p.write_text(text)
    return p


def lat_lon(x: float, y: float) -> tuple[float, float]:
    """(latitude, longitude) [deg] of the inertial point (x, y) of :func:`geo_road`, to first
    order: dlat = y / rho, dlon = x / (N cos lat)."""
    rho, n = radii(30.5)
    return 30.5 + math.degrees(y / rho), 114.3 + math.degrees(x / (n * math.cos(
        math.radians(30.5))))


def geo_scenario(tmp_path: Path, position: str, proj: str | None = PROJ,
                 rev: int = 2) -> tuple[Path, str]:
    geo_road(tmp_path, proj)
    text = document(tele("Car", position), "", STOP(1), road='<LogicFile filepath="g.xodr"/>',
                    rev=rev)
    return write(tmp_path, text), text


def geo_world(tmp_path: Path, position: str, rev: int = 2):
    path, _ = geo_scenario(tmp_path, position, rev=rev)
    sc = load_scenario(path)
    world, _ = initial(path, maps.load_opendrive(sc.road_network_path))
    return world.entities["Car"]


def test_geo_position_in_degrees_lands_on_the_hand_computed_point(tmp_path):
    lat, lon = lat_lon(50.0, -1.75)
    car = geo_world(tmp_path, f'<GeoPosition latitudeDeg="{lat!r}" longitudeDeg="{lon!r}" '
                              f'altitude="0.5"/>')
    # transverse Mercator: easting N cos(lat) dlon + O(dlon^3) (< 1e-9 m here); northing
    # rho dlat + N sin(lat) cos(lat) dlon^2 / 2 (the meridian convergence term, 1.2e-4 m)
    _, n = radii(30.5)
    dlon = math.radians(lon - 114.3)
    sin, cos = math.sin(math.radians(lat)), math.cos(math.radians(lat))
    assert car.pose.x == pytest.approx(50.0, abs=2e-5)
    assert car.pose.y == pytest.approx(-1.75 + n * sin * cos * dlon ** 2 / 2, abs=2e-6)
    assert car.pose.z == 0.5                  # altitude above the (flat, z = 0) road surface
    assert car.pose.h == 0.0                  # no Orientation: absolute heading 0
    assert (car.lane.road_id, car.lane.lane_id) == ("1", -1)
    assert car.lane.s == pytest.approx(50.0, abs=2e-5)


@pytest.mark.parametrize("orientation, heading", [
    ('<Orientation type="relative" h="0.1"/>', math.pi + 0.1 - 2 * math.pi),  # lane 1: pi
    ('<Orientation type="absolute" h="0.3"/>', 0.3),
    ("", 0.0),
])
def test_geo_position_orientation(tmp_path, orientation, heading):
    lat, lon = lat_lon(120.0, 1.75)
    car = geo_world(tmp_path, f'<GeoPosition latitudeDeg="{lat!r}" longitudeDeg="{lon!r}">'
                              f'{orientation}</GeoPosition>')
    assert car.lane.lane_id == 1 and car.pose.x == pytest.approx(120.0, abs=1e-4)
    assert car.pose.h == pytest.approx(heading, abs=1e-12)


def test_geo_position_1_1_radians_and_height(tmp_path):
    lat, lon = lat_lon(80.0, -1.75)
    car = geo_world(tmp_path, f'<GeoPosition latitude="{math.radians(lat)!r}" '
                              f'longitude="{math.radians(lon)!r}" height="2.5"/>', rev=1)
    assert car.pose.x == pytest.approx(80.0, abs=1e-4) and car.lane.lane_id == -1
    assert car.pose.z == 2.5


def test_geo_position_without_georeference_names_file_and_line(tmp_path):
    path, text = geo_scenario(tmp_path, '<GeoPosition latitudeDeg="30.5" longitudeDeg="114.3"/>',
                              proj=None)
    sc = load_scenario(path)
    with pytest.raises(ScenarioError) as info:
        initial(path, maps.load_opendrive(sc.road_network_path))
    err = info.value
    assert (err.file, err.line, err.element) == (str(path), line_of(text, "<GeoPosition"),
                                                 "GeoPosition")
    assert "g.xodr" in err.message and "geoReference" in err.message
    issues = [i for i in check_scenario(path) if i.line == line_of(text, "<GeoPosition")]
    assert [i.severity for i in issues] == ["error"]
    assert "geoReference" in issues[0].message


def test_check_warns_vertical_road_selection(tmp_path):
    lat, lon = lat_lon(50.0, -1.75)
    path, text = geo_scenario(tmp_path, f'<GeoPosition latitudeDeg="{lat!r}" longitudeDeg='
                                        f'"{lon!r}" verticalRoadSelection="1"/>', rev=3)
    issues = [i for i in check_scenario(path) if i.line == line_of(text, "<GeoPosition")]
    assert [(i.severity, "verticalRoadSelection" in i.message) for i in issues] == [
        ("warning", True)]


@pytest.mark.parametrize("attrs, message", [
    ('latitudeDeg="30.5"', "missing attribute 'longitudeDeg'"),
    ('latitudeDeg="30.5" latitude="0.5" longitudeDeg="114"', "not both"),
    ('latitudeDeg="95" longitudeDeg="114"', "expected -90 to 90 degrees"),
    ('latitudeDeg="30" longitude="3.2"', "expected -180 to 180 degrees"),
    ('latitudeDeg="30" longitudeDeg="114" altitude="-1"', "expected a finite number >= 0"),
])
def test_geo_position_bad_attributes(tmp_path, attrs, message):
    path, text = geo_scenario(tmp_path, f"<GeoPosition {attrs}/>")
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario(path)
    assert info.value.line == line_of(text, "<GeoPosition")


# ---------------------------------------------------------------------------- TrajectoryPosition
ARC = ('<Trajectory name="arc" closed="false"><Shape><Clothoid curvature="0.01" '
       'curvaturePrime="0" length="100"><Position><WorldPosition x="0" y="0" h="0"/>'
       '</Position></Clothoid></Shape></Trajectory>')
LINE = ('<Trajectory name="line" closed="{closed}"><Shape><Polyline>'
        '<Vertex><Position><WorldPosition x="0" y="-1.75" h="0"/></Position></Vertex>'
        '<Vertex><Position><WorldPosition x="100" y="-1.75" h="0"/></Position></Vertex>'
        '</Polyline></Shape></Trajectory>')


def trajectory_position(trajectory: str, s: float, t: float = 0.0, orientation: str = "") -> str:
    return (f'<TrajectoryPosition s="{s}" t="{t}">{orientation}<TrajectoryRef>{trajectory}'
            f'</TrajectoryRef></TrajectoryPosition>')


def test_trajectory_position_on_a_clothoid_arc(tmp_path):
    """Curvature 0.01 from the origin heading +x: at s the point is (sin(ks)/k,
    (1 - cos(ks))/k) with heading ks; t = 2 m to the left moves it by 2 (-sin, cos)."""
    text = document(tele("Car", trajectory_position(ARC, 50, 2)), "", STOP(1))
    world, _ = initial(write(tmp_path, text))
    car = world.entities["Car"].pose
    k, s = 0.01, 50.0
    assert car.x == pytest.approx(math.sin(k * s) / k - 2 * math.sin(k * s), abs=1e-9)
    assert car.y == pytest.approx((1 - math.cos(k * s)) / k + 2 * math.cos(k * s), abs=1e-9)
    assert car.h == pytest.approx(k * s, abs=1e-9)


@pytest.mark.parametrize("s, t, orientation, expected", [
    (30, -3.5, "", (30.0, -5.25, 0.0, -2)),
    (30, 0, '<Orientation type="relative" h="0.2"/>', (30.0, -1.75, 0.2, -1)),
    (30, 0, '<Orientation type="absolute" h="1"/>', (30.0, -1.75, 1.0, -1)),
])
def test_trajectory_position_on_a_polyline(tmp_path, s, t, orientation, expected):
    text = document(tele("Car", trajectory_position(LINE.format(closed="false"), s, t,
                                                    orientation)), "", STOP(1))
    world, _ = initial(write(tmp_path, text))
    car = world.entities["Car"]
    assert (car.pose.x, car.pose.y, car.pose.h, car.lane.lane_id) == pytest.approx(expected)


def test_trajectory_position_closed_wraps_and_open_refuses_beyond_the_end(tmp_path):
    closed = document(tele("Car", trajectory_position(LINE.format(closed="true"), 130)), "",
                      STOP(1))
    world, _ = initial(write(tmp_path, closed))
    assert world.entities["Car"].pose.x == pytest.approx(30.0)      # 130 m mod 100 m
    text = document(tele("Car", trajectory_position(LINE.format(closed="false"), 130)), "",
                    STOP(1))
    path = write(tmp_path, text, "open.xosc")
    with pytest.raises(ScenarioError, match="beyond the end of trajectory 'line'") as info:
        initial(path)
    assert info.value.line == line_of(text, "<TrajectoryPosition")


def test_trajectory_position_in_a_condition(tmp_path):
    """ReachPositionCondition towards s = 50 of the polyline (x = 50 on lane -1): the car at
    10 m/s from x = 20 is within 1.2 m from x = 48.8, first seen at t = 2.9 s (x = 49)."""
    reach = ('<Condition name="r" delay="0" conditionEdge="none"><ByEntityCondition>'
             '<TriggeringEntities triggeringEntitiesRule="any"><EntityRef entityRef="Car"/>'
             '</TriggeringEntities><EntityCondition><ReachPositionCondition tolerance="1.2">'
             f'<Position>{trajectory_position(LINE.format(closed="false"), 50)}</Position>'
             '</ReachPositionCondition></EntityCondition></ByEntityCondition></Condition>')
    text = document(teleport("Car", -1, 20, speed=10),
                    story(event("Stop", speed_action(0, name="halt"), trigger(reach))), STOP(5))
    _, events, _ = run(write(tmp_path, text), until=5)
    assert starts(events, "Stop") == [pytest.approx(2.9)]


# ---------------------------------------------------------------------------- EntitySelection
PEDESTRIAN = ('<ScenarioObject name="Walker"><Pedestrian name="w" mass="80" '
              'pedestrianCategory="pedestrian"><BoundingBox><Center x="0" y="0" z="0.9"/>'
              '<Dimensions width="0.5" length="0.5" height="1.8"/></BoundingBox><Properties/>'
              '</Pedestrian></ScenarioObject>')
SELECTIONS = ('<EntitySelection name="Pair"><Members><EntityRef entityRef="Car"/>'
              '<EntityRef entityRef="Lead"/></Members></EntitySelection>'
              '<EntitySelection name="Vehicles"><Members><ByType objectType="vehicle"/>'
              '</Members></EntitySelection>'
              '<EntitySelection name="Everyone"><Members><EntityRef entityRef="Walker"/>'
              '<EntityRef entityRef="Pair"/></Members></EntitySelection>')


def with_selections(text: str, selections: str = SELECTIONS) -> str:
    return text.replace("</Entities>", PEDESTRIAN + selections + "</Entities>")


def selection_doc(init: str, stories: str, stop: str, selections: str = SELECTIONS) -> str:
    return with_selections(document(init, stories, stop, entities=("Car", "Lead", "Bus")),
                           selections)


def test_selections_expand_in_declaration_order(tmp_path):
    sc = load_scenario(write(tmp_path, selection_doc("", "", STOP())))
    assert dict(sc.selections) == {"Pair": ("Car", "Lead"), "Vehicles": ("Car", "Lead", "Bus"),
                                   "Everyone": ("Walker", "Car", "Lead")}
    assert list(sc.entities) == ["Car", "Lead", "Bus", "Walker"]


def test_selection_as_actors_init_entity_and_triggering_entities(tmp_path):
    """Init: SpeedAction on Pair (Car, Lead) at 10 m/s, Bus still. Actors Vehicles: all three
    get the 4 m/s target when the triggering condition holds for the Pair: rule any ->
    the first reaches 20 m travelled at t = 2.0 s; rule all -> the same here (both at 10 m/s);
    with Bus in the triggering selection (Vehicles) rule all never fires."""
    init = (teleport("Car", -1, 10) + teleport("Lead", -1, 50) + teleport("Bus", -2, 10)
            + '<Private entityRef="Pair"><PrivateAction><LongitudinalAction><SpeedAction>'
              '<SpeedActionDynamics dynamicsShape="step" dynamicsDimension="time" value="0"/>'
              '<SpeedActionTarget><AbsoluteTargetSpeed value="10"/></SpeedActionTarget>'
              '</SpeedAction></LongitudinalAction></PrivateAction></Private>')

    def travelled(who: str, rule: str) -> str:
        return ('<Condition name="far" delay="0" conditionEdge="none"><ByEntityCondition>'
                f'<TriggeringEntities triggeringEntitiesRule="{rule}"><EntityRef entityRef='
                f'"{who}"/></TriggeringEntities><EntityCondition><TraveledDistanceCondition '
                'value="20"/></EntityCondition></ByEntityCondition></Condition>')
    for who, rule, fires in (("Pair", "all", True), ("Vehicles", "any", True),
                             ("Vehicles", "all", False)):
        text = selection_doc(init, story(event("Slow", speed_action(4, name="slow"),
                                               trigger(travelled(who, rule))),
                                         actor="Vehicles"), STOP(4))
        worlds, events, _ = run(write(tmp_path, text), until=4)
        w = at(worlds, 1.0).entities
        assert (w["Car"].speed, w["Lead"].speed, w["Bus"].speed) == (10.0, 10.0, 0.0)
        if fires:
            assert starts(events, "Slow") == [pytest.approx(2.0)]
            w = worlds[-1].entities
            assert (w["Car"].speed, w["Lead"].speed, w["Bus"].speed) == (4.0, 4.0, 4.0)
        else:
            assert starts(events, "Slow") == []


def test_selection_in_entity_action_and_relative_clearance(tmp_path):
    delete = glob("del", '<EntityAction entityRef="Pair"><DeleteEntityAction/></EntityAction>')
    clear = ('<Condition name="c" delay="0" conditionEdge="none"><ByEntityCondition>'
             '<TriggeringEntities triggeringEntitiesRule="any"><EntityRef entityRef="Bus"/>'
             '</TriggeringEntities><EntityCondition><RelativeClearanceCondition '
             'distanceForward="10" distanceBackward="10" freeSpace="false" oppositeLanes="false">'
             '<EntityRef entityRef="Everyone"/></RelativeClearanceCondition></EntityCondition>'
             '</ByEntityCondition></Condition>')
    init = teleport("Car", -1, 10) + teleport("Lead", -1, 50) + teleport("Bus", -2, 100)
    text = selection_doc(init, story(event("D", delete, trigger(clear))), STOP(1))
    path = write(tmp_path, text)
    sc = load_scenario(path)
    cond = sc.storyboard.stories[0].acts[0].groups[0].maneuvers[0].events[0] \
        .start_trigger.groups[0][0]
    assert cond.spec.entities == ("Walker", "Car", "Lead")
    worlds, events, _ = run(path, until=1)
    assert sorted(e.data["entity"] for e in events if e.kind == "entity_deleted") == \
        ["Car", "Lead"]
    assert set(worlds[-1].entities) == {"Bus", "Walker"}


@pytest.mark.parametrize("fragment, element", [
    (story(event("E", private("d", '<LongitudinalAction><LongitudinalDistanceAction '
                                   'entityRef="Pair" distance="10" freespace="false" '
                                   'continuous="false"/></LongitudinalAction>'), now())),
     "LongitudinalDistanceAction"),
    (story(event("E", speed_action(3), trigger(
        '<Condition name="c" delay="0" conditionEdge="none"><ByEntityCondition>'
        '<TriggeringEntities triggeringEntitiesRule="any"><EntityRef entityRef="Car"/>'
        '</TriggeringEntities><EntityCondition><RelativeDistanceCondition entityRef="Pair" '
        'value="5" freespace="false" relativeDistanceType="longitudinal" rule="lessThan"/>'
        '</EntityCondition></ByEntityCondition></Condition>'))), "RelativeDistanceCondition"),
])
def test_selection_refused_where_annex_b_forbids_it(tmp_path, fragment, element):
    text = selection_doc(teleport("Car", -1, 10), fragment, STOP())
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError, match="Annex B") as info:
        load_scenario(path)
    assert info.value.element == element
    assert info.value.line == line_of(text, f"<{element}")
    issues = [i for i in check_scenario(path) if i.severity == "error"]
    assert any("Annex B" in i.message and i.line == info.value.line for i in issues)
    assert not [i for i in check_scenario(path) if "EntitySelection is not supported"
                in i.message]


@pytest.mark.parametrize("selections, message", [
    ('<EntitySelection name="S"><Members><EntityRef entityRef="Ghost"/></Members>'
     '</EntitySelection>', "unknown entity 'Ghost'"),
    ('<EntitySelection name="S"><Members><EntityRef entityRef="T"/></Members></EntitySelection>'
     '<EntitySelection name="T"><Members><EntityRef entityRef="S"/></Members>'
     '</EntitySelection>', "contains itself"),
    ('<EntitySelection name="Car"><Members><ByType objectType="vehicle"/></Members>'
     '</EntitySelection>', "declared twice"),
    ('<EntitySelection name="S"><Members><ByType objectType="bicycle"/></Members>'
     '</EntitySelection>', "objectType='bicycle'"),
])
def test_bad_selections(tmp_path, selections, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(write(tmp_path, selection_doc("", "", STOP(), selections)))


# ---------------------------------------------------------------------------- AppearanceAction
LOW_BEAM = ('<AppearanceAction><LightStateAction transitionTime="1"><LightType><VehicleLight '
            'vehicleLightType="lowBeam"/></LightType><LightState mode="on" '
            'luminousIntensity="12000"><Color colorType="white"><ColorRgb red="1" green="1" '
            'blue="0.9"/></Color></LightState></LightStateAction></AppearanceAction>')


def ends(events, name: str) -> list[float]:
    return [e.t for e in events if e.kind == "storyboard" and e.data["element"].endswith(
        "::" + name) and e.data["transition"] == "endTransition"]


def test_light_state_action_is_recorded_and_lasts_its_transition_time(tmp_path):
    """Started at 1.05 s (first evaluation after 1 s); lasts 1 s: the action ends in the step
    at 1.05 + 1 - 0.05 = 2.0 s (time stepped since the start reaches 1 s), as speed actions.
    No kinematic effect: the car keeps 10 m/s on its lane."""
    text = document(teleport("Car", -1, 10, speed=10),
                    story(event("L", private("lights", LOW_BEAM), trigger(sim_time(1)))),
                    STOP(3))
    worlds, events, _ = run(write(tmp_path, text), until=3)
    (ev,) = [e for e in events if e.kind == "appearance"]
    assert ev.t == pytest.approx(1.05)
    assert ev.data == {"entity": "Car", "action": "LightStateAction", "light": "lowBeam",
                       "mode": "on", "user_defined": False, "luminous_intensity": 12000.0,
                       "color_type": "white", "color_model": "rgb", "color": (1.0, 1.0, 0.9),
                       "transition_time": 1.0}
    assert ends(events, "lights") == [pytest.approx(2.0)]
    assert worlds[-1].entities["Car"].pose.y == -1.75 and worlds[-1].entities["Car"].speed == 10


def test_light_state_sets_the_lights_of_the_entity_state_and_role_is_read(tmp_path):
    """Vehicle@role (1.2) reaches EntityState.role; LightStateAction on/flashing adds the light
    to EntityState.lights when it starts (evaluated at 1.05 s: in the state of the next step,
    1.1 s, as a step SpeedAction's speed), off removes it; a UserDefinedLight is only
    recorded."""
    flash = LOW_BEAM.replace('"lowBeam"', '"warningLights"').replace('mode="on"',
                                                                     'mode="flashing"')
    off = LOW_BEAM.replace('mode="on"', 'mode="off"')
    user = ('<AppearanceAction><LightStateAction><LightType><UserDefinedLight '
            'userDefinedLightType="beacon"/></LightType><LightState mode="on"/>'
            '</LightStateAction></AppearanceAction>')
    text = document(teleport("Car", -1, 10, speed=10),
                    story("".join(event(n, private(n, a), trigger(sim_time(t)), "parallel")
                                  for n, a, t in (("L", LOW_BEAM, 1), ("W", flash, 1),
                                                  ("U", user, 1), ("O", off, 2)))),
                    STOP(3)).replace('vehicleCategory="car"',
                                     'vehicleCategory="car" role="ambulance"')
    worlds, _, _ = run(write(tmp_path, text), until=3)
    lights = {round(w.time, 2): w.entities["Car"].lights for w in worlds}
    assert lights[1.05] == () and lights[1.1] == ("lowBeam", "warningLights")
    assert lights[2.05] == ("lowBeam", "warningLights") and lights[2.1] == ("warningLights",)
    assert worlds[-1].entities["Car"].role == "ambulance"
    bad = write(tmp_path, text.replace('role="ambulance"', 'role="doctor"'), "bad.xosc")
    with pytest.raises(ScenarioError, match="role='doctor': expected one of"):
        load_scenario(bad)


@pytest.mark.parametrize("animation, lasts", [
    ('<AnimationAction animationDuration="2"><AnimationType><ComponentAnimation>'
     '<VehicleComponent vehicleComponentType="doorFrontLeft"/></ComponentAnimation>'
     '</AnimationType><AnimationState state="1"/></AnimationAction>', 2.0),
    ('<AnimationAction loop="true" animationDuration="2"><AnimationType><AnimationFile '
     'timeOffset="0.5"><File filepath="wave.fbx"/></AnimationFile></AnimationType>'
     '</AnimationAction>', None),
    ('<AnimationAction><AnimationType><PedestrianAnimation motion="walking"><PedestrianGesture '
     'gesture="wavingRightArm"/></PedestrianAnimation></AnimationType></AnimationAction>', None),
    ('<AnimationAction><AnimationType><UserDefinedAnimation userDefinedAnimationType="honk"/>'
     '</AnimationType></AnimationAction>', 0.0),
])
def test_animation_action_durations(tmp_path, animation, lasts):
    """Annex A: after animationDuration, at once without one; no regular ending when looping or
    for a pedestrian animation."""
    text = document(teleport("Car", -1, 10, speed=0), story(event(
        "An", private("anim", f"<AppearanceAction>{animation}</AppearanceAction>"),
        trigger(sim_time(1)))), STOP(4))
    _, events, _ = run(write(tmp_path, text), until=4)
    (ev,) = [e for e in events if e.kind == "appearance"]
    assert ev.data["action"] == "AnimationAction" and ev.t == pytest.approx(1.05)
    if lasts is None:
        assert ends(events, "anim") == []
    else:
        assert ends(events, "anim") == [pytest.approx(1.05 + max(lasts - 0.05, 0.0))]


def test_animation_fields(tmp_path):
    inner = ('<AnimationAction loop="false"><AnimationType><PedestrianAnimation motion="walking">'
             '<PedestrianGesture gesture="phoneCallLeftHand"/><PedestrianGesture gesture='
             '"crossArms"/></PedestrianAnimation></AnimationType></AnimationAction>')
    text = document("", story(event("An", private("anim", f"<AppearanceAction>{inner}"
                                                           "</AppearanceAction>"), now())),
                    STOP(1))
    spec = load_scenario(write(tmp_path, text)).storyboard.stories[0].acts[0].groups[0] \
        .maneuvers[0].events[0].actions[0].spec
    assert (spec.kind, spec.name, spec.gestures, spec.loop) == \
        ("pedestrian", "walking", ("phoneCallLeftHand", "crossArms"), False)


@pytest.mark.parametrize("inner, message", [
    (LOW_BEAM.replace('mode="on"', 'mode="dim"'), "attribute mode='dim': expected one of on"),
    (LOW_BEAM.replace('"lowBeam"', '"laser"'), "vehicleLightType='laser'"),
    (LOW_BEAM.replace('blue="0.9"', 'blue="1.5"'), "expected a number from 0 to 1"),
    (LOW_BEAM.replace('transitionTime="1"', 'transitionTime="-1"'), "expected a finite number"),
    (LOW_BEAM.replace('luminousIntensity="12000"', 'luminousIntensity="-3"'), ">= 0"),
    ('<AppearanceAction><AnimationAction><AnimationType><ComponentAnimation><VehicleComponent '
     'vehicleComponentType="sunroof"/></ComponentAnimation></AnimationType></AnimationAction>'
     '</AppearanceAction>', "vehicleComponentType='sunroof'"),
    ('<AppearanceAction><AnimationAction><AnimationType><UserDefinedAnimation '
     'userDefinedAnimationType="x"/></AnimationType><AnimationState state="2"/>'
     '</AnimationAction></AppearanceAction>', "expected a number from 0 to 1"),
])
def test_appearance_values_are_validated(tmp_path, inner, message):
    text = document("", story(event("L", private("x", inner), now())), STOP(1))
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario(write(tmp_path, text))
    assert info.value.line is not None and info.value.file is not None


def test_appearance_on_the_external_ego_is_an_ego_request(tmp_path):
    text = document(teleport("Car", -1, 10), story(event("L", private("lights", LOW_BEAM),
                                                         now())), STOP(1))
    _, events, _ = run(write(tmp_path, text), until=1, external={"Car"})
    (req,) = [e for e in events if e.kind == "ego_request"]
    assert req.data["action"] == "LightStateAction" and req.data["spec"]["light"] == "lowBeam"
    assert not [e for e in events if e.kind == "appearance"]


def test_esmini_light_state_catalog_maneuver(tmp_path):
    """esmini's LightStateManeuvers.xosc (1.3 catalog) on our engine: low beam and daytime
    running lights go on when the car starts moving (the step SpeedAction at 1.05 s sets the
    speed when it starts, and the catalog's group, evaluated after the one holding it, sees
    the speed rise in the same evaluation)."""
    cat = ESMINI / "resources" / "xosc" / "Catalogs" / "Maneuvers"
    group = ('<ManeuverGroup maximumExecutionCount="1" name="Lights"><Actors '
             'selectTriggeringEntities="false"><EntityRef entityRef="Car"/></Actors>'
             '<CatalogReference catalogName="LightStateManeuvers" entryName='
             '"LightsOnWhenDrivingManeuver"><ParameterAssignments><ParameterAssignment '
             'parameterRef="EntityName" value="Car"/></ParameterAssignments></CatalogReference>'
             '</ManeuverGroup>')
    events_xml = event("Go", speed_action(10, name="go"), trigger(sim_time(1))) + \
        event("Brake", speed_action(0, shape="linear", dim="rate", value=4, name="brake"),
              trigger(sim_time(3)))
    text = document(teleport("Car", -1, 10, speed=0), story(events_xml), STOP(5), rev=3)
    text = text.replace("<CatalogLocations/>", f'<CatalogLocations><ManeuverCatalog><Directory '
                                               f'path="{cat}"/></ManeuverCatalog>'
                                               f'</CatalogLocations>')
    text = text.replace("</ManeuverGroup>", "</ManeuverGroup>" + group, 1)
    _, events, _ = run(write(tmp_path, text), until=5)
    lights = [(round(e.t, 2), e.data["light"], e.data["mode"]) for e in events
              if e.kind == "appearance"]
    assert lights[:2] == [(1.05, "lowBeam", "on"), (1.05, "daytimeRunningLights", "on")]


# ---------------------------------------------------------------------------- source and sink
def source(rate=2.0, radius=0.0, speed=30.0, s=100, extra="", name="flow") -> str:
    speed_attr = f' speed="{speed}"' if speed is not None else ""
    return glob("src", f'<TrafficAction trafficName="{name}"><TrafficSourceAction rate="{rate}" '
                       f'radius="{radius}"{speed_attr}><Position><LanePosition roadId="R" '
                       f'laneId="-1" s="{s}"/></Position>{extra}</TrafficSourceAction>'
                       f'</TrafficAction>')


def sink(radius=5.0, rate=None, s=300, extra="") -> str:
    rate_attr = f' rate="{rate}"' if rate is not None else ""
    return glob("snk", f'<TrafficAction><TrafficSinkAction radius="{radius}"{rate_attr}>'
                       f'<Position><LanePosition roadId="R" laneId="-1" s="{s}"/></Position>'
                       f'{extra}</TrafficSinkAction></TrafficAction>')


TRUCKS = ('<TrafficDefinition name="td"><VehicleCategoryDistribution>'
          '<VehicleCategoryDistributionEntry category="truck" weight="1"/>'
          '<VehicleCategoryDistributionEntry category="bus" weight="0"/>'
          '</VehicleCategoryDistribution><ControllerDistribution><ControllerDistributionEntry '
          'weight="1"><Controller name="c"><Properties/></Controller>'
          '</ControllerDistributionEntry></ControllerDistribution></TrafficDefinition>')


def traffic_run(tmp_path, actions: str, until: float, init: str = "", seed: int = 0,
                start: float = 1.0, entities=("Car",)):
    text = document(init or teleport("Car", -1, 10, speed=0),
                    story(event("T", actions, trigger(sim_time(start)))), STOP(until),
                    entities=entities)
    worlds, got, _ = run(write(tmp_path, text), until=math.inf, seed=seed)
    return worlds, got


def test_traffic_source_rate_and_sink(tmp_path):
    """Source rate 0.5/s at x = 100 (lane -1), started at t0 = 1.05 s: the k-th vehicle
    appears at t0 + 2 k and drives at 30 m/s (1.5 m per step; the spawn step moves it too),
    60 m behind the one before, more than its ACC's follow distance (3 + 1.5 s x 30 m/s =
    48 m), so it keeps its speed. The sink (radius 5 m at x = 300) takes a vehicle at the
    first evaluation where it is 195 m further, 130 steps = 6.5 s after it appeared."""
    worlds, got = traffic_run(tmp_path, source(rate=0.5, extra=TRUCKS) + sink(), until=12.0)
    spawns = [e for e in got if e.kind == "source_spawn"]
    assert [round(e.t, 9) for e in spawns] == pytest.approx([1.05 + 2 * k for k in range(6)])
    assert spawns[0].data == {"entity": "flow_1", "traffic": "flow", "category": "truck",
                              "road": "R", "lane": -1, "s": 100.0}
    gone = [(round(e.t, 2), e.data["entity"]) for e in got if e.kind == "sink_despawn"]
    assert gone == [(7.55, "flow_1"), (9.55, "flow_2"), (11.55, "flow_3")]
    w = at(worlds, 2.0).entities
    assert w["flow_1"].pose.x == pytest.approx(100 + 1.5 * 19) and w["flow_1"].speed == 30.0
    assert w["flow_1"].category == "truck" and w["flow_1"].lane.lane_id == -1
    assert "flow_1" not in worlds[-1].entities and "Car" in worlds[-1].entities


def test_source_traffic_brakes_for_a_standing_vehicle_ahead(tmp_path):
    """esmini gives source vehicles an ACC controller set to their spawn speed
    (realinputs16b: ours drove into a standing ego at 30 m/s). One vehicle at 20 m/s from
    x = 100 towards a Car standing at x = 200 in its lane: ACCController brakes it to a stop
    behind the Car, its box 3 m from the Car's at standstill (MIN_DIST), at most its
    Performance deceleration, and never collides."""
    init = teleport("Car", -1, 200, speed=0)
    worlds, got = traffic_run(tmp_path, source(rate=0.01, speed=20), until=25.0, init=init)
    assert [e.data["entity"] for e in got if e.kind == "source_spawn"] == ["flow_1"]
    assert not [e for e in got if e.kind == "collision"]
    end = worlds[-1].entities
    flow, car = end["flow_1"], end["Car"]
    assert flow.speed == pytest.approx(0.0, abs=0.01)
    gap = (car.pose.x - car.box.length / 2 + car.box.cx) - \
        (flow.pose.x + flow.box.length / 2 + flow.box.cx)
    assert 1.0 <= gap <= 3.5


def test_source_traffic_does_not_brake_for_a_deleted_entity(tmp_path):
    """Review 16: a source vehicle's ACC braked to a stop behind a Car a DeleteEntityAction had
    taken out of the run. With nothing ahead it keeps its 20 m/s (or has left the road)."""
    init = teleport("Car", -1, 200, speed=0)
    delete = glob("del", '<EntityAction entityRef="Car"><DeleteEntityAction/></EntityAction>')
    text = document(init, story(event("T", source(rate=0.01, speed=20), trigger(sim_time(1.0)))
                                + event("D", delete, trigger(sim_time(0.5)))),
                    STOP(25.0), entities=("Car",))
    worlds, got, _ = run(write(tmp_path, text), until=math.inf)
    assert any(e.kind == "entity_deleted" for e in got)
    flow = worlds[-1].entities.get("flow_1")
    assert flow is None or flow.speed == pytest.approx(20.0)


def test_traffic_source_waits_for_room(tmp_path):
    """At 8 m/s (0.4 m per step) a vehicle is only 4 m on when the next is due 0.5 s later,
    closer than MIN_GAP (10 m): the next vehicle waits until the first is 10 m away, 25
    steps = 1.25 s after it appeared (the overdue one then comes at once). (The second then
    brakes under its ACC, 10 m behind the first, so the third waits longer still.)"""
    _, got = traffic_run(tmp_path, source(speed=8), until=3.0)
    times = [round(e.t, 2) for e in got if e.kind == "source_spawn"]
    assert times == [1.05, 2.3]


def test_traffic_sink_rate_categories_and_declared_entities(tmp_path):
    """Three still vehicles inside a sink of radius 30 m, rate 0.5/s started at 1.05 s: one
    leaves at 1.05, 3.05, 5.05 s in declaration order (declared ones as by DeleteEntityAction);
    the external ego and a vehicle of a category the TrafficDefinition does not list stay."""
    init = "".join(teleport(n, -1, s, speed=0) for n, s in
                   (("Car", 305), ("A", 295), ("B", 310), ("C", 320), ("Ego", 300)))
    cars = ('<TrafficDefinition name="td"><VehicleCategoryDistribution>'
            '<VehicleCategoryDistributionEntry category="car" weight="1"/>'
            '</VehicleCategoryDistribution><ControllerDistribution><ControllerDistributionEntry '
            'weight="1"><Controller name="c"><Properties/></Controller>'
            '</ControllerDistributionEntry></ControllerDistribution></TrafficDefinition>')
    text = document(init, story(event("T", sink(radius=30, rate=0.5, extra=cars),
                                      trigger(sim_time(1)))), STOP(7),
                    entities=("Car", "A", "B", "C", "Ego"))
    text = text.replace('<Vehicle name="C" vehicleCategory="car">',
                        '<Vehicle name="C" vehicleCategory="truck">')
    _, got, _ = run(write(tmp_path, text), until=7, external={"Ego"})
    gone = [(round(e.t, 2), e.data["entity"]) for e in got if e.kind == "sink_despawn"]
    assert gone == [(1.05, "Car"), (3.05, "A"), (5.05, "B")]
    assert [e.data["entity"] for e in got if e.kind == "entity_deleted"] == ["Car", "A", "B"]


def test_a_sink_idle_for_a_while_still_removes_one_per_interval(tmp_path):
    """Rate 0.5/s: at most one removal every 2 s, however long the sink stood empty
    (realinputs16b: a running budget removed four vehicles in 2.95 s). The sink (radius 30 m
    at x = 300) starts empty at 1.05 s; three still vehicles arrive in it at 5.05 s (a
    TeleportAction each): they leave at 5.05, 7.05 and 9.05 s (the budget gave 5.05 twice)."""
    init = "".join(teleport(n, -1, s, speed=0) for n, s in
                   (("Car", 10), ("A", 20), ("B", 30), ("C", 40)))
    groups = "".join(
        f'<ManeuverGroup maximumExecutionCount="1" name="G{n}"><Actors '
        f'selectTriggeringEntities="false"><EntityRef entityRef="{n}"/></Actors>'
        f'<Maneuver name="M{n}">'
        + event(f"E{n}", private(f"to_{n}", '<TeleportAction><Position><LanePosition '
                                            f'roadId="R" laneId="-1" s="{s}"/></Position>'
                                            '</TeleportAction>'), trigger(sim_time(5)))
        + '</Maneuver></ManeuverGroup>' for n, s in (("A", 295), ("B", 305), ("C", 315)))
    text = document(init, story(event("T", sink(radius=30, rate=0.5), trigger(sim_time(1)))),
                    STOP(10), entities=("Car", "A", "B", "C"))
    text = text.replace("</ManeuverGroup>", "</ManeuverGroup>" + groups, 1)
    _, got, _ = run(write(tmp_path, text), until=10)
    gone = [(round(e.t, 2), e.data["entity"]) for e in got if e.kind == "sink_despawn"]
    assert gone == [(5.05, "A"), (7.05, "B"), (9.05, "C")]


def test_traffic_stop_removes_the_source_vehicles(tmp_path):
    stop = glob("stop", '<TrafficAction trafficName="flow"><TrafficStopAction/></TrafficAction>')
    text = document(teleport("Car", -1, 10, speed=0),
                    story(event("T", source(), trigger(sim_time(1)))
                          + event("S", stop, trigger(sim_time(2)), "parallel")), STOP(4))
    worlds, got, _ = run(write(tmp_path, text), until=4)
    spawned = [e.data["entity"] for e in got if e.kind == "source_spawn"]
    assert spawned == ["flow_1", "flow_2"]         # 1.05 and 1.55; stopped at 2.05
    assert [e.data["entity"] for e in got if e.kind == "source_despawn"] == spawned
    assert set(worlds[-1].entities) == {"Car"}


def test_traffic_source_is_seeded(tmp_path):
    def spawns(seed):
        _, got = traffic_run(tmp_path, source(radius=40, speed=None, extra=TRUCKS.replace(
            'weight="0"', 'weight="1"')), until=4.0, seed=seed)
        return [e.data for e in got if e.kind == "source_spawn"]
    first = spawns(3)
    assert len(first) >= 4 and first == spawns(3) and first != spawns(4)
    for d in first:          # on a driving lane within the 40 m disc around x = 100
        assert d["lane"] in (1, -1, -2) and abs(d["s"] - 100) <= 40
        assert d["category"] in ("truck", "bus")


def _template(name: str, category: str, length: float, weight: float) -> str:
    return (f'<EntityDistributionEntry weight="{weight}"><ScenarioObjectTemplate>'
            f'<Vehicle name="{name}" vehicleCategory="{category}"><BoundingBox><Center x="2" '
            f'y="0" z="1.5"/><Dimensions width="2.5" length="{length}" height="3"/>'
            f'</BoundingBox><Performance maxSpeed="30" maxAcceleration="2" '
            f'maxDeceleration="6"/><Axles><FrontAxle maxSteering="0.5" wheelDiameter="1" '
            f'trackWidth="2" positionX="5" positionZ="0.5"/><RearAxle maxSteering="0" '
            f'wheelDiameter="1" trackWidth="2" positionX="0" positionZ="0.5"/></Axles>'
            f'<Properties/></Vehicle></ScenarioObjectTemplate></EntityDistributionEntry>')


def test_traffic_distribution_spawns_its_templates_by_weight(tmp_path):
    # OpenSCENARIO 1.3: TrafficDistributionEntry weights, shared among their
    # EntityDistributionEntries; a weight-0 entry is never drawn
    dist = ('<TrafficDistribution><TrafficDistributionEntry weight="3"><EntityDistribution>'
            + _template("truck12", "truck", 12.0, 1) + _template("van6", "van", 6.0, 0)
            + '</EntityDistribution></TrafficDistributionEntry><TrafficDistributionEntry '
            'weight="0"><EntityDistribution>' + _template("bus", "bus", 18.0, 5)
            + '</EntityDistribution></TrafficDistributionEntry></TrafficDistribution>')
    worlds, got = traffic_run(tmp_path, source(radius=40, speed=None, extra=dist), until=4.0,
                              seed=3)
    spawned = [e.data for e in got if e.kind == "source_spawn"]
    assert len(spawned) >= 4 and {d["category"] for d in spawned} == {"truck"}
    truck = next(w.entities[spawned[0]["entity"]] for w in worlds
                 if spawned[0]["entity"] in w.entities)
    assert (truck.box.length, truck.box.width, truck.category) == (12.0, 2.5, "truck")


@pytest.mark.parametrize("action, error, message", [
    (source(rate=-1), ScenarioError, "rate='-1'"),
    (sink(radius=-2), ScenarioError, "radius='-2'"),
    (source(extra='<TrafficDistribution><TrafficDistributionEntry weight="1"><EntityDistribution>'
                  '<EntityDistributionEntry weight="1"><ScenarioObjectTemplate/>'
                  '</EntityDistributionEntry></EntityDistribution></TrafficDistributionEntry>'
                  '</TrafficDistribution>'), ScenarioError, "expected Vehicle, Pedestrian"),
])
def test_traffic_source_and_sink_bad_input(tmp_path, action, error, message):
    text = document("", story(event("T", action, now())), STOP(1))
    with pytest.raises(error, match=message) as info:
        load_scenario(write(tmp_path, text))
    assert info.value.line is not None


def test_check_warns_a_vehicle_light_on_a_pedestrian(tmp_path):
    text = selection_doc("", story(event("L", private("lights", LOW_BEAM), now()),
                                   actor="Everyone"), STOP())
    path = write(tmp_path, text)
    (issue,) = [i for i in check_scenario(path) if "VehicleLight" in i.message]
    assert issue.severity == "warning" and "'Walker' is a Pedestrian" in issue.message
    assert issue.line == line_of(text, "<VehicleLight")


def test_check_knows_the_new_elements(tmp_path):
    """`scenario check` parses the new elements with the engine's registries: no 'not
    supported' warning for any of them."""
    text = selection_doc(
        tele("Car", trajectory_position(LINE.format(closed="false"), 10)),
        story(event("E", private("lights", LOW_BEAM) + source() + sink(), now()),
              actor="Pair"), STOP(), )
    path = write(tmp_path, text)
    messages = [i.message for i in check_scenario(path)]
    assert not [m for m in messages if "not support" in m], messages


@pytest.mark.parametrize("s", [-5.0, 1000.5, 1e300])
def test_lane_and_road_position_s_outside_the_road_is_refused(tmp_path, s):
    """LanePosition/RoadPosition s is along that road: outside [0, 1000 m] (StraightNet's
    road R) it is bad input naming the file and line, not a car placed off the road."""
    lane = (f'<Private entityRef="Car"><PrivateAction><TeleportAction><Position>'
            f'<LanePosition roadId="R" laneId="-1" s="{s}" offset="0"/></Position>'
            f'</TeleportAction></PrivateAction></Private>')
    path = write(tmp_path, document(lane, "", STOP(2)))
    with pytest.raises(ScenarioError, match=r"s=.* m is outside road R \(0 to 1000 m long\)") \
            as err:
        initial(path)
    assert err.value.file == str(path) and err.value.line is not None
    road = lane.replace('<LanePosition roadId="R" laneId="-1"',
                        '<RoadPosition roadId="R" t="-1.75"')
    with pytest.raises(ScenarioError, match="outside road R"):
        initial(write(tmp_path, document(road, "", STOP(2)), "r.xosc"))
    ok = lane.replace(f's="{s}"', 's="1000.0"')
    initial(write(tmp_path, document(ok, "", STOP(2)), "ok.xosc"))   # the road's end: fine


def test_a_bad_obu_property_is_refused_at_load_with_its_line(tmp_path):
    """Entity Property v2x:obu (an on-board unit, docs/v2x.md) is an xsd:boolean:
    load_scenario (and so `scenario check`) refuses "maybe" naming file and line."""
    text = document(teleport("Car", -1, 10), "", STOP(2), props={"Car": {"v2x:obu": "maybe"}})
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError, match="'v2x:obu' is 'maybe': expected true or false") \
            as err:
        load_scenario(path)
    line = next(no for no, row in enumerate(text.splitlines(), 1) if 'value="maybe"' in row)
    assert (err.value.file, err.value.line) == (str(path), line)
    ok = document(teleport("Car", -1, 10), "", STOP(2), props={"Car": {"v2x:obu": "1"}})
    assert load_scenario(write(tmp_path, ok, "ok.xosc")).entities["Car"].properties == {
        "v2x:obu": "1"}
