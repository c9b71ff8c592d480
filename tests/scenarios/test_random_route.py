"""RandomRouteAction (OpenSCENARIO 1.3): at each junction a continuation drawn with the run's
seeded generator; the same seed repeats the run, other seeds take other ways."""

from __future__ import annotations

from pathlib import Path

from reference_data import ESMINI

from maps import load_opendrive
from scenarios import ScenarioEngine, load_scenario
from scenarios.actions.routing import RandomRoute

XOSC = ESMINI / "resources" / "xosc"


def test_random_route_draws_uniformly_from_the_options():
    import random
    route = RandomRoute(random.Random(3))
    picks = [route.choose(["a", "b", "c"]) for _ in range(3000)]
    assert all(900 < picks.count(p) < 1100 for p in "abc")  # 1000 +- 3 sigma (25.8)
    assert route.waypoints == () and route.plan is None


def _npc_roads(path: Path, seed: int) -> tuple[str, ...]:
    sc = load_scenario(path)
    eng = ScenarioEngine(sc, load_opendrive(sc.road_network_path), dt=0.05,
                         external=frozenset(), seed=seed, on_event=lambda e: None)
    world, roads = eng.initialize(), []
    while eng.time < 14.0 and not eng.done:
        world = eng.step(0.05, {})
        lane = world.entities["NPC"].lane
        if lane is not None and (not roads or roads[-1] != lane.road_id):
            roads.append(lane.road_id)
    return tuple(roads)


def test_an_npc_on_a_random_route_repeats_with_its_seed_and_varies_between_seeds(tmp_path):
    text = (XOSC / "ltap-od.xosc").read_text()
    text = text.replace('revMinor="1"', 'revMinor="3"', 1)
    for rel in ("../xosc/Catalogs/", "../xodr/", "../models/"):
        text = text.replace(f'"{rel}', f'"{(XOSC / rel).resolve()}/')
    npc = text.index('<Private entityRef="NPC">')
    start = text.index("<RoutingAction>", npc)
    end = text.index("</RoutingAction>", start) + len("</RoutingAction>")
    text = text[:start] + "<RoutingAction><RandomRouteAction/></RoutingAction>" + text[end:]
    path = tmp_path / "random_route.xosc"
    path.write_text(text)
    runs = {seed: _npc_roads(path, seed) for seed in range(6)}
    assert _npc_roads(path, 2) == runs[2]
    assert len(set(runs.values())) >= 2, runs        # the junction offers more than one way
    assert all(len(r) >= 2 for r in runs.values())   # each run drove through the junction
