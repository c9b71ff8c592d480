"""MAP derived from the Wuhan section-1 OpenDRIVE junction, checked against its geometry.

Hand facts (docs/wuhan.md): the junction centre is the origin; road 1 runs east from
(-1000, 0) to (-20, 0); its eastbound lanes -1 / -2 (3.5 m) have centres at y = -1.75 / -5.25;
signal 1001 (the west stop line) is at road 1 s = 972, i.e. x = -28; roads 2 (east), 3 (south),
4 (north) are the other legs; lane -1 is the inner (left-turn) lane, -2 the kerb (right-turn)
lane. The RSU lists signals 1001..1004 first, so their SPAT phase ids are 1..4.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testzone.world import (EntityKind, EntityState, Pose, SignalColor, SignalState,
                            WorldState)
from v2x_bridge import (BuildContext, ChannelModel, GeoFrame, SimClock, bridge_for_layout,
                        codec, load_rsu_layout, spat)
from v2x_bridge import map as map_msg
from v2x_bridge.factory import junction_map, road_end_node, signal_phase_ids

WUHAN = Path(__file__).resolve().parents[2] / "maps" / "wuhan"


@pytest.fixture(scope="module")
def wuhan():
    from maps import load_opendrive
    net = load_opendrive(WUHAN / "wuhan_section1.xodr")
    layout = load_rsu_layout(WUHAN / "wuhan_section1.rsu.json")
    return net, layout


@pytest.fixture(scope="module")
def west(wuhan):
    net, layout = wuhan
    desc = junction_map(layout.rsus[0], net, layout.rsus)
    return desc, next(ln for ln in desc["links"] if ln["road_id"] == "1")


def test_phase_ids_follow_signal_order(wuhan):
    _, layout = wuhan
    ids = signal_phase_ids(layout.rsus[0])
    assert [ids[s] for s in ("1001", "1002", "1003", "1004", "2001")] == [1, 2, 3, 4, 5]


def test_one_link_per_incoming_road_with_its_upstream_road_end(wuhan, west):
    desc, link = west
    assert desc["node_id"] == 500 and abs(desc["x"]) < 1e-6 and abs(desc["y"]) < 1e-6
    assert sorted(ln["road_id"] for ln in desc["links"]) == ["1", "2", "3", "4"]
    assert link["upstream_node_id"] == road_end_node("1", "start")
    assert link["width_m"] == pytest.approx(7.0)
    assert link["speed_limit_mps"] == pytest.approx(60 / 3.6)


def test_west_lanes_end_at_the_stop_line_and_allow_the_right_turns(west):
    _, link = west
    inner, kerb = link["lanes"]
    assert (inner["lane_id"], kerb["lane_id"]) == (1, 2)
    assert inner["maneuvers"] == ["straight", "left"]
    # V2X semantics pass 13: signal 1001 is a CN circular light: a right turn may pass it at
    # red (PRC art. 38), and an OBU's red-light warning must know that
    assert kerb["maneuvers"] == ["straight", "right", "right_on_red"]
    assert inner["points"][-1] == pytest.approx([-28.0, -1.75], abs=1e-3)
    assert kerb["points"][-1] == pytest.approx([-28.0, -5.25], abs=1e-3)
    # approach_m = 250: from s = 722 (x = -278), points upstream to downstream, <= 31
    assert inner["points"][0] == pytest.approx([-278.0, -1.75], abs=1e-3)
    assert 2 <= len(inner["points"]) <= 31
    xs = [p[0] for p in inner["points"]]
    assert xs == sorted(xs)


def test_west_connections_reach_the_right_legs_under_phase_1(west):
    _, link = west
    inner, kerb = link["lanes"]
    by_move = {c["maneuver"]: c for ln in (inner, kerb) for c in ln["connects_to"]}
    assert by_move["straight"]["remote_node_id"] == road_end_node("2", "end")       # east
    assert by_move["left"]["remote_node_id"] == road_end_node("4", "end")           # north
    assert by_move["right"]["remote_node_id"] == road_end_node("3", "start")        # south
    assert {c["phase_id"] for c in by_move.values()} == {1}
    assert [c["lane_id"] for c in inner["connects_to"]] == [1, 1]


def test_each_approach_links_to_its_own_signal_phase(west):
    desc, _ = west
    phases = {ln["road_id"]: {c["phase_id"] for lane in ln["lanes"] for c in lane["connects_to"]}
              for ln in desc["links"]}
    assert phases == {"1": {1}, "2": {2}, "3": {3}, "4": {4}}


def test_map_encodes_decodes_and_reads_back_in_the_map_frame(wuhan, west):
    net, layout = wuhan
    desc, _ = west
    geo = GeoFrame(net.geo_reference)
    ctx = BuildContext(t=0.0, clock=SimClock(), geo=geo, world=WorldState(0.0, {}),
                       rsu=layout.rsus[0], junction=desc)
    frame = codec.encode_frame("MAP", map_msg.build(ctx))
    msg_type, value = codec.decode_frame(frame)
    assert msg_type == "MAP"
    node = map_msg.read(value, geo)[0]
    assert node.node_id == 500 and len(node.link_details) == 4
    west_link = next(ln for ln in node.link_details
                     if ln.upstream_node_id == road_end_node("1", "start"))
    kerb = west_link.lanes[1]
    assert kerb.lane_id == 2 and kerb.width_m == pytest.approx(3.5)
    assert kerb.maneuvers == ("straight", "right", "right_on_red")
    # 1e-7 deg quantisation: ~1 cm
    assert kerb.points[-1] == pytest.approx((-28.0, -5.25), abs=0.02)
    assert [(c.maneuvers, c.phase_id, c.lane_id) for c in kerb.connections] == [
        (("straight",), 1, 2), (("right",), 1, 2)]
    # new-section pass 12: docs/v2x.md promised each link its road's name; none was sent
    assert west_link.name == "S1-W"           # road 1's name in wuhan_section1.xodr


def test_a_name_a_descriptive_name_cannot_carry_falls_back():
    """DescriptiveName is IA5String (1..63): a Chinese road name cannot be sent as it is."""
    assert map_msg.descriptive_name("雄楚大道", "road 7") == "road 7"
    assert map_msg.descriptive_name("", None) is None
    assert map_msg.descriptive_name("x" * 80) == "x" * 63


def test_spat_phase_of_a_map_connection_carries_that_approach_light(wuhan):
    net, _ = wuhan
    bridge = bridge_for_layout(WUHAN / "wuhan_section1.rsu.json", net,
                               channel=ChannelModel(latency_s=0.0))
    # the scenario engine puts its controller phase index into phase_id (here 0 for all):
    # the bridge's pinned phase ids must win so MAP and SPAT agree
    sig = {"1001": SignalState("1001", SignalColor.RED, 12.0, 0),
           "1002": SignalState("1002", SignalColor.GREEN, 5.0, 0),
           "1003": SignalState("1003", SignalColor.YELLOW, 2.0, 0)}
    ego = EntityState("ego", EntityKind.VEHICLE, Pose(-200.0, -5.25))
    got = bridge.step(WorldState(0.0, {"ego": ego}, sig), "ego")
    by_type = {m.msg_type: m for m in got if m.rsu_id == "RSU-S1-01"}
    node = by_type["MAP"].info(GeoFrame(net.geo_reference))[0]
    west_link = next(ln for ln in node.link_details
                     if ln.upstream_node_id == road_end_node("1", "start"))
    phase = west_link.lanes[0].connections[0].phase_id
    state = by_type["SPAT"].info().current(500, phase)
    assert (phase, state.color, state.likely_end_s) == (1, SignalColor.RED, pytest.approx(12.0))
    assert by_type["SPAT"].info().current(500, 3).color == SignalColor.YELLOW
    assert not [e for e in bridge.drain_events() if e.data.get("action") == "spat_conflict"]


def test_junction_maps_are_derived_when_first_asked_for(wuhan):
    """bridge_for_layout's MAP descriptions: one per RSU junction, each derived on first use
    and then kept; equal to junction_map of the junction's RSU."""
    from v2x_bridge.factory import JunctionMaps
    net, layout = wuhan
    maps = JunctionMaps(tuple(layout.rsus), net)
    serving = [r for r in layout.rsus if r.junction_id is not None]
    assert list(maps) == [r.junction_id for r in serving] and maps._maps == {}
    first = maps[serving[0].junction_id]
    assert first == junction_map(serving[0], net, layout.rsus)
    assert maps[serving[0].junction_id] is first and len(maps._maps) == 1
    with pytest.raises(KeyError):
        maps["no-such-junction"]
    assert maps.get("no-such-junction") is None


