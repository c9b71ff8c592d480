"""A reference stack speaking the icv-testzone agent protocol over ZeroMQ (REP side).

Run it, then point a run at it:

    .venv/bin/python examples/zmq_client.py --bind tcp://127.0.0.1:5599 &
    .venv/bin/testzone run --suite smoke --agent zmq://127.0.0.1:5599

It needs only pyzmq and msgpack (installed in the project's .venv; elsewhere
`pip install pyzmq msgpack`; any language with ZeroMQ and msgpack can do the same; the
schema is in docs/agent-protocol.md). Its driving is deliberately simple: hold the lane by
steering against its offset from the lane centre, keep the speed limit, brake for any object
less than 40 m ahead within 2 m of its heading line.
"""

from __future__ import annotations

import argparse
import math
import time

import msgpack
import zmq

PROTOCOL = 1
HOLD_S = 5.0
"""How long [s] after the last request of a run another run's hello is refused."""


def drive(obs: dict) -> dict:
    """Return a kinematic control for one observation (see docs/agent-protocol.md)."""
    ego = obs["ego"]
    x, y, h, v = ego["pose"]["x"], ego["pose"]["y"], ego["pose"]["h"], ego["speed"]
    limit = obs.get("speed_limit") or 50 / 3.6
    accel = max(-3.0, min(1.5, 0.5 * (limit - v)))
    for o in obs["objects"]:
        dx, dy = o["pose"]["x"] - x, o["pose"]["y"] - y
        ahead = dx * math.cos(h) + dy * math.sin(h)
        side = -dx * math.sin(h) + dy * math.cos(h)
        if 0 < ahead < 40 and abs(side) < 2.0:
            accel = -6.0
    lane = ego.get("lane")
    # offset is positive left of the road's reference line; lanes with positive ids are
    # driven against it (right-hand traffic, as on Chinese roads), so their driver's left is
    # negative offset
    left_of_centre = (lane["offset"] if lane["lane_id"] < 0 else -lane["offset"]) if lane else 0.0
    steering = -0.5 * left_of_centre  # steer back towards the lane centre
    return {"acceleration": accel, "steering": max(-0.3, min(0.3, steering))}


def serve(endpoint: str, name: str = "example-zmq-client", version: str = "1.0",
          cases: int = 1, hold_s: float = HOLD_S) -> None:
    """Answer protocol requests on ``endpoint`` for ``cases`` cases (0: forever), then return.

    One run at a time (docs/agent-protocol.md, "Sessions"): a ``hello`` of another ``run``
    is refused with a ``busy`` error while the run it serves has sent a request within
    ``hold_s`` [s] (its next case's ``hello`` comes right after the last one's ``close``);
    a ``hello`` of the same run starts a case and its session, whatever came before; a
    request of another session is refused; every reply names the session served."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REP)
    sock.bind(endpoint)
    run = session = None
    last = 0.0                 # monotonic time of the serving run's last request
    done = 0
    while cases == 0 or done < cases:
        msg = msgpack.unpackb(sock.recv(), raw=False)
        typ, now = msg["type"], time.monotonic()
        if typ == "hello" and run is not None and msg.get("run") != run and now - last < hold_s:
            reply = {"type": "error", "message": f"busy: serving run {run} (one run at a time)"}
        elif typ == "hello":
            run, session, last = msg.get("run"), msg.get("session"), now
            reply = {"type": "hello", "protocol": PROTOCOL, "name": name, "version": version}
        elif msg.get("session") != session:
            reply = {"type": "error", "message": f"busy: serving session {session}, not "
                                                 f"{msg.get('session')} (one run at a time)"}
        else:
            last = now
            if typ == "setup":
                reply = {"type": "ready"}
            elif typ == "step":
                reply = {"type": "control", "control": drive(msg["obs"])}
            elif typ == "close":
                reply, done = {"type": "bye"}, done + 1
            else:
                reply = {"type": "error", "message": f"unknown request {typ!r}"}
        if session is not None:
            reply["session"] = session
        sock.send(msgpack.packb(reply, use_bin_type=True))
    sock.close(0)
    ctx.term()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="reference ZeroMQ stack for icv-testzone")
    ap.add_argument("--bind", default="tcp://127.0.0.1:5599")
    ap.add_argument("--cases", type=int, default=0, help="serve this many cases then exit (0: forever)")
    args = ap.parse_args()
    serve(args.bind, cases=args.cases)
