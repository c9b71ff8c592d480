"""Hostile values are refused where they enter, as ScenarioErrors naming file and line:
non-finite numbers, negative durations/delays/counts, runaway expressions, distributions
with too many cases, and a scenario without an ego when a run needs one."""

import pytest
from builders import document, event, sim_time, speed_action, story, teleport, trigger, write
from test_distribution import dist_file

from scenarios import ScenarioError, expand_distribution, load_scenario
from scenarios.distribution import MAX_CASES
from scenarios.expressions import MAX_DEPTH, ExpressionError, evaluate


def doc(init: str = "", stories: str = "", parameters: str = "") -> str:
    return document(init or teleport("Car", -1, 10.0), stories,
                    trigger(sim_time(5), kind="StopTrigger"), parameters=parameters)


@pytest.mark.parametrize("text", ["(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1),
                                  "-" * 3000 + "1", "not " * 3000 + "true",
                                  "10 ** 10 ** 10", "pow(10, 400)", "1e400", "1e300 * 1e300",
                                  "floor(1e300 * 1e300)"])
def test_runaway_expressions_are_expression_errors(text):
    with pytest.raises(ExpressionError):
        evaluate(text, lambda name: 1.0)


def test_nesting_up_to_the_limit_evaluates():
    depth = MAX_DEPTH - 1
    assert evaluate("(" * depth + "2" + ")" * depth + " ** 3", lambda n: 0) == 8.0


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "${10 ** 10 ** 10}"])
def test_non_finite_double_parameter_is_refused_with_its_line(tmp_path, value):
    path = write(tmp_path, doc(parameters=f'<ParameterDeclaration name="X" '
                                          f'parameterType="double" value="{value}"/>'))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.line == 4 and err.value.element == "ParameterDeclaration"


@pytest.mark.parametrize("s", ["NaN", "inf", "1e400"])
def test_non_finite_position_is_refused(tmp_path, s):
    path = write(tmp_path, doc(init=teleport("Car", -1, 10.0).replace('s="10.0"', f's="{s}"')))
    with pytest.raises(ScenarioError, match="expected a finite number") as err:
        load_scenario(path)
    assert err.value.element == "LanePosition" and err.value.line is not None


@pytest.mark.parametrize("old, new, element", [
    ('dynamicsDimension="time" value="2.0"', 'dynamicsDimension="time" value="-2"',
     "SpeedActionDynamics"),
    ('delay="0.0"', 'delay="-1"', "Condition"),
    ('maximumExecutionCount="1">', 'maximumExecutionCount="-1">', "Event"),
    ('maximumExecutionCount="1" name="G"', 'maximumExecutionCount="0" name="G"',
     "ManeuverGroup"),
])
def test_negative_durations_delays_and_counts_are_refused(tmp_path, old, new, element):
    text = doc(stories=story(event("E", speed_action(5.0, "linear", "time", 2.0),
                                   trigger(sim_time(1, delay=0.0)))))
    assert old in text
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, text.replace(old, new, 1)))
    assert err.value.element == element and err.value.line is not None


def test_negative_rate_keeps_its_sign_as_esmini_writes_it(tmp_path):
    text = doc(stories=story(event("E", speed_action(5.0, "linear", "rate", -4.0),
                                   trigger(sim_time(1)))))
    load_scenario(write(tmp_path, text))


def test_distribution_product_over_the_limit_is_refused_before_expanding(tmp_path):
    def rng(name):
        return (f'<DeterministicSingleParameterDistribution parameterName="{name}">'
                f'<DistributionRange stepWidth="1"><Range lowerLimit="0" upperLimit="999"/>'
                f'</DistributionRange></DeterministicSingleParameterDistribution>')
    with pytest.raises(ScenarioError, match=f"at most {MAX_CASES}") as err:
        expand_distribution(dist_file(tmp_path, f"<Deterministic>{rng('a')}{rng('b')}"
                                                f"{rng('c')}</Deterministic>"))
    assert err.value.element == "Deterministic"


