"""The metrics added for regulator reports, each on a hand-made recording with numbers derived
by hand in the comments: constant-acceleration TTC, DRAC, wrong-way driving, box-corner
off-road and lane departure, PET at conflict areas, at-fault class by box edge, route
completion and time to goal."""

import math

import pytest

from evaluator.metrics import (CollisionMetric, DrivableMetric, HeadwayMetric, LeadGap, PETMetric,
                               ProgressMetric, WrongWayMetric, drac_mps2, lead_gap, ttc_accel_s,
                               ttc_s)
from evaluator.metrics.collisions import contact_point, hit_edge
from testzone.recording import Event
from testzone.world import BoundingBox, EntityKind, EntityState, LaneCoord, Pose

from evaluator_fixtures import FakeAreaNet, FakeNet, make_recording, straight


# --- constant-acceleration TTC and DRAC -------------------------------------------------------

def test_ttc_accel_hand_values():
    # gap 35.5 m, closing 10 m/s.
    # a_rel = +2 (lead brakes at 2): t^2 + 10 t - 35.5 = 0 -> t = -5 + sqrt(25 + 35.5) = 2.77817 s
    assert ttc_accel_s(LeadGap("l", 35.5, 10.0, 2.0)) == pytest.approx(-5 + math.sqrt(60.5))
    # a_rel = -1 (ego brakes at 1): t^2 - 20 t + 71 = 0 -> t = 10 - sqrt(29) = 4.61484 s
    assert ttc_accel_s(LeadGap("l", 35.5, 10.0, -1.0)) == pytest.approx(10 - math.sqrt(29))
    # a_rel = -3: v^2 / (2|a|) = 16.7 m < 35.5 m, the closing stops first -> inf
    assert ttc_accel_s(LeadGap("l", 35.5, 10.0, -3.0)) == math.inf
    # a_rel = 0 equals the constant-velocity TTC, 3.55 s
    g = LeadGap("l", 35.5, 10.0, 0.0)
    assert ttc_accel_s(g) == pytest.approx(ttc_s(g)) == pytest.approx(3.55)
    # opening gap but the ego accelerates at 2: -2 t + t^2 = 10 -> t = 1 + sqrt(11) = 4.3166 s
    assert ttc_accel_s(LeadGap("l", 10.0, -2.0, 2.0)) == pytest.approx(1 + math.sqrt(11))
    assert ttc_accel_s(None) == math.inf


def test_drac_hand_values():
    # DRAC = 10^2 / (2 x 35.5) = 1.40845 m/s^2; not closing -> 0; touching while closing -> inf
    assert drac_mps2(LeadGap("l", 35.5, 10.0)) == pytest.approx(100 / 71)
    assert drac_mps2(LeadGap("l", 35.5, -1.0)) == 0.0
    assert drac_mps2(LeadGap("l", 0.0, 1.0)) == math.inf
    assert drac_mps2(None) == 0.0


def test_lead_gap_carries_relative_acceleration():
    # ego accelerates at 1, lead brakes at 2 -> closing acceleration 1 - (-2) = 3 m/s^2
    box = BoundingBox(length=4.5, width=1.8)
    ego = EntityState("ego", EntityKind.VEHICLE, Pose(0, 0), 20.0, 1.0, box=box,
                      lane=LaneCoord("1", -1, 0.0, 0.0))
    lead = EntityState("lead", EntityKind.VEHICLE, Pose(40, 0), 10.0, -2.0, box=box,
                       lane=LaneCoord("1", -1, 40.0, 0.0))
    g = lead_gap(ego, [lead])
    assert g.closing_accel_mps2 == pytest.approx(3.0)
    # 35.5 = 10 t + 1.5 t^2 -> t = (-10 + sqrt(100 + 213)) / 3 = 2.56404 s
    assert ttc_accel_s(g) == pytest.approx((-10 + math.sqrt(313)) / 3)


