"""Whole Wuhan network read by ``maps``: it loads cleanly, junction lanes meet the roads they
connect, and chosen roads sit where the hand layout (docs/wuhan.md) puts them.

Hand layout: streets i = 0..9 at x (columns) and y (rows) = (i - 4.5) * 570 m; a junction's legs
end ``half width of its widest street + 8 m`` from its centre (ring road and 2x2 arterials:
3.5 m median lane + 2 x 3.5 m + 3 m sidewalk = 13.5 m -> 21.5 m; 2x3 arterials: 17 m -> 25 m;
interchange road 2 x 3.5 + 3 = 10 m -> 18 m). Arterial lanes: -1/+1 median (left-turn lane
near the ends), through lanes from -2/+2. Expressway centre line at
y = -2565 - 450 = -3015 m; ramps leave/join 400 m either side of an interchange column and end
at terminals 150 m north/south of it (half size 18 m).
"""

from __future__ import annotations

import math
import warnings

import pytest

from maps import check_opendrive, load_opendrive
from testzone.world import LaneCoord
from wuhan_helpers import MAP_DIR, safe_parse

XODR = MAP_DIR / "wuhan_testzone.xodr"
SPACING = 570.0


def street(i: int) -> float:
    return (i - 4.5) * SPACING


@pytest.fixture(scope="module")
def net():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a gap between linked roads would be a warning
        return load_opendrive(XODR)


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    root = safe_parse(XODR).getroot()
    return {r.get("name"): r.get("id") for r in root.findall("road")}


def test_check_reports_nothing() -> None:
    assert check_opendrive(XODR) == []


def test_loads_with_every_road_junction_and_signal(net) -> None:
    # 197 roads + 1256 one-lane connecting roads (one per lane movement)
    assert len(net.roads) == 197 + 1256
    assert len(net.junctions) == 107 and len(net.signals) == 300


def _lane_end(net, road_id: str, lane_id: int, at_end: bool):
    road = net.roads[road_id]
    s = road.length - 1e-6 if at_end else 1e-6
    return net.lane_to_world(road_id, lane_id, s)


def _touching(net, road, link, lane_id, other_lane, own_end: bool):
    """Distance [m] and heading gap [rad] between a lane end and the linked lane's end; the
    headings are driving directions (``lane_to_world``), which must agree where lanes meet."""
    a = _lane_end(net, road.id, lane_id, own_end)
    b = _lane_end(net, link.element_id, other_lane, link.contact_point == "end")
    return math.hypot(a.x - b.x, a.y - b.y), abs(math.remainder(a.h - b.h, 2 * math.pi))


def test_connecting_roads_meet_both_roads(net) -> None:
    checked = 0
    for road in net.roads.values():
        if road.junction == "-1":
            continue
        (section,) = road.sections
        for lane in (*section.left, *section.right):
            for link, other, own_end in ((road.predecessor, lane.predecessor, False),
                                         (road.successor, lane.successor, True)):
                assert link is not None and other is not None, (road.id, lane.id)
                dist, dh = _touching(net, road, link, lane.id, other, own_end)
                assert dist < 0.02 and dh < 0.01, (road.id, lane.id, link.element_id, dist, dh)
                checked += 1
    assert checked == 2 * 1256  # 1256 one-lane connecting roads


def test_direct_junction_lanes_meet(net) -> None:
    checked = 0
    for j in net.junctions.values():
        if j.type != "direct":
            continue
        for c in j.connections:
            inc, lnk = net.roads[c.incoming_road], net.roads[c.connecting_road]
            inc_at_end = inc.successor is not None and inc.successor.element_id == j.id
            for a, b in c.lane_links:
                p = _lane_end(net, inc.id, a, inc_at_end)
                q = _lane_end(net, lnk.id, b, c.contact_point == "end")
                assert math.hypot(p.x - q.x, p.y - q.y) < 0.02, (j.id, c.id, a, b)
                checked += 1
    assert checked == 4 * (3 + 3 + 1 + 1)


def test_arterial_block_and_ring_corner(net, names) -> None:
    row3 = net.roads[names["R3-01"]]  # row 3 (2x3) between columns 0 (ring) and 1 (2x2)
    assert row3.length == pytest.approx(SPACING - 25.0 - 25.0)
    start = net.road_to_world(row3.id, 0.0, 0.0)
    assert (start.x, start.y, start.h) == pytest.approx((street(0) + 25.0, street(3), 0.0))
    corner = net.roads[names["RING-SW"]]
    straight = SPACING - 21.5 - 60.0
    assert corner.length == pytest.approx(2 * straight + math.pi / 2 * 60.0)
    end = net.road_to_world(corner.id, corner.length, 0.0)
    assert (end.x, end.y) == pytest.approx((street(1) - 21.5, street(0)), abs=1e-6)
    assert end.h == pytest.approx(0.0, abs=1e-9)
    mid = net.road_to_world(corner.id, straight + math.pi / 4 * 60.0, 0.0)  # arc middle
    cx, cy = street(0) + 60.0, street(0) + 60.0
    assert math.hypot(mid.x - cx, mid.y - cy) == pytest.approx(60.0, abs=1e-6)


