"""The ego under an agent drives the route the scenario assigns it (AssignRouteAction).

esmini's routing-test assigns Ego a route across multi_intersections.xodr. The ``scenario``
agent drives it as esmini does; the ``idm`` agent gets the same route through its Observation
and must take the same roads, in the same order, through every junction it reaches.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from reference_data import ESMINI
from runners.case import RunOptions, TestCase, run_case
from testzone.recording import read_recording

ROUTING = ESMINI / "resources" / "xosc" / "routing-test.xosc"


def roads_driven(run_dir: Path) -> list[str]:
    """The ego's road ids in the order it drove them (repeats collapsed)."""
    rec = read_recording(run_dir / "recording.jsonl")
    lanes = (f.entities["Ego"].lane for f in rec.frames)
    return [k for k, _ in itertools.groupby(ln.road_id for ln in lanes if ln is not None)]


def test_idm_follows_the_assigned_route_through_the_junctions(tmp_path: Path) -> None:
    case = TestCase("routing", str(ROUTING))
    run_case(case, RunOptions(agent="scenario"), tmp_path / "ref")
    run_case(case, RunOptions(agent="idm", max_sim_time=30.0), tmp_path / "idm")
    from maps import load_opendrive
    net = load_opendrive(read_recording(tmp_path / "ref" / "recording.jsonl").header.map_file)
    plain = {rid for rid, r in net.roads.items() if str(r.junction) in ("-1", "", "None")}
    ref = [r for r in roads_driven(tmp_path / "ref") if r in plain]
    ours = [r for r in roads_driven(tmp_path / "idm") if r in plain]
    # in 30 s the idm ego covers several junctions: at least four roads, all in esmini's order
    assert len(ours) >= 4, ours
    assert ours == ref[:len(ours)], (ours, ref)
    # the route's destination is recorded, so the evaluator can score route completion
    goals = read_recording(tmp_path / "idm" / "recording.jsonl").events_of("goal")
    assert goals and goals[0].t == 0.0 and goals[0].data["entity"] == "Ego"


def test_route_waypoints_name_each_road_at_its_midpoint() -> None:
    from maps import load_opendrive
    from runners.observation import route_waypoints
    net = load_opendrive(ESMINI / "resources" / "xodr" / "straight_500m.xodr")
    (wp,) = route_waypoints(net, ("1",))
    # straight_500m: one 500 m road along +x from the origin
    assert (wp.road_id, wp.s) == ("1", 250.0)
    assert (round(wp.x, 6), round(wp.y, 6)) == (250.0, 0.0)
    assert route_waypoints(net, None) == () and route_waypoints(None, ("1",)) == ()


def test_the_route_is_kept_through_the_junction_and_judged(tmp_path: Path) -> None:
    """New-section pass 12: a car entering a junction was placed on the straightest
    connecting road (maps' world_to_lane); idm rebuilt its path from there and went straight
    where its route turned left, and nothing judged it. On the Wuhan section, road 1's lane -1
    leads to the straight road 100 and the left turn 103: 2 m into the junction, where the
    two still overlap, the map says 100 without a route and 103 on a route turning left, so
    the stack under test and the recording see the lane the route takes. The routing-test
    run keeps its route, and every road recorded is one of its plan's."""
    from maps import load_opendrive
    from testzone.world import LaneCoord
    net = load_opendrive(Path(__file__).resolve().parents[2] / "maps" / "wuhan" /
                         "wuhan_section1.xodr")
    p = net.lane_to_world("100", -1, 2.0)
    before = LaneCoord("1", -1, 979.0, -1.75)
    lane = net.world_to_lane(p.x, p.y, p.h, prefer=before)
    assert lane.road_id == "100"
    turning = net.world_to_lane(p.x, p.y, p.h, prefer=before, route=("1", "103", "4"))
    assert (turning.road_id, turning.lane_id) == ("103", -1)
    straight = net.world_to_lane(p.x, p.y, p.h, prefer=before, route=("1", "100", "2"))
    assert (straight.road_id, straight.lane_id, straight.s) == ("100", -1, pytest.approx(2.0))
    assert net.world_to_lane(p.x, p.y, p.h, prefer=before, route=()) == lane
    # once past the junction the route's roads say nothing: road 2 is where the point is
    q = net.lane_to_world("2", -1, 20.0)
    assert net.world_to_lane(q.x, q.y, q.h, route=("1", "103", "4")).road_id == "2"
    case = TestCase("routing", str(ROUTING))
    res = run_case(case, RunOptions(agent="idm", max_sim_time=30.0), tmp_path / "idm")
    assert {c["id"]: c["status"] for c in res["criteria"]}["follows_route"] == "pass"
    goal = read_recording(tmp_path / "idm" / "recording.jsonl").events_of("goal")[0]
    driven = roads_driven(tmp_path / "idm")
    assert goal.data["roads"][0] == driven[0]
    assert set(driven) <= set(goal.data["roads"]), driven


