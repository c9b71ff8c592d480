"""Run-level aggregation (summary.json schema 2) with hand-computed figures, and
``testzone compare`` on two real runs of the smoke suite's cut-in case (idm vs naive)."""

import json
import math

import pytest

from evaluator.aggregate import group_stats, totals, value_key, varied_parameters
from evaluator.case import CaseResult
from evaluator.results import Statistic


def case(cid, verdict, score, km, fam="f", params=None, col=0, red=0, spd=0):
    m = {"progress_distance_m": Statistic("progress_distance_m", "m", km * 1000.0),
         "collision_count": Statistic("collision_count", "count", float(col)),
         "red_light_violation_count": Statistic("red_light_violation_count", "count", float(red)),
         "speeding_event_count": Statistic("speeding_event_count", "count", float(spd))}
    return CaseResult(cid, f"{fam}.xosc", verdict, score, metrics=m, family=fam,
                      parameters=params or {})


def test_group_stats_hand_values():
    # scores 100, 50, 0: mean 50, population std sqrt((2500 + 0 + 2500) / 3) = 40.8248;
    # 0.5 + 1.5 + 2.0 = 4 km; 2 collisions, 1 red light, 3 speeding events
    # -> 0.5, 0.25, 0.75 per km; pass rate 1/3.
    rs = [case("a", "pass", 100.0, 0.5), case("b", "fail", 50.0, 1.5, col=2, spd=3),
          case("c", "error", 0.0, 2.0, red=1)]
    g = group_stats(rs)
    assert (g["cases"], g["pass"], g["fail"], g["error"]) == (3, 1, 1, 1)
    assert g["pass_rate"] == pytest.approx(1 / 3)
    assert g["score_mean"] == pytest.approx(50.0)
    assert g["score_std"] == pytest.approx(math.sqrt(5000 / 3))
    assert (g["score_min"], g["score_max"]) == (0.0, 100.0)
    assert g["distance_km"] == pytest.approx(4.0)
    assert g["infractions"] == {"collisions": 2, "red_lights": 1, "speeding_events": 3,
                                "wrong_way": 0}
    assert g["infractions_per_km"]["collisions"] == pytest.approx(0.5)
    assert g["infractions_per_km"]["red_lights"] == pytest.approx(0.25)
    assert g["infractions_per_km"]["speeding_events"] == pytest.approx(0.75)
    empty = group_stats([case("z", "pass", 80.0, 0.0)])
    assert empty["infractions_per_km"]["collisions"] is None and empty["score_std"] == 0.0


def test_group_stats_count_the_cases_failing_each_criterion():
    """Regulator pass 13: a family at "50 % pass, score 100.0" with no word of what failed
    (a failed criterion that is no score gate leaves the score high)."""
    from evaluator.criteria import Criterion, CriterionOutcome
    def failing(cid, *ids):
        r = case(cid, "fail" if ids else "pass", 100.0, 0.1)
        r.criteria = [CriterionOutcome(Criterion(i, "pet_min_s", ">=", 1.0, "s", "c"), 0.3,
                                       "fail") for i in ids]
        return r
    g = group_stats([failing("a", "pet", "ttc_min"), failing("b", "pet"), failing("c")])
    assert g["failed_criteria"] == {"pet": 2, "ttc_min": 1}