def test_ramp_and_bridge(net, names) -> None:
    ramp = net.roads[names["X3-eb_off"]]
    length, lateral = 400.0 - 18.0, 150.0 - 3 * 3.75
    theta = 2 * math.atan2(lateral, length)
    assert ramp.length == pytest.approx(2 * theta * length / (2 * math.sin(theta)))
    a = net.road_to_world(ramp.id, 0.0, 0.0)
    b = net.road_to_world(ramp.id, ramp.length, 0.0)
    assert (a.x, a.y) == pytest.approx((street(3) - 400.0, -3015.0 - 11.25), abs=1e-6)
    assert (b.x, b.y) == pytest.approx((street(3) - 18.0, -3015.0 - 150.0), abs=1e-6)
    assert abs(b.h) < 1e-9
    bridge = net.roads[names["X3-bridge"]]
    top = net.road_to_world(bridge.id, bridge.length / 2, 0.0)
    assert (top.x, top.y, top.z) == pytest.approx((street(3), -3015.0, 7.0), abs=1e-6)
    assert net.road_to_world(bridge.id, 0.0, 0.0).z == pytest.approx(0.0, abs=1e-9)


def test_roundabout_ring(net, names) -> None:
    ring = net.roads[names["RB-EN"]]
    assert ring.length == pytest.approx(22.0 * (math.pi / 2 - 0.9))
    c = street(5)
    for s in (0.0, ring.length / 2, ring.length):
        p = net.road_to_world(ring.id, s, 0.0)
        assert math.hypot(p.x - c, p.y - c) == pytest.approx(22.0, abs=1e-6)
    assert net.lane_ids(ring.id, 1.0) == [-1]  # one-way, counter-clockwise


def test_drive_along_arterial_row_through_eight_junctions(net, names) -> None:
    road = names["R3-01"]
    assert net.lane_type(road, -1, 10.0) == "median"
    assert net.lane_type(road, -1, 520.0 - 10.0) == "driving"  # the left-turn lane
    start = LaneCoord(road, -2, 10.0, -5.25, 0.0)  # inner through lane, 3.5 m median inside
    end = net.advance(start, 5000.0)
    pose = net.lane_to_world(end.road_id, end.lane_id, end.s)
    # the median gives way to the left-turn lane without moving the through lanes, and
    # straight connecting roads are as long as the gap they bridge: x advances by 5000 m
    assert (pose.x, pose.y) == pytest.approx((street(0) + 25.0 + 10.0 + 5000.0,
                                              street(3) - 5.25), abs=0.05)
    assert abs(pose.h) < 1e-6


def test_take_the_off_ramp(net, names) -> None:
    seg = net.roads[names["X-0"]]
    start = LaneCoord(seg.id, -4, seg.length - 20.0, -13.125, 0.0)
    end = net.advance(start, 100.0)
    assert end.road_id == names["X3-eb_off"] and end.lane_id == -1


def test_median_gives_way_to_left_turn_lane(net, names) -> None:
    road = net.roads[names["R3-01"]]  # right side: taper 520-90 .. 520-60, storage to 520
    for s in (430.5, 440.0, 445.0, 455.0, 459.5):
        median, bay = net.lane_width(road.id, -1, s), net.lane_width(road.id, -2, s)
        assert median + bay == pytest.approx(3.5, abs=1e-9)  # through lanes stay put
        assert net.lane_type(road.id, -2, s) == "driving"
    assert net.lane_width(road.id, -1, 445.0) == pytest.approx(1.75)  # cubic: half way
    assert sorted(net.lane_ids(road.id, 500.0)) == [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5]
    assert [net.lane_type(road.id, k, 500.0) for k in (-1, 1)] == ["driving", "median"]


def test_left_turns_leave_from_the_left_turn_lane(net) -> None:
    junction = net.junctions["1033"]  # two 2x3 arterials cross at node (3, 3)
    turns = {}
    for c in junction.connections:
        inc, con = net.roads[c.incoming_road], net.roads[c.connecting_road]
        at_end = inc.successor is not None and inc.successor.element_id == junction.id
        for a, b in c.lane_links:
            enter = _lane_end(net, inc.id, a, at_end).h
            leave = _lane_end(net, con.id, b, c.contact_point == "start")
            turn = math.remainder(leave.h - enter, 2 * math.pi)  # driving directions
            turns.setdefault(abs(a), set()).add(round(math.degrees(turn)))
    assert turns[1] == {90}  # left-turn lanes: left turns only
    assert turns[2] == {0} and turns[3] == {0}  # through lanes
    assert turns[4] == {0, -90}  # kerb lane: straight and right
