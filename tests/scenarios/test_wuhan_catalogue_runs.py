"""Integration smoke test: every Wuhan test case (scenarios/wuhan/*.xosc) loads and its
storyboard runs on the Wuhan map with the ego driven from outside (constant speed)."""

import math
from pathlib import Path

import pytest

from maps import load_opendrive
from scenarios import ScenarioEngine, load_scenario
from testzone.world import EntityState, Pose

WUHAN = Path(__file__).resolve().parents[2] / "scenarios" / "wuhan"
CASES = sorted(p for p in WUHAN.glob("*.xosc")
               if "<ParameterValueDistribution" not in p.read_text(encoding="utf-8"))
# (ParameterValueDistribution files are not cases: their variants are, see test_distribution.py)


@pytest.mark.skipif(not CASES, reason="no Wuhan cases yet")
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_runs_with_external_ego(path):
    sc = load_scenario(path)
    assert sc.ego_name is not None and sc.road_network_path is not None
    net = load_opendrive(sc.road_network_path)
    events = []
    eng = ScenarioEngine(sc, net, external=frozenset({sc.ego_name}), on_event=events.append)
    world = eng.initialize()
    ego = world.entities[sc.ego_name]
    assert ego.lane is not None, "the ego is not placed on a lane by the Init actions"
    for _ in range(40):                      # 2 s at 10 m/s along the initial heading
        p = ego.pose
        ego = EntityState(ego.name, ego.kind, Pose(p.x + 0.5 * math.cos(p.h),
                                                   p.y + 0.5 * math.sin(p.h), p.z, p.h),
                          speed=10.0, box=ego.box)
        world = eng.step(0.05, {sc.ego_name: ego})
    assert world.time == pytest.approx(2.0)
    assert world.entities[sc.ego_name].pose.x == pytest.approx(ego.pose.x)
    assert any(e.kind == "storyboard" for e in events)
