"""advance() and longitudinal_distance() across sections, road links and junctions."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import maps
from testzone.world import LaneCoord
from maps_samples import lane_opening_road, t_junction, two_roads_end_to_end, write

ESMINI = Path(__file__).resolve().parents[3] / "shared" / "reference" / "esmini"


@pytest.fixture()
def two(tmp_path):
    return maps.load_opendrive(write(tmp_path, "two.xodr", two_roads_end_to_end()))


@pytest.fixture()
def junction(tmp_path):
    return maps.load_opendrive(write(tmp_path, "j.xodr", t_junction()))


def test_advance_within_road(two):
    c = two.advance(LaneCoord("1", -1, 10.0, -1.25), 15.0)
    assert (c.road_id, c.lane_id, c.s, c.t) == ("1", -1, pytest.approx(25.0), pytest.approx(-1.25))
    c = two.advance(LaneCoord("1", 1, 50.0, 2.25), 15.0)  # lane 1 is driven along -s
    assert c.s == pytest.approx(35.0)


def test_advance_through_end_to_end_link_flips_lane_sign(two):
    c = two.advance(LaneCoord("1", -1, 90.0, -1.25, 0.3), 20.0)
    # 10 m to the shared end at x=100, then 10 m into road 2 against its s
    assert (c.road_id, c.lane_id) == ("2", 1)
    assert c.s == pytest.approx(90.0) and c.offset == -0.3  # t axes opposite
    p = two.lane_to_world(c.road_id, c.lane_id, c.s, c.offset)
    assert (p.x, p.y, p.h) == pytest.approx((110.0, -1.75 + 0.3, 0.0), abs=1e-9)
    # and back again with a negative distance
    back = two.advance(c, -20.0)
    assert (back.road_id, back.lane_id, back.s) == ("1", -1, pytest.approx(90.0))


def test_advance_stops_at_dead_end(two):
    c = two.advance(LaneCoord("1", -1, 90.0, -1.25), 500.0)
    assert (c.road_id, c.s) == ("2", pytest.approx(0.0))


def test_advance_into_junction_straightest_by_default(junction):
    c = junction.advance(LaneCoord("10", -1, 45.0, -1.75), 10.0)
    assert (c.road_id, c.lane_id, c.s) == ("11", -1, pytest.approx(5.0))
    c = junction.advance(LaneCoord("10", -1, 45.0, -1.75), 40.0)
    assert (c.road_id, c.s) == ("13", pytest.approx(15.0))


def test_advance_choose_callback_receives_entries(junction):
    seen = []

    def left(options):
        seen.extend(options)
        return next(o for o in options if o.road_id == "12")

    # the lane centre (t = -1.75) of the radius-20 left turn is 10 pi (1 + 1.75/20) m long
    turn = 10 * math.pi * (1 + 1.75 / 20)
    c = junction.advance(LaneCoord("10", -1, 45.0, -1.75), 5.0 + turn + 5.0, left)
    assert {(o.road_id, o.lane_id, o.s) for o in seen} == {("11", -1, 0.0), ("12", -1, 0.0)}
    assert (c.road_id, c.lane_id, c.s) == ("14", -1, pytest.approx(5.0))
    p = junction.lane_to_world(c.road_id, c.lane_id, c.s)
    assert (p.x, p.y, p.h) == pytest.approx((71.75, 25.0, math.pi / 2), abs=1e-9)


def test_longitudinal_distance(junction, two):
    a = LaneCoord("10", -1, 45.0, -1.75)
    b = LaneCoord("13", -1, 15.0, -1.75)
    assert junction.longitudinal_distance(a, b) == pytest.approx(40.0)
    assert junction.longitudinal_distance(b, a) == pytest.approx(-40.0)
    assert junction.longitudinal_distance(a, LaneCoord("10", -1, 10.0, -1.75)) == pytest.approx(-35.0)
    # lane 1 of road 1 is driven along -s: b ahead of a means smaller s
    assert two.longitudinal_distance(LaneCoord("1", 1, 50.0, 2.25),
                                     LaneCoord("1", 1, 20.0, 2.25)) == pytest.approx(30.0)
    # through the end-to-end link: 10 m to x=100, then 100 - 80 = 20 m into road 2
    assert two.longitudinal_distance(LaneCoord("1", -1, 90.0, -1.25),
                                     LaneCoord("2", 1, 80.0, -1.75)) == pytest.approx(30.0)
    assert junction.longitudinal_distance(a, b, max_distance=20.0) is None


def test_advance_follows_esmini_route_in_multi_intersections():
    """Driving the route of routing-test.csv with advance() stays on esmini's lane centres."""
    net = maps.load_opendrive(ESMINI / "resources/xodr/multi_intersections.xodr")
    c = net.world_to_lane(*_first_position(), heading=None)
    # walk 200 m in 1 m steps; every step must land on a lane centre of a driving lane
    for _ in range(200):
        c = net.advance(c, 1.0)
        p = net.lane_to_world(c.road_id, c.lane_id, c.s, c.offset)
        back = net.world_to_lane(p.x, p.y, p.h)
        assert back is not None and abs(back.offset - c.offset) < 1e-3


def _first_position():
    import sys
    sys.path.append(str(Path(__file__).resolve().parents[1]))
    from esmini_csv import read_esmini_csv
    _, ents = read_esmini_csv(ESMINI / "csv/routing-test.csv")
    e = ents["Ego"]
    return float(e["World_Position_X"][0]), float(e["World_Position_Y"][0])


