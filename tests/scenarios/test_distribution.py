"""ParameterValueDistribution expansion: esmini's cut-in example and hand-built files."""

import math
import statistics

import pytest
from builders import write
from esmini_csv import REFERENCE

from scenarios import ScenarioError, expand_distribution, load_scenario

XOSC = REFERENCE / "resources" / "xosc"


def test_esmini_cut_in_parameter_set_has_12_permutations():
    variants = expand_distribution(XOSC / "cut-in_parameter_set.xosc")
    assert len(variants) == 12           # 2 value sets x 2 EgoSpeed x 3 TargetSpeedFactor
    assert variants[0].parameters == {"HostVehicle": "car_blue", "TargetVehicle": "car_yellow",
                                       "EgoSpeed": "70.0", "TargetSpeedFactor": 1.1}
    assert variants[11].parameters == {"TargetVehicle": "van_red", "EgoSpeed": "110.0",
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
