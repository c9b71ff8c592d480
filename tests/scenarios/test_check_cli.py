"""``testzone scenario check|expand`` through typer's CliRunner, and ``run``'s use of
distribution files (runners.suite.make_cases)."""

import json
import re
from pathlib import Path

import pytest
from check_base import BASE
from esmini_csv import REFERENCE
from typer.testing import CliRunner

from scenarios import expand_distribution, load_scenario
from scenarios.cli import app

XOSC = (REFERENCE / "resources" / "xosc").resolve()
XODR = (REFERENCE / "resources" / "xodr" / "straight_500m.xodr").resolve()
runner = CliRunner()


def test_check_exit_statuses(tmp_path):
    clean = tmp_path / "clean.xosc"
    clean.write_text(BASE.replace("XODR", str(XODR)))
    res = runner.invoke(app, ["check", str(clean)])
    assert res.exit_code == 0 and "0 error(s), 0 warning(s)" in res.output
    res = runner.invoke(app, ["check", str(XOSC / "acc-test.xosc")])
    assert res.exit_code == 1 and "warning" in res.output
    bad = tmp_path / "bad.xosc"
    bad.write_text(BASE.replace("XODR", str(XODR)).replace('entityRef="Car"/>',
                                                           'entityRef="Ghost"/>'))
    res = runner.invoke(app, ["check", str(clean), str(bad)])
    assert res.exit_code == 2
    line = BASE.count("\n", 0, BASE.index('<EntityRef entityRef="Car"/>')) + 1
    assert f"{bad.resolve()}:{line}: error: " in res.output and "'Ghost'" in res.output


def test_check_json(tmp_path):
    res = runner.invoke(app, ["check", "--json", str(XOSC / "acc-test.xosc")])
    issues = json.loads(res.output)
    assert res.exit_code == 1
    assert {"severity", "file", "line", "element", "message"} <= set(issues[0])


def test_mounted_in_the_testzone_cli():
    from runners.cli import app as main_app
    res = runner.invoke(main_app, ["scenario", "check", str(XOSC / "cut-in.xosc")])
    assert res.exit_code == 0, res.output


