"""Safe XML reading and parameter-aware attribute access for OpenSCENARIO files.

User XML is untrusted: :func:`parse_xml` uses lxml with entity resolution, DTD loading and
network access off and ``huge_tree`` off, and keeps source line numbers for error messages.

:class:`Source` couples a file with its :class:`ParameterScope`: ``src.attr(el, "s", float)``
resolves ``$name`` references and ``${...}`` expressions (ASAM OpenSCENARIO 1.x, clause
"Parameters" and "Expressions") and converts the result, raising :class:`ScenarioError`
with file, line and element on any problem.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from lxml import etree

from scenarios.errors import ScenarioError
from scenarios.expressions import ExpressionError, Value, clip, evaluate, format_value
from testzone.numbers import xsd_double
from testzone.text import is_utf8_path, readable_path

T = TypeVar("T")
_MISSING: Any = object()
REQUIRED: Any = _MISSING
"""The ``default`` of :meth:`Source.attr` / :meth:`Source.choice` that makes an attribute
required (for a caller choosing between a default and none)."""


#: Most attributes one element may have. OpenSCENARIO 1.x elements define at most about a
#: dozen; lxml reads an element's attribute values in time quadratic in their number
#: (200,000 attributes took minutes), so more than this is refused as bad input.
MAX_ATTRIBUTES = 256


MAX_SCENARIO_BYTES = 64 * 1024 * 1024
"""Largest .xosc read [bytes]. Real scenarios take kilobytes, a long Polyline trajectory a few
megabytes; a 50 MB file took 86 s to check."""


def parse_xml(path: str | Path) -> etree._Element:
    """Parse an XML file safely and return its root element.

    Raises:
        ScenarioError: the file's name is not UTF-8, the file does not exist, is not a
            regular file or is larger than :data:`MAX_SCENARIO_BYTES`, declares entities
            (``<!ENTITY``: refused, since libxml2 expands internal entities in attributes),
            is not well-formed XML (with the line), or has an element with more than
            :data:`MAX_ATTRIBUTES` attributes (with its line).
    """
    path = Path(path)
    if not is_utf8_path(path):
        raise ScenarioError("the file name is not valid UTF-8 (rename the file)",
                            file=readable_path(path))
    from testzone.userfiles import UserFileError, read_regular
    try:
        data = read_regular(path, "file", MAX_SCENARIO_BYTES)
    except UserFileError as exc:
        raise ScenarioError(exc.message, file=str(path)) from None
    if data[:2] == b"\x1f\x8b":
        raise ScenarioError("a gzip-compressed file: expected plain OpenSCENARIO XML "
                            "(decompress it first)", file=str(path))
    pos = data.find(b"<!ENTITY")
    if pos >= 0:
        # libxml2 expands internal entities in attribute values even with
        # resolve_entities=False, so entity declarations are refused outright (as defusedxml).
        raise ScenarioError("entity declarations are not allowed in scenario files",
                            file=str(path), line=data.count(b"\n", 0, pos) + 1,
                            element="!ENTITY")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser, base_url=str(path))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise ScenarioError(f"invalid XML: {exc.msg}", file=str(path), line=line) from None
    for el in root.iter():
        if len(el.attrib) > MAX_ATTRIBUTES:
            raise ScenarioError(f"{len(el.attrib)} attributes on one element; at most "
                                f"{MAX_ATTRIBUTES} are read (OpenSCENARIO elements define "
                                f"about a dozen)", file=str(path), line=el.sourceline,
                                element=str(el.tag))
    return root


def children(el: etree._Element, tag: str | None = None) -> Iterator[etree._Element]:
    """Yield the element children of ``el`` (comments and processing instructions skipped)."""
    for c in el:
        if isinstance(c.tag, str) and (tag is None or c.tag == tag):
            yield c


def child(el: etree._Element, tag: str) -> etree._Element | None:
    """Return the first child element named ``tag``, or None."""
    return next(children(el, tag), None)


class ParameterScope:
    """Parameter values visible at one place of a scenario (ASAM OSC 1.x "Parameters").

    A scope holds its own declarations and falls back to its parent (global -> Story ->
    catalog entry). Values are typed: ``double`` -> float, ``integer``/``unsigned*`` -> int,
    ``boolean`` -> bool, others -> str.
    """

    def __init__(self, values: Mapping[str, Value] | None = None,
                 parent: ParameterScope | None = None) -> None:
        self._values: dict[str, Value] = dict(values or {})
        self._parent = parent

    def lookup(self, name: str) -> Value:
        """Return the value of ``name``; KeyError when no scope declares it."""
        scope: ParameterScope | None = self
        while scope is not None:
            if name in scope._values:
                return scope._values[name]
            scope = scope._parent
        raise KeyError(name)

    def child(self, values: Mapping[str, Value] | None = None) -> ParameterScope:
        """Return a nested scope with ``values`` declared on top of this one."""
        return ParameterScope(values, self)

    def declare(self, name: str, value: Value) -> None:
        """Declare (or override) ``name`` in this scope; used while reading declarations."""
        self._values[name] = value

    def local(self) -> dict[str, Value]:
        """Return a copy of this scope's own declarations."""
        return dict(self._values)


