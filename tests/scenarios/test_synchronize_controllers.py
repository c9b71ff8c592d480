"""SynchronizeAction speed law and the ACC controller on the straight fake road."""

from __future__ import annotations

import math

import pytest
from builders import document, event, run, sim_time, story, teleport, trigger, write

from scenarios.actions.synchronize import corner
from scenarios.controllers import ACCController, ControllerDef


@pytest.mark.parametrize("s, t, v0, v1", [(200.0, 10.0, 10.0, 15.0),   # convex: rush first
                                          (100.0, 10.0, 20.0, 15.0),   # concave: linger
                                          (150.0, 10.0, 10.0, 10.0)])  # equal end speeds
def test_two_phase_profile_covers_the_distance_in_time(s, t, v0, v1):
    """Corner speed vx at time x: accelerations equal and opposite, area under the speed
    profile = s (esmini's design note, case 2)."""
    vx, acc = corner(s, t, v0, v1)
    x = (vx - v0) / acc
    assert 0 < x < t
    assert (v1 - vx) / (t - x) == pytest.approx(-acc)
    assert (v0 + vx) / 2 * x + (vx + v1) / 2 * (t - x) == pytest.approx(s)


def STOP_AT(t):  # noqa: N802 - reads like the element
    return trigger(sim_time(t), kind="StopTrigger")


SYNC = ('<Action name="sync"><PrivateAction><SynchronizeAction masterEntityRef="Master" '
        'targetToleranceMaster="1" targetTolerance="1"><TargetPositionMaster>'
        '<LanePosition roadId="R" laneId="-2" s="300"/></TargetPositionMaster><TargetPosition>'
        '<LanePosition roadId="R" laneId="-1" s="{npc_s}"/></TargetPosition>{final}'
        '</SynchronizeAction></PrivateAction></Action>')


def sync_case(tmp_path, final, npc_s=260.0):
    init = teleport("Master", -2, 100, speed=20) + teleport("Car", -1, 50, speed=10)
    action = SYNC.format(npc_s=npc_s, final=final)
    text = document(init, story(event("E", action, trigger(sim_time(0, edge="none")))),
                    STOP_AT(30), entities=("Master", "Car"))
    return run(write(tmp_path, text), until=14)


def test_synchronize_arrives_with_the_master_and_the_final_speed(tmp_path):
    """Master: 200 m at 20 m/s -> 10 s. Car: 210 m from 10 m/s to 25 m/s final (convex
    profile). Both reach their targets (within the 1 m tolerances) at the same step."""
    worlds, events, _ = sync_case(tmp_path, '<FinalSpeed><AbsoluteSpeed value="25"/></FinalSpeed>')
    end = next(e.t for e in events if e.kind == "storyboard" and e.data["element"].endswith(
        "::sync") and e.data["transition"] == "endTransition")
    assert end == pytest.approx(9.95, abs=0.051)
    w = next(w for w in worlds if abs(w.time - end - 0.05) < 1e-9)
    assert w.entities["Car"].speed == pytest.approx(25.0)
    assert w.entities["Car"].pose.x == pytest.approx(260.0, abs=1.6)
    assert w.entities["Master"].pose.x == pytest.approx(300.0, abs=1.1)
    speeds = [w.entities["Car"].speed for w in worlds if w.time < end]
    assert max(speeds) > 25.0          # convex: faster than the final speed on the way


def test_synchronize_without_final_speed_keeps_constant_acceleration(tmp_path):
    """No FinalSpeed: constant acceleration so that the average speed is dist / t_master:
    210 m in 10 s from 10 m/s -> ends at 32 m/s, a = 2.2 m/s^2."""
    worlds, _, _ = sync_case(tmp_path, "")
    v = {round(w.time, 2): w.entities["Car"].speed for w in worlds}
    assert (v[2.0] - v[1.0]) == pytest.approx(2.2, abs=0.05)
    assert (v[6.0] - v[5.0]) == pytest.approx(2.2, abs=0.05)


def acc_controller(set_speed=None, mode="override"):
    props = {"timeGap": "1.0", "mode": mode}
    if set_speed is not None:
        props["setSpeed"] = str(set_speed)
    return ACCController(ControllerDef("acc", "ACCController", props))


ACC_ENTITY = ('<ObjectController><Controller name="ACCController"><Properties>'
              '<Property name="timeGap" value="1.0"/><Property name="mode" value="override"/>'
              '<Property name="setSpeed" value="30"/></Properties></Controller></ObjectController>')


def acc_case(tmp_path, lead_speed, until=40.0):
    init = teleport("Car", -1, 20, speed=30) + teleport("Lead", -1, 120, speed=lead_speed) + \
        ('<Private entityRef="Car"><PrivateAction><ControllerAction><ActivateControllerAction '
         'longitudinal="true" lateral="false"/></ControllerAction></PrivateAction></Private>')
    text = document(init, "", STOP_AT(until), entities=("Car", "Lead"))
    text = text.replace('</Vehicle>\n</ScenarioObject>', '</Vehicle>' + ACC_ENTITY +
                        '\n</ScenarioObject>', 1)
    return run(write(tmp_path, text), until=until)


def test_acc_settles_at_the_lead_speed_and_time_gap(tmp_path):
    """Lead at 10 m/s: the car slows to 10 m/s and keeps the follow distance 3 m + 1 s x
    10 m/s between the boxes (length 5, centre 1.5 ahead of the reference point)."""
    worlds, events, _ = acc_case(tmp_path, 10.0, until=35.0)
    assert [e.data["kind"] for e in events if e.kind == "controller"] == ["ACCController"]
    last = worlds[-1].entities
    assert last["Car"].speed == pytest.approx(10.0, abs=0.05)
    gap = last["Lead"].pose.x - last["Car"].pose.x - (2.5 + 1.5) - (2.5 - 1.5)
    # the controller measures after the lead moved in the step (esmini's order): + 10 m/s * dt
    assert gap + 10.0 * 0.05 == pytest.approx(3.0 + 10.0, abs=0.05)