def test_route_and_route_chooser(junction):
    from maps.traversal import route_chooser
    a = LaneCoord("10", -1, 45.0, -1.75)
    assert junction.route(a, LaneCoord("14", -1, 10.0, -1.75)) == ["10", "12", "14"]
    assert junction.route(a, LaneCoord("13", -1, 10.0, -1.75)) == ["10", "11", "13"]
    # behind a on the same road, and nothing leads back into road 10: no route
    assert junction.route(a, LaneCoord("10", -1, 10.0, -1.75)) is None
    route = junction.route(a, LaneCoord("14", -1, 10.0, -1.75))
    c = junction.advance(a, 40.0, route_chooser(route))
    assert c.road_id == "14"


def test_route_through_multi_intersections_matches_esmini_roads():
    """The routing-test Ego's road sequence (found from its positions) is a drivable route,
    and route() between its first and last positions is no longer than esmini's path."""
    import sys
    sys.path.append(str(Path(__file__).resolve().parents[1]))
    from esmini_csv import read_esmini_csv
    net = maps.load_opendrive(ESMINI / "resources/xodr/multi_intersections.xodr")
    _, ents = read_esmini_csv(ESMINI / "csv/routing-test.csv")
    e = ents["Ego"]
    seq = []
    for i in range(0, len(e["World_Position_X"]), 2):
        c = net.world_to_lane(e["World_Position_X"][i], e["World_Position_Y"][i],
                              e["World_Heading_Angle"][i])
        if not seq or seq[-1] != c.road_id:
            seq.append(c.road_id)
    first = net.world_to_lane(e["World_Position_X"][0], e["World_Position_Y"][0],
                              e["World_Heading_Angle"][0])
    last = net.world_to_lane(e["World_Position_X"][-1], e["World_Position_Y"][-1],
                             e["World_Heading_Angle"][-1])
    route = net.route(first, last)
    assert route is not None and route[0] == seq[0] and route[-1] == seq[-1]
    length = lambda ids: sum(net.roads[r].length for r in ids[1:-1])  # noqa: E731
    assert length(route) <= length(seq) + 1e-6


@pytest.mark.parametrize("step", [10.0, 10.5, 2.0])
def test_a_position_that_lands_on_a_lane_section_boundary_keeps_its_lane(tmp_path, step):
    """New-user pass 10: an agent's path sampled every 2 m landed exactly on s = 430 of a
    test-zone road where a left-turn lane opens; it took the old id in the new section (the
    next lane to the left) and the vehicle swerved. Landing on the boundary or past it must
    give the same lane: the linked one, at the same y."""
    net = maps.load_opendrive(write(tmp_path, "open.xodr", lane_opening_road()))
    c = LaneCoord("1", -2, 40.0, -5.25)
    while c.s < 60.0:
        c = net.advance(c, step)
        y = net.lane_to_world(c.road_id, c.lane_id, c.s, 0.0).y
        opened = 0.07 * max(c.s - 50.0, 0.0)     # the new lane's width pushes it outwards
        assert y == pytest.approx(-5.25 - opened), (c, y)
        assert c.lane_id == (-2 if c.s < 50.0 else -3)
    # backwards onto s = 50: the id of the section that holds s = 50 (the one starting there,
    # as Road.section_at and lane_to_world read it), then on behind it under the linked id
    back = net.advance(LaneCoord("1", -3, 60.0, -5.95), -10.0)
    assert (back.lane_id, back.s) == (-3, pytest.approx(50.0))
    assert net.lane_to_world("1", back.lane_id, back.s, 0.0).y == pytest.approx(-5.25)
    behind = net.advance(back, -5.0)
    assert (behind.lane_id, behind.s, behind.t) == (-2, pytest.approx(45.0), pytest.approx(-5.25))


def test_route_progress_tells_two_passes_of_one_road_apart():
    from maps.traversal import route_progress
    route = ["1", "100", "2", "3", "1", "103", "4"]
    assert route_progress(route, 0, "1") == 0          # the first pass
    assert route_progress(route, 0, "2") == 2
    assert route_progress(route, 2, "1") == 4          # past road 2: the second pass
    assert route_progress(route, 4, "100") == 4        # a road behind: stays
    assert route_progress(route, 3, "999") == 3        # off the route: stays
    assert route_progress(route, 4, None) == 4


def test_longitudinal_path_gives_how_the_target_road_runs():
    """Wuhan section 1: road 1 (980 m) enters junction 1's straight road 100 at its start.
    From road 1 s = 975 to road 100 s = 5: 10 m, and moving the target along +s of road 100
    lengthens it (+1); the other way round -10 m, and moving road 1's point along +s (towards
    the junction) brings it nearer 0 (+1 too)."""
    from pathlib import Path
    from maps import load_opendrive
    net = load_opendrive(Path(__file__).resolve().parents[2] / "maps" / "wuhan" /
                         "wuhan_section1.xodr")
    a, b = LaneCoord("1", -1, 975.0, 0.0), LaneCoord("100", -1, 5.0, 0.0)
    d, way = net.longitudinal_path(a, b)
    assert (round(d, 6), way) == (10.0, 1)
    d, way = net.longitudinal_path(b, a)
    assert (round(d, 6), way) == (-10.0, 1)
    assert net.longitudinal_path(a, LaneCoord("1", -1, 900.0, 0.0)) == (-75.0, 1)  # one road
    assert net.longitudinal_path(LaneCoord("1", 1, 975.0, 0.0), LaneCoord("1", 1, 900.0, 0.0)) \
        == (75.0, -1)                                     # lane 1 drives against +s