def _to_float(v: Value) -> float:
    """A finite double: NaN, infinities and overflowing literals (``1e400``) are refused, since
    every OpenSCENARIO attribute read as a number (positions, durations, speeds, ...) needs a
    finite value."""
    if isinstance(v, bool):
        raise ValueError("boolean")
    f = xsd_double(v) if isinstance(v, str) else float(v)
    if not math.isfinite(f):
        raise ValueError("not a finite number")
    return f


def _to_int(v: Value) -> int:
    f = _to_float(v)
    if not f.is_integer():
        raise ValueError("not an integer")
    return int(f)


def _to_bool(v: Value) -> bool:
    if isinstance(v, bool):
        return v
    text = format_value(v).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError("not a boolean")


def non_negative(v: Value) -> float:
    """A finite double >= 0: a converter for ``Source.attr`` where ASAM OpenSCENARIO gives the
    range [0..inf[ (durations [s], distances [m], delays [s], tolerances, limits, sizes)."""
    f = _to_float(v)
    if f < 0.0:
        raise ValueError("negative")
    return f


def positive(v: Value) -> float:
    """A finite double > 0: a converter where ASAM OpenSCENARIO gives the range ]0..inf[ (the
    semi-axes of a TrafficSwarmAction's ellipse, which divide)."""
    f = _to_float(v)
    if f <= 0.0:
        raise ValueError("not positive")
    return f


MAX_DISTANCE_M = 1.0e8
"""Largest distance [m] a scenario may ask for (a distance action's distance or time gap [s],
a world coordinate: :data:`scenarios.runtime.MAX_WORLD_COORDINATE_M` is this bound): beyond
any projected map (UTM northings reach 1e7 m), far below where metre arithmetic overflows."""


def distance_magnitude(v: Value) -> float:
    """The magnitude of a finite double in [-:data:`MAX_DISTANCE_M`, :data:`MAX_DISTANCE_M`]:
    a converter for the distance and timeGap of the distance actions. The XSD types them
    Double; the standard documents [0..inf[; esmini takes the magnitude (the side is the
    ``displacement``'s), and so do we (Euro NCAP CCRb files from scenariogeneration write
    ``distance="-12"``)."""
    f = _to_float(v)
    if not math.isfinite(f) or abs(f) > MAX_DISTANCE_M:
        raise ValueError(f"outside [-{MAX_DISTANCE_M:g}, {MAX_DISTANCE_M:g}]")
    return abs(f)


def unit_interval(v: Value) -> float:
    """A finite double in [0, 1]: a converter for ``Source.attr`` where ASAM OpenSCENARIO gives
    the range [0..1] (colour components, AnimationState ``state``)."""
    f = _to_float(v)
    if not 0.0 <= f <= 1.0:
        raise ValueError("outside [0, 1]")
    return f


def positive_int(v: Value) -> int:
    """An integer >= 1: a converter for ``Source.attr`` where ASAM OpenSCENARIO gives the range
    [1..inf[ (``maximumExecutionCount``)."""
    n = _to_int(v)
    if n < 1:
        raise ValueError("not positive")
    return n


def non_negative_int(v: Value) -> int:
    """An integer >= 0 (counts that may be zero, e.g. ``numberOfVehicles``)."""
    n = _to_int(v)
    if n < 0:
        raise ValueError("negative")
    return n


CONVERTERS: Mapping[Any, Callable[[Value], Any]] = MappingProxyType({
    float: _to_float, int: _to_int, bool: _to_bool, str: format_value,
})

