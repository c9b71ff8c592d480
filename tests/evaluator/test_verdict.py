"""Criteria, verdicts and the score."""

import math

import pytest

from evaluator.case import CaseResult, score_case
from evaluator.criteria import Criterion, default_criteria, evaluate, merge_criteria
from evaluator.errors import EvaluationError
from evaluator.results import Statistic
from evaluator.scoring import load_weights, score

from evaluator_fixtures import FakeNet, make_recording, straight


def st(**values):
    return {k: Statistic(k, "x", v) for k, v in values.items()}


def test_rules():
    c = lambda rule, th: Criterion("c", "m", rule, th, "s", "test")
    assert c("<", 2).holds(1.9) and not c("<", 2).holds(2.0)
    assert c("<=", 2).holds(2.0) and not c("<=", 2).holds(2.1)
    assert c(">", 2).holds(2.1) and not c(">", 2).holds(2.0)
    assert c(">=", 1.5).holds(1.5) and not c(">=", 1.5).holds(1.49)
    assert c("==", 0).holds(0.0) and not c("==", 0).holds(1.0)
    assert c(">=", 1.5).holds(math.inf)
    with pytest.raises(EvaluationError, match="rule must be one of"):
        c("=>", 1)


def test_outcomes_and_not_applicable():
    crits = [Criterion("a", "ttc_min_s", ">=", 1.5, "s", "x"),
             Criterion("b", "red_light_violation_count", "==", 0, "count", "y")]
    out = evaluate(crits, st(ttc_min_s=1.2, red_light_violation_count=None))
    assert [(o.criterion.id, o.measured, o.status) for o in out] == [
        ("a", 1.2, "fail"), ("b", None, "not_applicable")]
    out = evaluate([Criterion("z", "nope", "<", 1, "s", ""),
                    Criterion("d", "ego_decel_max_mps2", "<=", 9.0, "m/s^2", "alias")],
                   st(ttc_min_s=1.0, decel_peak_mps2=9.5))
    assert [(o.status, o.measured) for o in out] == [("not_evaluated", None), ("fail", 9.5)]


def test_header_overrides_replace_drop_and_add():
    merged = merge_criteria(default_criteria(), [
        {"id": "ttc_min", "metric": "ttc_min_s", "rule": ">=", "threshold": 2.0,
         "clause": "case-specific"},
        {"id": "decel_peak", "enabled": False},
        {"id": "v2x", "metric": "v2x_response_time_s", "rule": "<=", "threshold": 1.2,
         "clause": "T/CSAE 53-2020 RLVW"}])
    by_id = {c.id: c for c in merged}
    assert by_id["ttc_min"].threshold == 2.0 and by_id["ttc_min"].clause == "case-specific"
    assert "decel_peak" not in by_id
    assert list(by_id)[-1] == "v2x"
    with pytest.raises(EvaluationError, match="lacks rule, threshold"):
        merge_criteria([], [{"id": "x", "metric": "m"}])
    for c in default_criteria():
        assert c.clause, c.id


def test_score_hand_computed():
    w = load_weights()
    # ttc 1.5/3 = 0.5, thw 1.0/2 = 0.5 -> safety 0.5; progress 1; comfort 1; speed and V2X
    # not applicable -> (5*0.5 + 5*1 + 2*1) / 12 = 9.5/12.
    stats = st(ttc_min_s=1.5, thw_min_s=1.0, run_reached_stop_trigger=1.0, comfort_ratio=1.0,
               overspeed_integral_m=None, v2x_response_time_s=None, ego_at_fault_collisions=0,
               red_light_violation_count=None, offroad_time_s=0.0, progress_distance_m=30.0)
    s, br = score(stats, w)
    assert s == pytest.approx(100 * 9.5 / 12)
    assert br["components"]["speed_compliance"] is None
    # Speeding 2.23 m over 10 s: 1 - 2.23/(2.23*10) = 0.9. V2X 1.75 s: (2.5-1.75)/1.5 = 0.5.
    stats.update(st(overspeed_integral_m=2.23, progress_duration_s=10.0, v2x_response_time_s=1.75))
    s, br = score(stats, w)
    assert br["components"]["speed_compliance"] == pytest.approx(0.9)
    assert br["components"]["v2x_response"] == pytest.approx(0.5)
    assert s == pytest.approx(100 * (2.5 + 5 + 4 * 0.9 + 2 + 3 * 0.5) / 19)
    # A gate multiplies: one at-fault collision -> 0.
    stats.update(st(ego_at_fault_collisions=1.0))
    s, br = score(stats, w)
    assert s == 0.0 and br["gates"]["no_at_fault_collision"] == 0


