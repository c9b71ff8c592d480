"""End to end on the Wuhan cases: simulate, record, score; errors and determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runners.case import RunOptions, TestCase, run_case
from testzone.recording import read_recording

ROOT = Path(__file__).resolve().parents[2]
WUHAN = ROOT / "scenarios" / "wuhan"
STATIONARY = WUHAN / "stationary_vehicle.xosc"
BAD = Path(__file__).resolve().parent / "bad_agents.py"


STRAIGHT_500M = ROOT.parent / "shared" / "reference" / "esmini" / "resources" / "xodr" / \
    "straight_500m.xodr"


def ego_start(s: float, speed: float) -> str:
    """An Init ``Private`` placing Ego in lane -1 of road 1 at ``s`` [m] at ``speed`` [m/s]."""
    return ('<Private entityRef="Ego"><PrivateAction><TeleportAction><Position><LanePosition '
            f'roadId="1" laneId="-1" s="{s}" offset="0"/></Position></TeleportAction>'
            '</PrivateAction><PrivateAction><LongitudinalAction><SpeedAction>'
            '<SpeedActionDynamics dynamicsShape="step" dynamicsDimension="time" value="0"/>'
            f'<SpeedActionTarget><AbsoluteTargetSpeed value="{speed}"/></SpeedActionTarget>'
            '</SpeedAction></LongitudinalAction></PrivateAction></Private>')


def stationary_variant(path: Path, pattern: str, replacement: str) -> Path:
    """stationary_vehicle.xosc with ``pattern`` (a regular expression, across lines) replaced,
    written to ``path`` with its map path made absolute."""
    import re
    text = re.sub(pattern, replacement, STATIONARY.read_text(), flags=re.S)
    path.write_text(text.replace('filepath="../../maps/', f'filepath="{ROOT}/maps/'))
    return path


def run(path: Path, agent: str, tmp: Path, **opts) -> dict:
    case = TestCase(case_id=path.stem, scenario_file=str(path))
    return run_case(case, RunOptions(agent=agent, **opts), tmp / path.stem)


def test_scenario_agent_hits_stationary_car_when_hand_computed(tmp_path: Path) -> None:
    # Ego (ref. point at the rear axle, box centre +1.4 m, 4.6 m long: front 3.7 m ahead) at
    # 13.8889 m/s; the stopped car 150 m ahead (box centre +1.35 m, 4.5 m long: rear 0.9 m
    # behind its ref. point). Free gap 150 - 3.7 - 0.9 = 145.4 m; ego moves 0.69444 m a step,
    # so the boxes first overlap after ceil(145.4 / 0.69444) = 210 steps: t = 10.50 s.
    res = run(STATIONARY, "scenario", tmp_path)
    assert res["verdict"] == "fail"
    rec = read_recording(tmp_path / "stationary_vehicle" / "recording.jsonl")
    hits = rec.events_of("collision")
    assert hits and hits[0].t == pytest.approx(10.50, abs=0.051)
    assert {hits[0].data["a"], hits[0].data["b"]} == {"Ego", "Stopped"}


def test_idm_stops_behind_the_stationary_car_and_naive_does_not(tmp_path: Path) -> None:
    # car following only (MOBIL off): the ego must stop behind the car
    idm = run(STATIONARY, "idm", tmp_path / "idm", agent_config={"lane_changes": False})
    naive = run(STATIONARY, "naive", tmp_path / "naive")
    assert idm["verdict"] == "pass", idm
    assert idm["metrics"]["collision_count"]["value"] == 0
    # IDM keeps at least about its jam distance s0 = 2 m
    assert 1.5 <= idm["metrics"]["gap_min_m"]["value"] <= 4.0
    rec = read_recording(tmp_path / "idm" / "stationary_vehicle" / "recording.jsonl")
    assert rec.frames[-1].entities["Ego"].speed < 0.2
    assert naive["verdict"] == "fail"
    failed = {c["id"] for c in naive["criteria"] if c["status"] == "fail"}
    assert "no_collision" in failed
    assert idm["score"] > naive["score"]


def test_idm_with_lane_changes_overtakes_the_stationary_car(tmp_path: Path) -> None:
    res = run(STATIONARY, "idm", tmp_path)
    assert res["verdict"] == "pass" and res["metrics"]["collision_count"]["value"] == 0
    rec = read_recording(tmp_path / "stationary_vehicle" / "recording.jsonl")
    ego = rec.track("Ego")
    stopped_x = rec.frames[0].entities["Stopped"].pose.x
    # it passes the stopped car in the left lane (-1) and keeps moving
    assert ego[-1].pose.x > stopped_x + 10.0 and ego[-1].speed > 5.0
    assert any(s.lane is not None and s.lane.lane_id == -1 for s in ego)


def test_same_case_twice_gives_identical_results(tmp_path: Path) -> None:
    a = run(WUHAN / "cut_in.xosc", "idm", tmp_path / "a")
    b = run(WUHAN / "cut_in.xosc", "idm", tmp_path / "b")
    for r in (a, b):
        r.pop("wall_time_s")
    assert a == b
    ra = (tmp_path / "a" / "cut_in" / "recording.jsonl").read_bytes()
    rb = (tmp_path / "b" / "cut_in" / "recording.jsonl").read_bytes()
    assert ra == rb


@pytest.mark.parametrize("text, expect", [
    ("<OpenSCENARIO><FileHeader", "line"),
    ("", "empty"),
])
def test_malformed_xosc_is_an_input_error_naming_the_file(tmp_path: Path, text: str,
                                                          expect: str) -> None:
    bad = tmp_path / "broken.xosc"
    bad.write_text(text)
    res = run(bad, "idm", tmp_path)
    assert res["verdict"] == "error" and res["error_kind"] == "input"
    assert "broken.xosc" in res["error"]
    assert "\n" not in res["error"]


def test_missing_logic_file_is_an_input_error(tmp_path: Path) -> None:
    text = STATIONARY.read_text().replace("../../maps/wuhan/wuhan_section1.xodr", "nowhere.xodr")
    bad = tmp_path / "no_map.xosc"
    bad.write_text(text)
    res = run(bad, "idm", tmp_path)
    assert res["verdict"] == "error" and res["error_kind"] == "input"
    assert "nowhere.xodr" in res["error"]


def test_scenario_without_a_road_network_is_bad_input(tmp_path: Path) -> None:
    import re
    text = re.sub(r"<LogicFile [^>]*/>", "", STATIONARY.read_text())
    bad = tmp_path / "no_logic_file.xosc"
    bad.write_text(text)
    res = run(bad, "idm", tmp_path)
    assert res["verdict"] == "error" and res["error_kind"] == "input"
    assert "no RoadNetwork LogicFile" in res["error"]


@pytest.mark.parametrize("cls, cause", [
    ("Sleeper", "deadline"),
    ("Quitter", "exited with status 7"),
    ("Raiser", "planner diverged"),
    ("NanSender", "the step at t=1.00 s: "),  # new-user pass 9b: when, too
    ("WrongType", "step returned dict, expected runners.interfaces.Control"),
    # was: "agent process exited with status 1", the cause only in agent.log
    ("ArraySender", "cannot send the control reply: TypeError: can not serialize "
                    "'numpy.ndarray' object"),
    ("SurrogateRaiser", "planner \\ud800 diverged"),  # was: "exited with status 1"
])
def test_misbehaving_stack_becomes_an_error_naming_the_cause(tmp_path: Path, cls: str,
                                                             cause: str) -> None:
    res = run(STATIONARY, f"{BAD}:{cls}", tmp_path, step_timeout=0.5)
    assert res["verdict"] == "error" and res["error_kind"] == "agent"
    assert cause in res["error"]
    # what was simulated before the failure is kept
    rec = read_recording(tmp_path / "stationary_vehicle" / "recording.jsonl")
    assert rec.end_reason == "error"
    assert rec.frames[-1].time == pytest.approx(1.0, abs=0.06)
    if cls == "Quitter":  # automaker pass 14b: a broken case lost what the stack said it was
        assert res["agent"] == {"name": "quitter", "version": "0"}


def test_a_stacks_own_word_is_kept_short(tmp_path: Path) -> None:
    """Hostile pass 14: a 2 MB name made summary.json, junit.xml and compare's line 2 MB; the
    recording keeps 200 characters of the name and of the version."""
    res = run(STATIONARY, f"{BAD}:Boaster", tmp_path, max_sim_time=0.5)
    assert res["agent"] == {"name": ("boast\x00\x1b<&>" * 500)[:200], "version": "9" * 200}


def test_a_stack_that_raises_leaves_its_own_traceback_in_agent_log(tmp_path: Path) -> None:
    """New-user pass 9b: agent.log was empty and result.json held the runner's traceback, so
    nobody could see which line of the stack failed."""
    res = run(STATIONARY, f"{BAD}:Raiser", tmp_path, step_timeout=0.5)
    assert res["verdict"] == "error" and "planner diverged" in res["error"]
    # the runner's own frames are not the stack's cause (automaker pass 16): left out
    assert res["error_kind"] == "agent" and res["traceback"] == ""
    log = (tmp_path / "stationary_vehicle" / "agent.log").read_text()
    assert "Traceback" in log and "bad_agents.py" in log and "in step" in log
    assert "RuntimeError: planner diverged" in log


def test_numpy_numbers_from_a_stack_go_over_the_wire(tmp_path: Path) -> None:
    res = run(STATIONARY, f"{BAD}:Float32Cruiser", tmp_path, step_timeout=5.0)
    assert res["verdict"] != "error", res.get("error")


def test_stack_that_cannot_be_built_reports_its_own_error(tmp_path: Path) -> None:
    res = run(STATIONARY, f"{BAD}:InitRaiser", tmp_path, step_timeout=0.5)
    assert res["verdict"] == "error" and res["error_kind"] == "agent"
    assert "RuntimeError: weights file missing" in res["error"]


@pytest.mark.parametrize("stack", ["Forker", "Escaper"])
def test_processes_a_stack_forked_end_with_its_case(tmp_path: Path, monkeypatch, stack) -> None:
    # observed: only the agent host was stopped; its child slept on after the run (Forker);
    # then a child that left the process group with setsid and ignored SIGTERM (Escaper)
    import os
    import time
    pid_file = tmp_path / "child.pid"
    monkeypatch.setenv("FORKER_PID_FILE", str(pid_file))
    res = run(STATIONARY, f"{BAD}:{stack}", tmp_path, step_timeout=2.0, max_sim_time=2.0)
    assert res["verdict"] in ("pass", "fail"), res.get("error")
    pid = int(pid_file.read_text())
    for _ in range(50):  # killed at close; give the kernel a moment to reap it
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        pytest.fail(f"the stack's child {pid} outlived the case")


def test_agent_host_exits_when_its_runner_is_killed() -> None:
    # a runner killed with SIGKILL cannot close its stack; the host must notice by itself
    import os
    import signal
    import subprocess
    import sys
    import time
    runner = subprocess.Popen(
        [sys.executable, "-c", "import time; from runners.remote_agent import spawn_python_agent;"
         " a = spawn_python_agent('idm'); print(a.process.pid, flush=True); time.sleep(600)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    host = int(runner.stdout.readline())
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    for _ in range(50):
        try:
            os.kill(host, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(host, signal.SIGKILL)
    pytest.fail("the agent host outlived its runner by more than 5 s")


def test_python_agent_and_same_agent_over_zeromq_record_identically(tmp_path: Path) -> None:
    run(WUHAN / "cut_in.xosc", "idm", tmp_path / "inproc")
    run(WUHAN / "cut_in.xosc", "runners.agents.idm:IdmAgent", tmp_path / "zmq")
    a = (tmp_path / "inproc" / "cut_in" / "recording.jsonl").read_text().splitlines()
    b = (tmp_path / "zmq" / "cut_in" / "recording.jsonl").read_text().splitlines()
    ha, hb = json.loads(a[0]), json.loads(b[0])
    ha.pop("agent"), hb.pop("agent")
    assert ha == hb
    assert a[1:] == b[1:]


def test_a_stack_over_its_memory_cap_is_an_agent_error_and_its_output_is_kept(
        tmp_path: Path) -> None:
    # observed: no cap at all (a stack could take the machine), and its output went to the
    # runner's terminal
    res = run(STATIONARY, f"{BAD}:Hog", tmp_path, step_timeout=5.0, agent_memory_gib=0.5)
    assert res["verdict"] == "error" and res["error_kind"] == "agent"
    assert "MemoryError" in res["error"] and "memory cap is 0.5 GiB" in res["error"]
    log = (tmp_path / "stationary_vehicle" / "agent.log").read_text()
    assert "planning at 0.05" in log and "planning at 0.55" in log


def test_a_chatty_stack_keeps_its_log_within_the_limit(tmp_path: Path, monkeypatch) -> None:
    import runners.remote_agent as remote
    monkeypatch.setattr(remote, "LOG_LIMIT_BYTES", 3 * 2**20)
    res = run(STATIONARY, f"{BAD}:Chatterbox", tmp_path, step_timeout=5.0, max_sim_time=1.0)
    assert res["verdict"] in ("pass", "fail"), res.get("error")
    log = tmp_path / "stationary_vehicle" / "agent.log"
    assert 3 * 2**20 <= log.stat().st_size < 3 * 2**20 + 200
    assert log.read_bytes().endswith(b"[testzone: output cut at 3 MiB]\n")


@pytest.mark.timeout(0)   # pytest-timeout's own SIGALRM timer would keep ours from arming
def test_a_step_that_never_returns_ends_at_the_hard_deadline(tmp_path: Path, monkeypatch) -> None:
    # the loop checks its deadline between steps; a step stuck for good (here: the scenario
    # engine sleeping in a loop) is interrupted HARD_DEADLINE_GRACE_S after it, and the case
    # is an error naming the deadline
    import time

    import runners.case as case_module
    from scenarios import ScenarioEngine

    def stuck(self, dt, controls):
        while True:
            time.sleep(0.01)
    monkeypatch.setattr(ScenarioEngine, "step", stuck)
    monkeypatch.setattr(case_module, "HARD_DEADLINE_GRACE_S", 0.5)
    t0 = time.monotonic()
    res = run(STATIONARY, "scenario", tmp_path, case_wall_timeout=0.5)
    assert time.monotonic() - t0 < 20.0
    assert res["verdict"] == "error" and res["error_kind"] == "run"
    assert "case exceeded its wall-clock deadline of 1 s" in res["error"]
    assert (tmp_path / "stationary_vehicle" / "result.json").is_file()


@pytest.mark.timeout(0)
def test_deadline_is_not_armed_outside_the_main_thread_or_over_another_timer() -> None:
    import signal
    import threading

    from runners.deadline import wall_deadline
    armed = []

    def body():
        with wall_deadline(1.0, "x") as on:
            armed.append(on)
    t = threading.Thread(target=body)
    t.start()
    t.join()
    assert armed == [False]
    with wall_deadline(5.0, "x") as on:
        assert on
    signal.setitimer(signal.ITIMER_REAL, 100.0)
    try:
        with wall_deadline(5.0, "x") as on:
            assert not on
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 90.0   # the other timer untouched
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)


def test_a_stop_at_a_dead_end_is_recorded_and_explained(tmp_path: Path) -> None:
    """esmini's override_bb.xosc drove Ego off the end of its road at 25 m/s: stopped in
    one step (a peak deceleration of 500 m/s^2 at dt 0.05) with nothing in the report to say
    why. The stop is an ``end_of_road`` event, and report's "What happened" names it."""
    import sys
    sys.path.append(str(ROOT / "tests" / "scenarios"))
    from builders import document, event, sim_time, speed_action, story, trigger
    xodr, init = STRAIGHT_500M, ego_start(450.0, 25.0)
    text = document(init, story(event("E", speed_action(25), trigger(sim_time(0.5))),
                                actor="Ego"),
                    trigger(sim_time(4), kind="StopTrigger"), entities=("Ego",),
                    road=f'<LogicFile filepath="{xodr}"/>')
    path = tmp_path / "dead_end.xosc"
    path.write_text(text)
    res = run(path, "scenario", tmp_path)
    rec = read_recording(tmp_path / "dead_end" / "recording.jsonl")
    (stop,) = rec.events_of("end_of_road")
    assert stop.data["entity"] == "Ego" and stop.data["road_id"] == "1"
    assert stop.data["speed_mps"] == 25.0 and stop.data["s"] == pytest.approx(500.0, abs=1.3)
    assert stop.t == pytest.approx(2.0, abs=0.06)          # 50 m at 25 m/s
    ended = res["findings"]["run_end"][0]["ego_road_end"]
    assert ended["road_id"] == "1" and ended["lane_id"] == -1
    from evaluator.case import CaseResult
    from evaluator.report.narrative import narrative
    said = " ".join(narrative(CaseResult.from_dict(res)))
    assert "reached the end of lane -1 of road 1" in said and "default controller" in said
    # judged up to the stop (session 10, ASAM sweep: the one-step stop had failed decel_peak
    # at 33 m/s^2 and the standing after it no_stall and stay_on_road)
    assert "judged up to that moment" in said
    metrics = {k: v["value"] for k, v in res["metrics"].items()}
    # judged up to the last frame whose front (box centre 1.5 m + 2.5 m ahead of the
    # reference point) had not passed the end at s = 500: frames 1.25 m apart, the reference
    # point reaches 500 at 2.00 s (the stop is the step after, 2.05 s); s = 495 at 1.80 s
    assert metrics["run_duration_s"] == pytest.approx(stop.t - 0.25)
    assert metrics["decel_peak_mps2"] < 1.0 and metrics["standstill_without_cause_s"] == 0.0
    status = {c["id"]: c["status"] for c in res["criteria"]}
    assert (status["decel_peak"], status["no_stall"], status["stay_on_road"]) == ("pass",) * 3, \
        [(c["id"], c["measured"]) for c in res["criteria"]]


