"""OpenSCENARIO 1.3 monitors as the scenario's own criteria: the ``monitors`` metric over
``monitor`` events, the ``monitor:<name>`` criteria, and a real run on the Wuhan section map
whose monitor is set false at a known time (result, junit.xml, report.html)."""

import html
import json
from pathlib import Path

import pytest
from evaluator_fixtures import make_recording, straight
from lxml import etree

from evaluator import score_case
from evaluator.declared import criteria_from_monitors
from evaluator.metrics.monitors import MonitorMetric
from testzone.recording import Event

ROOT = Path(__file__).resolve().parents[2]


def _initial(name: str, value: bool) -> Event:
    return Event(0.0, "monitor", {"name": name, "value": value, "initial": True})


def _recording(events, criteria=None):
    return make_recording({"ego": straight(0.0, 10.0)}, 5.0, events=events,
                          criteria=criteria)


def test_metric_values_at_the_end_and_last_change():
    events = [_initial("safe", True), _initial("goal", False), _initial("kept", True),
              Event(1.5, "monitor", {"name": "safe", "value": False}),
              Event(2.0, "monitor", {"name": "goal", "value": True}),
              Event(3.0, "monitor", {"name": "goal", "value": True}),     # no change
              Event(4.0, "monitor", {"name": "safe", "value": True}),
              Event(4.5, "monitor", {"name": "safe", "value": False})]
    res = MonitorMetric().compute(_recording(events))
    assert {k: (s.unit, s.value) for k, s in res.statistics.items()} == {
        "monitor_safe": ("bool", 0.0), "monitor_goal": ("bool", 1.0),
        "monitor_kept": ("bool", 1.0)}
    assert list(res.events) == [
        {"monitor": "safe", "value": False, "initial": True, "last_change_s": 4.5, "sets": 3},
        {"monitor": "goal", "value": True, "initial": False, "last_change_s": 2.0, "sets": 2},
        {"monitor": "kept", "value": True, "initial": True, "last_change_s": None, "sets": 0}]


def test_metric_without_monitors_and_without_the_initial_event():
    assert MonitorMetric().compute(_recording([])).statistics == {}
    res = MonitorMetric().compute(_recording([Event(2.0, "monitor", {"name": "m",
                                                                      "value": 0})]))
    assert res.statistics["monitor_m"].value == 0.0
    assert res.events == ({"monitor": "m", "value": False, "initial": None,
                           "last_change_s": 2.0, "sets": 1},)


def test_criteria_from_monitors():
    (c,) = criteria_from_monitors(["safe"], file="/x/case.xosc")
    assert c == {"id": "monitor:safe", "metric": "monitor_safe", "rule": "==",
                 "threshold": 1.0, "unit": "bool",
                 "clause": "OpenSCENARIO 1.3 MonitorDeclaration 'safe' (case.xosc): the "
                           "scenario's own criterion, true at the end of the run"}


def test_verdict_from_monitors():
    events = [_initial("safe", True), _initial("goal", False),
              Event(1.5, "monitor", {"name": "safe", "value": False}),
              Event(2.0, "monitor", {"name": "goal", "value": True})]
    res = score_case(_recording(events, criteria_from_monitors(["safe", "goal"])))
    crit = {c.criterion.id: c for c in res.criteria}
    assert (crit["monitor:safe"].status, crit["monitor:safe"].measured) == ("fail", 0.0)
    assert (crit["monitor:goal"].status, crit["monitor:goal"].measured) == ("pass", 1.0)
    assert res.verdict == "fail" and [c.criterion.id for c in res.failed] == ["monitor:safe"]
    assert res.findings["monitors"][0]["last_change_s"] == 1.5
    # a monitor whose events are missing from the recording is not evaluated, never a pass
    res = score_case(_recording([], criteria_from_monitors(["safe"])))
    assert {c.criterion.id: c.status for c in res.criteria}["monitor:safe"] == "not_evaluated"


@pytest.mark.parametrize("data,msg", [({"value": True}, "no name"),
                                      ({"name": "m", "value": "false"}, "must be a boolean"),
                                      ({"name": "m"}, "must be a boolean")])
def test_malformed_monitor_event_is_an_error(data, msg):
    res = score_case(_recording([Event(1.0, "monitor", data)], criteria_from_monitors(["m"])))
    assert res.verdict == "error" and msg in res.error


