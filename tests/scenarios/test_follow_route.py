"""esmini's FollowRouteController and lane-level path planning (scenarios.follow_route,
scenarios.lane_routes) on esmini's multi_intersections.xodr; the full reference run is in
test_esmini_conformance.py (test_follow_route_controller_*)."""

from __future__ import annotations

import functools

import pytest
from esmini_csv import REFERENCE

from testzone.world import LaneCoord

from maps import load_opendrive
from scenarios import ScenarioEngine, load_scenario
from scenarios.lane_routes import average_speed, path_waypoints, plan_lane_path

UNITTEST = REFERENCE / "EnvironmentSimulator" / "Unittest"
XOSC = UNITTEST / "xosc" / "follow_route_controller_test_medium.xosc"
ESMINI_PATH = ["202", "208", "209", "235", "234", "229", "284", "256", "259", "261", "196"]
"""The roads esmini's Ego drives in follow_route_controller_test_medium.csv."""


@functools.lru_cache(maxsize=None)
def network():
    return load_opendrive(UNITTEST / "xodr" / "multi_intersections.xodr")


def lane(road: str, lane_id: int, s: float) -> LaneCoord:
    return LaneCoord(road, lane_id, s, 0.0, 0.0)


@pytest.mark.parametrize("strategy", ["fastest", "shortest"])
def test_lane_path_is_the_one_esmini_drives(strategy):
    """From lane 1 of road 202 (travelling -s) to lane 1 of road 196: esmini's road sequence,
    entering 209 in lane -2 (from lane 2 of 202, the lane change) and leaving it in lane -1
    (lane -2 has no successor). Waypoints: lane 2 at the start's own s on 202 (already in
    the lane's stretch), the middle of each later road's stretch, then the target."""
    net = network()
    start, target = lane("202", 1, 47.0), lane("196", 1, 50.0)
    path = plan_lane_path(net, start, False, target, strategy)
    assert [n.road_id for n in path] == ESMINI_PATH
    assert [(n.lane_id, n.from_lane) for n in path[:3]] == [(1, 0), (-1, 2), (-2, -1)]
    wps = path_waypoints(net, path, start, target)
    assert wps[0] == ("202", 2, 47.0)
    assert wps[2] == ("209", -1, pytest.approx(54.5))
    assert wps[-1] == ("196", 1, 50.0)
    if strategy == "shortest":     # whole roads between, partial first and last [m]
        middle = sum(net.roads[r].length for r in ESMINI_PATH[1:-1])
        assert path[-1].weight == pytest.approx(47.0 + middle + (109.0 - 50.0))


def test_no_path_into_a_lane_of_the_wrong_direction_or_the_same_lane():
    net = network()
    assert plan_lane_path(net, lane("202", 1, 47.0), False, lane("202", 1, 20.0)) is None
    assert plan_lane_path(net, lane("202", 1, 47.0), False, lane("202", 3, 20.0)) is None  # border


def test_average_speed_of_road_types():
    """esmini's fastest-route speeds: a town road without a speed 13.888 m/s, a road without
    type records 19.444 m/s."""
    net = network()
    assert average_speed(net.roads["202"]) == pytest.approx(13.888)
    assert average_speed(net.roads["284"]) == pytest.approx(19.444)


def variant(tmp_path, *edits, extra_entity="", extra_init=""):
    """follow_route_controller_test_medium.xosc with text ``edits`` (old, new) applied and an
    extra ScenarioObject and Init actions, written to ``tmp_path`` (relative paths made
    absolute)."""
    text = XOSC.read_text()
    text = text.replace('"../../../resources/', f'"{REFERENCE}/resources/')
    text = text.replace('"../xodr/', f'"{UNITTEST}/xodr/')
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    text = text.replace("</Entities>", extra_entity + "</Entities>")
    text = text.replace("</Actions>\n        </Init>", extra_init + "</Actions>\n        </Init>")
    path = tmp_path / "follow_route.xosc"
    path.write_text(text)
    return path


