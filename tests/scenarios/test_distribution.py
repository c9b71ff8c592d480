"""ParameterValueDistribution expansion: esmini's cut-in example and hand-built files."""

import math
import statistics

import pytest
from builders import write
from esmini_csv import REFERENCE

from scenarios import ScenarioError, UnsupportedElementError, expand_distribution, load_scenario

XOSC = REFERENCE / "resources" / "xosc"


def test_esmini_cut_in_parameter_set_has_12_permutations():
    variants = expand_distribution(XOSC / "cut-in_parameter_set.xosc")
    assert len(variants) == 12           # 2 value sets x 2 EgoSpeed x 3 TargetSpeedFactor
    assert variants[0].parameters == {"HostVehicle": "car_blue", "TargetVehicle": "car_yellow",
                                       "EgoSpeed": 70.0, "TargetSpeedFactor": 1.1}
    assert variants[11].parameters == {"TargetVehicle": "van_red", "EgoSpeed": 110.0,
                                        "TargetSpeedFactor": 1.5}
    factors = [v.parameters["TargetSpeedFactor"] for v in variants[:3]]
    assert factors == pytest.approx([1.1, 1.3, 1.5])
    assert {v.scenario_file for v in variants} == {str((XOSC / "cut-in.xosc").resolve())}
    sc = load_scenario(variants[5].scenario_file, variants[5].parameters)
    assert sc.entities["Ego"].catalog == "VehicleCatalog/car_blue"
    assert sc.parameters["EgoSpeed"] == 110.0


def dist_file(tmp_path, body):
    (tmp_path / "s.xosc").write_text("<OpenSCENARIO/>")
    return write(tmp_path, '<?xml version="1.0"?>\n<OpenSCENARIO><FileHeader revMajor="1" '
                 'revMinor="2" date="2024-01-01T00:00:00" description="d" author="a"/>'
                 '<ParameterValueDistribution><ScenarioFile filepath="s.xosc"/>' + body +
                 '</ParameterValueDistribution></OpenSCENARIO>', "d.xosc")


STOCHASTIC = ('<Stochastic numberOfTestRuns="400" randomSeed="7">'
              '<StochasticDistribution parameterName="u"><UniformDistribution>'
              '<Range lowerLimit="2" upperLimit="4"/></UniformDistribution>'
              '</StochasticDistribution>'
              '<StochasticDistribution parameterName="n"><NormalDistribution expectedValue="10" '
              'variance="4"><Range lowerLimit="6" upperLimit="14"/></NormalDistribution>'
              '</StochasticDistribution>'
              '<StochasticDistribution parameterName="p"><ProbabilityDistributionSet>'
              '<Element value="a" weight="3"/><Element value="b" weight="1"/>'
              '</ProbabilityDistributionSet></StochasticDistribution></Stochastic>')


def test_stochastic_draws_are_seeded_and_distributed(tmp_path):
    path = dist_file(tmp_path, STOCHASTIC)
    a, b = expand_distribution(path), expand_distribution(path)
    assert [v.parameters for v in a] == [v.parameters for v in b]
    assert [v.parameters for v in expand_distribution(path, seed=8)] != \
        [v.parameters for v in a]
    u = [v.parameters["u"] for v in a]
    n = [v.parameters["n"] for v in a]
    p = [v.parameters["p"] for v in a]
    assert len(a) == 400 and min(u) >= 2 and max(u) <= 4 and min(n) >= 6 and max(n) <= 14
    # 400 draws: the mean of U(2, 4) is 3 (sd of the mean 0.029), of N(10, 2^2) 10 (0.1)
    assert statistics.fmean(u) == pytest.approx(3.0, abs=0.12)
    assert statistics.fmean(n) == pytest.approx(10.0, abs=0.4)
    assert p.count("a") / 400 == pytest.approx(0.75, abs=0.08)


