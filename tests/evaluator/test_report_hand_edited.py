"""`testzone report` / `compare` on hand-edited run folders: one line, exit status 2, nothing
written (hostile pass s7).

Observed before: ``"case_id": 5``, ``criteria[0].id: 5``, ``"scenario_file": [5]`` and
``"skipped": 5`` in a result.json or summary.json gave Python tracebacks (junit, aggregation,
the HTML template) after summary.json had been rewritten; ``"score": "nan"`` and a criterion
``"status": "maybe"`` were carried into a summary.json its own reader then refused; a FIFO
named figures.json hung the report and a figure linked to /dev/zero filled the memory.
"""

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evaluator import score_case, write_report
from evaluator.errors import EvaluationError
from evaluator.report import read_summary
from evaluator.report.figures import load_case_figures, save_case_figures
from evaluator.report.summary import check_case_record
from runners.cli import app
from testzone.recording import RecordingWriter

from evaluator_fixtures import make_recording, straight

MANIFEST = {"run_id": "run-1", "tool_version": "0.1.0", "created": "2026-11-30T10:00:00Z",
            "seed": 7, "cases": [{"case_id": "k1"}, {"case_id": "k2"}]}


def _save(rec, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with RecordingWriter(path, rec.header) as w:
        for f in rec.frames:
            w.frame(f)
        w.end(rec.frames[-1].time, rec.end_reason, rec.end_message)
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A run folder in the runner's layout: two cases with result.json, recordings and
    stored figures, manifest.json, and the three report files."""
    run = tmp_path_factory.mktemp("run") / "run"
    results = []
    for cid, lead_x in (("k1", 40.0), ("k2", 15.0)):
        rec = make_recording({"ego": straight(0, 10.0), "lead": straight(lead_x, 8.0)}, 1.0,
                             case_id=cid)
        path = _save(rec, run / "cases" / cid / "recording.jsonl")
        res = score_case(rec)
        assert save_case_figures(path.parent, res, rec, None, path)
        d = res.to_dict() | {"wall_time_s": 0.1, "inputs": {}}
        (path.parent / "result.json").write_text(json.dumps(d, indent=2, sort_keys=True))
        results.append(d)
    (run / "manifest.json").write_text(json.dumps(MANIFEST))
    write_report(run, results, MANIFEST, net_for_case=lambda rec: None)
    assert results[0]["criteria"] and read_summary(run)["cases"][0]["case_id"] == "k1"
    return run


@pytest.fixture
def run(template, tmp_path) -> Path:
    return Path(shutil.copytree(template, tmp_path / "run"))


def _edit(path: Path, fn) -> None:
    doc = json.loads(path.read_text())
    fn(doc)
    path.write_text(json.dumps(doc))


def _files(run: Path) -> dict[str, bytes | None]:
    return {n: (run / n).read_bytes() if (run / n).exists() else None
            for n in ("summary.json", "junit.xml", "report.html")}


def _cli(*args: str):
    res = CliRunner().invoke(app, [*args])
    return res.exit_code, res.stderr.splitlines(), res.output


EDITS = [  # (what the hostile tester changed, the element named, what the message says)
    (lambda c: c.__setitem__("case_id", 5), "case_id", "expected a non-empty string, got 5"),
    (lambda c: c["criteria"][0].__setitem__("id", 5), "criteria[0].id",
     "expected a string, got 5"),
    (lambda c: c.__setitem__("scenario_file", [5]), "scenario_file",
     "expected a string, got [5]"),
    (lambda c: c.__setitem__("skipped", 5), "skipped",
     "expected an object {metric: reason}, got 5"),
    (lambda c: c.__setitem__("score", "nan"), "score",
     'expected a finite number from 0 to 100, got "nan"'),
    (lambda c: c["criteria"][0].__setitem__("status", "maybe"), "criteria[0].status",
     'expected one of "pass", "fail", "not_applicable", "not_evaluated", got "maybe"'),
    (lambda c: (c.__setitem__("verdict", "pass"),  # hostile pass 6: reported as passed
                c["criteria"][0].update(id="no_collision", status="fail")), "verdict",
     'expected "fail": criteria no_collision failed, got "pass"'),
]
IDS = ["case_id_int", "criterion_id_int", "scenario_file_list", "skipped_int", "score_nan",
       "status_maybe", "pass_with_a_failed_criterion"]


@pytest.mark.parametrize("edit, element, message", EDITS, ids=IDS)
def test_a_hand_edited_result_json_is_refused_before_anything_is_written(run, edit, element,
                                                                         message):
    (run / "summary.json").unlink()  # the report is rebuilt from cases/*/result.json
    result = run / "cases" / "k1" / "result.json"
    _edit(result, edit)
    before = _files(run)
    for _ in range(2):  # the same answer again: the first refusal wrote nothing
        code, err, output = _cli("report", str(run))
        assert code == 2, output
        assert err == [f"error: {result}: <{element}>: {message}"]
        assert "Traceback" not in output
        assert _files(run) == before and before["summary.json"] is None


@pytest.mark.parametrize("edit, element, message", EDITS, ids=IDS)
def test_a_hand_edited_summary_json_is_refused_and_left_unchanged(run, edit, element, message):
    summary = run / "summary.json"
    _edit(summary, lambda doc: edit(doc["cases"][0]))
    before = _files(run)
    for _ in range(2):
        code, err, output = _cli("report", str(run))
        assert code == 2, output
        assert err == [f"error: {summary}: <cases[0].{element}>: {message}"]
        assert "Traceback" not in output
        assert _files(run) == before
    # compare reads the same records through the same check
    code, err, _ = _cli("compare", str(run), str(run))
    assert code == 2 and err == [f"error: {summary}: <cases[0].{element}>: {message}"]


def test_a_planned_case_id_that_is_not_text_is_refused(run):
    # observed: TypeError (sorted ints and strings / unhashable list) in the HTML page
    (run / "summary.json").unlink()
    _edit(run / "manifest.json", lambda m: m["cases"][1].__setitem__("case_id", [5]))
    code, err, _ = _cli("report", str(run))
    assert code == 2
    assert err == [f"error: {run / 'manifest.json'}: <cases[1].case_id>: "
                   "expected a non-empty string, got [5]"]
    assert not (run / "summary.json").exists()


def test_what_report_accepts_its_reader_accepts(run):
    # NaN literals (json.dumps of a float nan) where the schema allows "nan", a threshold
    # of infinity: written as the strings, read back by read_summary and by a second report
    (run / "summary.json").unlink()
    result = run / "cases" / "k1" / "result.json"
    text = result.read_text()
    doc = json.loads(text)
    doc["criteria"][0]["measured"] = float("nan")
    doc["criteria"][1]["threshold"] = float("inf")
    doc["metrics"]["ttc_min_s"]["value"] = float("-inf")
    result.write_text(json.dumps(doc))
    assert "NaN" in result.read_text()
    code, _, output = _cli("report", str(run))
    assert code == 0, output
    case = read_summary(run)["cases"][0]
    assert case["criteria"][0]["measured"] == "nan"
    assert case["criteria"][1]["threshold"] == "inf"
    assert case["metrics"]["ttc_min_s"]["value"] == "-inf"
    first = (run / "summary.json").read_bytes()
    code, _, output = _cli("report", str(run))
    assert code == 0, output
    assert (run / "summary.json").read_bytes() == first


@pytest.mark.parametrize("edit, element, message", [
    (lambda c: c.__setitem__("case_id", "k\ud800"), "case_id",
     "expected text UTF-8 can hold, got the lone surrogate \\ud800 at character 1"),
    (lambda c: c["parameters"].__setitem__("deep", json.loads("[" * 900 + "]" * 900)),
     "parameters.deep" + "[0]" * 63, "expected values nested at most 64 deep"),
    (lambda c: c.__setitem__("seed", 10 ** 40), None, "integer of 41 digits: out of range"),
], ids=["lone_surrogate", "nested_too_deep", "huge_integer"])
def test_values_that_could_not_be_written_back_are_refused(run, edit, element, message):
    # observed: UnicodeEncodeError / RecursionError tracebacks while writing summary.json, and
    # a 41-digit seed written into a summary.json its reader refuses
    (run / "summary.json").unlink()
    result = run / "cases" / "k1" / "result.json"
    _edit(result, edit)
    code, err, output = _cli("report", str(run))
    assert code == 2, output
    where = f"<{element}>: " if element else ""
    assert len(err) == 1 and err[0].startswith(f"error: {result}: {where}{message}")
    assert not (run / "summary.json").exists()


def test_records_the_evaluator_and_the_runner_write_pass_the_check(template):
    for i, case in enumerate(read_summary(template)["cases"]):
        check_case_record(case, "summary.json", f"cases[{i}]")
    runner_error = {"case_id": "k3", "scenario_file": "x.xosc", "parameters": {"v": 3},
                    "seed": 12, "family": None, "verdict": "error", "error_kind": "run",
                    "score": 0.0, "error": "worker crashed", "wall_time_s": 0.0, "inputs": {}}
    check_case_record(runner_error, "result.json")
    with pytest.raises(EvaluationError, match=r"<criteria\[0\]\.threshold>: expected a number"):
        check_case_record(runner_error | {"criteria": [
            {"id": "x", "metric": "m", "rule": "<", "threshold": "nan", "measured": None,
             "status": "not_evaluated"}]}, "result.json")


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")


def _not_png(path: Path) -> None:
    path.write_bytes(b"GIF89a" + bytes(100))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name, spoil", [
    ("figures.json", _fifo), ("figures.json", _dev_zero), ("figure-1.png", _fifo),
    ("figure-1.png", _dev_zero), ("figure-2.png", _not_png),
], ids=["index_fifo", "index_dev_zero", "png_fifo", "png_dev_zero", "png_not_png"])
def test_stored_figures_that_are_not_regular_files_are_redrawn_not_read(run, name, spoil):
    recording = run / "cases" / "k1" / "recording.jsonl"
    assert load_case_figures(recording) is not None
    spoil(recording.parent / name)
    assert load_case_figures(recording) is None


@pytest.mark.timeout(60)
def test_report_with_a_fifo_for_figures_json_redraws_the_figures(run):
    (run / "summary.json").unlink()
    _fifo(run / "cases" / "k1" / "figures.json")
    code, _, output = _cli("report", str(run))
    assert code == 0, output
    assert (run / "report.html").read_text().count("data:image/png;base64,") == 4


def test_stored_figures_past_the_size_limits_are_not_read(run, monkeypatch):
    import evaluator.report.figures as figures
    recording = run / "cases" / "k1" / "recording.jsonl"
    monkeypatch.setattr(figures, "MAX_FIGURE_BYTES", 1000)
    assert load_case_figures(recording) is None
    monkeypatch.undo()
    monkeypatch.setattr(figures, "MAX_STORED_FIGURES", 1)
    assert load_case_figures(recording) is None


def test_a_recording_past_the_redraw_limit_is_named_not_read(run, monkeypatch):
    """Hostile pass 10: redrawing the figures of a 200 MB recording took 83 s and 4.1 GB."""
    import evaluator.report as report
    (run / "summary.json").unlink()
    (run / "cases" / "k1" / "figures.json").unlink()          # stale: to be redrawn
    monkeypatch.setattr(report, "MAX_REDRAWN_RECORDING_BYTES", 100)
    report.rebuild_report(run)
    text = (run / "report.html").read_text()
    assert "larger than the 0 MiB redrawn: figures not drawn." in text
