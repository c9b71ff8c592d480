"""Figures of the V2X driving pieces on Wuhan section 1: MAP derivation and size, and the
``idm-v2x`` agent's step time against ``idm``'s (run: ``python benchmarks/bench_v2x_driving.py``).
"""

from __future__ import annotations

import time
from pathlib import Path

from testzone.world import (BoundingBox, EntityKind, EntityState, Pose, SignalColor,
                            SignalState, WorldState)

ROOT = Path(__file__).resolve().parents[1]
WUHAN = ROOT / "maps" / "wuhan"


def _per_call(fn, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def main() -> None:
    """Print the figures."""
    from maps import load_opendrive
    from runners.agents.idm import IdmAgent
    from runners.agents.idm_v2x import IdmV2xAgent
    from runners.case import to_received
    from runners.interfaces import Observation, VehicleSpec
    from v2x_bridge import ChannelModel, bridge_for_layout, codec, load_rsu_layout
    from v2x_bridge.factory import junction_map

    net = load_opendrive(WUHAN / "wuhan_section1.xodr")
    layout = load_rsu_layout(WUHAN / "wuhan_section1.rsu.json")
    t = _per_call(lambda: junction_map(layout.rsus[0], net, layout.rsus), 5)
    print(f"junction_map (4 links, 8 lanes): {t * 1e3:.1f} ms")
    bridge = bridge_for_layout(WUHAN / "wuhan_section1.rsu.json", net,
                               channel=ChannelModel(latency_s=0.0))
    ego = EntityState("Ego", EntityKind.VEHICLE, Pose(-228.0, -5.25), speed=16.67,
                      box=BoundingBox(1.4, 0.0, 0.75, 4.6, 1.9, 1.5),
                      lane=net.world_to_lane(-228.0, -5.25, 0.0))
    sig = {"1001": SignalState("1001", SignalColor.RED, 30.0)}
    msgs = tuple(to_received(m) for m in bridge.step(WorldState(0.0, {"Ego": ego}, sig), "Ego"))
    map_msg = next(m for m in msgs if m.msg_type == "MAP")
    print(f"MAP frame: {len(map_msg.uper)} bytes; decode "
          f"{_per_call(lambda: codec.decode_frame(map_msg.uper), 20) * 1e3:.1f} ms")
    for cls in (IdmAgent, IdmV2xAgent):
        agent = cls()
        agent.setup(VehicleSpec("Ego"), net, {})
        first = Observation(0.0, ego, v2x=msgs, speed_limit=16.67)
        agent.step(first)                          # builds the path, reads the MAP
        spat_only = tuple(m for m in msgs if m.msg_type == "SPAT")
        obs = Observation(0.05, ego, v2x=spat_only, speed_limit=16.67)
        print(f"{agent.name} step with a SPAT: {_per_call(lambda: agent.step(obs), 200) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
