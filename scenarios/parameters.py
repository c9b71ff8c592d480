"""ParameterDeclarations and ParameterAssignments (ASAM OpenSCENARIO 1.x, clause "Parameters").

Declarations are read in document order, so a value may use ``$name`` or ``${...}`` over the
parameters declared before it (and over the enclosing scopes). Values are typed by
``parameterType``: ``double`` -> float, ``integer``/``unsignedInt``/``unsignedShort`` -> int,
``boolean`` -> bool, ``string``/``dateTime`` -> str.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lxml import etree

from scenarios.expressions import Value, format_value
from scenarios.xmlsource import CONVERTERS, ParameterScope, Source, child, children

PARAMETER_TYPES: Mapping[str, type] = MappingProxyType({
    "double": float, "integer": int, "unsignedInt": int, "unsignedShort": int,
    "boolean": bool, "string": str, "dateTime": str,
})


def typed_value(src: Source, el: etree._Element, ptype: str, value: Value) -> Value:
    """Convert ``value`` to the Python type of OpenSCENARIO ``parameterType`` ``ptype``.

    Raises:
        ScenarioError: unknown type, or a value not of that type (naming the element).
    """
    if ptype not in PARAMETER_TYPES:
        raise src.error(el, f"parameterType='{ptype}': expected one of "
                            f"{', '.join(PARAMETER_TYPES)}")
    conv = PARAMETER_TYPES[ptype]
    try:
        return CONVERTERS[conv](value)
    except (ValueError, TypeError):
        raise src.error(el, f"value '{format_value(value)}' is not of type {ptype}") from None


def read_declarations(src: Source, owner: etree._Element,
                      overrides: Mapping[str, Value] | None = None) -> ParameterScope:
    """Read ``owner``'s ``ParameterDeclarations`` into a new scope nested in ``src.scope``.

    Args:
        src: the file and the enclosing scope.
        owner: the element holding a ``ParameterDeclarations`` child (may have none).
        overrides: values replacing the declared ones (command-line parameters, catalog
            ParameterAssignments); converted to the declared type.

    Returns:
        the new scope (empty when there are no declarations).

    Raises:
        ScenarioError: unknown ``$name`` in a value, bad type, duplicate declaration.
    """
    scope = src.scope.child()
    decls = child(owner, "ParameterDeclarations")
    if decls is None:
        return scope
    local_src = src.with_scope(scope)
    for d in children(decls, "ParameterDeclaration"):
        name = local_src.attr(d, "name", str)
        ptype = local_src.attr(d, "parameterType", str, "string")
        if name in scope.local():
            raise src.error(d, f"parameter '{name}' declared twice")
        if overrides is not None and name in overrides:
            value: Value = overrides[name]
        else:
            value = local_src.attr(d, "value", lambda v: v)
        scope.declare(name, typed_value(local_src, d, ptype, value))
    return scope


def read_variables(src: Source, root: etree._Element) -> dict[str, Value]:
    """Read the global ``VariableDeclarations`` (OpenSCENARIO 1.2): name -> typed initial value
    (``variableType``, the parameter types).

    Raises:
        ScenarioError: bad type or value, duplicate declaration.
    """
    out: dict[str, Value] = {}
    decls = child(root, "VariableDeclarations")
    for d in children(decls, "VariableDeclaration") if decls is not None else ():
        name = src.attr(d, "name", str)
        if name in out:
            raise src.error(d, f"variable '{name}' declared twice")
        out[name] = typed_value(src, d, src.attr(d, "variableType", str, "string"),
                                src.attr(d, "value", lambda v: v))
    return out


def read_assignments(src: Source, owner: etree._Element) -> dict[str, Value]:
    """Read ``owner``'s ``ParameterAssignments`` (of a CatalogReference) as name -> value.

    Values are resolved in ``src.scope`` (the referencing scope), not in the catalog's.
    """
    out: dict[str, Value] = {}
    block = child(owner, "ParameterAssignments")
    if block is None:
        return out
    for a in children(block, "ParameterAssignment"):
        out[src.name_ref(a, "parameterRef")] = src.attr(a, "value", lambda v: v)
    return out