@pytest.fixture(scope="module")
def expanded(tmp_path_factory):
    out = tmp_path_factory.mktemp("exp") / "variants"
    res = runner.invoke(app, ["expand", str(XOSC / "cut-in_parameter_set.xosc"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_expand_writes_one_file_per_variant(expanded):
    names = sorted(p.name for p in expanded.glob("*.xosc"))
    assert names == [f"cut-in-{i:03d}.xosc" for i in range(12)]
    index = json.loads((expanded / "index.json").read_text())
    assert index["scenario"] == str(XOSC / "cut-in.xosc") and len(index["variants"]) == 12
    import hashlib
    assert index["variants"][5] == {
        "index": 5, "file": "cut-in-005.xosc",
        "sha256": hashlib.sha256((expanded / "cut-in-005.xosc").read_bytes()).hexdigest(),
        "parameters": {"HostVehicle": "car_blue", "TargetVehicle": "car_yellow",
                       "EgoSpeed": 110.0, "TargetSpeedFactor": 1.5}}   # typed as declared


def test_expanding_again_into_a_folder_replaces_the_earlier_expansion(tmp_path):
    """New-user pass 9: a second, smaller expansion into the same folder left the first's
    extra variants, and `run` of the folder ran them as stale cases without parameters. The
    earlier index's files go; the user's own files stay."""
    out = tmp_path / "variants"
    dist = XOSC / "cut-in_parameter_set.xosc"
    assert runner.invoke(app, ["expand", str(dist), "-o", str(out)]).exit_code == 0
    (out / "mine.xosc").write_text("<OpenSCENARIO/>")
    smaller = tmp_path / "smaller.xosc"
    text = dist.read_text(encoding="utf-8-sig")
    smaller.write_text(text.replace('filepath="cut-in.xosc"', f'filepath="{XOSC / "cut-in.xosc"}"')
                       .replace('<Element value="110.0" />', ""), encoding="utf-8")
    res = runner.invoke(app, ["expand", str(smaller), "-o", str(out)])
    assert res.exit_code == 0, res.output
    index = json.loads((out / "index.json").read_text())
    assert len(index["variants"]) == 6
    assert sorted(p.name for p in out.glob("*.xosc")) == \
        [f"cut-in-{i:03d}.xosc" for i in range(6)] + ["mine.xosc"]
    # hostile pass 9: a hand-edited index.json listing the user's files had them deleted;
    # only files that carry expand's own comment go, never the distribution or its scenario
    index["variants"].append({"index": 99, "file": "mine.xosc", "parameters": {}})
    index["variants"].append({"index": 98, "file": "smaller.xosc", "parameters": {}})
    (out / "index.json").write_text(json.dumps(index))
    (out / "smaller.xosc").write_bytes(smaller.read_bytes())
    assert runner.invoke(app, ["expand", str(out / "smaller.xosc"), "-o", str(out)]
                         ).exit_code == 0
    assert (out / "mine.xosc").read_text() == "<OpenSCENARIO/>"
    assert (out / "smaller.xosc").read_bytes() == smaller.read_bytes()


def test_expanded_file_differs_only_where_it_must(expanded):
    orig = (XOSC / "cut-in.xosc").read_text().splitlines()
    new = (expanded / "cut-in-005.xosc").read_text().splitlines()
    assert new[1].startswith("<!-- icv-testzone expand: variant 5 of ")
    assert "EgoSpeed=110.0, TargetSpeedFactor=1.5 -->" in new[1]
    del new[1]
    assert len(new) == len(orig)
    changed = {i + 1: (a, b) for i, (a, b) in enumerate(zip(orig, new)) if a != b}
    # cut-in.xosc: lines 16, 17, 21, 22 declare the values; 26 catalogs, 30-31 files
    assert sorted(changed) == [16, 17, 21, 22, 26, 30, 31]
    assert 'value="110.0"' in changed[21][1] and 'value="108"' in changed[21][0]
    for line in (26, 30, 31):
        old_path = re.search(r'(?:path|filepath)="([^"]+)"', changed[line][0]).group(1)
        new_path = re.search(r'(?:path|filepath)="([^"]+)"', changed[line][1]).group(1)
        assert (expanded / new_path).resolve() == (XOSC / old_path).resolve()


def test_expanded_file_loads_like_the_variant(expanded):
    variant = expand_distribution(XOSC / "cut-in_parameter_set.xosc")[10]
    direct = load_scenario(variant.scenario_file, variant.parameters)
    written = load_scenario(expanded / "cut-in-010.xosc")
    assert written.parameters == direct.parameters
    assert written.parameters["TargetVehicle"] == "van_red"
    assert written.parameters["EgoSpeed"] == 110.0
    assert written.entities["OverTaker"].catalog == "VehicleCatalog/van_red"
    assert Path(written.road_network_path) == Path(direct.road_network_path)


def test_expand_keeps_bom_and_reports_errors(tmp_path):
    scen = tmp_path / "s.xosc"
    scen.write_bytes(b"\xef\xbb\xbf" + BASE.replace("XODR", str(XODR)).encode())
    dist = tmp_path / "d.xosc"
    dist.write_text('<?xml version="1.0"?>\n<OpenSCENARIO><FileHeader revMajor="1" '
                    'revMinor="2" date="2024-01-01T00:00:00" description="d" author="a"/>'
                    '<ParameterValueDistribution><ScenarioFile filepath="s.xosc"/>'
                    '<Stochastic numberOfTestRuns="2" randomSeed="3"><StochasticDistribution '
                    'parameterName="Speed"><UniformDistribution><Range lowerLimit="5" '
                    'upperLimit="6"/></UniformDistribution></StochasticDistribution>'
                    '</Stochastic></ParameterValueDistribution></OpenSCENARIO>')
    out = tmp_path / "out"
    res = runner.invoke(app, ["expand", str(dist), "-o", str(out), "--seed", "9"])
    assert res.exit_code == 0, res.output
    data = (out / "s-001.xosc").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf<?xml")
    speeds = [v.parameters["Speed"] for v in expand_distribution(dist, seed=9)]
    assert load_scenario(out / "s-001.xosc").parameters["Speed"] == speeds[1]
    assert json.loads((out / "index.json").read_text())["seed"] == 9
    res = runner.invoke(app, ["expand", str(XOSC / "cut-in.xosc"), "-o", str(out)])
    assert res.exit_code == 2 and "ParameterValueDistribution" in res.output
    # `testzone run` expands the same way: --seed given replaces randomSeed, else it holds
    from runners.suite import make_cases
    own = [v.parameters["Speed"] for v in expand_distribution(dist)]
    assert own != speeds
    assert [c.parameters["Speed"] for c in make_cases([dist], 9, distribution_seed=9)] == speeds
    assert [c.parameters["Speed"] for c in make_cases([dist], 0)] == own


def test_an_expanded_file_is_judged_as_its_variant(tmp_path):
    # the catalogue's GLOSA criteria (no_stop on the minimum speed) and family; the expanded
    # files used to get the default criteria and their own name as family
    from runners.suite import load_catalogue, make_cases
    wuhan = Path(__file__).resolve().parents[2] / "scenarios" / "wuhan"
    dist = wuhan / "tz_glosa_green_arrival.dist.xosc"
    res = CliRunner().invoke(app, ["expand", str(dist), "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    (case,) = make_cases([tmp_path / "tz_glosa_green_arrival-001.xosc"], seed=0)
    entry = load_catalogue()[str(dist)]
    assert case.criteria == tuple(entry["criteria"]) and case.family == entry["family"]
    assert case.distribution_file == str(dist) and case.case_id == "tz_glosa_green_arrival-001"
    # and reported with its values, as the same variant of a run of the distribution is
    variant = make_cases([dist], seed=0)[1]
    assert variant.case_id == case.case_id and variant.parameters
    assert case.parameters == variant.parameters
    # a file the index does not list is a scenario like any other
    (tmp_path / "mine.xosc").write_bytes((tmp_path / "tz_glosa_green_arrival-001.xosc").read_bytes())
    (own,) = make_cases([tmp_path / "mine.xosc"], seed=0)
    assert own.criteria == () and own.family == "mine" and own.distribution_file == ""


def test_an_expanded_variant_of_a_distribution_of_ones_own_has_the_distributions_family(
        tmp_path):
    """New-user pass 9b: the variants of a user's own distribution (no catalogue entry) each
    took their file name as family, so a run of the folder had no parameter sweep; a run of
    the distribution gives the ScenarioFile's stem, and so does its expansion now."""
    from runners.suite import make_cases
    dist = XOSC / "cut-in_parameter_set.xosc"
    assert CliRunner().invoke(app, ["expand", str(dist), "-o", str(tmp_path)]).exit_code == 0
    expanded = make_cases(sorted(tmp_path.glob("*.xosc")), seed=0)
    direct = make_cases([dist], seed=0)
    assert [(c.case_id, c.family) for c in expanded] == [(c.case_id, c.family) for c in direct]
    assert {c.family for c in expanded} == {"cut-in"}


def test_run_makes_one_case_per_variant():
    from runners.suite import make_cases
    cases = make_cases([XOSC / "cut-in_parameter_set.xosc"], seed=0)
    assert len(cases) == 12
    assert cases[3].parameters["TargetSpeedFactor"] == pytest.approx(1.1)
    assert cases[3].parameters["EgoSpeed"] == 110.0
    assert {c.scenario_file for c in cases} == {str(XOSC / "cut-in.xosc")}
    assert len({c.case_id for c in cases}) == 12
    # variant k is cut-in-kkk whatever else the run holds (as `scenario expand` names files)
    assert [c.case_id for c in cases] == [f"cut-in-{k:03d}" for k in range(12)]
    mixed = make_cases([XOSC / "cut-in.xosc", XOSC / "cut-in_parameter_set.xosc",
                        XOSC / "cut-in_parameter_set.xosc"], seed=0)
    ids = [c.case_id for c in mixed]
    assert ids[:2] == ["cut-in", "cut-in-000"] and ids[12] == "cut-in-011"
    assert ids[13:15] == ["cut-in-000-2", "cut-in-001-2"]       # the second copy, renamed
    assert mixed[1].parameters == cases[0].parameters and mixed[1].seed == cases[0].seed


def test_manifest_hashes_distribution_catalog_and_option_files(tmp_path):
    """The manifest names every input with its SHA-256: the distribution file at the start,
    the catalog files a scenario's CatalogReferences used (Scenario.catalog_files, hashed by
    each case), and files of the options (here the agent config)."""
    import hashlib
    from runners.case import RunOptions
    from runners.suite import RUN_DATA_FILES, build_manifest, make_cases
    dist = XOSC / "cut-in_parameter_set.xosc"
    sc = load_scenario(XOSC / "cut-in.xosc")
    catalog = (XOSC.parent / "xosc" / "Catalogs" / "Vehicles" / "VehicleCatalog.xosc").resolve()
    assert sc.catalog_files == (str(catalog),)
    config = tmp_path / "agent.json"
    config.write_text("{}")
    cases = make_cases([dist], seed=0)
    man = build_manifest(cases, RunOptions(), 0, 1, ["t"], "smoke", [config])
    sha = {p: hashlib.sha256(Path(p).read_bytes()).hexdigest()
           for p in (str(dist), str(config), *map(str, RUN_DATA_FILES))}
    assert man["inputs"] == sha and man["suite"] == "smoke"
    assert man["cases"][0]["distribution_file"] == str(dist)


def test_run_refuses_a_malformed_distribution_in_one_line(tmp_path):
    from runners.cli import app as main_app
    (tmp_path / "s.xosc").write_text("<OpenSCENARIO/>")
    dist = tmp_path / "d.xosc"
    dist.write_text('<?xml version="1.0"?>\n<OpenSCENARIO><FileHeader revMajor="1" '
                    'revMinor="2" date="2024-01-01T00:00:00" description="d" author="a"/>'
                    '<ParameterValueDistribution><ScenarioFile filepath="s.xosc"/>\n'
                    '<Stochastic numberOfTestRuns="0"><StochasticDistribution parameterName="x">'
                    '<UniformDistribution><Range lowerLimit="0" upperLimit="1"/>'
                    '</UniformDistribution></StochasticDistribution></Stochastic>'
                    '</ParameterValueDistribution></OpenSCENARIO>')
    res = runner.invoke(main_app, ["run", str(dist), "--out", str(tmp_path / "run")])
    assert res.exit_code == 2
    assert f"{dist.resolve()}:3: <Stochastic>: numberOfTestRuns=0" in res.output


def test_run_of_a_distribution_varying_an_undeclared_parameter_is_one_error_case(tmp_path):
    """New-user pass 9b: 'EgoSped' (a typo) gave 6 error cases, each naming the ScenarioFile's
    line 2; it is one case now, naming the distribution's line that varies it."""
    from runners.suite import make_cases
    (tmp_path / "s.xosc").write_text(BASE.replace("XODR", str(XODR)))
    dist = tmp_path / "d.xosc"
    dist.write_text('<?xml version="1.0"?>\n<OpenSCENARIO><FileHeader revMajor="1" '
                    'revMinor="2" date="2024-01-01T00:00:00" description="d" author="a"/>'
                    '<ParameterValueDistribution><ScenarioFile filepath="s.xosc"/>\n'
                    '<Deterministic><DeterministicSingleParameterDistribution '
                    'parameterName="Sped">\n<DistributionSet><Element value="1"/><Element '
                    'value="2"/></DistributionSet></DeterministicSingleParameterDistribution>'
                    '</Deterministic></ParameterValueDistribution></OpenSCENARIO>')
    (case,) = make_cases([dist], seed=0)
    assert case.input_error.startswith(f"{dist.resolve()}:3: <DeterministicSingleParameter"
                                       f"Distribution>: parameter(s) Sped not declared")


def test_expand_edits_the_right_tag_despite_comments_and_quotes(tmp_path):
    text = BASE.replace("XODR", str(XODR)).replace(
        '<ParameterDeclaration name="Speed" parameterType="double" value="10"/>',
        '<!-- <ParameterDeclaration name="Speed" parameterType="double" value="99"/> -->\n'
        '    <ParameterDeclaration name="Note" parameterType="string" value="a > b"/>\n'
        "    <ParameterDeclaration\n      name='Speed' parameterType='double'\n"
        "      value='10'/>")
    (tmp_path / "s.xosc").write_text(text)
    dist = tmp_path / "d.xosc"
    dist.write_text('<?xml version="1.0"?>\n<OpenSCENARIO><FileHeader revMajor="1" '
                    'revMinor="2" date="2024-01-01T00:00:00" description="d" author="a"/>'
                    '<ParameterValueDistribution><ScenarioFile filepath="s.xosc"/>'
                    '<Deterministic><DeterministicSingleParameterDistribution '
                    'parameterName="Speed"><DistributionSet><Element value="12.5"/>'
                    '</DistributionSet></DeterministicSingleParameterDistribution>'
                    '<DeterministicSingleParameterDistribution parameterName="Note">'
                    '<DistributionSet><Element value="x &amp; &quot;y&quot;"/>'
                    '</DistributionSet></DeterministicSingleParameterDistribution>'
                    '</Deterministic></ParameterValueDistribution></OpenSCENARIO>')
    out = tmp_path / "out"
    assert runner.invoke(app, ["expand", str(dist), "-o", str(out)]).exit_code == 0
    written = (out / "s-000.xosc").read_text()
    assert 'value="99"/> -->' in written and "value='12.5'/>" in written
    assert 'value="x &amp; &quot;y&quot;"' in written
    sc = load_scenario(out / "s-000.xosc")
    assert sc.parameters["Speed"] == 12.5 and sc.parameters["Note"] == 'x & "y"'


def test_check_takes_folders_and_refuses_an_empty_one(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "clean.xosc").write_text(BASE.replace("XODR", str(XODR)))
    (tmp_path / "sub" / "bad.xosc").write_text("<OpenSCENARIO>")
    res = runner.invoke(app, ["check", str(tmp_path)])
    assert res.exit_code == 2 and "2 file(s): 1 error(s)" in res.output, res.output
    (tmp_path / "empty").mkdir()
    res = runner.invoke(app, ["check", str(tmp_path / "empty")])
    assert res.exit_code == 2 and "no .xosc file in this folder" in res.output


def _dist_of(tmp_path, scenario_text: str, sets: str, encoding: str = "utf-8"):
    (tmp_path / "s.xosc").write_bytes(scenario_text.encode(encoding))
    dist = tmp_path / "d.xosc"
    dist.write_text('<?xml version="1.0"?>\n<OpenSCENARIO><FileHeader revMajor="1" '
                    'revMinor="2" date="2024-01-01T00:00:00" description="d" author="a"/>'
                    '<ParameterValueDistribution><ScenarioFile filepath="s.xosc"/>'
                    f'<Deterministic><DeterministicMultiParameterDistribution>'
                    f'<ValueSetDistribution>{sets}</ValueSetDistribution>'
                    '</DeterministicMultiParameterDistribution></Deterministic>'
                    '</ParameterValueDistribution></OpenSCENARIO>')
    return dist


def _set(**values):
    return "<ParameterValueSet>" + "".join(
        f'<ParameterAssignment parameterRef="{k}" value="{v}"/>' for k, v in values.items()) \
        + "</ParameterValueSet>"


def test_expand_checks_every_variant_before_writing_any(tmp_path):
    # observed: a second set naming an undeclared parameter left s-000.xosc written, exit 2
    dist = _dist_of(tmp_path, BASE.replace("XODR", str(XODR)),
                    _set(Speed=5) + _set(Speed=6, Ghost=1))
    out = tmp_path / "out"
    res = runner.invoke(app, ["expand", str(dist), "-o", str(out)])
    assert res.exit_code == 2 and "Ghost" in res.output
    assert not list(out.glob("*.xosc"))


def test_expand_names_a_declaration_without_value(tmp_path):
    # observed: "error: attribute 'value' not found" with no file, line or element
    text = BASE.replace("XODR", str(XODR)).replace(
        '<ParameterDeclaration name="Speed" parameterType="double" value="10"/>',
        '<ParameterDeclaration name="Speed" parameterType="double" value="10"/>\n'
        '    <ParameterDeclaration name="NoVal" parameterType="double"/>')
    dist = _dist_of(tmp_path, text, _set(NoVal=3))
    res = runner.invoke(app, ["expand", str(dist), "-o", str(tmp_path / "out")])
    line = text.count("\n", 0, text.index('name="NoVal"')) + 1
    assert res.exit_code == 2
    assert f"s.xosc:{line}: <ParameterDeclaration>: attribute 'value' not found" in res.output


def test_expand_of_a_utf16_scenario_says_so(tmp_path):
    text = BASE.replace("XODR", str(XODR)).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    dist = _dist_of(tmp_path, text, _set(Speed=5), encoding="utf-16")
    res = runner.invoke(app, ["expand", str(dist), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2 and "UTF-16" in res.output and "convert it" in res.output


def test_own_distribution_of_a_catalogue_scenario_gets_its_criteria(tmp_path):
    # a user's distribution over scenarios/wuhan/cut_in.xosc is judged by that scenario's
    # catalogue entry (criteria, family), as the catalogue's own cut_in.dist.xosc is
    from runners.suite import CATALOGUE_FILE, make_cases
    scenario = CATALOGUE_FILE.parent / "cut_in.xosc"
    dist = tmp_path / "sweep.xosc"
    dist.write_text('<?xml version="1.0"?>\n<OpenSCENARIO><FileHeader revMajor="1" '
                    'revMinor="2" date="2024-01-01T00:00:00" description="d" author="a"/>'
                    f'<ParameterValueDistribution><ScenarioFile filepath="{scenario}"/>'
                    '<Deterministic><DeterministicSingleParameterDistribution '
                    'parameterName="BrakeDecel"><DistributionSet><Element value="3.0"/>'
                    '</DistributionSet></DeterministicSingleParameterDistribution>'
                    '</Deterministic></ParameterValueDistribution></OpenSCENARIO>')
    own = make_cases([dist], 0)
    shipped = make_cases([CATALOGUE_FILE.parent / "cut_in.dist.xosc"], 0)
    assert own[0].criteria and own[0].criteria == shipped[0].criteria
    assert own[0].family == shipped[0].family == "cut-in"


def test_an_edited_expanded_file_is_no_longer_taken_for_its_variant(expanded, tmp_path):
    """Verify pass 11b: a copy of an expanded folder with EgoSpeed changed in one file ran
    with the index's parameters and distribution, and compare called it the same test."""
    import shutil

    from runners.suite import expanded_from
    copy = tmp_path / "copy"
    shutil.copytree(expanded, copy)
    assert expanded_from(copy / "cut-in-001.xosc").parameters["EgoSpeed"] == 70.0
    edited = copy / "cut-in-001.xosc"
    edited.write_text(edited.read_text().replace('value="70.0"', 'value="3.0"', 1))
    assert expanded_from(edited) is None
