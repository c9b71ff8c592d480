"""Collisions: first contact time, relative speed and at-fault class, all hand-derived."""

import math

import pytest

from evaluator.metrics import CollisionMetric, ProximityMetric
from testzone.recording import Event
from testzone.world import BoundingBox, EntityKind, LaneCoord, Pose

from evaluator_fixtures import make_recording, straight


def only(rec):
    cols = CollisionMetric().collisions(rec)
    assert len(cols) == 1, cols
    return cols[0]


def test_ego_front_into_moving_vehicle_ahead():
    # Centre gap 20.2 - 10 t reaches 4.5 m (boxes touch) at t = 1.57 s -> first frame 1.60 s.
    rec = make_recording({"ego": straight(0, 15.0), "lead": straight(20.2, 5.0)}, 2.0)
    c = only(rec)
    assert c.t == pytest.approx(1.6)
    assert (c.other, c.kind, c.at_fault, c.source) == ("lead", "front", True, "overlap")
    assert c.rel_speed_mps == pytest.approx(10.0)
    r = CollisionMetric().compute(rec)
    assert r.statistics["collision_count"].value == 1
    assert r.statistics["ego_at_fault_collisions"].value == 1
    assert r.statistics["collision_rel_speed_max_mps"].value == pytest.approx(10.0)


def test_ego_into_stopped_object():
    # Gap 10.2 - 10 t <= 4.5 at t >= 0.57 -> frame 0.60.
    c = only(make_recording({"ego": straight(0, 10.0), "box": straight(10.2, 0.0)}, 1.0))
    assert (c.kind, c.at_fault) == ("stopped_object", True)
    assert c.t == pytest.approx(0.6)


def test_rear_ended_is_not_at_fault():
    c = only(make_recording({"ego": straight(10.2, 5.0), "tail": straight(0.0, 15.0)}, 1.0))
    assert (c.kind, c.at_fault, c.other) == ("rear_ended", False, "tail")


def test_stopped_ego_is_not_at_fault():
    c = only(make_recording({"ego": straight(10.2, 0.0), "tail": straight(0.0, 10.0)}, 1.0))
    assert (c.kind, c.at_fault) == ("ego_stopped", False)


def test_boxes_placed_overlapping_are_not_the_egos_fault():
    """Author pass 14: a slow car placed 2 m ahead of a moving ego (boxes 4.5 m long) was a
    collision at 0 s "at fault" for the ego: the scenario placed them so."""
    c = only(make_recording({"ego": straight(0.0, 10.0), "slow": straight(2.0, 5.0)}, 1.0))
    assert (c.t, c.kind, c.at_fault) == (0.0, "at_start", False)


def test_an_ego_placed_on_a_car_that_drives_on_into_it_is_at_fault():
    """Hostile pass 14: an ego placed overlapping a stopped car and driving on at 2 m/s
    through it was at_start, not at fault. Boxes 4.5 m long, centres 1 m apart: they overlap
    until the ego's centre is 4.5 m past the car's, at 5.5 / 2 = 2.75 s; at 1.5 s (the
    reaction time) the ego still moves on the way the car lay (through it): at fault.
    Backing out (-2 m/s; overlapping until 1.75 s) is not; nor is a car driving away."""
    def case(ego_v, other_v):
        return only(make_recording({"ego": straight(0.0, ego_v),
                                    "car": straight(1.0, other_v)}, 2.5))
    c = case(2.0, 0.0)
    assert (c.t, c.kind, c.at_fault) == (0.0, "at_start", True)
    assert case(-2.0, 0.0).at_fault is False
    assert case(2.0, 4.0).at_fault is False


def side(y0, vy, offset=0.0, lane=("1", -1)):
    """Velocity (10, vy): heading atan2(vy, 10), speed |v|."""
    def fn(t):
        x, y = 10.0 * t, y0 + vy * t
        return {"pose": Pose(x, y, 0.0, math.atan2(vy, 10.0)), "speed": math.hypot(10.0, vy),
                "lane": LaneCoord(lane[0], lane[1], x, y, offset)}
    return fn


