"""testzone.lead.nearest_ahead against hand-computed gaps: the lead shared by the evaluator's
TTC and the IDM agents."""

import math

import pytest

from testzone.lead import nearest_ahead
from testzone.world import BoundingBox, EntityKind, EntityState, LaneCoord, Pose


def car(name, x, y=0.0, v=10.0, h=0.0, road="1", lane=-1, cx=1.4, visible=True):
    coord = LaneCoord(road, lane, x, y) if road is not None else None
    return EntityState(name, EntityKind.VEHICLE, Pose(x, y, 0.0, h), v,
                       box=BoundingBox(cx=cx, length=4.5, width=1.8), lane=coord,
                       visible=visible)


@pytest.mark.parametrize("road", ["1", None])
def test_gap_is_bumper_to_bumper_from_box_centres(road):
    # reference points 30 m apart, both boxes 1.4 m ahead of them: centres 30 m apart,
    # gap = 30 - 2.25 - 2.25 = 25.5 m
    ego, lead = car("ego", 0.0, road=road), car("lead", 30.0, v=7.0, road=road)
    ahead = nearest_ahead(ego, [ego, lead])
    assert ahead.other.name == "lead"
    assert ahead.gap_m == pytest.approx(25.5)
    assert ahead.speed_along_mps == pytest.approx(7.0)


@pytest.mark.parametrize("road", ["1", None])
def test_margin_widens_the_path(road):
    # widths 1.8 + 1.8: in the path while |lateral| <= 1.8 m; 2.0 m is beside it, and in it
    # with a 0.3 m margin (2.0 <= 2.1)
    ego, beside = car("ego", 0.0, road=road), car("b", 20.0, y=2.0, road=road)
    assert nearest_ahead(ego, [beside]) is None
    assert nearest_ahead(ego, [beside], margin_m=0.3).gap_m == pytest.approx(15.5)


def test_nearest_wins_and_behind_hidden_and_self_are_skipped():
    ego = car("ego", 100.0)
    far, near = car("far", 160.0), car("near", 130.0)
    behind, hidden = car("behind", 90.0), car("hidden", 110.0, visible=False)
    ahead = nearest_ahead(ego, [far, behind, hidden, near, ego])
    assert ahead.other.name == "near" and ahead.gap_m == pytest.approx(25.5)


def test_left_lane_runs_against_s_and_oncoming_speed_is_negative():
    # lane 1 (left, right-hand traffic) drives towards -s: the lead has the smaller s
    ego = car("ego", 100.0, lane=1, h=math.pi, cx=0.0)
    lead = car("lead", 60.0, lane=1, h=0.0, v=5.0, cx=0.0)   # facing the ego
    ahead = nearest_ahead(ego, [lead])
    assert ahead.gap_m == pytest.approx(40.0 - 4.5)
    assert ahead.speed_along_mps == pytest.approx(-5.0)


def test_crosswise_object_counts_its_extent_along_the_heading():
    # a car across the path (heading 90 deg) 20 m ahead, no road: its half extent along the
    # ego heading is its half width 0.9 m; gap = 20 - 2.25 - 0.9
    ego = car("ego", 0.0, road=None, cx=0.0)
    cross = car("x", 20.0, road=None, h=math.pi / 2, cx=0.0)
    assert nearest_ahead(ego, [cross]).gap_m == pytest.approx(16.85)


class ArcRoads:
    """Road geometry of tests: every road's reference line turns left with curvature ``k``
    from heading ``h0`` at s = 0; ``lht`` mirrors the driving directions."""

    def __init__(self, k=0.0, h0=0.0, lht=False):
        self.k, self.h0, self.lht = k, h0, lht

    def reference_frame(self, road_id, s):
        return self.h0 + self.k * s, self.k

    def driving_sign(self, road_id, lane_id):
        sign = 1 if lane_id < 0 else -1
        return -sign if self.lht else sign


def on_arc(name, s, t, k, v, lane=-1, road="1"):
    """A car of ``car()``'s size (box centre on the reference point) at (s, t) on ArcRoads(k)
    starting at the origin heading east, driving along +s."""
    h = k * s
    r = 1.0 / k
    x, y = (r - t) * math.sin(h), r - (r - t) * math.cos(h)
    return EntityState(name, EntityKind.VEHICLE, Pose(x, y, 0.0, h), v,
                       box=BoundingBox(cx=0.0, length=4.5, width=1.8),
                       lane=LaneCoord(road, lane, s, t))


