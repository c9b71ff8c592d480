"""Storyboard state machine, event priorities, execution counts, stop triggers, external
entities and traffic-signal phases, on the straight fake road."""

import math
import re

import pytest
from builders import (at, document, event, run, sim_time, speed_action, starts, story, teleport,
                      trigger, write)
from fake_net import StraightNet

from scenarios import ScenarioEngine, ScenarioError, load_scenario
from testzone.world import EntityKind, EntityState, Pose, SignalColor

STOP = trigger(sim_time(4), kind="StopTrigger")
INIT = teleport("Car", -1, 10, speed=0)


def transitions(events, name):
    return [(e.t, e.data["transition"], e.data["to"]) for e in events
            if e.kind == "storyboard" and e.data["element"].split("::")[-1] == name]


def test_transition_events_carry_path_type_and_states(tmp_path):
    text = document(INIT, story(event("E", speed_action(5, name="go"), trigger(sim_time(1)))),
                    STOP)
    _, events, eng = run(write(tmp_path, text), until=10)
    first = next(e for e in events if e.kind == "storyboard" and e.data["type"] == "action"
                 and not e.data["element"].startswith("Init"))
    assert first.t == pytest.approx(1.05)
    assert first.data == {"element": "S::A::G::M::E::go", "type": "action",
                          "from": "standbyState", "transition": "startTransition",
                          "to": "runningState"}
    assert eng.done and eng.end_reason == "stop_trigger" and eng.time == pytest.approx(4.05)
    last = [e for e in events if e.kind == "storyboard"][-1]
    assert last.data["element"] == "Storyboard" and last.data["transition"] == "stopTransition"


def long_speed(name, target=20.0):
    return speed_action(target, "linear", "time", 10.0, name=name)


LANE_OFFSET = ('<Action name="xb"><PrivateAction><LateralAction><LaneOffsetAction '
               'continuous="false"><LaneOffsetActionDynamics dynamicsShape="sinusoidal" '
               'maxLateralAcc="0.1"/><LaneOffsetTarget><AbsoluteTargetLaneOffset value="1"/>'
               '</LaneOffsetTarget></LaneOffsetAction></LateralAction></PrivateAction></Action>')


@pytest.mark.parametrize("priority, b_starts, a_stopped_at_1_05", [
    ("overwrite", [1.05], True),
    ("override", [1.05], True),
    ("parallel", [1.05], False),
    ("skip", [], False),
])
def test_event_priorities(tmp_path, priority, b_starts, a_stopped_at_1_05):
    """ASAM OpenSCENARIO XML 1.3, 8.4.2.2: an override Event terminates the running Events of
    its Maneuver (stopTransition to completeState); a skip Event does not run while another
    does, and its skipTransition counts as an execution (8.4.2.1): with maximumExecutionCount
    1 it is complete."""
    a = event("EA", long_speed("xa"), trigger(sim_time(0)))
    # a lateral action, so that the two events do not compete for a control domain
    b = event("EB", LANE_OFFSET, trigger(sim_time(1)), priority)
    _, events, _ = run(write(tmp_path, document(INIT, story(a + b), STOP)), until=3)
    assert starts(events, "EB") == [pytest.approx(t) for t in b_starts]
    stopped = (pytest.approx(1.05), "stopTransition", "completeState") in transitions(events, "EA")
    assert stopped == a_stopped_at_1_05
    assert "endTransition" not in [tr for t, tr, _ in transitions(events, "EA") if t < 1.1]
    if priority == "skip":
        assert transitions(events, "EB")[-1] == (pytest.approx(1.05), "skipTransition",
                                                 "completeState")


def test_each_skip_counts_as_an_execution(tmp_path):
    """8.4.2.1: the executions of an Event are its startTransitions plus its skipTransitions.
    EB (skip, 2 executions, trigger true from 1 s on) skips at 1.05 and 1.10 while EA's 10 s
    speed change runs, and is then complete: it never runs (esmini ran it when EA ended)."""
    a = event("EA", speed_action(20.0, "linear", "time", 2.0, name="xa"), trigger(sim_time(0)))
    b = event("EB", LANE_OFFSET, trigger(sim_time(1, edge="none")), "skip", count=2)
    _, events, _ = run(write(tmp_path, document(INIT, story(a + b), STOP)), until=4)
    assert transitions(events, "EB") == [
        (pytest.approx(1.05), "skipTransition", "standbyState"),
        (pytest.approx(1.10), "skipTransition", "completeState")]
    assert starts(events, "EB") == []


def test_new_action_takes_over_the_domain(tmp_path):
    # Two parallel events with speed actions on the same car: the later one ends the earlier.
    a = event("EA", long_speed("xa"), trigger(sim_time(0)))
    b = event("EB", speed_action(2.0, name="xb"), trigger(sim_time(1)), "parallel")
    worlds, events, _ = run(write(tmp_path, document(INIT, story(a + b), STOP)), until=3)
    assert [t for t, tr, _ in transitions(events, "xa") if tr == "endTransition"] == [
        pytest.approx(1.05)]
    assert at(worlds, 2.0).entities["Car"].speed == pytest.approx(2.0)


def test_event_maximum_execution_count(tmp_path):
    e = event("E", speed_action(1.0, name="x"), trigger(sim_time(0, edge="none")), count=3)
    _, events, _ = run(write(tmp_path, document(INIT, story(e), STOP)), until=2)
    assert starts(events, "E") == [pytest.approx(t) for t in (0.05, 0.10, 0.15)]
    assert transitions(events, "E")[-1] == (pytest.approx(0.15), "endTransition",
                                            "completeState")
    assert transitions(events, "E")[1] == (pytest.approx(0.05), "endTransition", "standbyState")


def test_maneuver_group_maximum_execution_count(tmp_path):
    e = event("E", speed_action(1.0, name="x"), trigger(sim_time(0, edge="none")))
    _, events, _ = run(write(tmp_path, document(INIT, story(e, group_count=2), STOP)), until=2)
    # run 1: G starts with the act (0.0), E at 0.05 and completes at once, so M and G end
    # (G back to standby); run 2: G restarts at the next evaluation and E with it.
    assert starts(events, "G") == [pytest.approx(0.0), pytest.approx(0.10)]
    assert starts(events, "E") == [pytest.approx(0.05), pytest.approx(0.10)]
    assert transitions(events, "G")[-1] == (pytest.approx(0.10), "endTransition",
                                            "completeState")