def test_rsu_without_junction_has_no_map(wuhan):
    net, layout = wuhan
    assert junction_map(layout.rsus[1], net, layout.rsus) is None


def test_road_end_nodes_avoid_the_reserved_range():
    ids = {road_end_node(str(r), e) for r in range(50) for e in ("start", "end")}
    assert min(ids) >= 256 and max(ids) <= 65535 and len(ids) == 100


def test_lane_points_follow_the_lane_links_where_a_turn_lane_opens():
    """Test-zone road 30 runs east along y = -855 into junction 1035. Between s = 430 and 460
    the median tapers into a new left-turn lane, so the kerb-side through lane is -4 before
    430, -5 in the taper and -4 again up to the stop line: 12.25 m right of the reference line
    all along. The points used to take lane -4 of every section, 3.5 m off inside the taper,
    and idm-v2x lost its MAP lane there (and with it GLOSA, in tz_glosa_green_arrival)."""
    from maps import load_opendrive
    net = load_opendrive(WUHAN / "wuhan_testzone.xodr")
    layout = load_rsu_layout(WUHAN / "wuhan_testzone.rsu.json")
    rsu = next(r for r in layout.rsus if r.id == "RSU-J5-3")
    link = next(ln for ln in junction_map(rsu, net, layout.rsus)["links"] if ln["road_id"] == "30")
    through = next(ln for ln in link["lanes"] if ln["odr_lane_id"] == -4)
    xs = [p[0] for p in through["points"]]
    assert min(xs) < 430.0 - 260.0 and max(xs) > 460.0 - 260.0  # x = s - 260: spans the taper
    assert [p[1] for p in through["points"]] == pytest.approx([-867.25] * len(xs), abs=1e-6)
    from maps.traversal import lane_id_at
    road = net.roads["30"]
    assert [lane_id_at(road, -4, 500.0, s) for s in (500.0, 445.0, 400.0)] == [-4, -5, -4]
    # the left-turn lane (-1 at the line) opens in the taper as -2 with no predecessor: the
    # vehicles' rule continues it by its id, into the inner through lane
    assert [lane_id_at(road, -1, 500.0, s) for s in (445.0, 400.0)] == [-2, -2]


