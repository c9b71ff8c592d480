"""``check_scenario``: schema validation and each semantic problem class, with its line."""

import re
from pathlib import Path

import pytest
from check_base import BASE
from esmini_csv import REFERENCE

from scenarios.check import Issue, check_scenario, exit_status, load_schema
from scenarios.errors import ScenarioError
from scenarios.loader import load_scenario

XOSC = REFERENCE / "resources" / "xosc"
XODR = (REFERENCE / "resources" / "xodr" / "straight_500m.xodr").resolve()
WUHAN = Path(__file__).resolve().parents[2] / "scenarios" / "wuhan"


def scenario(tmp_path, old="", new="", name="s.xosc", text=None):
    text = (text or BASE).replace("XODR", str(XODR))
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text)
    return path, text


def line_of(text, marker, nth=1):
    pos = -1
    for _ in range(nth):
        pos = text.index(marker, pos + 1)
    return text.count("\n", 0, pos) + 1


def only(issues, severity="error"):
    found = [i for i in issues if i.severity == severity]
    assert len(found) == 1, [i.format() for i in issues]
    return found[0]


def warned_of(issues, needle, warned):
    """The one issue whose message holds ``needle`` when ``warned`` (asserted to be the only
    one, and a warning), else None after asserting there is none."""
    found = [i for i in issues if needle in i.message]
    assert len(found) == (1 if warned else 0), [i.format() for i in found]
    assert all(i.severity == "warning" for i in found), [i.format() for i in found]
    return found[0] if warned else None


def test_base_scenario_is_clean(tmp_path):
    path, _ = scenario(tmp_path)
    assert check_scenario(path) == []


def test_an_unusable_logic_file_is_an_error_at_the_logic_file(tmp_path):
    """The LogicFile's own errors (maps.check_opendrive) are reported at the LogicFile element,
    naming the .xodr and its line: here road 1's lane 3 made -6 m wide."""
    xodr = XODR.read_text(encoding="utf-8")
    bad = xodr.replace('<width sOffset="0.0000000000000000e+00" a="6.0000000000000000e+00"',
                       '<width sOffset="0.0000000000000000e+00" a="-6.0000000000000000e+00"', 1)
    assert bad != xodr
    (tmp_path / "neg.xodr").write_text(bad, encoding="utf-8")
    text = BASE.replace("XODR", str(tmp_path / "neg.xodr"))
    path = tmp_path / "s.xosc"
    path.write_text(text)
    issue = only(check_scenario(path))
    assert issue.line == line_of(text, "<LogicFile")
    assert issue.message.startswith(f"LogicFile {tmp_path / 'neg.xodr'}:")   # its line next
    assert "<width>: road 1 laneSection s=0.0 lane 3, record <width sOffset=0 a=-6 b=0 c=0 " \
           "d=0>: width -6.0000 m at s=0.000, its lowest on s=0..500 (expected >= 0" \
           in issue.message


@pytest.mark.parametrize("old,new,marker,message", [
    ('value="$Speed"/>', 'value="$Sped"/>', "$Sped", "'$Sped' is not declared"),
    ('value="$Speed"/>', 'value="${$Speed * $K}"/>', "$K}", "'$K' is not declared"),
    ('<EntityRef entityRef="Car"/>', '<EntityRef entityRef="Ghost"/>', "Ghost",
     "unknown entity 'Ghost'"),
    ('straight_500m.xodr"', 'missing.xodr"', "missing.xodr",
     "LogicFile not found"),
    ('storyboardElementRef="E"', 'storyboardElementRef="Nope"', "Nope", "no Event"),
    ('  </Entities>', '<ScenarioObject name="Car"><MiscObject name="box2" miscObjectCategory='
     '"obstacle" mass="1"><BoundingBox><Center x="0" y="0" z="0.5"/><Dimensions width="1" '
     'length="1" height="1"/></BoundingBox><Properties/></MiscObject></ScenarioObject>'
     '</Entities>', 'name="Car">', "name 'Car'"),
    ('<ParameterDeclaration name="Speed" parameterType="double" value="10"/>',
     '<ParameterDeclaration name="Speed" parameterType="double" value="10"/>\n'
     '<ParameterDeclaration name="Speed" parameterType="double" value="11"/>', 'value="11"',
     "name 'Speed' is already used"),
])
def test_semantic_problem_reported_at_its_line(tmp_path, old, new, marker, message):
    path, text = scenario(tmp_path, old, new)
    issue = only(check_scenario(path))
    nth = 2 if marker == 'name="Car">' else 1
    assert issue.line == line_of(text, marker, nth)
    assert message in issue.message and issue.file == str(path.resolve())
    assert issue.element.startswith("/OpenSCENARIO/")


def test_a_catalog_folder_that_is_missing_is_a_warning_until_a_reference_needs_it(tmp_path):
    """esmini runs files whose CatalogLocations name folders they never use (its examples
    do), and an empty location; a reference into a missing folder is the error."""
    path, text = scenario(tmp_path, "<CatalogLocations/>",
                          '<CatalogLocations><VehicleCatalog>\n<Directory path="nowhere"/>'
                          "</VehicleCatalog>\n<RouteCatalog/></CatalogLocations>")
    issues = check_scenario(path)
    schema = only(issues)               # the check stays strict: Directory is required
    assert schema.line == line_of(text, "<RouteCatalog/>") and "schema" in schema.message
    assert [(i.line, i.message) for i in issues if i.severity == "warning"] == [
        (line_of(text, "nowhere"), f"VehicleCatalog directory not found: "
         f"{(tmp_path / 'nowhere').resolve()} (ignored until a CatalogReference needs it)"),
        (line_of(text, "<RouteCatalog/>"), "RouteCatalog names no Directory: ignored (a "
         "reference into it fails)")]
    load_scenario(path)                                   # the engine runs it
    text = text.replace('<ScenarioObject name="Box">\n      <MiscObject',
                        '<ScenarioObject name="Van">\n<CatalogReference catalogName='
                        '"VehicleCatalog" entryName="car_white"/>\n</ScenarioObject>\n'
                        '<ScenarioObject name="Box">\n      <MiscObject')
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.line == line_of(text, "car_white")
    assert f"VehicleCatalog directory not found: {(tmp_path / 'nowhere').resolve()} (line " \
           f"{line_of(text, 'nowhere')})" in err.value.message


