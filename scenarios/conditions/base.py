"""Condition evaluation shared by every condition: edges, delay, groups and triggers.

Follows ASAM OpenSCENARIO 1.x clause "Conditions and triggers" with esmini's reading of it
(``OSCCondition.cpp``):

* a condition class only computes the raw test (``spec.check(rt, cr) -> bool``);
* edges: ``none`` passes the raw value; ``rising``/``falling``/``risingOrFalling`` compare with
  the previous raw value and need one earlier evaluation since the trigger last fired;
* ``delay``: the value reported at time t is the edge-filtered value of time ``t - delay``;
* a ConditionGroup is the AND of its conditions; once one is false, later ones are evaluated
  only when they have a delay (their history must keep running);
* a Trigger is the OR of its groups, all groups evaluated; when it fires, its conditions go
  back to "not yet evaluated" so an edge needs a fresh transition;
* rules compare with a tolerance of 1e-10 (esmini's ``SMALL_NUMBER``) for floats.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scenarios.model import ConditionDef, TriggerDef

SMALL_NUMBER = 1e-10
RULES = ("greaterThan", "lessThan", "equalTo", "greaterOrEqual", "lessOrEqual", "notEqualTo")


def compare(a: Any, b: Any, rule: str) -> bool:
    """Apply an OpenSCENARIO ``Rule`` to ``a`` (measured) and ``b`` (the condition's value).

    Floats compare with a tolerance of 1e-10; strings and bools exactly.
    """
    if isinstance(a, (int, float)) and not isinstance(a, bool) and isinstance(b, (int, float)):
        a, b = float(a), float(b)
        eq = abs(a - b) < SMALL_NUMBER
        return {"greaterThan": a > b + SMALL_NUMBER, "lessThan": a < b - SMALL_NUMBER,
                "equalTo": eq, "notEqualTo": not eq,
                "greaterOrEqual": a >= b - SMALL_NUMBER,
                "lessOrEqual": a <= b + SMALL_NUMBER}[rule]
    return {"greaterThan": a > b, "lessThan": a < b, "equalTo": a == b, "notEqualTo": a != b,
            "greaterOrEqual": a >= b, "lessOrEqual": a <= b}[rule]


class ConditionRuntime:
    """The run-time state of one :class:`ConditionDef`.

    Attributes:
        cdef: the parsed condition. value: the last delayed, edge-filtered value.
        memo: per-condition scratch space for the condition class.
        changes: storyboard state changes registered since the last evaluation (for
            StoryboardElementStateCondition), as ``(element, state, transition)``.
        entities: the triggering entities that made a ByEntityCondition true, as of its
            last evaluation that was true for any (:func:`apply_rule`); the actors
            selectTriggeringEntities adds (OpenSCENARIO 1.2, 7.3.1).
    """

    def __init__(self, cdef: ConditionDef) -> None:
        self.cdef = cdef
        self.value = False
        self.entities: tuple[str, ...] = ()
        self.memo: dict[str, Any] = {}
        self.changes: list[tuple[Any, str, str]] = []
        self._evaluated = False
        self._last_raw = False
        self._history: list[tuple[float, bool]] = []

    def _edge(self, raw: bool) -> bool:
        edge = self.cdef.edge
        if edge == "none":
            return raw
        if not self._evaluated:
            return False
        if edge == "rising":
            return raw and not self._last_raw
        if edge == "falling":
            return self._last_raw and not raw
        return raw != self._last_raw

    def _delayed(self, t: float) -> bool:
        target = t - self.cdef.delay + 1e-9
        value = False
        for when, v in self._history:
            if when > target:
                break
            value = v
        return value

    def evaluate(self, rt: Any) -> bool:
        """Evaluate at ``rt.time`` and return the delayed, edge-filtered value."""
        raw = bool(self.cdef.spec.check(rt, self))
        current = self._edge(raw)
        self._last_raw = raw
        self._evaluated = True
        if not self._history or self._history[-1][1] != current:
            self._history.append((rt.time, current))
        self.value = self._delayed(rt.time) if self.cdef.delay > 0.0 else current
        return self.value

    def rearm(self) -> None:
        """Forget the previous raw value (after the trigger fired)."""
        self._evaluated = False

    def reset(self) -> None:
        """Clear everything (before a new execution of the owning element)."""
        self.rearm()
        self._last_raw = False
        self._history.clear()
        self.value = False
        self.changes.clear()


class TriggerRuntime:
    """The run-time state of a :class:`TriggerDef`: OR of AND-groups."""

    def __init__(self, tdef: TriggerDef) -> None:
        self.groups = [[ConditionRuntime(c) for c in g] for g in tdef.groups]
        self.fired_entities: tuple[str, ...] = ()

    def conditions(self) -> Iterator[ConditionRuntime]:
        """Yield every condition of the trigger."""
        for g in self.groups:
            yield from g

    def evaluate(self, rt: Any) -> bool:
        """Evaluate all groups at ``rt.time``; True when at least one group is all-true.
        Every condition is evaluated at every step, a false one before it in its group or
        not (ASAM OpenSCENARIO XML 1.3, 7.6: a condition works on its current and previous
        evaluations, so an edge after a false sibling must still see the step before; an
        AND does not depend on its order. esmini 2.x's v3 stops at the first false one).
        When it fires, ``fired_entities`` holds the triggering entities of the true
        conditions of the true groups, in order (OpenSCENARIO 1.2, 7.3.1)."""
        fired = False
        entities: dict[str, None] = {}
        for group in self.groups:
            results = [cond.evaluate(rt) for cond in group]
            if group and all(results):
                fired = True
                entities.update((e, None) for cond in group for e in cond.entities)
        if fired:
            self.fired_entities = tuple(entities)
            for cond in self.conditions():
                cond.rearm()
        return fired

    def reset(self) -> None:
        """Reset every condition (the owning element runs again)."""
        for cond in self.conditions():
            cond.reset()


class EntityConditionBase:
    """Base of ByEntityConditions: applies the triggering-entities rule over ``test``.

    Subclasses implement ``test(rt, entity) -> bool | None`` (None: undefined, e.g. a time
    headway with the target behind, which counts as false). ``any``: one true entity is
    enough; ``all``: every entity must be true.
    """

    def test(self, rt: Any, entity: str) -> bool | None:  # pragma: no cover - abstract
        """Raw test for one triggering entity (None: undefined = false)."""
        raise NotImplementedError

    def check(self, rt: Any, cr: ConditionRuntime) -> bool:
        """Raw value at ``rt.time`` (edges, delay: ConditionRuntime)."""
        return apply_rule(cr, [bool(self.test(rt, e)) for e in cr.cdef.triggering])


def apply_rule(cr: ConditionRuntime, results: list[bool]) -> bool:
    """The triggeringEntitiesRule over ``results`` (one per ``cr.cdef.triggering`` entity):
    ``all`` or ``any``; False without entities. Notes the entities whose result is true in
    ``cr.entities`` when there is one."""
    true = tuple(e for e, r in zip(cr.cdef.triggering, results) if r)
    if true:
        cr.entities = true
    if not results:
        return False
    return all(results) if cr.cdef.rule_all else any(results)


class LastingConditionBase(EntityConditionBase):
    """Base of conditions that must hold for ``duration`` [s] (Offroad, EndOfRoad).

    Subclasses have a ``duration`` field and implement ``now(rt, entity) -> bool``; an entity
    counts once the state has lasted ``duration`` without interruption.
    """

    def now(self, rt: Any, entity: str) -> bool:  # pragma: no cover - abstract
        """Whether the state holds for ``entity`` at ``rt.time``."""
        raise NotImplementedError

    def check(self, rt: Any, cr: ConditionRuntime) -> bool:
        """Raw value at ``rt.time`` (edges, delay: ConditionRuntime)."""
        since = cr.memo.setdefault("since", {})
        results = []
        for e in cr.cdef.triggering:
            if self.now(rt, e):
                since.setdefault(e, rt.time)
            else:
                since.pop(e, None)
            results.append(e in since and rt.time - since[e] >= self.duration - 1e-9)
        return apply_rule(cr, results)
