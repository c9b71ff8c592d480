"""``testzone run`` as a user types it: report folder, exit statuses, determinism, Ray."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from runners.case import sha256_of
from runners.cli import app

ROOT = Path(__file__).resolve().parents[2]
WUHAN = ROOT / "scenarios" / "wuhan"


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def summary_without_times(run_dir: Path) -> dict:
    doc = json.loads((run_dir / "summary.json").read_text())
    doc.pop("manifest", None)  # carries the creation time and the command line
    return doc


def test_bad_input_exits_2_with_one_line_and_other_cases_still_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xosc"
    bad.write_text("<OpenSCENARIO>\n  <FileHeader revMajor='1' revMinor='1'/>\n  <Entities>\n")
    res = invoke("run", str(bad), str(WUHAN / "cut_in.xosc"), "--workers", "1",
                 "--out", str(tmp_path / "run"))
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("error: bad")]
    assert len(lines) == 1 and "bad.xosc:" in lines[0]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    verdicts = {c["case_id"]: c["verdict"] for c in summary["cases"]}
    assert verdicts == {"bad": "error", "cut_in": "pass"}
    for name in ("manifest.json", "junit.xml", "report.html"):
        assert (tmp_path / "run" / name).is_file()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke("run", str(tmp_path / "missing.xosc"), "--out",
                  str(tmp_path / "m")).exit_code == 2
    assert invoke("run", "--suite", "no-such-suite").exit_code == 2
    res = invoke("run", str(WUHAN / "cut_in.xosc"), "--agent", "nope")
    assert res.exit_code == 2 and "nope" in res.output
    assert invoke("run").exit_code == 2


def test_a_suite_file_of_ones_own(tmp_path: Path) -> None:
    """New-user pass 10: `--suite` took only the names of the generated suites.json; a test
    engineer's own list of cases (a JSON list of paths relative to the file) runs now, and
    the manifest hashes it."""
    import os
    from runners.case import sha256_of
    (tmp_path / "mine").mkdir()
    suite = tmp_path / "mine" / "week1.json"
    rel = os.path.relpath(WUHAN / "cut_in.xosc", suite.parent)
    suite.write_text(json.dumps([rel, "missing.xosc"]))
    res = invoke("run", "--suite", str(suite), "--workers", "1", "--max-time", "1",
                 "--out", str(tmp_path / "run"))
    assert res.exit_code == 2, res.output      # missing.xosc: one error case, cut_in still ran
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["inputs"][str(suite.resolve())] == sha256_of(suite)
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert {c["case_id"]: c["verdict"] for c in summary["cases"]} == {
        "cut_in": "fail", "missing": "error"}   # 1 s: the StopTrigger was not reached
    for text, says in [("{\"a\": 1}", "expected a non-empty JSON list of .xosc paths"),
                       ("[]", "expected a non-empty JSON list"),
                       ("[3]", "entry 0 must be a path (a non-empty string), got 3"),
                       ("[\"a.xosc\",", "not a JSON suite file")]:
        suite.write_text(text)
        res = invoke("run", "--suite", str(suite), "--out", str(tmp_path / "bad"))
        assert res.exit_code == 2 and says in res.output and str(suite) in res.output, \
            res.output
    res = invoke("run", "--suite", str(tmp_path / "none.json"), "--out", str(tmp_path / "n"))
    assert res.exit_code == 2 and "none.json" in res.output
    # verify pass 10: a folder entry was "a directory"; it is read as on the command line
    from runners.suite import suite_files
    (tmp_path / "mine" / "cases").mkdir()
    (tmp_path / "mine" / "cases" / "a.xosc").write_text("<OpenSCENARIO/>")
    suite.write_text(json.dumps(["cases"]))
    assert suite_files(str(suite)) == [(tmp_path / "mine" / "cases" / "a.xosc").resolve()]


def test_failed_criteria_exit_1_and_junit_names_them(tmp_path: Path) -> None:
    res = invoke("run", str(WUHAN / "stationary_vehicle.xosc"), "--agent", "naive",
                 "--workers", "1", "--out", str(tmp_path))
    assert res.exit_code == 1, res.output
    assert "no_collision" in res.output
    junit = etree.parse(str(tmp_path / "junit.xml"))
    failed = [tc.get("name") for tc in junit.iter("testcase") if tc.find("failure") is not None]
    assert any("no_collision" in name for name in failed)


def test_two_runs_give_identical_summaries_and_ray_matches_in_process(tmp_path: Path) -> None:
    files = [str(WUHAN / "cut_in.xosc"), str(WUHAN / "stationary_vehicle.xosc")]
    a = invoke("run", *files, "--workers", "1", "--out", str(tmp_path / "a"))
    b = invoke("run", *files, "--workers", "1", "--out", str(tmp_path / "b"))
    c = invoke("run", *files, "--workers", "2", "--out", str(tmp_path / "ray"))
    assert a.exit_code == b.exit_code == c.exit_code and a.exit_code in (0, 1), c.output
    sa = summary_without_times(tmp_path / "a")
    assert sa == summary_without_times(tmp_path / "b")
    assert sa == summary_without_times(tmp_path / "ray")
    raw_a = (tmp_path / "a" / "summary.json").read_text()
    raw_b = (tmp_path / "b" / "summary.json").read_text()
    strip = [ln for ln in raw_a.splitlines() if "created" not in ln and "command" not in ln]
    assert strip == [ln for ln in raw_b.splitlines() if "created" not in ln
                     and "command" not in ln]


def test_option_values_no_run_can_use_exit_2_naming_the_option(tmp_path: Path) -> None:
    cut_in = str(WUHAN / "cut_in.xosc")
    for option, value in (("--workers", "-1"), ("--step-timeout", "0"),
                          ("--case-timeout", "nan"), ("--connect-timeout", "-1"),
                          ("--max-time", "inf"), ("--dt", "nan"), ("--seed", "-1"),
                          ("--utc-start", "2026-12-01T08:00"), ("--utc-start", "noon")):
        res = invoke("run", cut_in, option, value, "--out", str(tmp_path / "r"))
        errors = [ln for ln in res.output.splitlines() if ln.startswith("error:")]
        assert res.exit_code == 2 and errors and option in errors[0], (option, res.output)
    assert not (tmp_path / "r").exists()  # refused before anything ran


def test_zmq_agent_at_a_closed_port_fails_at_once_with_exit_3(tmp_path: Path) -> None:
    import socket
    import time
    with socket.socket() as s:  # a port nobody listens on once this socket is closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    res = invoke("run", str(WUHAN / "cut_in.xosc"), "--agent", f"zmq://127.0.0.1:{port}",
                 "--out", str(tmp_path / "r"))
    assert res.exit_code == 3, res.output
    assert time.monotonic() - start < 10
    errors = [ln for ln in res.output.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "nothing answered" in errors[0] and str(port) in errors[0]


def test_report_of_a_recording_with_non_finite_positions_is_still_written(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    res = invoke("run", str(WUHAN / "cut_in.xosc"), "--workers", "1", "--max-time", "2",
                 "--out", str(run_dir))
    assert res.exit_code in (0, 1), res.output
    rec = run_dir / "cases" / "cut_in" / "recording.jsonl"
    lines = []
    for ln in rec.read_text().splitlines():
        obj = json.loads(ln)
        if obj["type"] == "frame":  # every position and speed lost (written as null = NaN)
            for row in obj["e"].values():
                row[0] = row[1] = row[6] = None
        lines.append(json.dumps(obj))
    rec.write_text("\n".join(lines) + "\n")
    (run_dir / "report.html").unlink()
    res = invoke("report", str(run_dir))
    assert res.exit_code == 0, res.output
    page = (run_dir / "report.html").read_text()
    assert "trajectories not drawn" in page and "no finite position" in page


def test_interrupted_run_keeps_and_reports_what_finished(tmp_path):
    """Ctrl-C after the first case: manifest (marked interrupted, with the first case's input
    hashes) and report are written, the report names the missing case, and the interrupt goes
    on to the caller."""
    import pytest
    from runners.case import RunOptions
    from runners.interfaces import WorkerPool
    from runners.suite import make_cases, run_suite

    class InterruptedPool(WorkerPool):
        def map_unordered(self, tasks):
            task = list(tasks)[0]
            yield task.key, task.fn(*task.args)
            raise KeyboardInterrupt

    cases = make_cases([WUHAN / "cut_in.xosc", WUHAN / "stationary_vehicle.xosc"], 0)
    with pytest.raises(KeyboardInterrupt, match="1 of 2 cases done"):
        run_suite(cases, RunOptions(max_sim_time=2.0), tmp_path, workers=1,
                  pool=InterruptedPool())
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["interrupted"] is True
    assert str(WUHAN / "cut_in.xosc") in manifest["inputs"]
    # what decides a verdict besides the scenario: criteria, weights, the RSUs, the code
    from runners.suite import CATALOGUE_FILE, WEIGHTS_FILE
    from testzone.provenance import tool_identity
    layout = str(ROOT / "maps" / "wuhan" / "wuhan_section1.rsu.json")
    for path in (str(CATALOGUE_FILE), str(WEIGHTS_FILE), layout):
        assert manifest["inputs"][path] == sha256_of(path)
    assert manifest["tool_identity"] == tool_identity()
    html = (tmp_path / "report.html").read_text()
    assert "1 of the 2 cases in the manifest have no result" in html
    assert "stationary_vehicle" in html


def test_a_run_into_an_earlier_runs_folder_replaces_that_run(tmp_path):
    """Hostile pass 6: an interrupted run into a reused --out gathered the earlier run's
    result.json as its own (summary: pass, for a case that never finished). The earlier
    run's files go first; a cases/ folder no run wrote is never touched (exit 2)."""
    import pytest
    from runners.case import RunOptions
    from runners.interfaces import RunnerError, WorkerPool
    from runners.run_folder import prepare_run_dir
    from runners.suite import make_cases, run_suite

    class InterruptedAtOnce(WorkerPool):
        def map_unordered(self, tasks):
            raise KeyboardInterrupt
            yield                                     # a generator, as pools are

    run = tmp_path / "run"
    run_suite(make_cases([WUHAN / "cut_in.xosc", WUHAN / "stationary_vehicle.xosc"], 0),
              RunOptions(max_sim_time=1.0), run, workers=1)
    assert (run / "cases" / "stationary_vehicle" / "result.json").is_file()
    with pytest.raises(KeyboardInterrupt, match="0 of 1 cases done"):
        run_suite(make_cases([WUHAN / "cut_in.xosc"], 0), RunOptions(max_sim_time=1.0),
                  run, workers=1, pool=InterruptedAtOnce())
    assert json.loads((run / "summary.json").read_text())["cases"] == []
    assert not (run / "cases" / "stationary_vehicle").exists()
    own = tmp_path / "mine"
    (own / "cases").mkdir(parents=True)
    (own / "cases" / "my.xosc").write_text("<OpenSCENARIO/>")
    with pytest.raises(RunnerError, match="no testzone run wrote") as err:
        prepare_run_dir(own)
    assert err.value.element == "--out" and (own / "cases" / "my.xosc").is_file()


