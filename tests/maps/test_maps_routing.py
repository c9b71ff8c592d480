"""Route strategies (shortest, fastest, leastIntersections) on esmini's multi_intersections.

The network (checked on its plot): junctions 148 at (50, 0) (T), 146 at (290, 0) and 150 at
(530, 0) (crossings), 152 at (290, 240) and 154 at (290, -240) (T), joined by a ring road.
From road 242 (east stub, lane 1 heading west) to road 217 (north of junction 148, s = 50):

* shortest: west along y = 0: 242, 235, 209, 202, 222, 217 through junctions 150, 146, 148
  (109 m per leg);
* leastIntersections: north at 150, round the ring: 242, 229, 284, 256, 266, 267, 217,
  through junctions 150 and 152 only (two instead of three, about 300 m longer);
* fastest without speed limits = shortest; with roads 235 and 229 limited to 5 km/h both
  routes above take minutes, so the southern ring wins: 242, 230, 283, 280, 270, 281, 227,
  217 (junctions 150, 154, 148).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import maps
from maps.routing import travel_time
from testzone.world import LaneCoord

XODR = (Path(__file__).resolve().parents[3] / "shared" / "reference" / "esmini" / "resources"
        / "xodr" / "multi_intersections.xodr")
START = LaneCoord("242", 1, 100.0, 0.0)
GOAL = LaneCoord("217", 1, 50.0, 0.0)
WEST = ["242", "235", "209", "202", "222", "217"]
NORTH_RING = ["242", "229", "284", "256", "266", "267", "217"]
SOUTH_RING = ["242", "230", "283", "280", "270", "281", "227", "217"]


@pytest.fixture(scope="module")
def net():
    return maps.load_opendrive(XODR)


def _plain(net, route):
    """The route without its junction connecting roads."""
    return [r for r in route if net.roads[r].junction == "-1"]


def _junctions(net, route):
    return [net.roads[r].junction for r in route if net.roads[r].junction != "-1"]


def test_shortest_goes_west(net):
    route = net.route(START, GOAL, "shortest")
    assert _plain(net, route) == WEST
    assert _junctions(net, route) == ["150", "146", "148"]
    assert net.route(START, GOAL) == route  # the default strategy


def test_least_intersections_takes_the_ring(net):
    route = net.route(START, GOAL, "leastIntersections")
    assert _plain(net, route) == NORTH_RING
    assert _junctions(net, route) == ["150", "152"]
    length = lambda ids: sum(net.roads[r].length for r in ids)  # noqa: E731
    # ring legs 109 + 214.2 + 109 + 109 + 208.2 m against four 109 m legs west
    assert length(route) > length(net.route(START, GOAL, "shortest")) + 250.0


def test_fastest_without_limits_is_shortest(net):
    assert net.route(START, GOAL, "fastest") == net.route(START, GOAL, "shortest")


def _slow(text: str, road_id: str, kmh: float) -> str:
    """Replace the first <type> record of road ``road_id`` by one with a speed limit."""
    i = text.rindex("<road", 0, text.index(f'id="{road_id}"'))
    j = text.index("<type", i)
    k = text.index("/>", j)
    return (text[:j] + f'<type s="0" type="town"><speed max="{kmh}" unit="km/h"/></type>'
            + text[k + 2:])


def test_fastest_avoids_slow_roads(tmp_path):
    text = _slow(_slow(XODR.read_text(), "235", 5), "229", 5)
    (tmp_path / "slow.xodr").write_text(text)
    net = maps.load_opendrive(tmp_path / "slow.xodr")
    assert net.speed_limit("235", 1, 10.0) == pytest.approx(5 / 3.6)
    assert _plain(net, net.route(START, GOAL, "fastest")) == SOUTH_RING
    assert _plain(net, net.route(START, GOAL, "shortest")) == WEST
    assert _plain(net, net.route(START, GOAL, "leastIntersections")) == NORTH_RING


def test_travel_time_piecewise(net):
    road = net.roads["235"]  # 109 m, no limits: 50 km/h default
    assert travel_time(road, -1, 0.0, road.length) == pytest.approx(road.length / (50 / 3.6))
    assert travel_time(road, -1, 0.0, 10.0, default_speed=5.0) == pytest.approx(2.0)


def test_unknown_strategy_and_unreachable(net):
    with pytest.raises(maps.MapsError, match="route strategy 'random' unknown"):
        net.route(START, GOAL, "random")
    assert net.route(START, GOAL, max_distance=100.0) is None


def test_point_behind_on_a_stub_needs_a_loop(net):
    # 242 is a dead-end stub: a point 5 m behind the start is reached by driving out through
    # junction 150, round a ring and back in along +s (the other carriageway)
    route = net.route(START, LaneCoord("242", 1, 105.0, 0.0))
    assert route[0] == route[-1] == "242"
    assert _junctions(net, route).count("150") == 2
    assert net.route(START, LaneCoord("242", 1, 95.0, 0.0)) == ["242"]


def test_a_goal_in_the_lane_driven_the_other_way_is_a_u_turn_away(net):
    """Session 12's gap: a goal on the start's road in a lane driven the other way (lane -1
    of 242 runs +s, the start's lane 1 runs -s) was planned as that one road, and the
    default controller drove to it against the traffic. It is reached like a point behind:
    out through junction 150, round a ring, and back onto 242 along +s, now wherever along
    the road it lies (s = 95 m, ahead of the start along -s, included)."""
    for s in (95.0, 105.0):
        route = net.route(START, LaneCoord("242", -1, s, 0.0))
        assert route[0] == route[-1] == "242" and len(route) > 2, s
        assert _junctions(net, route).count("150") == 2


def test_goal_lane_enters_the_goal_road_in_its_lanes_direction(net):
    """GOAL is on road 217 in lane 1, driven against s (from its end, road 267, towards
    junction 148). The shortest plan enters 217 from junction 148 at s = 0 (WEST), driving
    along +s: lane -1's way, the other side of the road (esmini plans so). With ``goal_lane``
    the plan must come in from road 267: the northern ring, which enters 217 at its end.
    For a goal in lane -1 the shortest plan already arrives that way."""
    assert net.driving_sign("217", 1) == -1
    assert _plain(net, net.route(START, GOAL)) == WEST
    assert _plain(net, net.route(START, GOAL, goal_lane=True)) == NORTH_RING
    minus = LaneCoord("217", -1, 50.0, 0.0)
    assert _plain(net, net.route(START, minus, goal_lane=True)) == WEST