def test_an_empty_stop_trigger_runs_to_the_time_limit_without_failing_to_reach_it(tmp_path):
    """`<StopTrigger/>` (ASAM's examples end so) never fires: the case ends at --max-time and
    reached_stop_trigger is not applicable, where a StopTrigger that did not fire in time is a
    failure (session 10's ASAM sweep: every ASAM example failed it)."""
    path = stationary_variant(tmp_path / "empty_stop_trigger.xosc",
                              r"<StopTrigger>.*</StopTrigger>", "<StopTrigger/>")
    res = run(path, "idm", tmp_path, max_sim_time=3.0)
    status = {c["id"]: c["status"] for c in res["criteria"]}
    assert status["reached_stop_trigger"] == "not_applicable"
    assert res["metrics"]["run_duration_s"]["value"] == pytest.approx(3.0)
    timed_out = run(STATIONARY, "idm", tmp_path / "limit", max_sim_time=3.0)
    assert {c["id"]: c["status"] for c in timed_out["criteria"]}["reached_stop_trigger"] == "fail"
    rec = read_recording(tmp_path / "limit" / "stationary_vehicle" / "recording.jsonl")
    assert rec.end_message == ("simulation time reached 3 s before the StopTrigger; its "
                               "SimulationTimeCondition holds after 25 s: give --max-time 26")


