"""Enumeration attributes checked when a scenario or catalog is loaded, as the XSD defines them.

``testzone scenario check`` validates a whole file against the ASAM XSD of its revision; a run
does not (a schema validation reports every deviation, and many files that esmini and this
player run well deviate in harmless ways). What a run must not do is read an unknown
enumeration value as something else: ``vehicleCategory="spaceship"`` played as a car,
``cloudState="stormy"`` ignored. So the loader refuses a literal attribute value outside the
enumeration the revision's XSD gives for that element and attribute, with the file, line and
the allowed values (ASAM OpenSCENARIO 1.x XSD, the ``xsd:enumeration`` facets of its simple
types, reached directly or through the ``xsd:union`` that admits ``$parameter`` references).

A value that refers to a parameter (``$name``, ``${...}``) is checked where it is read, as its
value depends on the scope; a tag used by several complex types is checked against the union
of their allowed values.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from lxml import etree

from scenarios.check import XSD_NS, schema_path
from scenarios.errors import ScenarioError

_XS = f"{{{XSD_NS}}}"
Table = Mapping[str, Mapping[str, tuple[str, ...]]]


def _merge(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """The values of ``groups`` in order of first appearance."""
    return tuple(dict.fromkeys(v for g in groups for v in g))


def _simple_type_values(schema: etree._Element) -> dict[str, tuple[str, ...]]:
    """Named simple type -> its enumeration values in the XSD's order (unions: their
    members' values)."""
    direct: dict[str, tuple[str, ...]] = {}
    unions: dict[str, list[str]] = {}
    for st in schema.iter(f"{_XS}simpleType"):
        name = st.get("name")
        if not name:
            continue
        values = [e.get("value") for e in st.iter(f"{_XS}enumeration")]
        union = st.find(f"{_XS}union")
        if union is not None:
            unions[name] = (union.get("memberTypes") or "").split()
        if values:
            direct[name] = _merge(tuple(values))
    out = dict(direct)
    for name, members in unions.items():
        found = [direct[m] for m in members if m in direct]
        if found:
            out[name] = _merge(*found)
    return out


@functools.cache
def enumeration_table(rev: tuple[int, int]) -> Table:
    """Element tag -> {attribute: allowed values, in the XSD's order} of revision ``rev``'s
    XSD (empty when the schema is not available). Read once per process.

    Element tags map to complex types through every ``xsd:element name=... type=...`` of the
    schema; an attribute typed by an enumeration (or a union over one) is listed."""
    path = schema_path(rev)
    if path is None:
        return MappingProxyType({})
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    schema = etree.parse(str(path), parser).getroot()
    values = _simple_type_values(schema)
    by_type: dict[str, dict[str, tuple[str, ...]]] = {}
    for ct in schema.iter(f"{_XS}complexType"):
        name = ct.get("name")
        if not name:
            continue
        for attr in ct.iter(f"{_XS}attribute"):
            allowed = values.get(attr.get("type", ""))
            if allowed is not None:
                by_type.setdefault(name, {})[attr.get("name")] = allowed
    table: dict[str, dict[str, tuple[str, ...]]] = {}
    for el in schema.iter(f"{_XS}element"):
        attrs = by_type.get(el.get("type", ""))
        if attrs is None or not el.get("name"):
            continue
        entry = table.setdefault(el.get("name"), {})
        for attr, allowed in attrs.items():
            entry[attr] = _merge(entry.get(attr, ()), allowed)
    return MappingProxyType({tag: MappingProxyType(a) for tag, a in table.items()})


def refuse_bad_enumerations(file: str, root: etree._Element, rev: tuple[int, int]) -> None:
    """Check every literal enumeration attribute under ``root`` against revision ``rev``.

    Raises:
        ScenarioError: naming the file, line, element, attribute, the value and the values
            the XSD allows.
    """
    table = enumeration_table(rev)
    if not table:
        return
    for el in root.iter():
        attrs = table.get(el.tag) if isinstance(el.tag, str) else None
        if not attrs:
            continue
        for attr, allowed in attrs.items():
            raw = el.get(attr)
            if raw is None or raw.lstrip().startswith("$") or raw in allowed:
                continue
            raise ScenarioError(f"attribute {attr}='{raw}': expected one of "
                                f"{', '.join(allowed)} (OpenSCENARIO "
                                f"{rev[0]}.{rev[1]} XSD)", file=file, line=el.sourceline,
                                element=str(el.tag))