def test_act_stop_trigger_stops_running_children(tmp_path):
    e = event("E", long_speed("x"), trigger(sim_time(0)))
    act_stop = trigger(sim_time(1), kind="StopTrigger")
    text = document(INIT, story(e).replace("</Act>", act_stop + "</Act>"), STOP)
    _, events, _ = run(write(tmp_path, text), until=3)
    assert (pytest.approx(1.05), "stopTransition", "completeState") in transitions(events, "E")
    assert (pytest.approx(1.05), "stopTransition", "completeState") in transitions(events, "A")


def test_unknown_state_condition_reference(tmp_path):
    cond = ('<Condition name="s" delay="0" conditionEdge="none"><ByValueCondition>'
            '<StoryboardElementStateCondition storyboardElementType="event" '
            'storyboardElementRef="Nope" state="endTransition"/></ByValueCondition></Condition>')
    text = document(INIT, story(event("E", speed_action(1, name="x"), trigger(cond))), STOP)
    sc = load_scenario(write(tmp_path, text))
    with pytest.raises(ScenarioError, match="no event named 'Nope'") as info:
        ScenarioEngine(sc, StraightNet())
    assert info.value.line is not None


def ego_state(t):
    x = 10.0 + 8.0 * t
    return {"Ego": EntityState("Ego", EntityKind.VEHICLE, Pose(x, -5.25, 0, 0), speed=8.0)}


def test_external_entity_is_not_moved_and_gets_requests(tmp_path):
    init = teleport("Ego", -2, 10, speed=30) + teleport("Car", -1, 10, speed=0)
    e = event("E", speed_action(3.0, name="x"), trigger(sim_time(1)))
    text = document(init, story(e, actor="Ego"), STOP, entities=("Ego", "Car"))
    worlds, events, eng = run(write(tmp_path, text), until=3, external={"Ego"}, states=ego_state)
    # Init: the teleport places the ego and the Init SpeedAction sets its start speed (part of
    # the test case, SpeedAction.INITIAL_STATE); the story's speed action becomes a request
    assert (worlds[0].entities["Ego"].pose.x, worlds[0].entities["Ego"].pose.y) == (10, -5.25)
    assert worlds[0].entities["Ego"].speed == 30.0
    reqs = [e for e in events if e.kind == "ego_request"]
    assert [(r.t, r.data["entity"], r.data["action"]) for r in reqs] == [
        (pytest.approx(1.05), "Ego", "SpeedAction")]
    assert reqs[0].data["spec"]["target"]["value"] == 3.0
    w = at(worlds, 2.0).entities["Ego"]
    assert (w.pose.x, w.speed) == (pytest.approx(26.0), 8.0)     # what the agent reported
    assert w.lane.lane_id == -2 and w.lane.s == pytest.approx(26.0)  # from world_to_lane
    assert eng.scenario.ego_name == "Ego"


def test_unknown_external_name(tmp_path):
    sc = load_scenario(write(tmp_path, document(INIT, "", STOP)))
    with pytest.raises(ScenarioError, match="Hero"):
        ScenarioEngine(sc, StraightNet(), external=frozenset({"Hero"}))


def test_signal_controller_phases(tmp_path):
    extra = ('<TrafficSignals><TrafficSignalController name="C1" delay="2">'
             '<Phase name="go" duration="10"><TrafficSignalState trafficSignalId="5" '
             'state="green"/></Phase><Phase name="amber" duration="3"><TrafficSignalState '
             'trafficSignalId="5" state="off;on;off"/></Phase><Phase name="stop" duration="7">'
             '<TrafficSignalState trafficSignalId="5" state="red"/></Phase>'
             '</TrafficSignalController></TrafficSignals>')
    set_red = ('<Action name="pin"><GlobalAction><InfrastructureAction><TrafficSignalAction>'
               '<TrafficSignalStateAction name="9" state="on;off;off"/></TrafficSignalAction>'
               '</InfrastructureAction></GlobalAction></Action>')
    text = document(INIT, story(event("E", set_red, trigger(sim_time(1)))),
                    trigger(sim_time(30), kind="StopTrigger"), extra=extra)
    worlds, _, _ = run(write(tmp_path, text), until=26)
    sig = {round(w.time, 2): w.signals for w in worlds}
    # before the delay: phase 0 held, 2 s of waiting + 10 s of green
    assert sig[1.0]["5"].color == SignalColor.GREEN and sig[1.0]["5"].time_to_change == \
        pytest.approx(11.0)
    assert (sig[5.0]["5"].color, sig[5.0]["5"].phase_id) == (SignalColor.GREEN, 0)
    assert sig[5.0]["5"].time_to_change == pytest.approx(7.0)
    assert (sig[13.0]["5"].color, sig[13.0]["5"].phase_id) == (SignalColor.YELLOW, 1)
    assert sig[13.0]["5"].time_to_change == pytest.approx(2.0)
    assert (sig[16.0]["5"].color, sig[16.0]["5"].phase_id) == (SignalColor.RED, 2)
    assert sig[25.0]["5"].color == SignalColor.GREEN      # cycle of 20 s restarts at 22
    assert "9" not in sig[1.0] and sig[1.1]["9"].color == SignalColor.RED


def test_a_phase_that_does_not_name_a_signal_leaves_it_as_set(tmp_path):
    """Phases A (10 s: 5 green, 6 red), B (5 s: 5 yellow only), C (10 s: 5 red, 6 and 7
    green), from t = 0. Hand values: in B signal 6 stays red, changing at 15 s (3 s after
    t = 12); signal 7 is absent until C first names it (t = 15); in the next cycle's A and
    B (from t = 25), 7 holds C's green (no phase changes it: no time to change) while 6 turns
    red again."""
    def state(sid, color):
        return f'<TrafficSignalState trafficSignalId="{sid}" state="{color}"/>'
    extra = ('<TrafficSignals><TrafficSignalController name="C1" delay="0">'
             f'<Phase name="A" duration="10">{state(5, "green")}{state(6, "red")}</Phase>'
             f'<Phase name="B" duration="5">{state(5, "yellow")}</Phase>'
             f'<Phase name="C" duration="10">{state(5, "red")}{state(6, "green")}'
             f'{state(7, "green")}</Phase></TrafficSignalController></TrafficSignals>')
    text = document(INIT, story(event("E", long_speed("x"), trigger(sim_time(1)))),
                    trigger(sim_time(40), kind="StopTrigger"), extra=extra)
    worlds, _, _ = run(write(tmp_path, text), until=32)
    sig = {round(w.time, 2): w.signals for w in worlds}
    assert sig[12.0]["6"].color == SignalColor.RED and sig[12.0]["6"].phase_id == 1
    assert sig[12.0]["6"].time_to_change == pytest.approx(3.0)
    assert "7" not in sig[12.0] and sig[16.0]["7"].color == SignalColor.GREEN
    assert sig[27.0]["7"].color == SignalColor.GREEN and sig[27.0]["7"].time_to_change is None
    assert sig[27.0]["6"].color == SignalColor.RED
    assert sig[31.0]["5"].color == SignalColor.GREEN       # the 25 s cycle restarted at 25


