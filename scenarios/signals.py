"""Traffic-signal states: TrafficSignalController phase cycling (ASAM OpenSCENARIO 1.x
``RoadNetwork/TrafficSignals``) and the state strings of TrafficSignalStateAction.

A controller cycles through its phases from sim time ``delay`` (plus the delay of its
``reference`` controller, recursively). Each signal's :class:`SignalState` carries its colour,
the time until that colour changes [s] (looking ahead over the cycle), the colours still to
come over the cycle, and the phase index. A phase that does not name a signal leaves it as
set (as esmini's controller sets only the signals a phase names); a zero-length phase is
never shown.

State strings: ``red``/``yellow``/``green``/``off`` (any case), or esmini's lamp lists:
triples ``"on;off;off"`` read as red;yellow;green, pairs ``"off;on"`` as red;green (a
pedestrian light); the first lamp on (or flashing) gives the colour, none = off, and a lamp
``flashing`` makes the light a flashing one (:func:`light_of`; ``SignalState.flashing``, the
SPAT's flashing LightStates; v2x15 audit: a flashing amber was sent as a steady one).
"""

from __future__ import annotations

import math

from typing import NamedTuple

from testzone.world import SignalColor, SignalSpan, SignalState

from scenarios.model import SignalControllerDef

_LAMPS = (SignalColor.RED, SignalColor.YELLOW, SignalColor.GREEN)
_PEDESTRIAN_LAMPS = (SignalColor.RED, SignalColor.GREEN)
"""esmini's two-lamp states (``"off;on"``, its traffic_lights.xosc pedestrian lights): red;green."""


class Light(NamedTuple):
    """What a signal head shows: its colour and whether the lamp flashes."""

    color: SignalColor
    flashing: bool = False


def light_of(state: str) -> Light:
    """Map an OpenSCENARIO signal state string to the :class:`Light` it shows (module
    docstring)."""
    s = state.strip().lower()
    for c in SignalColor:
        if s == c.value:
            return Light(c)
    parts = [p.strip() for p in s.split(";")]
    if len(parts) in (2, 3) and all(p in ("on", "off", "flashing") for p in parts):
        lamps = _LAMPS if len(parts) == 3 else _PEDESTRIAN_LAMPS
        for lamp, p in zip(lamps, parts):
            if p != "off":
                return Light(lamp, p == "flashing")
        return Light(SignalColor.OFF)
    return Light(SignalColor.UNKNOWN)


def color_of(state: str) -> SignalColor:
    """Map an OpenSCENARIO signal state string to a :class:`SignalColor` (:func:`light_of`'s
    colour)."""
    return light_of(state).color


class ControllerClock:
    """Phase timing of one TrafficSignalController.

    Args:
        cdef: the controller. start: sim time [s] at which phase 0 begins.
    """

    def __init__(self, cdef: SignalControllerDef, start: float) -> None:
        self.cdef = cdef
        self.start = start
        self.cycle = sum(p.duration for p in cdef.phases)
        self._lights = _lights_by_phase(cdef)
        self._shown: set[str] = set()
        self._plans: dict[tuple[str, int], tuple] = {}   # _plan per (signal, phase)

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
        """Signal id -> state at sim time ``t``: colour, time to change and the colours of
        the rest of the cycle (``SignalState.upcoming``). A phase that does not name a signal
        leaves it as the last phase that did set it (a signal no phase has named yet is left
        out, as it is before its first phase), and a phase of zero duration is never shown:
        neither ends a colour (hostile pass 13b: SPAT announced changes the light never
        made). Called in time order (it notes which signals have been shown)."""
        phases = self.cdef.phases
        if not phases:
            return {}
        i, into = self.phase_at(t)
        wait = max(self.start - t, 0.0)  # before the first cycle, phase 0 holds
        shift = wait - into                 # from the phase's start to now
        out = {}
        for sid in self._lights:
            if sid in phases[i].states:
                self._shown.add(sid)
            elif sid not in self._shown:
                continue
            key = (sid, i)
            if key not in self._plans:
                self._plans[key] = self._plan(sid, i)
            light, remaining, spans = self._plans[key]
            if remaining is None:
                out[sid] = SignalState(sid, light.color, None, i, flashing=light.flashing)
                continue
            out[sid] = SignalState(sid, light.color, remaining + shift, i,
                                   tuple(sp._replace(starts_in=sp.starts_in + shift)
                                         for sp in spans), light.flashing)
        return out

    def _plan(self, sid: str, i: int) -> tuple[Light, float | None, tuple[SignalSpan, ...]]:
        """Signal ``sid`` from the start of phase ``i`` on: its light, the time until that
        light changes [s] (None: it never does) and the lights to come as
        :class:`SignalSpan`, both from the phase's start (``states`` shifts them to now).
        Phases never shown (zero length) are left out; ``states`` keeps it per (signal,
        phase)."""
        phases, lights, n = self.cdef.phases, self._lights[sid], len(self.cdef.phases)
        cycle = [(lights[(i + k) % n], phases[(i + k) % n].duration) for k in range(n)
                 if k == 0 or phases[(i + k) % n].duration > 0.0]
        light = cycle[0][0]
        if all(c == light for c, _ in cycle):
            return light, None, ()
        k, remaining = 1, cycle[0][1]
        while cycle[k][0] == light:
            remaining += cycle[k][1]
            k += 1
        spans: list[SignalSpan] = []
        start = remaining
        for c, d in cycle[k:]:
            if spans and (spans[-1].color, spans[-1].flashing) == c:
                spans[-1] = spans[-1]._replace(lasts=spans[-1].lasts + d)
            else:
                spans.append(SignalSpan(c.color, start, d, c.flashing))
            start += d
        # the current light coming round again, its whole length: the cycle's end
        held = sum(d for _, d in cycle[:k])
        if (spans[-1].color, spans[-1].flashing) == light:
            spans[-1] = spans[-1]._replace(lasts=spans[-1].lasts + held)
        else:
            spans.append(SignalSpan(light.color, start, held, light.flashing))
        return light, remaining, tuple(spans)