def test_clearing_an_earlier_run_never_removes_what_it_did_not_write(tmp_path):
    """Hostile pass 7: a manifest.json linked from another run, or a hand-made one saying
    "tool": "icv-testzone", had cases/ removed with the user's photos in it; a summary.json
    that was a folder was found after manifest and cases/ were gone."""
    import os

    import pytest
    from runners.case import RunOptions
    from runners.interfaces import RunnerError
    from runners.run_folder import prepare_run_dir
    from runners.suite import make_cases, run_suite
    earlier = tmp_path / "earlier"
    run_suite(make_cases([WUHAN / "cut_in.xosc"], 0), RunOptions(max_sim_time=0.5), earlier,
              workers=1)

    def folder(name, manifest):
        d = tmp_path / name
        (d / "cases" / "photos").mkdir(parents=True)
        (d / "cases" / "photos" / "a.jpg").write_bytes(b"jpg")
        manifest(d / "manifest.json")
        return d
    linked = folder("linked", lambda m: os.symlink(earlier / "manifest.json", m))
    handmade = folder("handmade", lambda m: m.write_text('{"tool": "icv-testzone"}'))
    for d in (linked, handmade):
        with pytest.raises(RunnerError, match="no testzone run wrote"):
            prepare_run_dir(d)
        assert (d / "cases" / "photos" / "a.jpg").read_bytes() == b"jpg"
    # a real earlier run: only the case folders its manifest lists go
    (earlier / "cases" / "photos").mkdir()
    (earlier / "cases" / "photos" / "a.jpg").write_bytes(b"jpg")
    odd = tmp_path / "odd"
    import shutil
    shutil.copytree(earlier, odd)
    (odd / "summary.json").unlink()
    (odd / "summary.json").mkdir()
    with pytest.raises(RunnerError, match="its summary.json is not a regular file"):
        prepare_run_dir(odd)
    assert (odd / "manifest.json").is_file() and (odd / "cases" / "cut_in").is_dir()
    prepare_run_dir(earlier)
    assert sorted(p.name for p in earlier.rglob("*")) == ["a.jpg", "cases", "photos"]


