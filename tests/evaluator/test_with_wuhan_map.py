"""Map-dependent metrics against the real maps.RoadNetwork of the Wuhan section (road 1 runs
along +x to the junction; vehicle light 1001 at s = 972 orientation '+', pedestrian light 2001
at s = 976; lane speed limit 60 km/h)."""

import math
from pathlib import Path

import pytest

from evaluator import score_case
from evaluator.metrics import PETMetric, RedLightMetric, SpeedingMetric
from testzone.world import BoundingBox, LaneCoord, Pose, SignalColor, SignalState

from evaluator_fixtures import make_recording

XODR = Path(__file__).resolve().parents[2] / "maps" / "wuhan" / "wuhan_section1.xodr"


@pytest.fixture(scope="module")
def net():
    from maps import load_opendrive
    return load_opendrive(XODR)


def along_lane(net, s0, v, road="1", lane=-1):
    def fn(t):
        s = s0 + v * t
        p = net.lane_to_world(road, lane, s)
        return {"pose": p, "speed": v, "lane": LaneCoord(road, lane, s, -1.75, 0.0)}
    return fn


def all_red(t):
    return {i: SignalState(i, SignalColor.RED) for i in ("1001", "2001")}


def test_red_light_on_real_map(net):
    # Front bumper s + 1.4 + 2.3 passes 972 when s = 968.3: from s0 = 950 at 10 m/s,
    # t = 1.83 s. The pedestrian light 2001 (red too) does not count.
    box = {"ego": BoundingBox(cx=1.4, length=4.6, width=1.9)}
    rec = make_recording({"ego": along_lane(net, 950.0, 10.0)}, 2.5, boxes=box, signals=all_red)
    r = RedLightMetric().compute(rec, net)
    assert r.statistics["red_light_violation_count"].value == 1
    assert r.statistics["signals_passed"].value == 1
    assert r.events[0]["signal_id"] == "1001"
    assert r.events[0]["t"] == pytest.approx(1.83)


def test_red_light_run_in_a_step_into_the_junction_or_a_lane_change(net):
    """Hostile pass 12: a step that took the ego from road 1 into the junction's connecting
    road (--dt 1.0 at 16.5 m/s), or from lane -2 to lane -1, over the stop line on red was
    never examined: the ego ran the red light and passed. Road 1 ends at s = 980 (x = -20);
    light 1001 at s = 972 governs lanes -1 and -2."""
    box = {"ego": BoundingBox(cx=1.4, length=5.0, width=2.0)}
    reach = 1.4 + 2.5

    def straight_on(t):               # lane -2 at y = -5.25, on into the junction
        x = -80.0 + 16.5 * t
        return {"pose": Pose(x, -5.25, 0.0, 0.0), "speed": 16.5}
    rec = make_recording({"ego": straight_on}, 6.0, dt=1.0, boxes=box, signals=all_red)
    r = RedLightMetric().compute(rec, net)
    assert [e["signal_id"] for e in r.events] == ["1001"]
    # front at x = -80 + 16.5 t + 3.9 passes the light's x = -28 at t = 48.1 / 16.5
    assert r.events[0]["t"] == pytest.approx((-28.0 + 80.0 - reach) / 16.5)

    def teleported(t):                # the same frames with a 50 m jump: no crossing
        f = straight_on(t)
        if t >= 3.0:
            f["pose"] = Pose(f["pose"].x + 50.0, -5.25, 0.0, 0.0)
        return f
    rec = make_recording({"ego": teleported}, 6.0, dt=1.0, boxes=box, signals=all_red)
    assert RedLightMetric().compute(rec, net).statistics["signals_passed"].value == 0

    def changing_lane(t):             # -2 to -1 over 0.6..1.1 s; the id flips at 0.85 s,
        s = 960.0 + 10.0 * t          # in the step in which the front passes the light
        shift = 3.5 * min(max((t - 0.6) / 0.5, 0.0), 1.0)
        p = net.lane_to_world("1", -2, s)
        lane = -2 if t < 0.85 else -1
        return {"pose": Pose(p.x, p.y + shift, 0.0, p.h), "speed": 10.0,
                "lane": LaneCoord("1", lane, s, p.y + shift, 0.0)}
    rec = make_recording({"ego": changing_lane}, 1.5, boxes=box, signals=all_red)
    r = RedLightMetric().compute(rec, net)
    assert [e["signal_id"] for e in r.events] == ["1001"]
    assert r.events[0]["t"] == pytest.approx((972.0 - 960.0 - reach) / 10.0)