def run(path, until):
    sc = load_scenario(path)
    events = []
    engine = ScenarioEngine(sc, network(), dt=0.05, on_event=events.append)
    worlds = [engine.initialize()]
    while worlds[-1].time < until - 1e-9:
        worlds.append(engine.step(0.05, {}))
    return worlds, events, engine


def test_without_test_mode_the_entity_drives_on_after_the_route(tmp_path):
    """testMode false: the controller still deactivates after the last waypoint (31.25 s),
    but the Ego keeps its speed under the default controller."""
    path = variant(tmp_path, ('parameterRef="TestMode" value="true"',
                              'parameterRef="TestMode" value="false"'))
    worlds, events, _ = run(path, 33.0)
    assert [(e.t, e.data["domains"]) for e in events if e.kind == "controller"][-1] == (31.25, [])
    assert worlds[-1].entities["Ego"].speed == pytest.approx(30.0)
    assert worlds[-1].entities["Ego"].pose.y < 58.0          # on beyond the stop point


NPC = """<ScenarioObject name="NPC">
            <CatalogReference catalogName="VehicleCatalog" entryName="car_white"/>
        </ScenarioObject>
"""
NPC_INIT = """<Private entityRef="NPC"><PrivateAction><TeleportAction><Position>
    <LanePosition roadId="202" laneId="2" s="50.0" offset="0.0"/></Position></TeleportAction>
    </PrivateAction><PrivateAction><LongitudinalAction><SpeedAction>
    <SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/>
    <SpeedActionTarget><AbsoluteTargetSpeed value="30"/></SpeedActionTarget></SpeedAction>
    </LongitudinalAction></PrivateAction></Private>
"""


@pytest.mark.parametrize("min_dist, changes", [("10", False), ("0", True)])
def test_lane_change_waits_for_a_vehicle_alongside(tmp_path, min_dist, changes):
    """A car driving alongside in the target lane (within minDistForCollision = 10 m) keeps
    the Ego in its lane; minDistForCollision 0 turns the check off and the Ego changes."""
    path = variant(tmp_path, ('<ParameterAssignment parameterRef="TestMode" value="true"/>',
                              '<ParameterAssignment parameterRef="TestMode" value="true"/>'
                              f'<ParameterAssignment parameterRef="MinDistForCollision" '
                              f'value="{min_dist}"/>'),
                   extra_entity=NPC, extra_init=NPC_INIT)
    worlds, _, engine = run(path, 1.5)
    ego = worlds[-1].entities["Ego"]           # at 1.5 s, still in lane 1 of road 202
    assert (ego.lane.road_id, ego.lane.lane_id) == ("202", 1)
    assert engine.rt.mover("Ego").coord.lane_id == (2 if changes else 1)
    if changes:   # esmini's run: 1.52 m towards lane 2 by then
        assert ego.lane.offset == pytest.approx(3.390 - 1.875, abs=1e-3)
    else:
        assert ego.lane.offset == pytest.approx(0.0, abs=1e-9)


def test_entity_leaves_a_lane_that_narrows_to_nothing(tmp_path):
    """A car without controller on lane -2 of road 209, which narrows to zero width at
    s = 59 m: it is moved to lane -1 (offset 0) in the step that takes it past, as esmini's
    ``MoveAlongS`` does (esmini log of the reference run: "Lane -2 on road 209 is or became
    zero width, moved to closest available lane: -1")."""
    init = NPC_INIT.replace('roadId="202" laneId="2"', 'roadId="209" laneId="-2"') \
        .replace('s="50.0"', 's="40.0"').replace('value="30"', 'value="10"')
    path = variant(tmp_path, extra_entity=NPC, extra_init=init)
    worlds, _, _ = run(path, 2.5)
    lanes = [(w.entities["NPC"].lane.lane_id, w.entities["NPC"].lane.s) for w in worlds]
    before = [s for lane_id, s in lanes if lane_id == -2]
    after = [(s, w.entities["NPC"].lane.offset) for (lane_id, s), w in zip(lanes, worlds)
             if lane_id == -1]
    assert before and after
    assert after[0][0] == pytest.approx(59.0, abs=0.6)
    assert all(abs(offset) < 1e-9 for _, offset in after)
