"""The cases run on the project's scenario engine with a passive (scenario-driven) Ego.

A passive Ego keeps its initial 50 km/h, so each case must end in the conflict it was designed
for; the times are derived by hand from the case parameters.
"""

from __future__ import annotations

import math

import pytest

from wuhan_helpers import CASES_DIR

scenarios = pytest.importorskip("scenarios")
maps = pytest.importorskip("maps")
if not hasattr(scenarios, "load_scenario") or not hasattr(maps, "load_opendrive"):
    pytest.skip("scenario engine or map reader not available yet", allow_module_level=True)


def _run(name: str) -> list:
    """Run a case to its StopTrigger with every entity scenario-driven; return the events."""
    try:
        sc = scenarios.load_scenario(CASES_DIR / name)
        engine_cls = scenarios.ScenarioEngine
    except (scenarios.UnsupportedElementError, AttributeError) as err:
        pytest.skip(f"engine does not support {name} yet: {err}")
    net = maps.load_opendrive(sc.road_network_path)
    events: list = []
    engine = engine_cls(sc, net, dt=0.05, external=frozenset(), seed=0, on_event=events.append)
    engine.initialize()
    while not engine.done:
        engine.step(0.05, {})
    assert engine.end_reason == "stop_trigger"
    return events


def _first(events: list, kind: str, **match) -> float:
    for ev in events:
        if ev.kind == kind and all(str(ev.data.get(k, "")).endswith(v) for k, v in match.items()):
            return ev.t
    raise AssertionError(f"no {kind} event matching {match}")


def test_stationary_vehicle_passive_ego_hits_at_hand_time() -> None:
    events = _run("stationary_vehicle.xosc")
    # Ego front = s + 1.4 + 4.6/2; stopped car rear = 250 + 1.35 - 4.5/2 = 249.1 m
    # contact when 100 + 13.889 t + 3.7 = 249.1  ->  t = 10.47 s, first step at 10.50 s
    t_hit = (249.1 - 3.7 - 100.0) / (50 / 3.6)
    dt = 0.05
    assert _first(events, "collision") == pytest.approx(math.ceil(t_hit / dt) * dt, abs=1e-6)


def test_cut_in_starts_when_overtaker_is_15_m_away() -> None:
    events = _run("cut_in.xosc")
    # lateral 3.5 m, so the 15 m euclidean distance is reached at dx = sqrt(15^2 - 3.5^2);
    # dx grows from -10 m at (70 - 50) / 3.6 = 5.556 m/s  ->  t = 4.43 s, first step 4.45 s
    t_trigger = (10.0 + math.sqrt(15.0**2 - 3.5**2)) / (20 / 3.6)
    t_start = _first(events, "storyboard", element="CutInLaneChange", to="runningState")
    assert t_start == pytest.approx(math.ceil(t_trigger / 0.05) * 0.05, abs=1e-6)
    t_end = _first(events, "storyboard", element="CutInLaneChange", to="completeState")
    assert t_end - t_start == pytest.approx(3.0, abs=0.051)
    brake = _first(events, "storyboard", element="CutInBrake", to="runningState")
    assert brake - t_end == pytest.approx(1.0, abs=0.051)  # $BrakeDelay after the lane change
    assert any(ev.kind == "collision" for ev in events)  # a passive Ego is hit: the case bites


def test_pedestrian_walks_only_in_the_walk_phase() -> None:
    events = _run("pedestrian_crossing.xosc")
    start = _first(events, "storyboard", element="CrossEvent", to="runningState")
    assert start > 5.0  # the walk light comes on at 5 s (P1-yellow 3 s + P1-all-red 2 s)


@pytest.mark.parametrize("name", ["tz_traffic_light_red.xosc", "tz_icw_red_runner.xosc"])
def test_hold_events_start_on_the_first_step(name) -> None:
    """New-user pass 11: the catalogue's hold Acts (keep an entity at its speed) triggered on
    'SimulationTime > 0' with a rising edge, whose first evaluation is already true: those
    Events never started, in every run, and the report named them. They start at once now."""
    sc = scenarios.load_scenario(CASES_DIR / name)
    net = maps.load_opendrive(sc.road_network_path)
    events: list = []
    engine = scenarios.ScenarioEngine(sc, net, dt=0.05, external=frozenset({"Ego"}), seed=0,
                                      on_event=events.append)
    engine.initialize()
    for _ in range(3):
        engine.step(0.05, {})
    started = {str(ev.data.get("element")).rsplit("::", 1)[-1] for ev in events
               if ev.kind == "storyboard" and ev.data.get("type") == "event"
               and ev.data.get("to") == "runningState"}
    holds = {p.rsplit("::", 1)[-1] for p in engine.event_coverage()[0] if p.endswith("HoldEvent")}
    assert holds and holds <= started