MAPS = Path(__file__).resolve().parents[2] / "maps" / "wuhan"
TESTZONE, SECTION1 = MAPS / "wuhan_testzone.xodr", MAPS / "wuhan_section1.xodr"
SECTION1_GREEN = {**{f"100{i}": "green" for i in range(1, 5)},
                  **{f"200{i}": "red" for i in range(1, 5)}}


def _builders():
    import sys
    sys.path.append(str(Path(__file__).resolve().parents[1] / "scenarios"))
    import builders
    return builders


def _routing(inner: str) -> str:
    return f"<PrivateAction><RoutingAction>{inner}</RoutingAction></PrivateAction>"


def _acquire(road: str, lane: int, s: float) -> str:
    return _routing(f"<AcquirePositionAction>{_builders().on_lane(road, lane, s)}"
                    f"</AcquirePositionAction>")


def _assign(*waypoints: tuple[str, int, float]) -> str:
    on_lane = _builders().on_lane
    return _routing('<AssignRouteAction><Route name="r" closed="false">' + "".join(
        f'<Waypoint routeStrategy="shortest">{on_lane(*w)}</Waypoint>' for w in waypoints)
        + "</Route></AssignRouteAction>")


def _trajectory(*xyh: tuple[float, float, float]) -> str:
    vertices = "".join(f'<Vertex><Position><WorldPosition x="{x}" y="{y}" h="{h}"/></Position>'
                       f'</Vertex>' for x, y, h in xyh)
    return _routing(f'<FollowTrajectoryAction><TrajectoryRef><Trajectory name="t" '
                    f'closed="false"><Shape><Polyline>{vertices}</Polyline></Shape></Trajectory>'
                    f'</TrajectoryRef><TimeReference><None/></TimeReference>'
                    f'<TrajectoryFollowingMode followingMode="position"/>'
                    f'</FollowTrajectoryAction>')


def _run(tmp_path: Path, name: str, agent: str, xodr: Path, position: str, speed: float,
         actions: str, stop_s: float, signals: dict[str, str] | None = None) -> dict:
    """Run one Ego on a Wuhan map (builders.ego_on_map) and return its result."""
    b = _builders()
    path = tmp_path / f"{name}.xosc"
    path.write_text(b.ego_on_map(xodr, position, speed, actions, stop_s,
                                 b.signal_plan(signals) if signals else ""))
    return run_case(TestCase(name, str(path)), RunOptions(agent=agent), tmp_path / name)


ROUND_THE_BLOCK = (("30", -3, 400), ("21", 2, 270), ("31", -3, 100))
"""Waypoints on the test zone that pass road 30 twice: round the block by road 21, then on."""