def test_determinism(tmp_path):
    a = event("EA", long_speed("xa"), trigger(sim_time(0)))
    path = write(tmp_path, document(INIT, story(a), STOP))
    w1, e1, _ = run(path, until=3)
    w2, e2, _ = run(path, until=3)
    assert w1 == w2 and e1 == e2
    assert not math.isnan(w1[-1].entities["Car"].pose.x)


def test_run_time_error_names_file_line_and_time(tmp_path):
    action = ('<Action name="lc"><PrivateAction><LateralAction><LaneChangeAction>'
              '<LaneChangeActionDynamics dynamicsShape="linear" dynamicsDimension="time" '
              'value="2"/><LaneChangeTarget><AbsoluteTargetLane value="-5"/></LaneChangeTarget>'
              '</LaneChangeAction></LateralAction></PrivateAction></Action>')
    text = document(INIT, story(event("E", action, trigger(sim_time(1)))), STOP)
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        run(path, until=3)
    err = info.value
    assert err.file == str(path.resolve()) and err.element == "LaneChangeAction"
    assert err.line == text[:text.index('<Action name="lc"')].count("\n") + 1
    assert "t=1.05" in err.message and "no lane -5" in err.message


def test_controller_actions_on_the_external_ego_are_requests(tmp_path):
    init = (teleport("Ego", -2, 10) + '<Private entityRef="Ego"><PrivateAction>'
            '<ActivateControllerAction lateral="true" longitudinal="false"/></PrivateAction>'
            '</Private>')
    text = document(init, "", STOP, entities=("Ego",))
    _, events, _ = run(write(tmp_path, text), until=1, external={"Ego"}, states=ego_state)
    (req,) = [e for e in events if e.kind == "ego_request"]
    assert req.data["action"] == "ActivateControllerAction"
    assert req.data["spec"] == {"lateral": True, "longitudinal": False}


def test_init_teleport_relative_to_an_entity_placed_later(tmp_path):
    # A's Private comes first but is placed 20 m ahead of Car, whose Private follows: its
    # actions wait for Car's (esmini's parseInit reorders the same way), so A starts at s=30
    # and keeps its own Init speed
    relative = ('<Private entityRef="A"><PrivateAction><TeleportAction><Position>'
                '<RelativeLanePosition entityRef="Car" dLane="0" ds="20" offset="0"/>'
                '</Position></TeleportAction></PrivateAction>'
                '<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics '
                'dynamicsShape="step" dynamicsDimension="time" value="0"/><SpeedActionTarget>'
                '<AbsoluteTargetSpeed value="5"/></SpeedActionTarget></SpeedAction>'
                '</LongitudinalAction></PrivateAction></Private>')
    text = document(relative + teleport("Car", -1, 10.0, speed=10.0), "",
                    trigger(sim_time(1), kind="StopTrigger"), entities=("A", "Car"))
    worlds, _, _ = run(write(tmp_path, text), until=1.0)
    a, car = worlds[0].entities["A"], worlds[0].entities["Car"]
    assert (a.pose.x, a.pose.y) == (pytest.approx(30.0), pytest.approx(-1.75))
    assert (a.speed, car.speed) == (pytest.approx(5.0), pytest.approx(10.0))


def test_init_entities_placed_relative_to_each_other_are_refused_at_load(tmp_path):
    # a cycle: RelativeLanePosition failed at run time ("not on a lane"); a
    # RelativeWorldPosition cycle put both at the world origin in silence (hostile pass 10)
    def rel(name, other):
        return (f'<Private entityRef="{name}"><PrivateAction><TeleportAction><Position>'
                f'<RelativeLanePosition entityRef="{other}" dLane="0" ds="5" offset="0"/>'
                '</Position></TeleportAction></PrivateAction></Private>')
    text = document(rel("A", "Car") + rel("Car", "A"), "",
                    trigger(sim_time(1), kind="StopTrigger"), entities=("A", "Car"))
    with pytest.raises(ScenarioError, match=r"the Init positions of 'A', 'Car' are each "
                                            r"given relative to another of them \(a cycle\)"):
        run(write(tmp_path, text), until=1.0)


def test_override_stops_a_repeating_event_for_good(tmp_path):
    """8.4.2.2: "A terminated Event moves to completeState with stopTransition, regardless of
    the number of executions left". E1 (3 executions, its trigger true at every step) is
    running a 2 s speed change when E2 (override) sets 5 m/s at 1.05 s: E1 is complete and
    does not run again (esmini ended it to standby and re-ran it), so 5 m/s is kept."""
    e1 = event("E1", speed_action(10, "linear", "time", 2.0), trigger(sim_time(0, edge="none")),
               priority="parallel", count=3)
    e2 = event("E2", speed_action(5, "step", name="b"), trigger(sim_time(1.0)))
    text = document(INIT, story(e1 + e2), STOP)
    worlds, events, _ = run(write(tmp_path, text), until=4.0)
    assert transitions(events, "E1") == [
        (pytest.approx(0.05), "startTransition", "runningState"),
        (pytest.approx(1.05), "stopTransition", "completeState")]
    assert at(worlds, 3.0).entities["Car"].speed == pytest.approx(5.0)
    assert all(e.data["from"] != e.data["to"] for e in events if e.kind == "storyboard")