def test_set_values_take_the_type_the_scenario_declares(tmp_path):
    # DistributionSet values stayed text ("70.0") in summary.json and by_parameter
    path = dist_file(tmp_path, '<Deterministic>' + ''.join(
        f'<DeterministicSingleParameterDistribution parameterName="{name}"><DistributionSet>'
        f'<Element value="{value}"/></DistributionSet></DeterministicSingleParameterDistribution>'
        for name, value in [("Speed", "70"), ("Lanes", "3"), ("Wet", "true"), ("Car", "1"),
                            ("Gap", "fast"), ("Other", "5")]) + '</Deterministic>')
    (tmp_path / "s.xosc").write_text(
        '<OpenSCENARIO><ParameterDeclarations>'
        '<ParameterDeclaration name="Speed" parameterType="double" value="1"/>'
        '<ParameterDeclaration name="Lanes" parameterType="unsignedInt" value="1"/>'
        '<ParameterDeclaration name="Wet" parameterType="boolean" value="false"/>'
        '<ParameterDeclaration name="Car" parameterType="string" value="x"/>'
        '<ParameterDeclaration name="Gap" parameterType="double" value="1"/>'
        '</ParameterDeclarations></OpenSCENARIO>')
    # a value not of its declared type is refused at the element varying it (hostile pass
    # 6: expand wrote 12 files, and every case of them then failed to load)
    with pytest.raises(ScenarioError, match="value 'fast' of 'Gap' is not of its declared "
                                            "type double") as err:
        expand_distribution(path)
    assert err.value.element == "DeterministicSingleParameterDistribution"
    path.write_text(path.read_text().replace('value="fast"', 'value="2.5"'))
    (variant,) = expand_distribution(path)
    got = dict(variant.parameters)
    assert got == {"Speed": 70.0, "Lanes": 3, "Wet": True, "Car": "1", "Gap": 2.5,
                   "Other": "5"}          # Other: undeclared, as written (loading refuses it)
    assert [type(got[k]) for k in ("Speed", "Lanes", "Wet")] == [float, int, bool]


def test_range_steps_and_errors(tmp_path):
    body = ('<Deterministic><DeterministicSingleParameterDistribution parameterName="x">'
            '<DistributionRange stepWidth="0.25"><Range lowerLimit="0" upperLimit="1"/>'
            '</DistributionRange></DeterministicSingleParameterDistribution></Deterministic>')
    xs = [v.parameters["x"] for v in expand_distribution(dist_file(tmp_path, body))]
    assert xs == [0.0, 0.25, 0.5, 0.75, 1.0]
    bad = body.replace('upperLimit="1"', 'upperLimit="-1"')
    with pytest.raises(ScenarioError, match="upperLimit"):
        expand_distribution(dist_file(tmp_path, bad))
    assert not math.isnan(xs[-1])


@pytest.mark.parametrize("lower, upper, step, expected", [
    ("0.1", "0.3", "0.1", [0.1, 0.2, 0.3]),
    ("1.0", "2.0", "0.3", [1.0, 1.3, 1.6, 1.9]),                 # the upper limit not reached
    ("0", "5e-13", "1e-13", [0.0, 1e-13, 2e-13, 3e-13, 4e-13, 5e-13]),
    ("1.0000000000004", "3", "1", [1.0000000000004, 2.0000000000004]),
    ("1e9", "1000000000.3", "0.1", [1e9, 1000000000.1, 1000000000.2, 1000000000.3]),
])
def test_range_values_are_the_decimal_steps_as_written(tmp_path, lower, upper, step, expected):
    """"The range starts with lower limit, each additional value is defined by adding the
    step value to the previous value" and "lowerLimit <= value <= upperLimit" (OSC 1.2
    DistributionRange, Range), in decimal as written (dist15 audit: values rounded to 12
    decimals merged a 1e-13 step into one value, put 1.0000000000004 below itself, and a
    1e9 offset lost its upper limit)."""
    body = ('<Deterministic><DeterministicSingleParameterDistribution parameterName="x">'
            f'<DistributionRange stepWidth="{step}"><Range lowerLimit="{lower}" '
            f'upperLimit="{upper}"/></DistributionRange>'
            '</DeterministicSingleParameterDistribution></Deterministic>')
    xs = [v.parameters["x"] for v in expand_distribution(dist_file(tmp_path, body))]
    assert xs == expected


