"""Host a Python :class:`runners.interfaces.Agent` behind the ZeroMQ agent protocol.

``python -m runners.agent_host --agent SPEC --bind ENDPOINT`` serves one agent (a reference
name, ``module:Class`` or ``file.py:Class``) on a REP socket until it is told to close. The
runner starts it for Python stacks, so a stack that crashes or hangs never takes the runner
with it; an exception inside the agent is answered as ``{"type": "error"}``.
"""

from __future__ import annotations

import argparse
import traceback
from typing import Any

import zmq

from runners.agent_protocol import (PROTOCOL_VERSION, control_to_dict, observation_from_dict,
                                    pack, unpack, vehicle_from_dict)
from runners.agents import load_agent
from runners.interfaces import Agent, Control


def handle(agent: Agent, msg: dict[str, Any]) -> dict[str, Any]:
    """Answer one protocol request with ``agent``."""
    typ = msg.get("type")
    if typ == "hello":
        return {"type": "hello", "protocol": PROTOCOL_VERSION, "name": agent.name,
                "version": agent.version}
    if typ == "setup":
        net = None
        if msg.get("map_file"):
            from maps import load_opendrive
            net = load_opendrive(msg["map_file"])
        agent.setup(vehicle_from_dict(msg["vehicle"]), net, msg.get("config") or {})
        return {"type": "ready"}
    if typ == "step":
        control = agent.step(observation_from_dict(msg["obs"]))
        if not isinstance(control, Control):
            return {"type": "error", "message": f"step returned {type(control).__name__}, "
                                                f"expected runners.interfaces.Control"}
        return {"type": "control", "control": control_to_dict(control)}
    if typ == "close":
        agent.close()
        return {"type": "bye"}
    return {"type": "error", "message": f"unknown request type {typ!r}"}


def serve(spec: str, endpoint: str) -> None:
    """Serve the agent ``spec`` on ``endpoint`` until a ``close`` request. An agent that cannot
    be loaded or built (its module or ``__init__`` raises) answers the first request with
    that error, then the host exits: the runner reports the cause."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REP)
    sock.bind(endpoint)
    try:
        agent, failed = load_agent(spec), None
    except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt included
        agent, failed = None, _last_line(exc)
    try:
        while True:
            msg = unpack(sock.recv())
            if agent is None:
                sock.send(pack({"type": "error", "message": f"cannot load {spec}: {failed}"}))
                break
            try:
                reply = handle(agent, msg)
            except BaseException as exc:  # noqa: BLE001 - reported to the runner as an error
                reply = {"type": "error", "message": _last_line(exc)}
            sock.send(pack(reply))
            if reply["type"] == "bye":
                break
    finally:
        sock.close(0)
        ctx.term()


def _last_line(exc: BaseException) -> str:
    """The exception as Python prints its last line (``RuntimeError: boom``)."""
    return traceback.format_exception_only(exc)[-1].strip() or type(exc).__name__


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--agent", required=True)
    ap.add_argument("--bind", required=True)
    args = ap.parse_args()
    serve(args.agent, args.bind)


if __name__ == "__main__":
    main()