def _dead_part(kind: str) -> str:
    """A document whose event would silently never act (hostile pass 5)."""
    go = event("E", speed_action(3, name="go"), trigger(sim_time(1)))
    entity_cond = ('<Condition name="c" delay="0" conditionEdge="none"><ByEntityCondition>'
                   '<TriggeringEntities triggeringEntitiesRule="any">{refs}</TriggeringEntities>'
                   '<EntityCondition><SpeedCondition value="1" rule="greaterThan"/>'
                   '</EntityCondition></ByEntityCondition></Condition>')
    if kind == "no triggering entity":
        go = event("E", speed_action(3, name="go"), trigger(entity_cond.format(refs="")))
    elif kind == "empty group":
        go = event("E", speed_action(3, name="go"), trigger())
    elif kind == "two conditions":
        two = sim_time(100).replace("</ByValueCondition>",
                                    '<SimulationTimeCondition value="1" rule="greaterThan"/>'
                                    '</ByValueCondition>')
        go = event("E", speed_action(3, name="go"), trigger(two))
    body = story(go)
    if kind == "no actors":
        body = body.replace('<EntityRef entityRef="Car"/>', "")
    return document(teleport("Car", -1, 10, speed=0), body, trigger(sim_time(5), kind="StopTrigger"))


@pytest.mark.parametrize("kind, element, message", [
    ("no triggering entity", "TriggeringEntities", "no EntityRef: expected at least one"),
    ("empty group", "ConditionGroup", "no Condition: expected at least one"),
    ("two conditions", "ByValueCondition", "expected exactly one condition element inside, "
                                           "found 2 (SimulationTimeCondition, "
                                           "SimulationTimeCondition)"),
    ("no actors", "Actors", "yet the group's action 'go'"),
])
def test_a_storyboard_part_that_could_never_act_is_refused(tmp_path, kind, element, message):
    # each ran and passed: the event never started, or the second condition was dropped
    text = _dead_part(kind)
    with pytest.raises(ScenarioError, match=re.escape(message)) as err:
        load_scenario(write(tmp_path, text))
    assert err.value.element == element and err.value.line is not None


def test_a_variable_reference_must_name_a_declared_variable(tmp_path):
    decl = ('<VariableDeclarations><VariableDeclaration name="v" variableType="double" '
            'value="0"/></VariableDeclarations>')
    cond = ('<Condition name="c" delay="0" conditionEdge="none"><ByValueCondition>'
            '<VariableCondition variableRef="{ref}" value="0" rule="equalTo"/>'
            '</ByValueCondition></Condition>')
    for ref, ok in (("v", True), ("vv", False)):
        text = document(teleport("Car", -1, 10, speed=0),
                        story(event("E", speed_action(3), trigger(cond.format(ref=ref)))),
                        trigger(sim_time(5), kind="StopTrigger"))
        text = text.replace("<Storyboard>", decl + "<Storyboard>", 1)
        if ok:
            assert load_scenario(write(tmp_path, text)).variables == {"v": 0.0}
        else:
            with pytest.raises(ScenarioError, match="variableRef 'vv' names no declared"):
                load_scenario(write(tmp_path, text))


def test_deleting_the_vehicle_under_test_is_refused_naming_the_action(tmp_path):
    # it ended the case as an internal error (KeyError 'Ego', exit 3)
    delete = ('<Action name="gone"><GlobalAction><EntityAction entityRef="Car">'
              '<DeleteEntityAction/></EntityAction></GlobalAction></Action>')
    text = document(teleport("Car", -1, 10, speed=0), story(event("E", delete,
                                                                  trigger(sim_time(1)))),
                    trigger(sim_time(5), kind="StopTrigger"))
    with pytest.raises(ScenarioError, match="DeleteEntityAction on 'Car', the vehicle under "
                                            "test") as err:
        run(write(tmp_path, text), until=3, external={"Car"})
    assert err.value.element == "DeleteEntityAction"
    _, events, _ = run(write(tmp_path, text), until=3)     # a storyboard-driven Car may go
    assert [e.data for e in events if e.kind == "entity_deleted"] == [{"entity": "Car"}]


CONTROLLER = ('<TrafficSignals><TrafficSignalController name="C1">'
              '<Phase name="go" duration="10"><TrafficSignalState trafficSignalId="5" '
              'state="{state}"/></Phase></TrafficSignalController></TrafficSignals>')


def _signal_case(tmp_path, condition: str, state: str = "green"):
    cond = (f'<Condition name="c" delay="0" conditionEdge="none"><ByValueCondition>{condition}'
            f'</ByValueCondition></Condition>')
    text = document(INIT, story(event("E", speed_action(3), trigger(cond))),
                    trigger(sim_time(5), kind="StopTrigger"),
                    extra=CONTROLLER.format(state=state))
    return write(tmp_path, text)


@pytest.mark.parametrize("condition, state, element, message", [
    ('<TrafficSignalControllerCondition trafficSignalControllerRef="C9" phase="go"/>', "green",
     "TrafficSignalControllerCondition", "trafficSignalControllerRef 'C9' names no "),
    ('<TrafficSignalControllerCondition trafficSignalControllerRef="C1" phase="gogo"/>', "green",
     "TrafficSignalControllerCondition", "phase 'gogo' is not a phase of controller 'C1'"),
    ('<TrafficSignalCondition name="5" state="purple"/>', "green",
     "TrafficSignalCondition", "state 'purple': expected red, yellow, green or off"),
    ('<TrafficSignalCondition name="5" state="red"/>', "blue",
     "TrafficSignalState", "controller 'C1' phase 'go': state 'blue'"),
])
def test_a_signal_reference_that_names_nothing_is_refused(tmp_path, condition, state, element,
                                                          message):
    # each loaded and passed: the condition never held (hostile pass 5)
    with pytest.raises(ScenarioError, match=re.escape(message)) as err:
        load_scenario(_signal_case(tmp_path, condition, state))
    assert err.value.element == element and err.value.line is not None


def test_signal_names_are_checked_against_the_map_and_lamp_triples_read(tmp_path):
    path = _signal_case(tmp_path, '<TrafficSignalCondition name="5" state="off;off;on"/>')
    sc = load_scenario(path)
    (cond,) = [c.spec for c in sc.storyboard.conditions()
               if c.spec.ELEMENT == "TrafficSignalCondition"]
    assert cond.state == "green"          # the lamp triple, read as the colour it shows

    class Net(StraightNet):
        def __init__(self, ids):
            super().__init__()
            self.signals = [type("S", (), {"id": i})() for i in ids]
    ScenarioEngine(sc, Net(["5"]))        # signal 5 exists: fine
    with pytest.raises(ScenarioError, match="trafficSignalId '5' is no signal of the road"):
        ScenarioEngine(sc, Net(["6"]))


