"""The lockstep agent protocol over ZeroMQ REQ/REP: messages and their encoding.

The runner is the REQ side, the stack under test the REP side. Every message is one msgpack
map (``docs/agent-protocol.md`` gives the full schema); floats are IEEE doubles, so a Python
agent behind the protocol sees exactly what it would see in-process.

    runner -> stack                         stack -> runner
    {"type": "hello", "protocol": 1}        {"type": "hello", "protocol": 1, "name", "version"}
    {"type": "setup", "vehicle", "map_file", "config"}   {"type": "ready"}
    {"type": "step", "obs": {...}}          {"type": "control", "control": {...}}
    {"type": "close"}                       {"type": "bye"}
    any request                             {"type": "error", "message": "..."}
"""

from __future__ import annotations

import json

import numbers

from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any

import msgpack

from testzone.world import (BoundingBox, EntityKind, EntityState, LaneCoord, Pose, SignalColor,
                            SignalState)

from runners.interfaces import AgentError, Control, Observation, V2XReceived, VehicleSpec

if TYPE_CHECKING:
    from v2x_bridge.geo import GeoFrame

PROTOCOL_VERSION = 1
#: Largest message the runner reads from a stack [bytes]: ZeroMQ drops the connection of a
#: peer sending more (``ZMQ_MAXMSGSIZE``), so a runaway stack cannot exhaust the runner's
#: memory; its step then misses the deadline.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def pack(msg: dict[str, Any]) -> bytes:
    """Encode one protocol message (msgpack, binary strings kept as bytes)."""
    return msgpack.packb(msg, use_bin_type=True)


def unpack(data: bytes) -> dict[str, Any]:
    """Decode one protocol message.

    Raises:
        AgentError: the bytes are not a msgpack map with a ``type`` field.
    """
    try:
        msg = msgpack.unpackb(data, raw=False, strict_map_key=False)
    except (ValueError, TypeError, msgpack.ExtraData, msgpack.FormatError,
            msgpack.StackError) as exc:  # TypeError: a map or array used as a map key
        if _json_text(data):
            raise AgentError("agent sent JSON text, not msgpack: every message is one map "
                             "encoded with msgpack (docs/agent-protocol.md)") from None
        raise AgentError(f"agent sent a message that is not a protocol msgpack map "
                         f"({type(exc).__name__}: {exc})") from None
    if not isinstance(msg, dict):
        kind = {str: "string", bytes: "binary", list: "array", int: "integer",
                float: "float", bool: "boolean"}.get(type(msg), type(msg).__name__)
        hint = (": it holds JSON text; send the map itself, msgpack-encoded"
                if isinstance(msg, str) and _json_text(msg.encode("utf-8", "replace")) else "")
        raise AgentError(f"agent sent a msgpack {kind}, not a map{hint} "
                         f"(docs/agent-protocol.md)")
    if "type" not in msg:
        raise AgentError("agent sent a message without a 'type' field")
    return msg


def _json_text(data: bytes) -> bool:
    """Whether ``data`` is a JSON object or array as text (a stack that sent JSON)."""
    text = data.strip()
    if text[:1] not in (b"{", b"["):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def entity_to_dict(e: EntityState) -> dict[str, Any]:
    """EntityState -> plain dict (units as in :class:`testzone.world.EntityState`)."""
    d = asdict(e)
    d["kind"] = e.kind.value
    return d


def entity_from_dict(d: dict[str, Any]) -> EntityState:
    """Inverse of :func:`entity_to_dict`."""
    return EntityState(
        name=d["name"], kind=EntityKind(d["kind"]), pose=Pose(**d["pose"]), speed=d["speed"],
        acceleration=d["acceleration"], yaw_rate=d["yaw_rate"], box=BoundingBox(**d["box"]),
        lane=LaneCoord(**d["lane"]) if d.get("lane") else None, steering=d["steering"],
        category=d["category"], visible=d["visible"], role=d.get("role", "none"),
        lights=tuple(d.get("lights", ())))


def observation_to_dict(obs: Observation) -> dict[str, Any]:
    """Observation -> plain dict; V2X payloads stay bytes (msgpack bin)."""
    return {
        "time": obs.time, "ego": entity_to_dict(obs.ego),
        "objects": [entity_to_dict(o) for o in obs.objects],
        "signals": {k: {"color": s.color.value, "time_to_change": s.time_to_change,
                        "phase_id": s.phase_id, "flashing": s.flashing}
                    for k, s in obs.signals.items()},
        "v2x": [{"msg_type": m.msg_type, "sender": m.sender, "sent_t": m.sent_t,
                 "recv_t": m.recv_t, "uper": bytes(m.uper), "decoded": _plain(m.decoded)}
                for m in obs.v2x],
        "speed_limit": obs.speed_limit,
        "speed_limit_ahead": [[d, v] for d, v in obs.speed_limit_ahead],
        "route": [asdict(w) for w in obs.route],
        "environment": obs.environment,
    }


