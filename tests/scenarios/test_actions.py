"""Actions on the straight fake road (tests/scenarios/fake_net.py), values derived by hand.

Timing (esmini's order): an event whose trigger is true when the storyboard is evaluated at
time tau starts its actions and steps them at tau, adding dt to their progress; the world at
tau + dt shows the result. A ``SimulationTime > 0`` rising trigger fires at tau = 0.05.
"""

import math

import pytest
from builders import (at, document, event, relative_speed_action, run, sim_time, speed_action,
                      starts, story, teleport, trigger, write)

STOP = trigger(sim_time(6), kind="StopTrigger")
START = trigger(sim_time(0))


def one_event(tmp_path, action, init=None, until=6.0, entities=("Car",), **kw):
    text = document(init or teleport("Car", -1, 10.0, speed=0.0),
                    story(event("E", action, START)),
                    trigger(sim_time(until), kind="StopTrigger"), entities=entities, **kw)
    return run(write(tmp_path, text), until=until)


@pytest.mark.parametrize("shape, v_at_1s", [
    ("linear", 2.5),
    ("cubic", 10 * (3 * 0.25**2 - 2 * 0.25**3)),
    ("sinusoidal", 10 * (1 - math.cos(math.pi * 0.25)) / 2),
    ("step", 10.0),
])
def test_speed_shapes_over_time(tmp_path, shape, v_at_1s):
    # 0 -> 10 m/s in 4 s: peak rates 2.5 (linear), 3.75 (cubic), 3.93 (sinusoidal) m/s^2, all
    # under the car's maxAcceleration 5, so the shapes run as written
    worlds, events, _ = one_event(tmp_path, speed_action(10, shape, "time", 4.0))
    # started at tau=0.05: after the step at tau, elapsed = tau + 0.05 - 0.05
    assert at(worlds, 1.05).entities["Car"].speed == pytest.approx(v_at_1s)
    assert at(worlds, 2.05).entities["Car"].speed == pytest.approx(10.0 if shape == "step"
                                                                   else 5.0)
    assert at(worlds, 4.5).entities["Car"].speed == pytest.approx(10.0)


def test_speed_transition_steeper_than_performance_is_stretched(tmp_path):
    # 30 -> 0 m/s "in 1 s" (30 m/s^2) with maxDeceleration 10: esmini's SetMaxRate stretches
    # the line by 30 / 10 to 3 s, so the speed falls 10 m/s per second of action time
    init = teleport("Car", -1, 10.0, speed=30.0)
    worlds, events, _ = one_event(tmp_path, speed_action(0, "linear", "time", 1.0), init=init)
    for t, v in ((0.05, 30.0), (1.05, 20.0), (2.05, 10.0), (3.05, 0.0), (4.0, 0.0)):
        assert at(worlds, t).entities["Car"].speed == pytest.approx(v, abs=1e-9)
    # cubic 0 -> 10 in 2 s peaks at 1.5 * 10 / 2 = 7.5 > maxAcceleration 5: 3 s, half at 1.5 s
    worlds, _, _ = one_event(tmp_path, speed_action(10, "cubic", "time", 2.0))
    assert at(worlds, 1.55).entities["Car"].speed == pytest.approx(5.0)
    assert at(worlds, 3.05).entities["Car"].speed == pytest.approx(10.0)


def test_speed_rate_holds_while_a_relative_target_moves(tmp_path):
    # Lead speeds up 10 -> 20 m/s in 4 s; Car goes for 1.5 x Lead (15 -> 30 m/s) at 2 m/s^2:
    # esmini recomputes the duration from the rate every step, so Car gains exactly
    # 2 m/s per second (10 -> 30 m/s takes 10 s) instead of following the moving target
    relative = relative_speed_action("Lead", 1.5, "factor", shape="linear", dim="rate",
                                     dyn_value=2)
    lead = story(event("L", speed_action(20, "linear", "time", 4.0), START), actor="Lead")
    car = story(event("E", relative, START)).replace('name="S"', 'name="S2"')
    text = document(teleport("Car", -1, 10.0, speed=10.0) + teleport("Lead", -2, 10.0, 10.0),
                    lead + car, trigger(sim_time(14), kind="StopTrigger"),
                    entities=("Car", "Lead"))
    worlds, _, _ = run(write(tmp_path, text), until=14.0)
    for t in (1.05, 2.05, 3.05, 5.05, 9.05):
        assert at(worlds, t).entities["Car"].speed == pytest.approx(10.0 + 2.0 * (t - 0.05))
    assert at(worlds, 11.0).entities["Car"].speed == pytest.approx(30.0)   # then follows


def test_speed_moves_the_car_by_the_integral(tmp_path):
    worlds, _, _ = one_event(tmp_path, speed_action(10, "linear", "time", 2.0))
    # speeds used for motion: 10*k*0.05/2 for k = 1..20 (steps tau = 0.05..1.0), then 10
    expected = 10.0 + sum(10 * k * 0.05 / 2 * 0.05 for k in range(1, 41)) + 0.0
    w = at(worlds, 2.05)
    assert w.entities["Car"].pose.x == pytest.approx(expected)
    assert w.entities["Car"].pose.y == pytest.approx(-1.75)


