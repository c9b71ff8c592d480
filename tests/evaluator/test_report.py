"""Report files: summary.json (schema, determinism), junit.xml, report.html, rebuild, compare."""

import base64
import json

import pytest
from lxml import etree

from evaluator import compare_runs, rebuild_report, score_case, write_report
from evaluator.errors import EvaluationError
from evaluator.report import read_summary
from evaluator.report.figures import load_case_figures, save_case_figures
from testzone.recording import Event, RecordingWriter, read_recording

from evaluator_fixtures import FakeAreaNet, FakeNet, make_recording, straight

MANIFEST = {"run_id": "run-1", "tool_version": "0.1.0", "created": "2026-11-30T10:00:00Z",
            "seed": 7, "agent": {"name": "idm", "version": "1"},
            "inputs": {"scenarios/cut_in.xosc": "ab" * 32, "maps/straight.xodr": "cd" * 32}}


def save(rec, path):
    with RecordingWriter(path, rec.header) as w:
        ei = iter(rec.events)
        pending = next(ei, None)
        for f in rec.frames:
            while pending is not None and pending.t <= f.time:
                w.event(pending)
                pending = next(ei, None)
            w.frame(f)
        w.end(rec.frames[-1].time, rec.end_reason, rec.end_message)
    return path


def cases(tmp_path):
    recs = {
        "a_pass": make_recording({"ego": straight(0, 10.0), "lead": straight(40, 10.0)}, 2.0,
                                 case_id="a_pass", events=[Event(1.0, "v2x", {"message": "SPAT"})]),
        "b_crash": make_recording({"ego": straight(0, 10.0), "box": straight(10.2, 0.0)}, 1.0,
                                  case_id="b_crash", scenario_file="stopped_obstacle.xosc"),
        "c_error": make_recording({"ego": straight(0, 10.0)}, 0.5, case_id="c_error",
                                  end_reason="error",
                                  end_message="agent crashed <script>alert(1)</script>"),
    }
    paths = {k: save(r, tmp_path / "recs" / f"{k}.jsonl") for k, r in recs.items()}
    results = [score_case(read_recording(p), FakeNet()) for p in paths.values()]
    return results, paths


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    results, paths = cases(tmp)
    out = write_report(tmp, results, MANIFEST, paths, net_for_case=lambda rec: FakeNet())
    return tmp, results, paths, out


def test_summary_schema(run):
    tmp, results, _, out = run
    doc = json.loads(out["summary"].read_text())
    assert doc["schema"] == "icv-testzone/summary" and doc["schema_version"] == 2
    assert doc["manifest"] == MANIFEST
    tot = doc["totals"]
    assert {k: tot[k] for k in ("cases", "pass", "fail", "error")} == {
        "cases": 3, "pass": 1, "fail": 1, "error": 1}
    assert tot["score_mean"] == pytest.approx(sum(r.score for r in results) / 3)
    fam = tot["by_family"]["stopped_obstacle.xosc"]
    assert {k: fam[k] for k in ("cases", "pass", "fail", "error", "score_mean", "pass_rate")} \
        == {"cases": 1, "pass": 0, "fail": 1, "error": 0, "score_mean": 0.0, "pass_rate": 0.0}
    assert fam["infractions"]["collisions"] == 1
    assert tot["by_family"]["cut_in.xosc"]["cases"] == 2
    assert [c["case_id"] for c in doc["cases"]] == ["a_pass", "b_crash", "c_error"]
    a, b, c = doc["cases"]
    assert a["metrics"]["ttc_min_s"] == {"unit": "s", "value": "inf"}
    assert a["recording"] == "recs/a_pass.jsonl"
    crit = {x["id"]: x for x in b["criteria"]}["no_collision"]
    assert (crit["status"], crit["measured"], crit["threshold"]) == ("fail", 1.0, 0.0)
    assert c["verdict"] == "error" and "agent crashed" in c["error"]
    for case in doc["cases"]:
        assert set(case) >= {"case_id", "scenario_file", "verdict", "score", "criteria",
                             "metrics", "findings", "skipped", "breakdown", "end_reason",
                             "error", "seed", "parameters", "recording"}


