"""``load_scenario``: read an OpenSCENARIO 1.0-1.3 file into a :class:`scenarios.model.Scenario`.

Order of reading (ASAM OpenSCENARIO 1.x): FileHeader (revision check), global
ParameterDeclarations (overridden by the caller's ``parameters``), CatalogLocations,
RoadNetwork (LogicFile resolved relative to the .xosc; TrafficSignalControllers), Entities
(and EntitySelections), MonitorDeclarations (1.3; before the Storyboard, whose
SetMonitorActions must name one), Storyboard, VariableDeclarations (1.2). The XML is untrusted
and parsed safely (:func:`scenarios.xmlsource.parse_xml`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lxml import etree

from scenarios.catalogs import Catalogs
from scenarios.entities import find_ego, read_entities
from scenarios.enumerations import refuse_bad_enumerations
from scenarios.errors import ScenarioError, UnsupportedElementError
from scenarios.model import Scenario, SignalControllerDef, SignalPhase
from scenarios.parameters import read_declarations, read_monitors, read_variables
from scenarios.positions import POSITIONS
from scenarios.registry import ParseContext
from scenarios.selections import read_selections
from scenarios.signals import signal_reference_errors
from scenarios.storyboard_reader import StoryboardReader
from scenarios.xmlsource import (ParameterScope, Source, child, children, declared_name,
                                 non_negative, parse_xml)
from testzone.errors import not_a_file

SUPPORTED_REVISIONS = ((1, 0), (1, 1), (1, 2), (1, 3))


def _revision(src: Source, root: etree._Element) -> tuple[int, int]:
    header = child(root, "FileHeader")
    if header is None:
        raise src.error(root, "expected a FileHeader")
    rev = (src.attr(header, "revMajor", int), src.attr(header, "revMinor", int))
    if rev not in SUPPORTED_REVISIONS:
        raise src.error(header, f"OpenSCENARIO {rev[0]}.{rev[1]} is not supported "
                                f"(expected 1.0 to 1.3)")
    return rev


def missing_logic_file(path: Path) -> str:
    """The message for a RoadNetwork LogicFile that is not a readable file at ``path``; a
    bare name without suffix (``Town04``: CARLA ScenarioRunner names its maps so) gets a hint,
    since the embedded simulator needs the OpenDRIVE file itself."""
    message = not_a_file("LogicFile", path)
    if not path.suffix and not path.exists():
        message += (f" ('{path.name}' looks like a CARLA map name, as CARLA ScenarioRunner "
                    f"writes it: give the path of its OpenDRIVE .xodr, and for --backend carla "
                    f"the town as Property carla_town, docs/carla.md)")
    return message


def _road_network(src: Source, root: etree._Element) -> tuple[str | None, etree._Element | None]:
    rn = child(root, "RoadNetwork")
    if rn is None:
        return None, None
    logic = child(rn, "LogicFile")
    path = None
    if logic is not None:
        p = (Path(src.file).parent / src.attr(logic, "filepath", str)).resolve()
        if not p.is_file():
            raise src.error(logic, missing_logic_file(p))
        path = str(p)
    return path, child(rn, "TrafficSignals")


def _signal_controllers(src: Source, el: etree._Element | None
                        ) -> tuple[SignalControllerDef, ...]:
    if el is None:
        return ()
    out = []
    for c in children(el, "TrafficSignalController"):
        phases = tuple(
            SignalPhase(src.attr(p, "name", str), src.attr(p, "duration", non_negative),
                        {src.attr(s, "trafficSignalId", str): src.attr(s, "state", str)
                         for s in children(p, "TrafficSignalState")}, p.sourceline)
            for p in children(c, "Phase"))
        out.append(SignalControllerDef(src.attr(c, "name", str), phases,
                                       src.attr(c, "delay", non_negative, 0.0),
                                       src.attr(c, "reference", str, None), c.sourceline))
    return tuple(out)


def _check_overrides(src: Source, root: etree._Element, parameters: Mapping[str, Any]) -> None:
    decls = child(root, "ParameterDeclarations")
    declared = {declared_name(d) for d in children(decls, "ParameterDeclaration")} \
        if decls is not None else set()
    unknown = sorted(set(parameters) - declared)
    if unknown:
        raise src.error(root, f"parameter(s) {', '.join(unknown)} not declared in the "
                              f"global ParameterDeclarations")


def load_scenario(path: str | Path, parameters: Mapping[str, Any] | None = None,
                  lenient: bool = False) -> Scenario:
    """Read an OpenSCENARIO file.

    Args:
        path: the .xosc file.
        parameters: values overriding global ParameterDeclarations (name -> value; strings
            are converted to the declared type).
        lenient: replace unsupported actions/conditions/positions by stand-ins (see
            :class:`scenarios.registry.Unsupported`) and list them in ``Scenario.warnings``
            instead of raising.

    Returns:
        the parsed :class:`Scenario` (parameters resolved, catalogs applied).

    Raises:
        ScenarioError: missing file, bad XML (with its line), unsupported revision, unknown
            ``$parameter`` (naming file:line), an enumeration value its revision's XSD does
            not define (:mod:`scenarios.enumerations`), unknown override, missing LogicFile or catalog
            entry, unknown entity reference, a bad or duplicate MonitorDeclaration, a
            SetMonitorAction ``monitorRef`` naming no declared monitor.
        UnsupportedElementError: an element this player does not implement (file, line,
            element); ParameterValueDistribution files are handled by the expansion step.
    """
    path = Path(path).resolve()
    root = parse_xml(path)
    src = Source(str(path), ParameterScope())
    if root.tag != "OpenSCENARIO":
        raise src.error(root, "root element must be OpenSCENARIO")
    rev = _revision(src, root)
    refuse_bad_enumerations(str(path), root, rev)
    if child(root, "ParameterValueDistribution") is not None:
        raise src.error(child(root, "ParameterValueDistribution"),
                        "parameter distributions are expanded before loading",
                        UnsupportedElementError)
    if parameters:
        _check_overrides(src, root, parameters)
    scope = read_declarations(src, root, overrides=dict(parameters or {}))
    src = src.with_scope(scope)
    catalogs = Catalogs(src, child(root, "CatalogLocations"))
    road_path, signals_el = _road_network(src, root)
    entities = read_entities(src, child(root, "Entities"), catalogs)
    selections = read_selections(src, child(root, "Entities"),
                                 {n: e.element for n, e in entities.items()})
    sb_el = child(root, "Storyboard")
    if sb_el is None:
        raise src.error(root, "expected a Storyboard")
    warnings: list[str] | None = [] if lenient else None
    monitors = read_monitors(src, root)
    variables = read_variables(src, root)
    reader = StoryboardReader(ParseContext(src, POSITIONS, catalogs, warnings,
                                           MappingProxyType(dict(variables))), catalogs,
                              tuple(entities), selections, tuple(monitors),
                              {n: e.element for n, e in entities.items()})
    header = child(root, "FileHeader")
    storyboard = reader.storyboard(src, sb_el)
    scenario = Scenario(
        path=str(path), rev=rev,
        description=header.get("description", "") if header is not None else "",
        parameters=scope.local(), road_network_path=road_path, entities=entities,
        storyboard=storyboard,
        signal_controllers=_signal_controllers(src, signals_el), ego_name=find_ego(entities),
        warnings=tuple(warnings or ()), variables=variables,
        monitors=monitors, selections=selections,
        catalog_files=tuple(sorted(catalogs.used_files)))
    refuse_signal_references(scenario)
    return scenario


def refuse_signal_references(scenario: Scenario, signal_ids: frozenset[str] | None = None
                             ) -> None:
    """Raise the first of :func:`scenarios.signals.signal_reference_errors` (a signal, state,
    controller or phase that does not exist: the condition would never hold, the action
    would do nothing).

    Raises:
        ScenarioError: naming the file, the line when known, and the element."""
    errors = signal_reference_errors(scenario, signal_ids)
    if errors:
        line, element, message = errors[0]
        raise ScenarioError(message, file=scenario.path, line=line, element=element)