def test_cut_in_parameter_set_exact_values():
    """The standard's rule: cartesian product of the value sets and single-parameter
    distributions (document order, first slowest): 2 sets x 2 speeds x 3 factors = 12."""
    variants = expand_distribution(XOSC / "cut-in_parameter_set.xosc")
    sets = [{"HostVehicle": "car_blue", "TargetVehicle": "car_yellow"},
            {"TargetVehicle": "van_red"}]
    expected = [{**s, "EgoSpeed": e, "TargetSpeedFactor": f}
                for s in sets for e in (70.0, 110.0) for f in (1.1, 1.3, 1.5)]
    assert [v.index for v in variants] == list(range(12))
    got = [dict(v.parameters) for v in variants]
    for g, e in zip(got, expected):
        assert g.keys() == e.keys()
        assert g["TargetSpeedFactor"] == pytest.approx(e["TargetSpeedFactor"], abs=1e-12)
        assert {k: g[k] for k in g if k != "TargetSpeedFactor"} == \
            {k: e[k] for k in e if k != "TargetSpeedFactor"}


PINNED = ('<Stochastic numberOfTestRuns="3" randomSeed="42">'
          '<StochasticDistribution parameterName="u"><UniformDistribution>'
          '<Range lowerLimit="2" upperLimit="4"/></UniformDistribution></StochasticDistribution>'
          '<StochasticDistribution parameterName="n"><NormalDistribution expectedValue="10" '
          'variance="4"/></StochasticDistribution>'
          '<StochasticDistribution parameterName="ln"><LogNormalDistribution expectedValue="5" '
          'variance="1"/></StochasticDistribution>'
          '<StochasticDistribution parameterName="po"><PoissonDistribution expectedValue="3"/>'
          '</StochasticDistribution>'
          '<StochasticDistribution parameterName="h"><Histogram>'
          '<Bin weight="1"><Range lowerLimit="0" upperLimit="1"/></Bin>'
          '<Bin weight="3"><Range lowerLimit="10" upperLimit="20"/></Bin></Histogram>'
          '</StochasticDistribution>'
          '<StochasticDistribution parameterName="p"><ProbabilityDistributionSet>'
          '<Element value="a" weight="1"/><Element value="b" weight="1"/>'
          '</ProbabilityDistributionSet></StochasticDistribution></Stochastic>')


def test_stochastic_values_pinned_for_seed_42(tmp_path):
    """numpy Generator(PCG64(42)) draws, run by run, distribution by distribution: the same
    numbers on every machine (numpy guarantees PCG64's stream)."""
    got = [v.parameters for v in expand_distribution(dist_file(tmp_path, PINNED))]
    assert got[0]["u"] == pytest.approx(3.5479120971119267, rel=1e-15)
    assert got[0]["n"] == pytest.approx(7.920031787519009, rel=1e-15)
    assert got[0]["ln"] == pytest.approx(5.688511200648683, rel=1e-15)
    assert [g["po"] for g in got] == [3, 3, 4]
    assert [g["h"] for g in got] == pytest.approx([11.281136326755458, 0.8276311719925821,
                                                   0.6830489532424546], rel=1e-15)
    assert [g["p"] for g in got] == ["a", "b", "b"]
    assert got[2]["u"] == pytest.approx(3.5161754801707477, rel=1e-15)


def test_stochastic_first_draws_follow_the_pcg64_stream(tmp_path):
    """Independent recomputation: the first two values are U(2,4) then N(10, sd 2) from the
    same generator."""
    import numpy as np
    rng = np.random.Generator(np.random.PCG64(42))
    u, n = rng.uniform(2, 4), rng.normal(10, 2)
    first = expand_distribution(dist_file(tmp_path, PINNED))[0].parameters
    assert (first["u"], first["n"]) == (u, n)


def test_seed_argument_and_float_seed(tmp_path):
    path = dist_file(tmp_path, PINNED)
    assert expand_distribution(path, seed=42)[0].parameters == \
        expand_distribution(path)[0].parameters
    assert expand_distribution(path, seed=43)[0].parameters["u"] != \
        expand_distribution(path)[0].parameters["u"]
    half = dist_file(tmp_path, PINNED.replace('randomSeed="42"', 'randomSeed="0.5"'))
    assert expand_distribution(half)[0].parameters == expand_distribution(half)[0].parameters


