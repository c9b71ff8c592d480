"""Standing still without a cause (evaluator.metrics.standstill), on hand-built tracks.

CAR boxes: centre at the reference point, 4.5 m long, so the front bumper is 2.25 m ahead.
The ego brakes from 10 m/s at 2 m/s^2: speed < 0.5 m/s from the frame t = 4.8 s (at 4.75
it is 0.5), stopped at x = 25 m from t = 5 s; runs last 10 s (frames every 0.05 s, each held
until the next, the last one not at all: 4.8 .. 10.0 is 5.2 s).
"""

import pytest

from evaluator.criteria import default_criteria
from evaluator.metrics import StandstillMetric
from testzone.world import Pose, SignalColor, SignalState

from evaluator_fixtures import FakeNet, FakeSignal, make_recording, straight

STOPS = straight(0.0, 10.0, -2.0)
STOOD_S = 10.0 - 4.8


def still(x: float, y: float = 0.0):
    return straight(x, 0.0, y=y)


def stat(rec, net=None, name="standstill_without_cause_s"):
    return StandstillMetric().compute(rec, net).statistics[name].value


def test_stopping_on_an_empty_road_counts_all_the_standing_time():
    rec = make_recording({"ego": STOPS}, 10.0)
    assert stat(rec) == pytest.approx(STOOD_S)
    assert stat(rec, name="standstill_time_s") == pytest.approx(STOOD_S)
    crit = {c.id: c for c in default_criteria()}["no_stall"]
    assert crit.metric == "standstill_without_cause_s" and crit.threshold == 5.0


@pytest.mark.parametrize("other, explained", [
    (still(50.0), True),      # centre 50 m: 22.75 m from the front bumper at x = 27.25
    (still(57.0), True),      # 29.75 m
    (still(57.5), False),     # 30.25 m: too far to be the reason
    (lambda t: {"pose": Pose(40.0, 20.0, 0.0, 1.5708), "speed": 5.0}, True),  # cross
    #                           traffic, moving: 20.6 m away, ahead
    (lambda t: {"pose": Pose(40.0, 3.5, 0.0, 3.1416), "speed": 8.0}, True),   # oncoming
    # verify pass 13: a car crawling the ego's way in the next lane is no reason to stand
    (lambda t: {"pose": Pose(40.0, 3.5, 0.0, 0.0), "speed": 0.6}, False),
    (still(10.0), False),     # behind the ego: no reason to stand
    # new-section pass 12: standing things explain a stop only in the ego's way: a car
    # beside the ego's strip (y = 3.5: 1.8 m from its box, > 0.9 + 0.9 + 0.5) does not,
    # one 2.1 m across (< 2.3) does
    (still(35.0, y=3.5), False),
    (still(35.0, y=2.1), True),
])
def test_a_road_user_within_30_m_ahead_explains_the_stop(other, explained):
    rec = make_recording({"ego": STOPS, "other": other}, 10.0)
    assert stat(rec) == pytest.approx(0.0 if explained else STOOD_S)


@pytest.mark.parametrize("color, s, explained", [
    (SignalColor.RED, 30.0, True),     # stop line 2.75 m ahead of the front bumper
    (SignalColor.YELLOW, 30.0, True),
    (SignalColor.GREEN, 30.0, False),  # green: go
    (SignalColor.RED, 60.0, False),    # 32.75 m ahead: not this light
    (SignalColor.RED, 26.0, True),     # front 1.25 m past the line: still waiting at it
])
def test_a_light_for_the_ego_lane_that_is_not_green_explains_the_stop(color, s, explained):
    net = FakeNet(signals=[FakeSignal("s1", "1", s)])
    rec = make_recording({"ego": STOPS}, 10.0, signals=lambda t: {
        "s1": SignalState("s1", color)})
    assert stat(rec, net) == pytest.approx(0.0 if explained else STOOD_S)
    # without the map the light cannot be placed
    assert stat(rec) == pytest.approx(STOOD_S)


