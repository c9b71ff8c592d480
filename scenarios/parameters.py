"""ParameterDeclarations and ParameterAssignments (ASAM OpenSCENARIO 1.x, clause "Parameters"),
and the global VariableDeclarations (1.2) and MonitorDeclarations (1.3).

Declarations are read in document order, so a value may use ``$name`` or ``${...}`` over the
parameters declared before it (and over the enclosing scopes). Values are typed by
``parameterType``: ``double`` -> float, ``integer``/``unsignedInt``/``unsignedShort`` -> int,
``boolean`` -> bool, ``string``/``dateTime`` -> str; integers within their XSD type's range,
a dateTime an ISO 8601 date and time, and a value within its ``ConstraintGroup``s (1.2).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from collections.abc import Callable, Mapping
from types import MappingProxyType

from lxml import etree

from scenarios.conditions.base import RULES, compare
from scenarios.errors import ScenarioError
from scenarios.expressions import Value, format_value
from scenarios.xmlsource import (CONVERTERS, ParameterScope, Source, child, children,
                                 declared_name)

PARAMETER_TYPES: Mapping[str, type] = MappingProxyType({
    "double": float, "integer": int, "unsignedInt": int, "unsignedShort": int,
    "boolean": bool, "string": str, "dateTime": str,
})


def as_type(ptype: str, value: Value) -> Value:
    """``value`` as a value of the known OpenSCENARIO ``parameterType`` ``ptype``
    (:data:`PARAMETER_TYPES`): converted to its Python type, within its range
    (:data:`TYPE_RANGES`), a dateTime in the xsd:dateTime form and a real calendar date.

    Raises:
        ValueError / TypeError: a value that type cannot take.
    """
    out = CONVERTERS[PARAMETER_TYPES[ptype]](value)
    if ptype in TYPE_RANGES and not TYPE_RANGES[ptype][0] <= out <= TYPE_RANGES[ptype][1]:
        raise ValueError(ptype)
    if ptype == "dateTime":
        text = out.strip()
        if not XSD_DATETIME.fullmatch(text):
            raise ValueError(out)
        _instant(text)                                                  # month 13, hour 99
    return out


def typed_value(src: Source, el: etree._Element, ptype: str, value: Value) -> Value:
    """Convert ``value`` to the Python type of OpenSCENARIO ``parameterType`` ``ptype``
    (:func:`as_type`).

    Raises:
        ScenarioError: unknown type, or a value not of that type (naming the element).
    """
    if ptype not in PARAMETER_TYPES:
        raise src.error(el, f"parameterType='{ptype}': expected one of "
                            f"{', '.join(PARAMETER_TYPES)}")
    try:
        out = as_type(ptype, value)
    except (ValueError, TypeError):
        lo_hi = (f" ({TYPE_RANGES[ptype][0]} to {TYPE_RANGES[ptype][1]})"
                 if ptype in TYPE_RANGES else
                 " (an xsd:dateTime, e.g. 2024-05-01T10:00:00)" if ptype == "dateTime" else "")
        raise src.error(el, f"value '{format_value(value)}' is not of type {ptype}"
                            f"{lo_hi}") from None
    return out


XSD_DATETIME = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?"
                          r"(Z|[+-]\d{2}:\d{2})?", re.ASCII)
"""The lexical form of xsd:dateTime (XML Schema 1.1 part 2, 3.3.8): a date, ``T`` and a
time are all required; ``datetime.fromisoformat`` also takes a bare date or ``20240501``."""

TYPE_RANGES: Mapping[str, tuple[int, int]] = MappingProxyType({
    "integer": (-2**31, 2**31 - 1), "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 65535),
})
"""Value ranges of the integer parameter types (XSD int, unsignedInt, unsignedShort: ASAM
OpenSCENARIO 1.x ParameterType)."""

@dataclass(frozen=True)
class ValueRule:
    """What every value of a declared parameter or variable must meet, at load and when a
    ParameterAction / VariableAction sets it at run time: its type's range
    (:data:`TYPE_RANGES`), the xsd:dateTime form, and (parameters, OpenSCENARIO 1.2) its
    ``ConstraintGroup`` elements, each an AND of ``(rule, bound)`` pairs, at least one of
    which must hold (rules applied as conditions apply them:
    :func:`scenarios.conditions.base.compare`)."""

    ptype: str
    groups: tuple[tuple[tuple[str, Value], ...], ...] = ()

    def unmet_groups(self, value: Value) -> str | None:
        """The groups as text (``lessThan 10; or equalTo 20``) when none holds, else None."""
        if not self.groups or any(all(constraint_holds(self.ptype, value, bound, rule)
                                      for rule, bound in group) for group in self.groups):
            return None
        return "; or ".join(" and ".join(f"{rule} {format_value(bound)}" for rule, bound in g)
                            for g in self.groups)

    def violation(self, value: Value) -> str | None:
        """Why ``value`` (already of the type's Python type) may not be held, or None."""
        if self.ptype in PARAMETER_TYPES:
            try:
                as_type(self.ptype, value)
            except (ValueError, TypeError):
                lo_hi = TYPE_RANGES.get(self.ptype)
                return (f"outside the range of {self.ptype} ({lo_hi[0]} to {lo_hi[1]})"
                        if lo_hi is not None else
                        "not an xsd:dateTime (e.g. 2024-05-01T10:00:00)"
                        if self.ptype == "dateTime" else f"not of type {self.ptype}")
        unmet = self.unmet_groups(value)
        return f"meets none of its ConstraintGroups: {unmet}" if unmet else None


def constraint_holds(ptype: str, value: Value, bound: Value, rule: str) -> bool:
    """Whether ``value`` of a parameter of type ``ptype`` meets ``rule`` against ``bound``
    (OpenSCENARIO 1.2 ValueConstraint; :func:`scenarios.conditions.base.compare`). A
    dateTime compares as the instant it names (``10:00+03:00`` equals ``11:00+04:00``; no
    offset: UTC). A string is equal or not as text ("1.10" is not "1.1"); under an ordering
    rule it compares as a number when both sides are numbers (the UN R157 ALKS scenarios
    bound a string lane id "-4" by ``lessOrEqual -3``), else as text, code point by code
    point; a boolean false before true."""
    if ptype == "dateTime":
        value, bound = _instant(str(value)), _instant(str(bound))
    elif ptype == "string" and rule not in ("equalTo", "notEqualTo"):
        numbers = _number(value), _number(bound)
        if None not in numbers:
            value, bound = numbers
    return compare(value, bound, rule)


def _instant(text: str) -> datetime.datetime:
    """The instant an xsd:dateTime names (UTC when it gives no offset)."""
    moment = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def _number(value: Value) -> float | None:
    """``value`` as a finite number when its text is an xsd:double literal, else None."""
    try:
        return CONVERTERS[float](value)      # refuses NaN and the infinities itself
    except (ValueError, TypeError):
        return None


def value_rule(src: Source, decl: etree._Element, ptype: str) -> ValueRule:
    """The :class:`ValueRule` of declaration ``decl`` of type ``ptype``; its ConstraintGroups'
    bounds read as values of that type (``$name`` resolved in ``src``'s scope).

    Raises:
        ScenarioError: a ConstraintGroup without ValueConstraint, an unknown rule, a bound not
            of the parameter's type.
    """
    groups = []
    for group in children(decl, "ConstraintGroup"):
        parts = []
        for vc in children(group, "ValueConstraint"):
            rule = src.attr(vc, "rule", str)
            if rule not in RULES:
                raise src.error(vc, f"rule='{rule}': expected one of {', '.join(RULES)}")
            bound = typed_value(src, vc, ptype, src.attr(vc, "value", lambda v: v))
            parts.append((rule, bound))
        if not parts:   # OpenSCENARIO 1.2 ValueConstraintGroup: ValueConstraint 1..*
            raise src.error(group, "a ConstraintGroup needs at least one ValueConstraint")
        groups.append(tuple(parts))
    return ValueRule(ptype, tuple(groups))


def constraint_error(src: Source, decl: etree._Element, ptype: str,
                     value: Value) -> ScenarioError | None:
    """A declared value against the declaration's ``ConstraintGroup`` elements (OpenSCENARIO
    1.2 ParameterDeclaration: each group an AND of ``ValueConstraint``s ``{rule, value}``; the
    value must satisfy at least one group, :func:`value_rule`): the error naming the
    declaration and the groups when none holds, else None.

    Raises:
        ScenarioError: a ValueConstraint is malformed (unknown rule, a value not of the
            parameter's type).
    """
    unmet = value_rule(src, decl, ptype).unmet_groups(value)
    if not unmet:
        return None
    return src.error(decl, f"value {format_value(value)} of parameter "
                           f"'{declared_name(decl)}' meets none of its ConstraintGroups: "
                           f"{unmet}")


def declaration_of(el: etree._Element, name: str, store: str
                   ) -> tuple[etree._Element, str] | None:
    """The declaration of parameter (``store="parameters"``) or variable (``"variables"``)
    ``name`` that ``el`` sees, and its type: for a parameter the ``ParameterDeclaration`` in
    the nearest enclosing ``ParameterDeclarations`` (Story, catalog entry, ..., the file's),
    for a variable the file's ``VariableDeclaration``; None when none declares it here."""
    block, item, type_attr = (("ParameterDeclarations", "ParameterDeclaration", "parameterType")
                              if store == "parameters" else
                              ("VariableDeclarations", "VariableDeclaration", "variableType"))
    holders = el.iterancestors() if store == "parameters" else iter((el.getroottree().getroot(),))
    for holder in holders:
        decls = child(holder, block)
        for d in children(decls, item) if decls is not None else ():
            if declared_name(d) == name:
                return d, d.get(type_attr, "string")
    return None


def read_declarations(src: Source, owner: etree._Element,
                      overrides: Mapping[str, Value] | None = None,
                      assigned_by: Mapping[str, tuple[Source, etree._Element]] | None = None,
                      unmet: list[ScenarioError] | None = None) -> ParameterScope:
    """Read ``owner``'s ``ParameterDeclarations`` into a new scope nested in ``src.scope``.

    Args:
        src: the file and the enclosing scope.
        owner: the element holding a ``ParameterDeclarations`` child (may have none).
        overrides: values replacing the declared ones (command-line parameters, catalog
            ParameterAssignments); converted to the declared type.
        assigned_by: for overrides that come from a ParameterAssignment, its file and
            element: a value not of the declared type is blamed on the assignment.
        unmet: when given, a value meeting none of its ConstraintGroups is added to it (and
            declared) instead of raised: ``scenario check`` names every such value at once.

    Returns:
        the new scope (empty when there are no declarations).

    Raises:
        ScenarioError: unknown ``$name`` in a value, bad type, a name declared twice with
            another type or value (the same declaration repeated is read once, as esmini
            reads it).
    """
    scope = src.scope.child()
    decls = child(owner, "ParameterDeclarations")
    if decls is None:
        return scope
    local_src = src.with_scope(scope)
    first: dict[str, etree._Element] = {}   # name -> its first declaration
    for d in children(decls, "ParameterDeclaration"):
        name = local_src.declared_name(d)
        ptype = local_src.attr(d, "parameterType", str, "string")
        if name in first:
            if declaration_key(d) == declaration_key(first[name]):
                continue  # the same declaration again, as esmini's follow_reference.xosc has
            same_type = declaration_key(d)[0] == declaration_key(first[name])[0]
            raise src.error(d, f"parameter '{name}' declared twice, with another "
                               f"{'value' if same_type else 'type'} (line "
                               f"{first[name].sourceline})")
        first[name] = d
        if overrides is not None and name in overrides:
            value: Value = overrides[name]
            if assigned_by and name in assigned_by:
                try:
                    value = typed_value(local_src, d, ptype, value)
                except ScenarioError:
                    site_src, site = assigned_by[name]
                    raise site_src.error(site, f"value '{format_value(value)}' of parameter "
                                               f"'{name}' is not of type {ptype} (declared in "
                                               f"{src.file}, line {d.sourceline})") from None
        else:
            value = local_src.attr(d, "value", lambda v: v)
        typed = typed_value(local_src, d, ptype, value)
        error = constraint_error(local_src, d, ptype, typed)
        if error is not None and unmet is None:
            raise error
        if error is not None:
            unmet.append(error)
        scope.declare(name, typed)
    return scope


def declaration_key(decl: etree._Element) -> tuple[str, str | None]:
    """``(parameterType, value)`` of a ParameterDeclaration as written (type ``string`` when
    absent): two declarations of one name with the same key are one declaration repeated,
    read once as esmini reads it (:func:`read_declarations`; ``scenario check`` warns)."""
    return decl.get("parameterType", "string"), decl.get("value")


def read_global_declarations(src: Source, root: etree._Element, block: str, kind: str,
                             value_of: Callable[[etree._Element], Value]) -> dict[str, Value]:
    """Read a global ``<block>`` of ``<block minus 's'>`` children (``VariableDeclarations``,
    1.2; ``MonitorDeclarations``, 1.3; ASAM OpenSCENARIO ``ScenarioDefinition``), in document
    order: ``name`` -> ``value_of(element)``.

    Args:
        src: the file and its global parameter scope. root: the ``OpenSCENARIO`` element.
        block: the container element name. kind: what is declared (``variable``,
            ``monitor``), for messages. value_of: reads one declaration's typed value
            (raising ScenarioError with file and line on a bad one).

    Returns:
        name -> value; empty without the block.

    Raises:
        ScenarioError: a missing name, a name declared twice (file, line, element), or what
            ``value_of`` raises.
    """
    out: dict[str, Value] = {}
    decls = child(root, block)
    for d in children(decls, block[:-1]) if decls is not None else ():
        name = src.attr(d, "name", str)
        if name in out:
            raise src.error(d, f"{kind} '{name}' declared twice")
        out[name] = value_of(d)
    return out


def read_variables(src: Source, root: etree._Element) -> dict[str, Value]:
    """Read the global ``VariableDeclarations`` (OpenSCENARIO 1.2): name -> typed initial value
    (``variableType``, the parameter types).

    Raises:
        ScenarioError: bad type or value, duplicate declaration.
    """
    return read_global_declarations(
        src, root, "VariableDeclarations", "variable",
        lambda d: typed_value(src, d, src.attr(d, "variableType", str, "string"),
                              src.attr(d, "value", lambda v: v)))


def read_monitors(src: Source, root: etree._Element) -> dict[str, bool]:
    """Read the global ``MonitorDeclarations`` (OpenSCENARIO 1.3 ``MonitorDeclaration``:
    ``name``, ``value`` an xsd:boolean, ``$param`` or ``${expr}``): name -> initial value.

    Raises:
        ScenarioError: an empty name, a value that is not a boolean, a duplicate declaration
            (each naming the file, the line and ``MonitorDeclaration``).
    """
    def value_of(d: etree._Element) -> bool:
        if not src.attr(d, "name", str).strip():
            raise src.error(d, "monitor name is empty: expected the name SetMonitorAction "
                               "refers to")
        return src.attr(d, "value", bool)
    declared = read_global_declarations(src, root, "MonitorDeclarations", "monitor", value_of)
    return {name: bool(value) for name, value in declared.items()}


def read_assignments(src: Source, owner: etree._Element
                     ) -> dict[str, tuple[Value, etree._Element]]:
    """Read ``owner``'s ``ParameterAssignments`` (of a CatalogReference) as
    name -> (value, the ParameterAssignment element).

    Values are resolved in ``src.scope`` (the referencing scope), not in the catalog's.
    """
    out: dict[str, tuple[Value, etree._Element]] = {}
    block = child(owner, "ParameterAssignments")
    if block is None:
        return out
    for a in children(block, "ParameterAssignment"):
        out[src.name_ref(a, "parameterRef")] = (src.attr(a, "value", lambda v: v), a)
    return out
