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
from scenarios.parameters import ValueRule, declaration_of, value_rule
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.actions.base import Done
from scenarios.xmlsource import CONVERTERS, child, children


def _coerce(old: object, text: str) -> object:
    """``text`` as the type of ``old``, read as a declaration's value of that type is
    (``scenarios.xmlsource.CONVERTERS``: an xsd:boolean, a whole number for an integer, a
    finite number); ValueError otherwise (``"yes"`` had set a boolean to false, ``"1.5"`` an
    integer to 1)."""
    if isinstance(old, (bool, int, float)):
        return CONVERTERS[type(old)](text)
    return text


def _held(rule: ValueRule | None, store: str, name: str, value: object, element: str) -> None:
    """Refuse ``value`` for ``name`` when its declaration's :class:`ValueRule` does not allow
    it (a type's range, a ConstraintGroup): a SetAction of 70000 on an unsignedShort, or of 50
    under ``lessThan 10``, had been held."""
    why = rule.violation(value) if rule is not None else None
    if why:
        raise ScenarioError(f"{store[:-1]} '{name}' cannot take {format_value(value)}: {why}",
                            element=element)


@dataclass(frozen=True)
class ParameterSetAction:
    """Set parameter (or variable: ``store="variables"``) ``parameter`` to ``value``
    (converted to its type, held to its declaration's ``rule``)."""

    ELEMENT = "SetAction"
    PRIVATE = False
    parameter: str
    value: str
    store: str = "parameters"
    rule: ValueRule | None = None

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        values = getattr(rt, self.store)
        old = values.get(self.parameter, "")
        try:
            new = _coerce(old, self.value)
        except ValueError:
            raise ScenarioError(f"cannot set {self.store[:-1]} '{self.parameter}' "
                                f"({type(old).__name__}) to '{self.value}'",
                                element="SetAction") from None
        _held(self.rule, self.store, self.parameter, new, "SetAction")
        values[self.parameter] = new
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
    rule: ValueRule | None = None

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
        if isinstance(old, int) and not float(new).is_integer():   # 3 x 0.5 had made an
            raise ScenarioError(f"{self.store[:-1]} '{self.parameter}' = {old!r} "  # integer 1.5
                                f"{'+' if self.operation == 'AddValue' else 'x'} "
                                f"{self.value!r} is {new!r}: an integer "
                                f"{self.store[:-1]} takes whole numbers only",
                                element="ModifyAction")
        new = int(new) if isinstance(old, int) else new
        _held(self.rule, self.store, self.parameter, new, "ModifyAction")
        values[self.parameter] = new
        return Done()


def _set_or_modify(el: etree._Element, ctx: ParseContext, name: str, store: str):
    """The Set/ModifyAction under ``el``. For a parameter or variable whose declaration (hence
    type) is known, a value its type cannot take (its range and ConstraintGroups included:
    :func:`scenarios.parameters.value_rule`), or a ModifyAction on a boolean or string, is
    refused here, at load, as the run would refuse it when the action starts; the run holds
    every new value to the same rule."""
    src = ctx.src
    inner = next(children(el), None)
    declared = (src.scope.lookup(name) if store == "parameters" else
                (ctx.variables or {}).get(name))
    found = declaration_of(el, name, store)
    held = value_rule(src, *found) if found is not None else None
    if inner is not None and inner.tag == "SetAction":
        value = format_value(src.attr(inner, "value", lambda v: v))
        if declared is not None:
            try:
                new = _coerce(declared, value)
            except ValueError:
                raise src.error(inner, f"cannot set {store[:-1]} '{name}' "
                                       f"({type(declared).__name__}) to '{value}'") from None
            why = held.violation(new) if held is not None else None
            if why:
                raise src.error(inner, f"{store[:-1]} '{name}' cannot take {value}: {why}")
        return ParameterSetAction(name, value, store, held)
    if inner is not None and inner.tag == "ModifyAction":
        rule = child(inner, "Rule")
        op = next(children(rule), None) if rule is not None else None
        if op is None or op.tag not in ("AddValue", "MultiplyByValue"):
            raise src.error(inner, "expected Rule with AddValue or MultiplyByValue")
        if isinstance(declared, (bool, str)):
            raise src.error(inner, f"{store[:-1]} '{name}' = {declared!r} is not numeric: a "
                                   f"ModifyAction needs a double or integer {store[:-1]}")
        return ParameterModifyAction(name, str(op.tag), src.attr(op, "value", float), store,
                                     held)
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