def test_by_parameter_groups_varied_parameters_only():
    # family "cut": Speed varies (10, 20), Gap constant (5) -> only Speed; "13.0" and 13 alike
    rs = [case("c1", "pass", 90.0, 1.0, "cut", {"Speed": 10, "Gap": 5}),
          case("c2", "fail", 30.0, 1.0, "cut", {"Speed": "20.0", "Gap": 5}),
          case("c3", "pass", 70.0, 1.0, "cut", {"Speed": 20, "Gap": 5}),
          case("p1", "pass", 60.0, 1.0, "ped", {"Walk": 1.4})]
    assert value_key("13.0") == value_key(13) == "13" and value_key(1.4) == "1.4"
    assert set(varied_parameters(rs)) == {"Speed"}
    t = totals(rs)
    sp = t["by_parameter"]["Speed"]
    assert sorted(sp) == ["10", "20"]
    assert sp["20"]["cases"] == 2 and sp["20"]["score_mean"] == pytest.approx(50.0)
    assert sp["20"]["pass_rate"] == pytest.approx(0.5)
    assert t["by_family"]["cut"]["score_mean"] == pytest.approx(190 / 3)
    # two families varying the same name get prefixed keys
    rs.append(case("p2", "pass", 40.0, 1.0, "ped", {"Walk": 1.4, "Speed": 3}))
    rs.append(case("p3", "pass", 40.0, 1.0, "ped", {"Walk": 1.4, "Speed": 4}))
    assert set(varied_parameters(rs)) == {"cut:Speed", "ped:Speed"}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The smoke suite's cut-in case run by the idm and the naive agent (real simulations)."""
    from evaluator import write_report
    from runners.case import RunOptions, run_case
    from runners.suite import make_cases, suite_files
    case = next(c for c in make_cases(suite_files("smoke"), 0) if c.case_id == "cut_in")
    dirs = {}
    for agent in ("idm", "naive"):
        run = tmp_path_factory.mktemp(agent)
        res = run_case(case, RunOptions(agent=agent, v2x=False), run / "cases" / case.case_id)
        write_report(run, [res], {"agent": agent}, net_for_case=lambda rec: None)
        dirs[agent] = run
    return dirs


def test_compare_text_and_json_on_real_runs(two_runs, tmp_path):
    from typer.testing import CliRunner
    from runners.cli import app
    a, b = str(two_runs["idm"]), str(two_runs["naive"])
    html = tmp_path / "compare.html"
    out = CliRunner().invoke(app, ["compare", a, b, "--html", str(html)])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    # new-user pass 9b: a regulator saw folder names only, not which agents were compared
    assert lines[0] == f"A: {a} (agent idm)" and lines[1] == f"B: {b} (agent naive)"
    row = next(x for x in lines if x.startswith("cut_in ") and " pass " in x)
    # idm passes, naive rear-ends the cut-in car: no_collision and ttc_min fail, score 0
    assert row.split()[1] == "pass" and "fail" in row and "no_collision" in row
    assert "Flipped verdicts (1):" in lines
    assert "No verdict flipped." not in out.output
    # hostile pass 6: --html a/summary.json turned a run's data into a web page
    before = (two_runs["idm"] / "summary.json").read_bytes()
    bad = CliRunner().invoke(app, ["compare", a, b, "--html", f"{a}/summary.json"])
    assert bad.exit_code == 2 and "expected an .html file" in bad.output
    assert (two_runs["idm"] / "summary.json").read_bytes() == before
    # hostile pass 7: a run's own report.html, and a link to a user's file
    page = (two_runs["idm"] / "report.html").read_bytes()
    assert CliRunner().invoke(app, ["compare", a, b, "--html",
                                    f"{a}/report.html"]).exit_code == 2
    assert (two_runs["idm"] / "report.html").read_bytes() == page
    (tmp_path / "thesis.txt").write_text("mine")
    (tmp_path / "link.html").symlink_to(tmp_path / "thesis.txt")
    assert CliRunner().invoke(app, ["compare", a, b, "--html",
                                    str(tmp_path / "link.html")]).exit_code == 2
    assert (tmp_path / "thesis.txt").read_text() == "mine"
    j = json.loads(CliRunner().invoke(app, ["compare", a, b, "--json"]).output)
    f = j["flipped"][0]
    assert (f["case_id"], f["before"], f["after"]) == ("cut_in", "pass", "fail")
    assert {"no_collision", "ttc_min"} <= set(f["b"]["failed"]) and f["a"]["failed"] == []
    assert f["b"]["score"] == 0.0 and j["deltas"][0]["delta"] == pytest.approx(-f["a"]["score"])
    page = html.read_text()
    assert "cut_in" in page and "no_collision" in page and "<script" not in page
    same = CliRunner().invoke(app, ["compare", a, a, "--fail-on-regression"])
    assert "No verdict flipped." in same.output and "No score changed." in same.output
    assert same.exit_code == 0 and "1 case(s) in both runs" in same.output
    # pass -> fail is a regression (exit 1 with the gate); the way back is not
    assert j["regressions"] == ["cut_in"]
    assert CliRunner().invoke(app, ["compare", a, b, "--fail-on-regression"]).exit_code == 1
    assert CliRunner().invoke(app, ["compare", b, a, "--fail-on-regression"]).exit_code == 0
    # runs that share no case: a gate cannot pass on nothing (new-user pass: it exited 0)
    from evaluator import write_report
    other = tmp_path / "other"
    res = json.loads((two_runs["idm"] / "cases" / "cut_in" / "result.json").read_text())
    res["case_id"] = "elsewhere"
    write_report(other, [res], {"agent": "idm"}, net_for_case=lambda rec: None)
    plain = CliRunner().invoke(app, ["compare", a, str(other)])
    assert plain.exit_code == 0 and "No case is in both runs" in plain.output
    gate = CliRunner().invoke(app, ["compare", a, str(other), "--fail-on-regression"])
    assert gate.exit_code == 2 and "share no case" in gate.output
    # new-user pass 9: the same case id run with other parameters was compared silently
    assert j["other_inputs"] == [] and "Not the same test" not in out.output
    res["case_id"], res["parameters"] = "cut_in", {"EgoSpeed": 99.0}
    changed = tmp_path / "changed"
    write_report(changed, [res], {"agent": "idm"}, net_for_case=lambda rec: None)
    warned = CliRunner().invoke(app, ["compare", a, str(changed)])
    assert warned.exit_code == 0 and ("Not the same test: 1 case(s) in both runs ran another "
                                      "scenario file or other parameters: cut_in") in warned.output
    # hostile pass 9: an edited scenario file of the same name went unnoticed; the manifests'
    # SHA-256 of it now tell (and without them the name still does)
    from evaluator.report.compare import compare_runs
    res = json.loads((two_runs["idm"] / "cases" / "cut_in" / "result.json").read_text())
    runs = {}
    for name, digest in (("base", "a" * 64), ("same", "a" * 64), ("edited", "b" * 64)):
        runs[name] = tmp_path / name
        write_report(runs[name], [res], {"agent": "idm",
                                         "inputs": {res["scenario_file"]: digest}},
                     net_for_case=lambda rec: None)
    assert compare_runs(runs["base"], runs["same"])["other_inputs"] == []
    assert compare_runs(runs["base"], runs["edited"])["other_inputs"] == ["cut_in"]
    assert compare_runs(a, runs["edited"])["other_inputs"] == []   # one side has no digest