def test_summary_is_deterministic(run, tmp_path):
    first, _, _, out = run
    results, paths = cases(tmp_path)
    out2 = write_report(tmp_path, results, MANIFEST, paths)
    assert out2["summary"].read_bytes() == out["summary"].read_bytes()


def test_junit(run):
    root = etree.parse(str(run[3]["junit"])).getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert sorted(suites) == ["cut_in.xosc", "stopped_obstacle.xosc"]
    cut = suites["cut_in.xosc"]
    # a_pass: 12 default criteria; c_error: one "run" testcase with <error>.
    assert cut.get("tests") == "13" and cut.get("errors") == "1" and cut.get("failures") == "0"
    err = cut.find("testcase[@classname='c_error']/error")
    assert "agent crashed" in err.get("message")
    crash = suites["stopped_obstacle.xosc"]
    failed = sorted(tc.get("name") for tc in crash.findall("testcase")
                    if tc.find("failure") is not None)
    assert failed == ["no_collision", "ttc_min"]
    assert crash.get("failures") == "2"
    assert root.get("tests") == str(13 + 12)
    # fresh README pass 14: the suites' skipped counts had no total on <testsuites>
    assert (cut.get("skipped"), crash.get("skipped"), root.get("skipped")) == ("4", "4", "8")
    # regulator pass 13: no verdict, score or seed in junit.xml, and a passed criterion
    # carried nothing measured
    props = {p.get("name"): p.get("value") for p in cut.findall("properties/property")}
    assert props["a_pass.verdict"] == "pass" and props["c_error.verdict"] == "error"
    assert set(props) == {f"{c}.{k}" for c in ("a_pass", "c_error")
                          for k in ("verdict", "score", "seed")}
    out = cut.find("testcase[@classname='a_pass'][@name='no_collision']/system-out")
    assert out.text.startswith("collision_count measured 0 count, required == 0 count")


def test_html_is_self_contained_and_escaped(run):
    html = run[3]["html"].read_text()
    assert "agent crashed &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    imgs = html.count('src="data:image/png;base64,')
    assert imgs == 6  # trajectory + timelines for each of the 3 cases
    start = html.index('src="data:image/png;base64,') + len('src="data:image/png;base64,')
    png = base64.b64decode(html[start:html.index('"', start)])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert "ab" * 32 in html and "run-1" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "<link" not in html


def test_rebuild_and_compare(run, tmp_path):
    tmp, results, paths, out = run
    before = out["summary"].read_bytes()
    out["html"].unlink()
    out["junit"].unlink()
    html = rebuild_report(tmp)
    assert html == out["html"]
    assert out["summary"].read_bytes() == before
    assert out["html"].exists() and out["junit"].exists()
    assert html.read_text().count("data:image/png;base64,") == 6
    # Run B: a_pass now fails (stricter TTC declared), b_crash unchanged.
    other = tmp_path / "b"
    rec = read_recording(paths["a_pass"])
    rec.header.criteria.append({"id": "thw", "metric": "thw_min_s", "rule": ">=",
                                "threshold": 5.0, "clause": "test"})
    res_b = [score_case(rec, FakeNet()), score_case(read_recording(paths["b_crash"]))]
    write_report(other, res_b, MANIFEST)
    diff = compare_runs(tmp, other)
    assert [(f["case_id"], f["before"], f["after"]) for f in diff["flipped"]] == [
        ("a_pass", "pass", "fail")]
    assert diff["flipped"][0]["b"]["failed"] == ["thw"] and diff["flipped"][0]["a"]["failed"] == []
    assert diff["only_in_a"] == ["c_error"] and diff["only_in_b"] == []
    assert diff["score_delta"]["b_crash"] == 0.0


def test_read_summary_rejects_other_files(tmp_path):
    (tmp_path / "summary.json").write_text('{"schema": "other"}')
    with pytest.raises(EvaluationError, match="expected schema"):
        read_summary(tmp_path)
    with pytest.raises(EvaluationError, match="cannot read summary"):
        read_summary(tmp_path / "nope")


