"""``testzone map info|plot|check`` (maps.cli.app) through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maps.cli import app
from maps_samples import _lane, document, line, road, t_junction, two_roads_end_to_end, write

WUHAN = Path(__file__).resolve().parents[2] / "maps" / "wuhan"
RUN = CliRunner()

BROKEN = {
    # class: (file text, line, element, message part)
    "lengths": (document(road("1", 120, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5))),
                4, "road", "geometry lengths add up to 100.0000 m, road@length is 120.0000"),
    "missing_road": (document(road(
        "1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5),
        link='<successor elementType="road" elementId="9" contactPoint="start"/>')),
        4, "successor", "successor road '9' does not exist"),
    "section_beyond": (document(road("1", 100, line(0, 0, 0, 0, 100), sections=(
        '<laneSection s="0"><right>{0}</right></laneSection>\n'
        '<laneSection s="150"><right>{0}</right></laneSection>').format(_lane(-1, 3)))),
        5, "laneSection", "laneSection s=150.0 beyond road length 100.0"),
    "negative_width": (document(road("1", 100, line(0, 0, 0, 0, 100), right=(
        '<lane id="-1" type="driving"><width sOffset="0" a="3.0" b="-0.05" c="0" d="0"/>'
        '</lane>'))), 4, "width", "width -2.0000 m at s=100.000, its lowest on s=0..100 "
        "(expected >= 0"),
    # observed (hostile pass 5): "0 error(s)"; the map then ran and blamed the stack
    "width_dip": (document(road("1", 100, line(0, 0, 0, 0, 100), right=(
        '<lane id="-1" type="driving"><width sOffset="0" a="3.5" b="-1.6" c="0.16" d="0"/>'
        '<width sOffset="10" a="3.5" b="0" c="0" d="0"/></lane>'))), 4, "width",
        "width -0.5000 m at s=5.000, its lowest on s=0..10"),
    # observed: accepted; the case then "failed" with a collision instead of bad input
    "point_param_poly3": (document(road("1", 200, (
        '<geometry s="0" x="0" y="0" hdg="0" length="200"><paramPoly3 aU="0" bU="0" cU="0" '
        'dU="0" aV="0" bV="0" cV="0" dV="0" pRange="normalized"/></geometry>'),
        right=_lane(-1, 3.5))), 4, "geometry",
        "paramPoly3 at s=0.0 has no extent (its u, v polynomials describe a point)"),
    "not_xml": ("<OpenDRIVE>\n<road>\n</OpenDRIVE>\n", 3, None, "not well-formed XML"),
    "wrong_root": ("<?xml version='1.0'?>\n<OpenSCENARIO/>\n", 2, "OpenSCENARIO",
                   "root element is <OpenSCENARIO>, expected <OpenDRIVE>"),
    "entities": ('<?xml version="1.0"?>\n<!DOCTYPE OpenDRIVE [<!ENTITY e "x">]>\n'
                 + two_roads_end_to_end().split("\n", 1)[1], 1, "!DOCTYPE",
                 "the DOCTYPE declares entities"),
}


def first_issue(tmp_path, case: tuple, severity: str, status: int) -> tuple:
    """Run ``map check`` on a case's text: (file path, where it points, the first line),
    after asserting the exit status, the severity and the message of that line."""
    text, line_no, element, message = case
    p = write(tmp_path, "bad.xodr", text)
    res = RUN.invoke(app, ["check", str(p)])
    assert res.exit_code == status, res.output
    first = res.stdout.splitlines()[0]  # on stdout, in the form of scenario check's lines
    elem = f"<{element}>: " if element else ""
    assert first.startswith(f"{p}:{line_no}: {severity}: {elem}") and message in first
    return p, f"bad.xodr:{line_no}: {elem}", res.stdout.strip()


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_check_exits_2_naming_line_and_element(tmp_path, case):
    p, where, out = first_issue(tmp_path, BROKEN[case], "error", 2)
    message = BROKEN[case][3]
    assert out.endswith("1 error(s), 0 warning(s)")
    # info and plot refuse the same file with one line on stderr and status 2
    for args in (["info", str(p)], ["plot", str(p), "-o", str(tmp_path / "x.png")]):
        res = RUN.invoke(app, args)
        assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1
        assert where in res.stderr and message in res.stderr
        assert "Traceback" not in res.output


# observed (hostile pass 5): "0 error(s), 0 warning(s)". esmini loads such maps, so they load
# here too, and `map check` warns (exit 1)
WARNED = {
    "signal_off_road": (document(road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5),
                                      extra='<signals><signal id="9" s="5000" t="-4" '
                                            'dynamic="no" orientation="+" type="206"/>'
                                            '</signals>')),
                        4, "signal", "signal 9 on road 1: s=5000 m lies off the road"),
    "control_missing_signal": (document(road("1", 100, line(0, 0, 0, 0, 100),
                                             right=_lane(-1, 3.5)),
                                        '<controller id="7"><control signalId="404"/>'
                                        '</controller>'),
                               5, "control", "controller 7: control signalId='404' names no "
                               "signal of the map"),
    "connecting_road_outside": (t_junction().replace('id="12" junction="100"',
                                                     'id="12" junction="-1"'),
                                9, "connection", "junction 100 connection 1: connecting road 12 "
                                "has junction='-1' (expected '100'"),
}


@pytest.mark.parametrize("case", sorted(WARNED))
def test_check_warns_naming_line_and_element(tmp_path, case):
    _, _, out = first_issue(tmp_path, WARNED[case], "warning", 1)
    assert out.endswith("0 error(s), 1 warning(s)")


def test_check_clean_and_warnings(tmp_path):
    clean = write(tmp_path, "ok.xodr", two_roads_end_to_end())
    res = RUN.invoke(app, ["check", str(clean)])
    assert res.exit_code == 0 and "0 error(s), 0 warning(s)" in res.stdout
    r1 = road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5),
              link='<successor elementType="road" elementId="2" contactPoint="start"/>')
    r2 = road("2", 50, line(0, 100.5, 0, 0, 50), right=_lane(-1, 3.5),
              link='<predecessor elementType="road" elementId="1" contactPoint="end"/>')
    gap = write(tmp_path, "gap.xodr", document(r1, r2))
    res = RUN.invoke(app, ["check", str(gap)])
    assert res.exit_code == 1
    assert res.stdout.count("warning: ") == 2 and "0.500 m apart" in res.stdout
    missing = RUN.invoke(app, ["check", str(tmp_path / "none.xodr")])
    assert missing.exit_code == 2 and "file not found" in missing.stdout


def test_info_json_hand_counted(tmp_path):
    p = write(tmp_path, "two.xodr", two_roads_end_to_end())
    res = RUN.invoke(app, ["info", str(p), "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["roads"] == 2 and info["junction_roads"] == 0 and info["junctions"] == {}
    # road 1: lanes 2 (sidewalk), 1, -1, -2; road 2: lanes 1, -1
    assert info["lanes_by_type"] == {"driving": 5, "sidewalk": 1}
    assert info["lane_km_by_type"] == {"driving": 0.5, "sidewalk": 0.1}
    assert info["length_km"] == 0.2 and info["length_km_without_junctions"] == 0.2
    # road 1 spans t -6.0 .. 6.0 (laneOffset 0.5 + 3.5 + 2.0; 0.5 - 3.5 - 3.0); road 2 +-3.5
    assert info["bounds_m"] == [0.0, -6.0, 200.0, 6.0]
    assert info["signals"] == {"dynamic": 0, "static": 0, "references": 0}
    assert info["geo_reference"] is None and info["rsus"] is None
    text = RUN.invoke(app, ["info", str(p)])
    assert text.exit_code == 0 and "roads           2 (0 in junctions)" in text.stdout
    assert "0.200 km, 0.200 km without junction connecting roads" in text.stdout


def test_info_roads_lists_what_a_scenario_places_things_by(tmp_path):
    """New-user pass 10: an engineer read generator source for road, lane and signal ids;
    `map info --roads` lists them (values from maps_samples' own description)."""
    p = write(tmp_path, "two.xodr", two_roads_end_to_end())
    res = RUN.invoke(app, ["info", str(p), "--roads", "--json"])
    assert res.exit_code == 0, res.output
    r1, r2 = json.loads(res.stdout)
    assert (r1["id"], r1["length_m"], r1["junction"]) == ("1", 100.0, None)
    assert (r1["predecessor"], r1["successor"]) == (None, "road 2 (end)")
    assert r1["sections"] == [{"s": 0.0, "end": 100.0, "lanes": {
        "2": "sidewalk", "1": "driving", "-1": "driving", "-2": "driving"}}]
    assert r1["speed_limits"] == [[0.0, pytest.approx(50 / 3.6, abs=1e-3)]]
    assert r2["successor"] == "road 1 (end)" and list(r2["sections"][0]["lanes"]) == ["1", "-1"]
    text = RUN.invoke(app, ["info", str(p), "--roads"]).stdout.splitlines()
    assert text[:3] == ["road 1 'r1'  100.0 m  successor road 2 (end)",
                        "  s 0.0 .. 100.0 m: lanes 2 sidewalk, 1 driving, -1 driving, "
                        "-2 driving",
                        "  speed limit 13.89 m/s (50 km/h) from s 0.0 m"]
    xodr = WUHAN / "wuhan_section1.xodr"
    rows = json.loads(RUN.invoke(app, ["info", str(xodr), "--roads", "--json"]).stdout)
    west = next(r for r in rows if r["id"] == "1")   # the generator's west leg and its light
    assert west["successor"] == "junction 500"
    assert {"id": "1001", "s": 972.0, "t": -7.5, "orientation": "+", "dynamic": True,
            "type": "1000001"} in west["signals"]


def test_info_counts_wuhan_section1_rsus_and_signals():
    xodr = WUHAN / "wuhan_section1.xodr"
    if not xodr.is_file():
        pytest.skip("Wuhan section 1 map not generated")
    rsus = json.loads((WUHAN / "wuhan_section1.rsu.json").read_text())["rsus"]
    text = xodr.read_text()
    res = RUN.invoke(app, ["info", str(xodr), "--json"])
    info = json.loads(res.stdout)
    assert info["rsus"] == len(rsus)
    n_dynamic = text.count('dynamic="yes"')
    assert info["signals"]["dynamic"] == n_dynamic > 0
    assert sum(info["objects"].values()) == text.count("<object ")


def test_the_plot_takes_in_every_rsu(tmp_path):
    """New-section pass 12: RSUs beside the road, outside its bounding box, were cut off at
    the plot's edge. An RSU 300 m north of a flat road makes the figure taller."""
    import matplotlib.image
    from maps import load_opendrive
    from maps.plot import plot_network
    net = load_opendrive(write(tmp_path, "two.xodr", two_roads_end_to_end()))
    heights = []
    for y in (0.0, 300.0):
        out = plot_network(net, tmp_path / f"p{int(y)}.png", rsus=[
            {"id": "R", "x": 100.0, "y": y, "range_m": 20.0}], dpi=40)
        heights.append(matplotlib.image.imread(out).shape[0])
    assert heights[1] > 2 * heights[0]


def test_plot_writes_png_with_rsus(tmp_path):
    p = write(tmp_path, "two.xodr", two_roads_end_to_end())
    (tmp_path / "two.rsu.json").write_text(json.dumps(
        {"rsus": [{"id": "R1", "x": 100.0, "y": 10.0, "range_m": 50.0}]}))
    out = tmp_path / "two.png"
    res = RUN.invoke(app, ["plot", str(p), "-o", str(out), "--lane-ids", "--dpi", "60"])
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # a broken RSU layout beside the map is an error unless --no-rsu
    for bad in ('{"rsus": [{"id": "R1", "x": "east"}]}',
                # hostile pass 8: a NaN range drew nothing and crashed matplotlib
                '{"rsus": [{"id": "R1", "x": 1, "y": 2, "range_m": NaN}]}',
                '{"rsus": [{"id": "R1", "x": 1, "y": 2, "range_m": 1%s}]}' % ("0" * 5000)):
        (tmp_path / "two.rsu.json").write_text(bad)
        for cmd in ("plot", "info"):
            res = RUN.invoke(app, [cmd, str(p)] + (["-o", str(out)] if cmd == "plot" else []))
            assert res.exit_code == 2 and ("rsus[0] needs finite numbers x, y [m] and "
                                           "range_m > 0" in res.stderr
                                           or "more digits than can be read" in res.stderr), \
                (cmd, bad[:60], res.output)
    res = RUN.invoke(app, ["plot", str(p), "-o", str(out), "--no-rsu", "--dpi", "60"])
    assert res.exit_code == 0


def test_mounted_under_testzone_map():
    from runners.cli import app as root
    res = RUN.invoke(root, ["map", "--help"])
    assert res.exit_code == 0
    for cmd in ("info", "plot", "check"):
        assert cmd in res.stdout


def test_check_warns_of_a_param_poly3_whose_curve_is_not_its_length(tmp_path):
    # u = 100 p over p in [0, 1]: a 100 m straight declared 120 m long (stretched by 1.2)
    geometry = ('<geometry s="0" x="0" y="0" hdg="0" length="120"><paramPoly3 aU="0" '
                'bU="100" cU="0" dU="0" aV="0" bV="0" cV="0" dV="0" pRange="normalized"/>'
                '</geometry>')
    p = write(tmp_path, "pp3.xodr", document(road("1", 120, geometry, right=_lane(-1, 3.5))))
    res = RUN.invoke(app, ["check", str(p)])
    assert res.exit_code == 1, res.output
    assert "paramPoly3 at s=0.0 is 100.0000 m long along its curve, geometry@length says " \
           "120.0000 m" in res.stdout


def test_names_from_the_map_cannot_start_lines_of_their_own(tmp_path):
    """Hostile pass 11: a road name holding newlines printed fake road and lane lines."""
    text = two_roads_end_to_end().replace('name="r1"', 'name="a&#10;road 9  1.0 m&#10;  s 0"')
    p = write(tmp_path, "nl.xodr", text)
    lines = RUN.invoke(app, ["info", str(p), "--roads"]).stdout.splitlines()
    assert lines[0] == "road 1 'a\\nroad 9  1.0 m\\n  s 0'  100.0 m  successor road 2 (end)"
    assert not any(ln.startswith("road 9") for ln in lines)
    summary = RUN.invoke(app, ["info", str(p)]).stdout.splitlines()
    assert all(ln[:1] != " " for ln in summary)