def test_speed_rate_duration_and_end(tmp_path):
    worlds, events, _ = one_event(tmp_path, speed_action(10, "linear", "rate", 4.0))
    ends = [e.t for e in events if e.kind == "storyboard" and e.data["element"].endswith("::a")
            and e.data["transition"] == "endTransition"]
    assert ends == [pytest.approx(0.05 + 2.5 - 0.05)]   # 10 m/s at 4 m/s^2 = 2.5 s
    assert at(worlds, 1.05).entities["Car"].speed == pytest.approx(4.0)


def test_speed_over_distance(tmp_path):
    init = teleport("Car", -1, 10.0, speed=10.0)
    worlds, events, _ = one_event(tmp_path, speed_action(6, "linear", "distance", 8.0),
                                  init=init)
    # esmini turns 8 m into 2 * 8 / (10 + 6) = 1 s (4 m/s^2, within maxDeceleration 10):
    # -0.2 m/s per step
    assert at(worlds, 0.1).entities["Car"].speed == pytest.approx(9.8)
    end = next(e.t for e in events if e.kind == "storyboard"
               and e.data["element"].endswith("::a") and e.data["transition"] == "endTransition")
    assert end == pytest.approx(1.0)
    # covered in that second: sum of 9.8 .. 6 m/s * 0.05 s = 7.9 m (the ramp sampled at the
    # end of each step), after 0.5 m at 10 m/s before the action started
    assert at(worlds, 1.05).entities["Car"].pose.x == pytest.approx(10 + 0.5 + 7.9)


def test_distance_duration_across_a_change_of_direction():
    from scenarios.actions.longitudinal import distance_duration
    # same direction: 2 d / |v0 + v1|
    assert distance_duration(15.0, 10.0, 20.0) == pytest.approx(1.0)
    # 5 -> -5 m/s over 5 m: split 25 : 25, 2.5 m each side of 0, 1 s each (esmini)
    assert distance_duration(5.0, 5.0, -5.0) == pytest.approx(2.0)
    # 4 -> -2 over 5 m: 16 : 4 -> 4 m in 2 s, 1 m in 1 s
    assert distance_duration(5.0, 4.0, -2.0) == pytest.approx(3.0)
    assert distance_duration(5.0, 3.0, 3.0) == 0.0


def test_speed_rate_limited_by_performance(tmp_path):
    # the vehicle's maxAcceleration is 5 m/s^2 (builders.VEHICLE): a 20 m/s^2 rate gives 2 s
    worlds, events, _ = one_event(tmp_path, speed_action(10, "linear", "rate", 20.0))
    end = next(e.t for e in events if e.kind == "storyboard"
               and e.data["element"].endswith("::a") and e.data["transition"] == "endTransition")
    assert end == pytest.approx(0.05 + 2.0 - 0.05)
    assert at(worlds, 0.55).entities["Car"].speed == pytest.approx(2.5)


def test_speed_target_limited_to_max_speed(tmp_path):
    worlds, _, _ = one_event(tmp_path, speed_action(100))       # maxSpeed 70 m/s
    assert at(worlds, 0.1).entities["Car"].speed == pytest.approx(70.0)


def test_relative_continuous_speed_follows_the_reference(tmp_path):
    action = relative_speed_action("Lead", 2)
    lead_events = event("L", speed_action(6, "linear", "time", 1.0).replace(
        'name="a"', 'name="b"'), START)
    text = document(teleport("Car", -1, 10, speed=0) + teleport("Lead", -2, 10, speed=3),
                    story(event("E", action, START)) +
                    story(lead_events, actor="Lead").replace('name="S"', 'name="S2"'), STOP,
                    entities=("Car", "Lead"))
    worlds, events, _ = run(write(tmp_path, text), until=3)
    # Lead's event is stepped after Car's (story order): Car follows Lead's previous speed
    assert at(worlds, 0.1).entities["Car"].speed == pytest.approx(3 + 2)
    assert at(worlds, 2.0).entities["Car"].speed == pytest.approx(6 + 2)
    assert "E" not in [e.data["element"].split("::")[-1] for e in events
                       if e.kind == "storyboard" and e.data["transition"] == "endTransition"]


@pytest.mark.parametrize("kind, value, shape, expected", [
    ("delta", 2, "step", 12.0), ("factor", 1.5, "step", 15.0),
    ("delta", 2, "linear", 12.0), ("factor", 1.5, "linear", 15.0)])
def test_a_relative_target_that_is_not_continuous_is_taken_once(tmp_path, kind, value, shape,
                                                                 expected):
    """Hostile pass 12b: `continuous="false"` was re-read every step, so a car told to go
    "its own speed + 2" from 10 m/s reached 14 (step) or ran away (25 m/s linear, 66 m/s for a
    factor of 1.5). The reference speed is sampled when the action starts (esmini
    TargetRelative::GetValue); a Lead speeding up later does not move it either."""
    action = relative_speed_action("Car", value, kind, continuous=False, shape=shape,
                                   dyn_value=2.0)
    worlds, _, _ = one_event(tmp_path, action, init=teleport("Car", -1, 10.0, speed=10.0))
    assert at(worlds, 4.0).entities["Car"].speed == pytest.approx(expected)
    assert at(worlds, 6.0).entities["Car"].speed == pytest.approx(expected)


