"""The three section-1 cases: schema, references into the map, signal plan, scenario logic."""

from __future__ import annotations

import json
import math

import pytest
from lxml import etree

from wuhan_helpers import (CASES_DIR, XODR, resolve, road, safe_parse, schema_dir,
                           xosc_parameters)

FILES = ["cut_in.xosc", "stationary_vehicle.xosc", "pedestrian_crossing.xosc"]


@pytest.fixture(scope="module", params=FILES)
def case(request) -> tuple[str, etree._Element]:
    return request.param, safe_parse(CASES_DIR / request.param).getroot()


def _entry(catalogue: dict, name: str) -> dict:
    return next(c for c in catalogue["cases"] if c["file"] == name)


def test_valid_against_openscenario_11_schema(case) -> None:
    folder = schema_dir()
    if folder is None or not (folder / "OpenSCENARIO_1_1.xsd").exists():
        pytest.skip("OpenSCENARIO 1.1 XSD not shipped with scenariogeneration here")
    schema = etree.XMLSchema(safe_parse(folder / "OpenSCENARIO_1_1.xsd"))
    assert schema.validate(etree.ElementTree(case[1])), schema.error_log


def test_header_logic_file_and_ego(case) -> None:
    name, root = case
    header = root.find("FileHeader")
    assert (header.get("revMajor"), header.get("revMinor")) == ("1", "1")
    logic = root.find("RoadNetwork/LogicFile").get("filepath")
    assert logic == "../../maps/wuhan/wuhan_section1.xodr"
    assert (CASES_DIR / logic).resolve() == XODR.resolve()
    ego = root.find("Entities/ScenarioObject[@name='Ego']/Vehicle")
    assert ego.get("vehicleCategory") == "car"
    centre = ego.find("BoundingBox/Center")
    dims = ego.find("BoundingBox/Dimensions")
    assert [float(centre.get(k)) for k in "xyz"] == [1.4, 0.0, 0.75]
    assert [float(dims.get(k)) for k in ("length", "width", "height")] == [4.6, 1.9, 1.5]
    perf = ego.find("Performance")
    assert [float(perf.get(k)) for k in ("maxSpeed", "maxAcceleration", "maxDeceleration")] == [
        40.0, 4.0, 9.0]
    assert root.find("Storyboard/StopTrigger//SimulationTimeCondition") is not None


def test_lane_positions_exist_in_map(case, xodr) -> None:
    _, root = case
    params = xosc_parameters(root)
    positions = root.findall(".//LanePosition")
    assert positions
    for pos in positions:
        r = road(xodr, pos.get("roadId"))
        s = resolve(pos.get("s"), params)
        assert 0.0 <= s <= float(r.get("length"))
        section = [sec for sec in r.findall("lanes/laneSection") if float(sec.get("s")) <= s][-1]
        lane = section.find(f".//lane[@id='{pos.get('laneId')}']")
        assert lane is not None and lane.get("type") == "driving"


def test_signal_controller_is_the_rotated_plan(case, plan, xodr, catalogue) -> None:
    name, root = case
    phases = root.findall("RoadNetwork/TrafficSignals/TrafficSignalController/Phase")
    names = [iv["name"] for iv in plan["intervals"]]
    first = names.index(_entry(catalogue, name)["signal_start_interval"])
    rotated = plan["intervals"][first:] + plan["intervals"][:first]
    assert [p.get("name") for p in phases] == [iv["name"] for iv in rotated]
    map_ids = {s.get("id") for s in xodr.iter("signal")}
    for phase, iv in zip(phases, rotated):
        assert float(phase.get("duration")) == iv["duration_s"]
        states = {st.get("trafficSignalId"): st.get("state")
                  for st in phase.findall("TrafficSignalState")}
        assert states == iv["states"] and set(states) <= map_ids
    assert sum(float(p.get("duration")) for p in phases) == pytest.approx(plan["cycle_s"])


def test_catalogue_matches_scenarios(case, catalogue) -> None:
    name, root = case
    entry = _entry(catalogue, name)
    params = xosc_parameters(root)
    for p in entry["parameters"]:
        assert float(params[p["name"]]) == pytest.approx(p["default"], abs=1e-6)
        assert p["min"] <= p["default"] <= p["max"] and p["step"] > 0
    for crit in entry["criteria"]:
        assert set(crit) == {"id", "metric", "rule", "threshold", "unit", "clause"}
        assert crit["rule"] in {"==", "<=", ">=", "<", ">"}
    assert entry["requirements"] and entry["title"]


def test_variation_ranges_keep_positions_on_the_road(case, catalogue, xodr) -> None:
    name, root = case
    base = xosc_parameters(root)
    for p in _entry(catalogue, name)["parameters"]:
        for value in (p["min"], p["max"]):
            params = dict(base, **{p["name"]: repr(value)})
            for pos in root.findall(".//LanePosition"):
                s = resolve(pos.get("s"), params)
                assert 0.0 <= s <= float(road(xodr, pos.get("roadId")).get("length"))


