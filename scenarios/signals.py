"""Traffic-signal states: TrafficSignalController phase cycling (ASAM OpenSCENARIO 1.x
``RoadNetwork/TrafficSignals``) and the state strings of TrafficSignalStateAction.

A controller cycles through its phases from sim time ``delay`` (plus the delay of its
``reference`` controller, recursively). Each signal's :class:`SignalState` carries its colour,
the time until that colour changes [s] (looking ahead over the cycle) and the phase index.

State strings: ``red``/``yellow``/``green``/``off`` (any case), or esmini's lamp triples
``"on;off;off"`` read as red;yellow;green (the first lamp on gives the colour, none on = off).
"""

from __future__ import annotations

import math

from testzone.world import SignalColor, SignalState

from scenarios.model import SignalControllerDef

_LAMPS = (SignalColor.RED, SignalColor.YELLOW, SignalColor.GREEN)


def color_of(state: str) -> SignalColor:
    """Map an OpenSCENARIO signal state string to a :class:`SignalColor`."""
    s = state.strip().lower()
    for c in SignalColor:
        if s == c.value:
            return c
    parts = [p.strip() for p in s.split(";")]
    if len(parts) == 3:
        for lamp, p in zip(_LAMPS, parts):
            if p == "on":
                return lamp
        return SignalColor.OFF
    return SignalColor.UNKNOWN


class ControllerClock:
    """Phase timing of one TrafficSignalController.

    Args:
        cdef: the controller. start: sim time [s] at which phase 0 begins.
    """

    def __init__(self, cdef: SignalControllerDef, start: float) -> None:
        self.cdef = cdef
        self.start = start
        self.cycle = sum(p.duration for p in cdef.phases)

    def phase_at(self, t: float) -> tuple[int, float]:
        """(phase index, time into the phase [s]) at sim time ``t``; before start: phase 0."""
        if self.cycle <= 0.0:
            return 0, 0.0
        u = math.fmod(max(t - self.start, 0.0), self.cycle)
        for i, p in enumerate(self.cdef.phases):
            if u < p.duration - 1e-9:
                return i, u
            u -= p.duration
        return 0, 0.0

    def jump(self, t: float, phase_name: str) -> bool:
        """Restart the cycle so that phase ``phase_name`` begins at ``t``; False if unknown."""
        acc = 0.0
        for p in self.cdef.phases:
            if p.name == phase_name:
                self.start = t - acc
                return True
            acc += p.duration
        return False

    def states(self, t: float) -> dict[str, SignalState]:
        """Signal id -> state at sim time ``t``."""
        phases = self.cdef.phases
        if not phases:
            return {}
        i, into = self.phase_at(t)
        wait = max(self.start - t, 0.0)  # before the first cycle, phase 0 holds
        out = {}
        for sid, text in phases[i].states.items():
            color = color_of(text)
            remaining = phases[i].duration - into + wait
            for k in range(1, len(phases)):
                nxt = phases[(i + k) % len(phases)]
                if color_of(nxt.states.get(sid, text)) != color:
                    break
                remaining += nxt.duration
            else:
                remaining = math.inf
            out[sid] = SignalState(sid, color, remaining if math.isfinite(remaining) else None,
                                   i)
        return out


def controller_clocks(defs: tuple[SignalControllerDef, ...]) -> dict[str, ControllerClock]:
    """Build the clocks, resolving ``reference`` delays (cycles in references are cut)."""
    by_name = {d.name: d for d in defs}

    def offset(name: str, seen: frozenset[str]) -> float:
        """Start offset [s] of controller ``name``: its delay plus its reference's."""
        d = by_name[name]
        if d.reference and d.reference in by_name and d.reference not in seen:
            return d.delay + offset(d.reference, seen | {name})
        return d.delay

    return {d.name: ControllerClock(d, offset(d.name, frozenset())) for d in defs}
