"""SPAT (signal phase and timing) from the world's signal states, and its reader.

YD/T 3709-2020 SPAT: one IntersectionState per RSU intersection, one Phase per SPAT phase id
(the RSU's ``phase_ids`` entry for the signal, else ``SignalState.phase_id``, else the signal's
1-based position in the RSU's ``signal_ids``). Each phase lists its current light and the
lights to come over the signal cycle, with count-downs from now (``TimeCountingDown``, TimeMark
units of 0.1 s: ``startTime`` 0 for the light already on, ``likelyEndTime``, and
``nextStartTime`` / ``nextDuration`` of the same light's next time on; see
:func:`phase_states`); a signal whose plan is unknown sends its current light alone,
``likelyEndTime`` 36001 (unknown) when its time to change is. Signals
sharing a phase id should agree; otherwise the first in ``signal_ids`` order is sent and the
bridge records a ``spat_conflict`` event naming the signals.

Light mapping (DE_LightState): red -> ``red``, yellow -> ``yellow``, green ->
``permissive-green`` (option ``green_light`` may set ``protected-green``), off -> ``dark``,
unknown -> ``unavailable``. The intersection status has ``fixedTimeOperation`` set (bit 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from testzone.world import SignalColor, SignalSpan, SignalState, WorldState
from v2x_bridge import fields, units
from v2x_bridge.context import BuildContext
from v2x_bridge.rsu import Rsu

MSG_TYPE = "SPAT"

_LIGHT_OF_COLOR = MappingProxyType({SignalColor.RED: "red", SignalColor.YELLOW: "yellow",
                                    SignalColor.GREEN: "permissive-green",
                                    SignalColor.OFF: "dark",
                                    SignalColor.UNKNOWN: "unavailable"})
COLOR_OF_LIGHT = MappingProxyType({
    "unavailable": SignalColor.UNKNOWN, "dark": SignalColor.OFF,
    "flashing-red": SignalColor.RED, "red": SignalColor.RED,
    "flashing-green": SignalColor.GREEN, "permissive-green": SignalColor.GREEN,
    "protected-green": SignalColor.GREEN, "yellow": SignalColor.YELLOW,
    "flashing-yellow": SignalColor.YELLOW})
"""SignalColor of each DE_LightState name."""
_FLASHING_LIGHT = MappingProxyType({c: name for name, c in COLOR_OF_LIGHT.items()
                                    if name.startswith("flashing-")})
"""DE_LightState of a flashing lamp of each colour."""

STATUS_FIXED_TIME = fields.bit_string({5}, 16)
"""IntersectionStatusObject with only ``fixedTimeOperation`` (bit 5) set."""


MAX_PHASE_STATES = 16
"""Largest PhaseStateList (``SIZE(1..16)``)."""


def phase_state(state: SignalState, green_light: str = "permissive-green") -> dict[str, Any]:
    """DF_PhaseState of one signal's current light: count-down timing from now, ``startTime``
    0 and ``likelyEndTime`` its time to change [s] (36001, unknown, when None)."""
    timing = {"startTime": 0,
              "likelyEndTime": units.duration_to_timemark(state.time_to_change,
                                                          f"signal {state.signal_id} time_to_change")}
    return {"light": _light(state.color, green_light, state.flashing),
            "timing": ("counting", timing)}


def _light(color: SignalColor, green_light: str, flashing: bool = False) -> str:
    """DE_LightState of a lamp: a flashing one as flashing-red/-yellow/-green."""
    if flashing and color in _FLASHING_LIGHT:
        return _FLASHING_LIGHT[color]
    return green_light if color == SignalColor.GREEN else _LIGHT_OF_COLOR[color]


def phase_states(state: SignalState, green_light: str = "permissive-green"
                 ) -> list[dict[str, Any]]:
    """DF_PhaseStateList of one signal over its cycle (``SignalState.upcoming``): the current
    light, then each light to come, at most :data:`MAX_PHASE_STATES`. Each carries its
    TimeCountingDown from now (YD/T 3709-2020 DF_TimeCountingDown, in TimeMark 0.1 s):
    ``startTime`` (0 for the current light), ``likelyEndTime``, and ``nextStartTime`` /
    ``nextDuration``: when the same light comes on again after this one, and for how long
    (the standard's recommended fields: green-light speed advice on a red needs the coming
    green's length). Without the plan only the current light (:func:`phase_state`).

    Raises:
        V2XError: a negative or NaN time (the field is named).
    """
    if state.time_to_change is None or not state.upcoming:
        return [phase_state(state, green_light)]
    spans = [SignalSpan(state.color, 0.0, state.time_to_change, state.flashing),
             *state.upcoming]
    # the last span is the current light coming round: the cycle is its start plus the part
    # of the current light already shown
    repeat_start, repeat_len = spans[-1].starts_in, spans[-1].lasts
    cycle = repeat_start + repeat_len - state.time_to_change
    out = []
    for j, (color, start, length, flashing) in enumerate(spans[:-1][:MAX_PHASE_STATES]):
        nxt = next(((u.starts_in, u.lasts) for u in spans[j + 1:]
                    if (u.color, u.flashing) == (color, flashing)), (start + cycle, length))
        where = f"signal {state.signal_id} {color.value} light"
        out.append({"light": _light(color, green_light, flashing), "timing": ("counting", {
            "startTime": units.duration_to_timemark(start, where),
            "likelyEndTime": units.duration_to_timemark(start + length, where),
            "nextStartTime": units.duration_to_timemark(nxt[0], where),
            "nextDuration": units.duration_to_timemark(nxt[1], where)})})
    return out


def group_signals(signal_ids: tuple[str, ...], signals: dict[str, SignalState],
                  phase_ids: Mapping[str, int] | None = None
                  ) -> tuple[dict[int, SignalState], tuple[tuple[int, str, str], ...]]:
    """Group the states of ``signal_ids`` by SPAT phase id.

    The phase id of a signal is ``phase_ids[signal]`` (RSU configuration), else its
    ``SignalState.phase_id``, else its 1-based position in ``signal_ids``. Missing signals are
    skipped. When signals of one phase id disagree (colour or time to change), the first in
    ``signal_ids`` order is kept.

    Returns:
        (state per phase id, conflicts as ``(phase_id, kept_signal, other_signal)``).
    """
    kept: dict[int, SignalState] = {}
    conflicts = []
    for index, sid in enumerate(signal_ids, 1):
        state = signals.get(sid)
        if state is None:
            continue
        pid = (phase_ids or {}).get(sid, state.phase_id if state.phase_id is not None else index)
        first = kept.setdefault(int(pid), state)
        if (first.color, first.flashing, first.time_to_change) != \
                (state.color, state.flashing, state.time_to_change):
            conflicts.append((int(pid), first.signal_id, sid))
    return kept, tuple(conflicts)


def phases_from_signals(signal_ids: tuple[str, ...], signals: dict[str, SignalState],
                        green_light: str = "permissive-green",
                        phase_ids: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """DF_PhaseList from the states of ``signal_ids``, sorted by phase id (see
    :func:`group_signals` for ids and disagreeing signals)."""
    kept, _ = group_signals(signal_ids, signals, phase_ids)
    return [{"id": pid, "phaseStates": phase_states(kept[pid], green_light)}
            for pid in sorted(kept)]


def has_signals(rsu: Rsu, world: WorldState) -> bool:
    """True when some signal of ``rsu``'s intersection has a state in ``world``: it sends a
    SPAT (:func:`build`)."""
    return any(sid in world.signals for sid in rsu.signal_ids)


def build(ctx: BuildContext) -> dict[str, Any] | None:
    """SPAT value of the RSU's intersection at ``ctx.t``; None when none of its signals exist.

    Raises:
        V2XError: a time to change is negative/NaN, or a phase id outside 0..255.
    """
    rsu = ctx.rsu
    if rsu is None or not has_signals(rsu, ctx.world):
        return None
    phases = phases_from_signals(rsu.signal_ids, ctx.world.signals,
                                 ctx.options.get("green_light", "permissive-green"),
                                 rsu.phase_ids)
    if not phases:
        return None
    inter = {"intersectionId": fields.node_reference(rsu.node(), rsu.region),
             "status": STATUS_FIXED_TIME, "phases": phases[:16]}
    return {"msgCnt": ctx.msg_cnt, "moy": ctx.clock.moy(ctx.t),
            "timeStamp": ctx.clock.dsecond(ctx.t), "intersections": [inter]}


@dataclass(frozen=True)
class PhaseStateInfo:
    """One decoded phase state, SI.

    Attributes:
        light: DE_LightState name. color: the matching SignalColor.
        start_s, likely_end_s, min_end_s, max_end_s, next_start_s, next_duration_s: count-down
            times from the message's instant [s] (None when absent or unknown; inf for
            "more than an hour"). With ``absolute`` True they are UTC seconds within the hour
            (``utcTiming`` form) instead.
    """

    light: str
    color: SignalColor
    start_s: float | None = None
    likely_end_s: float | None = None
    min_end_s: float | None = None
    max_end_s: float | None = None
    next_start_s: float | None = None
    next_duration_s: float | None = None
    absolute: bool = False

    @property
    def flashing(self) -> bool:
        """A flashing light (``flashing-red``, ``-yellow``, ``-green``)."""
        return self.light.startswith("flashing-")


@dataclass(frozen=True)
class IntersectionInfo:
    """One decoded intersection: node id, region (or None), status bits, phases by phase id."""

    node_id: int
    region: int | None
    status: tuple[bytes, int]
    phases: dict[int, tuple[PhaseStateInfo, ...]]


@dataclass(frozen=True)
class SpatInfo:
    """A decoded SPAT: MinuteOfTheYear, DSecond [ms] (None when absent), intersections."""

    moy: int | None
    timestamp_ms: int | None
    intersections: tuple[IntersectionInfo, ...]

    def current(self, node_id: int, phase_id: int) -> PhaseStateInfo | None:
        """The first (current) state of a phase at an intersection, or None."""
        for inter in self.intersections:
            if inter.node_id == node_id and phase_id in inter.phases:
                return inter.phases[phase_id][0]
        return None


_COUNTING = (("startTime", "start_s"), ("likelyEndTime", "likely_end_s"),
             ("minEndTime", "min_end_s"), ("maxEndTime", "max_end_s"),
             ("nextStartTime", "next_start_s"), ("nextDuration", "next_duration_s"))
_UTC = (("startUTCTime", "start_s"), ("likelyEndUTCTime", "likely_end_s"),
        ("minEndUTCTime", "min_end_s"), ("maxEndUTCTime", "max_end_s"),
        ("nextStartUTCTime", "next_start_s"), ("nextEndUTCTime", "next_duration_s"))


def _read_phase_state(ps: dict[str, Any]) -> PhaseStateInfo:
    kw: dict[str, Any] = {}
    if "timing" in ps:
        alt, t = ps["timing"]
        names = _COUNTING if alt == "counting" else _UTC
        kw = {attr: units.timemark_to_duration(t[key]) for key, attr in names if key in t}
        kw["absolute"] = alt != "counting"
    return PhaseStateInfo(light=ps["light"], color=COLOR_OF_LIGHT.get(ps["light"],
                                                                     SignalColor.UNKNOWN), **kw)


def read(value: dict[str, Any], geo: Any = None) -> SpatInfo:
    """Decoded SPAT value (asn1tools form) -> :class:`SpatInfo` (``geo`` unused: SPAT has no
    positions; accepted so every reader has the same signature)."""
    inters = []
    for it in value["intersections"]:
        phases = {p["id"]: tuple(_read_phase_state(s) for s in p["phaseStates"])
                  for p in it["phases"]}
        ref = it["intersectionId"]
        inters.append(IntersectionInfo(ref["id"], ref.get("region"), it["status"], phases))
    return SpatInfo(value.get("moy"), value.get("timeStamp"), tuple(inters))
