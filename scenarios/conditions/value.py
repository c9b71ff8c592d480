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
        return cls(ctx.src.name_ref(el, "parameterRef"),
                   ctx.src.attr(el, "value", str), rule_of(el, ctx))

    def check(self, rt: Runtime, cr: ConditionRuntime) -> bool:
        """Raw value at ``rt.time`` (edges, delay: ConditionRuntime)."""
        if self.parameter not in rt.parameters:
            return False
        current: Any = rt.parameters[self.parameter]
        if isinstance(current, bool):
            return compare(format_value(current), self.value.strip().lower(), self.rule)
        if isinstance(current, (int, float)):
            try:
                return compare(float(current), float(self.value), self.rule)
            except ValueError:
                return False
        return compare(str(current), self.value, self.rule)


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
        if latest is None:
            found = rt.find_elements(self.element_type, self.element_ref)
            return bool(found) and self._matches(found[0].state.value, None)
        cr.memo["latest"] = (latest[0], None)  # a transition is seen once
        return self._matches(latest[0], None)


@dataclass(frozen=True)
class TrafficSignalCondition:
    """True when signal ``name`` shows ``state`` (red, yellow, green, off)."""

    ELEMENT = "TrafficSignalCondition"
    name: str
    state: str

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> TrafficSignalCondition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "name", str), ctx.src.attr(el, "state", str).lower())

    def check(self, rt: Runtime, cr: ConditionRuntime) -> bool:
        """Raw value at ``rt.time`` (edges, delay: ConditionRuntime)."""
        sig = rt.signals.get(self.name)
        return sig is not None and sig.color.value == self.state


VALUE_CONDITIONS = (SimulationTimeCondition, ParameterCondition, StoryboardElementStateCondition,
                    TrafficSignalCondition)
VALUE_UNSUPPORTED = ("TimeOfDayCondition", "UserDefinedValueCondition",
                     "TrafficSignalControllerCondition", "VariableCondition")
