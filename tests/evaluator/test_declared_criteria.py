"""Criteria declared in the .xosc as ``criterion:<id>`` Properties of the ego: the grammar,
strict errors, merging with defaults, and the runner passing them into the recording header."""

import json
from pathlib import Path

import pytest

from evaluator import EvaluationError
from evaluator.criteria import default_criteria, merge_criteria
from evaluator.declared import criteria_from_properties, parse_criterion_property

ROOT = Path(__file__).resolve().parents[2]


def test_grammar_full_and_minimal():
    d = parse_criterion_property("criterion:ttc_min",
                                 " ttc_min_s >= 1.5 s ; GB/T 41798-2022 6.4 ", file="a.xosc")
    assert d == {"id": "ttc_min", "metric": "ttc_min_s", "rule": ">=", "threshold": 1.5,
                 "unit": "s", "clause": "GB/T 41798-2022 6.4"}
    d = parse_criterion_property("criterion:gap", "gap_min_m>2e0;rationale: keep 2 m")
    assert (d["rule"], d["threshold"], d["unit"], d["clause"]) == (">", 2.0, "",
                                                                   "rationale: keep 2 m")
    d = parse_criterion_property("criterion:decel", "decel_peak_mps2 <= -.5 m/s^2 ; x")
    assert d["threshold"] == -0.5 and d["unit"] == "m/s^2"
    assert parse_criterion_property("criterion:no_wrong_way", "OFF") == {
        "id": "no_wrong_way", "enabled": False}


@pytest.mark.parametrize("name,value,msg", [
    ("criterion:", "ttc_min_s >= 1 ; c", "criterion id"),
    ("criterion:1bad", "ttc_min_s >= 1 ; c", "criterion id"),
    ("criterion:t", "ttc_min_s >= 1.5 s", "expected 'statistic rule"),      # no clause
    ("criterion:t", "ttc_min_s >= 1.5 s ;  ", "expected 'statistic rule"),  # empty clause
    ("criterion:t", "ttc_min_s => 1.5 ; c", "expected 'statistic rule"),    # bad rule
    ("criterion:t", "ttc_min_s >= fast ; c", "expected 'statistic rule"),   # not a number
    ("criterion:t", "TTC >= 1 ; c", "expected 'statistic rule"),            # not a statistic
    # author pass 14: under a default's id, a statistic no metric computes switched the
    # default TTC criterion off and judged nothing
    ("criterion:ttc_min", "ttc_minimum_s >= 2.0 s ; c",
     r"statistic 'ttc_minimum_s' is one no metric computes \(closest: ttc_min_s"),
])
def test_malformed_properties_name_file_entity_and_property(name, value, msg):
    with pytest.raises(EvaluationError, match=msg) as err:
        parse_criterion_property(name, value, file="case.xosc", entity="Ego")
    text = str(err.value)
    assert text.startswith("case.xosc: ") and f"Ego/Property[@name='{name}']" in text


def test_only_criterion_properties_are_read():
    props = {"role": "ego", "criterion:b": "gap_min_m >= 2 m ; c2",
             "criterion:a": "ttc_min_s >= 2 s ; c1"}
    assert [d["id"] for d in criteria_from_properties(props)] == ["a", "b"]


def test_declared_on_same_statistic_replaces_default():
    # the catalogue's stay_on_road (offroad_time_s == 0) and red_light supersede the defaults
    # on_road-style / no_red_light: each statistic is judged once.
    declared = [{"id": "red_light", "metric": "red_light_violation_count", "rule": "==",
                 "threshold": 0, "clause": "GB/T"},
                {"id": "ego_decel_max", "metric": "ego_decel_max_mps2", "rule": "<=",
                 "threshold": 9.0, "clause": "perf"},
                {"id": "ttc_min", "metric": "ttc_min_s", "rule": ">=", "threshold": 1.0,
                 "clause": "6.4"},
                {"id": "gap", "metric": "gap_min_m", "rule": ">=", "threshold": 2.0,
                 "clause": "x"}]
    merged = merge_criteria(default_criteria(), declared)
    ids = [c.id for c in merged]
    assert ids == ["no_collision", "ttc_min", "red_light", "yields_at_crosswalk",
                   "speed_limit", "stay_on_road",
                   "no_wrong_way", "follows_route", "no_stall", "reached_stop_trigger",
                   "events_started", "ego_decel_max", "gap"]
    stats = [c.metric for c in merged]
    assert len(set(stats)) == len(stats)
    assert {c.id: c.threshold for c in merged}["ttc_min"] == 1.0


def _case_file(tmp_path, prop: str) -> Path:
    src = (ROOT / "scenarios" / "wuhan" / "stationary_vehicle.xosc").read_text()
    xodr = (ROOT / "maps" / "wuhan" / "wuhan_section1.xodr").as_posix()
    src = src.replace('filepath="../../maps/wuhan/wuhan_section1.xodr"', f'filepath="{xodr}"')
    head, tail = src.split('<ScenarioObject name="Ego">', 1)
    tail = tail.replace("<Properties/>", f"<Properties>{prop}</Properties>", 1)
    path = tmp_path / "declared.xosc"
    path.write_text(head + '<ScenarioObject name="Ego">' + tail)
    return path