@pytest.mark.parametrize("shown, condition, holds", [
    ("off;flashing;off", "off;flashing;off", True),
    ("off;flashing;off", "off;on;off", False),    # a steady amber: esmini's strings differ
    ("off;flashing;off", "yellow", False),
    ("off;on;off", "yellow", True),               # two spellings of one light
    ("off;on;off", "off;flashing;off", False),
    ("on;off;off", "red", True),
])
def test_a_signal_condition_tells_a_flashing_lamp_from_a_steady_one(tmp_path, shown, condition,
                                                                    holds):
    """TrafficSignalCondition holds when the signal shows the state's light, flashing or not
    (known gap of session 15: a flashing amber matched "yellow"): the Event starts at the
    first step (t = 0) when it holds, never when it does not."""
    path = _signal_case(tmp_path, f'<TrafficSignalCondition name="5" state="{condition}"/>',
                        state=shown)
    _, events, _ = run(path, until=2)
    assert starts(events, "E") == ([0.0] if holds else [])


def test_a_vehicle_under_test_without_a_start_position_is_refused(tmp_path):
    # it was placed at (0, 0) and the case passed (hostile pass 5)
    text = document(teleport("Other", -1, 10, speed=0),
                    story(event("E", speed_action(3), trigger(sim_time(1))), actor="Other"),
                    trigger(sim_time(5), kind="StopTrigger"), entities=("Car", "Other"),
                    props={"Car": {"role": "ego"}})
    sc = load_scenario(write(tmp_path, text))
    with pytest.raises(ScenarioError, match="'Car', driven by the stack under test, has no "
                                            "TeleportAction in Init") as err:
        ScenarioEngine(sc, StraightNet(), external=frozenset({"Car"}))
    assert err.value.element == "Init"
    ScenarioEngine(sc, StraightNet())     # the storyboard may leave an entity unplaced
    # but a test run judges the ego, also with the scenario agent (esmini's
    # SourceSinkBigTest.xosc: a fail for standing 60 s at (0, 0), not bad input)
    with pytest.raises(ScenarioError, match="'Car', the vehicle under test, has no "
                                            "TeleportAction in Init") as err:
        sc.require_ego()
    assert err.value.element == "Init" and err.value.file == sc.path


def test_esmini_leniencies_for_attributes_that_change_nothing(tmp_path):
    # esmini's cut-in_external.xosc omits conditionEdge (esmini: none), slow-lead-vehicle.xosc
    # a step's dimension and value (no duration to give); both used to be refused
    cond = sim_time(1).replace(' conditionEdge="rising"', "")
    step = speed_action(3).replace(' dynamicsDimension="time" value="0.0"', "")
    text = document(INIT, story(event("E", step, trigger(cond))),
                    trigger(sim_time(5), kind="StopTrigger"))
    sc = load_scenario(write(tmp_path, text))
    (c,) = [c for c in sc.storyboard.conditions() if c.spec.ELEMENT == "SimulationTimeCondition"
            and c.spec.value == 1]
    assert c.edge == "none"
    (a,) = [a for a in sc.storyboard.actions() if a.name == "a"]
    assert (a.spec.dynamics.dimension, a.spec.dynamics.value) == ("time", 0.0)
    # a transition that takes time still needs them
    linear = speed_action(3, shape="linear").replace(' value="0.0"', "")
    text = document(INIT, story(event("E", linear, trigger(sim_time(1)))),
                    trigger(sim_time(5), kind="StopTrigger"))
    with pytest.raises(ScenarioError, match="missing attribute 'value'"):
        load_scenario(write(tmp_path, text))


@pytest.mark.parametrize("state, color, flashing", [
    ("on;off;off", SignalColor.RED, False), ("off;off;on", SignalColor.GREEN, False),
    ("off;on", SignalColor.GREEN, False), ("on;off", SignalColor.RED, False),  # pedestrian
    ("off;off", SignalColor.OFF, False), ("off;flashing;off", SignalColor.YELLOW, True),
    ("FLASHING;off;off", SignalColor.RED, True), ("yellow", SignalColor.YELLOW, False),
    ("on;maybe", SignalColor.UNKNOWN, False), ("on;off;off;off", SignalColor.UNKNOWN, False),
])
def test_esmini_lamp_states(state, color, flashing):
    # esmini's traffic_lights.xosc has a TrafficSignalCondition state="off;on": refused by
    # the signal-reference check until two-lamp states were read
    from scenarios.signals import color_of, light_of, unreadable
    assert color_of(state) == color and light_of(state) == (color, flashing)
    assert unreadable(state) is (color == SignalColor.UNKNOWN)


def test_a_signal_pinned_flashing_is_flashing(tmp_path):
    """TrafficSignalStateAction "off;flashing;off": a flashing amber from the next step."""
    pin = ('<Action name="pin"><GlobalAction><InfrastructureAction><TrafficSignalAction>'
           '<TrafficSignalStateAction name="9" state="off;flashing;off"/></TrafficSignalAction>'
           '</InfrastructureAction></GlobalAction></Action>')
    text = document(INIT, story(event("E", pin, trigger(sim_time(1)))),
                    trigger(sim_time(3), kind="StopTrigger"))
    worlds, _, _ = run(write(tmp_path, text), until=3)
    sig = {round(w.time, 2): w.signals for w in worlds}
    assert (sig[2.0]["9"].color, sig[2.0]["9"].flashing) == (SignalColor.YELLOW, True)


def test_an_empty_start_trigger_starts_at_once_and_an_empty_stop_trigger_never_fires(tmp_path):
    """esmini reads a StartTrigger without ConditionGroup as true (its ScenarioReader gives
    start triggers the default true; drive_when_close.xosc relies on it): the Act and the
    Event start in the first step. An empty StopTrigger on the Act never stops it."""
    ev = event("E", speed_action(20.0), "<StartTrigger/>")
    act = story(ev, act_start="<StartTrigger/><StopTrigger/>")
    text = document(teleport("Car", -1, 50.0, speed=10.0), act,
                    trigger(sim_time(3), kind="StopTrigger"))
    worlds, events, _ = run(write(tmp_path, text), until=3.0)
    assert starts(events, "A") == [0.0] and starts(events, "E") == [0.0]
    assert at(worlds, 1.0).entities["Car"].speed == 20.0
    ends = [e.data["element"] for e in events if e.kind == "storyboard"
            and e.data["transition"] in ("stopTransition",) and e.data["element"].endswith("A")]
    assert ends == []