def test_acc_without_lead_reaches_set_speed():
    """No other entity: dv * 0.7 * maxAcceleration, clamped; the set speed is reached and
    never passed."""
    class Net:
        def longitudinal_distance(self, a, b, m=None):
            return None

    class M:
        def __init__(self):
            from scenarios.model import Performance
            self.speed, self.lane, self.defn = 10.0, None, type("D", (), {
                "performance": Performance(70.0, 5.0, 10.0)})()

    class RT:
        net = Net()

        def __init__(self):
            self.movers = {"Car": M()}

        def mover(self, name):
            return self.movers[name]

    rt, acc = RT(), acc_controller(set_speed=20.0)
    acc.activate(rt, "Car")
    speeds = []
    for _ in range(200):
        acc.step(rt, "Car", 0.05)
        speeds.append(rt.movers["Car"].speed)
    assert speeds[0] == pytest.approx(10.0 + 3.5 * 0.05)     # clamped at 0.7 * 5 m/s^2
    assert max(speeds) <= 20.0 and speeds[-1] == pytest.approx(20.0, abs=1e-9)
    assert all(b >= a for a, b in zip(speeds, speeds[1:]))
    assert math.isclose(acc.set_speed, 20.0)


def test_assign_activate_override_and_unavailable_controllers(tmp_path):
    """AssignControllerAction (1.2 activate flags) gives the car an ACC at 2 s; its speed
    actions are then ignored (override mode); an OverrideControllerValueAction is recorded; a
    controller the engine does not provide is disabled with an event."""
    acc = ('<Action name="assign"><PrivateAction><ControllerAction><AssignControllerAction '
           'activateLongitudinal="true" activateLateral="false"><Controller name="acc">'
           '<Properties><Property name="esminiController" value="ACCController"/>'
           '<Property name="mode" value="override"/><Property name="setSpeed" value="12"/>'
           '</Properties></Controller></AssignControllerAction></ControllerAction>'
           '</PrivateAction></Action>')
    brake = ('<Action name="brake"><PrivateAction><LongitudinalAction><SpeedAction>'
             '<SpeedActionDynamics dynamicsShape="step" dynamicsDimension="time" value="0"/>'
             '<SpeedActionTarget><AbsoluteTargetSpeed value="0"/></SpeedActionTarget>'
             '</SpeedAction></LongitudinalAction></PrivateAction></Action>')
    override = ('<Action name="ovr"><PrivateAction><ControllerAction>'
                '<OverrideControllerValueAction><Throttle value="0.3" active="true"/>'
                '</OverrideControllerValueAction></ControllerAction></PrivateAction></Action>')
    other = ('<Action name="human"><PrivateAction><ControllerAction><AssignControllerAction>'
             '<Controller name="driver"><Properties><Property name="esminiController" '
             'value="InteractiveController"/></Properties></Controller>'
             '</AssignControllerAction></ControllerAction></PrivateAction></Action>')
    activate = ('<Action name="act"><PrivateAction><ControllerAction><ActivateControllerAction'
                ' longitudinal="true"/></ControllerAction></PrivateAction></Action>')
    events_xml = (event("A", acc, trigger(sim_time(2))) +
                  event("B", brake, trigger(sim_time(3)), "parallel") +
                  event("O", override, trigger(sim_time(3.5)), "parallel") +
                  event("H", other, trigger(sim_time(5)), "parallel") +
                  event("HA", activate, trigger(sim_time(5.5)), "parallel"))
    text = document(teleport("Car", -1, 10, speed=10), story(events_xml), STOP_AT(8))
    worlds, events, eng = run(write(tmp_path, text), until=8)
    v = {round(w.time, 2): w.entities["Car"].speed for w in worlds}
    assert v[1.0] == 10.0
    assert 10.0 < v[4.0] <= 12.0          # ACC towards its set speed, the brake ignored
    kinds = [(e.kind, e.data.get("kind")) for e in events
             if e.kind.startswith("controller")]
    assert kinds == [("controller", "ACCController"), ("controller_override", None),
                     ("controller_disabled", "InteractiveController")]
    assert eng.rt.mover("Car").overrides == {"Throttle": {"active": "true", "value": "0.3"}}
    assert eng.rt.mover("Car").controller is None   # the new assignment replaced the ACC


def test_synchronize_steady_state_holds_the_final_speed(tmp_path):
    """TargetDistanceSteadyState 60 m: the profile aims at the start of the steady stretch
    (60 m before the target, i.e. 1 m tolerance + 60 m); from there the car holds 20 m/s."""
    final = ('<FinalSpeed><AbsoluteSpeed value="20"><SteadyState><TargetDistanceSteadyState '
             'distance="60"/></SteadyState></AbsoluteSpeed></FinalSpeed>')
    worlds, events, _ = sync_case(tmp_path, final)
    steady = [w.entities["Car"] for w in worlds if 202.0 <= w.entities["Car"].pose.x <= 258.0]
    assert steady and all(c.speed == pytest.approx(20.0) for c in steady)
    before = [w.entities["Car"].speed for w in worlds if w.entities["Car"].pose.x < 190.0]
    assert max(before) > 20.5          # it had to catch up first