def test_runner_puts_xosc_criteria_in_the_header(tmp_path):
    from runners.case import RunOptions, TestCase, run_case
    prop = ('<Property name="criterion:gap_strict" value="gap_min_m &gt;= 500 m ; test: '
            'unreachable gap"/><Property name="criterion:no_wrong_way" value="off"/>')
    path = _case_file(tmp_path, prop)
    case = TestCase("declared", str(path), {"SimulationEnd": 1.0}, 1)
    res = run_case(case, RunOptions(agent="idm", v2x=False), tmp_path / "out")
    header = json.loads((tmp_path / "out" / "recording.jsonl").read_text().splitlines()[0])
    assert {"id": "no_wrong_way", "enabled": False} in header["criteria"]
    crit = {c["id"]: c for c in res["criteria"]}
    assert crit["gap_strict"]["status"] == "fail" and crit["gap_strict"]["clause"].startswith(
        "test:")
    assert "no_wrong_way" not in crit and res["verdict"] == "fail"


def test_runner_rejects_malformed_xosc_criterion(tmp_path):
    from runners.case import RunOptions, TestCase, run_case
    path = _case_file(tmp_path, '<Property name="criterion:bad" value="gap_min_m ~ 5"/>')
    res = run_case(TestCase("bad", str(path), {"SimulationEnd": 1.0}, 1),
                   RunOptions(agent="idm", v2x=False), tmp_path / "out")
    assert res["verdict"] == "error"
    assert "Ego/Property[@name='criterion:bad']" in res["error"] and "declared.xosc" in res["error"]


def test_an_outcome_carries_the_statistics_unit_whatever_the_criterion_says():
    """New-user pass 9b: `ttc_min_s >= 1.0 m` put "7.97 m" for a time to collision in the
    report; the threshold is compared in seconds, and the outcome now says seconds."""
    from evaluator.criteria import Criterion, evaluate
    from evaluator.results import Statistic
    (out,) = evaluate([Criterion("ttc", "ttc_min_s", ">=", 1.0, "m", "x")],
                      {"ttc_min_s": Statistic("ttc_min_s", "s", 7.96694)})
    assert out.status == "pass" and out.criterion.unit == "s"
    (bare,) = evaluate([Criterion("ttc", "ttc_min_s", ">=", 1.0, "", "x")],
                       {"ttc_min_s": Statistic("ttc_min_s", "s", 0.5)})
    assert bare.status == "fail" and bare.criterion.unit == "s"


def test_a_declared_criterion_is_marked_and_named_when_it_could_not_be_judged():
    """New-user pass 10: a scenario's own `criterion:spat_reaction` came out not_applicable
    (no actionable SPAT) and the case passed; nothing said the criterion was not judged."""
    from evaluator.case import CaseResult
    from evaluator.criteria import CriterionOutcome, default_criteria, evaluate, merge_criteria
    from evaluator.report.narrative import narrative
    from evaluator.results import Statistic
    crits = merge_criteria(default_criteria(), [
        {"id": "spat_reaction", "metric": "v2x_response_time_s", "rule": "<=",
         "threshold": 2.5, "unit": "ms"}])
    assert [c.id for c in crits if c.declared] == ["spat_reaction"]
    stats = {"v2x_response_time_s": Statistic("v2x_response_time_s", "s", None),
             "collision_count": Statistic("collision_count", "count", 0.0)}
    outcomes = evaluate(crits, stats)
    (spat,) = [o for o in outcomes if o.criterion.id == "spat_reaction"]
    assert spat.status == "not_applicable" and spat.criterion.declared  # kept over the unit
    assert spat.criterion.unit == "s"                                    # being corrected
    assert CriterionOutcome.from_dict(spat.to_dict()) == spat
    res = CaseResult("c", "c.xosc", "pass", 100.0, criteria=outcomes)
    said = narrative(res)
    assert ("Not judged: the case's own criterion spat_reaction (v2x_response_time_s <= 2.5 s) "
            "had nothing to measure in this run, so it neither passed nor failed.") in said
    assert not [s for s in said if "no_collision" in s]
    # regulator pass 16: the verdicts table showed such a case as a plain pass
    assert [o.criterion.id for o in res.unjudged_own] == ["spat_reaction"]
    from evaluator.report.figures import CaseFigures
    from evaluator.report.html import render_html
    page = render_html([res], {"run_id": "r"}, lambda r: CaseFigures())
    row = page[page.index('<a href="#case-1">c</a>'):]
    row = row[:row.index("</tr>")]
    assert "not judged: spat_reaction" in row