def test_a_stop_trigger_at_the_time_limit_is_not_a_time_out(tmp_path: Path) -> None:
    """Real-input sweep 12: the UN R157 ALKS 4.1_1 variant at 60 km/h stops at
    `SimulationTime >= 5000 / (v / 3.6)`, exactly 300 s, the default limit: the run stopped at
    the limit before evaluating the StopTrigger there, and failed reached_stop_trigger."""
    path = stationary_variant(
        tmp_path / "ends_at_limit.xosc",
        r'<SimulationTimeCondition value="\$SimulationEnd" rule="greaterThan"/>',
        '<SimulationTimeCondition value="3.0" rule="greaterOrEqual"/>')
    res = run(path, "idm", tmp_path, max_sim_time=3.0)
    status = {c["id"]: c["status"] for c in res["criteria"]}
    assert status["reached_stop_trigger"] == "pass"
    assert res["metrics"]["run_duration_s"]["value"] == pytest.approx(3.0)
    rec = read_recording(tmp_path / "ends_at_limit" / "recording.jsonl")
    assert rec.end_reason == "stop_trigger"


def _builders():
    """tests/scenarios/builders.py (the OpenSCENARIO snippets of the scenario tests)."""
    import sys
    folder = str(ROOT / "tests" / "scenarios")
    if folder not in sys.path:
        sys.path.append(folder)
    import builders
    return builders