def test_a_turn_bay_lane_has_points_only_where_it_exists():
    """V2X semantics pass 13: the left-turn lane (-1 at the stop line, -2 in the taper from
    s = 430 where it opens from width 0 with no predecessor) was drawn from 250 m out along
    the inner through lane: 17 of its 26 points were the through lane's, so an OBU 100-250 m
    out could not tell which lane it was in. Its points now start at the taper (x = s - 260
    >= 170); the through lane (-2 at the line) keeps all of them."""
    from maps import load_opendrive
    net = load_opendrive(WUHAN / "wuhan_testzone.xodr")
    layout = load_rsu_layout(WUHAN / "wuhan_testzone.rsu.json")
    rsu = next(r for r in layout.rsus if r.id == "RSU-J5-3")
    link = next(ln for ln in junction_map(rsu, net, layout.rsus)["links"] if ln["road_id"] == "30")
    left = next(ln for ln in link["lanes"] if ln["odr_lane_id"] == -1)
    inner = next(ln for ln in link["lanes"] if ln["odr_lane_id"] == -2)
    assert min(p[0] for p in left["points"]) >= 430.0 - 260.0 - 1e-6
    assert len(left["points"]) >= 2 and len(inner["points"]) == 26
    shared = {tuple(map(round, p)) for p in left["points"]} & \
        {tuple(map(round, p)) for p in inner["points"]}
    assert not shared
