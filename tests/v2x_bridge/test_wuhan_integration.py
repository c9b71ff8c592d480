"""The bridge on the Wuhan section-1 map and RSU layout (written by the maps package)."""

from __future__ import annotations

from pathlib import Path

import pytest

from testzone.world import EntityKind, EntityState, Pose, SignalColor, SignalState, WorldState
from v2x_bridge import ChannelModel, GeoFrame, V2XBridge, codec, load_rsu_layout, rsm, spat

WUHAN = Path(__file__).resolve().parents[2] / "maps" / "wuhan"


@pytest.fixture(scope="module")
def wuhan():
    xodr, layout = WUHAN / "wuhan_section1.xodr", WUHAN / "wuhan_section1.rsu.json"
    if not (xodr.is_file() and layout.is_file()):
        pytest.skip("Wuhan map files not present")
    from maps import load_opendrive

    return load_opendrive(xodr), load_rsu_layout(layout)


def test_layout_and_map_share_the_geo_reference(wuhan):
    net, layout = wuhan
    assert layout.geo_reference == net.geo_reference
    lon, lat = GeoFrame(net.geo_reference).to_lonlat(0.0, 0.0)
    assert (round(lon, 9), round(lat, 9)) == (114.15, 30.49)


def test_junction_rsu_sends_spat_and_rsm_to_an_approaching_vehicle(wuhan):
    net, layout = wuhan
    bridge = V2XBridge(layout.rsus, GeoFrame(net.geo_reference), ChannelModel(latency_s=0.0), 0)
    # Arterial phase 1 green for 30 s more, cross street (phase 2) red.
    sig = {}
    for sid in ("1001", "1002"):
        sig[sid] = SignalState(sid, SignalColor.GREEN, 30.0, 1)
    for sid in ("1003", "1004"):
        sig[sid] = SignalState(sid, SignalColor.RED, 35.0, 2)
    ego = EntityState("ego", EntityKind.VEHICLE, Pose(-80.0, -1.75, 0.0, 0.0), speed=12.0)
    got = bridge.step(WorldState(10.0, {"ego": ego}, sig), "ego")
    by_type = {(m.msg_type, m.rsu_id): m for m in got}
    info = spat.read(codec.decode_frame(by_type[("SPAT", "RSU-S1-01")].payload)[1])
    assert info.current(500, 1).color == SignalColor.GREEN
    assert info.current(500, 1).likely_end_s == pytest.approx(30.0)
    assert info.current(500, 2).color == SignalColor.RED
    seen = rsm.read(codec.decode_frame(by_type[("RSM", "RSU-S1-01")].payload)[1],
                    GeoFrame(net.geo_reference))
    car = seen.participants[0]
    # reported at the box centre: reference point + 0 (default box cx = 0)
    assert car.x == pytest.approx(-80.0, abs=0.02) and car.y == pytest.approx(-1.75, abs=0.02)
    assert ("SPAT", "RSU-S1-02") not in by_type          # RSU 2 serves no signals


def test_bridge_for_layout_as_the_runner_calls_it(wuhan):
    from v2x_bridge import bridge_for_layout

    net, _ = wuhan
    bridge = bridge_for_layout(WUHAN / "wuhan_section1.rsu.json", net, seed=4)
    ego = EntityState("ego", EntityKind.VEHICLE, Pose(-60.0, -1.75), speed=10.0)
    got = bridge.step(WorldState(0.0, {"ego": ego}, {}), "ego")
    assert got == []                                     # default latency 20 ms
    got = bridge.step(WorldState(0.05, {"ego": ego}, {}), "ego")
    maps_ = [m for m in got if m.msg_type == "MAP"]
    assert [m.sender for m in maps_] == ["RSU-S1-01"]
    node = maps_[0].info(GeoFrame(net.geo_reference))[0]
    # signals sit symmetrically around the junction centre at the origin
    assert node.node_id == 500 and abs(node.x) < 0.05 and abs(node.y) < 0.05
    assert maps_[0].uper == maps_[0].payload