def _ego_story(tmp_path: Path, name: str, events: str, stop_s: float,
               stop_or: str = "") -> dict:
    """Run ``events`` (builders XML) as the Ego's story on esmini's straight_500m.xodr, the
    Ego in lane -1 at s = 10 m, 5 m/s, to a SimulationTime StopTrigger at ``stop_s`` [s] (or
    the ConditionGroup ``stop_or``), with the ``scenario`` agent; the result (recording in
    ``tmp_path / name``)."""
    b = _builders()
    document, sim_time, story, teleport, trigger = (b.document, b.sim_time, b.story,
                                                    b.teleport, b.trigger)
    xodr = ROOT.parent / "shared" / "reference" / "esmini" / "resources" / "xodr" / \
        "straight_500m.xodr"
    text = document(teleport("Ego", -1, 10.0, speed=5.0).replace('roadId="R"', 'roadId="1"'),
                    story(events, actor="Ego"), trigger(sim_time(stop_s), kind="StopTrigger")
                    .replace("</StopTrigger>", f"{stop_or}</StopTrigger>"),
                    entities=("Ego",), road=f'<LogicFile filepath="{xodr}"/>')
    path = tmp_path / f"{name}.xosc"
    path.write_text(text)
    return run(path, "scenario", tmp_path)