def test_summary_of_real_run_has_aggregates(two_runs):
    doc = json.loads((two_runs["naive"] / "summary.json").read_text())
    t = doc["totals"]
    assert doc["schema_version"] == 2
    km = doc["cases"][0]["metrics"]["progress_distance_m"]["value"] / 1000
    assert t["distance_km"] == pytest.approx(km)
    assert t["infractions"]["collisions"] == 1
    assert t["infractions_per_km"]["collisions"] == pytest.approx(1 / km, rel=1e-6)


def test_a_drawn_parameter_is_binned_instead_of_one_group_per_value():
    # 100 cases with Speed drawn from 5..15: ten bins of 1 m/s, not 100 groups
    rs = [case(f"c{i}", "pass", 50.0, 1.0, "cut", {"Speed": 5.0 + i * 0.1}) for i in range(101)]
    groups = varied_parameters(rs)["Speed"]
    assert len(groups) == 10
    assert list(groups)[0] == "5..6" and sum(len(g) for g in groups.values()) == 101
    assert sum(len(g) for k, g in groups.items() if k == "14..15") == 11   # 14.0 .. 15.0
    names = [case(f"n{i}", "pass", 50.0, 1.0, "cut", {"Tag": f"t{i}"}) for i in range(20)]
    assert varied_parameters(names) == {}


def test_a_drawn_value_is_keyed_as_the_summary_shows_it():
    """New-user pass: by_parameter keys were the full draw (18.296207176067732) while the
    case showed 18.2962072 (9 significant digits)."""
    rs = [case(f"c{i}", "pass", 50.0, 1.0, "cut", {"Gap": v})
          for i, v in enumerate((18.296207176067732, 42.08846169945872))]
    assert list(varied_parameters(rs)["Gap"]) == ["18.2962072", "42.0884617"]


