"""TTC and THW against hand-computed values."""

import math

import pytest

from evaluator.metrics import HeadwayMetric, lead_gap, thw_s, ttc_s
from testzone.world import BoundingBox, EntityKind, EntityState, LaneCoord, Pose

from evaluator_fixtures import make_recording, straight

CAR = BoundingBox(length=4.5, width=1.8)


def car(name, x, v, lane=("1", -1), h=0.0, y=0.0, cx=0.0):
    ln = LaneCoord(lane[0], lane[1], x, y) if lane else None
    return EntityState(name, EntityKind.VEHICLE, Pose(x, y, 0, h), v,
                       box=BoundingBox(cx=cx, length=4.5, width=1.8), lane=ln)


@pytest.mark.parametrize("lane", [("1", -1), None])
def test_required_hand_case(lane):
    # ego 20 m/s, leader 10 m/s, 40 m centre to centre, 4.5 m cars:
    # gap = 40 - 4.5 = 35.5 m, TTC = 35.5 / 10 = 3.55 s, THW = 35.5 / 20 = 1.775 s.
    ego, lead = car("ego", 0.0, 20.0, lane), car("lead", 40.0, 10.0, lane)
    g = lead_gap(ego, [ego, lead])
    assert g.other == "lead"
    assert g.gap_m == pytest.approx(35.5)
    assert ttc_s(g) == pytest.approx(3.55)
    assert thw_s(g, ego.speed) == pytest.approx(1.775)
    assert thw_s(g, ego.speed) == pytest.approx(1.78, abs=0.0051)  # "≈ 1.78 s"


def test_thw_while_reversing_towards_an_obstacle():
    """Hostile pass 12: reversing at -5 m/s towards a stopped car 4.75 m behind gave TTC
    0.95 s and THW inf (the signed speed was below THW's minimum speed). Both are 0.95 s."""
    ego = car("ego", 100.0, -5.0)
    wall = car("wall", 70.0, 0.0)           # behind the ego, ahead of it as it reverses
    g = lead_gap(ego, [wall])
    assert g is not None and g.other == "wall"
    assert g.gap_m == pytest.approx(30.0 - 4.5)
    assert ttc_s(g) == pytest.approx(25.5 / 5.0)
    assert thw_s(g, ego.speed) == pytest.approx(25.5 / 5.0)
    assert thw_s(g, -0.05) == math.inf       # at a standstill THW is not defined


def test_reference_point_at_rear_axle_uses_box_centres():
    # Both reference points 1.4 m behind the box centre; centres 40 m apart -> same gap.
    ego, lead = car("ego", 0.0, 20.0, cx=1.4), car("lead", 40.0, 10.0, cx=1.4)
    assert lead_gap(ego, [lead]).gap_m == pytest.approx(35.5)
    # Only the ego's reference is offset: centres at 1.4 and 40 -> gap 38.6 - 4.5 = 34.1.
    lead0 = car("lead", 40.0, 10.0)
    assert lead_gap(ego, [lead0]).gap_m == pytest.approx(34.1)


def test_lane_with_positive_id_drives_against_s():
    # Lane 1 drives towards -s: the ego at s=100 heading pi has the car at s=60 ahead.
    ego = car("ego", 100.0, 15.0, ("1", 1), h=math.pi)
    lead = car("lead", 60.0, 5.0, ("1", 1), h=math.pi)
    behind = car("behind", 130.0, 5.0, ("1", 1), h=math.pi)
    g = lead_gap(ego, [lead, behind])
    assert g.other == "lead" and g.gap_m == pytest.approx(35.5)
    assert ttc_s(g) == pytest.approx(3.55)


def test_other_lane_and_opening_gap_give_no_ttc():
    ego = car("ego", 0.0, 20.0, y=-1.75)
    beside = car("b", 30.0, 10.0, ("1", -2), y=-5.25)
    assert lead_gap(ego, [beside]) is None
    # Same car straddling the line (t = -3.4: 1.65 m from the ego < (1.8 + 1.8) / 2): ahead.
    straddling = car("b", 30.0, 10.0, ("1", -2), y=-3.4)
    assert lead_gap(ego, [straddling]).gap_m == pytest.approx(25.5)
    assert ttc_s(None) == math.inf
    faster = car("f", 30.0, 25.0)
    assert ttc_s(lead_gap(ego, [faster])) == math.inf
    # Projection path: a car 3.5 m to the left is beside the path (|lat| > 1.8).
    assert lead_gap(car("ego", 0, 20, None), [car("l", 30, 10, None, y=3.5)]) is None


