"""``check_scenario(path)``: schema and semantic checks of an OpenSCENARIO 1.0-1.3 file.

Every finding is an :class:`Issue` (severity, file, line, element path, message); the check
never raises for bad input. What is checked, in order:

1. Safe parsing (:func:`scenarios.xmlsource.parse_xml`: entity declarations refused).
2. XSD validation against the ASAM OpenSCENARIO schema of the file's ``FileHeader`` revision
   (1.0, 1.1, 1.2, 1.3 -> the 1.3.1 schema), the schemas shipped in the ``scenariogeneration``
   distribution (``schemas/OpenSCENARIO_1_*.xsd``), each compiled once per process, with the
   published 1.2 schema's known errata read as 1.3 corrected them (:data:`SCHEMA_ERRATA`).
3. Semantics (ASAM OpenSCENARIO 1.x rules that a schema cannot express), by file kind:

   * scenario: undefined ``$parameters`` (the ParameterDeclarations of the element and its
     ancestors); ``entityRef`` / ``masterEntityRef`` naming no entity; SetMonitorAction
     ``monitorRef`` naming no MonitorDeclaration (1.3); missing LogicFile,
     catalog directory, catalog or catalog entry; ``storyboardElementRef`` naming no element
     of its ``storyboardElementType`` (warning when ambiguous); duplicate names among
     siblings (entities, parameter declarations, storyboard elements, catalog entries); an
     action on a kind of entity that cannot take it (see :data:`NOT_FOR_KIND`); every
     element this engine does not support (``UnsupportedElementError``), as a warning naming
     file and line; finally a lenient load catches anything else the loader refuses.
   * ParameterValueDistribution: the expansion (malformed distributions), every varied
     parameter declared in the ScenarioFile with values of the declared type, then the
     ScenarioFile's own check.
   * Catalog: duplicate entry names; undefined parameters (warnings: an entry may use the
     referencing scenario's globals).

Exit statuses for the CLI (:func:`exit_status`): 0 clean, 1 warnings only, 2 errors.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from scenarios.errors import ScenarioError, UnsupportedElementError
from scenarios.parameters import declaration_key
from scenarios.xmlsource import children, declared_name, parse_xml

SCHEMA_FILES: Mapping[tuple[int, int], str] = MappingProxyType({
    (1, 0): "OpenSCENARIO_1_0.xsd", (1, 1): "OpenSCENARIO_1_1.xsd",
    (1, 2): "OpenSCENARIO_1_2.xsd", (1, 3): "OpenSCENARIO_1_3_1.xsd"})
"""FileHeader (revMajor, revMinor) -> ASAM schema file in scenariogeneration's package data."""

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Issue:
    """One finding of a check.

    Attributes:
        severity: ``"error"`` (the file cannot run as intended) or ``"warning"`` (it runs,
            but something is ignored or unsupported). file: path of the file concerned.
        line: 1-based source line, or None. element: XPath-like element path
            (``/OpenSCENARIO/Storyboard/Story[1]/...``) or a tag, or "". message: what is
            wrong and what was expected.
    """

    severity: str
    file: str
    line: int | None
    element: str
    message: str

    def format(self) -> str:
        """One line: ``file:line: severity: element: message``."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        elem = f"{self.element}: " if self.element else ""
        return f"{where}: {self.severity}: {elem}{self.message}"


def exit_status(issues: Iterable[Issue]) -> int:
    """0 without issues, 1 when there are warnings only, 2 when there is an error."""
    sev = {i.severity for i in issues}
    return 2 if ERROR in sev else 1 if WARNING in sev else 0


# ---------------------------------------------------------------------- schema
XSD_NS = "http://www.w3.org/2001/XMLSchema"
SCHEMA_ERRATA = MappingProxyType({(1, 2): ("AppearanceAction", "LightType")})
"""Complex types of a revision's published XSD whose ``xsd:sequence`` is read as the
``xsd:choice`` the standard means: the 1.2 schema makes AppearanceAction require both a
LightStateAction and an AnimationAction, and LightType both a VehicleLight and a
UserDefinedLight, so no 1.2 file could use either; the 1.3 schema has them as choices."""


def schema_path(rev: tuple[int, int]) -> Path | None:
    """The ASAM XSD for OpenSCENARIO revision ``rev`` shipped by scenariogeneration, or None
    (unknown revision, or the package lacks its schemas)."""
    name = SCHEMA_FILES.get(rev)
    if name is None:
        return None
    try:
        dist = metadata.distribution("scenariogeneration")
    except metadata.PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file(f"schemas/{name}")))
    return path if path.is_file() else None


@functools.cache
def load_schema(rev: tuple[int, int]) -> etree.XMLSchema | None:
    """The compiled schema of revision ``rev``, or None. Compiled once per process (a
    ``functools.cache`` of immutable results;
    ~20 ms per schema; validating a scenario then takes ~0.3 ms)."""
    path = schema_path(rev)
    if path is None:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    doc = etree.parse(str(path), parser)
    for name in SCHEMA_ERRATA.get(rev, ()):
        for seq in doc.getroot().xpath(f"xsd:complexType[@name='{name}']/xsd:sequence",
                                       namespaces={"xsd": XSD_NS}):
            seq.tag = f"{{{XSD_NS}}}choice"
    return etree.XMLSchema(doc)


def file_revision(root: etree._Element) -> tuple[int, int] | None:
    """``(revMajor, revMinor)`` of a file's FileHeader, or None when it has none readable."""
    header = child_el(root, "FileHeader")
    try:
        return (int(header.get("revMajor", "")), int(header.get("revMinor", "")))
    except (AttributeError, ValueError):
        return None


