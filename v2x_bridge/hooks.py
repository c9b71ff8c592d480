"""Scenario -> V2X hooks: OpenSCENARIO ``CustomCommandAction``s that drive the bridge.

The scenario engine reports a ``CustomCommandAction`` (also inside a ``UserDefinedAction``) as
``Event(t, "custom_command", {"type": ..., "content": ...})``; the runner hands each one to
:func:`apply_command` right after the engine step that fired it. OpenSCENARIO 1.x leaves the
meaning of ``type`` and ``content`` to the simulator (ASAM OpenSCENARIO 1.2, CustomCommandAction:
"a command to the simulator"); ours are:

``type="V2X.RSI"`` -- an RSU starts announcing a road traffic event (RSI, YD/T 3709-2020
DF_RTEData). ``content`` is a JSON object (text or already parsed)::

    {"eventType": 100,            # GB/T 29100-2012 traffic-event code, 0..65535 (required)
     "x": 440.0, "y": -5.25,      # event position in the map frame [m], or instead
     "entity": "Stopped",         #   the entity whose box centre marks it (at command time)
     "radius_m": 30.0,            # event radius [m] (optional)
     "priority": 5,               # 0..7 (optional, default 0)
     "duration_s": 60.0,          # announced from now for this long [s] (optional: open-ended)
     "description": "text",       # ASCII, <= 512 characters (optional)
     "rsi_class": "urgent",       # urgent | event | info broadcast period (optional)
     "path": [[x, y], ...], "path_radius_m": 5.0,   # reference path, >= 2 points (optional)
     "rteId": 7, "rsu_id": "RSU-S1-02"}             # (optional) event id, announcing RSU

Every RSU whose communication range covers the event position announces it (or only
``rsu_id``); an event out of every RSU's range is announced by none. Unknown command types are
ignored (:func:`apply_command` returns False). Content is data only: it is parsed as JSON,
never evaluated or executed.
"""

from __future__ import annotations

import json
import math
import zlib
from typing import Any, Mapping

from testzone.world import WorldState
from v2x_bridge import fields
from v2x_bridge.context import RsiEvent
from v2x_bridge.errors import V2XError

RSI_COMMAND = "V2X.RSI"
_ELEMENT = "CustomCommandAction[type=V2X.RSI]"


def _content(content: Any) -> Mapping[str, Any]:
    if isinstance(content, Mapping):
        return content
    try:
        doc = json.loads(str(content))
    except json.JSONDecodeError as exc:
        raise V2XError(f"content is not JSON ({exc.msg} at column {exc.colno}); expected an "
                       f"object like {{\"eventType\": 100, \"x\": 0, \"y\": 0}}",
                       element=_ELEMENT) from None
    if not isinstance(doc, dict):
        raise V2XError("content must be a JSON object", element=_ELEMENT)
    return doc


def _number(doc: Mapping[str, Any], key: str, default: float | None = None) -> float | None:
    v = doc.get(key, default)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise V2XError(f"'{key}' must be a finite number, got {v!r}", element=_ELEMENT)
    return float(v)


def _position(doc: Mapping[str, Any], world: WorldState) -> tuple[float, float]:
    if "entity" in doc:
        entity = world.entities.get(str(doc["entity"]))
        if entity is None:
            raise V2XError(f"entity {doc['entity']!r} is not in the world, expected one of "
                           f"{sorted(world.entities)}", element=_ELEMENT)
        return fields.box_centre(entity)
    x, y = _number(doc, "x"), _number(doc, "y")
    if x is None or y is None:
        raise V2XError("give the event position as 'x' and 'y' [m] or 'entity'",
                       element=_ELEMENT)
    return x, y


def rsi_event(content: Any, world: WorldState) -> RsiEvent:
    """The :class:`RsiEvent` a ``V2X.RSI`` command describes, starting at ``world.time``.

    Raises:
        V2XError: content not a JSON object, missing/ill-typed field, unknown entity
            (``element`` names the command).
    """
    doc = _content(content)
    etype = doc.get("eventType")
    if isinstance(etype, bool) or not isinstance(etype, int):
        raise V2XError(f"'eventType' must be an integer (GB/T 29100-2012 code), got {etype!r}",
                       element=_ELEMENT)
    x, y = _position(doc, world)
    t = world.time
    duration = _number(doc, "duration_s")
    rte_id = doc.get("rteId")
    if rte_id is None:
        rte_id = zlib.crc32(f"{t:.3f}:{x:.2f}:{y:.2f}:{etype}".encode("ascii")) % 256
    path = doc.get("path") or ()
    try:
        path = tuple((float(p[0]), float(p[1])) for p in path)
    except (TypeError, ValueError, IndexError):
        raise V2XError("'path' must be a list of [x, y] points [m]", element=_ELEMENT) from None
    desc = doc.get("description")
    return RsiEvent(rte_id=int(rte_id), event_type=etype, x=x, y=y,
                    radius_m=_number(doc, "radius_m"), t_start=t,
                    t_end=None if duration is None else t + duration,
                    priority=int(doc.get("priority", 0)), rsi_class=doc.get("rsi_class"),
                    path=path, path_radius_m=_number(doc, "path_radius_m", 0.0) or 0.0,
                    description=None if desc is None else str(desc),
                    rsu_id=doc.get("rsu_id"))


def apply_command(bridge: Any, type: str, content: Any, world: WorldState) -> bool:
    """Apply one scenario custom command to ``bridge`` (a :class:`V2XBridge`).

    Args:
        type: the CustomCommandAction ``type``. content: its ``content`` (JSON text or dict).
        world: the world state at the step that fired the command.

    Returns:
        True when the command was a V2X command and was applied; False for other types.

    Raises:
        V2XError: a V2X command with bad content (see :func:`rsi_event`), or an event the
            bridge refuses (unknown ``rsi_class`` or ``rsu_id``).
    """
    if type != RSI_COMMAND:
        return False
    bridge.add_rsi_event(rsi_event(content, world))
    return True