def test_compare_text_escapes_control_characters_of_names_from_run_folders():
    """Hostile pass 8: a case_id holding an OSC title sequence, BEL, CR and LF reached the
    terminal as it was and drew a fake table row. Every cell and name is one escaped line."""
    from evaluator.report.compare import format_compare
    evil = "hlw\x1b]0;PWNED\x07\r\nRED  fail  0.0"
    side = {"score": 50.0, "failed": [evil]}
    totals_ = {"cases": 1, "pass": 0, "fail": 1, "error": 0, "score_mean": 50.0}
    diff = {"run_a": "a\nb", "run_b": "B", "totals": {"a": totals_, "b": totals_},
            "score_mean_delta": 0.0, "common": 1,
            "flipped": [{"case_id": evil, "before": "pass", "after": "fail", "a": side,
                         "b": side}],
            "deltas": [{"case_id": evil, "a": 60.0, "b": 50.0, "delta": -10.0}],
            "only_in_a": [evil], "only_in_b": [], "regressions": []}
    text = format_compare(diff)
    assert not any(c in text for c in "\x1b\x07\r")
    assert "hlw\\x1b]0;PWNED\\x07\\x0d\\nRED  fail  0.0" in text
    assert not any(line.startswith("RED") for line in text.splitlines())
    assert text.splitlines()[0] == "A: a\\nb"


def test_statistic_names_are_those_a_real_run_reports(two_runs):
    """`scenario check` judges declared criteria against evaluator.metrics.statistic_names()
    (read off a one-frame recording); a real case reports exactly those statistics."""
    from evaluator.metrics import statistic_names
    for run in two_runs.values():
        for path in (run / "cases").glob("*/result.json"):
            metrics = json.loads(path.read_text())["metrics"]
            assert {k for k in metrics if not k.startswith("monitor_")} == statistic_names()


def test_compare_names_run_options_that_differ_and_counts_the_cases(two_runs, tmp_path):
    """Hostile pass 11b: runs at --dt 0.05 and 1.0 (and other seeds) were compared as if
    alike, and a summary's totals were believed over its cases (a case edited to error
    still counted "error 0")."""
    from evaluator.report.compare import compare_runs, format_compare
    doc = json.loads((two_runs["idm"] / "summary.json").read_text())
    doc["manifest"].update({"dt_s": 0.05, "seed": 0, "utc_start": "2025-01-01T00:00:00.000+00:00"})
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "summary.json").write_text(json.dumps(doc))
    doc["manifest"].update({"dt_s": 1.0, "seed": 7,      # hostile 13b: the frames' clock too
                            "utc_start": "2026-12-01T00:00:00.000+00:00"})
    doc["cases"][0]["verdict"] = "error"          # totals still say no error
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "summary.json").write_text(json.dumps(doc))
    diff = compare_runs(tmp_path / "a", tmp_path / "b")
    assert diff["options"] == ["dt_s 0.05 -> 1.0", "seed 0 -> 7",
                               "utc_start 2025-01-01T00:00:00.000+00:00 -> "
                               "2026-12-01T00:00:00.000+00:00"]
    assert diff["totals"]["b"]["error"] == 1 and diff["totals"]["b"]["pass"] == 0
    text = format_compare(diff)
    assert "Run options differ (scores are not measured alike): dt_s 0.05 -> 1.0; seed 0 -> 7;" \
        in text


def test_a_distribution_run_and_a_run_of_its_expanded_files_are_the_same_test(two_runs,
                                                                              tmp_path):
    """New-user passes 10 and 11: comparing a distribution's run with a run of the folder
    `scenario expand` wrote from it said "Not the same test" for every case (the scenario
    files differ by name); the manifests name the same distribution for each case, and the
    parameters are equal. Another distribution, or other parameters, still differ."""
    from evaluator.report.compare import compare_runs
    doc = json.loads((two_runs["idm"] / "summary.json").read_text())
    case = doc["cases"][0]
    cid = case["case_id"]

    def write(name, scenario, dist, dist_hash, speed):
        d = json.loads(json.dumps(doc))
        d["cases"][0].update(scenario_file=scenario, parameters={"Speed": speed})
        d["manifest"]["cases"] = [{"case_id": cid, "distribution_file": dist}]
        d["manifest"]["inputs"] = {scenario: name * 64, dist: dist_hash}
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.json").write_text(json.dumps(d))
        return tmp_path / name
    a = write("a", "/w/cut_in.xosc", "/w/cut_in.dist.xosc", "d" * 64, 10.0)
    b = write("b", "/x/cut_in-000.xosc", "/w/cut_in.dist.xosc", "d" * 64, 10.0)
    assert compare_runs(a, b)["other_inputs"] == []
    c = write("c", "/x/cut_in-000.xosc", "/w/cut_in.dist.xosc", "d" * 64, 20.0)
    assert compare_runs(a, c)["other_inputs"] == [cid]
    e = write("e", "/x/cut_in-000.xosc", "/w/other.dist.xosc", "e" * 64, 10.0)
    assert compare_runs(a, e)["other_inputs"] == [cid]


