"""The recording of one test case: what the runner writes and the evaluator reads.

Format (``recording.jsonl``, one JSON object a line, written as the run goes so a crash loses
nothing already simulated):

* first line ``{"type": "header", ...}``: :class:`RecordingHeader` fields;
* ``{"type": "frame", "t": s, "e": {name: [x, y, z, h, p, r, speed, acc, yaw_rate, steering,
  road_id|null, lane_id|null, s|null, t|null, offset|null, visible]}, "sig": {id: [color,
  time_to_change|null, phase_id|null(, true: a flashing lamp)]}}`` one per simulation step
  (``sig`` only when it changed);
* ``{"type": "event", "t": s, "kind": ..., "data": {...}}`` storyboard transitions (``kind="storyboard"``),
  collisions (``"collision"``), V2X messages (``"v2x"``) and anything else worth a timeline mark;
* last line ``{"type": "end", "t": s, "reason": ..., "message": ...}``; a recording without it was
  cut short (the reader reports ``reason="truncated"``).

Units are SI (m, s, rad, m/s, m/s^2) in the OpenDRIVE inertial frame.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from testzone.errors import TestzoneError
from testzone.userfiles import UserJsonError, parse_user_json
from testzone.world import (BoundingBox, EntityKind, EntityState, LaneCoord, Pose, SignalColor,
                            SignalState, WorldState)

FORMAT_VERSION = 1


class RecordingError(TestzoneError):
    """A recording file is missing, unreadable or not in this format."""


@dataclass(frozen=True)
class EntityInfo:
    """Static description of an entity, written once in the header.

    Attributes:
        kind: vehicle, pedestrian, cyclist or obstacle. category: OpenSCENARIO category.
        box: bounding box. is_ego: True for the vehicle under test.
        max_speed [m/s], max_acceleration [m/s^2], max_deceleration [m/s^2]: Performance limits.
    """

    kind: EntityKind
    category: str
    box: BoundingBox
    is_ego: bool = False
    max_speed: float = 70.0
    max_acceleration: float = 10.0
    max_deceleration: float = 10.0


@dataclass(frozen=True)
class RecordingHeader:
    """What a case was: written first in the recording.

    Attributes:
        case_id: unique id of the test case in its run.
        scenario_file: path of the .xosc. map_file: path of the .xodr (or None).
        ego: name of the vehicle under test (or None when the scenario has none).
        dt: the fixed step [s]. seed: the case's random seed.
        parameters: resolved ParameterDeclarations (name -> value as written).
        entities: static descriptions keyed by entity name.
        criteria: the case's declared criteria (list of dicts, see ``evaluator``).
        agent: the agent's identity as the run knew it before the case started (``spec``);
            its ``name`` and ``version`` come from the stack itself, in the ``agent`` event
            (:meth:`Recording.agent_identity` merges both).
        stop_trigger_defined: the Storyboard's StopTrigger has a condition. False: it is empty
            (``<StopTrigger/>``, which the OpenSCENARIO 1.x XSD allows and ASAM's own examples
            use) and never fires, as in esmini, so the case can only end at its time limit.
    """

    case_id: str
    scenario_file: str
    map_file: str | None
    ego: str | None
    dt: float
    seed: int
    parameters: dict[str, Any] = field(default_factory=dict)
    entities: dict[str, EntityInfo] = field(default_factory=dict)
    criteria: list[dict[str, Any]] = field(default_factory=list)
    agent: dict[str, Any] = field(default_factory=dict)
    stop_trigger_defined: bool = True


@dataclass(frozen=True)
class Event:
    """A timestamped event. ``data`` holds kind-specific fields (all JSON-serialisable)."""

    t: float
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Recording:
    """A whole recording in memory.

    Attributes:
        header: the case description.
        frames: one WorldState per step, in time order.
        events: all events, in time order.
        end_reason: ``stop_trigger``, ``timeout``, ``error``, ``collision`` or ``truncated``.
        end_message: free text (the error and its cause when ``end_reason == "error"``).
    """

    header: RecordingHeader
    frames: list[WorldState] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    end_reason: str = "truncated"
    end_message: str = ""

    def events_of(self, kind: str) -> list[Event]:
        """Return the events of one kind, in time order."""
        return [e for e in self.events if e.kind == kind]

    def agent_identity(self) -> dict[str, Any]:
        """The agent as the header gives it (``spec``) updated with what the stack said of
        itself in its ``agent`` events (``name``, ``version``)."""
        out = dict(self.header.agent or {})
        for e in self.events_of("agent"):
            out.update({k: v for k, v in e.data.items() if v not in (None, "")})
        return out

    def track(self, name: str) -> list[EntityState]:
        """Return the states of one entity over the frames it appears in."""
        return [f.entities[name] for f in self.frames if name in f.entities]

    def ego_road_end(self) -> Event | None:
        """The first ``end_of_road`` event of the vehicle under test (the scenario's default
        controller stopped it at a lane that leads nowhere, as esmini's does), or None."""
        ego = self.header.ego
        return next((e for e in self.events_of("end_of_road")
                     if ego is not None and isinstance(e.data, dict)
                     and e.data.get("entity") == ego), None)


def _num(v: float | None) -> float | None:
    if v is None or not math.isfinite(v):
        return None
    return round(v, 6)


def _encode_entity(e: EntityState) -> list[Any]:
    p = e.pose
    ln = e.lane
    return [_num(p.x), _num(p.y), _num(p.z), _num(p.h), _num(p.p), _num(p.r), _num(e.speed),
            _num(e.acceleration), _num(e.yaw_rate), _num(e.steering),
            ln.road_id if ln else None, ln.lane_id if ln else None,
            _num(ln.s) if ln else None, _num(ln.t) if ln else None,
            _num(ln.offset) if ln else None, e.visible]


def _f(v: Any) -> float:
    return float("nan") if v is None else float(v)


def _decode_entity(name: str, row: list[Any], info: EntityInfo | None) -> EntityState:
    lane = None
    if row[10] is not None:
        lane = LaneCoord(str(row[10]), int(row[11]), _f(row[12]), _f(row[13]), _f(row[14]))
    return EntityState(
        name=name, kind=info.kind if info else EntityKind.VEHICLE,
        pose=Pose(*(_f(v) for v in row[0:6])), speed=_f(row[6]), acceleration=_f(row[7]),
        yaw_rate=_f(row[8]), steering=_f(row[9]), lane=lane, visible=bool(row[15]),
        box=info.box if info else BoundingBox(), category=info.category if info else "car")


def _header_to_json(h: RecordingHeader) -> dict[str, Any]:
    d = asdict(h)
    d["entities"] = {k: {**asdict(v), "kind": v.kind.value} for k, v in h.entities.items()}
    return d


def _header_from_json(d: dict[str, Any]) -> RecordingHeader:
    ents = {}
    for k, v in d.get("entities", {}).items():
        v = dict(v)
        v["kind"] = EntityKind(v["kind"])
        v["box"] = BoundingBox(**v["box"])
        ents[k] = EntityInfo(**v)
    fields = {k: d[k] for k in RecordingHeader.__dataclass_fields__ if k in d}
    fields["entities"] = ents
    return RecordingHeader(**fields)


class RecordingWriter:
    """Streams a recording to ``path`` as it is produced (line-buffered JSON Lines).

    Use as a context manager. A file closed without :meth:`end` has no end line, so readers see
    the run as cut short (``reason="truncated"``).
    """

    def __init__(self, path: str | Path, header: RecordingHeader) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None = self.path.open("w", encoding="utf-8")
        self._last_signals: dict[str, SignalState] | None = None
        self._ended = False
        self._write({"type": "header", "format": FORMAT_VERSION, **_header_to_json(header)})

    def _write(self, obj: dict[str, Any]) -> None:
        assert self._fh is not None, "recording already closed"
        self._fh.write(json.dumps(obj, separators=(",", ":"), allow_nan=False) + "\n")

    def frame(self, world: WorldState) -> None:
        """Append one step's world state."""
        obj: dict[str, Any] = {"type": "frame", "t": round(world.time, 6),
                               "e": {n: _encode_entity(e) for n, e in world.entities.items()}}
        if world.signals != self._last_signals:
            obj["sig"] = {k: [s.color.value, _num(s.time_to_change), s.phase_id]
                          + ([True] if s.flashing else []) for k, s in world.signals.items()}
            self._last_signals = dict(world.signals)
        self._write(obj)

    def event(self, event: Event) -> None:
        """Append one event."""
        self._write({"type": "event", "t": round(event.t, 6), "kind": event.kind,
                     "data": event.data})

    def end(self, t: float, reason: str, message: str = "") -> None:
        """Write the closing line: why the case ended at sim time ``t`` [s]."""
        self._write({"type": "end", "t": round(t, 6), "reason": reason, "message": message})
        self._ended = True
        self.flush()

    def flush(self) -> None:
        """Flush buffered lines to disk."""
        if self._fh:
            self._fh.flush()

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._fh:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> "RecordingWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_recording(path: str | Path) -> Recording:
    """Read a ``recording.jsonl`` written by :class:`RecordingWriter`.

    A final line cut by a crash (invalid JSON or UTF-8) is ignored (the recording then ends
    as ``truncated``).

    Raises:
        RecordingError: the file is missing or unreadable, its first line is not a header of
            this format, or a line before the last is not a valid record (damaged file; the
            error names the line).
    """
    path = Path(path)
    if not path.is_file():
        raise RecordingError("recording not found", file=str(path))
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise RecordingError(f"cannot read ({exc.strerror})", file=str(path)) from None
    last = max((no for no, raw in enumerate(lines, 1) if raw.strip()), default=0)
    rec: Recording | None = None
    signals: dict[str, SignalState] = {}
    for no, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            obj = parse_user_json(raw)
        except UserJsonError as exc:
            if no == last:
                break
            raise RecordingError(exc.reason, file=str(path), line=no) from None
        if rec is None:
            if not isinstance(obj, dict) or obj.get("type") != "header" \
                    or obj.get("format") != FORMAT_VERSION:
                raise RecordingError(f"expected a header line of format {FORMAT_VERSION}",
                                     file=str(path), line=no)
            rec = Recording(_checked(_header_from_json, obj, path, no))
            continue
        signals = _checked(lambda o: _apply_line(rec, o, signals), obj, path, no)
    if rec is None:
        raise RecordingError("empty recording", file=str(path))
    return rec


def _checked(fn: Any, obj: Any, path: Path, no: int) -> Any:
    """``fn(obj)``; a line of the wrong shape (missing key, wrong type) is a RecordingError
    naming the file and line."""
    try:
        return fn(obj)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise RecordingError(f"malformed record ({type(exc).__name__}: {exc})",
                             file=str(path), line=no) from None


def _apply_line(rec: Recording, obj: dict[str, Any],
                signals: dict[str, SignalState]) -> dict[str, SignalState]:
    """Add one frame, event or end line to ``rec``; return the signal states now current."""
    typ = obj.get("type")
    if typ == "frame":
        if "sig" in obj:
            signals = {k: SignalState(k, SignalColor(v[0]), v[1], v[2],
                                      flashing=len(v) > 3 and v[3] is True)
                       for k, v in obj["sig"].items()}
        ents = {n: _decode_entity(n, row, rec.header.entities.get(n))
                for n, row in obj["e"].items()}
        rec.frames.append(WorldState(obj["t"], ents, signals))
    elif typ == "event":
        rec.events.append(Event(obj["t"], obj["kind"], obj.get("data", {})))
    elif typ == "end":
        rec.end_reason = obj["reason"]
        rec.end_message = obj.get("message", "")
    return signals
