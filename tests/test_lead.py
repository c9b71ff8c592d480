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