def test_compare_names_a_changed_stack_tool_or_library(two_runs, tmp_path):
    """Regulator pass 13: a stack file edited between two runs, and the tool's own code
    changed, gave "No verdict flipped. No score changed." and not a word more. Two clones
    of the project name the same files relative to their own cwd."""
    from evaluator.report.compare import compare_runs, format_compare
    doc = json.loads((two_runs["idm"] / "summary.json").read_text())
    m = doc["manifest"]
    m.update({"cwd": "/clone/a", "agent": {"spec": "stack.py:Stack", "config": {}},
              "tool_identity": {"version": "0.1.0", "source_sha256": "a" * 64,
                                "git_commit": "c" * 40, "git_dirty": False},
              "libraries": {"numpy": "2.4.6", "shapely": "2.2.0"},
              "inputs": {"/clone/a/stack.py": "1" * 64, "/clone/a/scen.xosc": "2" * 64,
                         "/elsewhere/cfg.json": "3" * 64, "/clone/a/only_a.xosc": "4" * 64}})
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "summary.json").write_text(json.dumps(doc))
    m.update({"cwd": "/clone/b",
              "tool_identity": {"version": "0.1.0", "source_sha256": "b" * 64,
                                "git_commit": "c" * 40, "git_dirty": True},
              "libraries": {"numpy": "2.5.0", "shapely": "2.2.0"},
              "inputs": {"/clone/b/stack.py": "5" * 64, "/clone/b/scen.xosc": "2" * 64,
                         "/elsewhere/cfg.json": "3" * 64}})
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "summary.json").write_text(json.dumps(doc))
    diff = compare_runs(tmp_path / "a", tmp_path / "b")
    assert diff["setup"] == [
        f"tool source_sha256 {'a' * 12} -> {'b' * 12}", "tool git_dirty False -> True",
        "library numpy 2.4.6 -> 2.5.0",
        f"input stack.py changed (sha256 {'1' * 12} -> {'5' * 12})"]
    text = format_compare(diff)
    assert "Not the same setup (results may differ for these reasons too):" in text
    assert f"  input stack.py changed (sha256 {'1' * 12} -> {'5' * 12})" in text.splitlines()
    # verify pass 13: a library gone or new, or not recorded on one side, said nothing
    m["libraries"] = {"numpy": "2.5.0", "ray": "2.60.0"}
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "summary.json").write_text(json.dumps(doc))
    assert [s for s in compare_runs(tmp_path / "b", tmp_path / "c")["setup"]
            if s.startswith("librar")] == ["library ray (absent) -> 2.60.0",
                                           "library shapely 2.2.0 -> (absent)"]
    del m["libraries"]
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "summary.json").write_text(json.dumps(doc))
    assert "libraries recorded in A only" in compare_runs(tmp_path / "b", tmp_path / "d")["setup"]
    same = compare_runs(tmp_path / "b", tmp_path / "b")
    assert same["setup"] == [] and "Not the same setup" not in format_compare(same)