def test_an_openscenario_0_9_file_gets_only_its_revision_refused(tmp_path):
    """ASAM/CARLA sweep: CARLA's OSC 0.9 FollowLeadingVehicle got the refusal and then 9
    misleading 1.x issues (its Parameter elements read as undeclared, ...)."""
    text = ('<?xml version="1.0"?>\n<OpenSCENARIO>\n<FileHeader revMajor="0" revMinor="9" '
            'date="2019-01-01T00:00:00" description="x" author="y"/>\n<ParameterDeclaration>'
            '<Parameter name="$speed" type="double" value="10"/></ParameterDeclaration>\n'
            '<Entities><Object name="Ego"/></Entities>\n</OpenSCENARIO>\n')
    path, text = scenario(tmp_path, text=text)
    (issue,) = check_scenario(path)
    assert issue.severity == "error" and issue.line == 3
    assert issue.message == "OpenSCENARIO 0.9 is not supported (expected 1.0 to 1.3)"


def test_a_state_condition_path_naming_no_element_is_an_error(tmp_path):
    """Hostile pass 10: `X::Y::E0` passed check (its last name exists) while the run refused
    it ("no event named"); check now asks the engine's own lookup."""
    path, text = scenario(tmp_path, 'storyboardElementRef="E"', 'storyboardElementRef="Nope::E"')
    (issue,) = [i for i in check_scenario(path) if i.severity == "error"]
    assert issue.line == line_of(text, '<Condition name="End"')   # the run names this line
    assert issue.message == "no event named 'Nope::E' in the storyboard"


def test_init_positions_relative_to_themselves_or_in_a_cycle_are_refused(tmp_path):
    """Hostile pass 10: Box placed in Init relative to Box, and Car and Box relative to each
    other, loaded clean and were read at the world origin. Both are refused at load (so by
    check too); in a story a teleport relative to oneself is a jump and stays allowed. Car
    relative to Box written before Box is fine: Init places Box first (esmini's order;
    verify pass 10: ASAM's SlowPrecedingVehicle was wrongly warned of)."""
    from scenarios import ScenarioError, load_scenario
    car = '<LanePosition roadId="1" laneId="-1" s="20" offset="0"/>'
    box = '<LanePosition roadId="1" laneId="-2" s="200" offset="0"/>'
    path, text = scenario(tmp_path, box, '<RelativeObjectPosition entityRef="Box" dx="5" dy="0"/>')
    with pytest.raises(ScenarioError, match="the Init position of 'Box' is given relative to "
                                            "'Box' itself"):
        load_scenario(path)
    issue = only(check_scenario(path))
    assert issue.line == line_of(text, 'entityRef="Box" dx="5"')
    later = '<RelativeLanePosition entityRef="Box" dLane="1" ds="-20"/>'
    path, text = scenario(tmp_path, car, later)
    assert check_scenario(path) == []
    assert load_scenario(path).storyboard.init_actions   # loads; the engine orders Init
    cycle = text.replace(box, '<RelativeLanePosition entityRef="Car" dLane="-1" ds="20"/>')
    path.write_text(cycle)
    message = ("the Init positions of 'Box', 'Car' are each given relative to another of them "
               "(a cycle): expected one of them placed without reference to the others")
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_scenario(path)
    issue = only(check_scenario(path))
    assert issue.message == message


def test_an_empty_storyboard_stop_trigger_is_a_warning_at_its_line(tmp_path):
    """It never fires: the run goes to its time limit and does not judge reaching the end."""
    import re
    from check_base import BASE
    text = re.sub(r"<StopTrigger>.*</StopTrigger>", "<StopTrigger/>", BASE, flags=re.S)
    path, text = scenario(tmp_path, text=text)
    issues = check_scenario(path)
    warning = only(issues, "warning")
    assert warning.line == line_of(text, "<StopTrigger/>")
    assert warning.message.startswith("the Storyboard's StopTrigger has no ConditionGroup: it "
                                      "never fires")


@pytest.mark.parametrize("event_at, stop_at, warned", [
    ('value="10000" rule="greaterOrEqual"', 'value="40" rule="greaterThan"', True),
    ('value="30" rule="greaterThan"', 'value="40" rule="greaterThan"', False),
    ('value="10000" rule="lessThan"', 'value="40" rule="greaterThan"', False),
])
def test_an_event_timed_after_the_stop_trigger_is_a_warning(tmp_path, event_at, stop_at,
                                                            warned):
    """UN R157's ALKS templates start an Event at SimulationTime >= 10000 s while their
    StopTrigger ends the run at about 40 s (realinputs16 sweep): it never runs, and the run
    sets it apart from events_started's count; check says so at the Event."""
    stop = ('<StopTrigger><ConditionGroup><Condition name="End" delay="0" '
            'conditionEdge="none"><ByValueCondition><SimulationTimeCondition '
            f'{stop_at}/></ByValueCondition></Condition></ConditionGroup></StopTrigger>')
    text = re.sub(r"<StopTrigger>.*</StopTrigger>", stop, BASE, flags=re.S)
    text = text.replace('<SimulationTimeCondition value="1" rule="greaterThan"/>',
                        f'<SimulationTimeCondition {event_at}/>', 1)
    path, text = scenario(tmp_path, text=text)
    warning = warned_of(check_scenario(path), "never runs", warned)
    if warning is None:
        return
    assert (warning.severity, warning.line) == ("warning", line_of(text, '<Event name="E"'))
    assert warning.message == ("Event 'E' waits for a SimulationTime after 40 s, when the "
                               "StopTrigger ends the run: it never runs (reported apart, not "
                               "counted by events_started)")
    # an Act waiting as long: its Events never run either (hostile pass 16)
    text = text.replace('<SimulationTimeCondition value="0" rule="greaterThan"/>',
                        '<SimulationTimeCondition value="50" rule="greaterThan"/>', 1)
    path, text = scenario(tmp_path, text=text)
    acts = [i for i in check_scenario(path) if i.message.startswith("Act 'A")]
    assert [(i.line, i.message.split(": ", 1)[1]) for i in acts] == [
        (line_of(text, "<Act "), "its Events never run (reported apart, not counted by "
                                 "events_started)")]