@pytest.mark.parametrize("edit, match", [
    (lambda t: t.replace('"score": ', '"score": 1' + "0" * 400 + ', "x": ', 1), "digits"),
    (lambda t: t.replace('"score": ', '"score": 1e400, "x": ', 1), "out of range"),
    (lambda t: t.replace('"score": ', '"score": NaN, "x": ', 1), "NaN is not a number"),
    (lambda t: "[" * 100_000 + "]" * 100_000, "nested too deeply|expected a JSON object"),
])
def test_hand_edited_summaries_are_one_clear_error(run, tmp_path, edit, match):
    # observed: OverflowError / ValueError / RecursionError tracebacks; NaN was accepted
    text = (run[0] / "summary.json").read_text()
    (tmp_path / "summary.json").write_text(edit(text))
    with pytest.raises(EvaluationError, match=match):
        read_summary(tmp_path)


def test_a_summary_that_is_a_fifo_is_refused_not_a_hang(tmp_path):
    import os
    os.mkfifo(tmp_path / "summary.json")
    with pytest.raises(EvaluationError, match="not a regular file"):
        read_summary(tmp_path)


def test_runner_layout_dicts_and_rebuild_without_summary(tmp_path):
    # The runner passes result.json dicts and keeps recordings in cases/<id>/recording.jsonl.
    rec = make_recording({"ego": straight(0, 10.0)}, 1.0, case_id="k1")
    save(rec, tmp_path / "cases" / "k1" / "recording.jsonl")
    ok = score_case(rec).to_dict() | {"wall_time_s": 0.4, "inputs": {"x.xosc": "00"}}
    crashed = {"case_id": "k2", "scenario_file": "x.xosc", "verdict": "error", "score": 0.0,
               "error": "ScenarioError: x.xosc:12: <LanePosition>: unknown road '9'",
               "error_kind": "input", "traceback": "Traceback (most recent call last): ..."}
    for d in (ok, crashed):
        (tmp_path / "cases" / d["case_id"]).mkdir(parents=True, exist_ok=True)
        (tmp_path / "cases" / d["case_id"] / "result.json").write_text(json.dumps(d))
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    html = rebuild_report(tmp_path)
    doc = read_summary(tmp_path)
    assert [c["recording"] for c in doc["cases"]] == ["cases/k1/recording.jsonl", None]
    assert "wall_time_s" not in doc["cases"][0]
    text = html.read_text()
    assert text.count("data:image/png;base64,") == 2
    assert "unknown road &#39;9&#39;" in text and "Cause (traceback)" in text
    assert "No recording available" in text
    (tmp_path / "empty").mkdir()
    with pytest.raises(EvaluationError, match="not a run folder"):
        rebuild_report(tmp_path / "empty")
    with pytest.raises(EvaluationError, match="no such folder"):   # new-user pass 9b
        rebuild_report(tmp_path / "missing")


def test_default_map_loader_and_missing_map(tmp_path):
    import dataclasses
    from pathlib import Path
    xodr = Path(__file__).resolve().parents[2] / "maps" / "wuhan" / "wuhan_section1.xodr"
    recs = {}
    for cid, mf in (("with_map", str(xodr)), ("lost_map", str(tmp_path / "nowhere.xodr"))):
        rec = make_recording({"ego": straight(-900.0, 10.0, y=-1.75)}, 1.0, case_id=cid)
        rec.header = dataclasses.replace(rec.header, map_file=mf)
        recs[cid] = (rec, save(rec, tmp_path / f"{cid}.jsonl"))
    results = [score_case(r) for r, _ in recs.values()]
    out = write_report(tmp_path / "run", results, MANIFEST, {k: p for k, (_, p) in recs.items()})
    html = out["html"].read_text()
    assert html.count("data:image/png;base64,") == 4
    assert html.count("Road network not loaded") == 1
    assert "nowhere.xodr" in html


