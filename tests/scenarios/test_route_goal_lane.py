"""Routes of the vehicle under test arrive in their waypoints' lanes (maps route
``goal_lane``); scenario entities keep esmini's plan."""

from __future__ import annotations

from builders import ego_on_map, on_lane, write
from reference_data import ESMINI

from maps import load_opendrive
from scenarios import ScenarioEngine, load_scenario

XODR = ESMINI / "resources" / "xodr" / "multi_intersections.xodr"


def _route(waypoints: list[tuple[str, int, float]]) -> str:
    points = "".join(f'<Waypoint routeStrategy="shortest">{on_lane(*w)}</Waypoint>'
                     for w in waypoints)
    return ('<PrivateAction><RoutingAction><AssignRouteAction><Route name="r" closed="false">'
            f'{points}</Route></AssignRouteAction></RoutingAction></PrivateAction>')


def test_the_vehicle_under_test_is_routed_into_the_goal_lanes_direction(tmp_path):
    """From road 242 (lane 1) to lane 1 of road 217, driven against s: the shortest plan
    enters 217 at s = 0 from junction 148, on the other side of the road; the vehicle under
    test's plan comes round the northern ring into 217's end (tests/maps/test_maps_routing.py
    derives both). A scenario entity keeps the esmini plan."""
    doc = ego_on_map(XODR, on_lane("242", 1, 100.0), 10.0,
                     _route([("242", 1, 100.0), ("217", 1, 50.0)]))
    sc = load_scenario(write(tmp_path, doc))
    net = load_opendrive(sc.road_network_path)
    plans = {}
    for external in (frozenset({"Ego"}), frozenset()):
        engine = ScenarioEngine(sc, net, dt=0.05, external=external, on_event=lambda e: None)
        engine.initialize()
        plan = engine.rt.mover("Ego").route.plan
        plans[bool(external)] = [r for r in plan if not net.roads[r].in_junction]
    assert plans[True] == ["242", "229", "284", "256", "266", "267", "217"]
    assert plans[False] == ["242", "235", "209", "202", "222", "217"]
