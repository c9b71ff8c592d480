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
     "description": "text",       # ASCII <= 512 characters, or Chinese (GB 2312, <= 512 bytes)
     "rsi_class": "urgent",       # urgent | event | info broadcast period (optional)
     "path": [[x, y], ...], "path_radius_m": 5.0,   # reference path, >= 2 points (optional)
     "rteId": 7, "rsu_id": "RSU-S1-02"}             # (optional) event id, announcing RSU

Every RSU whose communication range covers the event position announces it (or only
``rsu_id``); an event out of every RSU's range is announced by none. Unknown command types are
ignored (:func:`apply_command` returns False). Content is data only: it is parsed as JSON,
never evaluated or executed.
"""

from __future__ import annotations

import math
import zlib
from pathlib import Path
from typing import Any, Mapping

from maps.summary import rsu_path
from testzone.commands import CommandContext, register_command_check
from testzone.world import WorldState
from v2x_bridge import fields
from v2x_bridge.context import RsiEvent
from testzone.userfiles import UserJsonError, is_finite_number, parse_user_json, shown
from v2x_bridge.errors import V2XError
from v2x_bridge.rsi import description_choice
from v2x_bridge.rsu import load_rsu_layout

RSI_COMMAND = "V2X.RSI"
_ELEMENT = "CustomCommandAction[type=V2X.RSI]"


#: The fields of a V2X.RSI content and what each must be (checked by :func:`rsi_fields`).
RSI_FIELDS = ("eventType", "x", "y", "entity", "radius_m", "priority", "duration_s",
              "description", "rsi_class", "path", "path_radius_m", "rteId", "rsu_id")
MAX_COORDINATE_M = 1e6
"""Largest |x|, |y| [m] of an event or path point (a map frame spans kilometres, not more)."""
RSI_CLASSES = ("urgent", "event", "info")
MAX_RADIUS_M = 6553.5
"""Largest event / path radius [m] (DE_Radius: 0..65535 in units of 0.1 m)."""
MAX_PATH_POINTS = 32
"""Most points of a reference path (DF_ReferencePath: PathPointList SIZE(2..32))."""
MAX_DURATION_S = 527040 * 60.0
"""Longest announced duration [s]: a year, the span of MinuteOfTheYear (0..527039 min) in
which RSITimeDetails gives the event's end (1e12 s overflowed the clock's date)."""


def _content(content: Any) -> Mapping[str, Any]:
    if isinstance(content, Mapping):
        return content
    try:
        doc = parse_user_json(str(content))
    except UserJsonError as exc:
        raise V2XError(f"content is not a JSON object ({exc.reason}); expected an object "
                       f"like {{\"eventType\": 100, \"x\": 0, \"y\": 0}}",
                       element=_ELEMENT) from None
    if not isinstance(doc, dict):
        raise V2XError("content must be a JSON object", element=_ELEMENT)
    unknown = sorted(str(k) for k in doc if k not in RSI_FIELDS)
    if unknown:
        raise V2XError(f"unknown field(s) {unknown}; expected some of {list(RSI_FIELDS)}",
                       element=_ELEMENT)
    return doc


def _number(doc: Mapping[str, Any], key: str, default: float | None = None,
            low: float = -math.inf, high: float = math.inf) -> float | None:
    v = doc.get(key, default)
    if v is None:
        return None
    if not is_finite_number(v, 1e15) or not low <= v <= high:
        raise V2XError(f"'{key}' must be a finite number in [{low:g}, {high:g}], got "
                       f"{shown(v)}", element=_ELEMENT)
    return float(v)


def _integer(doc: Mapping[str, Any], key: str, low: int, high: int) -> int | None:
    v = doc.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
        raise V2XError(f"'{key}' must be an integer in [{low}, {high}], got {shown(v)}",
                       element=_ELEMENT)
    return v


def _text(doc: Mapping[str, Any], key: str) -> str | None:
    v = doc.get(key)
    if v is not None and not isinstance(v, str):
        raise V2XError(f"'{key}' must be a string, got {shown(v)}", element=_ELEMENT)
    return v


def rsi_fields(content: Any) -> dict[str, Any]:
    """The fields of a ``V2X.RSI`` content, checked without a world (types, ranges, names), so
    a scenario can be refused before it runs.

    Returns:
        the content as a dict (numbers as given).

    Raises:
        V2XError: not a JSON object, an unknown field, or a field of the wrong type or out of
            range (``element`` names the command): eventType 0..65535 (GB/T 29100 code,
            required); x, y within 1e6 m (or ``entity``); radius_m, path_radius_m in
            0..6553.5 m (Radius, 0.1 m units); path of 2..32 [x, y] points; priority 0..7;
            duration_s > 0 s, at most a year (:data:`MAX_DURATION_S`); rteId 0..255; rsi_class urgent|event|info; description ASCII
            (<= 512 characters) or GB 2312 text (<= 512 bytes).
    """
    doc = dict(_content(content))
    if _integer(doc, "eventType", 0, 65535) is None:
        raise V2XError("'eventType' (GB/T 29100-2012 code, 0..65535) is required",
                       element=_ELEMENT)
    if _text(doc, "entity") is None:
        for key in ("x", "y"):
            if _number(doc, key, low=-MAX_COORDINATE_M, high=MAX_COORDINATE_M) is None:
                raise V2XError("give the event position as 'x' and 'y' [m] or 'entity'",
                               element=_ELEMENT)
    _number(doc, "radius_m", low=0.0, high=MAX_RADIUS_M)
    _number(doc, "path_radius_m", low=0.0, high=MAX_RADIUS_M)
    _integer(doc, "priority", 0, 7)
    if _number(doc, "duration_s", low=0.0, high=MAX_DURATION_S) == 0.0:
        raise V2XError("'duration_s' must be > 0 s (leave it out for an open-ended event)",
                       element=_ELEMENT)
    _integer(doc, "rteId", 0, 255)
    _text(doc, "rsu_id")
    rsi_class = _text(doc, "rsi_class")
    if rsi_class is not None and rsi_class not in RSI_CLASSES:
        raise V2XError(f"'rsi_class' must be one of {list(RSI_CLASSES)}, got "
                       f"{shown(rsi_class)}", element=_ELEMENT)
    desc = _text(doc, "description")
    if desc:
        try:
            description_choice(desc)
        except V2XError as exc:
            raise V2XError(f"'description': {exc.message}", element=_ELEMENT) from None
    path = doc.get("path")
    if path is not None:
        if not isinstance(path, list) or not 2 <= len(path) <= MAX_PATH_POINTS or any(
                not isinstance(p, list) or len(p) != 2
                or not all(is_finite_number(c, MAX_COORDINATE_M) for c in p) for p in path):
            raise V2XError(f"'path' must be a list of 2..{MAX_PATH_POINTS} [x, y] points [m], "
                           f"each within {MAX_COORDINATE_M:g} m", element=_ELEMENT)
    return doc


def _position(doc: Mapping[str, Any], world: WorldState) -> tuple[float, float]:
    if doc.get("entity") is not None:
        entity = world.entities.get(str(doc["entity"]))
        if entity is None:
            raise V2XError(f"entity {doc['entity']!r} is not in the world, expected one of "
                           f"{sorted(world.entities)}", element=_ELEMENT)
        return fields.box_centre(entity)
    return float(doc["x"]), float(doc["y"])


def rsi_event(content: Any, world: WorldState) -> RsiEvent:
    """The :class:`RsiEvent` a ``V2X.RSI`` command describes, starting at ``world.time``.

    Raises:
        V2XError: bad content (:func:`rsi_fields`), or an unknown entity (``element`` names
            the command).
    """
    doc = rsi_fields(content)
    etype = doc["eventType"]
    x, y = _position(doc, world)
    t = world.time
    duration = _number(doc, "duration_s")
    rte_id = doc.get("rteId")
    if rte_id is None:
        rte_id = zlib.crc32(f"{t:.3f}:{x:.2f}:{y:.2f}:{etype}".encode("ascii")) % 256
    path = tuple((float(p[0]), float(p[1])) for p in doc.get("path") or ())
    return RsiEvent(rte_id=int(rte_id), event_type=etype, x=x, y=y,
                    radius_m=_number(doc, "radius_m"), t_start=t,
                    t_end=None if duration is None else t + duration,
                    priority=int(doc.get("priority") or 0), rsi_class=doc.get("rsi_class"),
                    path=path, path_radius_m=_number(doc, "path_radius_m", 0.0) or 0.0,
                    description=doc.get("description"), rsu_id=doc.get("rsu_id"))


def check_rsi_content(content: Any, entities: Any = None, rsu_ids: Any = None
                      ) -> Mapping[str, Any]:
    """:func:`rsi_fields` of a ``V2X.RSI`` content, and its references: an ``entity`` among
    ``entities`` (the scenario's entity names) and an ``rsu_id`` among ``rsu_ids`` (the ids of
    the RSU layout beside the map; empty: the map has none), each when given (None: not
    checked). Returns the fields.

    Raises:
        V2XError: bad content, an unknown entity or an unknown RSU (``element`` names the
            command; the caller adds the file and line).
    """
    doc = rsi_fields(content)
    name = doc.get("entity")
    if entities is not None and name is not None and name not in entities:
        raise V2XError(f"entity {name!r} is not in the scenario, expected one of "
                       f"{sorted(entities)}", element=_ELEMENT)
    rsu = doc.get("rsu_id")
    if rsu_ids is not None and rsu is not None and rsu not in rsu_ids:
        more = f" and {len(rsu_ids) - 10} more" if len(rsu_ids) > 10 else ""
        known = (f"expected one of {sorted(rsu_ids)[:10]}{more}" if rsu_ids else
                 "the map has no RSU layout (<map>.rsu.json, docs/v2x.md)")
        raise V2XError(f"rsu_id {shown(rsu)} is not an RSU of the map's layout: {known}",
                       element=_ELEMENT)
    return doc


def check_commands(actions: Any, source: str | None = None,
                   entities: Any = None, rsu_ids: Any = None) -> None:
    """Check every ``V2X.RSI`` CustomCommandAction among ``actions`` (ActionDefs, e.g.
    ``scenario.storyboard.actions()``) before the run (:func:`check_rsi_content`).

    Raises:
        V2XError: the first bad content, naming ``source`` (the scenario file) and the
            action's line.
    """
    for a in actions:
        spec = a.spec
        if getattr(spec, "ELEMENT", None) != "CustomCommandAction" or spec.type != RSI_COMMAND:
            continue
        try:
            check_rsi_content(spec.content, entities, rsu_ids)
        except V2XError as exc:
            raise V2XError(exc.message, file=source, line=a.line, element=_ELEMENT) from None


def _layout_rsus(road_network: str | Path) -> tuple:
    """The RSUs of the layout beside the map ``road_network`` (:func:`maps.summary.rsu_path`);
    empty when there is no layout. Raises V2XError when the layout file is bad (naming it)."""
    layout = rsu_path(road_network)
    return tuple(load_rsu_layout(layout).rsus) if layout.exists() else ()


def layout_rsu_ids(road_network: str | Path) -> frozenset[str]:
    """The RSU ids of the layout beside the map ``road_network``
    (:func:`maps.summary.rsu_path`); empty when there is no layout.

    Raises:
        V2XError: the layout file is bad (naming it).
    """
    return frozenset(r.id for r in _layout_rsus(road_network))


def _check_rsi(content: str, context: CommandContext) -> str | None:
    """The ``V2X.RSI`` check ``testzone scenario check`` asks (:mod:`testzone.commands`): the
    content and its references (:func:`check_rsi_content`), and a warning when the event sits
    at a fixed point no RSU of the layout covers (no ``rsu_id``: an RSI is sent by the RSUs
    within whose range it lies, :class:`V2XBridge`): it is never sent (author pass 16: a work
    zone out of range was dropped without a word, its response criterion "not applicable")."""
    known = context.road_network is not None
    rsus = _layout_rsus(context.road_network) if known else ()
    doc = check_rsi_content(content, context.entities,
                            frozenset(r.id for r in rsus) if known else None)
    if not rsus or doc.get("rsu_id") is not None or doc.get("entity") is not None:
        return None
    x, y = float(doc["x"]), float(doc["y"])
    if any(r.distance(x, y) <= r.range_m for r in rsus):   # as V2XBridge sends it
        return None
    nearest = min(rsus, key=lambda r: r.distance(x, y))
    return (f"the RSI at ({x:g}, {y:g}) lies in no RSU's range, so no RSU sends it (nearest: "
            f"{nearest.id}, {nearest.distance(x, y):.0f} m away, range {nearest.range_m:g} m); "
            f"give 'rsu_id' or a position an RSU covers")


register_command_check(RSI_COMMAND, _check_rsi)  # `testzone scenario check` asks it


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
