"""MOBIL lane changes (Kesting, Treiber, Helbing 2007) in the ``idm`` reference agent.

Decision tests use hand-computed IDM accelerations with T = 1.5 s, s0 = 2 m, a = 1.5 m/s^2,
b = 2 m/s^2, delta = 4, v0 = 20 m/s (so sqrt(a b) = sqrt(3)):

* free road at 15 m/s: 1.5 (1 - 0.75^4) = 1.025391 m/s^2;
* 15 m/s behind a leader at 10 m/s, 40 m ahead: s* = 2 + 22.5 + 75 / (2 sqrt 3) = 46.1506 m,
  a = 1.5 (1 - 0.316406 - (46.1506 / 40)^2) = -0.971373 m/s^2;
* 18 m/s behind the ego at 15 m/s: s* = 2 + 27 + 54 / (2 sqrt 3) = 44.5885 m; 15 m behind:
  a = 1.5 (1 - 0.9^4 - (44.5885 / 15)^2) = -12.738 m/s^2; 30 m behind: -2.7977 m/s^2;
* 15 m/s behind a leader at 14 m/s, 50 m ahead: s* = 28.8301 m, a = 0.526685 m/s^2;
* 20 m/s, 10 m behind the ego at 15 m/s: s* = 2 + 30 + 100 / (2 sqrt 3) = 60.8675 m,
  a = 1.5 (0 - 6.08675^2) = -55.5728 m/s^2; free at 20 m/s: 0.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from maps import load_opendrive

from testzone.recording import read_recording
from testzone.world import BoundingBox, EntityKind, EntityState, LaneCoord, Pose

from runners.agents import load_agent
from runners.agents.idm import IdmAgent, IdmParameters, idm_acceleration
from runners.agents.mobil import (LaneGaps, MobilParameters, Neighbour, adjacent_lanes,
                                  lane_gaps, mobil)
from runners.agents.path_ahead import blend_offsets
from runners.case import RunOptions, TestCase, run_case
from runners.interfaces import Observation, VehicleSpec

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "maps" / "wuhan" / "wuhan_section1.xodr"
IDM = IdmParameters(time_headway=1.5, min_gap=2.0, max_acceleration=1.5,
                    comfortable_deceleration=2.0, delta=4.0)
P = MobilParameters(politeness=0.3, change_threshold=0.1, right_bias=0.3,
                    safe_deceleration=4.0, critical_speed=60 / 3.6)
FREE_15 = 1.025390625


def accel(v: float, gap: float | None, v_lead: float) -> float:
    return idm_acceleration(IDM, v, 20.0, gap, v_lead)


SLOW_AHEAD = LaneGaps(leader=Neighbour(40.0, 10.0))


def test_slow_leader_and_a_free_left_lane_make_it_change() -> None:
    d = mobil(P, accel, 15.0, 4.6, SLOW_AHEAD, LaneGaps(), to_kerb=False)
    # 1.025391 - (-0.971373) - (0.1 + 0.3) = 1.596764
    assert d.safe and d.change
    assert d.incentive == pytest.approx(1.596764, abs=1e-5)
    assert d.new_follower_accel is None


def test_a_close_fast_follower_in_the_target_lane_makes_it_unsafe() -> None:
    close = LaneGaps(follower=Neighbour(15.0, 18.0))
    d = mobil(P, accel, 15.0, 4.6, SLOW_AHEAD, close, to_kerb=False)
    assert d.new_follower_accel == pytest.approx(-12.738, abs=1e-3)
    assert not d.safe and not d.change
    # 30 m behind it brakes at 2.80 m/s^2 < b_safe = 4: safe, and still worth it: the new
    # follower's loss counts with p = 0.3 (its free-road 0.51585 m/s^2 becomes -2.7977):
    # 1.596764 + 0.3 (-2.7977 - 0.51585) = 0.602698
    far = LaneGaps(follower=Neighbour(30.0, 18.0))
    d = mobil(P, accel, 15.0, 4.6, SLOW_AHEAD, far, to_kerb=False)
    assert d.new_follower_accel == pytest.approx(-2.7977, abs=1e-4)
    assert d.safe and d.change and d.incentive == pytest.approx(0.602698, abs=1e-5)


def test_a_target_gap_below_the_minimum_is_unsafe_even_for_a_slower_follower() -> None:
    # a follower at 5 m/s 1.5 m behind would hardly brake under IDM: the gap rule refuses it
    d = mobil(P, accel, 15.0, 4.6, SLOW_AHEAD, LaneGaps(follower=Neighbour(1.5, 5.0)),
              to_kerb=False)
    assert d.new_follower_accel > -P.safe_deceleration and not d.safe and not d.change


def test_keep_right_bias_returns_to_the_kerb_lane_on_a_free_road() -> None:
    right = mobil(P, accel, 15.0, 4.6, LaneGaps(), LaneGaps(), to_kerb=True)
    assert right.change and right.incentive == pytest.approx(0.2)        # 0 - (0.1 - 0.3)
    left = mobil(P, accel, 15.0, 4.6, LaneGaps(), LaneGaps(), to_kerb=False)
    assert not left.change and left.incentive == pytest.approx(-0.4)     # 0 - (0.1 + 0.3)
    sym = MobilParameters(keep_right=False)
    assert mobil(sym, accel, 15.0, 4.6, LaneGaps(), LaneGaps(), True).incentive \
        == pytest.approx(-0.1)


def test_politeness_makes_room_for_a_tailgater() -> None:
    # ego at 15 m/s in the passing lane, a follower at 20 m/s 10 m behind; the kerb lane has
    # a leader at 14 m/s 50 m ahead. Own gain 0.526685 - 1.025391 = -0.498706; the old
    # follower's gain 0 - (-55.5728) = 55.5728.
    cur = LaneGaps(follower=Neighbour(10.0, 20.0))
    kerb = LaneGaps(leader=Neighbour(50.0, 14.0))
    polite = mobil(P, accel, 15.0, 4.6, cur, kerb, to_kerb=True)
    assert polite.change
    assert polite.incentive == pytest.approx(-0.498706 + 0.3 * 55.5728 + 0.2, abs=1e-3)
    selfish = mobil(MobilParameters(politeness=0.0), accel, 15.0, 4.6, cur, kerb, True)
    assert not selfish.change and selfish.incentive == pytest.approx(-0.298706, abs=1e-5)


def test_no_overtaking_on_the_kerb_side_above_the_critical_speed() -> None:
    # at 18 m/s > 16.67 m/s the kerb lane is worth no more than following the passing lane's
    # leader: a free kerb lane next to a slow passing-lane leader gains nothing
    slow_left = LaneGaps(leader=Neighbour(40.0, 10.0))
    d = mobil(P, accel, 18.0, 4.6, slow_left, LaneGaps(), to_kerb=True)
    assert d.incentive == pytest.approx(0.2, abs=1e-9)   # (a_c - a_c) + 0 - (0.1 - 0.3)
    slow = mobil(P, accel, 15.0, 4.6, slow_left, LaneGaps(), to_kerb=True)
    assert slow.incentive == pytest.approx(FREE_15 + 0.971373 + 0.2, abs=1e-5)


def test_blend_offsets_hermite_ends() -> None:
    d = np.array([0.0, 25.0, 50.0, 100.0])
    e, de = blend_offsets(d, 3.5, 0.0, 50.0)
    assert e == pytest.approx([3.5, 1.75, 0.0, 0.0])
    assert de[0] == pytest.approx(0.0) and de[1] == pytest.approx(-1.5 * 3.5 / 50.0)
    e, de = blend_offsets(np.array([0.0]), 0.0, 0.1, 40.0)
    assert e[0] == pytest.approx(0.0) and de[0] == pytest.approx(0.1)


# --------------------------------------------------------------------------- the map side

@pytest.fixture(scope="module")
def net():
    return load_opendrive(MAP)


def test_adjacent_lanes_on_the_wuhan_arterial(net) -> None:
    assert net.lane_ids("1", 100.0) == [3, 2, 1, -1, -2, -3]
    assert adjacent_lanes(net, LaneCoord("1", -2, 100.0, -5.25), 60.0, P) == [(-1, False)]
    # lane -1's other neighbour is lane 1, westbound: never offered
    assert adjacent_lanes(net, LaneCoord("1", -1, 100.0, -1.75), 60.0, P) == [(-2, True)]
    # westbound lane 2 (driving against s): its left neighbour is lane 1
    assert adjacent_lanes(net, LaneCoord("1", 2, 500.0, 5.25), 60.0, P) == [(1, False)]
    # 80 m before the road's end (the junction) a 60 m change plus 30 m clearance won't fit
    assert adjacent_lanes(net, LaneCoord("1", -2, 900.0, -5.25), 60.0, P) == []
    junction_road = next(r for r in net.roads.values() if r.junction != "-1")
    lane = net.lane_ids(junction_road.id, 1.0)[0]
    assert adjacent_lanes(net, LaneCoord(junction_road.id, lane, 1.0, 0.0), 5.0, P) == []


def test_no_lane_is_offered_from_which_the_route_cannot_be_followed(net) -> None:
    """New-section pass 12: on a route turning left, idm moved from the only left-turn lane
    into the straight lane (MOBIL's keep-right), went straight and passed. Road 1's lane -1
    leads to the straight road 100 or the left turn 103 (to road 4); lane -2 to 101 or the
    right turn 102: on the route 1 -> 103 -> 4, lane -2 is not offered."""
    here = LaneCoord("1", -1, 100.0, -1.75)
    assert adjacent_lanes(net, here, 60.0, P) == [(-2, True)]
    assert adjacent_lanes(net, here, 60.0, P, ("1", "103", "4")) == []
    assert adjacent_lanes(net, here, 60.0, P, ("1", "100", "2")) == [(-2, True)]  # both go on


def test_the_discretionary_choice_follows_the_route_still_ahead(net) -> None:
    """A route that comes back to road 1 goes straight on (100) the first time and turns
    left (103, to road 4) the second. On the second pass, behind a slow car, idm must weigh
    lane -2 by the route still ahead (the agent's ``route_ahead``): lane -2 leads only to
    101 or 102, off the route, so no change is offered (as in the test above). Read as a
    whole, the route's first choice at the junction (100) made both lanes lead to road 2."""
    from runners.interfaces import RouteWaypoint
    route = tuple(RouteWaypoint(0.0, 0.0, road_id=r)
                  for r in ("1", "100", "2", "3", "1", "103", "4"))
    ego = _car("Ego", -1, 100.0, 15.0, net, length=4.6)
    slow = _car("Slow", -1, 130.0, 5.0, net)
    agent = IdmAgent()
    agent.setup(VehicleSpec("Ego"), net, {})
    for road in ("1", "100", "2", "3"):      # the first pass and the way round
        there = EntityState("Ego", EntityKind.VEHICLE, ego.pose,
                            lane=LaneCoord(road, -1, 1.0, 0.0))
        agent.route_ahead(Observation(0.0, there, route=route))
    agent.step(Observation(0.0, ego, objects=(slow,), speed_limit=60 / 3.6, route=route))
    assert agent.route_ahead(Observation(0.0, ego, route=route)) == ("1", "103", "4")
    assert agent._change is None
    near = _car("Ego", -1, 950.0, 15.0, net, length=4.6)          # and its path turns left
    path, _ = agent.path_for(near, agent.route_ahead(Observation(1.0, near, route=route)))
    assert "103" in {c.road_id for c in path.coords}
    # the same place on the first pass (straight on): lane -2 leads to road 2 as well
    first = IdmAgent()
    first.setup(VehicleSpec("Ego"), net, {})
    first.step(Observation(0.0, ego, objects=(slow,), speed_limit=60 / 3.6, route=route))
    assert (first._change.from_lane, first._change.to_lane) == (-1, -2)
    path, _ = first.path_for(near, first.route_ahead(Observation(1.0, near, route=route)))
    roads = {c.road_id for c in path.coords}
    assert "2" in roads and "103" not in roads


def test_a_tapering_acceleration_lane_is_not_offered() -> None:
    # observed (tz_onramp_merge-001): idm moved into the X3 on-ramp's acceleration lane (road
    # 183, lane -4: 3.75 m up to s = 110, 0 at s = 145) and left the road where it ended
    wuhan = load_opendrive(MAP.parent / "wuhan_testzone.xodr")
    assert round(wuhan.lane_width("183", -4, 140.0), 2) == 0.39
    assert adjacent_lanes(wuhan, LaneCoord("183", -3, 55.0, 0.0), 60.0, P) == [(-2, False)]
    # before the taper comes within the change and its clearance, it is a lane like any other
    assert (-4, True) in adjacent_lanes(wuhan, LaneCoord("183", -3, 5.0, 0.0), 10.0,
                                        MobilParameters(change_clearance=10.0))


def _car(name, lane_id, s, speed, net, length=4.5) -> EntityState:
    p = net.lane_to_world("1", lane_id, s)
    return EntityState(name, EntityKind.VEHICLE, Pose(p.x, p.y, 0.0, p.h), speed=speed,
                       box=BoundingBox(1.4, 0.0, 0.75, length, 1.8, 1.5),
                       lane=net.world_to_lane(p.x, p.y, p.h))


def test_lane_gaps_from_lane_coordinates(net) -> None:
    ego = _car("Ego", -2, 100.0, 15.0, net, length=4.6)
    objs = (_car("A", -1, 130.0, 10.0, net), _car("B", -1, 160.0, 10.0, net),
            _car("C", -1, 80.0, 18.0, net), _car("D", -2, 150.0, 5.0, net))
    g = lane_gaps(ego, objs, "1", -1, +1)
    # A: rear at 130 + 1.4 - 2.25 = 129.15; ego front at 100 + 1.4 + 2.3 = 103.7
    assert g.leader == Neighbour(pytest.approx(25.45), pytest.approx(10.0))
    # C: front at 80 + 1.4 + 2.25 = 83.65; ego rear at 100 + 1.4 - 2.3 = 99.1
    assert g.follower == Neighbour(pytest.approx(15.45), pytest.approx(18.0))
    assert lane_gaps(ego, objs, "1", -2, +1).leader.gap == pytest.approx(45.45)


def test_naive_never_changes_lanes_and_idm_does() -> None:
    assert load_agent("naive").mobil is None
    assert load_agent("idm").mobil == MobilParameters()
    assert load_agent("idm-v2x").mobil == MobilParameters()


# ----------------------------------------------------------------------------- end to end

SCENARIO = """<?xml version="1.0" encoding="UTF-8"?>
<OpenSCENARIO>
  <FileHeader description="MOBIL overtaking" author="tests" revMajor="1" revMinor="1"
              date="2026-11-30T00:00:00"/>
  <ParameterDeclarations/>
  <CatalogLocations/>
  <RoadNetwork><LogicFile filepath="{map}"/></RoadNetwork>
  <Entities>
    {entities}
  </Entities>
  <Storyboard>
    <Init><Actions>
      {init}
    </Actions></Init>
    <StopTrigger><ConditionGroup>
      <Condition name="End" delay="0" conditionEdge="none"><ByValueCondition>
        <SimulationTimeCondition value="{end}" rule="greaterThan"/>
      </ByValueCondition></Condition>
    </ConditionGroup></StopTrigger>
  </Storyboard>
</OpenSCENARIO>
"""
VEHICLE = """<ScenarioObject name="{name}"><Vehicle name="{name}" vehicleCategory="car">
      <BoundingBox><Center x="1.4" y="0" z="0.75"/>
        <Dimensions width="1.9" length="4.6" height="1.5"/></BoundingBox>
      <Performance maxSpeed="40" maxDeceleration="9" maxAcceleration="4"/>
      <Axles><FrontAxle maxSteering="0.5236" wheelDiameter="0.68" trackWidth="1.6"
        positionX="2.8" positionZ="0.34"/><RearAxle maxSteering="0" wheelDiameter="0.68"
        trackWidth="1.6" positionX="0" positionZ="0.34"/></Axles>
      <Properties/></Vehicle></ScenarioObject>"""
PLACE = """<Private entityRef="{name}">
      <PrivateAction><TeleportAction><Position>
        <LanePosition roadId="1" laneId="{lane}" s="{s}" offset="0"/>
      </Position></TeleportAction></PrivateAction>
      <PrivateAction><LongitudinalAction><SpeedAction>
        <SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/>
        <SpeedActionTarget><AbsoluteTargetSpeed value="{v}"/></SpeedActionTarget>
      </SpeedAction></LongitudinalAction></PrivateAction></Private>"""


def _scenario(tmp_path, others: list[tuple[str, int, float, float]], end: float) -> Path:
    cars = [("Ego", -2, 100.0, 15.0)] + others
    text = SCENARIO.format(map=MAP, end=end,
                           entities="\n".join(VEHICLE.format(name=c[0]) for c in cars),
                           init="\n".join(PLACE.format(name=n, lane=ln, s=s, v=v)
                                          for n, ln, s, v in cars))
    path = tmp_path / "overtake.xosc"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def overtake(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mobil")
    path = _scenario(tmp, [("Slow", -2, 160.0, 6.0)], end=32.0)
    result = run_case(TestCase("overtake", str(path)), RunOptions(agent="idm"), tmp / "run")
    assert result["verdict"] != "error", result.get("error")
    return result, read_recording(tmp / "run" / "recording.jsonl")


def _crossings(track, y_line: float) -> list[float]:
    """Times [s] at which the ego's reference point crosses y = y_line."""
    out = []
    for a, b in zip(track, track[1:]):
        if (a[1] - y_line) * (b[1] - y_line) < 0:
            out.append(b[0])
    return out


def test_idm_overtakes_a_slow_car_on_the_left_and_returns_right(overtake) -> None:
    result, rec = overtake
    ego = [(f.time, f.entities["Ego"].pose.y, f.entities["Ego"].pose.x,
            f.entities["Ego"].lane.lane_id) for f in rec.frames]
    slow_x = {f.time: f.entities["Slow"].pose.x for f in rec.frames}
    assert not rec.events_of("collision")
    # lane centres: -1 at y = -1.75, -2 at y = -5.25; boundary y = -3.5
    lanes = [e[3] for e in ego]
    assert lanes[0] == -2 and -1 in lanes and lanes[-1] == -2
    out_t, back_t = _crossings([(t, y) for t, y, _, _ in ego], -3.5)[:2]
    # overtaking on the left: the ego is beside or ahead of the slow car only in lane -1
    for t, y, x, lane in ego:
        if lane == -2 and t > out_t:
            assert x > slow_x[t] + 4.6, f"back in lane -2 at {t} s without clearing Slow"
    # each change takes 3-5 s: from leaving 0.1 m off its lane centre to being within 0.1 m
    mid = (out_t + back_t) / 2.0
    for lo, hi in ((0.0, mid), (mid, math.inf)):
        moving = [t for t, y, _, _ in ego if lo <= t < hi
                  and min(abs(y + 5.25), abs(y + 1.75)) > 0.1]
        assert 3.0 <= moving[-1] - moving[0] <= 5.0, (moving[0], moving[-1])
    # it never slowed down much: the slow car at 6 m/s did not hold it up (it eases off a
    # little, to 11.9 m/s, while its body still overlaps the slow car's across the lane)
    assert min(f.entities["Ego"].speed for f in rec.frames) > 11.0
    # at least 5 s between the two changes
    assert back_t - out_t >= 5.0


def test_a_car_alongside_in_the_left_lane_holds_it_behind_the_slow_car(tmp_path) -> None:
    # a car at 15 m/s right beside the ego in lane -1: MOBIL finds the change unsafe, so the
    # ego follows the slow car until the lane is clear (the neighbour pulls ahead only
    # slowly), instead of cutting in
    path = _scenario(tmp_path, [("Slow", -2, 140.0, 6.0), ("Beside", -1, 100.0, 15.0)],
                     end=3.0)
    result = run_case(TestCase("blocked", str(path)), RunOptions(agent="idm"),
                      tmp_path / "run")
    rec = read_recording(tmp_path / "run" / "recording.jsonl")
    assert all(f.entities["Ego"].lane.lane_id == -2 for f in rec.frames)
    assert all(abs(f.entities["Ego"].pose.y + 5.25) < 0.3 for f in rec.frames)
    assert result["verdict"] != "error"


def test_agent_config_switches_lane_changes_off_and_sets_parameters(tmp_path) -> None:
    path = _scenario(tmp_path, [("Slow", -2, 160.0, 6.0)], end=6.0)
    opts = RunOptions(agent="idm", agent_config={"lane_changes": False, "politeness": 0.5})
    run_case(TestCase("keep", str(path)), opts, tmp_path / "run")
    rec = read_recording(tmp_path / "run" / "recording.jsonl")
    assert all(f.entities["Ego"].lane.lane_id == -2 for f in rec.frames)
    assert rec.frames[-1].entities["Ego"].speed < 12.0          # held up behind Slow
    agent = IdmAgent()
    agent.setup(VehicleSpec("Ego"), load_opendrive(MAP), {"politeness": 0.5, "min_gap": 3.0})
    assert agent.mobil.politeness == 0.5 and agent.params.min_gap == 3.0


def _obs(t, ego, objects):
    return Observation(time=t, ego=ego, objects=tuple(objects), speed_limit=60 / 3.6)


def test_a_change_is_turned_back_when_a_hidden_car_appears_and_standing_lanes_are_refused(
        net) -> None:
    ego = _car("Ego", -2, 100.0, 15.0, net, length=4.6)
    slow = _car("Slow", -2, 140.0, 5.0, net)
    agent = IdmAgent()
    agent.setup(VehicleSpec("Ego"), net, {})
    agent.step(_obs(0.0, ego, [slow]))
    assert (agent._change.from_lane, agent._change.to_lane) == (-2, -1)
    # half a second on, still in lane -2: a car alongside in lane -1 makes the change unsafe
    beside = _car("Hidden", -1, 98.0, 16.0, net)
    agent.step(_obs(0.5, ego, [slow, beside]))
    assert (agent._change.from_lane, agent._change.to_lane) == (-1, -2)
    # a standing car 100 m ahead in lane -1 blocks it: no change, though IDM would gain
    fresh = IdmAgent()
    fresh.setup(VehicleSpec("Ego"), net, {})
    fresh.step(_obs(0.0, ego, [slow, _car("Parked", -1, 200.0, 0.0, net)]))
    assert fresh._change is None


def test_a_lane_change_keeps_its_lanes_where_a_lane_section_renumbers_them(tmp_path) -> None:
    """New-user pass 10: on a test-zone road where a left-turn lane opens, the ids of the lanes
    beside it shift by one; a change begun before the boundary then aimed at the wrong lane
    and the vehicle swerved (lateral acceleration 6.1 m/s^2 in a plain stop at a red light).
    The change follows its lanes through their links (maps_samples.lane_opening_road: lane -1
    goes on as -2, lane -2 as -3 from s = 50)."""
    import sys
    sys.path.append(str(Path(__file__).resolve().parents[1] / "maps"))
    from maps_samples import lane_opening_road, write
    from runners.agents.idm import LaneChange
    net = load_opendrive(write(tmp_path, "open.xodr", lane_opening_road()))
    change = LaneChange("1", -1, -2, 3.0, s=40.0)
    assert change.carried_to(net, 45.0) is change                   # same lane section
    assert change.carried_to(net, 55.0) == LaneChange("1", -2, -3, 3.0, s=55.0)
    assert LaneChange("1", -1, -3, 3.0, s=40.0).carried_to(net, 55.0) is None  # no lane -3