def schema_issues(file: str, root: etree._Element) -> list[Issue]:
    """Validate ``root`` against the XSD of its FileHeader revision; one Issue per error."""
    rev = file_revision(root)
    if rev is None:
        return [Issue(ERROR, file, root.sourceline, "/OpenSCENARIO/FileHeader",
                      "expected a FileHeader with integer revMajor and revMinor")]
    schema = load_schema(rev)
    if schema is None:
        sev = ERROR if rev not in SCHEMA_FILES else WARNING
        header = child_el(root, "FileHeader")
        message = (f"OpenSCENARIO {rev[0]}.{rev[1]} is not supported (expected 1.0 to 1.3)"
                   if sev == ERROR else f"no ASAM schema for OpenSCENARIO {rev[0]}.{rev[1]} "
                   f"found; schema validation skipped")
        return [Issue(sev, file, header.sourceline, element_path(header), message)]
    if schema.validate(root):
        return []
    return [Issue(ERROR, file, e.line or None, e.path or "", f"schema {rev[0]}.{rev[1]}: "
                  f"{e.message}") for e in schema.error_log]


# ---------------------------------------------------------------------- helpers
def child_el(el: etree._Element | None, tag: str) -> etree._Element | None:
    """First child element named ``tag`` of ``el`` (None-safe)."""
    return None if el is None else next(children(el, tag), None)


def element_path(el: etree._Element) -> str:
    """The XPath of ``el`` in its document, e.g. ``/OpenSCENARIO/Storyboard/Story[2]``."""
    return el.getroottree().getpath(el)


_PARAM_IN_EXPR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_NAMING_ATTRS = frozenset({"parameterRef", "parameterName", "variableRef"})


def referenced_parameters(text: str) -> list[str]:
    """Parameter names a value refers to: ``$name`` -> [name]; ``${expr}`` -> every
    ``$name`` inside; a literal -> []."""
    text = text.strip()
    if text.startswith("${") and text.endswith("}"):
        return _PARAM_IN_EXPR.findall(text[2:-1])
    if text.startswith("$"):
        return [text[1:]]
    return []


def declared_here(el: etree._Element) -> dict[str, etree._Element]:
    """name -> ParameterDeclaration element of ``el``'s own ParameterDeclarations."""
    decls = child_el(el, "ParameterDeclarations")
    if decls is None:
        return {}
    return {declared_name(d): d for d in children(decls, "ParameterDeclaration")}


def visible_parameters(el: etree._Element,
                       memo: dict[etree._Element, frozenset[str]] | None = None
                       ) -> frozenset[str]:
    """Names declared by ``el`` and its ancestors (the static scopes of OpenSCENARIO 1.x).
    ``memo`` (element -> its names) shares the work between the elements of one document:
    an element without declarations of its own has its parent's set, not a copy (20 000
    chained parameters took minutes element by element)."""
    memo = {} if memo is None else memo
    chain = []
    node: etree._Element | None = el
    while node is not None and node not in memo:
        chain.append(node)
        node = node.getparent()
    names = memo[node] if node is not None else frozenset()
    for owner in reversed(chain):
        own = declared_here(owner)
        if own:
            names = names.union(own)
        memo[owner] = names
    return names


def undefined_parameters(file: str, root: etree._Element, severity: str) -> Iterator[Issue]:
    """One Issue per attribute referring to a parameter no enclosing scope declares."""
    memo: dict[etree._Element, frozenset[str]] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        refs = [(a, n) for a, v in el.attrib.items() if a not in _NAMING_ATTRS
                and not (el.tag == "ParameterDeclaration" and a == "name")
                for n in referenced_parameters(v)]
        if not refs:
            continue
        visible = visible_parameters(el, memo)
        for attr, name in refs:
            if name not in visible:
                yield Issue(severity, file, el.sourceline, element_path(el),
                            f"{attr}: parameter '${name}' is not declared in any enclosing "
                            f"ParameterDeclarations")