def lane_change(target, shape="linear", dim="time", value=2.0, offset=0.0):
    return (f'<Action name="lc"><PrivateAction><LateralAction><LaneChangeAction '
            f'targetLaneOffset="{offset}"><LaneChangeActionDynamics dynamicsShape="{shape}" '
            f'dynamicsDimension="{dim}" value="{value}"/><LaneChangeTarget>{target}'
            f'</LaneChangeTarget></LaneChangeAction></LateralAction></PrivateAction></Action>')


def test_lane_change_linear_geometry(tmp_path):
    init = teleport("Car", -1, 10.0, speed=10.0)
    worlds, events, _ = one_event(tmp_path, lane_change('<AbsoluteTargetLane value="-2"/>'),
                                  init=init)
    # offset from lane -2's centre goes 3.5 -> 0 in 2 s: -0.0875 per step
    w = at(worlds, 0.55).entities["Car"]          # 10 steps done (tau = 0.05 .. 0.5)
    assert w.pose.y == pytest.approx(-5.25 + 3.5 - 10 * 0.0875)
    assert w.lane.lane_id == -1 and w.lane.offset == pytest.approx(-0.875)
    slope = -0.0875 / 0.5                          # d offset / ds per step
    assert w.pose.h == pytest.approx(math.atan(slope))
    # during the change each step advances 0.5 m * cos(atan(slope)) along the lane
    assert w.pose.x == pytest.approx(10 + 0.5 + 10 * 0.5 * math.cos(math.atan(slope)))
    end = at(worlds, 2.05).entities["Car"]
    assert end.lane.lane_id == -2 and end.pose.y == pytest.approx(-5.25) and end.pose.h == 0.0
    lc_end = [e.t for e in events if e.kind == "storyboard" and e.data["element"].endswith("lc")
              and e.data["transition"] == "endTransition"]
    assert lc_end == [pytest.approx(2.0)]


def test_lane_change_relative_left_crosses_the_centre_and_keeps_direction(tmp_path):
    init = teleport("Car", -1, 10.0, speed=10.0)
    target = '<RelativeTargetLane entityRef="Car" value="1"/>'
    worlds, _, _ = one_event(tmp_path, lane_change(target, "sinusoidal", "distance", 20.0),
                             init=init)
    w = at(worlds, 3.0).entities["Car"]
    assert w.lane.lane_id == 1 and w.pose.y == pytest.approx(1.75)
    assert w.pose.h == pytest.approx(0.0, abs=1e-12)        # still driving towards +x
    assert w.pose.x > at(worlds, 2.5).entities["Car"].pose.x


def test_lane_change_target_offset(tmp_path):
    init = teleport("Car", -1, 10.0, speed=10.0)
    worlds, _, _ = one_event(tmp_path, lane_change('<AbsoluteTargetLane value="-2"/>',
                                                   "cubic", "time", 1.0, offset=-0.5),
                             init=init)
    w = at(worlds, 2.0).entities["Car"]
    assert w.lane.lane_id == -2 and w.lane.offset == pytest.approx(-0.5)
    assert w.pose.y == pytest.approx(-5.75)


def test_lane_offset_sinusoidal_duration(tmp_path):
    action = ('<Action name="lo"><PrivateAction><LateralAction><LaneOffsetAction '
              'continuous="false"><LaneOffsetActionDynamics dynamicsShape="sinusoidal" '
              'maxLateralAcc="2"/><LaneOffsetTarget><AbsoluteTargetLaneOffset value="1"/>'
              '</LaneOffsetTarget></LaneOffsetAction></LateralAction></PrivateAction></Action>')
    init = teleport("Car", -1, 10.0, speed=10.0)
    worlds, events, _ = one_event(tmp_path, action, init=init)
    # T = pi * sqrt(1 / (2 * 2)) = 1.5708 s; evaluated before progress: offset at step k uses
    # k*0.05, the action ends at the first step with k*0.05 >= T, k = 32 -> tau = 0.05 + 1.6
    end = next(e.t for e in events if e.kind == "storyboard"
               and e.data["element"].endswith("lo") and e.data["transition"] == "endTransition")
    assert end == pytest.approx(1.65)
    t = 0.5
    k = round(t / 0.05)                           # world 0.05 + t shows the offset of step k
    expected = (1 - math.cos(math.pi * k * 0.05 / (math.pi / 2))) / 2
    assert at(worlds, 0.05 + t + 0.05).entities["Car"].lane.offset == pytest.approx(expected)
    assert at(worlds, 3.0).entities["Car"].pose.y == pytest.approx(-0.75)


def test_relative_lane_offset_is_beside_the_referred_entity(tmp_path):
    # Ego in lane -1 at offset 0.4 (t = -1.75 + 0.4 = -1.35); Car in lane -2 (centre t -5.25)
    # goes to 0.5 m left of Ego: t = -0.85, i.e. offset 4.4 from its own lane centre (esmini's
    # LatLaneOffsetAction), whatever lanes the two are in
    action = ('<Action name="lo"><PrivateAction><LateralAction><LaneOffsetAction '
              'continuous="false"><LaneOffsetActionDynamics dynamicsShape="linear" '
              'maxLateralAcc="2"/><LaneOffsetTarget><RelativeTargetLaneOffset entityRef="Ego" '
              'value="0.5"/></LaneOffsetTarget></LaneOffsetAction></LateralAction>'
              '</PrivateAction></Action>')
    ego = ('<Private entityRef="Ego"><PrivateAction><TeleportAction><Position>'
           '<LanePosition roadId="R" laneId="-1" s="10" offset="0.4"/></Position>'
           '</TeleportAction></PrivateAction></Private>')
    worlds, _, _ = one_event(tmp_path, action, init=teleport("Car", -2, 10.0, 10.0) + ego,
                             entities=("Car", "Ego"))
    assert worlds[0].entities["Ego"].pose.y == pytest.approx(-1.35)
    assert at(worlds, 5.0).entities["Car"].pose.y == pytest.approx(-0.85)