def test_lognormal_moments_and_poisson_mean(tmp_path):
    """LogNormal expectedValue/variance are the moments of the variable itself:
    E = 5, Var = 1 -> sample mean 5 +- 0.05 (4000 draws, sd of the mean 0.016)."""
    body = ('<Stochastic numberOfTestRuns="4000" randomSeed="1">'
            '<StochasticDistribution parameterName="ln"><LogNormalDistribution '
            'expectedValue="5" variance="1"/></StochasticDistribution>'
            '<StochasticDistribution parameterName="po"><PoissonDistribution '
            'expectedValue="3"><Range lowerLimit="1" upperLimit="100"/></PoissonDistribution>'
            '</StochasticDistribution></Stochastic>')
    got = expand_distribution(dist_file(tmp_path, body))
    ln = [v.parameters["ln"] for v in got]
    po = [v.parameters["po"] for v in got]
    assert statistics.fmean(ln) == pytest.approx(5.0, abs=0.05)
    assert statistics.variance(ln) == pytest.approx(1.0, abs=0.12)
    assert min(po) >= 1 and all(isinstance(p, int) for p in po)
    # zero-truncated Poisson(3): mean 3 / (1 - e^-3) = 3.1572
    assert statistics.fmean(po) == pytest.approx(3 / (1 - math.exp(-3)), abs=0.1)


def test_user_defined_list_and_unknown_type(tmp_path):
    body = ('<Deterministic><DeterministicSingleParameterDistribution parameterName="c">'
            '<UserDefinedDistribution type="list">red; green ;blue</UserDefinedDistribution>'
            '</DeterministicSingleParameterDistribution></Deterministic>')
    assert [v.parameters["c"] for v in expand_distribution(dist_file(tmp_path, body))] == \
        ["red", "green", "blue"]
    with pytest.raises(UnsupportedElementError, match="type 'csv'") as exc:
        expand_distribution(dist_file(tmp_path, body.replace('"list"', '"csv"')))
    assert exc.value.element == "UserDefinedDistribution" and exc.value.line == 2


@pytest.mark.parametrize("body,message,element", [
    ('<Deterministic><DeterministicSingleParameterDistribution parameterName="x">'
     '<DistributionRange stepWidth="0"><Range lowerLimit="0" upperLimit="1"/>'
     '</DistributionRange></DeterministicSingleParameterDistribution></Deterministic>',
     "stepWidth", "DistributionRange"),
    ('<Stochastic numberOfTestRuns="2"><StochasticDistribution parameterName="x">'
     '<NormalDistribution expectedValue="1" variance="-1"/></StochasticDistribution>'
     '</Stochastic>', "variance", "NormalDistribution"),
    ('<Stochastic numberOfTestRuns="2"><StochasticDistribution parameterName="x">'
     '<ProbabilityDistributionSet><Element value="a" weight="-1"/>'
     '</ProbabilityDistributionSet></StochasticDistribution></Stochastic>', "weight",
     "Element"),
    ('<Stochastic numberOfTestRuns="0"><StochasticDistribution parameterName="x">'
     '<UniformDistribution><Range lowerLimit="0" upperLimit="1"/></UniformDistribution>'
     '</StochasticDistribution></Stochastic>', "numberOfTestRuns", "Stochastic"),
    ('<Stochastic numberOfTestRuns="2"><StochasticDistribution parameterName="x">'
     '<UniformDistribution/></StochasticDistribution></Stochastic>', "Range",
     "UniformDistribution"),
    ('<Deterministic><DeterministicSingleParameterDistribution parameterName="x">'
     '<DistributionSet><Element value="1"/></DistributionSet>'
     '</DeterministicSingleParameterDistribution>'
     '<DeterministicSingleParameterDistribution parameterName="x"><DistributionSet>'
     '<Element value="2"/></DistributionSet></DeterministicSingleParameterDistribution>'
     '</Deterministic>', "already varied", "DeterministicSingleParameterDistribution"),
])
def test_malformed_distributions_name_file_line_element(tmp_path, body, message, element):
    path = dist_file(tmp_path, body)
    with pytest.raises(ScenarioError, match=message) as exc:
        expand_distribution(path)
    assert exc.value.file == str(path.resolve()) and exc.value.line == 2  # the body line
    assert exc.value.element == element


