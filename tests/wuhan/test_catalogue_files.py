"""Every catalogue file passes ``testzone scenario check``; the generator is deterministic and
reproduces the committed files; distributions expand to the catalogued concrete cases; the
test-zone cases place their entities where the hand-derived layout says.
"""

from __future__ import annotations

import json
import math

import pytest

from wuhan_helpers import CASES_DIR

ENTRIES = json.loads((CASES_DIR / "catalogue.json").read_text(encoding="utf-8"))["cases"]
FILES = sorted({f for e in ENTRIES for f in (e["file"], e["distribution"])})


@pytest.mark.parametrize("name", FILES)
def test_file_passes_scenario_check(name: str) -> None:
    from scenarios.check import check_scenario
    issues = check_scenario(CASES_DIR / name)
    assert not [i for i in issues if i.severity == "error"], issues


def test_generator_is_deterministic_and_matches_committed_files(tmp_path) -> None:
    from scenarios.wuhan import generate_catalogue
    first, doc1 = generate_catalogue.render()
    second, doc2 = generate_catalogue.render()
    assert first == second and doc1 == doc2
    for name, data in first.items():
        assert (CASES_DIR / name).read_bytes() == data, f"{name}: regenerate the catalogue"
    assert (CASES_DIR.parents[1] / "docs" / "catalogue.md").read_bytes() == doc1
    committed = {p.name for p in CASES_DIR.glob("tz_*.xosc")}
    assert committed == {n for n in first if n.startswith("tz_")}, "stale generated files"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_distribution_expands_within_the_catalogued_ranges(entry: dict) -> None:
    from scenarios import expand_distribution
    variants = expand_distribution(CASES_DIR / entry["distribution"])
    assert len(variants) == entry["concrete_cases"]
    ranges = {p["name"]: p for p in entry["parameters"]}
    for v in variants:
        assert v.scenario_file.endswith(entry["file"])
        for name, value in v.parameters.items():
            assert ranges[name]["min"] - 1e-9 <= float(value) <= ranges[name]["max"] + 1e-9
    combos = {tuple(sorted(v.parameters.items())) for v in variants}
    assert len(combos) == len(variants), "duplicate concrete cases"
    again = expand_distribution(CASES_DIR / entry["distribution"])  # seeded: same draws
    assert [v.parameters for v in again] == [v.parameters for v in variants]


def test_some_distributions_are_stochastic_with_a_seed() -> None:
    stochastic = [e for e in ENTRIES if any(p.get("distribution") == "uniform"
                                            for p in e["parameters"])]
    assert len(stochastic) >= 3
    for e in stochastic:
        text = (CASES_DIR / e["distribution"]).read_text(encoding="utf-8")
        assert "<Stochastic " in text and 'randomSeed="' in text


@pytest.fixture(scope="module")
def net():
    from maps import load_opendrive
    from maps.wuhan import TESTZONE_XODR
    return load_opendrive(TESTZONE_XODR)


# (file, entity, x, y, heading) by hand from docs/wuhan.md: row 3 at y = -855 m, road 30 from
# x = -260 m, lane -3 centre 3.5 + 3.5 + 1.75 = 8.75 m right of the reference line; X-1 ends
# at x = -455 m with lane -3 centre at y = -3015 - 9.375; road 48 (R5-45) starts at x = -270.5
START = [("tz_traffic_light_red.xosc", "Ego", -260.0 + 512.0 - 120.0, -855.0 - 8.75, 0.0),
         ("tz_vehicle_ahead_stopped.xosc", "Lead", -260.0 + 30.0 + 120.0, -863.75, 0.0),
         ("tz_onramp_merge.xosc", "Ego", -455.0 - 800.0 + 805.0 - 60.0, -3024.375, 0.0),
         ("tz_roundabout_entry.xosc", "Ego", -270.5 + 420.0, 285.0 - 1.75, 0.0),
         # road 31 starts at x = 285 + 25; 40 m from its junction end lane 1 is the left-turn
         # lane that replaced the median: centre 1.75 m left of the reference line
         ("tz_oncoming_left_turn.xosc", "Turner", 310.0 + 40.0, -855.0 + 1.75, math.pi)]


@pytest.mark.parametrize("name,entity,x,y,h", START)
def test_initial_positions_match_the_layout(net, name, entity, x, y, h) -> None:
    from scenarios import ScenarioEngine, load_scenario
    sc = load_scenario(CASES_DIR / name)
    world = ScenarioEngine(sc, net, dt=0.05).initialize()
    pose = world.entities[entity].pose
    assert (pose.x, pose.y) == pytest.approx((x, y), abs=0.05)
    assert math.cos(pose.h - h) == pytest.approx(1.0, abs=1e-6)