def test_a_route_that_returns_to_its_first_road_is_kept_to_in_order(tmp_path: Path) -> None:
    """Hostile pass 13: a goal behind the ego on its own road is planned round the block
    (30, ..., 30), and a route 30 -> 21 -> 31 passes road 30 twice; the ego driving straight
    on from road 30 onto 31 passed with 100, the metric taking the first frame on road 30 (or
    the shortcut onto 31) for the route's end. Driving east from s = 400 at 8 m/s it leaves
    road 30 (520 m) for 31 after about 15 m of junction, at 21.3 s: off the loop, and a loop
    cut short."""
    east = _trajectory((140.0, -863.75, 0.0), (700.0, -863.75, 0.0))
    for name, routing in (("loop", _acquire("30", -3, 100)), ("skip", _assign(*ROUND_THE_BLOCK))):
        res = _run(tmp_path, name, "scenario", TESTZONE,
                   _builders().on_lane("30", -3, 400), 8.0, routing + east, 25.0)
        route = res["findings"]["route"]
        assert [(d["road_id"], d["t"]) for d in route] == [("31", 21.3)], name
        assert res["verdict"] == "fail" and "follows_route" in [
            c["id"] for c in res["criteria"] if c["status"] == "fail"], name


def test_idm_changes_into_the_lane_its_route_needs(tmp_path: Path) -> None:
    """Hostile pass 13: on section 1 the ego starts on road 1 in lane -1, which goes straight
    on through junction 100; its route (AcquirePositionAction to road 3) turns off there by
    connecting road 102, which starts from lane -2 only. idm never left lane -1, went
    straight onto road 2 and failed follows_route. It now changes to lane -2 (a mandatory
    change, MOBIL's safety criterion kept) and takes road 102 onto road 3."""
    res = _run(tmp_path, "route_lane", "idm", SECTION1, _builders().on_lane("1", -1, 700),
               12.0, _acquire("3", 1, 150), 30.0, SECTION1_GREEN)
    driven = roads_driven(tmp_path / "route_lane")   # connecting roads overlap in the
    assert "102" in driven and [r for r in driven if r in ("1", "2", "3")] == ["1", "3"], \
        driven                                   # junction: the lookup may name 101 too
    assert res["metrics"]["route_departure_count"]["value"] == 0.0


def test_idm_keeps_to_a_route_that_passes_its_first_road_again(tmp_path: Path) -> None:
    """Verify pass 13: idm's route lane choice took a route that ends on the road it starts
    on (waypoints 30 -> 21 -> 31 pass road 30 twice) as ending there, went straight on from
    30 to 31 and failed follows_route. It now walks the route as it drives: round the block
    first (30, 103503, 132, ...)."""
    res = _run(tmp_path, "wp", "idm", TESTZONE, _builders().on_lane("30", -3, 400), 8.0,
               _assign(*ROUND_THE_BLOCK), 45.0)
    driven = roads_driven(tmp_path / "wp")
    assert "132" in driven and "31" not in driven, driven
    assert res["metrics"]["route_departure_count"]["value"] == 0.0


def test_idm_moves_towards_a_turn_bay_that_opens_later(tmp_path: Path) -> None:
    """Hostile pass 13b: on road 30 the left-turn bay for junction 1035 opens at s = 430;
    from lane -2 at s = 150 with a route turning left (30, 103504, 133) no lane could follow
    the route yet, so idm kept right (MOBIL), was three lanes away when the bay opened and
    went straight on. It now keeps towards the side where the route's lane will be."""
    res = _run(tmp_path, "bay", "idm", TESTZONE, _builders().on_lane("30", -2, 150), 12.0,
               _acquire("133", -1, 40), 30.0)
    driven = roads_driven(tmp_path / "bay")
    assert "133" in driven and "31" not in driven, driven
    assert res["metrics"]["route_departure_count"]["value"] == 0.0


UTURN = ((-100, -1.75, 0), (60, -1.75, 0), (68, -1.0, 0.8), (70, 0, 1.5708), (68, 1.0, 2.3),
         (60, 1.75, 3.1416))
"""Section 1: east on road 1 through junction 100 onto road 2, a U-turn 10 m into it."""