def test_a_light_just_inside_the_connecting_road_is_judged_at_any_step(net):
    """Verify pass 12: a stop line 2 m into the junction's connecting road 101 was passed by
    the front while the reference point was still on road 1: at --dt 0.05 no step looked at
    road 101's signals (PASS), at --dt 1.0 one did (FAIL). The front is placed on the map
    itself now. Road 101 (lane -1 at y = -5.25) starts at x = -20; its s = 2 is x = -18;
    the front (3.9 m ahead) gets there when the reference point is at x = -21.9."""
    from evaluator_fixtures import FakeSignal

    class OneLightOn101:
        signals = [FakeSignal("9", "101", 2.0, orientation="+")]

        def __getattr__(self, name):
            return getattr(net, name)
    box = {"ego": BoundingBox(cx=1.4, length=5.0, width=2.0)}

    def straight_on(t):
        return {"pose": Pose(-40.0 + 10.0 * t, -5.25, 0.0, 0.0), "speed": 10.0}
    for dt in (0.05, 0.5):
        rec = make_recording({"ego": straight_on}, 3.0, dt=dt, boxes=box,
                             signals=lambda t: {"9": SignalState("9", SignalColor.RED)})
        r = RedLightMetric().compute(rec, OneLightOn101())
        assert [e["signal_id"] for e in r.events] == ["9"], dt
        assert r.events[0]["t"] == pytest.approx((-21.9 + 40.0) / 10.0, abs=1e-6)


def _drive(net, legs, speed=10.0):
    """A state function driving ``legs`` [(road, lane, length)] one after the other from s = 0
    of each (road 1's leg from s = 900), at ``speed``, with the lane recorded."""
    def fn(t):
        d = speed * t
        for road, lane, length in legs:
            start = 900.0 if road == "1" else 0.0
            if d <= length or (road, lane, length) == legs[-1]:
                s = start + min(d, length)
                return {"pose": net.lane_to_world(road, lane, s), "speed": speed,
                        "lane": LaneCoord(road, lane, s, 0.0, 0.0)}
            d -= length
    return fn


def test_leaving_the_planned_route_is_a_departure(net):
    """New-section pass 12: an ego told to turn left (route 1 -> 103 -> 4) went straight on
    (100 -> 2) and the case passed. A goal event carries the planned roads; a frame on a road
    outside every junction and off the plan is a departure: here from the first frame on
    road 2, 80 + 40 m after 900 = 12.0 s at 10 m/s."""
    from evaluator.metrics import RouteMetric
    from testzone.recording import Event
    goal = Event(0.0, "goal", {"entity": "ego", "x": 9999.0, "y": 9999.0,
                               "roads": ["1", "103", "4"]})
    straight = _drive(net, [("1", -1, 80.0), ("100", -1, 40.0), ("2", -1, 200.0)])
    rec = make_recording({"ego": straight}, 15.0, events=[goal])
    r = RouteMetric().compute(rec, net)
    assert r.statistics["route_departure_count"].value == 1
    assert r.statistics["route_departed_at_s"].value == pytest.approx(12.05)
    assert r.events[0]["road_id"] == "2"
    left = _drive(net, [("1", -1, 80.0), ("103", -1, 33.2), ("4", -1, 200.0)])
    r = RouteMetric().compute(make_recording({"ego": left}, 15.0, events=[goal]), net)
    assert r.statistics["route_departure_count"].value == 0
    assert RouteMetric().compute(make_recording({"ego": left}, 1.0), net) \
        .statistics["route_departure_count"].value is None          # no route: n/a
    # verify pass 12b: a goal in the next lane (missed by more than its 2 m tolerance) ends
    # the route once the ego is on the goal's road; what it drives after is no departure
    on = Event(0.0, "goal", {"entity": "ego", "x": 30.0, "y": 1.75,      # lane 1 of road 2
                             "roads": ["1", "100", "2"]})
    past = _drive(net, [("1", -1, 80.0), ("100", -1, 40.0), ("2", -1, 10.0),
                        ("4", -1, 200.0)])    # recorded on road 4 after road 2 (the goal's)
    r = RouteMetric().compute(make_recording({"ego": past}, 15.0, events=[on]), net)
    assert r.statistics["route_departure_count"].value == 0
    one_road = Event(0.0, "goal", {"entity": "ego", "x": 0.0, "y": 0.0, "roads": ["1"]})
    r = RouteMetric().compute(make_recording({"ego": straight}, 15.0, events=[one_road]), net)
    assert r.statistics["route_departure_count"].value == 0     # a one-road plan: not judged