def test_a_folder_another_running_run_writes_into_is_refused(tmp_path):
    """Known gap of session 8: two runs given the same --out at once cleared and mixed each
    other's files. The folder is locked while a run holds it; the other run is refused,
    before it touches anything, and the folder is free again when the first one ends."""
    import subprocess
    import sys

    import pytest
    from runners.interfaces import RunnerError
    from runners.run_folder import prepare_run_dir
    shared = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from runners.run_folder import prepare_run_dir; prepare_run_dir(Path(sys.argv[1])); "
         "(Path(sys.argv[1]) / 'manifest.json').write_text('{}'); print('held', flush=True); "
         "time.sleep(60)", str(shared)], stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunnerError, match="another run is writing into this folder") \
                as err:
            prepare_run_dir(shared)
        assert err.value.element == "--out" and (shared / "manifest.json").read_text() == "{}"
    finally:
        holder.kill()
        holder.wait()
    (shared / "manifest.json").unlink()
    assert prepare_run_dir(shared) == shared


def test_a_folder_that_cannot_be_locked_is_refused_as_such(tmp_path, monkeypatch):
    """Hostile pass 9 (from the code): flock failing with ENOLCK (some NFS or FUSE mounts)
    read "cannot write in the run folder"; it names the lock now."""
    import errno
    import fcntl

    import pytest
    from runners.interfaces import RunnerError
    from runners.run_folder import prepare_run_dir

    def no_locks(fd, op):
        raise OSError(errno.ENOLCK, "No locks available")
    monkeypatch.setattr(fcntl, "flock", no_locks)
    with pytest.raises(RunnerError, match=r"cannot lock the run folder \(No locks available\)"):
        prepare_run_dir(tmp_path / "nfs")


def test_the_reports_are_written_before_the_pool_closes(tmp_path):
    """ray.shutdown() resets SIGTERM to its default action in the OS: a SIGTERM while it ran
    killed the run before its reports (hostile pass 6). They now come first."""
    from runners.case import RunOptions
    from runners.interfaces import WorkerPool
    from runners.suite import make_cases, run_suite
    seen = []

    class Pool(WorkerPool):
        def map_unordered(self, tasks):
            for t in tasks:
                yield t.key, t.fn(*t.args)

        def close(self):
            seen.append(sorted(p.name for p in tmp_path.iterdir()))
    run_suite(make_cases([WUHAN / "cut_in.xosc"], 0), RunOptions(max_sim_time=1.0), tmp_path,
              workers=1, pool=Pool())
    assert seen == [["cases", "junit.xml", "manifest.json", "report.html", "summary.json"]]