def _self_reference_case(tmp_path, action="", condition=""):
    cond = condition or ('<Condition name="c" delay="0" conditionEdge="none"><ByValueCondition>'
                         '<SimulationTimeCondition value="0" rule="greaterThan"/>'
                         '</ByValueCondition></Condition>')
    start = f"<StartTrigger><ConditionGroup>{cond}</ConditionGroup></StartTrigger>"
    text = document(teleport("Car", -1, 50, speed=10) + teleport("Lead", -1, 100, speed=10),
                    story(event("E", action or speed_action(12), start)),
                    trigger(sim_time(3), kind="StopTrigger"), entities=("Car", "Lead"))
    return text, write(tmp_path, text)


@pytest.mark.parametrize("inner", [
    '<RelativeDistanceCondition entityRef="Car" freespace="false" '
    'relativeDistanceType="longitudinal" rule="lessThan" value="5"/>',
    '<TimeToCollisionCondition freespace="false" rule="lessThan" value="2"><TimeToCollisionCon'
    'ditionTarget><EntityRef entityRef="Car"/></TimeToCollisionConditionTarget>'
    '</TimeToCollisionCondition>',
    '<CollisionCondition><EntityRef entityRef="Car"/></CollisionCondition>',
])
def test_a_condition_measuring_an_entity_against_itself_is_refused(tmp_path, inner):
    """Hostile pass 6: Ego's collision or TTC with Ego never fires; the run timed out and the
    stack under test was failed for it. With another triggering entity beside it, it loads."""
    cond = ('<Condition name="c" delay="0" conditionEdge="none"><ByEntityCondition>'
            '<TriggeringEntities triggeringEntitiesRule="any"><EntityRef entityRef="Car"/>'
            f'</TriggeringEntities><EntityCondition>{inner}</EntityCondition>'
            '</ByEntityCondition></Condition>')
    text, path = _self_reference_case(tmp_path, condition=cond)
    with pytest.raises(ScenarioError, match="entityRef='Car' is also the only triggering "
                                            "entity") as err:
        load_scenario(path)
    assert err.value.line == text.count("\n", 0, text.index(inner[:20])) + 1
    both = cond.replace('<EntityRef entityRef="Car"/></TriggeringEntities>',
                        '<EntityRef entityRef="Car"/><EntityRef entityRef="Lead"/>'
                        '</TriggeringEntities>')
    load_scenario(_self_reference_case(tmp_path, condition=both)[1])


@pytest.mark.parametrize("inner, message", [
    ('<LongitudinalAction><LongitudinalDistanceAction entityRef="Car" distance="10" '
     'freespace="false" continuous="true"/></LongitudinalAction>', "entityRef='Car'"),
    ('<LateralAction><LateralDistanceAction entityRef="Car" distance="1" freespace="false" '
     'continuous="true"/></LateralAction>', "entityRef='Car'"),
    ('<SynchronizeAction masterEntityRef="Car"><TargetPositionMaster><LanePosition roadId="R" '
     'laneId="-1" s="300"/></TargetPositionMaster><TargetPosition><LanePosition roadId="R" '
     'laneId="-1" s="200"/></TargetPosition></SynchronizeAction>', "masterEntityRef='Car'"),
])
def test_an_action_whose_reference_is_its_own_actor_is_refused(tmp_path, inner, message):
    """Keeping a distance to itself (always 0) or synchronising with itself never ends. An
    Actors entity that is the reference is refused on reading (so `scenario check` reports
    it), naming the action's line; an actor chosen at run time by selectTriggeringEntities
    ends the case when the action starts; a timeout would be blamed on the stack under test."""
    action = f'<Action name="a"><PrivateAction>{inner}</PrivateAction></Action>'
    text, path = _self_reference_case(tmp_path, action=action)
    with pytest.raises(ScenarioError, match=f"{message} is an entity the action acts on") \
            as err:
        load_scenario(path)
    assert err.value.line == text.count("\n", 0, text.index('<Action name="a">')) + 1
    assert err.value.element in inner
    # the actor comes from the Act's StartTrigger: known only when the Act starts
    path.write_text(_selecting_triggering_entities(text, "Car", 5.0))
    load_scenario(path)
    with pytest.raises(ScenarioError, match=f"{message} is an entity the action acts on"):
        run(path, until=1)
    from scenarios.check import check_scenario   # check says it may happen (hostile pass 9)
    assert any(i.severity == "warning" and f"{message} is a triggering entity of the Act"
               in i.message for i in check_scenario(path))


def _selecting_triggering_entities(text: str, entities: str | tuple[str, ...],
                                   speed_above: float) -> str:
    """``text`` with Actors selectTriggeringEntities="true" and no EntityRef, and an Act that
    starts when any of ``entities`` is faster than ``speed_above`` [m/s]."""
    names = (entities,) if isinstance(entities, str) else entities
    refs = "".join(f'<EntityRef entityRef="{n}"/>' for n in names)
    act_start = ('<StartTrigger><ConditionGroup><Condition name="fast" delay="0" '
                 'conditionEdge="none"><ByEntityCondition><TriggeringEntities '
                 f'triggeringEntitiesRule="any">{refs}</TriggeringEntities><EntityCondition>'
                 f'<SpeedCondition value="{speed_above}" rule="greaterThan"/></EntityCondition>'
                 '</ByEntityCondition></Condition></ConditionGroup></StartTrigger></Act>')
    out = text.replace('<Actors selectTriggeringEntities="false"><EntityRef entityRef="Car"/>'
                       '</Actors>', '<Actors selectTriggeringEntities="true"/>')
    out = re.sub(r"<StartTrigger>(?:(?!<StartTrigger>).)*?</StartTrigger></Act>", act_start,
                 out, count=1, flags=re.S)
    assert out.count('selectTriggeringEntities="true"') == 1 and act_start in out
    return out


def test_select_triggering_entities_makes_the_entities_that_started_the_act_actors(tmp_path):
    """OpenSCENARIO 1.2, 7.3.1: with selectTriggeringEntities, the entities whose states made
    the Act's StartTrigger true become actors. Car drives 10 m/s and Lead 10 m/s; the Act
    starts when Car or Lead is faster than 5 m/s, so both (a true condition for each) are
    sped up to 12 m/s; with a 10.5 m/s threshold nobody starts it and nobody changes."""
    text, path = _self_reference_case(tmp_path)
    path.write_text(_selecting_triggering_entities(text, ("Car", "Lead"), 5.0))
    worlds, _, _ = run(path, until=2)
    assert worlds[-1].entities["Car"].speed == pytest.approx(12.0)
    assert worlds[-1].entities["Lead"].speed == pytest.approx(12.0)
    path.write_text(_selecting_triggering_entities(text, ("Car", "Lead"), 10.5))
    worlds, _, _ = run(path, until=2)
    assert worlds[-1].entities["Car"].speed == pytest.approx(10.0)
    assert worlds[-1].entities["Lead"].speed == pytest.approx(10.0)