# ---------------------------------------------------------------------- a real run
def _monitor_case(tmp_path: Path) -> Path:
    """Wuhan S1 stationary-vehicle case as an OpenSCENARIO 1.3 file with three monitors:
    ``safe`` (true, set false at the first evaluation after 1 s), ``goal`` (false, set true
    after 0.5 s) and ``no_contact`` (true, set false if the Ego comes within 1 m of the
    stopped car: it does not in 2 s, 150 m behind it)."""
    src = (ROOT / "scenarios" / "wuhan" / "stationary_vehicle.xosc").read_text()
    xodr = (ROOT / "maps" / "wuhan" / "wuhan_section1.xodr").as_posix()
    src = src.replace('filepath="../../maps/wuhan/wuhan_section1.xodr"', f'filepath="{xodr}"')
    src = src.replace('revMinor="1"', 'revMinor="3"', 1)
    src = src.replace("  <CatalogLocations/>", (
        '  <MonitorDeclarations>\n'
        '    <MonitorDeclaration name="safe" value="true"/>\n'
        '    <MonitorDeclaration name="goal" value="false"/>\n'
        '    <MonitorDeclaration name="no_contact" value="true"/>\n'
        '  </MonitorDeclarations>\n  <CatalogLocations/>'), 1)

    def monitor_event(name, ref, value, condition):
        return (f'<Event name="{name}" priority="parallel" maximumExecutionCount="1">'
                f'<Action name="{name}Set"><GlobalAction><SetMonitorAction monitorRef="{ref}" '
                f'value="{value}"/></GlobalAction></Action><StartTrigger><ConditionGroup>'
                f'{condition}</ConditionGroup></StartTrigger></Event>')

    def after(t):
        return (f'<Condition name="after{t}" delay="0" conditionEdge="rising"><ByValueCondition>'
                f'<SimulationTimeCondition value="{t}" rule="greaterThan"/></ByValueCondition>'
                f'</Condition>')
    close = ('<Condition name="close" delay="0" conditionEdge="rising"><ByEntityCondition>'
             '<TriggeringEntities triggeringEntitiesRule="any"><EntityRef entityRef="Ego"/>'
             '</TriggeringEntities><EntityCondition><RelativeDistanceCondition '
             'entityRef="Stopped" relativeDistanceType="longitudinal" freespace="true" '
             'rule="lessThan" value="1"/></EntityCondition></ByEntityCondition></Condition>')
    events = (monitor_event("Bad", "safe", "false", after(1.0))
              + monitor_event("Reached", "goal", "true", after(0.5))
              + monitor_event("Contact", "no_contact", "false", close))
    src = src.replace("          </Maneuver>", events + "\n          </Maneuver>", 1)
    path = tmp_path / "monitors.xosc"
    path.write_text(src)
    return path


def test_run_case_with_monitors_on_the_wuhan_map(tmp_path):
    from evaluator import write_report
    from runners.case import RunOptions, TestCase, run_case
    from scenarios.check import check_scenario
    path = _monitor_case(tmp_path)
    assert [i.format() for i in check_scenario(path) if i.severity == "error"] == []
    res = run_case(TestCase("monitors", str(path), {"SimulationEnd": 2.0}, 1),
                   RunOptions(agent="idm", v2x=False), tmp_path / "out")
    lines = (tmp_path / "out" / "recording.jsonl").read_text().splitlines()
    header = json.loads(lines[0])
    assert [c["id"] for c in header["criteria"]] == ["monitor:safe", "monitor:goal",
                                                    "monitor:no_contact"]
    crit = {c["id"]: c for c in res["criteria"]}
    assert (crit["monitor:safe"]["status"], crit["monitor:safe"]["measured"]) == ("fail", 0.0)
    assert crit["monitor:goal"]["status"] == "pass" and crit["monitor:goal"]["measured"] == 1.0
    assert crit["monitor:no_contact"]["status"] == "pass"
    assert res["verdict"] == "fail" and res["metrics"]["monitor_safe"]["value"] == 0.0
    found = {f["monitor"]: f for f in res["findings"]["monitors"]}
    assert found["safe"]["last_change_s"] == pytest.approx(1.05)    # first evaluation > 1 s
    assert found["goal"]["last_change_s"] == pytest.approx(0.55)
    assert found["no_contact"] == {"monitor": "no_contact", "value": True, "initial": True,
                                   "last_change_s": None, "sets": 0}
    # the other criteria still judge the drive (the idm ego keeps its distance); the guard
    # Contact, which only sets a monitor, never started and fails nothing (events_started)
    assert [c["id"] for c in res["criteria"] if c["status"] == "fail"] == ["monitor:safe"]
    (cov,) = [json.loads(ln)["data"] for ln in lines if '"storyboard_coverage"' in ln]
    assert (cov["never_started"], cov["guards_never_started"]) == (
        [], ["StationaryStory::StoppedAct::StoppedManeuverGroup::StoppedManeuver::Contact"])

    out = write_report(tmp_path / "run", [res], {"run_id": "monitors"},
                       {"monitors": tmp_path / "out" / "recording.jsonl"}, lambda rec: None)
    junit = etree.parse(str(out["junit"])).getroot()
    (case,) = [t for t in junit.iter("testcase") if t.get("name") == "monitor:safe"]
    failure = case.find("failure")
    assert failure is not None and "MonitorDeclaration 'safe'" in failure.get("message", "") + \
        (failure.text or "")
    page = html.unescape(out["html"].read_text(encoding="utf-8"))
    assert page.count("monitor:safe") >= 2        # the verdicts table names the failed one
    row = page[page.index("<td>monitor:safe</td><td><code>monitor_safe</code>"):]
    row = row[:row.index("</tr>")]
    assert ">fail<" in row and "OpenSCENARIO 1.3 MonitorDeclaration 'safe' (monitors.xosc)" \
        in row