def test_a_sigterm_that_ray_turns_into_a_plain_interrupt_is_still_a_termination(tmp_path):
    """Hostile pass 7: SIGTERM mid-run exited 130 "interrupted": inside ray.wait Ray raises a
    plain KeyboardInterrupt in place of ours. The handler's note decides (143)."""
    import os
    import signal

    import pytest
    from runners.case import RunOptions
    from runners.interfaces import WorkerPool
    from runners.suite import Terminated, make_cases, run_suite

    class RayLikePool(WorkerPool):
        def map_unordered(self, tasks):
            try:
                os.kill(os.getpid(), signal.SIGTERM)
            except KeyboardInterrupt:
                raise KeyboardInterrupt from None       # what Ray's ray.wait does with it
            yield                                       # never reached

    with pytest.raises(Terminated, match="0 of 1 cases done"):
        run_suite(make_cases([WUHAN / "cut_in.xosc"], 0), RunOptions(), tmp_path, workers=2,
                  pool=RayLikePool())
    with pytest.raises(KeyboardInterrupt) as plain:     # a Ctrl-C stays an interrupt
        class CtrlC(WorkerPool):
            def map_unordered(self, tasks):
                raise KeyboardInterrupt
                yield
        run_suite(make_cases([WUHAN / "cut_in.xosc"], 0), RunOptions(), tmp_path / "b",
                  workers=2, pool=CtrlC())
    assert type(plain.value) is KeyboardInterrupt


def test_sigterm_while_ray_starts_is_a_termination_with_reports(tmp_path, monkeypatch):
    """ray.init sets a SIGTERM handler of its own that exits with status 15: it is taken as
    the run's termination (exit 143 in the CLI, reports of no case), as documented."""
    import pytest
    import runners.suite as suite
    from runners.case import RunOptions

    def starting_pool(*args):
        raise SystemExit(15)
    monkeypatch.setattr(suite, "make_pool", starting_pool)
    with pytest.raises(suite.Terminated, match="0 of 1 cases done"):
        suite.run_suite(suite.make_cases([WUHAN / "cut_in.xosc"], 0), RunOptions(), tmp_path,
                        workers=2)
    assert json.loads((tmp_path / "summary.json").read_text())["cases"] == []
    monkeypatch.setattr(suite, "make_pool", lambda *a: (_ for _ in ()).throw(SystemExit(2)))
    with pytest.raises(SystemExit):                       # any other exit is not ours
        suite.run_suite(suite.make_cases([WUHAN / "cut_in.xosc"], 0), RunOptions(),
                        tmp_path / "b", workers=2)


def test_sigterm_reports_what_finished_even_a_result_not_yet_collected(tmp_path):
    """SIGTERM is handled as Ctrl-C (observed: the process died, or Ray dumped a stack, and no
    report was written). The second case wrote its result.json just as the signal came (a
    race seen with Ctrl-C too): it is reported as well."""
    import os
    import signal

    import pytest
    from runners.case import RunOptions
    from runners.interfaces import WorkerPool
    from runners.suite import Terminated, make_cases, run_suite

    class TerminatedPool(WorkerPool):
        def map_unordered(self, tasks):
            first, second = list(tasks)
            yield first.key, first.fn(*first.args)
            second.fn(*second.args)                 # finished, not yet handed back
            os.kill(os.getpid(), signal.SIGTERM)
            yield second.key, None                  # never reached

    before = signal.getsignal(signal.SIGTERM)
    cases = make_cases([WUHAN / "cut_in.xosc", WUHAN / "stationary_vehicle.xosc"], 0)
    shown = []
    with pytest.raises(Terminated, match="2 of 2 cases done"):
        run_suite(cases, RunOptions(max_sim_time=2.0), tmp_path, workers=1,
                  pool=TerminatedPool(), on_result=lambda r: shown.append(r["case_id"]))
    # new-user pass 9: a case found on disk was reported but never shown (no line, bar at 0)
    assert shown == ["cut_in", "stationary_vehicle"]
    assert json.loads((tmp_path / "manifest.json").read_text())["interrupted"] is True
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert sorted(c["case_id"] for c in summary["cases"]) == ["cut_in", "stationary_vehicle"]
    assert signal.getsignal(signal.SIGTERM) == before      # the run's handler is gone


def test_output_paths_that_cannot_be_right_are_one_line_exit_2(tmp_path):
    """An empty --out / -o, a -o that is a file or not a .png: exit 2 with one line, nothing
    written (an empty path used to mean the current folder)."""
    runner = CliRunner()
    from reference_data import ESMINI
    xodr = ESMINI / "resources" / "xodr" / "straight_500m.xodr"
    a_file = tmp_path / "f.txt"
    a_file.write_text("x")
    for args in (["run", str(WUHAN / "cut_in.xosc"), "--out", ""],
                 ["scenario", "expand", str(WUHAN / "cut_in.dist.xosc"), "-o", ""],
                 ["scenario", "expand", str(WUHAN / "cut_in.dist.xosc"), "-o", str(a_file)],
                 ["map", "plot", str(xodr), "-o", str(tmp_path / "x.weird")],
                 ["map", "plot", str(xodr), "-o", str(tmp_path / "no" / "x.png")],
                 ["map", "plot", str(xodr), "-o", str(tmp_path)]):
        res = runner.invoke(app, args)
        assert res.exit_code == 2, (args, res.output)
        assert "error:" in res.output and "Traceback" not in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_a_fifo_in_a_scenario_folder_is_skipped(tmp_path):
    import os
    import shutil
    from runners.suite import discover
    shutil.copy(WUHAN / "cut_in.xosc", tmp_path / "a.xosc")
    os.mkfifo(tmp_path / "p.xosc")
    assert discover([tmp_path]) == [(tmp_path / "a.xosc").resolve()]