def test_headway_metric_reports_ttc_accel_and_drac():
    # ego 20 m/s, lead 10 m/s, 40 m centre distance, 1 s: the gap shrinks 35.5 -> 25.5 m.
    # ttc_accel (a_rel = 0) min = 25.5 / 10 = 2.55 s; DRAC max = 100 / 51 = 1.96078 m/s^2
    rec = make_recording({"ego": straight(0, 20.0), "lead": straight(40, 10.0)}, 1.0)
    s = {k: v.value for k, v in HeadwayMetric().compute(rec).statistics.items()}
    assert s["ttc_accel_min_s"] == pytest.approx(2.55)
    assert s["drac_max_mps2"] == pytest.approx(100 / 51)
    # the lead brakes at 4 m/s^2 (recorded acceleration): DRAC above 3.35 gives a violation
    rec = make_recording({"ego": straight(0, 20.0), "lead": straight(40, 10.0, a=-4.0)}, 2.0)
    r = HeadwayMetric().compute(rec)
    assert r.statistics["ttc_accel_min_s"].value < r.statistics["ttc_min_s"].value
    assert any(v.name == "drac_above_threshold" for v in r.violations)


# --- wrong-way driving ------------------------------------------------------------------------

def test_wrong_way_in_the_opposite_lane():
    # lane 1 drives -x (heading pi); the ego drives +x in it for the whole 2 s run (41 frames
    # from 0 to 2.0 s: each holds until the next, the last ends the run)
    rec = make_recording({"ego": straight(10, 10.0, y=1.75, lane=("1", 1))}, 2.0)
    r = WrongWayMetric().compute(rec, FakeAreaNet())
    assert r.statistics["wrong_way_count"].value == 1
    assert r.statistics["wrong_way_time_s"].value == pytest.approx(2.0)
    assert r.events[0]["lane_id"] == 1 and r.events[0]["t"] == 0.0


def test_wrong_way_needs_duration_and_motion():
    # 0.5 s in the opposite lane (11 frames, 0.55 s) is below the 1 s minimum
    def excursion(t):
        lane = ("1", 1) if t < 0.5 + 1e-9 else ("1", -1)
        y = 1.75 if lane[1] == 1 else -1.75
        return straight(10, 10.0, y=y, lane=lane)(t)
    net = FakeAreaNet()
    assert WrongWayMetric().compute(make_recording({"ego": excursion}, 2.0),
                                    net).statistics["wrong_way_count"].value == 0
    # standing still in the opposite lane is not wrong-way driving
    rec = make_recording({"ego": straight(10, 0.0, y=1.75, lane=("1", 1))}, 2.0)
    assert WrongWayMetric().compute(rec, net).statistics["wrong_way_time_s"].value == 0.0
    # reversing (speed -2 m/s, heading 0) in lane -1 is manoeuvring, not wrong-way; facing
    # against lane -1 (heading pi) it is wrong-way whichever way it rolls (CARLA's WrongLaneTest)
    def reversing(heading):
        def state(t):
            return {"pose": Pose(50 - 2 * t, -1.75, 0.0, heading), "speed": -2.0 if heading == 0
                    else 2.0, "lane": LaneCoord("1", -1, 50 - 2 * t, -1.75)}
        return state
    r = WrongWayMetric().compute(make_recording({"ego": reversing(0.0)}, 2.0), net)
    assert r.statistics["wrong_way_count"].value == 0
    r = WrongWayMetric().compute(make_recording({"ego": reversing(math.pi)}, 2.0), net)
    assert r.statistics["wrong_way_count"].value == 1


def test_wrong_way_skipped_without_lane_directions():
    rec = make_recording({"ego": straight(10, 10.0, y=1.75, lane=("1", 1))}, 1.0)
    r = WrongWayMetric().compute(rec, FakeNet())
    assert r.skipped and r.statistics["wrong_way_count"].value is None


# --- drivable area and lane departure by box corners ------------------------------------------

def test_offroad_by_box_corners():
    # ego at y = 3.0 (reference point on the road, |y| <= 3.5): left corners at y = 3.9,
    # 0.4 m outside the 3.5 m edge > 0.3 m tolerance -> off for the whole 1 s run.
    rec = make_recording({"ego": straight(10, 10.0, y=3.0, lane=None)}, 1.0)
    r = DrivableMetric().compute(rec, FakeAreaNet())
    assert r.statistics["offroad_time_s"].value == pytest.approx(1.0)
    assert r.statistics["offroad_distance_max_m"].value == pytest.approx(0.4)
    assert r.events == ({"method": "box_corners"},)
    # the reference-point fallback (no drivable_area in the network) sees it on the road
    r = DrivableMetric().compute(rec, FakeNet())
    assert r.statistics["offroad_time_s"].value == 0.0
    assert r.events == ({"method": "reference_point"},)
    # y = 2.5: corners at 3.4, inside
    rec = make_recording({"ego": straight(10, 10.0, y=2.5, lane=None)}, 1.0)
    assert DrivableMetric().compute(rec, FakeAreaNet()).statistics["offroad_time_s"].value == 0