@pytest.mark.parametrize("then, road", [
    (((-400, 1.75, 3.1416),), "1"),                       # back west along the route
    (((25, 1.75, 3.1416), (7.1, 7.1, 2.3562), (1.75, 20, 1.5708), (1.75, 250, 1.5708)),
     "4"),                                                # back and right, north on road 4
])
def test_turning_back_from_the_routes_last_road_is_a_departure(tmp_path: Path, then,
                                                               road) -> None:
    """Hostile pass 13b, verify pass 13b: with the route 1 -> 100 -> 2 (goal at s = 500 of
    road 2), the ego reached road 2, turned round and drove back, west on road 1 or
    north on road 4: the route was taken as done on reaching its last road. Short of the
    goal (along the way the route entered road 2), leaving the last road is a departure;
    back on the road before, beyond a lookup's slack (10 m), too."""
    start = '<Position><WorldPosition x="-100" y="-1.75" h="0"/></Position>'
    res = _run(tmp_path, "back", "scenario", SECTION1, start, 10.0,
               _acquire("2", -1, 500) + _trajectory(*UTURN, *then), 55.0, SECTION1_GREEN)
    assert [d["road_id"] for d in res["findings"]["route"]] == [road]
    assert "follows_route" in [c["id"] for c in res["criteria"] if c["status"] == "fail"]


TZ_LANE_Y = {-3: -863.75, -2: -860.25, 2: -849.75, 3: -846.25}
"""y [m] of the lanes of test-zone roads 30 / 31 (they run east along y = -855)."""
NORTH_ONTO_133 = ((300, -842, 2.4), (291, -830, 1.5708), (291, -500, 1.5708))


def _east(x, lane):
    return (x, TZ_LANE_Y[lane], 0)


def _west(x, lane):
    return (x, TZ_LANE_Y[lane], 3.1416)


@pytest.mark.parametrize("goal_s, path", [
    # enters road 31 in lane 2, against its way; turns round short of the goal (s 400)
    (400, (_east(100, -2), _east(260, -2), (320, -849.75, 0), (500, -849.75, 0),
           (510, -844, 1.5708), _west(500, 3), _west(330, 3))),
    # passes the goal (s 100) in the next lane, turns round further on, back the way it came
    (100, (_east(100, -2), _east(260, -3), _east(500, -3), (510, -855, 1.5708),
           _west(500, 2), _west(330, 2))),
])
def test_leaving_the_last_road_back_the_way_it_came_is_one_departure(tmp_path, goal_s, path):
    """Hostile pass 13c: on the route 30 -> 103500 -> 31, an ego that entered road 31 the
    wrong way, or passed its goal and turned round, then left road 31 by its start onto the
    side road 133, was not judged (the goal counted as passed); and a wrong way through a
    junction counted once per road the lookup named. Leaving the last road by the end it
    entered is a departure, one for the whole detour."""
    start = '<Position><WorldPosition x="100" y="-860.25" h="0"/></Position>'
    res = _run(tmp_path, "side", "scenario", TESTZONE, start, 15.0,
               _acquire("31", -2, goal_s) + _trajectory(*path, *NORTH_ONTO_133), 80.0)
    assert [d["road_id"] for d in res["findings"]["route"]] == ["133"]


def test_a_route_through_a_junction_twice_is_localised_on_the_pass_under_way():
    """Hostile pass 14: the engine gave world_to_lane the whole route, whose first connecting
    road of junction 1002 (100200, the first pass) won where the second pass's 100207 still
    overlaps it. The engine now passes the route from the road the entity was last on."""
    from types import SimpleNamespace
    from maps import load_opendrive
    from scenarios.engine import ScenarioEngine
    net = load_opendrive(TESTZONE)
    plan = ["1", "100200", "2", "103", "100207", "2"]
    p = net.lane_to_world("100207", -1, 0.8 * net.roads["100207"].length)
    assert net.world_to_lane(p.x, p.y, p.h, route=plan).road_id == "100200"    # the hazard
    engine = ScenarioEngine.__new__(ScenarioEngine)
    engine.rt, engine._route_walks = SimpleNamespace(net=net), {}
    mover = SimpleNamespace(defn=SimpleNamespace(name="Ego"), lane=None,
                            route=SimpleNamespace(plan=plan))
    for road, s in (("1", 500.0), ("100200", 20.0), ("2", 100.0), ("103", 500.0)):
        q = net.lane_to_world(road, -1, s)
        mover.lane = engine._localize(mover, q)
        assert mover.lane.road_id == road
    assert engine._localize(mover, p).road_id == "100207"
