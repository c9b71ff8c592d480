"""Conditions on the straight fake road: raw tests with hand-derived values, edges and delays.

The act starts at tau = 0 (in initialize); event triggers are evaluated at tau = 0, 0.05, ...
with the world of time tau.
"""

import pytest
from builders import (document, event, run, sim_time, speed_action, starts, story, teleport,
                      trigger, write)

STOP = trigger(sim_time(5), kind="StopTrigger")


def entity_condition(inner: str, who: str = "Car", edge: str = "none", rule: str = "any",
                     delay: float = 0.0) -> str:
    return (f'<Condition name="c" delay="{delay}" conditionEdge="{edge}"><ByEntityCondition>'
            f'<TriggeringEntities triggeringEntitiesRule="{rule}"><EntityRef entityRef="{who}"/>'
            f'</TriggeringEntities><EntityCondition>{inner}</EntityCondition></ByEntityCondition>'
            f'</Condition>')


def fire_times(tmp_path, condition: str, init: str, entities=("Car", "Lead"), count=1):
    text = document(init, story(event("E", speed_action(0.0, name="x"), trigger(condition),
                                      count=count)), STOP, entities=entities)
    _, events, _ = run(write(tmp_path, text), until=5)
    return starts(events, "E")


@pytest.mark.parametrize("cond, expected", [
    (sim_time(1, edge="none", delay=0.5), [1.55]),          # true from 1.05, seen 0.5 s later
    (sim_time(1, rule="lessThan", edge="falling"), [1.0]),   # 1.0 < 1 is false
    (sim_time(1, edge="risingOrFalling"), [1.05]),
    (sim_time(-1, edge="rising"), []),                       # true from the first evaluation
    (sim_time(2, rule="greaterOrEqual", edge="rising"), [2.0]),
    (sim_time(2, rule="equalTo", edge="rising"), [2.0]),
])
def test_edges_and_delay(tmp_path, cond, expected):
    got = fire_times(tmp_path, cond, teleport("Car", -1, 10, speed=0), entities=("Car",))
    assert got == [pytest.approx(t) for t in expected]


def headway(value, freespace="false", cs="entity", rule="lessThan"):
    return (f'<TimeHeadwayCondition entityRef="Lead" value="{value}" freespace="{freespace}" '
            f'coordinateSystem="{cs}" relativeDistanceType="longitudinal" rule="{rule}"/>')


CAR_AND_LEAD = teleport("Car", -1, 10, speed=10) + teleport("Lead", -1, 40, speed=10)


@pytest.mark.parametrize("inner, fires", [
    (headway(3.05), True),                        # 30 m / 10 m/s = 3.0 s
    (headway(2.95), False),
    (headway(3.05, cs="road"), True),
    (headway(2.55, freespace="true"), True),      # gap 39 - 14 = 25 m -> 2.5 s
    (headway(2.45, freespace="true"), False),
])
def test_time_headway(tmp_path, inner, fires):
    got = fire_times(tmp_path, entity_condition(inner), CAR_AND_LEAD)
    assert got == ([0.0] if fires else [])


def test_time_headway_undefined_when_target_behind(tmp_path):
    init = teleport("Car", -1, 40, speed=10) + teleport("Lead", -1, 10, speed=10)
    assert fire_times(tmp_path, entity_condition(headway(100.0)), init) == []


def test_time_to_collision(tmp_path):
    init = teleport("Car", -1, 10, speed=20) + teleport("Lead", -1, 40, speed=10)
    ttc = ('<TimeToCollisionCondition value="2.9" freespace="false" coordinateSystem="entity" '
           'relativeDistanceType="longitudinal" rule="lessThan"><TimeToCollisionConditionTarget>'
           '<EntityRef entityRef="Lead"/></TimeToCollisionConditionTarget>'
           '</TimeToCollisionCondition>')
    # TTC(tau) = (30 - 10 tau) / 10 = 3 - tau < 2.9 first at tau = 0.15
    assert fire_times(tmp_path, entity_condition(ttc), init) == [pytest.approx(0.15)]


def test_relative_distance_and_speed(tmp_path):
    init = teleport("Car", -1, 10, speed=10) + teleport("Lead", -2, 40, speed=4)
    rd = ('<RelativeDistanceCondition entityRef="Lead" value="30.5" freespace="false" '
          'coordinateSystem="entity" relativeDistanceType="euclidianDistance" rule="lessThan"/>')
    # distance^2 = (30 - 6 tau)^2 + 3.5^2 < 30.5^2  <=>  30 - 6 tau < 30.2977 -> from tau = 0
    assert fire_times(tmp_path, entity_condition(rd), init) == [0.0]
    lat = rd.replace('"euclidianDistance"', '"lateral"').replace('30.5', '3.4').replace(
        'lessThan', 'greaterThan')
    assert fire_times(tmp_path, entity_condition(lat), init) == [0.0]      # |dy| = 3.5
    rs = '<RelativeSpeedCondition entityRef="Lead" value="5.9" rule="greaterThan"/>'
    assert fire_times(tmp_path, entity_condition(rs), init) == [0.0]       # 10 - 4 = 6