def test_lane_departure_during_a_lane_change():
    # y = -1.75 + 1.75 t over 2 s, lane -1 while y <= 0, lane 1 after.
    # In lane -1 the left corner y + 0.9 leaves y = 0 by > 0.1 m when y > -0.8: t > 0.5429;
    # in lane 1 the right corner y - 0.9 is below -0.1 while y < 0.8: t < 1.4571.
    # Departure frames t = 0.55 .. 1.45: 19 frames = 0.95 s, one interval; worst at t = 1.0
    # (y = 0, still lane -1): 0.9 m.
    def change(t):
        y = -1.75 + 1.75 * t
        lane = -1 if y <= 0 else 1
        return {"pose": Pose(20 + 10 * t, y), "speed": 10.0,
                "lane": LaneCoord("1", lane, 20 + 10 * t, y)}
    r = DrivableMetric().compute(make_recording({"ego": change}, 2.0), FakeAreaNet())
    s = {k: v.value for k, v in r.statistics.items()}
    assert s["lane_departure_count"] == 1
    assert s["lane_departure_time_s"] == pytest.approx(0.95)
    assert s["lane_departure_max_m"] == pytest.approx(0.9)
    dep = [v for v in r.violations if v.name == "lane_departure"][0]
    assert dep.start == pytest.approx(0.55)
    assert s["offroad_time_s"] == 0.0


class TwoRoadNet(FakeAreaNet):
    """FakeAreaNet cut in two at x = 50: road '1' x in [0, 50], road '2' x in [50, 100]; lane
    -1 of one continues in lane -1 of the other."""

    def lane_polygon(self, road_id, lane_id):
        import shapely
        x0, x1 = (0.0, 50.0) if road_id == "1" else (50.0, 100.0)
        return shapely.box(x0, -3.5, x1, 0.0) if lane_id < 0 else shapely.box(x0, 0.0, x1, 3.5)


def test_passing_from_one_road_to_the_next_is_no_lane_departure():
    # centred in lane -1 along y = -1.75 at 10 m/s from x = 30: the 4.5 m box sticks 2.25 m
    # past road 1's end before the reference point reaches road 2, but crosses no marking
    def along(t):
        x = 30 + 10 * t
        road, s = ("1", x) if x < 50 else ("2", x - 50)
        return {"pose": Pose(x, -1.75), "speed": 10.0, "lane": LaneCoord(road, -1, s, -1.75)}
    r = DrivableMetric().compute(make_recording({"ego": along}, 4.0), TwoRoadNet())
    assert r.statistics["lane_departure_count"].value == 0
    assert r.statistics["lane_departure_max_m"].value == pytest.approx(0.0)


class RenumberNet(FakeAreaNet):
    """One road whose second lane section (x >= 50) opens a lane at y in [-3.5, 0] beside the
    through lane y in [-7, -3.5]: the through lane is -1 before x = 50, -2 after (linked)."""

    def lane_polygon(self, road_id, lane_id):
        import shapely
        if lane_id == -1:
            return shapely.union(shapely.box(0.0, -7.0, 50.0, -3.5),
                                 shapely.box(50.0, -3.5, 100.0, 0.0))
        return shapely.box(50.0, -7.0, 100.0, -3.5)

    def lane_continuation(self, road_id, lane_id, s_from, s_to):
        if (s_from < 50.0) == (s_to < 50.0):
            return lane_id
        return {-1: -2}.get(lane_id) if s_from < 50.0 else {-2: -1}.get(lane_id)


