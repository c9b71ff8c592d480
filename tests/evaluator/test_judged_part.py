"""evaluator.case.judged_part: what a dead-end stop by the scenario's default controller
takes out of the judged run, and what it must never take (hostile pass 11: a collision before
the stop, and one after the ego was moved on, were dropped and the case passed)."""

from testzone.recording import Event
from testzone.world import LaneCoord, Pose

from evaluator import score_case
from evaluator.case import judged_part
from evaluator_fixtures import FakeNet, make_recording, straight


def _until(x0: float, v: float, x_end: float):
    """Along +x from ``x0`` at ``v`` [m/s], standing at ``x_end`` once there (lane 1/-1)."""
    def fn(t: float) -> dict:
        x = min(x0 + v * t, x_end)
        return {"pose": Pose(x, 0.0, 0.0, 0.0), "speed": v if x < x_end else 0.0,
                "acceleration": 0.0, "lane": LaneCoord("1", -1, x, 0.0, 0.0)}
    return fn


def _stop(t: float, s: float, speed: float) -> Event:
    return Event(t, "end_of_road", {"entity": "ego", "road_id": "1", "lane_id": -1, "s": s,
                                    "speed_mps": speed})


def test_the_overhang_past_the_end_and_the_standing_are_cut():
    """Ego at 10 m/s reaches the road's end s = 30 at 3.0 s and stands (stopped at 3.05 s);
    its front is 2.25 m ahead of its reference point (4.5 m box centred on it): frames up to
    the last with s <= 27.75, t = 2.75 s (0.5 m apart), are judged."""
    coverage = Event(6.0, "storyboard_coverage", {"events": 2,
                                                  "never_started": ["S::A::G::M::E"],
                                                  "guards_never_started": []})
    rec = make_recording({"ego": _until(0.0, 10.0, 30.0)}, 6.0,
                         events=[_stop(3.05, 30.0, 10.0), coverage])
    part = judged_part(rec)
    assert part.frames[-1].time == 2.75
    # the run's account of its storyboard is kept (session 14: events_started was not
    # applicable on esmini's override_bb, whose ego stands at a dead end)
    assert [e.kind for e in part.events] == ["end_of_road", "storyboard_coverage"]
    assert score_case(rec, FakeNet()).metrics["storyboard_events_not_started"].value == 1.0


def test_a_collision_long_before_a_creeping_stop_is_judged():
    """Ego at 1 m/s from x = 0 overlaps a box standing at x = 5 (4.5 m boxes: from t = 0.5 s)
    and creeps on to the end s = 12, where the stop event gives 0.1 m/s. The old cut (stop
    time less front / speed: 12.05 - 2.25 / 0.1 < 0) dropped every frame; the frames up to
    s = 9.75 are judged now, the collision with them."""
    rec = make_recording({"ego": _until(0.0, 1.0, 12.0), "box": straight(5.0, 0.0)}, 14.0,
                         events=[_stop(12.05, 12.0, 0.1)])
    assert judged_part(rec).frames[-1].time == 9.75
    res = score_case(rec, FakeNet())
    assert res.verdict == "fail" and res.metrics["collision_count"].value >= 1.0


def test_an_ego_moved_on_after_the_stop_is_judged_whole():
    """After the stop at s = 10 (1.05 s) the ego drives on (here: a teleport's successor, it
    keeps moving): nothing is cut, so what it hits later (a box at x = 30) counts."""
    rec = make_recording({"ego": straight(0.0, 10.0), "box": straight(30.0, 0.0)}, 4.0,
                         events=[_stop(1.05, 10.0, 10.0)])
    assert judged_part(rec) is rec
    assert score_case(rec, FakeNet()).verdict == "fail"


def test_a_collision_at_the_road_end_before_the_stop_is_kept():
    """Verify pass 11: a barrier just past a dead end was hit at 4.70 s, after the last
    judged frame (the front past the end) and before the stop: the collision was cut away.
    The engine's collision events up to the stop are kept."""
    hit = Event(2.9, "collision", {"a": "ego", "b": "barrier"})
    rec = make_recording({"ego": _until(0.0, 10.0, 30.0)}, 6.0,
                         events=[hit, _stop(3.05, 30.0, 10.0)])
    part = judged_part(rec)
    assert part.frames[-1].time == 2.75
    assert [e.kind for e in part.events] == ["collision", "end_of_road"]
    assert score_case(rec, FakeNet()).metrics["collision_count"].value == 1.0
