"""Host a Python :class:`runners.interfaces.Agent` behind the ZeroMQ agent protocol.

``python -m runners.agent_host --agent SPEC --bind ENDPOINT`` serves one agent (a reference
name, ``module:Class`` or ``file.py:Class``) on a REP socket until it is told to close. The
runner starts it for Python stacks, so a stack that crashes or hangs never takes the runner
with it; an exception inside the agent is answered as ``{"type": "error"}``. A host whose
runner has gone (killed with SIGKILL) notices within a second and exits.

``python -m runners.agent_host --agent SPEC --check`` only imports the class and prints
:data:`runners.agents.CHECK_OK` (exit 0) or the reason it does not load (exit 2): the run's
check of ``--agent``, kept out of the runner's process.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from typing import Any

import zmq

from runners.agent_protocol import (PROTOCOL_VERSION, control_to_dict, geo_from_dict,
                                    observation_from_dict, pack, unpack, vehicle_from_dict)
from runners.agents import CHECK_OK, STACK_FILE, _load_class, load_agent, stack_source_files
from runners.interfaces import Agent, Control, RunnerError


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
        agent.geo_frame = geo_from_dict(msg.get("geo"))
        digest = msg.get("map_sha256")        # the map's SHA-256, as a stack elsewhere gets it
        agent.map_sha256 = digest if isinstance(digest, str) else None
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


def serve(spec: str, endpoint: str, runner_pid: int | None = None) -> None:
    """Serve the agent ``spec`` on ``endpoint`` until a ``close`` request. An agent that cannot
    be loaded or built (its module or ``__init__`` raises) answers the first request with
    that error, then the host exits: the runner reports the cause. While it waits for a
    request it checks every :data:`PARENT_CHECK_MS` that its parent is still ``runner_pid``
    (default: the parent it started with), and returns when it is not."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REP)
    sock.bind(endpoint)
    try:
        agent, failed = load_agent(spec), None
    except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt included
        agent, failed = None, _last_line(exc)
    parent = runner_pid if runner_pid is not None else os.getppid()
    try:
        while True:
            while not sock.poll(PARENT_CHECK_MS):
                if os.getppid() != parent:  # the runner is gone: nobody will say close
                    return
            msg = unpack(sock.recv())
            if agent is None:
                sock.send(pack({"type": "error", "message": f"cannot load {spec}: {failed}"}))
                break
            try:
                reply = handle(agent, msg)
            except BaseException as exc:  # noqa: BLE001 - reported to the runner as an error
                reply = {"type": "error", "message": _last_line(exc)}
                traceback.print_exc(file=sys.stderr)  # the stack's own lines, to agent.log
                sys.stderr.flush()
            try:
                data = pack(reply)
            except (TypeError, ValueError, OverflowError) as exc:  # msgpack cannot carry it
                reply = {"type": "error", "message": f"cannot send the {reply.get('type')} "
                         f"reply: {_last_line(exc)} (expected floats, ints and str)"}
                data = pack(reply)
            sock.send(data)
            if reply["type"] == "bye":
                break
    finally:
        sock.close(0)
        ctx.term()


#: How often a waiting host checks that its runner is still there [ms].
PARENT_CHECK_MS = 1000


def check(spec: str) -> int:
    """Import ``spec``'s class; print the source files of the stack's own modules (one
    :data:`STACK_FILE` line each) and :data:`CHECK_OK`, or the reason it does not load as
    the last line. Returns the exit status (0 or 2)."""
    before = set(sys.modules)
    try:
        _load_class(spec)
    except RunnerError as exc:
        print(exc.message, flush=True)
        return 2
    except BaseException as exc:  # noqa: BLE001 - the agent's import may raise anything
        print(f"agent {spec} cannot be imported: {_last_line(exc)}", flush=True)
        return 2
    for path in stack_source_files(set(sys.modules) - before):
        print(f"{STACK_FILE}{path}")
    print(CHECK_OK, flush=True)
    return 0


def _last_line(exc: BaseException) -> str:
    """The exception as Python prints its last line (``RuntimeError: boom``); characters
    UTF-8 cannot carry (a lone surrogate) as escapes, so the message can be sent."""
    line = traceback.format_exception_only(exc)[-1].strip() or type(exc).__name__
    return line.encode("utf-8", "backslashreplace").decode("utf-8")


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--agent", required=True)
    ap.add_argument("--bind")
    ap.add_argument("--runner-pid", type=int, help="exit when this process is gone")
    ap.add_argument("--check", action="store_true", help="only check that the class loads")
    args = ap.parse_args()
    if args.check:
        sys.exit(check(args.agent))
    if not args.bind:
        ap.error("--bind is required unless --check is given")
    serve(args.agent, args.bind, args.runner_pid)


if __name__ == "__main__":
    main()