def test_lateral_contact_fault_depends_on_ego_lane_keeping():
    # Other drifts in from y = 3.5 m at 1 m/s, heading th = -atan(0.1). Its lowest corner is
    # 2.25 |sin th| + 0.9 cos th below its centre; contact with the ego's side (y = 0.9) when
    # 3.5 - t - that <= 0.9.
    th = math.atan(0.1)
    t_contact = 3.5 - 0.9 - (2.25 * math.sin(th) + 0.9 * math.cos(th))
    expected = math.ceil(t_contact / 0.05) * 0.05
    rec = make_recording({"ego": side(0.0, 0.0), "o": side(3.5, -1.0, lane=("1", -2))}, 2.0)
    c = only(rec)
    assert c.t == pytest.approx(expected) and expected == pytest.approx(1.5)
    assert (c.kind, c.at_fault) == ("lateral", False)
    assert c.rel_speed_mps == pytest.approx(1.0)
    # Same contact, but the ego is 1.2 m off its lane centre (straddling): at fault.
    rec = make_recording({"ego": side(0.0, 0.0, offset=1.2),
                          "o": side(3.5, -1.0, lane=("1", -2))}, 2.0)
    assert only(rec).at_fault is True


def test_an_ego_without_a_recorded_lane_is_placed_by_the_map():
    """The lateral contact above with the ego's lane not recorded (a backend or replay that
    leaves it out): the map places it on its lane centre, so it is not at fault; with no map
    it counts as off the network, at fault (evaluator15 audit: the map was never asked)."""
    from evaluator_fixtures import FakeNet

    def unplaced(t):
        state = side(0.0, 0.0)(t)
        return {**state, "lane": None}
    rec = make_recording({"ego": unplaced, "o": side(3.5, -1.0, lane=("1", -2))}, 2.0)
    (with_map,) = CollisionMetric().collisions(rec, FakeNet())
    assert (with_map.kind, with_map.at_fault) == ("lateral", False)
    assert only(rec).at_fault is True


def test_event_only_and_merge_with_overlap():
    ev = Event(0.5, "collision", {"entities": ["ego", "ped"]})
    rec = make_recording({"ego": straight(0, 10.0), "ped": straight(50, 0.0)}, 1.0, events=[ev])
    c = only(rec)
    assert (c.t, c.other, c.source) == (0.5, "ped", "event")
    # Event at the overlap onset (0.60 s) and the overlap itself: one collision.
    ev = Event(0.6, "collision", {"entities": ["box", "ego"]})
    rec = make_recording({"ego": straight(0, 10.0), "box": straight(10.2, 0.0)}, 1.0, events=[ev])
    c = only(rec)
    assert c.source == "event+overlap" and c.t == pytest.approx(0.6)


def test_events_between_others_are_ignored():
    ev = Event(0.5, "collision", {"entities": ["a", "b"]})
    rec = make_recording({"ego": straight(0, 10.0), "a": straight(50, 0.0), "b": straight(80, 0.0)},
                         1.0, events=[ev])
    assert CollisionMetric().collisions(rec) == []


def test_min_distance_box_to_box():
    # Lateral neighbour 3.5 m away, widths 1.8: box clearance 1.7 m; lead 30 m ahead: 25.5 m.
    rec = make_recording({"ego": straight(0, 10.0), "n": straight(0, 10.0, y=3.5),
                          "far": straight(30, 10.0)}, 0.5)
    r = ProximityMetric().compute(rec)
    assert r.statistics["distance_min_m"].value == pytest.approx(1.7)
    assert r.events[0]["other"] == "n"


def test_pedestrian_distance():
    from testzone.world import EntityKind
    # Pedestrian standing 5 m left of the ego's path at x = 20: the ego's side passes it at
    # 5 - 0.9 - 0.25 = 3.85 m (pedestrian box 0.5 m wide).
    from testzone.world import BoundingBox
    rec = make_recording({"ego": straight(0, 10.0), "ped": straight(20.0, 0.0, y=5.0)}, 3.0,
                         kinds={"ped": EntityKind.PEDESTRIAN},
                         boxes={"ped": BoundingBox(length=0.5, width=0.5)})
    r = ProximityMetric().compute(rec)
    assert r.statistics["pedestrian_distance_min_m"].value == pytest.approx(3.85)
    assert r.statistics["distance_min_m"].value == pytest.approx(3.85)
    alone = ProximityMetric().compute(make_recording({"ego": straight(0, 10.0)}, 1.0))
    assert alone.statistics["pedestrian_distance_min_m"].value is None
    assert alone.statistics["distance_min_m"].value == float("inf")