def test_overhang_past_the_maps_open_start_is_not_off_road(net):
    """Real-input sweep 12: ASAM's SlowPrecedingVehicle places the ego at s = 0, its rear
    0.75 m before the road's start (the map's edge, no predecessor): its t = 0 frame was
    off-road and stay_on_road failed. Road 1 starts at x = -1000 with no link; the rear of a
    box centred 1.4 m ahead of the reference point, 4.6 m long, is 0.9 m before it."""
    from evaluator.metrics import DrivableMetric
    box = {"ego": BoundingBox(cx=1.4, length=4.6, width=1.9)}
    rec = make_recording({"ego": along_lane(net, 0.0, 10.0)}, 1.0, boxes=box)
    stats = DrivableMetric().compute(rec, net).statistics
    assert stats["offroad_time_s"].value == 0.0
    assert stats["offroad_distance_max_m"].value == 0.0     # the road goes on past the edge

    def beside(t):                     # 9 m right of the reference line at the start: off
        return {"pose": Pose(-1000.0 + 10 * t, -9.0, 0.0, 0.0), "speed": 10.0,
                "lane": LaneCoord("1", -2, 10 * t, -5.25, 0.0)}
    rec = make_recording({"ego": beside}, 1.0, boxes=box)
    assert DrivableMetric().compute(rec, net).statistics["offroad_time_s"].value == \
        pytest.approx(1.0)

    def off_the_front(t):      # verify pass 12: driving off that edge is off-road. Lane 1
        x = -995.0 - 2.0 * t   # drives towards -x; the front, 3.7 m ahead at -998.7 - 2 t,
        return {"pose": Pose(x, 1.75, 0.0, math.pi), "speed": 2.0,   # is over 0.3 m past
                "lane": LaneCoord("1", 1, x + 1000.0, 1.75, 0.0)}    # the edge from t > 0.8
    rec = make_recording({"ego": off_the_front}, 2.0, boxes=box)
    assert DrivableMetric().compute(rec, net).statistics["offroad_time_s"].value == \
        pytest.approx(2.0 - 0.85)


def test_speeding_on_real_map(net):
    # 66 km/h in a 60 km/h lane: ratio 0.1, excess 1.6667 m/s for the whole 2 s.
    v = 66 / 3.6
    rec = make_recording({"ego": along_lane(net, 100.0, v)}, 2.0)
    s = {k: x.value for k, x in SpeedingMetric().compute(rec, net).statistics.items()}
    assert s["speed_over_limit_ratio_max"] == pytest.approx(0.1)
    assert s["speed_over_limit_max_mps"] == pytest.approx(6 / 3.6)
    assert s["speeding_duration_s"] == pytest.approx(2.0)  # the whole run
    assert s["overspeed_integral_m"] == pytest.approx(2.0 * 6 / 3.6)
    res = score_case(rec, net)
    assert {c.criterion.id: c.status for c in res.criteria}["speed_limit"] == "pass"
    assert res.skipped == {}


def test_wrong_way_offroad_and_lane_departure_on_real_map(net):
    # Driving +s (heading of lane -1) in lane 1, whose direction is -s, for 2 s at 10 m/s.
    def against(t):
        s = 100.0 + 10.0 * t
        p = net.lane_to_world("1", 1, s)
        return {"pose": Pose(p.x, p.y, 0.0, p.h + math.pi), "speed": 10.0,
                "lane": LaneCoord("1", 1, s, 1.75, 0.0)}
    rec = make_recording({"ego": against}, 2.0)
    res = score_case(rec, net)
    assert res.metrics["wrong_way_count"].value == 1
    assert res.metrics["wrong_way_time_s"].value == pytest.approx(2.0)
    assert {c.criterion.id: c.status for c in res.criteria}["no_wrong_way"] == "fail"
    assert res.breakdown["gates"]["no_wrong_way"] == 0 and res.score == 0.0
    # the box stays inside the drivable area and inside lane 1 (centred, 1.8 m in a wider lane)
    assert res.metrics["offroad_time_s"].value == 0.0
    assert res.metrics["lane_departure_count"].value == 0
    assert res.findings["drivable"] == [{"method": "box_corners"}]


