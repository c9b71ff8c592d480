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

import msgpack
import zmq

PROTOCOL = 1


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


def serve(endpoint: str, name: str = "example-zmq-client", version: str = "1.0") -> None:
    """Answer protocol requests on ``endpoint`` until a close request, then return.

    A ``hello`` starts a case and its session; a request of another session (a second run
    pointed at this stack) is refused with an error, and every reply names the session
    served (docs/agent-protocol.md, "Sessions")."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REP)
    sock.bind(endpoint)
    session = None
    while True:
        msg = msgpack.unpackb(sock.recv(), raw=False)
        typ = msg["type"]
        if typ == "hello":
            session = msg.get("session")
            reply = {"type": "hello", "protocol": PROTOCOL, "name": name, "version": version}
        elif msg.get("session") != session:
            reply = {"type": "error", "message": f"busy: serving session {session}, not "
                                                 f"{msg.get('session')} (one run at a time)"}
        elif typ == "setup":
            reply = {"type": "ready"}
        elif typ == "step":
            reply = {"type": "control", "control": drive(msg["obs"])}
        elif typ == "close":
            reply = {"type": "bye"}
        else:
            reply = {"type": "error", "message": f"unknown request {typ!r}"}
        if session is not None:
            reply["session"] = session
        sock.send(msgpack.packb(reply, use_bin_type=True))
        if reply["type"] == "bye":     # this case's close (not another session's)
            sock.close(0)
            ctx.term()
            return


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="reference ZeroMQ stack for icv-testzone")
    ap.add_argument("--bind", default="tcp://127.0.0.1:5599")
    ap.add_argument("--cases", type=int, default=0, help="serve this many cases then exit (0: forever)")
    args = ap.parse_args()
    n = 0
    while args.cases == 0 or n < args.cases:
        serve(args.bind)
        n += 1