def _plain(v: Any) -> Any:
    """asn1tools values -> msgpack-friendly values (tuples become lists)."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def observation_from_dict(d: dict[str, Any]) -> Observation:
    """Inverse of :func:`observation_to_dict` (V2X ``decoded`` values come back as lists)."""
    from runners.interfaces import RouteWaypoint
    return Observation(
        time=d["time"], ego=entity_from_dict(d["ego"]),
        objects=tuple(entity_from_dict(o) for o in d["objects"]),
        signals={k: SignalState(k, SignalColor(s["color"]), s["time_to_change"], s["phase_id"],
                                flashing=bool(s.get("flashing", False)))
                 for k, s in d["signals"].items()},
        v2x=tuple(V2XReceived(**m) for m in d["v2x"]), speed_limit=d["speed_limit"],
        speed_limit_ahead=tuple((float(a), float(b)) for a, b in d.get("speed_limit_ahead", ())),
        route=tuple(RouteWaypoint(**w) for w in d["route"]), environment=d["environment"])


def geo_to_dict(frame: Any) -> dict[str, Any]:
    """``setup``'s ``geo``: ``{"proj": PROJ string, "offset": [x, y, z [m], hdg [rad]]}`` of a
    ``v2x_bridge.GeoFrame`` (docs/agent-protocol.md, "From latitude/longitude to the map
    frame")."""
    return {"proj": str(frame.proj), "offset": [float(v) for v in frame.offset]}


def geo_from_dict(d: Any) -> GeoFrame | None:
    """Inverse of :func:`geo_to_dict`: a ``v2x_bridge.GeoFrame``, or None for anything but a
    map with a non-empty ``proj``.

    Raises:
        V2XError: the PROJ string is not understood (``v2x_bridge.GeoFrame``).
    """
    if not isinstance(d, dict) or not d.get("proj"):
        return None
    from v2x_bridge import GeoFrame
    offset = d.get("offset")
    return GeoFrame(str(d["proj"]), tuple(offset)) if offset else GeoFrame(str(d["proj"]))


def control_to_dict(c: Control) -> dict[str, Any]:
    """Control -> plain dict; real numbers of other types (numpy's float32, an int) become
    Python floats, so a stack's numpy arithmetic goes over the wire. Anything else is left
    as it is (the host then reports that it cannot send it)."""
    return {k: float(v) if isinstance(v, numbers.Real) and not isinstance(v, bool) else v
            for k, v in asdict(c).items()}


KINEMATIC_FIELDS = ("acceleration", "steering")
"""The fields of a control in kinematic form (``acceleration`` a number)."""
ACTUATOR_FIELDS = ("throttle", "brake", "steer")
"""The fields of a control in actuator form (``acceleration`` nil or absent)."""


def control_from_dict(d: Any) -> Control:
    """Plain dict -> Control: every field of its form given (kinematic: ``acceleration`` and
    ``steering``; actuator: ``throttle``, ``brake`` and ``steer``); a field of the other form
    may be sent only as 0 (or nil), as :func:`control_to_dict` sends them.

    Automaker pass 16: ``{}`` drove on at the last speed (missing fields were 0) and the case
    became the stack's collision; ``throttle 0.5`` beside an ``acceleration`` was ignored.

    Raises:
        AgentError: not a map, an unknown or missing field, a value that is not a number, or
            a non-zero field of the other form.
    """
    if d is None:
        raise AgentError("the reply has no 'control' map")
    if not isinstance(d, dict):
        raise AgentError(f"control must be a map, got {type(d).__name__}")
    known = {f.name for f in fields(Control)}
    unknown = set(d) - known
    if unknown:
        names = ", ".join(repr(k) for k in sorted(map(str, unknown)))
        raise AgentError(f"control has unknown fields {names}; expected only "
                         f"{', '.join(sorted(known))}")
    for k, v in d.items():
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise AgentError(f"control field {k!r} is {v!r}, expected a number")
    kinematic = d.get("acceleration") is not None
    own, other = (KINEMATIC_FIELDS, ACTUATOR_FIELDS) if kinematic else \
        (ACTUATOR_FIELDS, ("steering",))
    form = "kinematic" if kinematic else "actuator"
    missing = [k for k in own if k not in d]
    if missing:
        raise AgentError(f"control in {form} form lacks {', '.join(map(repr, missing))}; "
                         f"expected {', '.join(own)}")
    mixed = [k for k in other if d.get(k) not in (None, 0)]
    if mixed:
        raise AgentError(f"control in {form} form also sets {', '.join(map(repr, mixed))} "
                         f"(the other form's fields, which would be ignored): send one form")
    # the other form's fields sent as nil take Control's defaults (0), as the docs allow
    return Control(**{k: (float(v) if v is not None else None) for k, v in d.items()
                      if v is not None or k == "acceleration" or k in own})


def vehicle_to_dict(v: VehicleSpec) -> dict[str, Any]:
    """VehicleSpec -> plain dict."""
    return asdict(v)


def vehicle_from_dict(d: dict[str, Any]) -> VehicleSpec:
    """Plain dict -> VehicleSpec."""
    return VehicleSpec(**d)