def test_a_lane_renumbered_by_a_new_lane_section_is_no_lane_departure():
    # the Wuhan test zone's road 30, where a left-turn lane opens: naive counted 2 departures
    # (2.7 m) driving straight. Along y = -5.25 from x = 30 the box crosses x = 50 in lane -1
    # and enters the strip that lane -1 no longer covers; it is the same lane, now -2
    def along(t):
        x = 30 + 10 * t
        lane = -1 if x < 50 else -2
        return {"pose": Pose(x, -5.25), "speed": 10.0, "lane": LaneCoord("1", lane, x, -5.25)}
    r = DrivableMetric().compute(make_recording({"ego": along}, 4.0), RenumberNet())
    assert r.statistics["lane_departure_count"].value == 0
    # a real change into the new lane (x from 60 on) is still a departure
    def change(t):
        x, y = 60 + 10 * t, -5.25 + 1.75 * t
        return {"pose": Pose(x, y), "speed": 10.0,
                "lane": LaneCoord("1", -2 if y <= -3.5 else -1, x, y)}
    r = DrivableMetric().compute(make_recording({"ego": change}, 2.0), RenumberNet())
    assert r.statistics["lane_departure_count"].value == 1


# --- PET at conflict areas --------------------------------------------------------------------

def crossing_north(y0, v, x=50.0):
    return lambda t: {"pose": Pose(x, y0 + v * t, 0.0, math.pi / 2), "speed": v}


def test_pet_inside_a_junction_is_taken_at_the_crossing_point():
    # ego along y = -1.75 at 10 m/s from x = 0; other north along x = 50 from y = -92.25 at
    # 10 m/s; both cross junction J1 (x, y in 40..60) but meet only where their 1.8 m strips
    # cross: x in [49.1, 50.9], y in [-2.65, -0.85] (the conflict area round (50, -1.75)).
    # Ego box is on it until 10 t - 2.25 > 50.9, t = 5.315: first frame off 5.35; the other
    # enters it at y + 2.25 = -2.65, t = 8.735 -> 8.75. PET = 8.75 - 5.35 = 3.4 s, with the
    # map as without it (the junction as a whole would give 8.0 - 6.25 = 1.75 s).
    tracks = {"ego": straight(0, 10.0, y=-1.75), "other": crossing_north(-92.25, 10.0)}
    rec = make_recording(tracks, 10.0)
    for net in (FakeAreaNet(), None):
        r = PETMetric().compute(rec, net)
        assert r.statistics["pet_min_s"].value == pytest.approx(3.4)
        assert [(e["area"], e["other"]) for e in r.events] == [(None, "other")]
        # regulator pass 13: when (the second's arrival, 8.75 s) and who passed first
        assert (r.events[0]["t"], r.events[0]["first"]) == (pytest.approx(8.75), "ego")


def test_pet_is_zero_for_boxes_that_met_while_crossing_short_of_the_other_path():
    """Hostile pass 12b: a car crossing the ego's road stopped 0.1 m short of the ego's
    centre path and was hit there: the centre paths never crossed, so PET was inf beside a
    collision. Other: 4.5 x 1.8, northwards on x = 50 to y = -1.85 (its centre), where the
    ego (on y = 0) reaches it: both boxes cover the same ground at once, PET 0."""
    def crossing_then_stopped(t):
        y = min(-20.0 + 10.0 * t, -1.85)
        return {"pose": Pose(50.0, y, 0.0, math.pi / 2), "speed": 10.0 if y < -1.85 else 0.0}
    rec = make_recording({"ego": straight(0, 10.0, y=0.0), "other": crossing_then_stopped},
                         6.0)
    r = PETMetric().compute(rec, None)
    assert r.statistics["pet_min_s"].value == 0.0
    assert [(e["area"], e["other"], e["first"]) for e in r.events] == [
        ("contact", "other", None)]
    side_by_side = {"ego": straight(0, 10.0, y=0.0), "other": straight(0, 10.0, y=1.0)}
    assert PETMetric().compute(make_recording(side_by_side, 1.0), None).events == ()