def _lights_by_phase(cdef: SignalControllerDef) -> dict[str, list[Light]]:
    """Signal id -> its :class:`Light` in each phase of the controller: the one the phase
    sets, else the one the last phase before it (cyclically) that names the signal sets."""
    phases = cdef.phases
    ids = list(dict.fromkeys(sid for p in phases for sid in p.states))
    out = {}
    for sid in ids:
        named = [i for i, p in enumerate(phases) if sid in p.states]
        lights = []
        for i in range(len(phases)):
            last = max((j for j in named if j <= i), default=named[-1])
            lights.append(light_of(phases[last].states[sid]))
        out[sid] = lights
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


def signal_reference_errors(scenario, signal_ids: frozenset[str] | None = None
                            ) -> list[tuple[int | None, str, str]]:
    """What in ``scenario`` names a traffic signal, signal state, controller or phase that does
    not exist (each would silently never hold or do nothing): ``(line, element, message)``.

    Checked: controller ``reference``; phase states (:func:`color_of` must read them);
    TrafficSignalCondition ``state``; TrafficSignalControllerCondition/-Action controller and
    phase; with ``signal_ids`` (the map's OpenDRIVE signal ids) also the ``trafficSignalId``
    of each phase state, TrafficSignalCondition and TrafficSignalStateAction ``name``.
    """
    by_name = {c.name: c for c in scenario.signal_controllers}
    out: list[tuple[int | None, str, str]] = []
    for c in scenario.signal_controllers:
        if c.reference and c.reference not in by_name:
            out.append((c.line, "TrafficSignalController",
                        f"controller '{c.name}': reference '{c.reference}' names no "
                        f"TrafficSignalController"))
        for ph in c.phases:
            for sid, state in ph.states.items():
                if signal_ids is not None and sid not in signal_ids:
                    out.append((ph.line, "TrafficSignalState",
                                f"controller '{c.name}' phase '{ph.name}': trafficSignalId "
                                f"'{sid}' is no signal of the road network"))
                if unreadable(state):
                    out.append((ph.line, "TrafficSignalState",
                                f"controller '{c.name}' phase '{ph.name}': state '{state}': "
                                f"{STATE_EXPECTED}"))
    refs = [(d.line, d.spec) for d in scenario.storyboard.conditions()]
    refs += [(d.line, d.spec) for d in scenario.storyboard.actions()]
    for line, spec in refs:
        element = getattr(spec, "ELEMENT", "")
        if element in ("TrafficSignalControllerCondition", "TrafficSignalControllerAction"):
            ctrl = by_name.get(spec.controller)
            if ctrl is None:
                out.append((line, element, f"trafficSignalControllerRef '{spec.controller}' "
                                           f"names no TrafficSignalController"))
            elif spec.phase not in {ph.name for ph in ctrl.phases}:
                out.append((line, element, f"phase '{spec.phase}' is not a phase of controller "
                                           f"'{ctrl.name}'"))
        elif element in ("TrafficSignalCondition", "TrafficSignalStateAction"):
            if signal_ids is not None and spec.name not in signal_ids:
                out.append((line, element, f"name '{spec.name}' is no signal of the road "
                                           f"network"))
            if unreadable(spec.state):
                out.append((line, element, f"state '{spec.state}': {STATE_EXPECTED}"))
    return out


def unreadable(state: str) -> bool:
    """A state string :func:`color_of` cannot read (``unknown`` itself is readable)."""
    return color_of(state) == SignalColor.UNKNOWN and state.strip().lower() != "unknown"


STATE_EXPECTED = ("expected red, yellow, green or off, or esmini's lamps such as "
                  "'on;off;off' (red;yellow;green) or 'off;on' (red;green)")