def test_traveled_distance_speed_standstill(tmp_path):
    init = teleport("Car", -1, 10, speed=10)
    td = '<TraveledDistanceCondition value="5"/>'
    assert fire_times(tmp_path, entity_condition(td), init, ("Car",)) == [pytest.approx(0.5)]
    sp = '<SpeedCondition value="10" rule="equalTo"/>'
    assert fire_times(tmp_path, entity_condition(sp), init, ("Car",)) == [0.0]
    ss = '<StandStillCondition duration="1"/>'
    assert fire_times(tmp_path, entity_condition(ss), teleport("Car", -1, 10, speed=0),
                      ("Car",)) == [pytest.approx(1.0)]


def test_reach_position_and_distance(tmp_path):
    init = teleport("Car", -1, 10, speed=10)
    reach = ('<ReachPositionCondition tolerance="1"><Position><WorldPosition x="30" y="-1.75"/>'
             '</Position></ReachPositionCondition>')
    # |x - 30| < 1 first at x = 29.5 = 10 + 0.5 * 39 -> tau = 1.95
    assert fire_times(tmp_path, entity_condition(reach), init, ("Car",)) == [pytest.approx(1.95)]
    dist = ('<DistanceCondition value="5" freespace="false" rule="lessOrEqual" '
            'coordinateSystem="road" relativeDistanceType="longitudinal"><Position>'
            '<LanePosition roadId="R" laneId="-1" s="30"/></Position></DistanceCondition>')
    assert fire_times(tmp_path, entity_condition(dist), init, ("Car",)) == [pytest.approx(1.5)]


def test_collision_condition_and_event(tmp_path):
    init = teleport("Car", -1, 10, speed=10) + teleport("Lead", -1, 20.2, speed=0)
    coll = '<CollisionCondition><EntityRef entityRef="Lead"/></CollisionCondition>'
    text = document(init, story(event("E", speed_action(0.0, name="x"),
                                      trigger(entity_condition(coll)))), STOP,
                    entities=("Car", "Lead"))
    _, events, _ = run(write(tmp_path, text), until=3)
    # Car front at s + 4, Lead rear at 19.2: contact from s = 15.5 (11 steps) -> t = 0.55
    assert [(e.t, e.data) for e in events if e.kind == "collision"] == [
        (pytest.approx(0.55), {"a": "Car", "b": "Lead"})]
    assert starts(events, "E") == [pytest.approx(0.55)]


def test_offroad_condition(tmp_path):
    init = ('<Private entityRef="Car"><PrivateAction><TeleportAction><Position>'
            '<WorldPosition x="10" y="-7.5"/></Position></TeleportAction></PrivateAction>'
            '</Private>')
    off = '<OffroadCondition duration="1"/>'
    assert fire_times(tmp_path, entity_condition(off), init, ("Car",)) == [pytest.approx(1.0)]
    on = teleport("Car", -2, 10, speed=0)
    assert fire_times(tmp_path, entity_condition(off), on, ("Car",)) == []


def test_triggering_entities_rule_all(tmp_path):
    init = teleport("Car", -1, 10, speed=10) + teleport("Lead", -1, 40, speed=0)
    sp = '<SpeedCondition value="5" rule="greaterThan"/>'
    both = entity_condition(sp, who="Car").replace(
        '<EntityRef entityRef="Car"/>', '<EntityRef entityRef="Car"/><EntityRef entityRef="Lead"/>')
    assert fire_times(tmp_path, both, init) == [0.0]
    assert fire_times(tmp_path, both.replace('"any"', '"all"'), init) == []


def state_condition(ref, state, edge="none", kind="event"):
    return (f'<Condition name="s" delay="0" conditionEdge="{edge}"><ByValueCondition>'
            f'<StoryboardElementStateCondition storyboardElementType="{kind}" '
            f'storyboardElementRef="{ref}" state="{state}"/></ByValueCondition></Condition>')


def test_storyboard_element_state(tmp_path):
    a = event("EA", speed_action(3.0, name="xa"), trigger(sim_time(1)))
    b = event("EB", speed_action(4.0, name="xb"), trigger(state_condition("EA", "endTransition")),
              "parallel", count=5)
    c = event("EC", speed_action(5.0, name="xc"), trigger(state_condition("EA", "completeState")),
              "parallel", count=3)
    text = document(teleport("Car", -1, 10, speed=0), story(a + b + c), STOP)
    _, events, _ = run(write(tmp_path, text), until=3)
    assert starts(events, "EA") == [pytest.approx(1.05)]
    # A ends in the step phase of tau = 1.05; the next evaluation (1.10) sees the transition,
    # once only; the state stays visible.
    assert starts(events, "EB") == [pytest.approx(1.10)]
    assert starts(events, "EC") == [pytest.approx(1.10), pytest.approx(1.15), pytest.approx(1.20)]