def crossing(y0, v=10.0):
    """Northbound along x = 0 from y0 (heading pi/2)."""
    def fn(t):
        return {"pose": Pose(0.0, y0 + v * t, 0.0, math.pi / 2), "speed": v}
    return fn


def test_pet_at_right_angle_crossing():
    from evaluator.metrics import PETMetric
    # Conflict area (Allen 1978): the two 1.8 m strips' overlap, |x|, |y| <= 0.9. Ego east
    # along y = 0 from x = -50 (box 4.5 m) is on it while x - 2.25 <= 0.9, up to t = 5.315 s:
    # first frame off at 5.35 s. The other, north from y = -70, enters it when
    # y + 2.25 >= -0.9, t >= 6.685 -> frame 6.70 s. PET = 6.70 - 5.35 = 1.35 s (continuous:
    # 1.37 s; at the crossing point alone it was 1.55 s, 0.9 / 10 too much for each user).
    rec = make_recording({"ego": straight(-50.0, 10.0, lane=None), "o": crossing(-70.0)}, 9.0)
    r = PETMetric().compute(rec)
    assert r.statistics["pet_min_s"].value == pytest.approx(1.35)
    assert (r.events[0]["x"], r.events[0]["y"]) == pytest.approx((0.0, 0.0))
    # Both on the point at once: PET 0 (other from y = -50 arrives together with the ego).
    rec = make_recording({"ego": straight(-50.0, 10.0, lane=None), "o": crossing(-50.0)}, 9.0)
    assert PETMetric().compute(rec).statistics["pet_min_s"].value == 0.0
    # Following in the same lane: no crossing point, PET inf.
    rec = make_recording({"ego": straight(0, 10.0), "lead": straight(30, 10.0)}, 3.0)
    assert PETMetric().compute(rec).statistics["pet_min_s"].value == math.inf


def test_pet_of_a_pedestrian_is_taken_on_the_conflict_area():
    """Evaluator15 audit: a pedestrian (0.5 x 0.5 m) crossing at 1.5 m/s north along x = 0
    from y = -4.87, the ego (4.5 x 1.8) east at 10 m/s along y = 0 from x = -49.98. Conflict
    area x in [-0.25, 0.25], y in [-0.9, 0.9]: the pedestrian is on it until y - 0.25 > 0.9,
    t = 4.013 s (first frame off 4.05); the ego enters it at x + 2.25 >= -0.25, t = 4.748 s
    (frame 4.75). PET = 0.70 s (continuous 0.735), under a 1.0 s bound; at the crossing
    point alone it read 4.80 - 3.45 = 1.35 s and passed."""
    from evaluator.metrics import PETMetric
    rec = make_recording({"ego": straight(-49.98, 10.0, lane=None),
                          "ped": crossing(-4.87, 1.5)}, 6.0,
                         boxes={"ped": BoundingBox(cx=0.0, length=0.5, width=0.5)},
                         kinds={"ped": EntityKind.PEDESTRIAN})
    r = PETMetric().compute(rec)
    assert r.statistics["pet_min_s"].value == pytest.approx(0.70)
    assert (r.events[0]["first"], r.events[0]["t"]) == ("ped", pytest.approx(4.75))