def test_pet_at_crosswalk_with_a_pedestrian_walking_along_it():
    # pedestrian (0.5 x 0.5 box) walks +x at 0.5 m/s along y = 3.0 inside the crosswalk
    # (x 100..104): its box leaves at x - 0.25 > 104 -> last in at t = 7.5, leaves 7.55.
    # The ego's box front reaches x = 100 when x >= 97.75: t >= 9.775 -> frame 9.80.
    # PET = 9.80 - 7.55 = 2.25 s (paths do not cross: only the crosswalk rule counts it).
    tracks = {"ego": straight(0, 10.0, y=-1.75),
              "ped": straight(100.5, 0.5, y=3.0, lane=None)}
    rec = make_recording(tracks, 10.0, boxes={"ped": BoundingBox(length=0.5, width=0.5)},
                         kinds={"ped": EntityKind.PEDESTRIAN})
    r = PETMetric().compute(rec, FakeAreaNet())
    assert [(e["area"], e["pet_s"]) for e in r.events] == [("crosswalk:cw1", pytest.approx(2.25))]
    assert PETMetric().compute(rec, None).statistics["pet_min_s"].value == math.inf


# --- at-fault class by the edge of the ego box ------------------------------------------------

def test_contact_edge_from_box_geometry():
    box = BoundingBox(length=4.5, width=1.8)
    ego = EntityState("ego", EntityKind.VEHICLE, Pose(0, 0), 10.0, box=box)
    # other centred (3.0, 1.5): overlap x in [0.75, 2.25], y in [0.6, 0.9] -> centroid
    # (1.5, 0.75); 1.5 / 2.25 = 0.667 < 0.75 / 0.9 = 0.833 -> the left side was hit
    # (the bearing atan2(1.5, 3.0) = 26.6 deg would have called it a front hit).
    other = EntityState("o", EntityKind.VEHICLE, Pose(3.0, 1.5), 10.0, box=box)
    lon, lat = contact_point(ego, other)
    assert (lon, lat) == (pytest.approx(1.5), pytest.approx(0.75))
    assert hit_edge(ego, lon, lat) == "left"
    # centred (4.0, 0.2): overlap x in [1.75, 2.25], y in [-0.7, 0.9] -> centroid (2.0, 0.1);
    # 2.0 / 2.25 = 0.889 > 0.1 / 0.9 = 0.111: front
    ahead = EntityState("a", EntityKind.VEHICLE, Pose(4.0, 0.2), 10.0, box=box)
    assert hit_edge(ego, *contact_point(ego, ahead)) == "front"
    assert hit_edge(ego, -2.2, 0.5) == "rear" and hit_edge(ego, 0.0, -0.9) == "right"


def test_boxes_that_only_touch_meet_at_the_middle_of_the_shared_edge():
    """Hostile pass 12b: a car behind touching the ego's rear edge exactly (zero-area
    overlap, as round numbers give at a step) was judged at a corner of that edge, where
    |lon| / (L/2) and |lat| / (W/2) tie at 1.0: float noise made it a lateral hit, at fault.
    The shared edge x = -2.25, y in [-0.9, 0.9] meets at its middle (-2.25, 0): rear."""
    box = BoundingBox(length=4.5, width=1.8)
    ego = EntityState("ego", EntityKind.VEHICLE, Pose(0, 1.0), 2.0, box=box)
    behind = EntityState("b", EntityKind.VEHICLE, Pose(-4.5, 1.0), 12.0, box=box)
    lon, lat = contact_point(ego, behind)
    assert (lon, lat) == (pytest.approx(-2.25), pytest.approx(0.0, abs=1e-9))
    assert hit_edge(ego, lon, lat) == "rear"
    corner = EntityState("c", EntityKind.VEHICLE, Pose(-4.5, 2.8), 12.0, box=box)  # one point
    assert contact_point(ego, corner) == (pytest.approx(-2.25), pytest.approx(0.9))


def test_side_swipe_near_the_front_corner_is_lateral_not_at_fault():
    # other at the ego's speed 3.5 m ahead, closing in laterally 1 m/s from y = 1.83:
    # first overlap at t = 0.05 (y = 1.78, 0.02 m deep along the ego's left edge).
    # Overlap x in [1.25, 2.25] + ego x -> centroid lon 1.75 (0.778) vs lat 0.89 (0.989): left.
    # The ego stayed in its lane centre: lateral, not at fault.
    def cut(t):
        return {"pose": Pose(3.5 + 10 * t, 1.83 - t), "speed": 10.0}
    rec = make_recording({"ego": straight(0, 10.0), "other": cut}, 0.5)
    c = CollisionMetric().collisions(rec)[0]
    assert c.t == pytest.approx(0.05)
    assert (c.edge, c.kind, c.at_fault) == ("left", "lateral", False)
    assert c.contact_lon_m == pytest.approx(1.75) and c.contact_lat_m == pytest.approx(0.89)