def test_compare_names_a_stack_that_reports_another_version(two_runs, tmp_path):
    """Automaker pass 14: two versions of a zmq:// stack on one port (same --agent spec)
    gave "No verdict flipped" and nothing more; what the stack says of itself in its
    handshake is in every case of summary.json and in junit.xml, and compare names it."""
    from evaluator.report.compare import compare_runs, format_compare
    doc = json.loads((two_runs["idm"] / "summary.json").read_text())
    assert {c["agent"]["name"] for c in doc["cases"]} == {"idm"}     # a real run records it
    from runners.agents.idm import IdmAgent
    junit = (two_runs["idm"] / "junit.xml").read_text()
    assert f'.agent" value="idm {IdmAgent.version}"' in junit
    doc["manifest"]["agent"] = {"spec": "zmq://127.0.0.1:5660", "config": {}}
    for version, run in (("0.3.0", "a"), ("9.9.9", "b")):
        for case in doc["cases"]:
            case["agent"] = {"name": "acme-stack", "version": version}
        (tmp_path / run).mkdir()
        (tmp_path / run / "summary.json").write_text(json.dumps(doc))
    diff = compare_runs(tmp_path / "a", tmp_path / "b")
    assert diff["setup"] == ["the stack reports itself as acme-stack 0.3.0 -> acme-stack 9.9.9"]
    assert "Not the same setup" in format_compare(diff)
    assert compare_runs(tmp_path / "a", tmp_path / "a")["setup"] == []
    for case in doc["cases"]:        # a run made before the stack's word was recorded
        case.pop("agent")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "summary.json").write_text(json.dumps(doc))
    assert compare_runs(tmp_path / "old", tmp_path / "b")["setup"] == [
        "what the stack said of itself is recorded in B only"]


def test_pages_carry_control_characters_escaped(two_runs, tmp_path):
    """Session 13's note: compare --html wrote a control character of a hand-edited value
    raw (HTML does not allow it); report.html the same for a stack's name."""
    from evaluator.report.compare import compare_runs, write_compare_html
    from evaluator.report.html import write_html
    doc = json.loads((two_runs["idm"] / "summary.json").read_text())
    for run, spec in (("a", "zmq://bad\x1bhost:1"), ("b", "zmq://host:2")):
        doc["manifest"]["agent"] = {"spec": spec, "config": {}}
        (tmp_path / run).mkdir()
        (tmp_path / run / "summary.json").write_text(json.dumps(doc))
    diff = compare_runs(tmp_path / "a", tmp_path / "b")
    assert "agent zmq://bad\x1bhost:1 -> zmq://host:2" in diff["setup"]
    page = write_compare_html(tmp_path / "c.html", diff).read_text(encoding="utf-8")
    assert "\x1b" not in page and "zmq://bad\\x1bhost:1" in page
    write_html(tmp_path / "r.html", "<p>stack bad\x00\x1bname</p>")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == "<p>stack bad\\x00\\x1bname</p>"


def test_a_flip_to_pass_with_the_cases_own_criterion_not_judged_says_so(two_runs, tmp_path):
    """Regulator pass 16: tz_rlvw_red_far went "fail v2x_response -> pass -" in compare, its
    own v2x_response criterion not judged in B: the flip table reads as a fixed reaction."""
    from evaluator.report.compare import compare_runs, format_compare, write_compare_html
    doc = json.loads((two_runs["idm"] / "summary.json").read_text())
    case = doc["cases"][0]
    own = {"id": "v2x_response", "metric": "v2x_response_time_s", "rule": "<=",
           "threshold": 2.5, "unit": "s", "clause": "x", "declared": True}
    case["criteria"] = [c for c in case["criteria"] if c.get("id") != "v2x_response"]
    sides = {}
    for name, verdict, measured, status in (("a", "fail", 3.75, "fail"),
                                            ("b", "pass", None, "not_applicable")):
        d = json.loads(json.dumps(doc))
        d["cases"][0]["verdict"] = verdict
        d["cases"][0]["criteria"] = [*case["criteria"],
                                     {**own, "measured": measured, "status": status}]
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.json").write_text(json.dumps(d))
        sides[name] = tmp_path / name
    diff = compare_runs(sides["a"], sides["b"])
    (flip,) = diff["flipped"]
    assert flip["a"]["failed"][-1:] == ["v2x_response"]
    assert flip["b"]["not_judged"] == ["v2x_response"]
    assert "not judged: v2x_response" in format_compare(diff)
    page = write_compare_html(tmp_path / "cmp.html", diff).read_text()
    assert "not judged: v2x_response" in page