def test_stored_case_figures_are_embedded_only_while_they_match_the_recording(tmp_path):
    rec = make_recording({"ego": straight(0, 10.0)}, 2.0, case_id="k1")
    path = save(rec, tmp_path / "cases" / "k1" / "recording.jsonl")
    res = score_case(rec, FakeAreaNet())
    assert save_case_figures(path.parent, res, rec, FakeAreaNet(), path)
    stored = load_case_figures(path)
    assert [t for t, _ in stored.images] == ["Bird's-eye trajectories", "Timelines"]
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for _, png in stored.images)
    assert stored.agent == {"name": "test", "version": "0"} and stored.note == ""

    def must_not_draw(_rec):
        raise AssertionError("the report drew the figures instead of embedding the stored ones")
    write_report(tmp_path, [res], MANIFEST, net_for_case=must_not_draw)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    for _, png in stored.images:
        assert base64.b64encode(png).decode("ascii") in html
    assert "test version 0" in html  # the agent identity, from the stored set

    # A recording changed after its figures were drawn: the stored set is stale, so redrawn.
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n")
    assert load_case_figures(path) is None
    loaded = []
    write_report(tmp_path, [res], MANIFEST, net_for_case=lambda r: loaded.append(r) or None)
    assert len(loaded) == 1
    assert (tmp_path / "report.html").read_text(encoding="utf-8").count("data:image/png") == 2


def test_a_stored_figure_file_name_cannot_leave_the_case_folder(tmp_path):
    rec = make_recording({"ego": straight(0, 10.0)}, 1.0, case_id="k1")
    path = save(rec, tmp_path / "cases" / "k1" / "recording.jsonl")
    assert save_case_figures(path.parent, score_case(rec), rec, None, path)
    (tmp_path / "secret.png").write_bytes(b"not yours")
    index = json.loads((path.parent / "figures.json").read_text())
    index["figures"][0]["file"] = "../../secret.png"
    (path.parent / "figures.json").write_text(json.dumps(index))
    assert load_case_figures(path) is None  # looked for cases/k1/secret.png: absent


def test_control_characters_are_written_escaped_not_a_lost_report(tmp_path):
    # observed: an agent error or file name with ESC (or U+FFFE) made lxml refuse junit.xml,
    # and neither junit.xml nor report.html was written
    from evaluator.report.junit import write_junit
    rec = make_recording({"ego": straight(0, 10.0)}, 0.5, case_id="esc\x1bcase",
                         scenario_file="esc\x1b[31m.xosc", end_reason="error",
                         end_message="planner \x1b[31mred\ufffe")
    result = score_case(read_recording(save(rec, tmp_path / "r.jsonl")), FakeNet())
    write_junit(tmp_path / "junit.xml", [result])
    root = etree.parse(str(tmp_path / "junit.xml")).getroot()
    err = root.find("testsuite/testcase/error")
    assert err.get("message").endswith("planner \\x1b[31mred\\ufffe")
    assert root.find("testsuite").get("name") == "esc\\x1b[31m.xosc"


def test_terminal_safe_escapes_control_characters_only():
    from testzone.text import terminal_safe, xml_safe
    assert terminal_safe("a\x1b[2Jb\rc\tdé路\n") == "a\\x1b[2Jb\\x0dc\tdé路\n"
    assert terminal_safe("x\udce9") == "x\\udce9"
    assert xml_safe("a\x00b\x1f\tc\ufffe") == "a\\x00b\\x1f\tc\\ufffe"


def test_one_line_escapes_unicode_line_breaks_and_bidi_controls():
    """Verify pass 11: a map's road name holding U+2028 printed as a line of its own
    (str.splitlines breaks there) and U+202E reversed what followed it."""
    from testzone.text import one_line
    assert one_line("a\u2028b\u202ec\nd\te路") == "a\\u2028b\\u202ec\\nd\\te路"
    assert len(one_line("x\u2029y\u0085z").splitlines()) == 1