@pytest.mark.parametrize("mode, warned", [("follow", True), ("position", False)])
def test_a_speed_profile_in_follow_mode_is_a_warning(tmp_path, mode, warned):
    """followingMode="follow" is played as straight segments, as "position" is; esmini keeps
    its jerk limits (realinputs16: esmini's speed-profile.xosc gave the same profile both
    ways, the acceleration jumping from +2.5 to -1.5 m/s^2, with nothing said)."""
    old = """<SpeedAction>
                      <SpeedActionDynamics dynamicsShape="step" dynamicsDimension="time" value="0"/>
                      <SpeedActionTarget><AbsoluteTargetSpeed value="$Speed"/></SpeedActionTarget>
                    </SpeedAction>"""
    new = (f'<SpeedProfileAction followingMode="{mode}"><DynamicConstraints maxAcceleration="3" '
           f'maxDeceleration="3" maxAccelerationRate="4" maxDecelerationRate="3"/>'
           f'<SpeedProfileEntry speed="10" time="4"/><SpeedProfileEntry speed="4" time="4"/>'
           f'</SpeedProfileAction>')
    path, text = scenario(tmp_path, old, new)
    warning = warned_of(check_scenario(path), "SpeedProfileAction", warned)
    if warning is None:
        return
    assert (warning.severity, warning.line) == ("warning", line_of(text, "<SpeedProfileAction"))
    assert "not applied here" in warning.message


@pytest.mark.parametrize("attrs, warned", [('ds="5" dsLane="20"', True), ('dsLane="20"', False),
                                           ('ds="5"', False)])
def test_ds_and_ds_lane_together_is_a_warning(tmp_path, attrs, warned):
    """Hostile pass 16: ds was used and dsLane silently ignored; OpenSCENARIO 1.1 makes them
    exclusive."""
    position = ('<Private entityRef="B"><PrivateAction><TeleportAction><Position>'
                f'<RelativeLanePosition entityRef="Car" dLane="0" {attrs}/></Position>'
                '</TeleportAction></PrivateAction></Private>')
    path, text = scenario(tmp_path, "</Private>", "</Private>" + position)
    warning = warned_of(check_scenario(path), "dsLane", warned)
    if warning is not None:
        assert (warning.severity, warning.line) == ("warning",
                                                    line_of(text, "<RelativeLanePosition"))