def test_bad_rsi_command_content_is_bad_input_naming_file_and_line(tmp_path):
    """A V2X.RSI CustomCommandAction whose content the bridge cannot take is refused before
    the run: exit 2, the scenario file and the action's line (observed: exit 3, kind "run",
    raw ValueError / TypeError messages, no file)."""
    text = (WUHAN / "hlw_hazard.xosc").read_text()
    good = '"priority": 6'
    assert good in text
    action = text.rindex("<Action ", 0, text.index(good))
    line = text[:action].count("\n") + 1
    bad = tmp_path / "hlw_bad.xosc"
    bad.write_text(text.replace(good, '"priority": "high"').replace(
        '"../../maps/', f'"{ROOT}/maps/'))
    res = invoke("run", str(bad), "--workers", "1", "--out", str(tmp_path / "out"))
    assert res.exit_code == 2, res.output
    result = json.loads((tmp_path / "out" / "cases" / "hlw_bad" / "result.json").read_text())
    assert result["error_kind"] == "input"
    assert f"hlw_bad.xosc:{line}:" in result["error"]
    assert "'priority' must be an integer" in result["error"]


def test_warnings_print_as_their_own_one_line(capsys):
    """A map warning during a run was printed in Python's format, with our source file and
    code line (observed: `.../runners/case.py:119: UserWarning: warning: ...`)."""
    from runners.cli import _one_line_warning
    _one_line_warning(UserWarning("warning: f.xodr:2: <laneLink>: lane -9\nmissing"),
                      UserWarning, "/x/runners/case.py", 119)
    _one_line_warning(UserWarning("plain"), UserWarning, "/x/y.py", 1)
    # ASAM sweep: a map Issue (file:line: warning: ...) got a second "warning: " in front
    _one_line_warning(UserWarning("/m/a.xodr:145: warning: <signal>: odd"), UserWarning,
                      "/x/y.py", 1)
    assert capsys.readouterr().err == ("warning: f.xodr:2: <laneLink>: lane -9 missing\n"
                                       "warning: plain\n"
                                       "/m/a.xodr:145: warning: <signal>: odd\n")


def test_agent_config_that_is_not_a_regular_file_is_a_usage_error(tmp_path: Path) -> None:
    # /dev/zero was read until the OOM killer came, a FIFO waited forever (hostile pass 4)
    import os
    fifo = tmp_path / "cfg.json"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo), str(tmp_path)):
        res = invoke("run", "--suite", "smoke", "--agent-config", path, "--out",
                     str(tmp_path / "out"))
        assert res.exit_code == 2, res.output
        assert "--agent-config" in res.output and "agent config" in res.output
    big = tmp_path / "big.json"
    big.write_text(" " * ((1 << 20) + 1))
    res = invoke("run", "--suite", "smoke", "--agent-config", str(big), "--out",
                 str(tmp_path / "out"))
    assert res.exit_code == 2 and "more than the 1048576 accepted" in res.output
    # hostile pass 8: a 5001-digit integer was a ValueError traceback (exit 1)
    for text, reason in (('{"k": 1%s}' % ("0" * 5000), "more digits than can be read"),
                         ("[" * 100000, "nested too deeply"),
                         ('{"k": \n', "invalid JSON")):
        big.write_text(text)
        res = invoke("run", "--suite", "smoke", "--agent-config", str(big), "--out",
                     str(tmp_path / "out"))
        assert res.exit_code == 2 and reason in res.output and "Traceback" not in res.output
        assert len(res.output.strip().splitlines()) == 1, res.output


def test_a_missing_file_is_one_error_case_and_the_others_still_run(tmp_path: Path) -> None:
    # it aborted the whole run before any case (hostile pass 4); a FIFO was "no such file"
    import os
    fifo = tmp_path / "pipe.xosc"
    os.mkfifo(fifo)
    res = invoke("run", str(WUHAN / "cut_in.xosc"), str(tmp_path / "nope.xosc"), str(fifo),
                 "--workers", "1", "--out", str(tmp_path / "run"))
    assert res.exit_code == 2, res.output
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    cases = {c["case_id"]: c for c in summary["cases"]}
    assert cases["cut_in"]["verdict"] == "pass"
    assert "scenario file not found" in cases["nope"]["error"]
    assert "scenario file is not a regular file" in cases["pipe"]["error"]


def test_the_case_line_names_criteria_that_were_not_evaluated() -> None:
    """New-user pass 9b: a criterion on a misspelt statistic printed a plain PASS; the line
    now says which criteria were never judged."""
    from runners.cli import _result_line
    res = {"case_id": "c", "verdict": "pass", "score": 100.0,
           "criteria": [{"id": "gap", "status": "not_evaluated"},
                        {"id": "ttc_min", "status": "pass"}]}
    assert _result_line(res) == "PASS  c score 100.0  not evaluated: gap"
    res["criteria"] = [{"id": "ttc_min", "status": "pass"}]
    assert _result_line(res) == "PASS  c score 100.0"
    # new-user pass 10: the case's own criterion with nothing to judge passed without a word
    res["criteria"] = [{"id": "spat", "status": "not_applicable", "declared": True},
                       {"id": "speed_limit", "status": "not_applicable", "declared": False}]
    assert _result_line(res) == "PASS  c score 100.0  not applicable: spat"
    res["criteria"] = []
    res["findings"] = {"run_end": [{"end_reason": "stop_trigger",
                                    "never_started": ["S::A::G::M::RSI event"]}]}
    assert _result_line(res) == "PASS  c score 100.0  never started: RSI event"
    # author pass 14: a StopTrigger that never fired was "reached_stop_trigger (measured 0.0"
    res = {"case_id": "c", "verdict": "fail", "score": 90.0,
           "criteria": [{"id": "reached_stop_trigger", "status": "fail", "measured": 0.0,
                         "unit": "bool", "rule": "==", "threshold": 1.0}],
           "findings": {"run_end": [{"end_reason": "timeout", "message": "simulation time "
                                     "reached 300 s before the StopTrigger"}]}}
    assert _result_line(res) == ("FAIL  c score  90.0  failed: reached_stop_trigger (measured "
                                 "0.0 bool, expected == 1.0)  simulation time reached 300 s "
                                 "before the StopTrigger")