def test_teleport_positions(tmp_path):
    init = (teleport("Car", -1, 10.0) +
            '<Private entityRef="B"><PrivateAction><TeleportAction><Position>'
            '<RelativeObjectPosition entityRef="Car" dx="20" dy="-3.5"/></Position>'
            '</TeleportAction></PrivateAction></Private>'
            '<Private entityRef="C"><PrivateAction><TeleportAction><Position>'
            '<WorldPosition x="50" y="1.0" h="3.14159265"/></Position>'
            '</TeleportAction></PrivateAction></Private>'
            '<Private entityRef="D"><PrivateAction><TeleportAction><Position>'
            '<RelativeLanePosition entityRef="Car" dLane="1" ds="5" offset="0.25"/></Position>'
            '</TeleportAction></PrivateAction></Private>')
    text = document(init, "", STOP, entities=("Car", "B", "C", "D"))
    worlds, _, _ = run(write(tmp_path, text), until=0.05)
    w = worlds[0].entities
    assert (w["Car"].pose.x, w["Car"].pose.y) == (10.0, -1.75)
    assert (w["B"].pose.x, w["B"].pose.y) == (30.0, -5.25) and w["B"].lane.lane_id == -2
    assert w["C"].lane.lane_id == 1 and w["C"].lane.offset == pytest.approx(-0.75)
    assert (w["D"].pose.x, w["D"].pose.y, w["D"].lane.lane_id) == (15.0, 2.0, 1)


def test_parameter_set_and_modify(tmp_path):
    params = '<ParameterDeclaration name="P" parameterType="double" value="2"/>'
    set_a = ('<Action name="set"><GlobalAction><ParameterAction parameterRef="P">'
             '<SetAction value="11"/></ParameterAction></GlobalAction></Action>')
    mod = ('<Action name="mod"><GlobalAction><ParameterAction parameterRef="P"><ModifyAction>'
           '<Rule><MultiplyByValue value="3"/></Rule></ModifyAction></ParameterAction>'
           '</GlobalAction></Action>')
    cond = ('<Condition name="p" delay="0" conditionEdge="rising"><ByValueCondition>'
            '<ParameterCondition parameterRef="P" value="30" rule="greaterThan"/>'
            '</ByValueCondition></Condition>')
    events_xml = (event("Set", set_a, trigger(sim_time(1)), "parallel")
                  + event("Mod", mod, trigger(sim_time(2)), "parallel")
                  + event("Go", speed_action(5), trigger(cond), "parallel"))
    text = document(teleport("Car", -1, 10.0, speed=0), story(events_xml), STOP,
                    parameters=params)
    worlds, events, eng = run(write(tmp_path, text), until=4)
    assert eng.rt.parameters["P"] == 33.0
    # Mod fires at tau = 2.05 (2.05 > 2); Go comes after Mod in the maneuver, so its trigger,
    # evaluated later in the same pass, already sees 33 (in lane_change.xosc esmini's event
    # placed before the set sees it one step later).
    assert starts(events, "Mod") == [pytest.approx(2.05)]
    assert starts(events, "Go") == [pytest.approx(2.05)]


def test_a_modify_action_that_overflows_ends_the_case(tmp_path):
    """Hostile pass 6: 1e300 x 1e308 stored inf and the run passed; SetAction already
    refused a non-finite value."""
    from scenarios.errors import ScenarioError
    params = '<ParameterDeclaration name="P" parameterType="double" value="1e300"/>'
    mod = ('<Action name="mod"><GlobalAction><ParameterAction parameterRef="P"><ModifyAction>'
           '<Rule><MultiplyByValue value="1e308"/></Rule></ModifyAction></ParameterAction>'
           '</GlobalAction></Action>')
    text = document(teleport("Car", -1, 10.0, speed=0),
                    story(event("Mod", mod, trigger(sim_time(1)))), STOP, parameters=params)
    with pytest.raises(ScenarioError, match=r"parameter 'P' = 1e\+300 x 1e\+308 is inf: "
                                            r"expected a finite number") as err:
        run(write(tmp_path, text), until=2)
    assert err.value.line == text.count("\n", 0, text.index('<Action name="mod">')) + 1