UNIQUE_SIBLINGS: Mapping[str, str] = MappingProxyType({
    "ParameterDeclaration": ERROR, "TrafficSignalController": ERROR, "Phase": ERROR,
    "MonitorDeclaration": ERROR,
    "Story": WARNING, "Act": WARNING, "ManeuverGroup": WARNING, "Maneuver": WARNING,
    "Event": WARNING, "Action": WARNING})
"""Elements whose ``name`` must differ from their same-tag siblings' (ASAM OSC 1.x naming)
-> severity: errors where our loader refuses the file, warnings for storyboard elements (the
engine runs them, as esmini does, but a reference by name becomes ambiguous)."""

_NAME_SCOPES = frozenset({"Entities", "Catalog"})
"""Containers whose children (any tag) share one namespace."""


def duplicate_names(file: str, root: etree._Element) -> Iterator[Issue]:
    """Issues for names repeated among siblings where the standard requires uniqueness
    (severity from :data:`UNIQUE_SIBLINGS`; entities and catalog entries: errors)."""
    for parent in root.iter():
        if not isinstance(parent.tag, str):
            continue
        seen: dict[tuple[str, str], etree._Element] = {}
        for c in children(parent):
            if parent.tag not in _NAME_SCOPES and c.tag not in UNIQUE_SIBLINGS:
                continue
            name = c.get("name")
            if not name:
                continue
            key = ("*" if parent.tag in _NAME_SCOPES else str(c.tag), name)
            if key in seen:
                sev = ERROR if parent.tag in _NAME_SCOPES else UNIQUE_SIBLINGS[str(c.tag)]
                if c.tag == "ParameterDeclaration" and \
                        declaration_key(c) == declaration_key(seen[key]):
                    sev = WARNING  # read once, as esmini reads it
                yield Issue(sev, file, c.sourceline, element_path(c),
                            f"name '{name}' is already used by <{seen[key].tag}> at line "
                            f"{seen[key].sourceline}: names must be unique here")
            else:
                seen[key] = c


# ---------------------------------------------------------------------- entry point
def _dedupe(issues: Iterable[Issue]) -> list[Issue]:
    out, seen = [], set()
    for i in issues:
        key = (i.severity, i.file, i.line, i.message)
        if key not in seen:
            seen.add(key)
            out.append(i)
    return out


def check_scenario(path: str | Path) -> list[Issue]:
    """Check an OpenSCENARIO file (scenario, catalog or parameter distribution).

    Args:
        path: the .xosc file.

    Returns:
        the issues found, in file then line order (empty when clean). Never raises for bad
        input: unreadable files, invalid XML and refused entity declarations are issues.
    """
    from scenarios.check_semantics import catalog_issues, distribution_issues, scenario_issues
    file = str(Path(path).resolve())
    try:
        root = parse_xml(file)
    except ScenarioError as exc:
        return [Issue(ERROR, exc.file or file, exc.line, exc.element or "", exc.message)]
    if root.tag != "OpenSCENARIO":
        return [Issue(ERROR, file, root.sourceline, str(root.tag),
                      "expected the root element OpenSCENARIO")]
    issues = schema_issues(file, root)
    rev = file_revision(root)
    if rev is None or rev[0] != 1:  # no readable revision, or another language (0.9's
        return issues               # Sequence, Object...): 1.x's checks would only add noise
    if child_el(root, "ParameterValueDistribution") is not None:
        issues += distribution_issues(file, root)
    elif child_el(root, "Catalog") is not None:
        issues += catalog_issues(file, root)
    else:
        issues += scenario_issues(file, root, issues)
    issues = _dedupe(issues)
    return sorted(issues, key=lambda i: (i.file != file, i.file, i.line or 0))


def issue_from_error(exc: ScenarioError, file: str,
                     near: etree._Element | None = None) -> Issue:
    """An Issue from a raised ScenarioError (warning for UnsupportedElementError). With
    ``near``, the element of the error's line and tag inside ``near`` gives the path."""
    sev = WARNING if isinstance(exc, UnsupportedElementError) else ERROR
    element = exc.element or ""
    if near is not None and exc.line is not None:
        hit = next((e for e in near.iter() if e.sourceline == exc.line
                    and (not exc.element or e.tag == exc.element)), None)
        element = element_path(hit) if hit is not None else element
    return Issue(sev, exc.file or file, exc.line, element, exc.message)