@pytest.mark.parametrize("runs", ["1000000000", "1e9", str(MAX_CASES + 1)])
def test_stochastic_runs_over_the_limit_are_refused(tmp_path, runs):
    body = (f'<Stochastic numberOfTestRuns="{runs}"><StochasticDistribution parameterName="u">'
            '<UniformDistribution><Range lowerLimit="0" upperLimit="1"/></UniformDistribution>'
            '</StochasticDistribution></Stochastic>')
    with pytest.raises(ScenarioError, match="numberOfTestRuns"):
        expand_distribution(dist_file(tmp_path, body))


def test_tiny_step_is_refused_without_overflow(tmp_path):
    body = ('<Deterministic><DeterministicSingleParameterDistribution parameterName="a">'
            '<DistributionRange stepWidth="1e-320"><Range lowerLimit="-1e308" '
            'upperLimit="1e308"/></DistributionRange></DeterministicSingleParameterDistribution>'
            '</Deterministic>')
    with pytest.raises(ScenarioError, match="values: expected at most"):
        expand_distribution(dist_file(tmp_path, body))


def test_require_ego_names_the_file(tmp_path):
    path = write(tmp_path, doc())
    sc = load_scenario(path)                        # loading stays permissive
    assert sc.ego_name is None
    with pytest.raises(ScenarioError, match="no ego vehicle") as err:
        sc.require_ego()
    assert err.value.file == str(path)


@pytest.mark.parametrize("x", ["1e308", "-1.5e8"])
def test_world_position_beyond_any_map_is_refused_with_its_line(tmp_path, x):
    init = ('<Private entityRef="Car"><PrivateAction><TeleportAction><Position>'
            f'<WorldPosition x="{x}" y="0"/></Position></TeleportAction></PrivateAction>'
            '</Private>')
    path = write(tmp_path, doc(init=init))
    with pytest.raises(ScenarioError, match=r"x=.*: expected \|x\| <= 1e\+08 m") as err:
        load_scenario(path)
    assert err.value.element == "WorldPosition" and err.value.line is not None


def test_element_with_too_many_attributes_is_refused_with_its_line(tmp_path):
    # observed: `scenario check` on 200,000 attributes took minutes (lxml reads attribute
    # values in quadratic time); both the loader and the check now refuse the element
    from scenarios.check import check_scenario
    from scenarios.xmlsource import MAX_ATTRIBUTES
    many = " ".join(f'a{i}="1"' for i in range(MAX_ATTRIBUTES + 1))
    text = doc().replace("<FileHeader ", f"<FileHeader {many} ", 1)
    path = write(tmp_path, text)
    line = text.count("\n", 0, text.index("<FileHeader")) + 1
    with pytest.raises(ScenarioError, match=f"{MAX_ATTRIBUTES + 6} attributes") as err:
        load_scenario(path)
    assert err.value.line == line and err.value.element == "FileHeader"
    [issue] = check_scenario(path)
    assert issue.severity == "error" and issue.line == line


def test_logic_file_that_is_a_directory_says_so(tmp_path):
    # observed: "LogicFile not found" for a folder that exists
    from scenarios.check import check_scenario
    (tmp_path / "roads").mkdir()
    text = doc().replace("<RoadNetwork>", '<RoadNetwork><LogicFile filepath="roads"/>', 1)
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError, match="LogicFile is a directory, expected a file"):
        load_scenario(path)
    assert any("LogicFile is a directory, expected a file" in i.message
               for i in check_scenario(path))


def test_a_scenario_file_over_the_size_cap_is_refused_before_it_is_parsed(tmp_path,
                                                                        monkeypatch):
    # a 50 MB file took 86 s to check; /dev/zero or a FIFO would never end
    import scenarios.xmlsource as xs
    from scenarios import ScenarioError, load_scenario
    path = tmp_path / "big.xosc"
    path.write_text("<OpenSCENARIO>" + " " * 2000 + "</OpenSCENARIO>")
    monkeypatch.setattr(xs, "MAX_SCENARIO_BYTES", 1000)
    with pytest.raises(ScenarioError, match="more than the 1000 accepted") as err:
        load_scenario(path)
    assert err.value.file == str(path)
    with pytest.raises(ScenarioError, match="is not a regular file"):
        load_scenario("/dev/zero")