def test_the_manifest_identifies_a_module_class_stack_and_how_it_imports(tmp_path, monkeypatch):
    """New-user pass 11: a `module:Class` run's manifest had no file of the stack, nor the
    PYTHONPATH it imported from: its `command` could not be run again, nor the stack under
    test told apart. Now the stack's own modules (the class's and what it imports beside it,
    not the standard library, installed packages or this project) are hashed, and PYTHONPATH
    is recorded. Session 12: with the modules its source imports only inside a function
    (``setup()``), and what those import."""
    pkg = tmp_path / "stack" / "acme"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "gains.py").write_text("ACCEL = 0.5\n")
    (pkg / "lazy.py").write_text("import numpy\nimport acme.deeper\n"
                                  "def never():\n    from acme import missing\n")
    (pkg / "deeper.py").write_text("X = 1\n")
    (pkg / "unused.py").write_text("X = 2\n")
    (pkg / "planner.py").write_text(
        "import json\n"
        "from acme.gains import ACCEL\n"
        "from runners.interfaces import Agent, Control\n"
        "class Stack(Agent):\n"
        "    name = 'acme'\n"
        "    def setup(self, vehicle, road_network, config):\n"
        "        from . import lazy   # loaded late, as stacks load heavy modules\n"
        "    def step(self, obs):\n"
        "        return Control(acceleration=ACCEL, steering=0.0)\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "stack"))
    res = invoke("run", str(WUHAN / "cut_in.xosc"), "--agent", "acme.planner:Stack",
                 "--workers", "1", "--max-time", "0.5", "--out", str(tmp_path / "run"))
    assert res.exit_code in (0, 1), res.output
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["environment"] == {"PYTHONPATH": str(tmp_path / "stack")}
    stack = {p: h for p, h in manifest["inputs"].items() if p.startswith(str(tmp_path))}
    assert stack == {str((pkg / f).resolve()):                       # not unused.py
                     hashlib.sha256((pkg / f).read_bytes()).hexdigest()
                     for f in ("__init__.py", "gains.py", "planner.py", "lazy.py", "deeper.py")}


def test_a_run_whose_pool_never_started_says_so_in_its_folder(tmp_path: Path) -> None:
    """New-user pass 11: a run whose Ray pool failed to start left a folder with a bare
    manifest, which `testzone report` called "not a run folder". The manifest records why
    (`not_started`) and report says the run did not start."""
    import socket
    with socket.socket() as s:          # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "run"
    res = invoke("run", str(WUHAN / "cut_in.xosc"), str(WUHAN / "stationary_vehicle.xosc"),
                 "--workers", "2", "--ray-address", f"127.0.0.1:{port}", "--out", str(out))
    assert res.exit_code == 3, res.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["not_started"].startswith(f"no Ray cluster answers at 127.0.0.1:{port}")
    rep = invoke("report", str(out))
    assert rep.exit_code == 2
    assert "the run did not start (no Ray cluster answers" in rep.output


def test_a_file_given_twice_is_noted(tmp_path: Path) -> None:
    """Hostile pass 11: a suite listing one file twice ran it twice without a word."""
    res = invoke("run", str(WUHAN / "cut_in.xosc"), str(WUHAN / "cut_in.xosc"), "--workers",
                 "1", "--max-time", "0.5", "--out", str(tmp_path / "run"))
    assert f"note: {WUHAN / 'cut_in.xosc'} is given 2 times: each runs as a case of its own" \
        in res.output
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert sorted(c["case_id"] for c in summary["cases"]) == ["cut_in", "cut_in-2"]


def test_replacing_a_run_keeps_it_until_the_new_one_can_start_and_no_run_nests(tmp_path):
    """Hostile pass 11b: a file of the user's in an earlier run's cases/ made the second
    check of the folder refuse it after the first had removed the earlier run: both runs
    lost. And a run folder inside another's (its cases/) was removed with it."""
    first = tmp_path / "R3"
    args = [str(WUHAN / "cut_in.xosc"), "--workers", "1", "--max-time", "0.5"]
    assert invoke("run", *args, "--out", str(first)).exit_code in (0, 1)
    (first / "cases" / "notes.txt").write_text("mine")
    again = invoke("run", *args, "--out", str(first))
    assert again.exit_code in (0, 1), again.output
    assert (first / "summary.json").is_file() and (first / "cases" / "cut_in").is_dir()
    assert (first / "cases" / "notes.txt").read_text() == "mine"
    nested = invoke("run", *args, "--out", str(first / "cases" / "inner"))
    assert nested.exit_code == 2
    assert f"the folder lies inside the cases/ of the run folder {first}" in nested.output


def test_a_run_folder_named_outside_utf8_gets_its_reports(tmp_path: Path) -> None:
    """Hostile pass 11b: --out with a byte that is not UTF-8 ran the case, then a traceback
    (UnicodeEncodeError) and no summary or report; the manifest now writes such names as
    \\xff escapes, and `report` reads the folder back."""
    import os
    import subprocess
    import sys
    out = Path(os.fsdecode(bytes(tmp_path) + b"/o\xff"))
    testzone = Path(sys.executable).parent / "testzone"   # the console script, as typed
    res = subprocess.run([testzone, "run", str(WUHAN / "cut_in.xosc"),
                          "--workers", "1", "--max-time", "0.5", "--out", os.fsencode(out)],
                         capture_output=True, text=True, errors="replace", timeout=120)
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"][-1].endswith("/o\\xff")
    assert (out / "summary.json").is_file() and (out / "report.html").is_file()
    again = subprocess.run([testzone, "report", os.fsencode(out)], capture_output=True,
                           timeout=120)
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("config, says", [
    ('{"k": 100000000000000000000}', "value at k is an integer beyond 64 bits"),
    ('{"a": ' + "[" * 40 + "]" * 40 + "}", "nests deeper than 32 levels at a[0]"),
    ('{"\\ud800": 1}', "holds a lone surrogate"),
])
def test_an_agent_config_the_run_cannot_carry_is_refused_before_any_case(tmp_path, config,
                                                                         says):
    """Hostile pass 11b: these reached a file.py stack and every case errored (msgpack's
    OverflowError), or the run's summary and report refused its own manifest."""
    cfg = tmp_path / "cfg.json"
    cfg.write_text(config)
    stack = tmp_path / "stack.py"
    stack.write_text("from runners.interfaces import Agent, Control\n"
                     "class Stack(Agent):\n"
                     "    def setup(self, vehicle, road_network, config):\n"
                     "        pass\n"
                     "    def step(self, obs):\n"
                     "        return Control(acceleration=0.0)\n")
    res = invoke("run", str(WUHAN / "cut_in.xosc"), "--agent", f"{stack}:Stack",
                 "--agent-config", str(cfg), "--out", str(tmp_path / "run"))
    assert res.exit_code == 2 and says in res.output, res.output
    assert not (tmp_path / "run").exists()


def test_a_case_timeout_beyond_the_clock_is_refused(tmp_path: Path) -> None:
    res = invoke("run", str(WUHAN / "cut_in.xosc"), "--case-timeout", "1e10")
    assert res.exit_code == 2 and "--case-timeout 10000000000.0: expected a finite value in " \
        "(0, 1e+06] [s]" in res.output


def test_a_catalogue_case_carries_its_limitations_into_the_report(tmp_path: Path) -> None:
    """Fresh new-user pass 11: with `naive`, tz_emergency_vehicle passed at 100 although the
    catalogue says yielding on purpose is not exercised; the report never said so. Each case
    carries its catalogue limitations to summary.json and its section of the report."""
    from runners.suite import load_catalogue
    entry = load_catalogue()[str(WUHAN / "tz_emergency_vehicle.xosc")]
    assert entry["limitations"]
    res = invoke("run", str(WUHAN / "tz_emergency_vehicle.xosc"), "--workers", "1",
                 "--max-time", "0.5", "--agent", "naive", "--out", str(tmp_path / "run"))
    assert res.exit_code in (0, 1), res.output
    (case,) = json.loads((tmp_path / "run" / "summary.json").read_text())["cases"]
    assert case["limitations"] == entry["limitations"]
    html = (tmp_path / "run" / "report.html").read_text()
    assert "What this case does not exercise" in html
    assert "yielding on purpose is not exercised" in html


def test_a_copy_of_a_catalogue_case_keeps_its_criteria(tmp_path: Path) -> None:
    """Automaker pass 16: tz_icw_red_runner copied byte for byte into another checkout and
    run through a suite file of one's own was judged on the default criteria only (its PET
    criterion gone: a FAIL became a PASS). The catalogue entry is found by content when the
    path is not the catalogue's; an edited copy is not the catalogue's case."""
    from runners.suite import load_catalogue, make_cases
    original = WUHAN / "tz_icw_red_runner.xosc"
    entry = load_catalogue()[str(original)]
    copy = tmp_path / "checkout" / "tz_icw_red_runner.xosc"
    copy.parent.mkdir()
    copy.write_bytes(original.read_bytes())
    (case,) = make_cases([copy], 0)
    assert case.criteria == tuple(entry["criteria"]) and case.family == entry["family"]
    assert [c["id"] for c in case.criteria] == ["no_collision", "pet"]
    copy.write_bytes(original.read_bytes() + b"<!-- edited -->\n")
    (edited,) = make_cases([copy], 0)
    assert edited.criteria == ()


def test_the_manifest_records_the_frames_utc_start_and_pacing(tmp_path: Path) -> None:
    """``--utc-start`` resolved to UTC (so a run with 'now' can be run again with the instant
    it had); the default is the fixed epoch."""
    cut_in = str(WUHAN / "cut_in.xosc")
    res = invoke("run", cut_in, "--workers", "1", "--max-time", "0.5", "--out",
                 str(tmp_path / "a"), "--utc-start", "2026-12-01T08:00:00+08:00")
    assert res.exit_code in (0, 1), res.output
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["utc_start"] == "2026-12-01T00:00:00.000+00:00"
    assert manifest["realtime"] is False
    from importlib import metadata       # regulator pass 13: the libraries it ran on
    assert manifest["libraries"]["numpy"] == metadata.version("numpy")
    assert manifest["libraries"]["asn1tools"] == metadata.version("asn1tools")
    assert "pytest" not in manifest["libraries"]         # the test extra's are not the run's
    res = invoke("run", cut_in, "--workers", "1", "--max-time", "0.5", "--out",
                 str(tmp_path / "b"), "--realtime")
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["utc_start"] == "2025-01-01T00:00:00.000+00:00"
    assert manifest["realtime"] is True
    res = invoke("run", cut_in, "--workers", "1", "--max-time", "0.5", "--out",
                 str(tmp_path / "c"), "--realtime", "--utc-start", "now")
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert manifest["utc_start"] == "each case's start (its v2x_clock event)"


def test_verify_checks_a_run_against_this_checkout(tmp_path: Path, monkeypatch) -> None:
    """Regulator pass 13: checking a manifest's inputs on a fresh clone needed a script to
    rewrite its absolute paths. ``testzone verify RUN`` hashes them again (relative to the
    run's cwd, under --root) and compares the tool and libraries."""
    monkeypatch.chdir(ROOT)
    res = invoke("run", "scenarios/wuhan/cut_in.xosc", "--workers", "1", "--max-time", "0.5",
                 "--out", str(tmp_path / "a"))
    assert res.exit_code in (0, 1), res.output
    ok = invoke("verify", str(tmp_path / "a"), "--root", str(ROOT))
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines()[-1].endswith("the same as recorded")
    summary = tmp_path / "a" / "summary.json"
    doc = json.loads(summary.read_text())
    m = doc["manifest"]
    key = next(k for k in m["inputs"] if k.endswith("cut_in.xosc"))
    m["inputs"][key] = "0" * 64
    m["libraries"]["numpy"] = "0.0.1"
    summary.write_text(json.dumps(doc))
    bad = invoke("verify", str(tmp_path / "a"), "--root", str(ROOT))
    lines = bad.output.splitlines()
    assert bad.exit_code == 1
    assert f"changed  scenarios/wuhan/cut_in.xosc: sha256 {'0' * 12} -> " in bad.output
    assert any(ln.startswith("changed  library numpy: 0.0.1 -> ") for ln in lines)
    assert lines[-1].endswith("2 differ or are missing")
    # hostile pass 13c: not under --root, a file is looked for where the run read it
    elsewhere = invoke("verify", str(tmp_path / "a"), "--root", str(tmp_path))
    assert elsewhere.exit_code == 1 and "changed  scenarios/wuhan/cut_in.xosc" in \
        elsewhere.output and "missing " not in elsewhere.output
    m["inputs"][str(ROOT / "scenarios" / "gone.xosc")] = "1" * 64
    m["inputs"][str(ROOT) + "/../../etc/hostname"] = "2" * 64   # not under the tool's folder
    del m["tool_identity"]
    summary.write_text(json.dumps(doc))
    bad = invoke("verify", str(tmp_path / "a"), "--root", str(ROOT))
    assert "missing  scenarios/gone.xosc: not found" in bad.output
    assert "missing  tool identity:" in bad.output
    assert "../" not in bad.output.replace(str(ROOT) + "/../../etc/hostname", "")
    m["inputs"] = ["not", "a", "mapping"]
    summary.write_text(json.dumps(doc))
    broken = invoke("verify", str(tmp_path / "a"))
    assert broken.exit_code == 2 and "inputs are not a mapping" in broken.output
    assert invoke("verify", str(tmp_path / "none")).exit_code == 2
    # fresh pass 16: a folder holding the run's manifest.json alone ("reproduce a run from its
    # manifest.json") was refused for want of summary.json
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "manifest.json").write_bytes((tmp_path / "a" / "manifest.json").read_bytes())
    from_manifest = invoke("verify", str(alone), "--root", str(ROOT))
    assert from_manifest.exit_code == 0, from_manifest.output
    assert from_manifest.output.splitlines()[-1].endswith("the same as recorded")