def test_projection_with_rotated_lead_uses_its_extent_along_heading():
    # Lead crosswise (h = pi/2): its extent along the ego heading is width/2 = 0.9 m.
    ego = car("ego", 0.0, 10.0, None)
    lead = car("x", 20.0, 0.0, None, h=math.pi / 2)
    g = lead_gap(ego, [lead])
    assert g.gap_m == pytest.approx(20.0 - 2.25 - 0.9)
    assert ttc_s(g) == pytest.approx((20.0 - 3.15) / 10.0)


def test_metric_over_recording():
    # Gap closes at 10 m/s from 35.5 m: after 2 s the gap is 15.5 m, TTC 1.55 s, THW 0.775 s.
    rec = make_recording({"ego": straight(0.0, 20.0), "lead": straight(40.0, 10.0)}, 2.0)
    r = HeadwayMetric().compute(rec)
    assert r.statistics["ttc_min_s"].value == pytest.approx(1.55)
    assert r.statistics["thw_min_s"].value == pytest.approx(0.775)
    assert r.statistics["gap_min_m"].value == pytest.approx(15.5)
    ttc = dict(zip(r.series[0].timestamps, r.series[0].values))
    assert ttc[0.0] == pytest.approx(3.55)
    # THW < 1.0 s from gap < 20 m, i.e. t > 1.55 s: from the sample at 1.6 to the run's end
    # at 2.0 s.
    thw_v = [v for v in r.violations if v.name == "thw_below_threshold"]
    assert len(thw_v) == 1 and thw_v[0].start == pytest.approx(1.6)
    assert thw_v[0].duration == pytest.approx(0.4)
    assert not [v for v in r.violations if v.name == "ttc_below_threshold"]


def test_alone_gives_infinite_minima():
    r = HeadwayMetric().compute(make_recording({"ego": straight(0.0, 10.0)}, 1.0))
    assert r.statistics["ttc_min_s"].value == math.inf
    assert r.statistics["gap_min_m"].value is None


def _crossing(x: float, y0: float, vy: float, lane=None):
    """A road user moving along +y (heading pi/2) at x, from y0 at vy [m/s]."""
    def fn(t):
        return {"pose": Pose(x, y0 + vy * t, 0.0, math.pi / 2), "speed": vy, "lane": lane}
    return fn


def test_a_user_crossing_ahead_that_is_gone_before_the_ego_arrives_has_no_ttc():
    """Ego (4.5 x 1.8 m, centre at 10 t, y 0) at 10 m/s; a 0.5 x 0.5 m pedestrian at x = 20
    crossing at 4 m/s from y = -2: it is in the ego's band (|y| < 1.15) for t in
    (0.21, 0.79) s, and long gone (y = 5) when the ego's front reaches x = 19.75 at 1.75 s.
    Hand TTC: inf throughout; no lead, so no THW (evaluator15 audit: the in-path rule gave
    TTC 1.0 s at 0.75 s, failing ttc_min on a safe pass)."""
    rec = make_recording({"ego": straight(0.0, 10.0), "ped": _crossing(20.0, -2.0, 4.0)}, 3.0,
                         boxes={"ped": BoundingBox(cx=0.0, length=0.5, width=0.5)},
                         kinds={"ped": EntityKind.PEDESTRIAN})
    r = HeadwayMetric().compute(rec)
    assert r.statistics["ttc_min_s"].value == math.inf
    assert r.statistics["thw_min_s"].value == math.inf


def test_a_car_on_course_for_the_egos_side_has_a_ttc():
    """Ego as above; a car (4.5 x 1.8, heading +y) at x = 50 from y = -29 at 5 m/s. Boxes
    meet in x for t in [4.685, 5.315] (10 t +- 2.25 against 50 +- 0.9) and in y from
    t = (29 - 3.15) / 5 = 5.17 s: contact at 5.17 s, so the constant-velocity TTC is
    5.17 - t (2.17 s at t = 3), 0 once they touch (the in-path rule saw nothing: inf)."""
    rec = make_recording({"ego": straight(0.0, 10.0), "car": _crossing(50.0, -29.0, 5.0)},
                         6.0)
    r = HeadwayMetric().compute(rec)
    ttc = dict(zip(r.series[0].timestamps, r.series[0].values))
    assert ttc[3.0] == pytest.approx(2.17, abs=1e-9)
    assert ttc[0.0] == pytest.approx(5.17, abs=1e-9)
    assert r.statistics["ttc_min_s"].value == 0.0
    (event,) = [e for e in r.events if e["statistic"] == "ttc_min_s"]
    assert (event["other"], event["crossing"]) == ("car", True)
    assert r.statistics["thw_min_s"].value == math.inf     # nothing to follow