# --- route completion and time to goal --------------------------------------------------------

def test_goal_from_event_reached():
    # ego at 10 m/s from x = 0; goal (15, 0) with 2 m tolerance: within 2 m once x >= 13,
    # t = 1.3 s; completion 1.
    rec = make_recording({"ego": straight(0, 10.0)}, 2.0,
                         events=[Event(0.0, "goal", {"x": 15.0, "y": 0.0})])
    s = {k: v.value for k, v in ProgressMetric().compute(rec).statistics.items()}
    assert s["goal_reached"] == 1.0 and s["route_completion_ratio"] == 1.0
    assert s["time_to_goal_s"] == pytest.approx(1.3)


def test_goal_not_reached_and_from_acquire_position():
    # goal (50, 0): closest approach 30 m (x = 20 at t = 2) of 50 m -> completion 0.4
    rec = make_recording({"ego": straight(0, 10.0)}, 2.0,
                         events=[Event(0.0, "goal", {"x": 50.0, "y": 0.0})])
    s = {k: v.value for k, v in ProgressMetric().compute(rec).statistics.items()}
    assert s["route_completion_ratio"] == pytest.approx(0.4)
    assert s["goal_reached"] == 0.0 and s["time_to_goal_s"] == math.inf
    # an AcquirePositionAction request at t = 0.5 to (15, 0): reached at 1.3 -> 0.8 s
    spec = {"position": {"kind": "WorldPosition", "x": 15.0, "y": 0.0, "h": 0.0}}
    ev = Event(0.5, "ego_request", {"entity": "ego", "action": "AcquirePositionAction",
                                    "spec": spec})
    rec = make_recording({"ego": straight(0, 10.0)}, 2.0, events=[ev])
    s = {k: v.value for k, v in ProgressMetric().compute(rec).statistics.items()}
    assert s["time_to_goal_s"] == pytest.approx(0.8)
    # a route whose last waypoint is a lane position (road 1, lane -1, s = 15 -> (15, -1.75)
    # on the fake map): closest approach |y| = 1.75 m at x = 15 is within 2 m -> reached at
    # x >= 15 - sqrt(4 - 1.75^2) = 14.032 -> t = 1.45 s (frame after 1.4032 s)
    spec = {"route": {"waypoints": [{"position": {"x": 1.0, "y": 0.0}},
                                    {"position": {"road_id": "1", "lane_id": -1, "s": 15.0,
                                                  "offset": 0.0}}]}}
    ev = Event(0.0, "ego_request", {"action": "AssignRouteAction", "spec": spec})
    rec = make_recording({"ego": straight(0, 10.0)}, 2.0, events=[ev])
    s = {k: v.value for k, v in ProgressMetric().compute(rec, FakeAreaNet()).statistics.items()}
    assert s["time_to_goal_s"] == pytest.approx(1.45)
    # without a map the lane position cannot be placed: the world waypoint before it is used
    s = {k: v.value for k, v in ProgressMetric().compute(rec).statistics.items()}
    assert s["time_to_goal_s"] == 0.0
    # no goal: progress only
    rec = make_recording({"ego": straight(0, 10.0)}, 1.0)
    s = {k: v.value for k, v in ProgressMetric().compute(rec).statistics.items()}
    assert s["route_completion_ratio"] is None and s["progress_distance_m"] == pytest.approx(10)


def test_a_teleport_is_not_distance_driven():
    """Hostile pass 12b: an ego teleported 469.5 m on at 10 m/s counted it as driven
    (529.5 m, 87.5 m/s average: fewer infractions per km in the report). 10 m/s for 2 s with a
    jump of 400 m at t = 1: 20 m driven, 10 m/s average."""
    def jumping(t):
        return {"pose": Pose(10.0 * t + (400.0 if t >= 1.0 else 0.0), 0.0), "speed": 10.0}
    s = {k: v.value for k, v in
         ProgressMetric().compute(make_recording({"ego": jumping}, 2.0)).statistics.items()}
    assert s["progress_distance_m"] == pytest.approx(19.5)     # the 0.5 m of the jump step too
    assert s["speed_avg_mps"] == pytest.approx(19.5 / 2.0)


