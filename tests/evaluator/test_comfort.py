"""Comfort: accelerations, jerks and yaw motion from hand-made motions with exact derivatives."""

import math

import pytest

from evaluator.metrics import ComfortMetric
from testzone.world import Pose

from evaluator_fixtures import FakeAreaNet, circle, make_recording, straight


def stats(rec, **kw):
    return {k: s.value for k, s in ComfortMetric(**kw).compute(rec).statistics.items()}


def test_constant_braking():
    # v = 20 - 4 t: lon accel -4 everywhere (within nuPlan's -4.05), no jerk.
    s = stats(make_recording({"ego": straight(0, 20.0, -4.0)}, 3.0))
    assert s["lon_accel_min_mps2"] == pytest.approx(-4.0)
    assert s["decel_peak_mps2"] == pytest.approx(4.0)
    assert s["lon_jerk_peak_mps3"] == pytest.approx(0.0, abs=1e-6)
    assert s["comfortable"] == 1.0 and s["comfort_ratio"] == 1.0
    # Harder braking, -5 m/s^2, breaks exactly one of the six metrics (lon accel range): 5/6.
    s = stats(make_recording({"ego": straight(0, 20.0, -5.0)}, 3.0))
    assert s["decel_peak_mps2"] == pytest.approx(5.0)
    assert s["comfortable"] == 0.0
    assert s["comfort_ratio"] == pytest.approx(5 / 6)


def test_linear_acceleration_ramp_gives_constant_jerk():
    # v = 5 + 0.5 t^2: a = t (max 2.0 at t = 2), lon jerk = 1 m/s^3; |a| jerk = 1 as well.
    def fn(t):
        return {"pose": Pose(5 * t + t ** 3 / 6, 0.0), "speed": 5 + 0.5 * t * t}
    s = stats(make_recording({"ego": fn}, 2.0))
    assert s["lon_accel_max_mps2"] == pytest.approx(2.0, abs=1e-6)
    assert s["lon_jerk_peak_mps3"] == pytest.approx(1.0, abs=1e-6)
    assert s["jerk_peak_mps3"] == pytest.approx(1.0, abs=1e-6)
    assert s["decel_peak_mps2"] == pytest.approx(0.0, abs=1e-9)  # never braking


def test_circle_yaw_rate_and_lateral_acceleration_across_heading_wrap():
    # r = 50 m at 10 m/s: yaw rate 0.2 rad/s, lateral accel v^2/r = 2 m/s^2. 20 s covers
    # 4 rad, so the heading wraps past pi: unwrapping must keep the yaw rate at 0.2.
    s = stats(make_recording({"ego": circle(50.0, 10.0)}, 20.0))
    assert s["yaw_rate_peak_radps"] == pytest.approx(0.2, abs=1e-6)
    assert s["lat_accel_peak_mps2"] == pytest.approx(2.0, abs=1e-5)
    assert s["yaw_accel_peak_radps2"] == pytest.approx(0.0, abs=1e-6)
    assert s["comfortable"] == 1.0
    # r = 10 m at 10 m/s: yaw rate 1.0 > 0.95 and lat accel 10 > 4.89: 4/6 metrics kept.
    s = stats(make_recording({"ego": circle(10.0, 10.0)}, 3.0))
    assert s["yaw_rate_peak_radps"] == pytest.approx(1.0, abs=1e-6)
    assert s["comfort_ratio"] == pytest.approx(4 / 6)


def test_thresholds_are_parameters():
    rec = make_recording({"ego": straight(0, 20.0, -4.0)}, 3.0)
    assert stats(rec, min_lon_accel_mps2=-3.0)["comfortable"] == 0.0
    assert math.isclose(stats(rec, min_lon_accel_mps2=-3.0)["comfort_ratio"], 5 / 6)


def test_braking_at_the_vehicles_limit_is_reported_as_full_braking():
    """Regulator pass 16: an emergency stop at the ego's Performance maxDeceleration (here the
    header's default, 10 m/s^2) went unmentioned; a criterion bounding the deceleration by that
    limit cannot fail. From 20 m/s at -10 m/s^2 (2 s to a stop) the peak event carries the
    limit and the narrative says so; at -5 m/s^2 it does not."""
    from evaluator import score_case
    from evaluator.report.narrative import narrative
    hard = make_recording({"ego": straight(0.0, 20.0, a=-10.0)}, 4.0)
    (peak,) = [e for e in ComfortMetric().compute(hard).events
               if e["statistic"] == "decel_peak_mps2"]
    assert peak["full_braking_limit_mps2"] == 10.0
    said = " ".join(narrative(score_case(hard, FakeAreaNet())))
    assert "the ego braked at its full capability, 10.0 m/s^2 (its Performance " \
           "maxDeceleration: 10.0 m/s^2)" in said
    soft = make_recording({"ego": straight(0.0, 20.0, a=-5.0)}, 4.0)
    (peak,) = [e for e in ComfortMetric().compute(soft).events
               if e["statistic"] == "decel_peak_mps2"]
    assert "full_braking_limit_mps2" not in peak



def test_a_deceleration_far_beyond_the_limit_is_not_called_full_braking():
    """Review 16: a 60 m/s^2 change of speed (an impact on CARLA, a jump) was told as braking
    at full capability against a 10 m/s^2 limit."""
    from evaluator import score_case
    from evaluator.report.narrative import narrative
    rec = make_recording({"ego": straight(0.0, 20.0, a=-60.0)}, 4.0)
    assert not [s for s in narrative(score_case(rec, FakeAreaNet())) if "full capability" in s]