def test_entity_names_are_drawn_literally_without_warnings(tmp_path):
    # observed: `x $\frac{a}{$ y` silently dropped the bird's-eye figure (mathtext), `$\alpha$`
    # was drawn as a Greek letter, and a Chinese name printed six glyph warnings on stderr
    import warnings
    from evaluator.report.birdseye import trajectory_figure
    from evaluator.report.figures import draw_png
    from evaluator.report.plots import plain_label
    assert plain_label("x $\\alpha$ y") == "x \\$\\alpha\\$ y"
    rec = make_recording({"ego": straight(0, 10.0), "x $\\frac{a}{$ y": straight(30, 5.0),
                          "停车 车辆": straight(60, 0.0)}, 1.0)
    result = score_case(read_recording(save(rec, tmp_path / "r.jsonl")), FakeNet())
    figs = []

    def draw():
        figs.append(trajectory_figure(read_recording(tmp_path / "r.jsonl"), result, FakeNet()))
        return figs[-1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png, note = draw_png("Bird's-eye trajectories", draw)
    assert not [w for w in caught if "Glyph" in str(w.message)], caught
    assert note == "" and png[:8] == b"\x89PNG\r\n\x1a\n"
    fig = figs[0]
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "x \\$\\frac{a}{\\$ y" in labels and "停车 车辆" in labels


def test_a_result_file_that_is_a_device_is_refused(tmp_path):
    # a result.json linked to /dev/zero was read until memory ran out (hostile pass 4)
    case = tmp_path / "cases" / "k1"
    case.mkdir(parents=True)
    (case / "result.json").symlink_to("/dev/zero")
    with pytest.raises(EvaluationError, match="not a regular file"):
        rebuild_report(tmp_path)


def test_the_speeding_band_uses_the_metric_tolerance():
    # naive at exactly 60 km/h (16.6666670 against 16.6666667) had the whole path banded
    from evaluator.report.plots import speeding_mask
    from evaluator.results import TimeSeries
    from evaluator_fixtures import make_recording, straight
    rec = make_recording({"ego": straight(0.0, 10.0 + 3e-7)}, 1.0)
    times = tuple(f.time for f in rec.frames)
    lim = TimeSeries("speed_limit_mps", "m/s", times, (10.0,) * len(times))
    assert not any(speeding_mask(rec, lim))
    rec = make_recording({"ego": straight(0.0, 10.02)}, 1.0)
    assert all(speeding_mask(rec, lim))


def test_a_repeated_case_id_is_refused_by_report_and_compare(tmp_path):
    """Hostile pass 10: a result.json whose case_id was edited to another case's id made a
    report (and a compare) showing that case twice and silently losing the other."""
    crashed = {"scenario_file": "x.xosc", "verdict": "error", "score": 0.0, "error": "x"}
    for case_id in ("k1", "k2"):
        (tmp_path / "cases" / case_id).mkdir(parents=True)
        (tmp_path / "cases" / case_id / "result.json").write_text(
            json.dumps(crashed | {"case_id": "k1"}))
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    with pytest.raises(EvaluationError, match="case_id 'k1' is not its folder's name 'k2'"):
        rebuild_report(tmp_path)
    (tmp_path / "cases" / "k2" / "result.json").write_text(json.dumps(crashed | {"case_id": "k2"}))
    rebuild_report(tmp_path)
    doc = json.loads((tmp_path / "summary.json").read_text())
    doc["cases"][1]["case_id"] = "k1"
    (tmp_path / "summary.json").write_text(json.dumps(doc))
    for call in (lambda: rebuild_report(tmp_path), lambda: compare_runs(tmp_path, tmp_path)):
        with pytest.raises(EvaluationError, match=r"case_id 'k1' repeats the one of cases\[0\]"):
            call()


def test_a_failed_case_with_a_high_score_says_the_verdict_is_the_criteria(run, tmp_path):
    """New-user pass 11: "FAIL, score 100" (a PET criterion, which the score does not weigh)
    read as a contradiction; the case's section now says the case fails on that criterion
    whatever its score. A crash (score 0 by its gate) needs no such note."""
    _, _, paths, _ = run
    rec = read_recording(paths["a_pass"])
    rec.header.criteria.append({"id": "thw", "metric": "thw_min_s", "rule": ">=",
                                "threshold": 5.0, "clause": "test"})
    strict = score_case(rec, FakeNet())
    crash = score_case(read_recording(paths["b_crash"]), FakeNet())
    assert strict.verdict == "fail" and strict.score > 50.0 and crash.score == 0.0
    html = write_report(tmp_path, [strict, crash], MANIFEST)["html"].read_text()
    assert html.count("whatever its score") == 1
    note = html[html.index("This case <b>fails</b>"):html.index("whatever its score")]
    assert "<code>thw</code>" in note