def test_entering_a_crosswalk_someone_is_crossing_in_the_egos_way():
    """New-section pass 12: idm drove over an occupied crosswalk at 16.6 m/s, 2.3 m from the
    pedestrian, and passed (no criterion looked). PRC RTSL art. 47: stop and yield. The
    crosswalk is x in [100, 104]; the ego (front 2.25 m ahead of its centre, on y = -1.75 at
    10 m/s from x = 0) first touches it at x = 97.75, t = 9.775 -> the frame at 9.80 s."""
    from evaluator.metrics import CrosswalkMetric
    ped = {"pose": Pose(102.0, -1.0, 0.0, math.pi / 2), "speed": 0.0}
    kinds = {"ped": EntityKind.PEDESTRIAN}
    boxes = {"ped": BoundingBox(length=0.5, width=0.5)}
    tracks = {"ego": straight(0, 10.0, y=-1.75), "ped": lambda t: dict(ped)}
    r = CrosswalkMetric().compute(make_recording(tracks, 12.0, kinds=kinds, boxes=boxes),
                                  FakeAreaNet())
    assert r.statistics["crosswalk_occupied_entry_count"].value == 1
    assert r.statistics["crosswalk_entry_speed_max_mps"].value == pytest.approx(10.0)
    from evaluator import score_case      # verify pass 12b: a gate, as a red light (the
    res = score_case(make_recording(tracks, 12.0, kinds=kinds, boxes=boxes), FakeAreaNet())
    assert res.score == 0.0               # rule-breaking agent had outscored a yielding one)
    assert {c.criterion.id: c.status for c in res.criteria}["yields_at_crosswalk"] == "fail"
    assert [(e["t"], e["other"], e["lateral_m"]) for e in r.events] == [
        (pytest.approx(9.8), "ped", pytest.approx(0.75))]
    aside = {"ego": straight(0, 10.0, y=-1.75), "ped": lambda t: {**ped, "pose": Pose(
        110.0, -1.0, 0.0, math.pi / 2)}}                 # beside the crosswalk: not on it
    r = CrosswalkMetric().compute(make_recording(aside, 12.0, kinds=kinds, boxes=boxes),
                                  FakeAreaNet())
    assert r.statistics["crosswalk_occupied_entry_count"].value == 0
    along = {"ego": straight(0, 10.0, y=-1.75),   # verify pass 12b: a cyclist riding along
             "ped": lambda t: {"pose": Pose(2.0 + 10.0 * t, 1.75, 0.0, 0.0), "speed": 10.0}}
    r = CrosswalkMetric().compute(make_recording(along, 12.0, boxes=boxes,
                                                 kinds={"ped": EntityKind.CYCLIST}),
                                  FakeAreaNet())
    assert r.statistics["crosswalk_occupied_entry_count"].value == 0   # the road, not across
    assert CrosswalkMetric().compute(make_recording(tracks, 1.0, kinds=kinds, boxes=boxes),
                                     FakeNet()).statistics[
        "crosswalk_occupied_entry_count"].value is None     # no crosswalks on the map
    # hostile pass 13: a pedestrian standing on the kerb, its 0.5 m box reaching 5 cm over
    # the crosswalk's edge (y = 3.5), is waiting, not crossing
    kerb = {"ego": straight(0, 10.0, y=-1.75), "ped": lambda t: {**ped, "pose": Pose(
        102.0, 3.7, 0.0, 0.0)}}
    r = CrosswalkMetric().compute(make_recording(kerb, 12.0, kinds=kinds, boxes=boxes),
                                  FakeAreaNet())
    assert r.statistics["crosswalk_occupied_entry_count"].value == 0
    # hostile pass 13: an ego placed on the crosswalk, standing there, never drove onto it
    placed = {"ego": lambda t: {"pose": Pose(101.0, -1.75, 0.0, 0.0), "speed": 0.0},
              "ped": lambda t: dict(ped)}
    r = CrosswalkMetric().compute(make_recording(placed, 3.0, kinds=kinds, boxes=boxes),
                                  FakeAreaNet())
    assert r.statistics["crosswalk_occupied_entry_count"].value == 0
