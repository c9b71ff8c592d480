"""OpenSCENARIO 1.x for icv-testzone: parsing and the storyboard engine.

Public API (contract in docs/architecture.md, support table in docs/scenarios.md)::

    from scenarios import load_scenario, ScenarioEngine, ScenarioError
    sc = load_scenario(path, parameters=None)
    engine = ScenarioEngine(sc, net, dt=0.05, external=frozenset({"Ego"}), seed=0,
                            on_event=callable)
    world = engine.initialize()
    world = engine.step(dt, {"Ego": ego_state})     # until engine.done
    variants = expand_distribution(dist_path)        # ParameterValueDistribution -> Variants

Imports ``maps`` (road queries) and ``testzone`` (records) only.
"""

from scenarios.distribution import Variant, expand_distribution
from scenarios.errors import ScenarioError, UnsupportedElementError
from scenarios.loader import load_scenario
from scenarios.model import EntityDef, Performance, Scenario

__all__ = ["load_scenario", "ScenarioError", "UnsupportedElementError", "Scenario",
           "EntityDef", "Performance", "ScenarioEngine", "expand_distribution", "Variant"]


def __getattr__(name: str):
    # The engine is imported lazily so that parsing does not pull in shapely and friends.
    if name == "ScenarioEngine":
        from scenarios.engine import ScenarioEngine
        return ScenarioEngine
    raise AttributeError(name)