def test_storyboard_events_that_never_started_are_named(tmp_path: Path) -> None:
    """New-user pass 10: an RSI event whose trigger never fired left the case at PASS 100,
    found only in the recording. The runner records which Events never started; the report's
    "What happened" names them. Author pass 14: the case still passed (a bus that never
    pulled out, a green CI gate): the default criterion events_started fails it."""
    b = _builders()
    event, sim_time, speed_action, trigger = b.event, b.sim_time, b.speed_action, b.trigger
    fast = ('<Condition name="v" delay="0" conditionEdge="none"><ByEntityCondition>'
            '<TriggeringEntities triggeringEntitiesRule="any"><EntityRef entityRef="Ego"/>'
            '</TriggeringEntities><EntityCondition><SpeedCondition value="50" '
            'rule="greaterThan"/></EntityCondition></ByEntityCondition></Condition>')
    events = (event("Early", speed_action(5, name="a1"), trigger(sim_time(0.5)))
              + event("Late", speed_action(8, name="a2"), trigger(fast))
              + event("After", speed_action(8, name="a3"), trigger(sim_time(60))))
    res = _ego_story(tmp_path, "late", events, stop_s=2)
    rec = read_recording(tmp_path / "late" / "recording.jsonl")
    (cov,) = rec.events_of("storyboard_coverage")
    # After is timed (SimulationTime 60 s) after the 2 s run's end: set apart, not counted
    # (UN R157's ALKS templates, realinputs16 sweep)
    assert cov.data == {"events": 3, "never_started": ["S::A::G::M::Late"],
                        "guards_never_started": [], "timed_after_end": ["S::A::G::M::After"],
                        "ignored_commands": []}
    ended = res["findings"]["run_end"][0]
    assert ended["never_started"] == ["S::A::G::M::Late"] and ended["storyboard_events"] == 3
    assert ended["timed_after_end"] == ["S::A::G::M::After"]
    assert res["verdict"] == "fail"
    (crit,) = [c for c in res["criteria"] if c["id"] == "events_started"]
    assert (crit["status"], crit["measured"]) == ("fail", 1.0)
    from evaluator.case import CaseResult
    from evaluator.report.narrative import narrative
    said = narrative(CaseResult.from_dict(res))
    assert ("1 of 3 storyboard Events never started, so what they do did not happen in this "
            "run: S::A::G::M::Late.") in said
    assert ("1 storyboard Event is timed (SimulationTime) at or after the latest this run "
            "could end (the earlier of the StopTrigger's own time and the time limit), so it "
            "was never to start in it; not counted as never started: S::A::G::M::After.") \
        in said