def test_verify_finds_the_tools_own_files_and_digests_the_checkout_given(
        tmp_path: Path, monkeypatch) -> None:
    """Verify pass 13b: a run made from another folder recorded the tool's maps, weights and
    catalogue by the old checkout's absolute paths, which `verify --root` could not map; and
    it compared the running tool's source digest, not the checkout's."""
    monkeypatch.chdir(tmp_path)
    res = invoke("run", str(WUHAN / "cut_in.xosc"), "--workers", "1", "--max-time", "0.5",
                 "--out", str(tmp_path / "a"))
    assert res.exit_code in (0, 1), res.output
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["tool_root"] == str(ROOT) and manifest["cwd"] == str(tmp_path)
    ok = invoke("verify", str(tmp_path / "a"), "--root", str(ROOT))
    assert ok.exit_code == 0, ok.output
    from testzone.provenance import checkout_identity
    fake = tmp_path / "checkout"
    from testzone.provenance import PACKAGES
    for pkg in PACKAGES:
        (fake / pkg).mkdir(parents=True)
    (fake / "testzone" / "__init__.py").write_text('__version__ = "9.9.9"\n')
    there = checkout_identity(fake)
    assert there["version"] == "9.9.9" and there["source_sha256"] != manifest[
        "tool_identity"]["source_sha256"]