def test_a_modify_action_giving_an_integer_a_fraction_ends_the_case(tmp_path):
    """Verify pass 10: an integer parameter 3 multiplied by 0.5 held 1.5 (a ParameterCondition
    `> 1.4` fired); 3 x 2 stays the integer 6."""
    from scenarios.errors import ScenarioError
    params = '<ParameterDeclaration name="P" parameterType="integer" value="3"/>'

    def times(factor: str) -> str:
        mod = ('<Action name="mod"><GlobalAction><ParameterAction parameterRef="P">'
               f'<ModifyAction><Rule><MultiplyByValue value="{factor}"/></Rule></ModifyAction>'
               '</ParameterAction></GlobalAction></Action>')
        return document(teleport("Car", -1, 10.0, speed=0),
                        story(event("Mod", mod, trigger(sim_time(1)))), STOP, parameters=params)
    with pytest.raises(ScenarioError, match=r"parameter 'P' = 3 x 0\.5 is 1\.5: an integer "
                                            r"parameter takes whole numbers only"):
        run(write(tmp_path, times("0.5")), until=2)
    _, _, eng = run(write(tmp_path, times("2")), until=2)
    assert eng.rt.parameters["P"] == 6 and isinstance(eng.rt.parameters["P"], int)


def test_values_set_at_run_time_are_held_to_their_declaration(tmp_path):
    """Hostile pass 11: a ModifyAction took an unsignedShort 5 to -5 and a ConstrainGroup's
    `lessThan 10` parameter to 105, and the run went on; a SetAction literal outside the
    range or the groups loaded clean. Both end the case (the literal at load, where check
    sees it too); a value within them is held."""
    from scenarios import load_scenario
    from scenarios.errors import ScenarioError
    params = ('<ParameterDeclaration name="U" parameterType="unsignedShort" value="5"/>'
              '<ParameterDeclaration name="C" parameterType="double" value="5"><ConstraintGroup>'
              '<ValueConstraint rule="lessThan" value="10"/></ConstraintGroup>'
              '</ParameterDeclaration>')

    def acting(ref: str, inner: str) -> str:
        action = (f'<Action name="act"><GlobalAction><ParameterAction parameterRef="{ref}">'
                  f'{inner}</ParameterAction></GlobalAction></Action>')
        return document(teleport("Car", -1, 10.0, speed=0),
                        story(event("Act", action, trigger(sim_time(1)))), STOP,
                        parameters=params)

    def add(value: str) -> str:
        return f'<ModifyAction><Rule><AddValue value="{value}"/></Rule></ModifyAction>'
    with pytest.raises(ScenarioError, match=r"parameter 'U' cannot take -5: outside the range "
                                            r"of unsignedShort \(0 to 65535\)"):
        run(write(tmp_path, acting("U", add("-10"))), until=2)
    with pytest.raises(ScenarioError, match=r"parameter 'C' cannot take 105: meets none of "
                                            r"its ConstraintGroups: lessThan 10"):
        run(write(tmp_path, acting("C", add("100"))), until=2)
    with pytest.raises(ScenarioError, match=r"parameter 'U' cannot take 70000: outside"):
        load_scenario(write(tmp_path, acting("U", '<SetAction value="70000"/>')))
    _, _, eng = run(write(tmp_path, acting("C", add("4.5"))), until=2)
    assert eng.rt.parameters["C"] == 9.5


def test_follow_polyline(tmp_path):
    vertex = '<Vertex time="0"><Position><WorldPosition x="{}" y="{}" h="{}"/></Position></Vertex>'
    poly = "".join(vertex.format(*v) for v in ((10, -1.75, 0), (20, -1.75, 0),
                                               (20, -5.25, -math.pi / 2)))
    action = ('<Action name="tr"><PrivateAction><RoutingAction><FollowTrajectoryAction>'
              '<TrajectoryRef><Trajectory name="t" closed="false"><Shape><Polyline>' + poly +
              '</Polyline></Shape></Trajectory></TrajectoryRef><TimeReference><None/>'
              '</TimeReference><TrajectoryFollowingMode followingMode="follow"/>'
              '</FollowTrajectoryAction></RoutingAction></PrivateAction></Action>')
    worlds, events, _ = one_event(tmp_path, action, init=teleport("Car", -1, 10.0, speed=2.0),
                                  until=9.0)
    # 0.1 m per step from tau = 0.05: 50 steps -> 5 m along the first segment
    w = at(worlds, 2.55).entities["Car"]
    assert (w.pose.x, w.pose.y, w.pose.h) == (pytest.approx(15.0), pytest.approx(-1.75), 0.0)
    # 120 steps -> 12 m: 2 m into the 3.5 m second segment, heading 2/3.5 of the way to -pi/2
    w = at(worlds, 6.05).entities["Car"]
    assert (w.pose.x, w.pose.y) == (pytest.approx(20.0), pytest.approx(-3.75))
    assert w.pose.h == pytest.approx(-math.pi / 2 * 2 / 3.5)
    end = next(e.t for e in events if e.kind == "storyboard"
               and e.data["element"].endswith("tr") and e.data["transition"] == "endTransition")
    assert end == pytest.approx(0.05 + 134 * 0.05)   # 13.5 m at 0.1 m per step
    # then on lane -2, driving on along +x
    w = at(worlds, 8.0).entities["Car"]
    assert w.lane.lane_id == -2 and w.pose.y == pytest.approx(-5.25) and w.pose.h == 0.0
    assert w.pose.x == pytest.approx(20.0 + 2.0 * (8.0 - 6.8), abs=0.11)