def test_an_event_a_run_ended_early_never_reached_still_counts(tmp_path: Path) -> None:
    """Hostile pass 16: the Event at 4 s was set apart as "timed after the run's end" when
    an OR group of the StopTrigger (the Ego travelled 10 m, at 2 s) ended the run first: the
    case passed with its stimulus missing. Only an Event timed after the latest the run
    could end (the StopTrigger's own 30 s) is set apart: "After" at 60 s."""
    b = _builders()
    event, sim_time, speed_action, trigger = b.event, b.sim_time, b.speed_action, b.trigger
    travelled = ('<ConditionGroup><Condition name="far" delay="0" conditionEdge="none">'
                 '<ByEntityCondition><TriggeringEntities triggeringEntitiesRule="any">'
                 '<EntityRef entityRef="Ego"/></TriggeringEntities><EntityCondition>'
                 '<TraveledDistanceCondition value="10"/></EntityCondition>'
                 '</ByEntityCondition></Condition></ConditionGroup>')
    events = (event("Stimulus", speed_action(8, name="a1"), trigger(sim_time(4)))
              + event("After", speed_action(8, name="a2"), trigger(sim_time(60))))
    res = _ego_story(tmp_path, "early", events, stop_s=30, stop_or=travelled)
    ended = res["findings"]["run_end"][0]
    assert ended["never_started"] == ["S::A::G::M::Stimulus"]
    assert ended["timed_after_end"] == ["S::A::G::M::After"]
    assert res["metrics"]["run_duration_s"]["value"] == pytest.approx(2.0, abs=0.06)
    (crit,) = [c for c in res["criteria"] if c["id"] == "events_started"]
    assert (crit["status"], crit["measured"]) == ("fail", 1.0)