def test_the_egos_own_trailer_is_no_collision_while_connected():
    # A 5 m ego towing a 5 m trailer whose box reaches 0.5 m over the ego's (centres 4.5 m
    # apart): connected at t = 0, released at 0.5 s, still overlapping at 0.6 s.
    connect = Event(0.0, "trailer_connected", {"tow": "ego", "trailer": "trailer"})
    rec = make_recording({"ego": straight(4.5, 10.0), "trailer": straight(0.0, 10.0)}, 1.0,
                         events=[connect])
    assert CollisionMetric().collisions(rec) == []
    release = Event(0.5, "trailer_disconnected", {"tow": "ego", "trailer": "trailer"})
    rec = make_recording({"ego": straight(4.5, 10.0), "trailer": straight(0.0, 10.0)}, 1.0,
                         events=[connect, release])
    c = only(rec)
    assert (c.other, c.source) == ("trailer", "overlap") and c.t == pytest.approx(0.5)
    # another entity's trailer connection does not hide the ego's contact with it
    other = Event(0.0, "trailer_connected", {"tow": "truck", "trailer": "trailer"})
    rec = make_recording({"ego": straight(4.5, 10.0), "trailer": straight(0.0, 10.0)}, 1.0,
                         events=[other])
    assert only(rec).t == pytest.approx(0.0)


def test_a_box_crossed_within_one_coarse_step_is_a_collision():
    """Hostile pass 11b: at --dt 1.0 an ego at 25 m/s drove through a stopped car between two
    frames (12.5 m before it, then 12.5 m past) and no_collision passed. Ego from x = 0, box
    at 37.5 (4.5 m boxes); inside a step both boxes count shrunk by min(0.5, 25 / 20) = 0.5 m
    a side (3.5 m long): they overlap while the ego is within 3.5 m, from x = 34; the step
    from t = 1 s is sampled every 0.45 m (a quarter of the 1.8 m width), 56 samples, the
    first overlapping one at 21 / 56 (x = 34.375), t = 1.375 s."""
    rec = make_recording({"ego": straight(0, 25.0), "box": straight(37.5, 0.0)}, 3.0, dt=1.0)
    c = only(rec)
    assert c.t == pytest.approx(1.0 + 21 / 56)
    assert (c.other, c.kind, c.at_fault, c.source) == ("box", "stopped_object", True,
                                                       "overlap")
    passing = make_recording({"ego": straight(0, 25.0), "box": straight(37.5, 0.0, y=5.0)},
                             3.0, dt=1.0)                     # 5 m to the side: no contact
    assert CollisionMetric().collisions(passing) == []


def test_no_contact_is_swept_across_a_jump_or_cut_across_a_bend():
    """Verify pass 11b: a car teleported from 100 m ahead of the ego to 100 m behind it
    within one step was taken for a car the ego drove through (at fault, at the default
    --dt); an ego turning on an 8 m radius at 10 m/s past a stopped car 0.2 m clear of its
    path collided at --dt 1.0 along the chord. Jumps are not swept; the path follows the
    headings (cubic Hermite) and a contact inside a step must hold with shrunk boxes."""

    def teleported(t):
        x = 100.0 if t < 2.0 else -100.0
        return {"pose": Pose(x, 0.0, 0.0, 0.0), "speed": 0.0,
                "lane": LaneCoord("1", -1, x, 0.0, 0.0)}
    for dt in (0.05, 0.5):
        rec = make_recording({"ego": straight(0, 10.0), "o": teleported}, 4.0, dt=dt)
        assert CollisionMetric().collisions(rec) == []
    radius, speed = 8.0, 10.0

    def turning(t):
        th = min(speed / radius * t, math.pi / 2)
        return {"pose": Pose(radius * math.sin(th), radius * (1 - math.cos(th)), 0.0, th),
                "speed": speed, "lane": None}
    # the stopped car's centre 2.2 m inside the ego's arc, heading along it at 45 deg: the
    # two half widths (0.9 m each) leave 0.4 m, less where the ego's corners swing inside
    # the bend; no frame at --dt 0.05 shows a contact
    cx = (radius - 2.2) * math.sin(math.pi / 4)
    cy = radius - (radius - 2.2) * math.cos(math.pi / 4)

    def parked(t):
        return {"pose": Pose(cx, cy, 0.0, math.pi / 4), "speed": 0.0, "lane": None}
    for dt in (0.05, 0.5, 1.0):
        rec = make_recording({"ego": turning, "o": parked}, 1.6, dt=dt)
        assert CollisionMetric().collisions(rec) == [], dt