def test_select_triggering_entities_takes_only_the_entities_that_made_it_true(tmp_path):
    """Car and Lead start at 10 m/s; another Act speeds Lead up to 11 m/s at 0.5 s; the
    selecting Act starts when Car or Lead is faster than 10.5 m/s, which only Lead is: Lead
    alone becomes an actor (12 m/s), Car stays at 10 m/s."""
    text, path = _self_reference_case(tmp_path)
    text = _selecting_triggering_entities(text, ("Car", "Lead"), 10.5)
    first = ('<Story name="S0"><Act name="A0"><ManeuverGroup maximumExecutionCount="1" '
             'name="G0"><Actors selectTriggeringEntities="false"><EntityRef entityRef="Lead"/>'
             '</Actors><Maneuver name="M0">'
             + event("E0", speed_action(11, name="a0"), trigger(sim_time(0.5))) +
             '</Maneuver></ManeuverGroup>' + trigger(sim_time(-1, edge="none")) +
             '</Act></Story>')
    path.write_text(text.replace('<Story name="S">', first + '<Story name="S">', 1))
    worlds, _, _ = run(path, until=2)
    assert worlds[-1].entities["Lead"].speed == pytest.approx(12.0)
    assert worlds[-1].entities["Car"].speed == pytest.approx(10.0)


def test_select_triggering_entities_with_a_group_naming_no_entity_is_warned_of(tmp_path):
    """Hostile pass 9: an OR of "SimulationTime > 2" and "A faster than 100 m/s" started the
    Act by time; nobody was an actor and check said nothing. It warns now (the run goes as
    the standard says: no actors)."""
    from scenarios.check import check_scenario
    text, path = _self_reference_case(tmp_path)
    text = _selecting_triggering_entities(text, ("Car", "Lead"), 100.0)
    text = text.replace('</ConditionGroup></StartTrigger></Act>',
                        '</ConditionGroup><ConditionGroup>' + sim_time(1.0, name="late") +
                        '</ConditionGroup></StartTrigger></Act>', 1)
    path.write_text(text)
    found = [i for i in check_scenario(path) if "selectTriggeringEntities" in i.message]
    assert [(i.severity, i.message) for i in found] == [(
        "warning", "selectTriggeringEntities without EntityRef: when ConditionGroup 2 of the "
                   "Act's StartTrigger starts it, no entity made it true and the group's "
                   "actions act on nobody")]
    worlds, _, _ = run(path, until=2)        # it runs; the Act starts at 1 s with no actor
    assert worlds[-1].entities["Car"].speed == pytest.approx(10.0)


def test_select_triggering_entities_without_an_entity_condition_is_refused(tmp_path):
    """No EntityRef, and an Act started by simulation time: the group would act on nobody."""
    text, path = _self_reference_case(tmp_path)
    path.write_text(text.replace('<Actors selectTriggeringEntities="false"><EntityRef '
                                 'entityRef="Car"/></Actors>',
                                 '<Actors selectTriggeringEntities="true"/>'))
    with pytest.raises(ScenarioError, match="would act on nobody") as err:
        load_scenario(path)
    assert err.value.element == "Actors"


def test_a_trajectory_timing_scale_must_be_positive(tmp_path):
    """XSD: Timing@scale is in ]0..inf[; 0 froze the trajectory's clock (the StopTrigger at
    its end never came)."""
    action = ('<Action name="n"><PrivateAction><RoutingAction><FollowTrajectoryAction>'
              '<TrajectoryRef><Trajectory name="t" closed="false"><Shape><Polyline>'
              '<Vertex time="0"><Position><WorldPosition x="0" y="0"/></Position></Vertex>'
              '<Vertex time="5"><Position><WorldPosition x="50" y="0"/></Position></Vertex>'
              '</Polyline></Shape></Trajectory></TrajectoryRef><TimeReference><Timing '
              'domainAbsoluteRelative="relative" scale="0" offset="0"/></TimeReference>'
              '<TrajectoryFollowingMode followingMode="position"/></FollowTrajectoryAction>'
              '</RoutingAction></PrivateAction></Action>')
    text, path = _self_reference_case(tmp_path, action=action)
    with pytest.raises(ScenarioError, match="scale='0'.*expected a finite number > 0"):
        load_scenario(path)


def test_a_catalog_maneuvers_action_error_names_the_catalog_file():
    """Hostile pass 9: an action of a catalog Maneuver that failed at start named the
    scenario file with the catalog's line number. Its ActionDef carries its own file."""
    from types import SimpleNamespace

    from esmini_csv import REFERENCE

    from scenarios.model import ActionDef
    from scenarios.storyboard import ActionElement
    sc = load_scenario(REFERENCE / "resources" / "xosc" / "synchronize.xosc")
    files = {a.file for st in sc.storyboard.stories for act in st.acts for g in act.groups
             for m in g.maneuvers for e in m.events for a in e.actions}
    assert files == {str((REFERENCE / "resources" / "xosc" / "Catalogs" / "Maneuvers"
                          / "HWManeuvers.xosc").resolve())}   # resolved, as the loader's

    class Failing:
        ELEMENT, PRIVATE = "X", False

        def start(self, rt, actor):
            raise ScenarioError("cannot", element="X")
    element = ActionElement(ActionDef("a", Failing(), (), 19, "/cat/Man.xosc"), None)
    rt = SimpleNamespace(source="/s.xosc", time=0.05, emit=lambda *a, **k: None)
    with pytest.raises(ScenarioError) as err:
        element.start(rt)
    assert (err.value.file, err.value.line) == ("/cat/Man.xosc", 19)


def _trajectory_position(other: str) -> str:
    return ('<TrajectoryPosition s="5" t="0"><TrajectoryRef><Trajectory name="T" closed="false">'
            '<Shape><Polyline><Vertex time="0"><Position><RelativeObjectPosition '
            f'entityRef="{other}" dx="20" dy="0"/></Position></Vertex><Vertex time="1">'
            f'<Position><RelativeObjectPosition entityRef="{other}" dx="40" dy="0"/>'
            '</Position></Vertex></Polyline></Shape></Trajectory></TrajectoryRef>'
            '</TrajectoryPosition>')


