"""``ParameterAction`` and ``VariableAction`` (ASAM OpenSCENARIO 1.x GlobalAction): SetAction
and ModifyAction.

They change the run-time parameter (variable) values read by ParameterCondition
(VariableCondition); attribute values
written as ``$name`` elsewhere were resolved when the scenario was loaded (as in esmini).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lxml import etree

from scenarios.errors import ScenarioError
from scenarios.expressions import format_value
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.actions.base import Done
from scenarios.xmlsource import child, children


def _coerce(old: object, text: str) -> object:
    """``text`` as the type of ``old``; ValueError for a number that is not finite (NaN is
    refused everywhere else in a scenario) or an integer out of float range."""
    if isinstance(old, bool):
        return text.strip().lower() in ("true", "1")
    if isinstance(old, (int, float)):
        number = float(text)
        if not math.isfinite(number):
            raise ValueError(text)
        return int(number) if isinstance(old, int) else number
    return text


@dataclass(frozen=True)
class ParameterSetAction:
    """Set parameter (or variable: ``store="variables"``) ``parameter`` to ``value``
    (converted to its type)."""

    ELEMENT = "SetAction"
    PRIVATE = False
    parameter: str
    value: str
    store: str = "parameters"

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        values = getattr(rt, self.store)
        old = values.get(self.parameter, "")
        try:
            values[self.parameter] = _coerce(old, self.value)
        except ValueError:
            raise ScenarioError(f"cannot set {self.store[:-1]} '{self.parameter}' "
                                f"({type(old).__name__}) to '{self.value}'",
                                element="SetAction") from None
        return Done()


@dataclass(frozen=True)
class ParameterModifyAction:
    """Add ``value`` to, or multiply by ``value``, a numeric parameter (or variable)."""

    ELEMENT = "ModifyAction"
    PRIVATE = False
    parameter: str
    operation: str
    value: float
    store: str = "parameters"

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        values = getattr(rt, self.store)
        old = values.get(self.parameter)
        if not isinstance(old, (int, float)) or isinstance(old, bool):
            raise ScenarioError(f"{self.store[:-1]} '{self.parameter}' = {old!r} is not numeric",
                                element="ModifyAction")
        new = old + self.value if self.operation == "AddValue" else old * self.value
        if not math.isfinite(new):  # as SetAction: every numeric attribute must be finite
            raise ScenarioError(f"{self.store[:-1]} '{self.parameter}' = {old!r} "
                                f"{'+' if self.operation == 'AddValue' else 'x'} "
                                f"{self.value!r} is {new}: expected a finite number",
                                element="ModifyAction")
        values[self.parameter] = type(old)(new) if isinstance(old, int) and \
            float(new).is_integer() else new
        return Done()


def _set_or_modify(el: etree._Element, ctx: ParseContext, name: str, store: str):
    src = ctx.src
    inner = next(children(el), None)
    if inner is not None and inner.tag == "SetAction":
        return ParameterSetAction(name, format_value(src.attr(inner, "value", lambda v: v)),
                                  store)
    if inner is not None and inner.tag == "ModifyAction":
        rule = child(inner, "Rule")
        op = next(children(rule), None) if rule is not None else None
        if op is None or op.tag not in ("AddValue", "MultiplyByValue"):
            raise src.error(inner, "expected Rule with AddValue or MultiplyByValue")
        return ParameterModifyAction(name, str(op.tag), src.attr(op, "value", float), store)
    raise src.error(el, "expected SetAction or ModifyAction")


@dataclass(frozen=True)
class ParameterAction:
    """``ParameterAction``: parses into a ParameterSetAction or ParameterModifyAction."""

    ELEMENT = "ParameterAction"

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return _set_or_modify(el, ctx, ctx.parameter_ref(el), "parameters")


@dataclass(frozen=True)
class VariableAction:
    """``VariableAction`` (1.2): the same Set/Modify on the run-time variables
    (VariableDeclarations)."""

    ELEMENT = "VariableAction"

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return _set_or_modify(el, ctx, ctx.variable_ref(el), "variables")


PARAMETER_ACTIONS = (ParameterAction, VariableAction)
