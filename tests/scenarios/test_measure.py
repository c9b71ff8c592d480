"""Freespace distances in road coordinates (scenarios.measure.road_frame), hand-computed on
esmini's straight_500m.xodr (one straight road along +x from the origin).

Both cars: BoundingBox centre 1.4 m ahead of the reference point, 5 m long, 2 m wide, so the
front is 3.9 m and the rear 1.1 m from the reference point along the car's heading.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from maps import load_opendrive
from reference_data import ESMINI
from scenarios.measure import LATERAL, LONGITUDINAL, road_frame
from testzone.world import BoundingBox, Pose

BOX = BoundingBox(cx=1.4, length=5.0, width=2.0)


@pytest.fixture(scope="module")
def rt():
    return SimpleNamespace(net=load_opendrive(ESMINI / "resources" / "xodr" / "straight_500m.xodr"))


def _at(rt, lane: int, s: float, heading: float):
    p = rt.net.lane_to_world("1", lane, s)
    return rt.net.world_to_lane(p.x, p.y, None), Pose(p.x, p.y, 0.0, heading)


def test_an_oncoming_car_is_measured_from_its_front(rt) -> None:
    """Semantics pass 14: Ego in lane -1 at s = 100 heading +s, Target in lane 1 at s = 150
    facing the Ego. Ego front at 103.9; Target's front (towards the Ego) at 150 - 3.9 =
    146.1: 42.2 m (the half-length rule gave 50 - 5 = 45 m, as if it faced away)."""
    (a, pa), (b, pb) = _at(rt, -1, 100.0, 0.0), _at(rt, 1, 150.0, math.pi)
    d = road_frame(rt, a, BOX, b, BOX, LONGITUDINAL, True, pa, pb)
    assert d == pytest.approx(42.2, abs=1e-6)
    # laterally: lane centres 2 x half a lane apart, less a box half-width each side
    width = rt.net.lane_width("1", -1, 100.0)
    assert road_frame(rt, a, BOX, b, BOX, LATERAL, True, pa, pb) == pytest.approx(width - 2.0)
    # seen from the Target: the Ego ahead of it in its driving direction, the same gap
    assert road_frame(rt, b, BOX, a, BOX, LONGITUDINAL, True, pb, pa) == pytest.approx(42.2)


def test_same_direction_and_a_point(rt) -> None:
    """A car ahead in the same direction: its rear at 150 - 1.1 = 148.9, 45.0 m from the Ego's
    front; behind the Ego (s = 50, front at 53.9, the Ego's rear at 98.9): -45.0 m. A point at
    s = 150 is 150 - 103.9 = 46.1 m from the Ego's box."""
    (a, pa) = _at(rt, -1, 100.0, 0.0)
    (b, pb) = _at(rt, -1, 150.0, 0.0)
    assert road_frame(rt, a, BOX, b, BOX, LONGITUDINAL, True, pa, pb) == pytest.approx(45.0)
    (c, pc) = _at(rt, -1, 50.0, 0.0)
    assert road_frame(rt, a, BOX, c, BOX, LONGITUDINAL, True, pa, pc) == pytest.approx(-45.0)
    assert road_frame(rt, a, BOX, b, None, LONGITUDINAL, True, pa, pb) == pytest.approx(46.1)
    # without freespace: the reference points, 50 m
    assert road_frame(rt, a, BOX, b, BOX, LONGITUDINAL, False, pa, pb) == pytest.approx(50.0)


def test_across_two_roads() -> None:
    """Wuhan section 1: road 1 (980 m) runs into junction 1's straight connecting road 100,
    lane -1 driven along +s of both. Ego on road 1 at s = 975, the other car on road 100 at
    s = 5, both heading along the road: reference points 5 + 5 = 10 m apart along the lane,
    freespace 10 - 3.9 - 1.1 = 5.0 m; seen from the car on road 100, the Ego is 5.0 m
    behind."""
    from pathlib import Path
    net = load_opendrive(Path(__file__).resolve().parents[2] / "maps" / "wuhan" /
                         "wuhan_section1.xodr")
    here = SimpleNamespace(net=net)
    pa = net.lane_to_world("1", -1, 975.0)
    pb = net.lane_to_world("100", -1, 5.0)
    a = net.world_to_lane(pa.x, pa.y, pa.h)
    b = net.world_to_lane(pb.x, pb.y, pb.h)
    assert (a.road_id, b.road_id) == ("1", "100")
    assert road_frame(here, a, BOX, b, BOX, LONGITUDINAL, False, pa, pb) == pytest.approx(10.0)
    assert road_frame(here, a, BOX, b, BOX, LONGITUDINAL, True, pa, pb) == pytest.approx(5.0)
    assert road_frame(here, b, BOX, a, BOX, LONGITUDINAL, True, pb, pa) == pytest.approx(-5.0)