_EXPECTED: Mapping[Any, str] = MappingProxyType({
    float: "a finite number", int: "an integer", bool: "a boolean (true or false)",
    non_negative: "a finite number >= 0", unit_interval: "a number from 0 to 1",
    positive_int: "an integer >= 1",
    non_negative_int: "an integer >= 0", positive: "a finite number > 0",
    distance_magnitude: f"a number from -{MAX_DISTANCE_M:g} to {MAX_DISTANCE_M:g}"})


def declared_name(decl: etree._Element) -> str:
    """The name a ``ParameterDeclaration`` declares, without a leading ``$``: ASAM's own 1.0
    example scenarios declare ``name="$owner"`` and refer to it as ``$owner`` (esmini reads
    them the same way); never resolved as a reference. ``""`` when missing."""
    return (decl.get("name") or "").strip().lstrip("$")


@dataclass(frozen=True)
class Source:
    """A file being read and the parameters in scope.

    Attributes:
        file: path of the file, for error messages.
        scope: the parameters ``$name`` resolves against.
    """

    file: str
    scope: ParameterScope

    def error(self, el: etree._Element | None, message: str,
              cls: type[ScenarioError] = ScenarioError) -> ScenarioError:
        """Build an error naming this file, the element's line and tag."""
        if el is None:
            return cls(message, file=self.file)
        return cls(message, file=self.file, line=el.sourceline, element=str(el.tag))

    def resolve(self, el: etree._Element, text: str) -> Value:
        """Resolve one attribute text: ``$name``, ``${expr}`` or a literal.

        Raises:
            ScenarioError: unknown parameter or bad expression, naming the element.
        """
        text = text.strip()
        try:
            if text.startswith("${") and text.endswith("}"):
                return evaluate(text[2:-1], self.scope.lookup)
            if text.startswith("$"):
                return self.scope.lookup(text[1:])
        except KeyError as exc:
            raise self.error(el, f"unknown parameter '${exc.args[0]}' in '{clip(text)}'") \
                from None
        except ExpressionError as exc:
            raise self.error(el, f"bad expression '{clip(text)}': {exc}") from None
        return text

    def attr(self, el: etree._Element, name: str, conv: Callable[[Value], T] | type = str,
             default: Any = _MISSING) -> Any:
        """Return attribute ``name`` of ``el`` resolved and converted by ``conv``.

        ``conv`` is float (finite values only), int, bool, str or a callable taking the
        resolved value.

        Raises:
            ScenarioError: attribute missing (and no default), or not convertible.
        """
        raw = el.get(name)
        if raw is None:
            if default is _MISSING:
                raise self.error(el, f"missing attribute '{name}'")
            return default
        value = self.resolve(el, raw)
        fn = CONVERTERS.get(conv, conv)
        try:
            return fn(value)
        except (ValueError, TypeError, KeyError):
            want = _EXPECTED.get(conv) or getattr(conv, "__name__", "valid value")
            raise self.error(el, f"attribute {name}='{clip(raw)}' (= "
                                 f"{clip(format_value(value))!r}): expected {want}") from None

    def declared_name(self, decl: etree._Element) -> str:
        """The name a ``ParameterDeclaration`` declares: :func:`declared_name`; ScenarioError
        when it is empty."""
        name = declared_name(decl)
        if not name:
            raise self.error(decl, "missing attribute 'name'")
        return name

    def name_ref(self, el: etree._Element, name: str) -> str:
        """A reference *to* a parameter (``parameterRef``): the name, without a leading ``$``
        and not resolved (esmini's files write both ``X`` and ``$X``).

        Raises:
            ScenarioError: the attribute is missing or empty.
        """
        given = el.get(name)
        raw = (given or "").strip().lstrip("$")
        if not raw:
            raise self.error(el, f"missing attribute '{name}'" if given is None else
                             f"attribute {name}='{clip(given)}' names no parameter: expected "
                             f"the name of a declared parameter")
        return raw

    def choice(self, el: etree._Element, name: str, allowed: tuple[str, ...],
               default: Any = _MISSING) -> Any:
        """Return an enumeration attribute, checked against ``allowed`` values."""
        value = self.attr(el, name, str, default)
        if value is not default and value not in allowed:
            raise self.error(el, f"attribute {name}='{value}': expected one of "
                                 f"{', '.join(allowed)}")
        return value

    def with_scope(self, scope: ParameterScope) -> Source:
        """Return the same file read under another parameter scope."""
        return Source(self.file, scope)

    def for_file(self, file: str | Path, scope: ParameterScope | None = None) -> Source:
        """Return a Source for another file (a catalog), with ``scope`` or this one."""
        return Source(str(file), scope if scope is not None else self.scope)