def test_a_timing_over_a_shape_without_times_leaves_the_speed_to_longitudinal_actions(
        tmp_path):
    """A TimeReference Timing over a Polyline without vertex times: the trajectory has no
    time law, so the action takes only the lateral domain; the running SpeedAction (10 -> 20
    m/s over 4 s) goes on. It used to be ended by the trajectory, leaving the car at the
    speed of its first step for good."""
    vertex = '<Vertex><Position><WorldPosition x="{}" y="-1.75" h="0"/></Position></Vertex>'
    poly = "".join(vertex.format(x) for x in (10, 400))
    follow = ('<Action name="tr"><PrivateAction><RoutingAction><FollowTrajectoryAction>'
              '<TrajectoryRef><Trajectory name="t" closed="false"><Shape><Polyline>' + poly +
              '</Polyline></Shape></Trajectory></TrajectoryRef><TimeReference><Timing '
              'domainAbsoluteRelative="relative" scale="1" offset="0"/></TimeReference>'
              '<TrajectoryFollowingMode followingMode="position"/></FollowTrajectoryAction>'
              '</RoutingAction></PrivateAction></Action>')
    worlds, _, _ = one_event(tmp_path, speed_action(20.0, "linear", "time", 4.0) + follow,
                             init=teleport("Car", -1, 10.0, speed=10.0), until=6.0)
    assert at(worlds, 2.05).entities["Car"].speed == pytest.approx(15.0, abs=0.3)
    assert at(worlds, 5.0).entities["Car"].speed == pytest.approx(20.0)


def test_custom_command_becomes_an_event(tmp_path):
    action = ('<Action name="rsi"><UserDefinedAction><CustomCommandAction type="V2X.RSI">'
              '{"eventType": 100}</CustomCommandAction></UserDefinedAction></Action>')
    _, events, _ = one_event(tmp_path, action, until=1.0)
    cmds = [(e.t, e.data) for e in events if e.kind == "custom_command"]
    assert cmds == [(pytest.approx(0.05), {"type": "V2X.RSI", "content": '{"eventType": 100}'})]


def test_polyline_times_that_decrease_are_refused_with_the_vertex_line(tmp_path):
    from scenarios.errors import ScenarioError
    vertex = '<Vertex time="{}"><Position><WorldPosition x="{}" y="-1.75"/></Position></Vertex>'
    poly = "\n".join(vertex.format(t, x) for t, x in ((0, 10), (5, 20), (3, 30)))
    action = ('<Action name="tr"><PrivateAction><RoutingAction><FollowTrajectoryAction>'
              '<TrajectoryRef><Trajectory name="t" closed="false"><Shape><Polyline>\n' + poly +
              '\n</Polyline></Shape></Trajectory></TrajectoryRef><TimeReference><None/>'
              '</TimeReference><TrajectoryFollowingMode followingMode="position"/>'
              '</FollowTrajectoryAction></RoutingAction></PrivateAction></Action>')
    with pytest.raises(ScenarioError) as exc:
        one_event(tmp_path, action)
    assert "Vertex time 3 s is before the previous vertex's 5 s" in str(exc.value)
    assert exc.value.line is not None


@pytest.mark.parametrize("position", [
    '<RelativeWorldPosition entityRef="Car" dx="1e300" dy="0"/>',
    '<RelativeObjectPosition entityRef="Car" dx="-1e308" dy="0"/>',
    '<LanePosition roadId="1" laneId="-1" s="20" offset="1e300"/>',
])
def test_positions_beyond_1e8_m_are_refused_where_they_are_resolved(tmp_path, position):
    # they passed as finite numbers and overflowed in the collision check after the run
    from scenarios.errors import ScenarioError
    action = ('<Action name="jump"><PrivateAction><TeleportAction><Position>' + position +
              '</Position></TeleportAction></PrivateAction></Action>')
    with pytest.raises(ScenarioError, match="expected each within 1e\\+08 m") as exc:
        one_event(tmp_path, action, until=1.0)
    assert exc.value.line is not None


@pytest.mark.parametrize("element", [
    '<ByValueCondition><ParameterCondition parameterRef="Nope" value="1" rule="equalTo"/>'
    '</ByValueCondition>',
])
def test_a_parameter_ref_to_no_declared_parameter_is_refused_at_load(tmp_path, element):
    # a typo made the trigger never true and the case pass (hostile pass 4)
    from scenarios import ScenarioError, load_scenario
    cond = f'<Condition name="c" delay="0" conditionEdge="none">{element}</Condition>'
    text = document(teleport("Car", -1, 10.0), story(event("E", speed_action(5), trigger(cond))),
                    STOP, parameters='<ParameterDeclaration name="Yes" parameterType="double" '
                                     'value="1"/>')
    with pytest.raises(ScenarioError, match="parameterRef 'Nope' names no declared parameter"):
        load_scenario(write(tmp_path, text))
    set_nope = ('<Action name="s"><GlobalAction><ParameterAction parameterRef="Nope"><SetAction '
                'value="2"/></ParameterAction></GlobalAction></Action>')
    text = document(teleport("Car", -1, 10.0), story(event("E", set_nope, START)), STOP)
    with pytest.raises(ScenarioError, match="parameterRef 'Nope'") as exc:
        load_scenario(write(tmp_path, text))
    assert exc.value.line is not None
    # ASAM/CARLA sweep: CARLA's LaneChangeSimple has parameterRef="" (a present, empty
    # attribute); the message said it was missing
    empty = cond.replace('parameterRef="Nope"', 'parameterRef=""')
    text = document(teleport("Car", -1, 10.0), story(event("E", speed_action(5),
                                                           trigger(empty))), STOP)
    with pytest.raises(ScenarioError, match="attribute parameterRef='' names no parameter: "
                                            "expected the name of a declared parameter"):
        load_scenario(write(tmp_path, text))


