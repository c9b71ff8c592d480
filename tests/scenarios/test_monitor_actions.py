"""OpenSCENARIO 1.3 MonitorDeclarations and SetMonitorAction: loading (file/line errors), the
engine's run-time values and ``monitor`` events, and ``scenario check``."""

import pytest
from builders import (document, event, run, sim_time, speed_action, story, teleport, trigger,
                      write)

from scenarios import ScenarioError, load_scenario
from scenarios.check import check_scenario

STOP = trigger(sim_time(4), kind="StopTrigger")


def declarations(**monitors: str) -> str:
    """A MonitorDeclarations block, name -> value text."""
    return ("<MonitorDeclarations>" + "".join(
        f'<MonitorDeclaration name="{n}" value="{v}"/>' for n, v in monitors.items())
        + "</MonitorDeclarations>")


def set_monitor(ref: str, value: str, name: str = "set") -> str:
    """An Action holding a SetMonitorAction."""
    return (f'<Action name="{name}"><GlobalAction><SetMonitorAction monitorRef="{ref}" '
            f'value="{value}"/></GlobalAction></Action>')


def scenario_text(decls: str, events: str, init: str = "", parameters: str = "") -> str:
    """A 1.3 document on the fake straight road with ``decls`` after the declarations (no
    ``events``: one speed event, a Maneuver needs an Event)."""
    events = events or event("Keep", speed_action(10), trigger(sim_time(1)))
    text = document(teleport("Car", -1, 10, speed=10) + init, story(events), STOP, rev=3,
                    parameters=parameters, props={"Car": {"role": "ego"}})
    return text.replace("<CatalogLocations/>", decls + "<CatalogLocations/>")


def line_of(text: str, marker: str, nth: int = 1) -> int:
    pos = -1
    for _ in range(nth):
        pos = text.index(marker, pos + 1)
    return text.count("\n", 0, pos) + 1


def test_declarations_are_read_in_order_with_parameters(tmp_path):
    params = '<ParameterDeclaration name="Start" parameterType="boolean" value="false"/>'
    text = scenario_text(declarations(safe="true", goal="$Start", one="${not $Start}"), "",
                         parameters=params)
    sc = load_scenario(write(tmp_path, text))
    assert dict(sc.monitors) == {"safe": True, "goal": False, "one": True}
    assert list(sc.monitors) == ["safe", "goal", "one"]
    assert [i.message for i in check_scenario(write(tmp_path, text))] == [
        "testzone run refuses it as a test case: no RoadNetwork LogicFile: a test run needs "
        "the road network (OpenDRIVE) the entities drive on"]    # these files have none


def test_set_monitor_at_a_known_time_and_initial_events(tmp_path):
    # safe: declared true, set false by an event at the first evaluation after 2 s (2.05 s);
    # goal: declared false, set true at 3.05 s; kept: never set
    events = event("Bad", set_monitor("safe", "false"), trigger(sim_time(2))) + \
        event("Goal", set_monitor("goal", "true"), trigger(sim_time(3)), "parallel")
    text = scenario_text(declarations(safe="true", goal="false", kept="true"), events)
    _, evs, eng = run(write(tmp_path, text), until=5)
    got = [(e.t, e.data) for e in evs if e.kind == "monitor"]
    assert got == [(0.0, {"name": "safe", "value": True, "initial": True}),
                   (0.0, {"name": "goal", "value": False, "initial": True}),
                   (0.0, {"name": "kept", "value": True, "initial": True}),
                   (pytest.approx(2.05), {"name": "safe", "value": False}),
                   (pytest.approx(3.05), {"name": "goal", "value": True})]
    assert eng.rt.monitors == {"safe": False, "goal": True, "kept": True}
    # atomic, like a ParameterSetAction: the action starts and ends in the same step
    trans = [(e.t, e.data["transition"]) for e in evs if e.kind == "storyboard"
             and e.data["element"].endswith("::Bad::set")]
    assert trans == [(pytest.approx(2.05), "startTransition"),
                     (pytest.approx(2.05), "endTransition")]


def test_set_monitor_in_init_follows_the_initial_event(tmp_path):
    init = ('<GlobalAction><SetMonitorAction monitorRef="safe" value="false"/>'
            '</GlobalAction>')
    text = scenario_text(declarations(safe="true"), "", init=init)
    _, evs, eng = run(write(tmp_path, text), until=1)
    assert [e.data for e in evs if e.kind == "monitor"] == [
        {"name": "safe", "value": True, "initial": True}, {"name": "safe", "value": False}]
    assert eng.rt.monitors == {"safe": False}


def test_no_declarations_no_monitor_events(tmp_path):
    text = scenario_text("", "")
    sc = load_scenario(write(tmp_path, text))
    assert dict(sc.monitors) == {}
    _, evs, _ = run(write(tmp_path, text), until=1)
    assert not [e for e in evs if e.kind == "monitor"]


def _load_error(tmp_path, text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, text))
    return info.value


def test_duplicate_monitor_names_file_and_line(tmp_path):
    decls = ('<MonitorDeclarations><MonitorDeclaration name="safe" value="true"/>\n'
             '<MonitorDeclaration name="safe" value="false"/></MonitorDeclarations>')
    text = scenario_text(decls, "")
    err = _load_error(tmp_path, text)
    assert err.line == line_of(text, 'name="safe"', 2) and err.element == "MonitorDeclaration"
    assert err.file == str(tmp_path / "t.xosc") and "monitor 'safe' declared twice" in str(err)
    issues = [i for i in check_scenario(tmp_path / "t.xosc") if i.severity == "error"]
    assert [i.line for i in issues] == [err.line]