def test_suites_list_the_three_cases() -> None:
    suites = json.loads((CASES_DIR / "suites.json").read_text(encoding="utf-8"))
    assert suites["smoke"] == FILES
    assert {"rlvw_red_light.xosc", "glosa_green_arrival.xosc",
            "hlw_hazard.xosc"} <= set(suites["v2x-day1"])
    assert all((CASES_DIR / f).exists() for names in suites.values() for f in names)


def _state_at(root: etree._Element, signal_id: str, t: float) -> str:
    """Colour of ``signal_id`` at time ``t`` [s] from the scenario's controller (cyclic)."""
    phases = root.findall("RoadNetwork/TrafficSignals/TrafficSignalController/Phase")
    cycle = sum(float(p.get("duration")) for p in phases)
    t = t % cycle
    for p in phases:
        if t < float(p.get("duration")):
            return p.find(f"TrafficSignalState[@trafficSignalId='{signal_id}']").get("state")
        t -= float(p.get("duration"))
    raise AssertionError("unreachable")


def test_pedestrian_case_timing_and_path() -> None:
    root = safe_parse(CASES_DIR / "pedestrian_crossing.xosc").getroot()
    params = xosc_parameters(root)
    ego_speed, ego_s = float(params["EgoSpeed"]), float(params["EgoS"])
    assert ego_speed == pytest.approx(50 / 3.6, abs=1e-5)
    # constant speed to the west stop line (road 1 s = 972 m): 150 m / 13.89 m/s = 10.8 s
    t_arrive = (972.0 - ego_s) / ego_speed
    assert t_arrive == pytest.approx(10.8, abs=1e-3)
    assert _state_at(root, "1001", 0.5) == "yellow"
    assert _state_at(root, "1001", t_arrive) == "red"
    walk = float(params["WalkStart"])
    assert _state_at(root, "2001", walk - 0.05) == "red"
    assert _state_at(root, "2001", walk + 0.05) == "green"
    # the walker's path runs along the west crosswalk (x in [-26, -22]) from kerb to kerb
    vertices = root.findall(".//FollowTrajectoryAction//Polyline/Vertex/Position/WorldPosition")
    xs = [float(v.get("x")) for v in vertices]
    ys = [float(v.get("y")) for v in vertices]
    assert all(-26.0 <= x <= -22.0 for x in xs)
    assert min(ys) < -7.0 and max(ys) > 7.0  # carriageway is |y| <= 7 m
    start = root.find(".//Private[@entityRef='Pedestrian']//TeleportAction//WorldPosition")
    assert (float(start.get("x")), float(start.get("y"))) == (xs[0], ys[0])
    assert float(start.get("h")) == pytest.approx(math.pi / 2)
    assert root.find(".//ScenarioObject[@name='Pedestrian']/Pedestrian").get(
        "pedestrianCategory") == "pedestrian"


def test_cut_in_starts_untriggered_and_ends_in_ego_lane(catalogue) -> None:
    root = safe_parse(CASES_DIR / "cut_in.xosc").getroot()
    params = xosc_parameters(root)
    lag = float(params["CutInLag"])
    ranges = {p["name"]: p for p in _entry(catalogue, "cut_in.xosc")["parameters"]}
    # the reference points start 'lag' apart along s and one lane (3.5 m) apart laterally, so
    # the trigger must be false at t = 0 over the whole variation range
    assert math.hypot(lag, 3.5) < ranges["CutInTriggerDistance"]["min"]
    assert float(params["CutInSpeed"]) > float(params["EgoSpeed"])
    ego_lane = root.find(".//Private[@entityRef='Ego']//LanePosition").get("laneId")
    cut_lane = root.find(".//Private[@entityRef='CutIn']//LanePosition").get("laneId")
    target = root.find(".//LaneChangeAction//AbsoluteTargetLane").get("value")
    assert (ego_lane, cut_lane, target) == ("-2", "-1", "-2")
    shape = root.find(".//LaneChangeActionDynamics").get("dynamicsShape")
    assert shape == "sinusoidal"
    ref = root.find(".//StoryboardElementStateCondition")
    assert ref.get("storyboardElementRef") == "CutInLaneChange"


def test_stationary_vehicle_is_reached_within_the_test() -> None:
    root = safe_parse(CASES_DIR / "stationary_vehicle.xosc").getroot()
    params = xosc_parameters(root)
    stopped = root.find(".//Private[@entityRef='Stopped']//LanePosition")
    ego = root.find(".//Private[@entityRef='Ego']//LanePosition")
    assert resolve(stopped.get("s"), params) - resolve(ego.get("s"), params) == 150.0
    assert stopped.get("laneId") == ego.get("laneId")
    t_reach = float(params["Gap"]) / float(params["EgoSpeed"])
    assert t_reach < float(params["SimulationEnd"])