@pytest.mark.parametrize("value", ["nan", "inf", "1e400"])
def test_set_action_refuses_a_number_that_is_not_finite(tmp_path, value):
    # "nan" was stored in a double parameter, 1e400 on an integer one was OverflowError, exit 3
    from scenarios.errors import ScenarioError
    for ptype, start in (("double", "1.5"), ("integer", "1")):
        setter = ('<Action name="s"><GlobalAction><ParameterAction parameterRef="P"><SetAction '
                  f'value="{value}"/></ParameterAction></GlobalAction></Action>')
        text = document(teleport("Car", -1, 10.0), story(event("E", setter, START)), STOP,
                        parameters=f'<ParameterDeclaration name="P" parameterType="{ptype}" '
                                   f'value="{start}"/>')
        with pytest.raises(ScenarioError, match=f"cannot set parameter 'P' .* to '{value}'"):
            run(write(tmp_path, text), until=1.0)


def test_runtime_parameters_are_the_global_ones_and_datetimes_are_calendar_dates(tmp_path):
    """Verify pass 11b: a ParameterCondition on a Story's own parameter never fired (the run
    keeps the global values only), a SetAction on it wrote a string over the global one, and
    a SetAction of 2024-13-45T99:00:00 on a dateTime was held."""
    from scenarios import load_scenario
    from scenarios.errors import ScenarioError
    cond = ('<Condition name="p" delay="0" conditionEdge="none"><ByValueCondition>'
            '<ParameterCondition parameterRef="a" value="5" rule="equalTo"/>'
            '</ByValueCondition></Condition>')
    text = document(teleport("Car", -1, 10.0, speed=0),
                    story(event("Go", speed_action(5), trigger(cond))), STOP)
    text = text.replace('<Story name="S">', '<Story name="S"><ParameterDeclarations>'
                        '<ParameterDeclaration name="a" parameterType="double" value="5"/>'
                        '</ParameterDeclarations>')
    assert '<Story name="S"><ParameterDeclarations>' in text
    with pytest.raises(ScenarioError, match="parameterRef 'a' names the parameter a <Story> "
                                            "declares"):
        load_scenario(write(tmp_path, text))
    params = '<ParameterDeclaration name="D" parameterType="dateTime" value="2024-05-01T10:00:00"/>'
    action = ('<Action name="act"><GlobalAction><ParameterAction parameterRef="D"><SetAction '
              'value="2024-13-45T99:00:00"/></ParameterAction></GlobalAction></Action>')
    bad = document(teleport("Car", -1, 10.0, speed=0),
                   story(event("Act", action, trigger(sim_time(1)))), STOP, parameters=params)
    with pytest.raises(ScenarioError, match="cannot take 2024-13-45T99:00:00: not an "
                                            "xsd:dateTime"):
        load_scenario(write(tmp_path, bad))


ARC_XODR = """<?xml version="1.0" encoding="UTF-8"?>
<OpenDRIVE><header revMajor="1" revMinor="6" name="arc"/>
<road name="arc" length="150" id="1" junction="-1"><link/>
<planView><geometry s="0" x="0" y="0" hdg="0" length="150"><arc curvature="0.01"/></geometry>
</planView><lanes><laneSection s="0">
<left><lane id="1" type="driving" level="false"><width sOffset="0" a="3.5" b="0" c="0" d="0"/>
</lane></left><center><lane id="0" type="none" level="false"/></center>
<right><lane id="-1" type="driving" level="false"><width sOffset="0" a="3.5" b="0" c="0" d="0"/>
</lane></right></laneSection></lanes></road></OpenDRIVE>
"""


@pytest.mark.parametrize("lane, s, along, s_expected", [
    (-1, 10.0, 'dsLane="20"', 10.0 + 20.0 / 1.0175),   # outside of the bend: longer
    (1, 50.0, 'dsLane="20"', 50.0 - 20.0 / 0.9825),    # driven against s, inside
    (-1, 10.0, 'ds="20"', 30.0),                       # ds: the reference line's s
])
def test_relative_lane_position_ds_lane_is_measured_along_the_lane(tmp_path, lane, s, along,
                                                                   s_expected):
    """dsLane is a distance along the centre line of the reference entity's lane (OSC 1.1+;
    it had been read as ds, a change of the reference line's s). On an arc of curvature
    k = 0.01 1/m (centre (0, 100)), lane centres at t = -/+1.75 m are 1 - k t = 1.0175 / 0.9825
    times as long as the reference line, so 20 m along them is 20 / 1.0175 = 19.656 m /
    20 / 0.9825 = 20.356 m of s; lane 1 is driven towards -s (right-hand traffic). The point
    at s, t lies at ((R - t) sin(k s), R - (R - t) cos(k s)) with R = 100 m."""
    b = _place_b(tmp_path, ARC_XODR, (lane, s), f'dLane="0" {along}')
    t, k, r = (1.75 if lane > 0 else -1.75), 0.01, 100.0
    assert (b.lane.lane_id, b.lane.s) == (lane, pytest.approx(s_expected, abs=1e-3))
    assert b.pose.x == pytest.approx((r - t) * math.sin(k * s_expected), abs=1e-3)
    assert b.pose.y == pytest.approx(r - (r - t) * math.cos(k * s_expected), abs=1e-3)


