"""V2X bridge figures: SPAT encode/decode rate, bridge step cost, ZeroMQ loopback latency.

Run: ``.venv/bin/python benchmarks/bench_v2x.py [--seconds 2] [--frames 2000]``. Prints one
figure a line; wall-clock measurements, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from testzone.world import EntityKind, EntityState, Pose, SignalColor, SignalState, WorldState
from v2x_bridge import ChannelModel, GeoFrame, Rsu, V2XBridge, codec
from v2x_bridge.transport import Publisher, Subscriber

REF = Path(__file__).resolve().parents[2] / "shared" / "reference" / "v2x" / "spat_rsu_frame.uper.hex"


def _rate(fn, seconds: float) -> float:
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - t0)


def bench_codec(seconds: float) -> None:
    data = bytes.fromhex(REF.read_text().strip())
    msg_type, value = codec.decode_frame(data)
    codec.compiled()
    dec = _rate(lambda: codec.decode_frame(data), seconds)
    enc = _rate(lambda: codec.encode_frame(msg_type, value), seconds)
    print(f"SPAT ({len(data)} B, 8 phases x 3 states) decode+check: {dec:,.0f} frames/s")
    print(f"SPAT ({len(data)} B) encode (constraints checked): {enc:,.0f} frames/s")


def bench_bridge(seconds: float) -> None:
    rsus = [Rsu(f"R{i}", 200.0 * i, 0.0, signal_ids=("s1", "s2")) for i in range(4)]
    bridge = V2XBridge(rsus, GeoFrame(), ChannelModel(latency_s=0.02, loss_probability=0.05), 0)
    ents = {f"v{i}": EntityState(f"v{i}", EntityKind.VEHICLE, Pose(10.0 * i, 0.0), speed=10.0)
            for i in range(20)}
    sig = {"s1": SignalState("s1", SignalColor.GREEN, 9.0, 1),
           "s2": SignalState("s2", SignalColor.RED, 9.0, 2)}
    k = [0]

    def step():
        bridge.step(WorldState(k[0] * 0.05, ents, sig), "v0")
        bridge.drain_events()
        k[0] += 1
    rate = _rate(step, seconds)
    print(f"bridge step (4 RSUs, 20 entities, SPAT+RSM 10 Hz, MAP none): {rate:,.0f} steps/s "
          f"({1000.0 / rate:.2f} ms/step)")


def bench_zmq(frames: int) -> None:
    data = bytes.fromhex(REF.read_text().strip())
    with Publisher("tcp://127.0.0.1:*") as pub, Subscriber(pub.endpoint) as sub:
        while sub.receive(0.0) is None:          # wait for the subscription to be live
            pub.publish("SPAT", "warm", time.perf_counter(), data)
            time.sleep(0.005)
        while sub.receive(0.05) is not None:
            pass
        lat = []
        for _ in range(frames):
            pub.publish("SPAT", "R", time.perf_counter(), data)
            f = sub.receive(1.0)
            if f is not None:
                lat.append(time.perf_counter() - f.sim_t)
    lat.sort()
    p99 = lat[int(0.99 * (len(lat) - 1))]
    print(f"ZeroMQ tcp loopback PUB->SUB, {len(data)} B + header, {len(lat)} frames: "
          f"median {statistics.median(lat) * 1e6:.0f} us, p99 {p99 * 1e6:.0f} us")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--frames", type=int, default=2000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    codec.compiled.cache_clear()
    codec.compiled()
    print(f"ASN.1 compile (first use per process): {time.perf_counter() - t0:.2f} s")
    bench_codec(args.seconds)
    bench_bridge(args.seconds)
    bench_zmq(args.frames)


if __name__ == "__main__":
    main()
