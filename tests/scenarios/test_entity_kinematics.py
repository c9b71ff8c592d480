"""Recorded acceleration and yaw rate of scenario entities span the whole step: a SpeedAction
changes the speed inside the storyboard step, before the entity moves, and must still show
(AccelerationCondition, the evaluator's enhanced TTC and comfort of other road users read it)."""

from __future__ import annotations

import pytest
from builders import at, document, event, run, sim_time, speed_action, starts, story, \
    teleport, trigger, write

ACC_BELOW = ('<Condition name="braking" delay="0" conditionEdge="rising"><ByEntityCondition>'
             '<TriggeringEntities triggeringEntitiesRule="any"><EntityRef entityRef="Car"/>'
             '</TriggeringEntities><EntityCondition><AccelerationCondition value="-3.0" '
             'rule="lessThan"/></EntityCondition></ByEntityCondition></Condition>')


def test_linear_speed_action_shows_as_acceleration_and_triggers_the_condition(tmp_path):
    # 20 -> 10 m/s at 4 m/s^2 (dynamicsDimension rate) from t = 1 s: 2.5 s of braking
    brake = event("Brake", speed_action(10.0, "linear", "rate", 4.0, name="slow"),
                  trigger(sim_time(1.0)))
    mark = ('<Action name="mark"><GlobalAction><ParameterAction parameterRef="P">'
            '<SetAction value="1"/></ParameterAction></GlobalAction></Action>')
    seen = event("Seen", mark, trigger(ACC_BELOW), "parallel")
    doc = document(teleport("Car", -1, 10.0, speed=20.0), story(brake + seen),
                   trigger(sim_time(6.0), kind="StopTrigger"),
                   parameters='<ParameterDeclaration name="P" parameterType="double" value="0"/>')
    worlds, events, _ = run(write(tmp_path, doc), until=6.0)
    acc = {round(w.time, 2): w.entities["Car"].acceleration for w in worlds}
    assert acc[0.5] == pytest.approx(0.0)
    assert acc[2.0] == pytest.approx(-4.0) and acc[3.0] == pytest.approx(-4.0)
    assert acc[5.0] == pytest.approx(0.0)
    assert at(worlds, 5.0).entities["Car"].speed == pytest.approx(10.0)
    # the condition sees the first braking step at the next evaluation
    first_braking = min(t for t, a in acc.items() if a < -3.0)
    assert starts(events, "Seen") == [pytest.approx(first_braking)]