def _route_position(other: str) -> str:
    return ('<RoutePosition><RouteRef><Route name="R1" closed="false"><Waypoint '
            'routeStrategy="shortest"><Position><RelativeLanePosition '
            f'entityRef="{other}" dLane="0" ds="5" offset="0"/></Position></Waypoint><Waypoint '
            'routeStrategy="shortest"><Position><RelativeLanePosition '
            f'entityRef="{other}" dLane="0" ds="50" offset="0"/></Position></Waypoint></Route>'
            '</RouteRef><InRoutePosition><FromLaneCoordinates pathS="1" laneId="-1"/>'
            '</InRoutePosition></RoutePosition>')


def _placed(name: str, position: str) -> str:
    return (f'<Private entityRef="{name}"><PrivateAction><TeleportAction><Position>{position}'
            '</Position></TeleportAction></PrivateAction></Private>')


def test_init_positions_through_trajectories_and_routes_follow_their_entities(tmp_path):
    """Hostile pass 11: the Init order and the self / cycle checks looked only at a position's
    own entityRef. A TrajectoryPosition whose vertices are relative to Car, written before
    Car, was placed from Car's unplaced origin (45 m instead of 35 m: Car at s = 10, vertices
    at 30 and 50, s = 5 along them); one relative to the entity it places, or a cycle through
    a Route's Waypoints, loaded clean."""
    stop = trigger(sim_time(1), kind="StopTrigger")
    text = document(_placed("A", _trajectory_position("Car")) + teleport("Car", -1, 10.0),
                    "", stop, entities=("A", "Car"))
    worlds, _, _ = run(write(tmp_path, text), until=0.5)
    a = worlds[0].entities["A"]
    assert (a.pose.x, a.pose.y) == (pytest.approx(35.0), pytest.approx(-1.75))
    own = document(_placed("A", _trajectory_position("A")) + teleport("Car", -1, 10.0), "",
                   stop, entities=("A", "Car"))
    with pytest.raises(ScenarioError, match="the Init position of 'A' is given relative to "
                                            "'A' itself"):
        load_scenario(write(tmp_path, own))
    cycle = document(_placed("A", _route_position("Car"))
                     + _placed("Car", '<RelativeLanePosition entityRef="A" dLane="0" ds="5" '
                                      'offset="0"/>'), "", stop, entities=("A", "Car"))
    with pytest.raises(ScenarioError, match=r"\(a cycle\)"):
        load_scenario(write(tmp_path, cycle))


@pytest.mark.parametrize("order", ["none first", "rising first"])
def test_every_condition_of_a_group_is_evaluated_at_every_step(tmp_path, order):
    """ASAM OpenSCENARIO XML 1.3, 7.6: a condition works on its current and previous
    evaluations, and a ConditionGroup is the AND of its conditions at every step. With
    [t > 3 (edge none), t > 3 (rising)] the rising edge is seen at 3.05 s whichever comes
    first in the group (esmini v3 stops at the first false condition, so that the rising
    one, evaluated for the first time at 3.05, had no previous value and never fired)."""
    conds = [sim_time(3, name="plain", edge="none"), sim_time(3, name="edge", edge="rising")]
    if order == "rising first":
        conds.reverse()
    e = event("E", speed_action(5, name="go"), trigger(*conds))
    _, events, _ = run(write(tmp_path, document(INIT, story(e), STOP)), until=4)
    assert starts(events, "E") == [pytest.approx(3.05)]


def test_events_timed_after_the_runs_end_are_not_counted_as_never_started(tmp_path):
    """UN R157's ALKS templates start an Event at SimulationTime >= 10000 s in a case its
    StopTrigger ends at about 40 s (realinputs16 sweep: events_started failed every one). An
    Event whose every ConditionGroup needs a SimulationTime (plus delay) after the run's end is
    reported apart; one with a group the clock alone does not rule out still counts."""
    speed_cond = ('<Condition name="v" delay="0" conditionEdge="none"><ByEntityCondition>'
                  '<TriggeringEntities triggeringEntitiesRule="any"><EntityRef entityRef="Car"/>'
                  '</TriggeringEntities><EntityCondition><SpeedCondition value="50" '
                  'rule="greaterThan"/></EntityCondition></ByEntityCondition></Condition>')
    events = (event("Late", speed_action(3), trigger(sim_time(10000, rule="greaterOrEqual")))
              + event("Delayed", speed_action(3), trigger(sim_time(4, delay=2.0)))
              + event("Soon", speed_action(3), trigger(sim_time(4.5, delay=0.4)))
              + event("Either", speed_action(3),
                      f'<StartTrigger><ConditionGroup>{sim_time(10000)}</ConditionGroup>'
                      f'<ConditionGroup>{speed_cond}</ConditionGroup></StartTrigger>')
              + event("Fast", speed_action(3), trigger(sim_time(1), speed_cond)))
    text = document(INIT, story(events), trigger(sim_time(5), kind="StopTrigger"))
    _, _, eng = run(write(tmp_path, text), until=10)
    _, never, guards, after_end = eng.event_coverage(eng.time)

    def name(paths):
        return [p.rsplit("::", 1)[-1] for p in paths]
    # Delayed: first true at 4 + 2 = 6 s > 5 s; Soon at 4.9 s, before the end; Fast needs a
    # speed over 50 m/s besides the clock; Either could have started by its second group
    assert name(after_end) == ["Late", "Delayed"]
    assert name(never) == ["Either", "Fast"] and guards == []
    assert eng.event_coverage()[3] == []        # without the end time nothing is set apart


def test_events_of_an_act_timed_after_the_end_are_set_apart(tmp_path):
    """Hostile pass 16: an Event whose Act starts at SimulationTime 100 s in a 5 s case was
    counted as never started; its Act's trigger rules it out as its own would."""
    text = document(INIT, story(event("InLateAct", speed_action(3), trigger(sim_time(0))),
                                act_start=trigger(sim_time(100))),
                    trigger(sim_time(5), kind="StopTrigger"))
    _, _, eng = run(write(tmp_path, text), until=10)
    _, never, _, after_end = eng.event_coverage(5.0)
    assert (never, [p.rsplit("::", 1)[-1] for p in after_end]) == ([], ["InLateAct"])