def test_an_event_skipped_by_its_priority_counts_as_executed(tmp_path: Path) -> None:
    """Hostile pass 14: a priority-skip Event whose trigger fired while another ran failed
    events_started as "never started"; a skip is one of its executions (OpenSCENARIO XML
    1.3, 8.4.2.1)."""
    b = _builders()
    event, sim_time, speed_action, trigger = b.event, b.sim_time, b.speed_action, b.trigger
    events = (event("Long", speed_action(10, "linear", "time", 5.0, name="a1"),
                    trigger(sim_time(0.1)), "parallel")
              + event("Skipped", speed_action(3, name="a2"), trigger(sim_time(1.0)), "skip"))
    res = _ego_story(tmp_path, "skip", events, stop_s=3)
    (cov,) = read_recording(tmp_path / "skip" / "recording.jsonl").events_of(
        "storyboard_coverage")
    assert cov.data["never_started"] == []
    assert {c["id"]: c["status"] for c in res["criteria"]}["events_started"] == "pass"


def test_a_custom_command_no_part_of_the_platform_takes_is_named(tmp_path: Path) -> None:
    """Hostile pass 11: hlw_hazard with `V2X.RSl` for `V2X.RSI` sent no RSI and passed with a
    better score than the real case; check said nothing. The run names the command type it
    did not carry out (case line and "What happened"), and check warns of the near miss."""
    text = (WUHAN / "hlw_hazard.xosc").read_text().replace('type="V2X.RSI"', 'type="V2X.RSl"')
    text = text.replace('filepath="../../maps/', f'filepath="{ROOT}/maps/')
    path = tmp_path / "typo.xosc"
    path.write_text(text)
    res = run(path, "idm-v2x", tmp_path, max_sim_time=2.0)
    assert res["findings"]["run_end"][0]["ignored_commands"] == ["V2X.RSl"]
    from evaluator.case import CaseResult
    from evaluator.report.narrative import narrative
    from runners.cli import _result_line
    assert "not carried out: CustomCommandAction V2X.RSl" in _result_line(res)
    assert any("type 'V2X.RSl' were not carried out" in ln
               for ln in narrative(CaseResult.from_dict(res)))
    from scenarios.check import check_scenario
    issues = [i.message for i in check_scenario(path)]
    assert any("'V2X.RSl' is not 'V2X.RSI'" in m for m in issues), issues