END_TO_END_XODR = """<?xml version="1.0" encoding="UTF-8"?>
<OpenDRIVE><header revMajor="1" revMinor="6" name="end-to-end"/>
<road name="a" length="100" id="1" junction="-1">
<link><successor elementType="road" elementId="2" contactPoint="end"/></link>
<planView><geometry s="0" x="0" y="0" hdg="0" length="100"><line/></geometry></planView>
<lanes><laneSection s="0">
<left><lane id="1" type="driving" level="false"><link><successor id="-1"/></link>
<width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></left>
<center><lane id="0" type="none" level="false"/></center>
<right><lane id="-1" type="driving" level="false"><link><successor id="1"/></link>
<width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane>
<lane id="-2" type="driving" level="false"><link><successor id="2"/></link>
<width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></right>
</laneSection></lanes></road>
<road name="b" length="100" id="2" junction="-1">
<link><successor elementType="road" elementId="1" contactPoint="end"/></link>
<planView><geometry s="0" x="200" y="0" hdg="3.141592653589793" length="100"><line/></geometry>
</planView><lanes><laneSection s="0">
<left><lane id="2" type="driving" level="false"><link><successor id="-2"/></link>
<width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane>
<lane id="1" type="driving" level="false"><link><successor id="-1"/></link>
<width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></left>
<center><lane id="0" type="none" level="false"/></center>
<right><lane id="-1" type="driving" level="false"><link><successor id="1"/></link>
<width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></right>
</laneSection></lanes></road></OpenDRIVE>
"""


def _place_b(tmp_path, xodr_text: str, car: tuple[int, float], relative: str):
    """B placed by ``<RelativeLanePosition entityRef="Car" {relative}/>`` with Car on road 1
    at ``(lane, s)`` of the map ``xodr_text``; B's state at t = 0."""
    from maps import load_opendrive
    from scenarios import ScenarioEngine, load_scenario
    xodr = tmp_path / "map.xodr"
    xodr.write_text(xodr_text)
    init = ('<Private entityRef="Car"><PrivateAction><TeleportAction><Position>'
            f'<LanePosition roadId="1" laneId="{car[0]}" s="{car[1]}"/></Position>'
            '</TeleportAction></PrivateAction></Private>'
            '<Private entityRef="B"><PrivateAction><TeleportAction><Position>'
            f'<RelativeLanePosition entityRef="Car" {relative}/></Position>'
            '</TeleportAction></PrivateAction></Private>')
    text = document(init, "", STOP, entities=("Car", "B"),
                    road=f'<LogicFile filepath="{xodr}"/>')
    sc = load_scenario(write(tmp_path, text))
    return ScenarioEngine(sc, load_opendrive(sc.road_network_path), dt=0.05,
                          on_event=lambda e: None).initialize().entities["B"]


@pytest.mark.parametrize("ds_lane, d_lane, road, lane, xy", [
    (9, -1, "1", -2, (99.0, -5.25)),     # on road 1: the lane to the Car's right
    (11, -1, "2", 2, (101.0, -5.25)),    # past the end-to-end link: still to its right
    (11, 1, "2", -1, (101.0, 1.75)),     # and the oncoming lane to its left
])
def test_ds_lane_keeps_the_side_of_dlane_across_a_road_turned_round(tmp_path, ds_lane, d_lane,
                                                                    road, lane, xy):
    """Road 1 (x 0 -> 100) meets road 2 (x 200 -> 100) end to end: Car in lane -1 at s = 90
    (y = -1.75) continues into road 2's lane 1, whose lane ids count the other way. dLane -1
    is the lane to the right (y = -5.25) on either road; it had become the oncoming lane
    past the link (hostile pass 16)."""
    b = _place_b(tmp_path, END_TO_END_XODR, (-1, 90.0),
                 f'dLane="{d_lane}" dsLane="{ds_lane}"')
    assert (b.lane.road_id, b.lane.lane_id) == (road, lane)
    assert (b.pose.x, b.pose.y) == (pytest.approx(xy[0]), pytest.approx(xy[1]))


@pytest.mark.parametrize("car, ds_lane, road", [((-1, 90.0), 500, "2"), ((-1, 10.0), -50, "1"),
                                                ((1, 10.0), 20, "1")])
def test_ds_lane_past_a_dead_end_is_refused_as_ds_off_the_road_is(tmp_path, car, ds_lane,
                                                                  road):
    """The lane ends 110 m ahead of s = 90 (at road 2's start), 10 m behind s = 10, and lane
    1 (driven towards -s) 10 m ahead of s = 10: the point asked for does not exist; it was
    moved to the dead end without a word (hostile pass 16)."""
    from scenarios import ScenarioError
    with pytest.raises(ScenarioError, match=f"dsLane={ds_lane:g} m from 'Car' runs past the "
                                            f"end of its lane \\(road {road} ends there"):
        _place_b(tmp_path, END_TO_END_XODR, car, f'dLane="0" dsLane="{ds_lane}"')
