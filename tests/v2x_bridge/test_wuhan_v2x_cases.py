"""The Wuhan V2X case files: schema, catalogue and suite entries, and the facts the cases are
built on (red onset beyond camera range, RSI content the hook accepts, event placement)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from lxml import etree

from testzone.world import EntityKind, EntityState, Pose, WorldState
from v2x_bridge import load_rsu_layout
from v2x_bridge.hooks import rsi_event

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "scenarios" / "wuhan"
FILES = ("rlvw_red_light.xosc", "glosa_green_arrival.xosc", "hlw_hazard.xosc")
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                         huge_tree=False)


def _root(name: str) -> etree._Element:
    return etree.parse(str(CASES / name), PARSER).getroot()


def _param(root: etree._Element, name: str) -> str:
    return root.find(f"ParameterDeclarations/ParameterDeclaration[@name='{name}']").get("value")


@pytest.mark.parametrize("name", FILES)
def test_valid_openscenario_11(name):
    import scenariogeneration
    xsd = Path(scenariogeneration.__file__).resolve().parent.parent / "schemas" / \
        "OpenSCENARIO_1_1.xsd"
    if not xsd.is_file():
        pytest.skip("OpenSCENARIO 1.1 XSD not shipped with scenariogeneration here")
    schema = etree.XMLSchema(etree.parse(str(xsd), PARSER))
    assert schema.validate(etree.ElementTree(_root(name))), schema.error_log


def test_catalogue_and_suite_entries():
    cat = json.loads((CASES / "catalogue.json").read_text(encoding="utf-8"))
    entries = {c["file"]: c for c in cat["cases"]}
    assert set(FILES) <= set(entries)
    assert any("RLVW" in r for r in entries["rlvw_red_light.xosc"]["requirements"])
    assert any("HLW" in r for r in entries["hlw_hazard.xosc"]["requirements"])
    assert any("GLOSA" in r for r in entries["glosa_green_arrival.xosc"]["requirements"])
    for f in FILES:
        assert {c["id"] for c in entries[f]["criteria"]} >= {"no_collision", "smooth_stop"}
    suites = json.loads((CASES / "suites.json").read_text(encoding="utf-8"))
    assert set(FILES) <= set(suites["v2x-day1"])  # the suite now spans all 17 Day-1 apps


def test_rlvw_red_starts_beyond_camera_range():
    root = _root("rlvw_red_light.xosc")
    phases = root.findall("RoadNetwork/TrafficSignals/TrafficSignalController/Phase")
    assert [(p.get("name"), float(p.get("duration"))) for p in phases[:2]] == [
        ("P1-yellow", 3.0), ("P1-all-red", 2.0)]
    v, d0 = float(_param(root, "EgoSpeed")), float(_param(root, "StopLineDistance"))
    # at the red onset (3 s) Ego is d0 - 3 v before the stop line (x = -28), signal head at
    # (-28, -7.5), Ego's lane centre y = -5.25: far beyond the 80 m camera range
    dist = math.hypot(d0 - 3.0 * v, -7.5 + 5.25)
    assert v == pytest.approx(60 / 3.6, abs=1e-5) and dist == pytest.approx(150.02, abs=0.01)
    assert dist > 80.0


def test_glosa_red_ends_before_ego_would_arrive():
    root = _root("glosa_green_arrival.xosc")
    phases = root.findall("RoadNetwork/TrafficSignals/TrafficSignalController/Phase")
    red = 0.0
    for p in phases:          # 1001 is red until the arterial green
        state = p.find("TrafficSignalState[@trafficSignalId='1001']").get("state")
        if state == "green":
            break
        red += float(p.get("duration"))
    v, d0 = float(_param(root, "EgoSpeed")), float(_param(root, "StopLineDistance"))
    # at 60 km/h the front (3.7 m ahead) reaches the line at 10.6 s, 2.4 s before the green;
    # the GLOSA advisory (d / (T + 1 s)) is 12.59 m/s, above its 20 km/h floor
    assert red == 13.0
    assert (d0 - 3.7) / v == pytest.approx(10.58, abs=0.01)
    assert (d0 - 3.7) / (red + 1.0) == pytest.approx(12.59, abs=0.01)


def test_hlw_command_content_is_accepted_by_the_hook():
    root = _root("hlw_hazard.xosc")
    cmd = root.find(".//UserDefinedAction/CustomCommandAction")
    assert cmd.get("type") == "V2X.RSI"
    stopped = EntityState("Stopped", EntityKind.VEHICLE, Pose(440.0, -5.25))
    ev = rsi_event(cmd.text, WorldState(1.0, {"Stopped": stopped}))
    assert (ev.event_type, ev.radius_m, ev.priority, ev.rsi_class) == (100, 10.0, 6, "urgent")
    # the stopped car sits inside RSU-S1-02's radio range but outside its sensing radius, so
    # only RSI (not RSM) tells the ego about it
    rsu = next(r for r in load_rsu_layout(ROOT / "maps/wuhan/wuhan_section1.rsu.json").rsus
               if r.id == "RSU-S1-02")
    hazard_s = float(_param(root, "HazardS"))
    x = 20.0 + hazard_s + 1.35                      # road 2 starts at x = 20; box centre
    assert rsu.sensing_radius_m < rsu.distance(x, -5.25) < rsu.range_m