def test_weights_file_errors(tmp_path):
    p = tmp_path / "w.json"
    p.write_text('{"components": {"luck": {"weight": 1}}}')
    with pytest.raises(EvaluationError, match="unknown component 'luck'"):
        load_weights(p)
    p.write_text('{"components": ')
    with pytest.raises(EvaluationError, match="invalid JSON"):
        load_weights(p)


def following(**kw):
    return make_recording({"ego": straight(0, 10.0), "lead": straight(40.0, 10.0)}, 3.0, **kw)


def test_clean_case_passes():
    res = score_case(following(), FakeNet(limit_mps=13.89))
    assert res.verdict == "pass", res.failed
    assert res.metrics["ttc_min_s"].value == math.inf
    # THW 35.5/10 = 3.55 s -> 1; TTC inf -> 1; all components 1 -> 100.
    assert res.score == pytest.approx(100.0)
    assert {c.criterion.id: c.status for c in res.criteria}["no_red_light"] == "pass"


def test_collision_fails_with_measured_value_and_threshold():
    rec = make_recording({"ego": straight(0, 10.0), "box": straight(10.2, 0.0)}, 1.0)
    res = score_case(rec)
    assert res.verdict == "fail"
    failed = {c.criterion.id: c for c in res.failed}
    assert failed["no_collision"].measured == 1 and failed["no_collision"].criterion.threshold == 0
    assert failed["ttc_min"].measured == pytest.approx(0.0)
    assert res.score == 0.0
    assert res.findings["collisions"][0]["kind"] == "stopped_object"
    # Map-dependent metrics were skipped and said so; their criteria are not applicable.
    assert "speeding" in res.skipped and "red_light" in res.skipped
    status = {c.criterion.id: c.status for c in res.criteria}
    assert status["speed_limit"] == "not_applicable"


def test_timeout_fails_reached_stop_trigger():
    res = score_case(following(end_reason="timeout"))
    assert res.verdict == "fail"
    assert [c.criterion.id for c in res.failed] == ["reached_stop_trigger"]


def test_errored_and_truncated_recordings():
    res = score_case(following(end_reason="error", end_message="agent crashed: ZeroMQ timeout"))
    assert res.verdict == "error" and res.score == 0.0
    assert "agent crashed: ZeroMQ timeout" in res.error
    assert res.metrics["progress_distance_m"].value == pytest.approx(30.0)
    res = score_case(following(end_reason="truncated"))
    assert res.verdict == "error" and "cut short" in res.error


def test_declared_criteria_unknown_metric_and_malformed():
    rec = following(criteria=[{"id": "x", "metric": "warp_factor", "rule": "<", "threshold": 9}])
    res = score_case(rec)
    assert res.verdict == "pass"
    assert {c.criterion.id: c.status for c in res.criteria}["x"] == "not_evaluated"
    res = score_case(following(criteria=[{"id": "y", "metric": "ttc_min_s", "rule": "~",
                                          "threshold": 1}]))
    assert res.verdict == "error" and "rule must be one of" in res.error


def test_case_result_round_trip():
    res = score_case(following())
    back = CaseResult.from_dict(res.to_dict())
    assert back.to_dict() == res.to_dict()
    assert back.metrics["ttc_min_s"].value == math.inf


def test_weights_file_must_give_parameters(tmp_path):
    p = tmp_path / "w.json"
    p.write_text('{"components": {"comfort": 1}, "parameters": {"ttc_good_s": 3}}')
    with pytest.raises(EvaluationError, match="parameters lack overspeed_ref_mps"):
        load_weights(p)