def test_without_max_time_a_simulation_time_stop_trigger_sets_the_limit(tmp_path: Path) -> None:
    """Real-input sweep 12: the ALKS free-driving variants stop at SimulationTime >= 5000 m
    / v (up to 3600 s) and timed out at the default 300 s, losing reached_stop_trigger. Without
    an explicit --max-time the limit grows to the StopTrigger's time (+ one step)."""
    from runners.case import simulation_time_stop
    from scenarios import load_scenario
    assert simulation_time_stop(load_scenario(STATIONARY)) == 25.0     # greaterThan 25
    res = run(STATIONARY, "idm", tmp_path, max_sim_time=3.0, extend_to_stop_time=True)
    assert {c["id"]: c["status"] for c in res["criteria"]}["reached_stop_trigger"] == "pass"
    assert res["metrics"]["run_duration_s"]["value"] == pytest.approx(25.05)
    rec = read_recording(tmp_path / "stationary_vehicle" / "recording.jsonl")
    assert [e.data["max_sim_time_s"] for e in rec.events_of("time_limit")] == [
        pytest.approx(25.05)]


@pytest.mark.parametrize("rule, edge, delay, expected", [
    ("greaterThan", "rising", 0.0, 310.0),
    ("greaterOrEqual", "risingOrFalling", 5.0, 315.0),
    ("lessThan", "falling", 0.0, 310.0),      # hostile pass 13: holds until 310 s, fires then
    ("lessOrEqual", "risingOrFalling", 0.0, 310.0),
    ("lessThan", "none", 0.0, None),          # holds at once: ends the run, no time limit
    ("greaterThan", "falling", 0.0, None),    # never stops holding
])
def test_the_time_a_simulation_time_stop_trigger_fires(rule, edge, delay, expected):
    from types import SimpleNamespace
    from runners.case import simulation_time_stop
    from scenarios.conditions.value import SimulationTimeCondition
    cond = SimpleNamespace(spec=SimulationTimeCondition(310.0, rule), edge=edge, delay=delay)
    sc = SimpleNamespace(storyboard=SimpleNamespace(stop_trigger=SimpleNamespace(
        groups=[[cond]])))
    assert simulation_time_stop(sc) == expected


def test_idm_stops_before_a_dead_end(tmp_path: Path) -> None:
    """New-section pass 12: both reference agents drove off a road with no successor at full
    speed (stay_on_road failed). idm's path ends there and it takes the end as a standing
    obstacle. On esmini's straight_500m (one 500 m road, no link), an ego from s = 400 at
    15 m/s stops with its front before s = 500 (IDM's minimum gap short of it)."""
    import sys
    sys.path.append(str(ROOT / "tests" / "scenarios"))
    from builders import document, sim_time, trigger
    xodr, init = STRAIGHT_500M, ego_start(400.0, 15.0)
    path = tmp_path / "dead_end_idm.xosc"
    path.write_text(document(init, "", trigger(sim_time(20), kind="StopTrigger"),
                             entities=("Ego",), road=f'<LogicFile filepath="{xodr}"/>'))
    res = run(path, "idm", tmp_path)
    ego = read_recording(tmp_path / "dead_end_idm" / "recording.jsonl").frames[-1] \
        .entities["Ego"]
    front_s = ego.lane.s + ego.box.cx + ego.box.length / 2
    assert ego.speed < 0.1 and 490.0 < front_s <= 500.0
    status = {c["id"]: c["status"] for c in res["criteria"]}
    assert status["stay_on_road"] == "pass" and status["decel_peak"] == "pass"
    # hostile pass 13: standing there is for the road's end, not a stall
    assert res["metrics"]["standstill_time_s"]["value"] > 5.0
    assert status["no_stall"] == "pass"
