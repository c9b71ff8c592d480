"""RSU layout file reading (the format agreed with the maps package)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from v2x_bridge import V2XError, load_rsu_layout
from v2x_bridge.rsu import DEFAULT_PERIODS_S, Rsu

LAYOUT = {"geo_reference": None,
          "rsus": [{"id": "RSU-S1-01", "x": 120.0, "y": -35.5, "range_m": 300,
                    "sensing_radius_m": 150, "junction_id": "J1", "signal_ids": ["101", 102],
                    "periods_s": {"SPAT": 0.2, "RSI": 1.0}},
                   {"id": "RSU-S1-02", "x": 900, "y": 10}]}


def _write(tmp_path, doc, text=None):
    path = tmp_path / "layout.rsu.json"
    path.write_text(text if text is not None else json.dumps(doc, indent=1))
    return path


def test_reads_the_agreed_format(tmp_path):
    layout = load_rsu_layout(_write(tmp_path, LAYOUT))
    assert layout.geo_reference is None
    a, b = layout.rsus
    assert (a.id, a.x, a.y, a.range_m, a.sensing_radius_m) == ("RSU-S1-01", 120.0, -35.5, 300, 150)
    assert a.signal_ids == ("101", "102") and a.junction_id == "J1"
    assert a.period("SPAT") == 0.2 and a.period("RSI") == 1.0 and a.period("MAP") == 1.0
    assert b.periods_s == DEFAULT_PERIODS_S and b.junction_id is None
    assert b.range_m == 300.0 and b.sensing_radius_m == 150.0


def test_node_id_from_junction():
    assert Rsu("r", 0, 0, junction_id="12").node() == 12
    assert Rsu("r", 0, 0, junction_id="J1").node() == Rsu("q", 5, 5, junction_id="J1").node()
    assert 0 <= Rsu("r", 0, 0, junction_id="J1").node() <= 65535
    assert Rsu("r", 0, 0, junction_id="J1", node_id=7).node() == 7


@pytest.mark.parametrize("mutate,element", [
    (lambda d: d["rsus"][0].pop("x"), "rsus[0] (RSU-S1-01)"),
    (lambda d: d["rsus"][1].update(range_m=-5), "rsus[1] (RSU-S1-02)"),
    (lambda d: d["rsus"][0]["periods_s"].update(CAM=0.1), "rsus[0] (RSU-S1-01)"),
    (lambda d: d["rsus"][1].update(id="RSU-S1-01"), "rsus"),
    (lambda d: d["rsus"].append({"x": 1}), "rsus[2]"),
    (lambda d: d.update(geo_reference=5), "geo_reference"),
    # hostile pass 8: a misspelt field left the default in place, silently
    (lambda d: d["rsus"][0].update(rnage_m=1), "rsus[0] (RSU-S1-01)"),
    (lambda d: d.update(sensing_area=[[0, 0], [1, 1]]), "layout"),
    (lambda d: d["rsus"][0].update(phase_ids={"999": 1}), "rsus[0] (RSU-S1-01)"),
    (lambda d: d.update(rsus=[{"id": f"R{i}", "x": i, "y": 0} for i in range(2001)]), "rsus"),
])
def test_errors_name_file_and_element(tmp_path, mutate, element):
    doc = json.loads(json.dumps(LAYOUT))
    mutate(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(V2XError) as err:
        load_rsu_layout(path)
    assert err.value.element == element and err.value.file == str(path)


def test_bad_json_gives_the_line(tmp_path):
    path = _write(tmp_path, None, text='{\n "rsus": [\n  {"id": "a",,}\n ]\n}\n')
    with pytest.raises(V2XError) as err:
        load_rsu_layout(path)
    assert err.value.line == 3


def test_missing_file(tmp_path):
    with pytest.raises(V2XError, match="not found"):
        load_rsu_layout(tmp_path / "nope.json")


def test_a_device_or_an_oversized_layout_is_refused_before_it_is_read(tmp_path, monkeypatch):
    # Path.read_text read /dev/zero until memory ran out
    with pytest.raises(V2XError, match="is not a regular file"):
        load_rsu_layout("/dev/zero")
    import v2x_bridge.rsu as rsu
    monkeypatch.setattr(rsu, "MAX_RSU_LAYOUT_BYTES", 100)
    path = _write(tmp_path, LAYOUT)
    with pytest.raises(V2XError, match="more than the 100 accepted") as err:
        load_rsu_layout(path)
    assert err.value.file == str(path)


def test_the_wuhan_section1_layout_loads():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "maps" / "wuhan" / "wuhan_section1.rsu.json"
    if not path.is_file():
        pytest.skip("maps/wuhan/wuhan_section1.rsu.json not written yet (maps package)")
    layout = load_rsu_layout(path)
    assert layout.rsus and all(r.range_m > 0 for r in layout.rsus)
    assert len({r.id for r in layout.rsus}) == len(layout.rsus)


def test_an_rsu_layout_proj_error_names_its_file_and_is_bad_input(tmp_path):
    from runners.case import error_kind
    from v2x_bridge.factory import bridge_for_layout
    layout = tmp_path / "x.rsu.json"
    layout.write_text('{"geo_reference": "+proj=nonsense", "rsus": []}')
    with pytest.raises(V2XError) as err:
        bridge_for_layout(layout, None, seed=0)
    assert err.value.file == str(layout) and err.value.element == "geoReference"
    assert error_kind(err.value) == "input"


@pytest.mark.parametrize("text,fragment", [
    ('{"rsus": ' + "[" * 100000 + "]" * 100000 + "}", "nested too deeply"),      # RecursionError
    ('{"rsus": [{"id": "A", "x": 1' + "0" * 400 + ', "y": 0}]}', "'x' must be a finite"),
    ('{"rsus": [{"id": "A", "x": 1e300, "y": 0}]}', r"within 1e\+06"),
])
def test_hostile_layouts_are_one_clear_error(tmp_path, text, fragment):
    # observed: RecursionError / OverflowError tracebacks, exit 3, no file named
    path = _write(tmp_path, None, text)
    with pytest.raises(V2XError, match=fragment) as err:
        load_rsu_layout(path)
    assert err.value.file == str(path)


def test_layout_encoding_and_kind_of_file(tmp_path):
    path = tmp_path / "layout.rsu.json"
    path.write_bytes('{"rsus": [{"id": "café", "x": 0, "y": 0}]}'.encode("latin-1"))
    with pytest.raises(V2XError, match="not UTF-8"):
        load_rsu_layout(path)
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(LAYOUT).encode())   # a BOM (Windows editors)
    assert len(load_rsu_layout(path).rsus) == 2
    folder = tmp_path / "dir.rsu.json"
    folder.mkdir()
    with pytest.raises(V2XError, match="is a directory"):
        load_rsu_layout(folder)


@pytest.mark.parametrize("proj, kind", [
    ("+proj=longlat +datum=WGS84", "geographic CRS"),
    # hostile pass 8: accepted, and every RSM object was sent at the North Pole
    ("+proj=geocent +datum=WGS84", "geocentric CRS"),
])
def test_a_proj_string_that_is_not_projected_is_refused(tmp_path, proj, kind):
    from v2x_bridge.factory import bridge_for_layout
    layout = _write(tmp_path, {"geo_reference": proj, "rsus": []})
    with pytest.raises(V2XError, match=kind):
        bridge_for_layout(layout, None, seed=0)


@pytest.mark.parametrize("change,fragment", [
    ({"junction_id": "99999"}, "junction_id '99999' is not a junction of the map"),
    ({"signal_ids": ["nope"]}, "signal_ids ['nope'] are not signals of the map"),
])
def test_a_layout_for_another_map_is_refused(tmp_path, change, fragment):
    # observed: accepted, and MAP frames were sent for a junction the map does not have
    from pathlib import Path

    from maps import load_opendrive
    from v2x_bridge.factory import bridge_for_layout
    wuhan = Path(__file__).resolve().parents[2] / "maps" / "wuhan"
    doc = json.loads((wuhan / "wuhan_section1.rsu.json").read_text())
    doc["rsus"][0].update(change)
    layout = _write(tmp_path, doc)
    with pytest.raises(V2XError) as err:
        bridge_for_layout(layout, load_opendrive(wuhan / "wuhan_section1.xodr"), seed=0)
    assert fragment in str(err.value) and err.value.file == str(layout)


def test_map_check_and_scenario_check_look_at_the_layout_beside_the_map(tmp_path):
    """New-section pass 12: a layout whose geo_reference said lat_0 = 30.50 where the map
    said 30.49 sent every V2X position 1.1 km off with all checks clean, and one naming a
    signal the map does not have was found only when a case ran (exit 2). Map check warns of
    the first (1 km of latitude: 0.01 deg x 110.9 km/deg on WGS84 at 30.5 N) and reports the
    second as an error; scenario check reports both at the LogicFile."""
    import shutil
    from typer.testing import CliRunner
    from maps.cli import app as maps_app
    from scenarios.check import check_scenario
    root = Path(__file__).resolve().parents[2]
    xodr = tmp_path / "s1.xodr"
    shutil.copy(root / "maps" / "wuhan" / "wuhan_section1.xodr", xodr)
    doc = json.loads((root / "maps" / "wuhan" / "wuhan_section1.rsu.json").read_text())
    layout = tmp_path / "s1.rsu.json"
    layout.write_text(json.dumps(doc))
    assert CliRunner().invoke(maps_app, ["check", str(xodr)]).exit_code == 0
    doc["geo_reference"] = doc["geo_reference"].replace("lat_0=30.49", "lat_0=30.50")
    layout.write_text(json.dumps(doc))
    res = CliRunner().invoke(maps_app, ["check", str(xodr)])
    assert res.exit_code == 1
    metres = float(res.output.split(" m from where the map's geoReference")[0].split(", ")[-1])
    assert metres == pytest.approx(1108.6, abs=1.0)
    case = tmp_path / "c.xosc"
    case.write_text((root / "scenarios" / "wuhan" / "cut_in.xosc").read_text().replace(
        "../../maps/wuhan/wuhan_section1.xodr", str(xodr)))
    warned = [i.message for i in check_scenario(case) if i.severity == "warning"]
    assert [m.split(": ")[1] for m in warned] == ["<geo_reference>"]   # scenario check too
    doc["geo_reference"] = None
    doc["rsus"][0]["signal_ids"].append("9999")
    doc["rsus"][0].pop("phase_ids", None)
    layout.write_text(json.dumps(doc))
    res = CliRunner().invoke(maps_app, ["check", str(xodr)])
    assert res.exit_code == 2 and "signal_ids ['9999'] are not signals of the map" in res.output
    errors = [i.message for i in check_scenario(case) if i.severity == "error"]
    assert errors == [f"RSU layout {layout}: <rsus (RSU-S1-01)>: signal_ids ['9999'] are not "
                      f"signals of the map"]