@pytest.mark.parametrize("value", ["yes", "2", "${1 + 1.5}"])
def test_bad_boolean_file_and_line(tmp_path, value):
    text = scenario_text("\n" + declarations(safe=value), "")
    err = _load_error(tmp_path, text)
    assert err.line == line_of(text, "<MonitorDeclaration ") and err.file.endswith("t.xosc")
    assert "expected a boolean" in str(err) and err.element == "MonitorDeclaration"


def test_empty_monitor_name_is_refused(tmp_path):
    err = _load_error(tmp_path, scenario_text(declarations(**{"": "true"}), ""))
    assert "monitor name is empty" in str(err) and err.element == "MonitorDeclaration"


def test_unknown_monitor_ref_file_line_and_check(tmp_path):
    events = event("Bad", "\n" + set_monitor("unsafe", "false"), trigger(sim_time(2))) + \
        event("Worse", "\n" + set_monitor("nothing", "true"), trigger(sim_time(3)), "parallel")
    text = scenario_text(declarations(safe="true", goal="false"), events)
    err = _load_error(tmp_path, text)
    assert err.line == line_of(text, "<SetMonitorAction") and err.element == "SetMonitorAction"
    assert err.file == str(tmp_path / "t.xosc")
    assert "unknown monitor 'unsafe'" in str(err) and "safe, goal" in str(err)
    issues = [i for i in check_scenario(tmp_path / "t.xosc") if i.severity == "error"]
    # the check names every bad reference, not only the loader's first
    assert [(i.line, i.element.rsplit("/", 1)[-1]) for i in issues] == [
        (line_of(text, "<SetMonitorAction"), "SetMonitorAction"),
        (line_of(text, "<SetMonitorAction", 2), "SetMonitorAction")]
    assert "unknown monitor 'nothing'" in issues[1].message


def test_monitor_ref_without_declarations(tmp_path):
    events = event("Bad", set_monitor("safe", "false"), trigger(sim_time(2)))
    err = _load_error(tmp_path, scenario_text("", events))
    assert "unknown monitor 'safe'" in str(err) and "none" in str(err)


def test_set_monitor_bad_value_file_and_line(tmp_path):
    events = event("Bad", "\n" + set_monitor("safe", "maybe"), trigger(sim_time(2)))
    text = scenario_text(declarations(safe="true"), events)
    err = _load_error(tmp_path, text)
    assert err.line == line_of(text, "<SetMonitorAction") and "expected a boolean" in str(err)
    issues = [i for i in check_scenario(tmp_path / "t.xosc") if i.severity == "error"]
    assert issues and all(i.line == err.line for i in issues)


MONITOR_CATALOG = """<?xml version="1.0"?>
<OpenSCENARIO>
  <FileHeader revMajor="1" revMinor="3" date="2026-01-01T00:00:00" description="c" author="t"/>
  <Catalog name="ManeuverCatalog">
    <Maneuver name="Flag">
      <Event name="F" priority="overwrite">
        <Action name="SetIt">
          <GlobalAction><SetMonitorAction monitorRef="REF" value="false"/></GlobalAction>
        </Action>
        <StartTrigger><ConditionGroup><Condition name="T" delay="0" conditionEdge="none">
          <ByValueCondition><SimulationTimeCondition value="1" rule="greaterThan"/>
          </ByValueCondition>
        </Condition></ConditionGroup></StartTrigger>
      </Event>
    </Maneuver>
  </Catalog>
</OpenSCENARIO>
"""


@pytest.mark.parametrize("ref", ["safe", "ghost"])
def test_set_monitor_in_a_catalog_maneuver(tmp_path, ref):
    (tmp_path / "cat").mkdir()
    catalog = MONITOR_CATALOG.replace("REF", ref)
    (tmp_path / "cat" / "m.xosc").write_text(catalog)
    text = scenario_text(declarations(safe="true"), "")
    start, end = text.index('<Maneuver name="M">'), text.index("</Maneuver>") + len("</Maneuver>")
    text = (text[:start] + '<CatalogReference catalogName="ManeuverCatalog" entryName="Flag"/>'
            + text[end:]).replace("<CatalogLocations/>", '<CatalogLocations><ManeuverCatalog>'
                                  '<Directory path="cat"/></ManeuverCatalog></CatalogLocations>')
    path = write(tmp_path, text)
    if ref == "safe":
        _, evs, eng = run(path, until=3)
        assert [(e.t, e.data["value"]) for e in evs if e.kind == "monitor"] == [
            (0.0, True), (pytest.approx(1.05), False)]
        assert [i.message.split(":")[1] for i in check_scenario(path)] == [
            " no RoadNetwork LogicFile"]               # the only finding: no map here
        return
    err = _load_error(tmp_path, text)
    cat_file = str((tmp_path / "cat" / "m.xosc").resolve())
    assert (err.file, err.line) == (cat_file, line_of(catalog, "<SetMonitorAction"))
    (issue,) = [i for i in check_scenario(path) if i.severity == "error"]
    assert (issue.file, issue.line) == (cat_file, err.line)
    assert "unknown monitor 'ghost'" in issue.message