def test_lane_centre_driving_on_real_map_is_clean(net):
    res = score_case(make_recording({"ego": along_lane(net, 100.0, 10.0)}, 2.0), net)
    s = {k: v.value for k, v in res.metrics.items()}
    assert (s["wrong_way_count"], s["offroad_time_s"], s["lane_departure_count"]) == (0, 0, 0)
    assert s["offroad_distance_max_m"] == 0.0


def test_pet_at_a_crossing_point_of_the_real_junction(net):
    # Junction 500 covers x, y in [-20, 20]. The ego drives east along y = -1.75 from
    # x = -59.98 at 10 m/s; the other drives north along x = 1.75 from y = -122.52 at 10 m/s
    # (2 cm off the frame grid: no box edge sits on the point at a frame). Their paths cross at
    # (1.75, -1.75); the conflict area is where the 1.8 m strips cross, x in [0.85, 2.65],
    # y in [-2.65, -0.85]. The ego's 4.5 m box (centred on its reference point) is on it
    # while x - 2.25 < 2.65, t < 6.488: last frame 6.45, gone at 6.50; the other's from
    # y + 2.25 > -2.65, t > 11.762: first frame 11.80. PET = 11.80 - 6.50 = 5.3 s (at the
    # crossing point alone 5.5 s).
    def mover(x0, y0, h):
        def fn(t):
            x, y = x0 + 10.0 * t * math.cos(h), y0 + 10.0 * t * math.sin(h)
            return {"pose": Pose(x, y, 0.0, h), "speed": 10.0, "lane": net.world_to_lane(x, y, h)}
        return fn
    rec = make_recording({"ego": mover(-59.98, -1.75, 0.0),
                          "other": mover(1.75, -122.52, math.pi / 2)}, 13.0)
    r = PETMetric().compute(rec, net)
    assert [(e["area"], e["other"]) for e in r.events] == [(None, "other")]
    assert r.statistics["pet_min_s"].value == pytest.approx(5.3)


@pytest.mark.parametrize("road, lane, s, violations", [
    ("3", 1, 150, 0),     # right turn (connecting road 102, -90 deg) at the circular red
    ("2", -2, 60, 1),     # straight on (101): red forbids passing
])
def test_a_right_turn_at_a_circular_red_light_is_allowed_in_china(tmp_path, road, lane, s,
                                                                  violations):
    """PRC Implementing Regulations of the Road Traffic Safety Law, art. 38: at a red
    circular light a vehicle turning right may pass when it obstructs no released vehicle or
    pedestrian (V2X semantics pass 13: our MAP and our red-light criterion treated every
    right turn on red as a violation). Signal 1001 (country CN, type 1000001, subtype -1)
    is red throughout; the ego (default controller) crosses its stop line from lane -2."""
    import sys
    sys.path.append(str(Path(__file__).resolve().parents[1] / "scenarios"))
    from builders import ego_on_map, on_lane, signal_plan
    from runners.case import RunOptions, TestCase, run_case
    acquire = (f"<PrivateAction><RoutingAction><AcquirePositionAction>{on_lane(road, lane, s)}"
               f"</AcquirePositionAction></RoutingAction></PrivateAction>")
    path = tmp_path / "red.xosc"
    path.write_text(ego_on_map(XODR, on_lane("1", -2, 930), 6.0, acquire, 20.0,
                               signal_plan({"1001": "red"})))
    res = run_case(TestCase("red", str(path)), RunOptions(agent="scenario"), tmp_path / "r")
    assert res["metrics"]["signals_passed"]["value"] == 1.0
    assert res["metrics"]["red_light_violation_count"]["value"] == float(violations)


def test_only_a_chinese_circular_light_lets_a_right_turn_pass_at_red():
    from types import SimpleNamespace as NS
    from maps.model import permits_right_on_red
    assert permits_right_on_red(NS(country="CN", type="1000001", subtype="-1"))
    assert not permits_right_on_red(NS(country="DE", type="1000001", subtype="-1"))
    assert not permits_right_on_red(NS(country="CN", type="1000011", subtype="20"))  # arrow
    assert not permits_right_on_red(NS(country=None, type="1000001", subtype="-1"))
