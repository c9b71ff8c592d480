"""ByValueConditions (ASAM OpenSCENARIO 1.x clause "ByValueCondition"), one class each.

Each class parses its element and implements ``check(rt, cr) -> bool``, the raw test; edges
and delays are handled once in :mod:`scenarios.conditions.base`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from scenarios.conditions.base import RULES, ConditionRuntime, compare
from scenarios.expressions import format_value
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.signals import light_of
from testzone.world import SignalColor

ELEMENT_TYPES = ("story", "act", "maneuverGroup", "maneuver", "event", "action")
ELEMENT_STATES = ("standbyState", "runningState", "completeState", "startTransition",
                  "endTransition", "stopTransition", "skipTransition")


def rule_of(el: etree._Element, ctx: ParseContext) -> str:
    """The ``rule`` attribute, checked."""
    return ctx.src.choice(el, "rule", RULES)


@dataclass(frozen=True)
class SimulationTimeCondition:
    """Simulation time [s] compared with ``value``."""

    ELEMENT = "SimulationTimeCondition"
    value: float
    rule: str

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> SimulationTimeCondition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "value", float), rule_of(el, ctx))

    def check(self, rt: Runtime, cr: ConditionRuntime) -> bool:
        """Raw value at ``rt.time`` (edges, delay: ConditionRuntime)."""
        return compare(rt.time, self.value, self.rule)

    def fires_from(self, edge: str, delay: float) -> tuple[float, bool] | None:
        """``(time [s], only after it)`` from which this condition, with its ``edge`` and
        ``delay`` [s], is true for the clock alone, or None when it holds from the start or
        never fires by a time: rules greaterThan (after), greaterOrEqual, equalTo with edge
        none, rising or risingOrFalling; lessThan, lessOrEqual (after) with edge falling or
        risingOrFalling (the moment they stop holding; ASAM OpenSCENARIO 1.2, ConditionEdge).
        """
        if (self.rule in _HOLDS_FROM and edge in ("none", "rising", "risingOrFalling")) or (
                self.rule in _HOLDS_UNTIL and edge in ("falling", "risingOrFalling")):
            return self.value + delay, self.rule in ("greaterThan", "lessOrEqual")
        return None


_HOLDS_FROM = ("greaterThan", "greaterOrEqual", "equalTo")
"""SimulationTimeCondition rules that start to hold once a time is reached."""
_HOLDS_UNTIL = ("lessThan", "lessOrEqual")
"""Rules that hold until a time: with a falling edge they fire there."""


def compare_values(current: Any, value: str, rule: str) -> bool:
    """Compare a run-time value with an attribute string: booleans as ``true``/``false``,
    numbers numerically (False when ``value`` is not a number), anything else as text."""
    if isinstance(current, bool):
        return compare(format_value(current), value.strip().lower(), rule)
    if isinstance(current, (int, float)):
        try:
            return compare(float(current), float(value), rule)
        except ValueError:
            return False
    return compare(str(current), value, rule)


@dataclass(frozen=True)
class ParameterCondition:
    """A run-time parameter value compared with ``value`` (numbers numerically, else text)."""

    ELEMENT = "ParameterCondition"
    parameter: str
    value: str
    rule: str

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> ParameterCondition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.parameter_ref(el), ctx.src.attr(el, "value", str), rule_of(el, ctx))

    def values(self, rt: Runtime) -> dict[str, Any]:
        """The run-time values this condition reads."""
        return rt.parameters

    def check(self, rt: Runtime, cr: ConditionRuntime) -> bool:
        """Raw value at ``rt.time`` (edges, delay: ConditionRuntime)."""
        values = self.values(rt)
        if self.parameter not in values:
            return False
        return compare_values(values[self.parameter], self.value, self.rule)


@dataclass(frozen=True)
class VariableCondition(ParameterCondition):
    """``VariableCondition`` (1.2): a run-time variable (VariableDeclarations) compared with
    ``value``."""

    ELEMENT = "VariableCondition"

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> VariableCondition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.variable_ref(el), ctx.src.attr(el, "value", str), rule_of(el, ctx))

    def values(self, rt: Runtime) -> dict[str, Any]:
        """The run-time variables."""
        return rt.variables


@dataclass(frozen=True)
class UserDefinedValueCondition:
    """``UserDefinedValueCondition``: the value fed by ``ScenarioEngine.set_user_value(name,
    value)`` compared with ``value`` (false while nothing was fed)."""

    ELEMENT = "UserDefinedValueCondition"
    name: str
    value: str
    rule: str

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> UserDefinedValueCondition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "name", str), ctx.src.attr(el, "value", str),
                   rule_of(el, ctx))

    def check(self, rt: Runtime, cr: ConditionRuntime) -> bool:
        """Raw value at ``rt.time`` (edges, delay: ConditionRuntime)."""
        if self.name not in rt.user_values:
            return False
        return compare_values(rt.user_values[self.name], self.value, self.rule)


@dataclass(frozen=True)
class TimeOfDayCondition:
    """``TimeOfDayCondition``: the environment's (animated) TimeOfDay dateTime compared with
    ``dateTime`` (false until an EnvironmentAction set a time of day)."""

    ELEMENT = "TimeOfDayCondition"
    date_time: str
    rule: str

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> TimeOfDayCondition:
        """Read this element; ScenarioError when dateTime is not ISO 8601."""
        from scenarios.actions.environment import parse_datetime
        text = ctx.src.attr(el, "dateTime", str)
        try:
            parse_datetime(text)
        except ValueError:
            raise ctx.src.error(el, f"dateTime='{text}': expected ISO 8601 "
                                    f"(2024-05-01T17:30:00)") from None
        return cls(text, rule_of(el, ctx))

    def check(self, rt: Runtime, cr: ConditionRuntime) -> bool:
        """Raw value at ``rt.time`` (edges, delay: ConditionRuntime)."""
        from scenarios.actions.environment import current_environment, parse_datetime
        tod = current_environment(rt).get("TimeOfDay")
        if not isinstance(tod, dict) or "dateTime" not in tod:
            return False
        now, ref = parse_datetime(tod["dateTime"]), parse_datetime(self.date_time)
        if (now.tzinfo is None) != (ref.tzinfo is None):
            now, ref = now.replace(tzinfo=None), ref.replace(tzinfo=None)
        return compare(now.timestamp(), ref.timestamp(), self.rule)


@dataclass(frozen=True)
class TrafficSignalControllerCondition:
    """``TrafficSignalControllerCondition``: controller ``controller`` is in phase ``phase``."""

    ELEMENT = "TrafficSignalControllerCondition"
    controller: str
    phase: str

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> TrafficSignalControllerCondition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "trafficSignalControllerRef", str),
                   ctx.src.attr(el, "phase", str))

    def check(self, rt: Runtime, cr: ConditionRuntime) -> bool:
        """Raw value at ``rt.time`` (edges, delay: ConditionRuntime)."""
        clock = rt.controllers.get(self.controller)
        if clock is None or not clock.cdef.phases:
            return False
        index, _ = clock.phase_at(rt.time)
        return clock.cdef.phases[index].name == self.phase


@dataclass(frozen=True)
class StoryboardElementStateCondition:
    """True when a storyboard element is in a state, or made a transition since the last
    evaluation (a transition is visible to exactly one evaluation, as in esmini)."""

    ELEMENT = "StoryboardElementStateCondition"
    element_type: str
    element_ref: str
    state: str

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> StoryboardElementStateCondition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        src = ctx.src
        return cls(src.choice(el, "storyboardElementType", ELEMENT_TYPES),
                   src.attr(el, "storyboardElementRef", str),
                   src.choice(el, "state", ELEMENT_STATES))

    def _matches(self, state: str, transition: str | None) -> bool:
        if self.state.endswith("Transition"):
            return transition == self.state
        return state == self.state

    def check(self, rt: Runtime, cr: ConditionRuntime) -> bool:
        """Raw value at ``rt.time`` (edges, delay: ConditionRuntime)."""
        latest = cr.memo.get("latest")
        if cr.changes:
            result = any(self._matches(state, tr) for _, state, tr in cr.changes)
            _, state, tr = cr.changes[-1]
            cr.memo["latest"] = (state, tr)
            cr.changes.clear()
            return result
        if latest is None:  # no change seen yet: the element's state now
            found = cr.memo.get("found")
            if found is None:  # the storyboard's elements are fixed: look them up once
                found = cr.memo["found"] = rt.find_elements(self.element_type,
                                                            self.element_ref)
            return bool(found) and self._matches(found[0].state.value, None)
        cr.memo["latest"] = (latest[0], None)  # a transition is seen once
        return self._matches(latest[0], None)


@dataclass(frozen=True)
class TrafficSignalCondition:
    """True when signal ``name`` shows ``state``'s light: the same colour (red, yellow, green,
    off), steady or flashing (an esmini lamp list ``off;flashing;off`` is a flashing amber,
    which a steady ``off;on;off`` or ``yellow`` does not match; spellings of one light, ``red``
    and ``on;off;off``, match). A lamp list is read as its first lamp lit
    (:func:`scenarios.signals.light_of`): red and amber together, ``on;on;off``, is red here,
    where esmini, comparing the state strings, tells them apart.
    """

    ELEMENT = "TrafficSignalCondition"
    name: str
    state: str
    flashing: bool = False

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> TrafficSignalCondition:
        """Read this element (``ELEMENT``); the state as the light it shows
        (:func:`scenarios.signals.light_of`: ``on;off;off`` is red); an unreadable one is
        refused when the scenario is loaded (:func:`scenarios.signals.signal_reference_errors`)."""
        state = ctx.src.attr(el, "state", str)
        light = light_of(state)
        return cls(ctx.src.attr(el, "name", str),
                   light.color.value if light.color != SignalColor.UNKNOWN else state.lower(),
                   light.flashing)

    def check(self, rt: Runtime, cr: ConditionRuntime) -> bool:
        """Raw value at ``rt.time`` (edges, delay: ConditionRuntime)."""
        sig = rt.signals.get(self.name)
        return (sig is not None and sig.color.value == self.state
                and sig.flashing == self.flashing)


VALUE_CONDITIONS = (SimulationTimeCondition, ParameterCondition, StoryboardElementStateCondition,
                    TrafficSignalCondition, VariableCondition, UserDefinedValueCondition,
                    TimeOfDayCondition, TrafficSignalControllerCondition)
VALUE_UNSUPPORTED = ()