@pytest.mark.parametrize("t, expected", [(-1.75, 51.75), (-5.25, 55.25), (1.75, 48.25)])
def test_gap_on_a_curve_is_measured_along_the_ego_lane(t, expected):
    # left arc R = 50 m: 50 m of reference line turn 1 rad, so the path at t is 50 - t * 1.0
    # long (lane -1 centre t = -1.75: radius 51.75); gap = that - 2 x 2.25
    k = 1 / 50
    ego, lead = on_arc("ego", 100, t, k, 20.0), on_arc("lead", 150, t, k, 10.0)
    ahead = nearest_ahead(ego, [lead], frames=ArcRoads(k))
    assert ahead.gap_m == pytest.approx(expected - 4.5)
    assert ahead.speed_along_mps == pytest.approx(10.0)
    assert ahead.ego_speed_along_mps == pytest.approx(20.0)


def test_speed_on_another_radius_is_scaled_to_the_ego_radius():
    # lead 0.75 m further in (t = -1.0, radius 51.0) at 10 m/s keeps pace with
    # 10 * 51.75 / 51.0 m/s on the ego's radius
    k = 1 / 50
    ego, lead = on_arc("ego", 100, -1.75, k, 20.0), on_arc("lead", 150, -1.0, k, 10.0)
    ahead = nearest_ahead(ego, [lead], frames=ArcRoads(k))
    assert ahead.speed_along_mps == pytest.approx(10.0 * 51.75 / 51.0)


def test_lead_on_the_next_road_of_a_curve_is_followed_along_the_arc():
    # R = 200 m, ego in lane -1 (radius 201.75); the lead is on road 2, 28 m further along
    # the same circle: sideways 201.75 (1 - cos(28 / 201.75)) = 1.94 m from the ego's
    # tangent, beyond the 1.8 m path width, but on the path. gap = 28 - 4.5
    k = 1 / 200
    ego = on_arc("ego", 60.0, -1.75, k, 25.0)
    lead = on_arc("lead", 60.0 + 28.0 * 200 / 201.75, -1.75, k, 25.0, road="2")
    ahead = nearest_ahead(ego, [lead], frames=ArcRoads(k))
    assert ahead is not None
    assert ahead.gap_m == pytest.approx(23.5)
    assert ahead.speed_along_mps == pytest.approx(25.0)
    assert nearest_ahead(ego, [lead]) is None   # on the tangent (no geometry) it is beside


def test_reversing_ego_looks_behind():
    # ego reverses at 5 m/s in lane -1; a parked car's centre 15.5 m behind: gap 11 m,
    # closing at 5 m/s; the car 30 m ahead of its heading is not in its path
    ego = car("ego", 100.0, v=-5.0, cx=0.0)
    behind, front = car("behind", 84.5, v=0.0, cx=0.0), car("front", 130.0, v=0.0, cx=0.0)
    ahead = nearest_ahead(ego, [behind, front])
    assert ahead.other.name == "behind" and ahead.gap_m == pytest.approx(11.0)
    assert ahead.ego_speed_along_mps == pytest.approx(5.0)


def test_left_hand_traffic_lane_1_runs_along_s():
    # rule="LHT": lane 1 drives along +s, so the lead at larger s is ahead
    ego = car("ego", 100.0, lane=1, cx=0.0)
    lead = car("lead", 130.0, lane=1, cx=0.0)
    ahead = nearest_ahead(ego, [lead], frames=ArcRoads(lht=True))
    assert ahead is not None and ahead.gap_m == pytest.approx(25.5)


def test_a_road_the_geometry_does_not_know_counts_as_straight():
    class Partial(ArcRoads):
        def reference_frame(self, road_id, s):
            if road_id != "known":
                raise KeyError(road_id)
            return super().reference_frame(road_id, s)
    ego, lead = car("ego", 0.0, cx=0.0), car("lead", 30.0, cx=0.0)
    assert nearest_ahead(ego, [lead], frames=Partial()).gap_m == pytest.approx(25.5)


def test_along_left_by_hand():
    """Heading north (90 deg) from (1, 1): (1, 3) is 2 m ahead, (0, 1) 1 m to the left."""
    import math
    from testzone.world import along_left
    assert along_left(1.0, 1.0, math.pi / 2, 1.0, 3.0) == pytest.approx((2.0, 0.0))
    assert along_left(1.0, 1.0, math.pi / 2, 0.0, 1.0) == pytest.approx((0.0, 1.0))
