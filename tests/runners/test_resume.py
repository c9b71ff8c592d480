"""``testzone run --resume``: an unfinished run goes on in its folder, keeping the results
that would come out the same (runners.resume)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from runners.case import RunOptions
from runners.cli import app
from runners.interfaces import RunnerError, WorkerPool
from runners.suite import make_cases, run_suite

ROOT = Path(__file__).resolve().parents[2]
WUHAN = ROOT / "scenarios" / "wuhan"
OPTIONS = RunOptions(max_sim_time=2.0)


class StopAfterFirst(WorkerPool):
    """Runs the first case, then Ctrl-C."""

    def map_unordered(self, tasks):
        task = list(tasks)[0]
        yield task.key, task.fn(*task.args)
        raise KeyboardInterrupt


class Recording(WorkerPool):
    """Runs every task in-process and notes which ran."""

    def __init__(self):
        self.ran: list[str] = []

    def map_unordered(self, tasks):
        for task in tasks:
            self.ran.append(task.key)
            yield task.key, task.fn(*task.args)


def _cases(folder: Path):
    return make_cases([folder / "cut_in.xosc", folder / "stationary_vehicle.xosc"], 0)


def _copy_scenarios(tmp_path: Path) -> Path:
    """The two Wuhan cases with their map, so a test may change one."""
    shutil.copytree(WUHAN, tmp_path / "scenarios" / "wuhan")
    shutil.copytree(ROOT / "maps" / "wuhan", tmp_path / "maps" / "wuhan")
    return tmp_path / "scenarios" / "wuhan"


def _verdicts(run: Path) -> dict:
    doc = json.loads((run / "summary.json").read_text())
    return {c["case_id"]: (c["verdict"], c["score"]) for c in doc["cases"]}


def test_an_interrupted_run_resumes_with_only_the_unfinished_case(tmp_path):
    """Ctrl-C after the first case; --resume runs only the second, keeps the first's
    result file untouched, and ends with what an uninterrupted run gives."""
    run, whole = tmp_path / "run", tmp_path / "whole"
    with pytest.raises(KeyboardInterrupt):
        run_suite(_cases(WUHAN), OPTIONS, run, workers=1, pool=StopAfterFirst())
    first = json.loads((run / "manifest.json").read_text())
    assert first["interrupted"] is True
    done = [p.parent.name for p in (run / "cases").glob("*/result.json")]
    assert len(done) == 1
    before = (run / "cases" / done[0] / "result.json").read_bytes()
    pool, kept = Recording(), []
    report = run_suite(_cases(WUHAN), OPTIONS, run, workers=1, pool=pool, resume=True,
                       on_kept=kept.extend)
    assert [r["case_id"] for r in kept] == done
    assert pool.ran == [c.case_id for c in _cases(WUHAN) if c.case_id not in done]
    assert (run / "cases" / done[0] / "result.json").read_bytes() == before
    assert len(report.results) == 2
    manifest = json.loads((run / "manifest.json").read_text())
    assert "interrupted" not in manifest
    assert manifest["resumed"]["kept_cases"] == done
    assert manifest["resumed"]["earlier_created"] == first["created"]
    # the scenario, map and RSU files of both cases are in the inputs, as in a whole run
    run_suite(_cases(WUHAN), OPTIONS, whole, workers=1)
    assert manifest["inputs"] == json.loads((whole / "manifest.json").read_text())["inputs"]
    assert _verdicts(run) == _verdicts(whole)
    assert "kept from the earlier run" in (run / "report.html").read_text()


def test_a_changed_scenario_and_an_error_run_again(tmp_path):
    """A case whose scenario file changed since is run again, as is one whose verdict was
    error; an unchanged passing case is kept."""
    folder = _copy_scenarios(tmp_path)
    run = tmp_path / "run"
    run_suite(_cases(folder), OPTIONS, run, workers=1)
    ids = sorted(_verdicts(run))
    changed, errored = ids
    path = folder / f"{changed}.xosc"
    path.write_text(path.read_text() + "\n<!-- edited -->\n")
    res_path = run / "cases" / errored / "result.json"
    res = json.loads(res_path.read_text())
    res["verdict"] = "error"
    res_path.write_text(json.dumps(res))
    pool = Recording()
    run_suite(_cases(folder), OPTIONS, run, workers=1, pool=pool, resume=True)
    assert sorted(pool.ran) == ids
    pool = Recording()
    run_suite(_cases(folder), OPTIONS, run, workers=1, pool=pool, resume=True)
    assert pool.ran == []               # now both stand: nothing runs, the reports are rewritten
    assert set(_verdicts(run)) == set(ids)


@pytest.mark.parametrize("change, named", [
    ({"seed": 7}, "seed was 0, this run's is 7"),
    ({"options": RunOptions(max_sim_time=3.0)}, "max_sim_time_s was 2.0"),
    ({"cases": "one"}, "had 2 cases, this one 1"),
    ({"options": RunOptions(max_sim_time=2.0, v2x=False)}, "v2x was True, this run's is False"),
])
def test_a_run_that_differs_is_refused_and_the_folder_left_as_it_was(tmp_path, change, named):
    run = tmp_path / "run"
    run_suite(_cases(WUHAN), OPTIONS, run, workers=1)
    files = {p: p.read_bytes() for p in run.rglob("*") if p.is_file()}
    cases = make_cases([WUHAN / "cut_in.xosc"], 0) if change.get("cases") else _cases(WUHAN)
    with pytest.raises(RunnerError, match=named) as err:
        run_suite(cases, change.get("options", OPTIONS), run, workers=1,
                  seed=change.get("seed", 0), pool=Recording(), resume=True)
    assert err.value.element == "--resume"
    assert {p: p.read_bytes() for p in run.rglob("*") if p.is_file()} == files


def test_resume_on_the_command_line(tmp_path):
    """Exit 2 with one line: no --out, a folder without a run, other options; resuming a
    finished run keeps its case and exits as it did (1: a 2 s run fails its criteria)."""
    invoke = CliRunner().invoke
    r = invoke(app, ["run", "--suite", "smoke", "--resume"])
    assert r.exit_code == 2 and "expected --out" in r.output
    r = invoke(app, ["run", "--suite", "smoke", "--out", str(tmp_path / "none"), "--resume"])
    assert r.exit_code == 2 and "nothing to resume" in r.output
    assert not (tmp_path / "none").exists()
    run = tmp_path / "run"
    args = ["run", str(WUHAN / "stationary_vehicle.xosc"), "--workers", "1", "--max-time", "2",
            "--out", str(run)]
    assert invoke(app, args).exit_code == 1
    r = invoke(app, args + ["--resume"])
    assert r.exit_code == 1, r.output
    assert "resuming: 1 of 1 case(s) kept" in r.output
    r = invoke(app, args + ["--resume", "--dt", "0.1"])
    assert r.exit_code == 2 and "dt_s was 0.05" in r.output


def test_a_changed_run_input_a_missing_folder_and_other_trace_output_are_refused(tmp_path):
    """Review 15: a run-level input (here the catalogue, as the earlier manifest recorded
    it) hashed otherwise now, another --trace, or no folder at all: refused, nothing made."""
    from runners.suite import CATALOGUE_FILE
    run = tmp_path / "run"
    run_suite(_cases(WUHAN), OPTIONS, run, workers=1)
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["inputs"][str(CATALOGUE_FILE)] = "0" * 64
    (run / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RunnerError, match="catalogue.json changed since the earlier run"):
        run_suite(_cases(WUHAN), OPTIONS, run, workers=1, pool=Recording(), resume=True)
    run_suite(_cases(WUHAN), OPTIONS, run, workers=1)          # a fresh run replaces it
    with pytest.raises(RunnerError, match="trace was None, this run's is 'csv'"):
        run_suite(_cases(WUHAN), RunOptions(max_sim_time=2.0, trace="csv"), run, workers=1,
                  pool=Recording(), resume=True)
    with pytest.raises(RunnerError, match="nothing to resume"):
        run_suite(_cases(WUHAN), OPTIONS, tmp_path / "none", workers=1, resume=True)
    assert not (tmp_path / "none").exists()


def test_a_result_whose_map_is_gone_or_that_was_hand_edited_runs_again(tmp_path):
    """A kept result must still stand: its input files hash the same (a map deleted since:
    run again) and it is a valid case record (a verdict "pass" with a failed criterion, or
    a result.json replaced by a link, is not kept)."""
    folder = _copy_scenarios(tmp_path)
    run = tmp_path / "run"
    run_suite(_cases(folder), OPTIONS, run, workers=1)
    first, second = sorted(_verdicts(run))
    bad = json.loads((run / "cases" / second / "result.json").read_text())
    bad["verdict"], bad["criteria"][0]["status"] = "pass", "fail"
    (run / "cases" / second / "result.json").write_text(json.dumps(bad))
    pool = Recording()
    run_suite(_cases(folder), OPTIONS, run, workers=1, pool=pool, resume=True)
    assert pool.ran == [second]
    (tmp_path / "maps" / "wuhan" / "wuhan_testzone.xodr").unlink(missing_ok=True)
    (tmp_path / "maps" / "wuhan" / "wuhan_section1.xodr").unlink()
    pool = Recording()
    report = run_suite(_cases(folder), OPTIONS, run, workers=1, pool=pool, resume=True)
    assert sorted(pool.ran) == [first, second]
    assert {r["verdict"] for r in report.results} == {"error"}    # the map is gone


def test_hostile_folders_are_refused_or_their_results_run_again(tmp_path):
    """Hostile pass 15: a cases/ that is a link to the user's files is refused and nothing
    in it removed; a result whose inputs name /dev/zero (not read), whose recording is gone,
    or whose inputs leave out its scenario, runs again; an input of this run the earlier
    one did not have (another stack's file) is refused."""
    run = tmp_path / "run"
    run_suite(_cases(WUHAN), OPTIONS, run, workers=1)
    first, second = sorted(_verdicts(run))
    res_path = run / "cases" / first / "result.json"
    res = json.loads(res_path.read_text())
    res["inputs"]["/dev/zero"] = "0" * 64
    res_path.write_text(json.dumps(res))
    (run / "cases" / second / "recording.jsonl").unlink()
    pool = Recording()
    run_suite(_cases(WUHAN), OPTIONS, run, workers=1, pool=pool, resume=True)
    assert sorted(pool.ran) == [first, second]
    res = json.loads(res_path.read_text())
    del res["inputs"][res["scenario_file"]]
    res_path.write_text(json.dumps(res))
    pool = Recording()
    run_suite(_cases(WUHAN), OPTIONS, run, workers=1, pool=pool, resume=True)
    assert pool.ran == [first]
    stack = tmp_path / "stack.py"
    stack.write_text("x = 1\n")
    with pytest.raises(RunnerError, match="stack.py is an input of this run, not of the "):
        run_suite(_cases(WUHAN), OPTIONS, run, workers=1, pool=Recording(), resume=True,
                  extra_inputs=[stack])
    mine = tmp_path / "mine"
    (mine / first).mkdir(parents=True)
    (mine / first / "precious.txt").write_text("keep me")
    shutil.rmtree(run / "cases")
    (run / "cases").symlink_to(mine)
    with pytest.raises(RunnerError, match="its cases/ is not a folder; give --out a new"):
        run_suite(_cases(WUHAN), OPTIONS, run, workers=1, pool=Recording(), resume=True)
    assert (mine / first / "precious.txt").read_text() == "keep me"


def test_another_pythonpath_is_refused(tmp_path, monkeypatch):
    """Hostile pass 15: a module:Class stack imported through another PYTHONPATH is another
    stack; its earlier results are not kept (the manifest's environment differs)."""
    run = tmp_path / "run"
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "stack_a"))
    run_suite(_cases(WUHAN), OPTIONS, run, workers=1)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "stack_b"))
    with pytest.raises(RunnerError, match="the earlier run's environment was"):
        run_suite(_cases(WUHAN), OPTIONS, run, workers=1, pool=Recording(), resume=True)