def test_map_warnings_are_counted_at_the_logic_file_not_printed_aside(tmp_path):
    """realinputs16b: a map warning (a lane link that leads nowhere) was printed while the
    summary said "0 warning(s)", exit 0. Now one warning at the LogicFile counts them and
    quotes the first; loading the map prints nothing."""
    import warnings
    xodr = tmp_path / "road.xodr"
    text = XODR.read_text()
    lane = '<lane id="-1" type="driving" level= "false">\n                        <link>'
    assert lane in text
    xodr.write_text(text.replace(lane, lane + '<predecessor id="-1"/>', 1))
    path, doc = scenario(tmp_path, text=BASE.replace("XODR", str(xodr)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # a warning printed aside fails the test
        issues = check_scenario(path)
    warning = only(issues, "warning")
    assert warning.line == line_of(doc, "<LogicFile")
    assert "1 map warning(s), the first at line 72: road 1 lane -1: predecessor lane -1 " \
           "named, but road 1 has no predecessor" in warning.message


@pytest.mark.parametrize("condition, action, warned", [
    ('value="2" rule="greaterThan"', "", True),       # declared 1: never > 2
    ('value="0" rule="greaterThan"', "", False),      # always holds
    ('value="2" rule="greaterThan"',
     '<ParameterAction parameterRef="Flag"><SetAction value="3"/></ParameterAction>', False),
])
def test_a_parameter_condition_nothing_can_make_true_is_a_warning(tmp_path, condition, action,
                                                                  warned):
    """realinputs16b: an Event waited on a parameter no action changes; the run failed
    events_started and check said nothing."""
    text = BASE.replace("<ParameterDeclarations>", '<ParameterDeclarations><ParameterDeclaration '
                        'name="Flag" parameterType="double" value="1"/>', 1)
    cond = ('<ByValueCondition><ParameterCondition parameterRef="Flag" '
            f'{condition}/></ByValueCondition>')
    text = text.replace('<ByValueCondition><SimulationTimeCondition value="1" '
                        'rule="greaterThan"/></ByValueCondition>', cond, 1)
    if action:
        old = "<Init>\n      <Actions>"
        assert old in text
        text = text.replace(old, f"{old}<GlobalAction>{action}</GlobalAction>", 1)
    path, text = scenario(tmp_path, text=text)
    warning = warned_of(check_scenario(path), "never holds", warned)
    if warning is not None:
        assert warning.line == line_of(text, "<ParameterCondition")
        assert warning.message == ("ParameterCondition on 'Flag' never holds: no ParameterAction "
                                   "changes it, and its declared value 1.0 is not greaterThan "
                                   "'2' (a parameter distribution may give it another)")


def test_an_empty_start_trigger_is_a_warning_at_its_line(tmp_path):
    old = """        <StartTrigger>
          <ConditionGroup>
            <Condition name="AT" delay="0" conditionEdge="none">
              <ByValueCondition><SimulationTimeCondition value="0" rule="greaterThan"/></ByValueCondition>
            </Condition>
          </ConditionGroup>
        </StartTrigger>"""
    path, text = scenario(tmp_path, old, "        <StartTrigger/>")
    issues = check_scenario(path)
    warning = only(issues, "warning")
    assert [i for i in issues if i.severity == "error"] == []
    assert warning.line == line_of(text, "<StartTrigger/>")
    assert warning.message.startswith("StartTrigger without ConditionGroup: its Act starts at "
                                      "once, as esmini reads it")


def test_a_scenario_run_would_refuse_as_a_test_case_is_a_warning(tmp_path):
    """No vehicle under test, or one no Init TeleportAction places: a scenario, but `run`
    refuses it (exit 2); check says so instead of passing it clean."""
    path, text = scenario(tmp_path, '<Property name="role" value="ego"/>', "")
    (issue,) = check_scenario(path)
    assert issue.severity == "warning" and issue.message == (
        "testzone run refuses it as a test case: no ego vehicle: expected an entity with "
        "Property role=ego (or type=ego_vehicle) or named Ego/ego/hero (entities: Car, Box)")
    path, text = scenario(tmp_path, '<Private entityRef="Car">', '<Private entityRef="Box">')
    (issue,) = check_scenario(path)
    assert issue.severity == "warning" and issue.message == (
        "testzone run refuses it as a test case: 'Car', the vehicle under test, has no "
        "TeleportAction in Init: expected its start position")


def test_an_entity_no_init_teleport_places_is_a_warning_at_its_scenario_object(tmp_path):
    """scenariogeneration's withcontroller example gives its Target a controller and no
    position: it stood at (0, 0) off the road, and the report measured the ego's proximity
    to it there, with nothing said."""
    path, text = scenario(tmp_path, '<Private entityRef="Box">', '<Private entityRef="Car">')
    assert text.count('<Private entityRef="Box">') == 0
    # (Box's Init now places Car a second time, on the shoulder: warned of too)
    car, issue = check_scenario(path)
    assert car.message.startswith("'Car' starts on a lane of type shoulder")
    assert issue.severity == "warning" and issue.line == line_of(text, 'name="Box"')
    assert issue.message == ("'Box' has no TeleportAction in Init: it starts at the world "
                             "origin (0, 0), off any road, until an action places it")


def test_a_parameter_declared_twice_alike_is_read_once_and_warned_of(tmp_path):
    """esmini's follow_reference.xosc declares lane_change_duration twice with value 2: esmini
    runs it, so the loader reads it once; check warns. Another value stays an error (the test
    above), and the loader refuses it naming the first declaration's line."""
    decl = '<ParameterDeclaration name="Speed" parameterType="double" value="10"/>'
    path, text = scenario(tmp_path, decl, decl + "\n" + decl)
    (issue,) = check_scenario(path)
    assert issue.severity == "warning" and issue.line == line_of(text, decl, 2)
    assert load_scenario(path).parameters["Speed"] == 10.0
    path, text = scenario(tmp_path, decl, decl + "\n" + decl.replace("10", "11"))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.line == line_of(text, 'value="11"')
    assert err.value.message == (f"parameter 'Speed' declared twice, with another value (line "
                                 f"{line_of(text, decl)})")


@pytest.mark.parametrize("attrs, message", [
    ('roadId="1" laneId="-99" s="20"', "laneId -99: road 1 has no lane -99 at s=20.000"),
    ('roadId="1" laneId="-1" s="-50"', "s=-50 m is outside road 1 (0 to 500 m long)"),
])
def test_a_lane_position_off_its_road_is_an_error_as_run_refuses_it(tmp_path, attrs, message):
    """Hostile pass 6: check passed a laneId -99 and an s of -50 m that run refuses."""
    path, text = scenario(tmp_path, 'roadId="1" laneId="-1" s="20"', attrs)
    issue = only(check_scenario(path))
    assert issue.line == line_of(text, attrs) and issue.message.startswith(message)


def test_missing_catalog_entry(tmp_path):
    cat = (XOSC / "Catalogs" / "Vehicles").resolve()
    path, text = scenario(
        tmp_path, "<CatalogLocations/>",
        f'<CatalogLocations><VehicleCatalog><Directory path="{cat}"/></VehicleCatalog>'
        f'</CatalogLocations>')
    text = text.replace('<ScenarioObject name="Box">\n      <MiscObject',
                        '<ScenarioObject name="Van">\n<CatalogReference catalogName='
                        '"VehicleCatalog" entryName="car_nope"/>\n</ScenarioObject>\n'
                        '<ScenarioObject name="Box">\n      <MiscObject')
    path.write_text(text)
    issue = only(check_scenario(path))
    assert issue.line == line_of(text, "car_nope") and "entry 'car_nope'" in issue.message


def test_action_on_an_entity_kind_that_cannot_take_it(tmp_path):
    path, text = scenario(tmp_path, '<EntityRef entityRef="Car"/>', '<EntityRef entityRef="Box"/>')
    issue = only(check_scenario(path))
    assert issue.line == line_of(text, "<SpeedAction>")
    assert issue.message == "SpeedAction cannot apply to 'Box', a MiscObject"


def test_schema_error_names_line_and_path(tmp_path):
    path, text = scenario(tmp_path, 'priority="overwrite"', 'priority="sometimes"')
    issue = only(check_scenario(path))
    assert issue.line == line_of(text, "sometimes")
    assert issue.message.startswith("schema 1.2:") and "priority" in issue.message
    assert issue.element.endswith("/Maneuver/Event")


def test_schema_of_the_file_version_is_used(tmp_path):
    # 1.0 has no ${...} expressions for doubles: the 1.0 schema refuses, 1.2 accepts
    old, new = 'value="$Speed"/>', 'value="${$Speed + 1}"/>'
    ok, _ = scenario(tmp_path, old, new)
    assert check_scenario(ok) == []
    text = ok.read_text().replace('revMinor="2"', 'revMinor="0"')
    v10 = tmp_path / "v10.xosc"
    v10.write_text(text)
    issue = only(check_scenario(v10))
    assert issue.message.startswith("schema 1.0:") and issue.line == line_of(text, "${$Speed")
    assert load_schema((1, 2)) is load_schema((1, 2))


LIGHT = ('<PrivateAction><AppearanceAction><LightStateAction><LightType><VehicleLight '
         'vehicleLightType="warningLights"/></LightType><LightState mode="flashing"/>'
         '</LightStateAction></AppearanceAction></PrivateAction>')


def test_schema_1_2_errata_appearance_action_and_light_type_are_choices(tmp_path):
    # the published 1.2 XSD writes both as sequences (every 1.2 AppearanceAction invalid);
    # read as the 1.3 choice, one LightStateAction with one VehicleLight is valid ...
    marker = '<Private entityRef="Car">'
    path, _ = scenario(tmp_path, marker, marker + LIGHT)
    assert check_scenario(path) == []
    # ... and a LightType naming two lights is not (a choice holds one)
    two = LIGHT.replace('</LightType>', '<UserDefinedLight userDefinedLightType="x"/></LightType>')
    path, text = scenario(tmp_path, marker, marker + two, name="two.xosc")
    issue = only(check_scenario(path))
    assert issue.message.startswith("schema 1.2:") and issue.line == line_of(text, "<LightType>")


def test_unsupported_element_is_a_named_warning(tmp_path):
    # ExternalObjectReference (OpenSCENARIO 1.2) is valid per the schema but not played
    text = BASE.replace("XODR", str(XODR))
    start = text.index('<ScenarioObject name="Box">')
    end = text.index("</ScenarioObject>", start) + len("</ScenarioObject>")
    text = (text[:start] + '<ScenarioObject name="Box"><ExternalObjectReference name="box"/>'
            "</ScenarioObject>" + text[end:])
    path = tmp_path / "external.xosc"
    path.write_text(text)
    issue = only(check_scenario(path), "warning")
    assert issue.line == line_of(text, "<ExternalObjectReference")
    assert issue.element.endswith("/ExternalObjectReference") and "not support" in issue.message
    assert exit_status(check_scenario(path)) == 1


def test_entity_declarations_refused(tmp_path):
    text = BASE.replace('<OpenSCENARIO>', '<!DOCTYPE OpenSCENARIO [\n<!ENTITY x "y">]>\n'
                        '<OpenSCENARIO>', 1)
    path, _ = scenario(tmp_path, text=text)
    issue = only(check_scenario(path))
    assert issue.line == 3 and issue.element == "!ENTITY"


def test_invalid_xml_and_missing_file(tmp_path):
    path, _ = scenario(tmp_path, "</Storyboard>", "")
    assert only(check_scenario(path)).message.startswith("invalid XML")
    assert only(check_scenario(tmp_path / "none.xosc")).message == "file not found"


def test_distribution_parameters_must_be_declared_and_typed(tmp_path):
    scenario(tmp_path)
    body = ('<Deterministic>\n<DeterministicSingleParameterDistribution parameterName="Speed">'
            '<DistributionSet><Element value="12"/><Element value="fast"/></DistributionSet>'
            '</DeterministicSingleParameterDistribution>\n'
            '<DeterministicSingleParameterDistribution parameterName="Mass"><DistributionSet>'
            '<Element value="1"/></DistributionSet></DeterministicSingleParameterDistribution>'
            '</Deterministic>')
    dist = tmp_path / "d.xosc"
    dist.write_text('<?xml version="1.0"?>\n<OpenSCENARIO><FileHeader revMajor="1" '
                    'revMinor="2" date="2024-01-01T00:00:00" description="d" author="a"/>'
                    '<ParameterValueDistribution><ScenarioFile filepath="s.xosc"/>' + body +
                    '</ParameterValueDistribution></OpenSCENARIO>')
    issues = check_scenario(dist)
    assert [(i.line, i.severity) for i in issues] == [(3, "error"), (4, "error")]
    assert "'fast' of 'Speed' is not of its declared type double" in issues[0].message
    assert "'Mass' is not declared" in issues[1].message


def test_a_distribution_of_a_malformed_scenario_file_is_reported_not_raised(tmp_path):
    """Author pass 14: a literal '<' in the ScenarioFile's attribute (a criterion Property)
    made ``scenario check`` of the distribution end in a traceback; the ScenarioFile's own
    error, with its file and line, is what the check reports."""
    path, text = scenario(tmp_path)
    path.write_text(text.replace('<Property name="role" value="ego"/>',
                                 '<Property name="criterion:ttc_min" value="ttc_min_s < 2"/>'))
    dist = tmp_path / "d.xosc"
    dist.write_text('<?xml version="1.0"?>\n<OpenSCENARIO><FileHeader revMajor="1" '
                    'revMinor="2" date="2024-01-01T00:00:00" description="d" author="a"/>'
                    '<ParameterValueDistribution><ScenarioFile filepath="s.xosc"/><Deterministic>'
                    '<DeterministicSingleParameterDistribution parameterName="Speed">'
                    '<DistributionSet><Element value="12"/></DistributionSet>'
                    '</DeterministicSingleParameterDistribution></Deterministic>'
                    '</ParameterValueDistribution></OpenSCENARIO>')
    issue = only(check_scenario(dist))
    assert (issue.file, issue.line) == (str(path), line_of(text, 'name="role"'))
    assert issue.message.startswith("invalid XML")


def test_exit_status():
    w = Issue("warning", "f", 1, "", "w")
    e = Issue("error", "f", 1, "", "e")
    assert (exit_status([]), exit_status([w]), exit_status([w, e])) == (0, 1, 2)


ALL = sorted(XOSC.glob("*.xosc")) + sorted(WUHAN.glob("*.xosc"))


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_reference_and_wuhan_files_have_no_errors(path):
    issues = check_scenario(path)
    assert [i.format() for i in issues if i.severity == "error"] == []


def test_known_warnings_of_reference_files():
    acc = check_scenario(XOSC / "acc-test.xosc")
    dup = [i for i in acc if "EgoSpeedEvent" in i.message]
    assert len(dup) == 1 and dup[0].line == 262 and dup[0].severity == "warning"
    assert check_scenario(XOSC / "cut-in.xosc") == []
    assert check_scenario(XOSC / "cut-in_parameter_set.xosc") == []


def test_unavailable_controller_on_a_scenario_entity_warns(tmp_path):
    action = ('<PrivateAction><ControllerAction><AssignControllerAction>\n'
              '<Controller name="Sloppy"><Properties><Property name="esminiController" '
              'value="SloppyDriverController"/></Properties></Controller>'
              '</AssignControllerAction></ControllerAction></PrivateAction>\n')
    path, text = scenario(tmp_path, "<PrivateAction>\n            <TeleportAction>",
                          action + "<PrivateAction>\n            <TeleportAction>")
    text = text.replace('<Property name="role" value="ego"/>', "")
    path.write_text(text)                                  # Car is not the ego (none here)
    issues = check_scenario(path)
    assert sorted(i.message.split(":")[0] for i in issues if i.severity == "warning") == [
        "controller 'Sloppy' (SloppyDriverController) is not available to Car",
        "testzone run refuses it as a test case"]
    issue = next(i for i in issues if i.message.startswith("controller"))
    assert issue.line == line_of(text, "<AssignControllerAction")
    assert issue.message.startswith("controller 'Sloppy' (SloppyDriverController) is not "
                                    "available to Car")
    acc = text.replace('value="SloppyDriverController"', 'value="ACCController"')
    path.write_text(acc)
    assert [i.message.split(":")[0] for i in check_scenario(path)] == [
        "testzone run refuses it as a test case"]
    ego = text.replace('"Car"', '"Ego"')                    # the vehicle under test: its agent
    path.write_text(ego)                                   # drives; under --agent scenario
    issue = only(check_scenario(path), "warning")          # the default controller does
    assert "of Ego, the vehicle under test, is not available: the agent drives Ego, and with " \
           "--agent scenario the default controller does" in issue.message


def test_distribution_variant_that_breaks_an_expression(tmp_path):
    path, text = scenario(tmp_path, 'value="$Speed"/>', 'value="${sqrt($Speed)}"/>')
    dist = tmp_path / "d.xosc"
    dist.write_text('<?xml version="1.0"?>\n<OpenSCENARIO><FileHeader revMajor="1" '
                    'revMinor="2" date="2024-01-01T00:00:00" description="d" author="a"/>'
                    '<ParameterValueDistribution><ScenarioFile filepath="s.xosc"/>'
                    '<Deterministic><DeterministicSingleParameterDistribution '
                    'parameterName="Speed"><DistributionSet><Element value="4"/>'
                    '<Element value="-4"/></DistributionSet>'
                    '</DeterministicSingleParameterDistribution></Deterministic>'
                    '</ParameterValueDistribution></OpenSCENARIO>')
    issue = only(check_scenario(dist))
    assert issue.message.startswith(f"variant 1 of {dist.resolve()}: ")
    assert issue.file == str(path.resolve()) and issue.line == line_of(text, "sqrt")


def test_distribution_variant_that_cannot_start_on_the_map(tmp_path):
    """New-user pass 9: Gap 20..3000 put 4 of 6 variants' start beyond the road; check said
    the distribution was clean and run then refused those cases. Variants are set up on the
    map (Init) as a run does, and the one that cannot start is named."""
    decl = '<ParameterDeclaration name="Speed" parameterType="double" value="10"/>'
    path, text = scenario(tmp_path, decl, decl + '<ParameterDeclaration name="Start" '
                          'parameterType="double" value="20"/>')
    text = text.replace('laneId="-1" s="20"', 'laneId="-1" s="$Start"')
    path.write_text(text)
    dist = tmp_path / "d.xosc"
    dist.write_text('<?xml version="1.0"?>\n<OpenSCENARIO><FileHeader revMajor="1" '
                    'revMinor="2" date="2024-01-01T00:00:00" description="d" author="a"/>'
                    '<ParameterValueDistribution><ScenarioFile filepath="s.xosc"/>'
                    '<Deterministic><DeterministicSingleParameterDistribution '
                    'parameterName="Start"><DistributionSet><Element value="20"/>'
                    '<Element value="900"/></DistributionSet>'
                    '</DeterministicSingleParameterDistribution></Deterministic>'
                    '</ParameterValueDistribution></OpenSCENARIO>')
    assert check_scenario(path) == []
    issue = only(check_scenario(dist))
    assert issue.message.startswith(f"variant 1 of {dist.resolve()}: ")
    assert "s=900" in issue.message and "outside road 1" in issue.message


def test_a_distribution_of_many_variants_is_checked_at_its_extremes(tmp_path):
    """Session 12: check loaded only the first 20 variants; a range whose largest value puts
    the start beyond the road (variants 88 and 87 of 89) was called clean. The variants at each
    parameter's smallest and largest value are loaded first."""
    from scenarios.check_semantics import variants_to_load
    decl = '<ParameterDeclaration name="Speed" parameterType="double" value="10"/>'
    path, text = scenario(tmp_path, decl, decl + '<ParameterDeclaration name="Start" '
                          'parameterType="double" value="20"/>')
    path.write_text(text.replace('laneId="-1" s="20"', 'laneId="-1" s="$Start"'))
    dist = tmp_path / "d.xosc"
    dist.write_text('<?xml version="1.0"?>\n<OpenSCENARIO><FileHeader revMajor="1" '
                    'revMinor="2" date="2024-01-01T00:00:00" description="d" author="a"/>'
                    '<ParameterValueDistribution><ScenarioFile filepath="s.xosc"/>'
                    '<Deterministic><DeterministicSingleParameterDistribution '
                    'parameterName="Start"><DistributionRange stepWidth="10">'
                    '<Range lowerLimit="20" upperLimit="900"/></DistributionRange>'
                    '</DeterministicSingleParameterDistribution></Deterministic>'
                    '</ParameterValueDistribution></OpenSCENARIO>')
    issues = check_scenario(dist)
    assert issues and all("s=900" in i.message or "s=890" in i.message for i in issues)
    assert issues[0].message.startswith(f"variant 88 of {dist.resolve()}: ")
    sets = [{"a": float(k), "b": 50.0 - k, "name": "x"} for k in range(50)]
    assert variants_to_load(sets, 5) == [0, 1, 2, 3, 49]
    assert variants_to_load(sets[:4], 5) == [0, 1, 2, 3]


@pytest.mark.parametrize("value, severity, says", [
    ("gap_min_m >= 2 m ; a rule of ours", None, None),
    ("off", None, None),
    # new-user pass 9: check was clean; the run reported the criterion not_evaluated. Author
    # pass 14: under a default's id (criterion:ttc_min) that switched the default off, so
    # the run refuses it (exit 2), and check says so first
    ("gap_minimum >= 2 m ; a rule of ours", "error",
     "statistic 'gap_minimum' is one no metric computes (closest: gap_min_m"),
    # the run refuses it (exit 2): check says so first
    ("gap_min_m >= 2 m", "error", "expected 'statistic rule threshold [unit] ; clause'"),
    # hostile pass 9: an infinite threshold made the case an error naming no file
    ("ttc_min_s >= 1e999 s ; x", "error", "threshold 1e999 is not a finite number"),
    # hostile pass 9: 1500 ms was compared as 1500 s; new-user pass 10: a warning was not
    # enough (the run still compared 1500 s): the run refuses it now, and check says so
    ("ttc_min_s >= 1500 ms ; x", "error", "unit 'ms' is not the unit of ttc_min_s ('s'): "
                                          "write the threshold in s"),
    ("ttc_min_s >= 1.5 s ; x", None, None),
])
def test_declared_criteria_are_checked_as_the_run_reads_them(tmp_path, value, severity, says):
    role = '<Property name="role" value="ego"/>'
    path, text = scenario(tmp_path, role, role + f'\n<Property name="criterion:min_gap" '
                                              f'value="{value}"/>')
    issues = check_scenario(path)
    if severity is None:
        assert issues == []
        return
    issue = only(issues, severity)
    assert issue.line == line_of(text, 'name="criterion:min_gap"')
    assert says in issue.message


def test_criteria_the_run_never_reads_are_warned_of(tmp_path):
    """Hostile pass 9: a criterion on another entity than the ego, one named 'Criterion:' and
    one given twice (the last wins) all passed check in silence."""
    role = '<Property name="role" value="ego"/>'
    crit = '<Property name="{}" value="ttc_min_s >= 1.5 s ; x"/>'
    path, text = scenario(tmp_path, role, role + "\n" + crit.format("Criterion:ttc") + "\n"
                          + crit.format("criterion:ttc") + "\n" + crit.format("criterion:ttc"))
    text = text.replace("<Properties/>", "<Properties>" + crit.format("criterion:box") +
                        "</Properties>", 1)
    path.write_text(text)
    found = sorted((i.line, i.message) for i in check_scenario(path))
    assert found == sorted([
        (line_of(text, 'name="Criterion:ttc"'),
         "Property 'Criterion:ttc' is not read: the prefix is 'criterion:', in that case"),
        (line_of(text, 'name="criterion:ttc"', 2),
         "criterion:ttc: given again on this entity: the last one is the one read"),
        (line_of(text, 'name="criterion:box"'),
         "criterion:box: on 'Box', not on the vehicle under test 'Car': never read")])


def test_revision_1_3_and_1_1_schemas(tmp_path):
    for minor in ("1", "3"):
        path, _ = scenario(tmp_path, 'revMinor="2"', f'revMinor="{minor}"', name=f"{minor}.xosc")
        assert check_scenario(path) == [], minor
    path, _ = scenario(tmp_path, 'revMinor="2"', 'revMinor="7"', name="7.xosc")
    # the words run uses for it (observed: a different message for the same refusal)
    assert only(check_scenario(path)).message == \
        "OpenSCENARIO 1.7 is not supported (expected 1.0 to 1.3)"


def test_lane_change_on_a_pedestrian_warns(tmp_path):
    ped = ('<Pedestrian name="p" pedestrianCategory="pedestrian" mass="80" model="m">'
           '<BoundingBox><Center x="0" y="0" z="0.9"/><Dimensions width="0.5" length="0.5" '
           'height="1.8"/></BoundingBox><Properties/></Pedestrian>')
    path, text = scenario(tmp_path)
    start = text.index('<MiscObject name="box"')
    text = text[:start] + ped + text[text.index("</MiscObject>") + len("</MiscObject>"):]
    text = text.replace('<EntityRef entityRef="Car"/>', '<EntityRef entityRef="Box"/>')
    text = text.replace(
        "<LongitudinalAction>\n                    <SpeedAction>",
        '<LateralAction><LaneChangeAction><LaneChangeActionDynamics dynamicsShape="sinusoidal"'
        ' value="2" dynamicsDimension="time"/><LaneChangeTarget><RelativeTargetLane '
        'entityRef="Box" value="1"/></LaneChangeTarget></LaneChangeAction></LateralAction>\n'
        "<LongitudinalAction>\n                    <SpeedAction>")
    text = text.replace("</LongitudinalAction>\n                </PrivateAction>",
                        "</LongitudinalAction>\n                </PrivateAction>", 1)
    # a PrivateAction holds one action: move the speed action into its own PrivateAction
    text = text.replace("</LateralAction>\n<LongitudinalAction>",
                        "</LateralAction></PrivateAction>\n<PrivateAction><LongitudinalAction>")
    text = text.replace('<Action name="Go">\n                <PrivateAction>\n'
                        '                  <LateralAction>',
                        '<Action name="Go">\n                <PrivateAction><LateralAction>')
    path.write_text(text)
    issues = check_scenario(path)
    lane = [i for i in issues if "LaneChangeAction cannot apply to 'Box'" in i.message]
    assert len(lane) == 1 and lane[0].severity == "warning"
    assert lane[0].line == line_of(text, "<LaneChangeAction>")


CATALOG = """<?xml version="1.0"?>
<OpenSCENARIO>
  <FileHeader revMajor="1" revMinor="3" date="2026-01-01T00:00:00" description="c" author="t"/>
  <Catalog name="ManeuverCatalog">
    <Maneuver name="Brake">
      <ParameterDeclarations>
        <ParameterDeclaration name="Target" parameterType="double" value="0"/>
      </ParameterDeclarations>
      <Event name="B" priority="overwrite">
        <Action name="Stop">
          <PrivateAction><RoutingAction><RandomRouteAction/></RoutingAction></PrivateAction>
        </Action>
        <StartTrigger><ConditionGroup><Condition name="T" delay="0" conditionEdge="none">
          <ByValueCondition>
            <SimulationTimeCondition value="$Target" rule="greaterThan"/>
          </ByValueCondition>
        </Condition></ConditionGroup></StartTrigger>
      </Event>
    </Maneuver>
  </Catalog>
</OpenSCENARIO>
"""


def test_a_used_catalog_maneuver_is_parsed_with_the_engine_registries(tmp_path):
    # its RandomRouteAction (1.3) is known (it was the example of an unsupported action)
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "m.xosc").write_text(CATALOG)
    path, _ = scenario(tmp_path, "<CatalogLocations/>", '<CatalogLocations><ManeuverCatalog>'
                       '<Directory path="cat"/></ManeuverCatalog></CatalogLocations>')
    path, text = scenario(tmp_path, "</ManeuverGroup>", '</ManeuverGroup>\n<ManeuverGroup '
                          'name="G2" maximumExecutionCount="1"><Actors selectTriggeringEntities='
                          '"false"><EntityRef entityRef="Car"/></Actors><CatalogReference '
                          'catalogName="ManeuverCatalog" entryName="Brake"/></ManeuverGroup>',
                          text=path.read_text())
    assert check_scenario(path) == []
    bad = path.read_text().replace('entryName="Brake"', 'entryName="Swerve"')
    path.write_text(bad)
    assert "entry 'Swerve' not found" in only(check_scenario(path)).message


def test_a_lane_position_on_the_centre_lane_is_a_warning(tmp_path):
    """Hostile pass 11: laneId="0" passed check; the ego stood on the reference line and the
    case failed stay_on_road, blamed on the agent."""
    car = '<LanePosition roadId="1" laneId="-1" s="20" offset="0"/>'
    path, text = scenario(tmp_path, car, '<LanePosition roadId="1" laneId="0" s="20" '
                                         'offset="0"/>')
    warning = only(check_scenario(path), "warning")
    assert warning.line == line_of(text, 'laneId="0"')
    assert warning.message.startswith("laneId 0 is the centre lane, which has no width")


def test_check_names_every_value_outside_its_constraints(tmp_path):
    """Real-input sweep 12: a file with 42 values outside their ConstraintGroups took 42
    checks to see them all (the first one only, each time)."""
    decl = '<ParameterDeclaration name="Speed" parameterType="double" value="10"/>'
    bad = "".join(f'<ParameterDeclaration name="p{k}" parameterType="double" value="{k}">'
                  f'<ConstraintGroup><ValueConstraint rule="greaterThan" value="100"/>'
                  f'</ConstraintGroup></ParameterDeclaration>\n' for k in range(3))
    path, text = scenario(tmp_path, decl, decl + "\n" + bad)
    errors = [i for i in check_scenario(path) if i.severity == "error"]
    assert [(i.line, i.message) for i in errors] == [
        (line_of(text, f'name="p{k}"'), f"value {k} of parameter 'p{k}' meets none of its "
                                        f"ConstraintGroups: greaterThan 100") for k in range(3)]


def test_a_header_without_a_readable_revision_is_the_only_error(tmp_path):
    """Real-input sweep 12: ASAM's API test file with revMajor="${floor(35.5 +1)}" gave 9
    errors, 8 of them following from the header (the loader read it as OpenSCENARIO 36.37)."""
    path, text = scenario(tmp_path)
    text = re.sub(r'revMajor="1"', 'revMajor="${floor(35.5 +1)}"', text, count=1)
    path.write_text(text)
    assert [i.message for i in check_scenario(path)] == [
        "expected a FileHeader with integer revMajor and revMinor"]


def test_check_names_every_reason_run_refuses_a_scenario(tmp_path):
    """Real-input sweep 12: ASAM's TrailerConnect (an empty RoadNetwork, no ego) was warned
    of the missing ego only; run then refused it for the road network."""
    path, text = scenario(tmp_path)
    text = re.sub(r"<RoadNetwork>.*?</RoadNetwork>", "<RoadNetwork/>", text, flags=re.S)
    path.write_text(text.replace('<Property name="role" value="ego"/>', ""))
    warned = [i.message for i in check_scenario(path) if i.message.startswith("testzone run")]
    assert [m.split(":")[1].strip() for m in warned] == ["no RoadNetwork LogicFile",
                                                         "no ego vehicle"]   # in line order


@pytest.mark.parametrize("h, warned", [(1.5708, True), (0.3, False), (3.1416, False)])
def test_an_entity_set_across_its_lane_and_moved_is_warned_of(tmp_path, h, warned):
    """Hostile pass 12b: a pedestrian set across the road (h = pi/2) with a SpeedAction walks
    along the lane (the default controller, as esmini's), so the crossing never happens and
    the case passes. Check warns when the start is more than 45 deg off the lane either way
    and nothing (a trajectory, a route) guides the entity."""
    box_at = '<LanePosition roadId="1" laneId="-2" s="200" offset="0"/>'
    path, text = scenario(tmp_path, box_at, box_at.replace(
        "/>", f'><Orientation type="relative" h="{h}"/></LanePosition>'))
    text = text.replace('<EntityRef entityRef="Car"/>',
                        '<EntityRef entityRef="Car"/><EntityRef entityRef="Box"/>')
    misc = re.search(r"<MiscObject.*?</MiscObject>", text, flags=re.S).group(0)
    vehicle = re.search(r"<Vehicle.*?</Vehicle>", text, flags=re.S).group(0)
    text = text.replace(misc, vehicle.replace('<Property name="role" value="ego"/>', ""))
    path.write_text(text)
    found = [i for i in check_scenario(path) if "deg off the direction" in i.message]
    assert [(i.line, i.message.split(":")[0]) for i in found] == (
        [(line_of(text, '<ScenarioObject name="Box"'),
          "'Box' starts 90 deg off the direction of its lane (road 1, lane -2)")]
        if warned else [])


@pytest.mark.parametrize("change, says", [
    # author pass 14: each was checked clean, and the run then judged another case
    (('laneId="-2" s="200"', 'laneId="-1" s="22"'), "'Car' and 'Box' overlap at the start "
                                                    "(their bounding boxes intersect at t = 0)"),
    (('laneId="-1" s="20"', 'laneId="-2" s="20"'),
     "'Car' starts on a lane of type shoulder (road 1, lane -2, s=20.0), not a driving lane"),
    (('s="20" offset="0"/>', 's="20" offset="0"><Orientation type="relative" h="3.14159"/>'
                            '</LanePosition>'),
     "'Car' starts heading against the driving direction of its lane (road 1, lane -1: 180 "
     "deg off): it drives the wrong way"),
])
def test_starts_that_change_what_a_case_tests_are_warnings(tmp_path, change, says):
    path, text = scenario(tmp_path, *change)
    issue = only(check_scenario(path), "warning")
    assert issue.message.startswith(says), issue.message


def test_a_car_set_either_way_on_a_two_way_lane_is_not_driving_the_wrong_way(tmp_path):
    """Review 15: a two-way lane (OpenDRIVE 1.8 direction="both") has no wrong way, as the
    wrong-way metric judges it; check said "it drives the wrong way" for a car set against
    the lane's side direction there."""
    two_way = tmp_path / "two_way.xodr"
    two_way.write_text(XODR.read_text().replace('<lane id="-1" type="driving"',
                                                '<lane id="-1" type="driving" direction="both"'))
    text = BASE.replace("XODR", str(two_way)).replace(
        's="20" offset="0"/>', 's="20" offset="0"><Orientation type="relative" h="3.14159"/>'
                               '</LanePosition>', 1)
    path = tmp_path / "s.xosc"
    path.write_text(text)
    assert not [i for i in check_scenario(path) if "wrong way" in i.message]


def test_a_synchronize_action_on_the_vehicle_under_test_is_a_warning():
    """Author pass 16: a red-light runner synchronised to the ego slowed when the ego did, and
    the collision read as a failed warning. esmini's ltap-od times its target by the Ego."""
    issues = check_scenario(XOSC / "ltap-od.xosc")
    found = [i for i in issues if "masterEntityRef 'Ego', the vehicle under test" in i.message]
    assert len(found) == 1 and found[0].severity == "warning"
    assert found[0].element.endswith("SynchronizeAction")