@pytest.mark.parametrize("inner, element", [
    ('<PoissonDistribution expectedValue="1e300"/>', "PoissonDistribution"),
    ('<LogNormalDistribution expectedValue="1e300" variance="1"/>', "LogNormalDistribution"),
    ('<UniformDistribution><Range lowerLimit="-1.7e308" upperLimit="1.7e308"/>'
     '</UniformDistribution>', "UniformDistribution"),
])
def test_values_numpy_cannot_draw_are_bad_input_naming_the_element(tmp_path, inner, element):
    path = dist_file(tmp_path, '<Stochastic numberOfTestRuns="2" randomSeed="1">'
                     f'<StochasticDistribution parameterName="p">{inner}'
                     '</StochasticDistribution></Stochastic>')
    with pytest.raises(ScenarioError) as err:
        expand_distribution(path)
    assert err.value.element == element and err.value.line == 2
    assert "cannot draw 'p'" in str(err.value) or "no log-normal" in str(err.value)


def test_a_distribution_of_a_distribution_is_refused(tmp_path):
    body = ('<Deterministic><DeterministicSingleParameterDistribution parameterName="p">'
            '<DistributionSet><Element value="1"/></DistributionSet>'
            '</DeterministicSingleParameterDistribution></Deterministic>')
    path = dist_file(tmp_path, body)
    text = path.read_text().replace('filepath="s.xosc"', 'filepath="d.xosc"')
    path.write_text(text)
    with pytest.raises(ScenarioError, match="is a ParameterValueDistribution: expected a "
                                            "scenario") as err:
        expand_distribution(path)
    assert err.value.element == "ScenarioFile"


@pytest.mark.parametrize("ptype, body, says", [
    ("integer", '<StochasticDistribution parameterName="v"><UniformDistribution><Range '
                'lowerLimit="2" upperLimit="4"/></UniformDistribution></StochasticDistribution>',
     "of 'v' is not of its declared type integer"),
    ("unsignedInt", '<StochasticDistribution parameterName="v"><NormalDistribution '
                    'expectedValue="-10" variance="1"/></StochasticDistribution>',
     "of 'v' is not of its declared type unsignedInt"),
    ("boolean", '<StochasticDistribution parameterName="v"><PoissonDistribution '
                'expectedValue="4"/></StochasticDistribution>',
     "of 'v' is not of its declared type boolean"),
])
def test_drawn_values_are_held_to_the_declared_type(tmp_path, ptype, body, says):
    """Hostile pass 11b: drawn numbers were not checked against the declared type: expand
    wrote 5.118 for an integer, -4.65 for an unsignedInt, 4 for a boolean, files check then
    refused."""
    path = dist_file(tmp_path, f'<Stochastic numberOfTestRuns="5" randomSeed="1">{body}'
                               f'</Stochastic>')
    (tmp_path / "s.xosc").write_text(
        f'<OpenSCENARIO><ParameterDeclarations><ParameterDeclaration name="v" '
        f'parameterType="{ptype}" value="1"/></ParameterDeclarations></OpenSCENARIO>')
    with pytest.raises(ScenarioError, match=says) as err:
        expand_distribution(path)
    assert err.value.element == "StochasticDistribution"


def test_deterministic_and_stochastic_together_are_refused(tmp_path):
    """Hostile pass 11b: the Stochastic part was dropped in silence (the schema's choice)."""
    det = ('<Deterministic><DeterministicSingleParameterDistribution parameterName="u">'
           '<DistributionSet><Element value="1"/></DistributionSet>'
           '</DeterministicSingleParameterDistribution></Deterministic>')
    with pytest.raises(ScenarioError, match="Deterministic or Stochastic, not both"):
        expand_distribution(dist_file(tmp_path, det + STOCHASTIC))