def test_the_progress_component_loses_the_share_stood_without_cause():
    from evaluator.scoring import progress
    from evaluator.results import Statistic
    stats = {n: Statistic(n, u, v) for n, u, v in [
        ("run_reached_stop_trigger", "bool", 1.0), ("progress_duration_s", "s", 10.0),
        ("standstill_without_cause_s", "s", STOOD_S)]}
    assert progress(stats, {}) == pytest.approx(1.0 - STOOD_S / 10.0)
    stats["run_reached_stop_trigger"] = Statistic("run_reached_stop_trigger", "bool", 0.0)
    assert progress(stats, {}) == 0.0


def _walker(x, y, h, speed):
    return lambda t: {"pose": Pose(x, y, 0.0, h), "speed": speed}


@pytest.mark.parametrize("heading, explained", [
    (0.0, False),           # hostile pass 13: walking along the pavement, 3.5 m aside
    (-1.5708, True),        # walking across, towards the ego's path (y = 0)
    (1.5708, False),        # walking away from it
])
def test_a_moving_pedestrian_explains_the_stop_only_in_or_heading_into_the_way(heading,
                                                                              explained):
    from testzone.world import BoundingBox, EntityKind
    rec = make_recording({"ego": STOPS, "ped": _walker(40.0, 3.5, heading, 1.2)}, 10.0,
                         kinds={"ped": EntityKind.PEDESTRIAN},
                         boxes={"ped": BoundingBox(length=0.5, width=0.5)})
    assert stat(rec) == pytest.approx(0.0 if explained else STOOD_S)


@pytest.mark.parametrize("y, lane_id, explained", [
    (1.75, 1, False),       # the oncoming lane, straight ahead of the turned ego's bumper
    (-1.75, -1, True),      # its own lane, off the straight strip
])
def test_on_a_bend_the_ego_lane_not_the_straight_strip_says_what_is_in_the_way(y, lane_id,
                                                                               explained):
    """Hostile pass 13 (R = 100 m bend): the strip straight ahead of the ego lies over the
    oncoming lane 25 m on. Here the ego stands at (25, -1.75) in lane -1 (y in [-3.5, 0])
    turned 10 deg left, as on a bend; a car at x = 45: at y = 1.75 it is 0.03 m off the strip's
    centre but 0.85 m from lane -1 (its 1.8 m box), at y = -1.75 it is in lane -1 but 5.2 m
    off the strip."""
    import math
    from testzone.world import LaneCoord
    from evaluator_fixtures import FakeAreaNet
    ego = lambda t: {"pose": Pose(25.0, -1.75, 0.0, math.radians(10.0)), "speed": 0.0,
                     "lane": LaneCoord("1", -1, 25.0, -1.75)}
    car = lambda t: {"pose": Pose(45.0, y, 0.0, 0.0), "speed": 0.0,
                     "lane": LaneCoord("1", lane_id, 45.0, y)}
    rec = make_recording({"ego": ego, "car": car}, 6.0)
    assert stat(rec, FakeAreaNet()) == pytest.approx(0.0 if explained else 6.0)
    assert stat(rec) == pytest.approx(6.0 if explained else 0.0)   # without the map: strip


def test_standing_at_the_goal_it_was_sent_to_is_no_stall():
    """Hostile pass 13c: esmini's follow_route_controller_test_medium stood 469 s at its
    goal and failed no_stall. The ego stops at x = 25; a goal at x = 26 (tolerance 3 m)
    explains the standing; one at x = 60 does not."""
    from testzone.recording import Event
    for gx, expected in ((26.0, 0.0), (60.0, STOOD_S)):
        goal = Event(0.0, "goal", {"x": gx, "y": 0.0, "tolerance_m": 3.0})
        rec = make_recording({"ego": STOPS}, 10.0, events=[goal])
        assert stat(rec) == pytest.approx(expected), gx
