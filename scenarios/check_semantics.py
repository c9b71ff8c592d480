"""The semantic half of ``testzone scenario check`` (see :mod:`scenarios.check`): rules of
ASAM OpenSCENARIO 1.x that the XSD cannot express, per file kind (scenario, catalog,
parameter distribution). Each function returns :class:`scenarios.check.Issue` records and
never raises for bad input.
"""

from __future__ import annotations

import difflib

import functools
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lxml import etree

from maps import check_opendrive
from maps.parser import read_tree

from scenarios.actions import ACTIONS, WRAPPERS, innermost_action
from scenarios.catalogs import Catalogs
from scenarios.check import (ERROR, WARNING, Issue, child_el, duplicate_names, element_path,
                             issue_from_error, undefined_parameters)
from scenarios.conditions import CONDITIONS
from scenarios.conditions.base import RULES, compare
from scenarios.controllers import BUILTIN, read_controller
from scenarios.entities import NOT_FOR_KIND
from scenarios.loader import missing_logic_file
from scenarios.errors import ScenarioError, UnsupportedElementError
from scenarios.model import Scenario
from scenarios.motion import DRIVING_LANE_TYPES
from scenarios.parameters import read_declarations
from scenarios.positions import POSITIONS
from scenarios.registry import ParseContext, Registry
from scenarios.selections import expand, read_selections, selection_allowed
from scenarios.xmlsource import ParameterScope, Source, children, declared_name, parse_xml
from testzone.commands import (CommandContext, command_check, command_types, property_check,
                               property_prefixes)
from testzone.errors import TestzoneError
from testzone.world import EntityKind, EntityState

APPEARANCE_FOR: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "VehicleLight": ("Vehicle",), "VehicleComponent": ("Vehicle",),
    "PedestrianAnimation": ("Pedestrian",)})
"""Parts of an AppearanceAction and the entity elements they make sense for (a warning
elsewhere: a VehicleLight on a pedestrian, a PedestrianAnimation on a car)."""
_OBJECTS = ("Vehicle", "Pedestrian", "MiscObject")

STORYBOARD_TYPES: Mapping[str, str] = MappingProxyType({
    "story": "Story", "act": "Act", "maneuverGroup": "ManeuverGroup", "maneuver": "Maneuver",
    "event": "Event", "action": "Action"})
"""``storyboardElementType`` -> element tag."""


@dataclass
class _Scenario:
    """What the checks of one scenario file share."""

    file: str
    root: etree._Element
    issues: list[Issue] = field(default_factory=list)
    scopes: dict[etree._Element, ParameterScope] = field(default_factory=dict)
    catalog_index: dict[str, dict[str, etree._Element]] = field(default_factory=dict)

    def add(self, severity: str, el: etree._Element | None, message: str) -> None:
        """Record an issue at ``el`` (its line and XPath)."""
        self.issues.append(Issue(severity, self.file, el.sourceline if el is not None else None,
                                 element_path(el) if el is not None else "", message))

    def source(self, el: etree._Element) -> Source:
        """A Source whose scope holds the declarations of ``el`` and its ancestors."""
        scope = ParameterScope()
        for owner in reversed([el, *el.iterancestors()]):
            if child_el(owner, "ParameterDeclarations") is None:
                continue
            if owner not in self.scopes:
                unmet: list[ScenarioError] = []
                try:
                    self.scopes[owner] = read_declarations(Source(self.file, scope), owner,
                                                           unmet=unmet)
                    for exc in unmet:    # every value out of its constraints, not the first
                        _add_new(self, issue_from_error(exc, self.file))
                except ScenarioError as exc:
                    _add_new(self, issue_from_error(exc, self.file))
                    self.scopes[owner] = scope.child(
                        {declared_name(d): d.get("value", "") for d in children(
                            child_el(owner, "ParameterDeclarations"), "ParameterDeclaration")})
            scope = self.scopes[owner]
        return Source(self.file, scope)

    def value(self, el: etree._Element, attr: str) -> str | None:
        """Attribute ``attr`` resolved in ``el``'s scope; None when absent or unresolvable
        (undefined parameters are reported by their own check)."""
        if el.get(attr) is None:
            return None
        try:
            return self.source(el).attr(el, attr, str)
        except ScenarioError:
            return None


def kids(el: etree._Element | None, tag: str | None = None) -> Iterator[etree._Element]:
    """The child elements of ``el`` (named ``tag``), none when ``el`` is None."""
    return iter(()) if el is None else children(el, tag)


# ---------------------------------------------------------------------- files and catalogs
@functools.lru_cache(maxsize=16)
def _map_issues(path: str, mtime_ns: int, size: int) -> tuple:
    """``maps.check_opendrive(path)``, once per file version in a process (a suite's scenarios
    share their map; checking the 106 km Wuhan network takes about a second)."""
    return tuple(check_opendrive(path))


@functools.lru_cache(maxsize=16)
def _road_ids(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    """The ``road@id`` values of an OpenDRIVE file, once per file version in a process."""
    return frozenset(r.get("id", "") for r in read_tree(path).getroot().iter("road"))


def _rsu_layout(sc: _Scenario, el: etree._Element, xodr: Path) -> None:
    """The RSU layout beside the map (``<map>.rsu.json``, :func:`maps.summary.layout_issues`),
    at the LogicFile element: its errors (what a run refuses) and its warning of a
    geo_reference that moves every V2X position off the map's."""
    from maps.summary import layout_issues, rsu_path
    layout = rsu_path(xodr)
    net = _variant_network(str(xodr.resolve())) if layout.is_file() else None
    if net is None:
        return
    for severity, element, message in layout_issues(xodr, net):
        sc.add(ERROR if severity == "error" else WARNING, el,
               f"RSU layout {layout}: <{element}>: {message}")


def _road_network(sc: _Scenario, el: etree._Element, xodr: Path) -> None:
    """The LogicFile's own errors (``maps.check_opendrive``: what makes the road network
    unusable, each with the .xodr file and line), reported at the LogicFile element; its
    warnings as one warning there, counting them and quoting the first (``testzone map
    check`` lists them). When it has none, every LanePosition and
    RoadPosition of the scenario must name one of its roads (as ``run`` requires)."""
    stat = xodr.stat()
    key = (str(xodr.resolve()), stat.st_mtime_ns, stat.st_size)
    issues = _map_issues(*key)
    errors = [i for i in issues if i.severity == "error"]
    for issue in errors:
        where = f"{issue.file or xodr}" + (f":{issue.line}" if issue.line else "")
        what = f"<{issue.element}>: " if issue.element else ""
        sc.add(ERROR, el, f"LogicFile {where}: {what}{issue.message}")
    if errors:
        return
    warned = [i for i in issues if i.severity != "error"]
    if warned:
        first = warned[0]
        sc.add(WARNING, el, f"LogicFile {xodr}: {len(warned)} map warning(s), the first at "
                            f"line {first.line}: {first.message}; testzone map check lists "
                            f"them")
    _rsu_layout(sc, el, xodr)
    roads = _road_ids(*key)
    net = None
    for pos in sc.root.iter("LanePosition", "RoadPosition"):
        rid = sc.value(pos, "roadId")
        if rid is not None and rid not in roads:
            sc.add(ERROR, pos, f"roadId '{rid}': no road with this id in {key[0]}")
        elif rid is not None:
            net = net or _network(*key)
            problem = _road_coordinate_problem(net, pos, rid, sc.value(pos, "s"),
                                               sc.value(pos, "laneId"))
            if problem:
                sc.add(ERROR, pos, problem)


@functools.lru_cache(maxsize=4)
def _network(path: str, mtime_ns: int, size: int):
    """The loaded road network of an OpenDRIVE file, once per file version in a process
    (the map's own warnings, which loading announces, are counted by :func:`_road_network`
    instead: they had been printed beside a summary of "0 warning(s)", realinputs16b)."""
    import warnings
    from maps import load_opendrive
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_opendrive(path)


def _road_coordinate_problem(net, pos: etree._Element, road_id: str, s_text: str | None,
                             lane_text: str | None) -> str | None:
    """What ``run`` would refuse in a LanePosition/RoadPosition on road ``road_id``: ``s``
    outside the road (:data:`scenarios.positions.S_TOLERANCE`), or a ``laneId`` the lane
    section at ``s`` does not have. None when fine, or when a value does not convert (its
    own check reports that)."""
    from maps.errors import MapsError
    from scenarios.positions import S_TOLERANCE
    try:
        s = float(s_text) if s_text is not None else None
        lane = int(lane_text) if pos.tag == "LanePosition" and lane_text is not None else None
    except ValueError:
        return None
    road = net.roads.get(road_id)
    if road is None or s is None:
        return None
    if not -S_TOLERANCE <= s <= road.length + S_TOLERANCE:
        return f"s={s:g} m is outside road {road_id} (0 to {road.length:g} m long)"
    if lane is not None:
        try:  # run resolves the position the same way
            net.lane_to_world(road_id, lane, min(max(s, 0.0), road.length))
        except MapsError as exc:
            return f"laneId {lane}: {exc.message}"
    return None


def _files(sc: _Scenario) -> None:
    base = Path(sc.file).parent
    rn = child_el(sc.root, "RoadNetwork")
    el = child_el(rn, "LogicFile")    # SceneGraphFile: never read here, so not checked
    path = sc.value(el, "filepath") if el is not None else None
    if path is not None and not (base / path).is_file():
        sc.add(ERROR, el, missing_logic_file((base / path).resolve()))
    elif path is not None:
        _road_network(sc, el, base / path)
    for cat in kids(child_el(sc.root, "CatalogLocations")):
        d = child_el(cat, "Directory")
        if d is None:
            sc.add(WARNING, cat, f"{cat.tag} names no Directory: ignored (a reference into "
                                 f"it fails)")
            continue
        path = sc.value(d, "path")
        if path is None:
            continue
        folder = (base / path).resolve()
        if not folder.is_dir():
            sc.add(WARNING, d, f"{cat.tag} directory not found: {folder} (ignored until a "
                               f"CatalogReference needs it)")
            continue
        for f in sorted(folder.glob("*.xosc")):
            _index_catalog_file(sc, f)


def _index_catalog_file(sc: _Scenario, f: Path) -> None:
    try:
        root = parse_xml(f)
    except ScenarioError as exc:
        sc.issues.append(issue_from_error(exc, str(f)))
        return
    cat = child_el(root, "Catalog")
    if cat is not None:
        entries = sc.catalog_index.setdefault(cat.get("name", ""), {})
        for e in children(cat):
            entries.setdefault(e.get("name", ""), e)


def catalog_entry(sc: _Scenario, ref: etree._Element) -> etree._Element | None:
    """The entry a CatalogReference names (an error Issue and None when missing)."""
    cat, entry = sc.value(ref, "catalogName"), sc.value(ref, "entryName")
    if cat is None or entry is None:
        return None
    if cat not in sc.catalog_index:
        sc.add(ERROR, ref, f"catalog '{cat}' not found in the CatalogLocations "
                           f"(found: {', '.join(sorted(sc.catalog_index)) or 'none'})")
        return None
    el = sc.catalog_index[cat].get(entry)
    if el is None:
        sc.add(ERROR, ref, f"entry '{entry}' not found in catalog '{cat}'")
        return None
    declared = {declared_name(d) for d in kids(child_el(el, "ParameterDeclarations"))}
    for a in kids(child_el(ref, "ParameterAssignments")):
        name = (a.get("parameterRef") or "").lstrip("$")
        if name not in declared:
            sc.add(WARNING, a, f"catalog entry '{cat}/{entry}' declares no parameter '{name}'"
                               f": the assignment has no effect")
    return el


# ---------------------------------------------------------------------- entities
def _entities(sc: _Scenario) -> dict[str, str]:
    """Declared entity name -> its element tag (Vehicle, Pedestrian, MiscObject, ...)."""
    out: dict[str, str] = {}
    for obj in kids(child_el(sc.root, "Entities")):
        name = sc.value(obj, "name")
        if name is None:
            continue
        kind = str(obj.tag)
        if obj.tag == "ScenarioObject":
            inner = next((c for c in children(obj) if c.tag != "ObjectController"), None)
            if inner is not None and inner.tag == "CatalogReference":
                entry = catalog_entry(sc, inner)
                kind = str(entry.tag) if entry is not None else "?"
            elif inner is not None:
                kind = str(inner.tag)
            if inner is not None and inner.tag == "ExternalObjectReference":
                sc.add(WARNING, inner, "ExternalObjectReference is not supported")
        elif obj.tag != "EntitySelection":
            sc.add(WARNING, obj, f"{obj.tag} is not supported (see docs/scenarios.md)")
        out.setdefault(name, kind)      # a duplicate is reported by duplicate_names
    for name, kind in _inline_trailers(sc).items():
        out.setdefault(name, kind)
    return out


def _inline_trailers(sc: _Scenario) -> dict[str, str]:
    """Entities the loader adds for inline trailers (``<tow>+``, ``scenarios.entities``), by
    name -> element; none when the entities do not load (the loader's error is reported by
    :func:`_lenient_load`)."""
    from scenarios.entities import read_entities
    try:
        loaded = read_entities(sc.source(sc.root), child_el(sc.root, "Entities"), _catalogs(sc))
    except ScenarioError:
        return {}
    return {name: d.element for name, d in loaded.items()}


def _selections(sc: _Scenario, entities: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """EntitySelection name -> member entities, as the loader expands them (its errors
    reported; then no selection is expanded)."""
    objects = {n: k for n, k in entities.items() if k != "EntitySelection"}
    try:
        return read_selections(sc.source(sc.root), child_el(sc.root, "Entities"), objects)
    except ScenarioError as exc:
        _add_new(sc, issue_from_error(exc, sc.file))
        return {}


def _entity_refs(sc: _Scenario, entities: dict[str, str]) -> None:
    """Every entityRef / masterEntityRef / trailerRef names an entity or selection, a
    selection only where ASAM OpenSCENARIO Annex B allows one
    (``scenarios.selections.selection_allowed``). An empty TrailerRef means no trailer (as
    esmini's catalogs use it)."""
    for el in sc.root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("entityRef", "masterEntityRef", "trailerRef"):
            name = sc.value(el, attr)
            if name == "" and el.tag == "TrailerRef":
                continue
            if name is not None and name not in entities:
                sc.add(ERROR, el, f"{attr}: unknown entity '{name}' (declared: "
                                  f"{', '.join(entities) or 'none'})")
            elif name is not None and entities[name] == "EntitySelection" and \
                    (attr != "entityRef" or not selection_allowed(el)):
                sc.add(ERROR, el, f"{attr}: '{name}' is an EntitySelection, which ASAM "
                                  f"OpenSCENARIO (Annex B) does not allow in {el.tag}")


def _monitor_refs(sc: _Scenario) -> None:
    """Every SetMonitorAction (of the scenario and of the catalog Maneuvers it uses) names a
    monitor of the scenario's MonitorDeclarations (OpenSCENARIO 1.3): error otherwise, with
    the loader's message (``scenarios.storyboard_reader.unknown_monitor_message``)."""
    from scenarios.storyboard_reader import unknown_monitor_message
    decls = child_el(sc.root, "MonitorDeclarations")
    declared = [n for d in kids(decls, "MonitorDeclaration")
                if (n := sc.value(d, "name")) is not None]
    for top in (sc.root, *_catalog_maneuvers(sc)):
        file = sc.file if top is sc.root else str(top.base or "")
        for el in top.iter("SetMonitorAction"):
            name = sc.value(el, "monitorRef")
            if name is not None and name not in declared:
                _add_new(sc, Issue(ERROR, file, el.sourceline, element_path(el),
                                   unknown_monitor_message(name, declared)))


def _actors(sc: _Scenario, private: etree._Element) -> list[str]:
    """Entities a PrivateAction applies to: Init's Private@entityRef, else the Actors of the
    enclosing ManeuverGroup."""
    parent = private.getparent()
    if parent is not None and parent.tag == "Private":
        return [v for v in [sc.value(parent, "entityRef")] if v]
    group = next((a for a in private.iterancestors("ManeuverGroup")), None)
    actors = child_el(group, "Actors")
    return [v for r in kids(actors, "EntityRef")
            if (v := sc.value(r, "entityRef"))]


def _action_kinds(sc: _Scenario, entities: dict[str, str],
                  selections: dict[str, tuple[str, ...]]) -> None:
    for private in sc.root.iter("PrivateAction"):
        inner = innermost_action(private)
        if inner is None:
            continue
        for actor in expand(_actors(sc, private), selections):
            kind = entities.get(actor, "")
            sev = NOT_FOR_KIND.get(kind, {}).get(str(inner.tag))
            if sev is not None:
                sc.add(sev, inner, f"{inner.tag} cannot apply to '{actor}', a {kind}")
            part = next((p for p in inner.iter(*APPEARANCE_FOR) if kind in _OBJECTS
                         and kind not in APPEARANCE_FOR[str(p.tag)]), None)
            if part is not None:
                sc.add(WARNING, part, f"{part.tag} is for a "
                                      f"{' or '.join(APPEARANCE_FOR[str(part.tag)])}: "
                                      f"'{actor}' is a {kind}")


def _logic_file(sc: _Scenario) -> Path | None:
    """The RoadNetwork LogicFile's path (resolved against the scenario's folder), or None."""
    logic = child_el(child_el(sc.root, "RoadNetwork"), "LogicFile")
    path = sc.value(logic, "filepath") if logic is not None else None
    return (Path(sc.file).parent / path).resolve() if path is not None else None


def _geo_positions(sc: _Scenario) -> None:
    """A GeoPosition needs the road network's geoReference (error at each GeoPosition when
    the LogicFile has none); verticalRoadSelection other than 0 has no effect (warning)."""
    geo = list(sc.root.iter("GeoPosition"))
    if not geo:
        return
    xodr = _logic_file(sc)
    has_geo = None
    if xodr is not None and xodr.is_file():
        try:
            header = child_el(parse_xml(xodr), "header")
            ref = child_el(header, "geoReference")
            has_geo = ref is not None and bool("".join(ref.itertext()).strip())
        except ScenarioError:
            has_geo = None                     # not XML: the map check names it
    for el in geo:
        if has_geo is False or xodr is None:
            sc.add(ERROR, el, f"GeoPosition needs the road network's <geoReference>: "
                              f"{xodr if xodr is not None else 'no LogicFile'} has none")
        selection = sc.value(el, "verticalRoadSelection")
        if selection not in (None, "0"):
            sc.add(WARNING, el, "verticalRoadSelection has no effect here: the road network "
                                "query is planar (the nearest lane in the plane is taken)")


def _centre_lane_positions(sc: _Scenario) -> None:
    """A LanePosition on ``laneId`` 0, the centre lane, which carries no width (ASAM
    OpenDRIVE 1.8 clause 11.2): a warning; the entity stands on the reference line, astride
    the lanes on both sides (a vehicle placed there is off its lanes from the start)."""
    for el in sc.root.iter("LanePosition"):
        if _number(sc.value(el, "laneId"), 1.0) == 0.0:   # not a number: its own check
            sc.add(WARNING, el, "laneId 0 is the centre lane, which has no width: the entity "
                                "stands on the reference line, astride the lanes beside it "
                                "(expected a lane id other than 0)")


def _custom_commands(sc: _Scenario, entities: Mapping[str, str]) -> None:
    """A CustomCommandAction whose content its command type's check refuses
    (``testzone.commands``: e.g. ``V2X.RSI``, registered by the V2X bridge, given the
    scenario's entities and road network): an error, as the run refuses it; a warning the
    check gives (an RSI no RSU sends) at the command."""
    context = CommandContext(frozenset(entities), _logic_file(sc))
    for el in sc.root.iter("CustomCommandAction"):
        kind = sc.value(el, "type") or ""
        check = command_check(kind)
        if check is None:
            meant = [t for t in command_types() if t.lower() == kind.strip().lower()] or \
                difflib.get_close_matches(kind.strip(), command_types(), n=1, cutoff=0.8)
            if meant:  # types are matched exactly: the run ignores this one
                sc.add(WARNING, el, f"type {kind!r} is not {meant[0]!r} (types are matched "
                                    f"exactly): the run ignores this command")
            continue
        try:
            warning = check((el.text or "").strip(), context)
        except TestzoneError as exc:
            sc.add(ERROR, el, exc.message)
            continue
        if warning:
            sc.add(WARNING, el, warning)


def _properties(sc: _Scenario, ego: str | None) -> None:
    """A ``Property`` another package reads (``testzone.commands.property_check``: e.g.
    ``criterion:<id>``, read by the evaluator on the vehicle under test): an error where the
    run refuses it; a warning where the run takes it but not as meant (a statistic no metric
    computes, a unit not the statistic's), where it is on another entity than the ego (never
    read), repeated on one entity (the last one wins), or named with the prefix in another
    case (``Criterion:``: not read at all)."""
    prefixes = property_prefixes()
    seen: set[tuple[int, str]] = set()
    for el in sc.root.iter("Property"):
        name = sc.value(el, "name") or ""
        owner = next((a for a in el.iterancestors("ScenarioObject")), None)
        near = [p for p in prefixes if name.lower().startswith(p) and not name.startswith(p)]
        if near:
            sc.add(WARNING, el, f"Property '{name}' is not read: the prefix is '{near[0]}', "
                                f"in that case")
            continue
        check = property_check(name)
        if check is None:
            continue
        try:
            note = check(name, sc.value(el, "value") or "")
        except TestzoneError as exc:
            sc.add(ERROR, el, exc.message)
            continue
        who = sc.value(owner, "name") if owner is not None else None
        if owner is not None and ego is not None and who != ego:
            note = note or f"on '{who}', not on the vehicle under test '{ego}': never read"
        key = (id(owner), name)
        if key in seen:
            note = note or "given again on this entity: the last one is the one read"
        seen.add(key)
        if note:
            sc.add(WARNING, el, f"{name}: {note}")


def _readings(sc: _Scenario) -> None:
    """Values the run reads in a way the author may not expect: a negative distance of a
    distance action (its magnitude, as esmini), ClothoidSpline segments without timeStart
    under a timeEnd (times filled in by :meth:`ClothoidSplineShape.times`), a Timing scale or
    offset other than 1 and 0 (tools read them differently: docs/scenarios.md), a
    SpeedProfileAction in follow mode (played without its jerk limits), a
    RelativeLanePosition with both ds and dsLane (ds is used); then
    :func:`_total_acceleration_rules`, :func:`_boxes_without_area` and
    :func:`_unchanged_parameters`."""
    for action in sc.root.iter("LongitudinalDistanceAction", "LateralDistanceAction"):
        for attr in ("distance", "timeGap"):
            text = sc.value(action, attr)
            if _number(text, 0.0) < 0.0:    # not "-0.0"; not a number: its own check says so
                sc.add(WARNING, action, f"{attr}={text.strip()} is read as its magnitude, as "
                                        f"esmini reads it (the side is the displacement's; "
                                        f"the standard documents [0..inf[)")
    for spline in sc.root.iter("ClothoidSpline"):
        untimed = [i + 1 for i, seg in enumerate(kids(spline, "ClothoidSplineSegment"))
                   if seg.get("timeStart") is None]
        if spline.get("timeEnd") is not None and untimed:
            sc.add(WARNING, spline, f"ClothoidSplineSegment {', '.join(map(str, untimed))} "
                                    f"without timeStart: the first segment starts at 0 s, "
                                    f"a later one at the time interpolated along the length")
    for timing in sc.root.iter("Timing"):
        if _number(sc.value(timing, "scale"), 1.0) != 1.0 or \
                _number(sc.value(timing, "offset"), 0.0) != 0.0:
            sc.add(WARNING, timing, "Timing scale/offset other than 1/0: played as esmini "
                                    "does (trajectory time = scale x time + offset, so scale "
                                    "2 is twice as fast); the standard gives no formula and "
                                    "other tools read it the inverse way")
    for rel in sc.root.iter("RelativeLanePosition"):
        if rel.get("ds") is not None and rel.get("dsLane") is not None:
            sc.add(WARNING, rel, "ds and dsLane together (OpenSCENARIO 1.1: one or the "
                                 "other): ds is used, dsLane ignored")
    for profile in sc.root.iter("SpeedProfileAction"):
        if (sc.value(profile, "followingMode") or "follow").strip() == "follow":
            sc.add(WARNING, profile, "SpeedProfileAction followingMode=\"follow\" is played "
                                     "as straight speed segments between the entries, as "
                                     "\"position\" is (esmini smooths them within the jerk "
                                     "limits maxAccelerationRate/maxDecelerationRate, which "
                                     "are not applied here)")
    _total_acceleration_rules(sc)
    _boxes_without_area(sc)
    _unchanged_parameters(sc)


def _unchanged_parameters(sc: _Scenario) -> None:
    """A ParameterCondition on a parameter no ParameterAction of the file changes compares
    its declared value all run long: a warning when that comparison is false (the condition
    never holds; realinputs16b: an Event waiting on such a parameter failed events_started)."""
    from scenarios.conditions.value import compare_values
    changed = {sc.value(a, "parameterRef") for a in sc.root.iter("ParameterAction")}
    for cond in sc.root.iter("ParameterCondition"):
        name, rule = sc.value(cond, "parameterRef"), sc.value(cond, "rule")
        value = sc.value(cond, "value")
        if name is None or name in changed or rule not in RULES or value is None:
            continue
        try:
            declared = sc.source(cond).scope.lookup(name)
        except KeyError:
            continue                 # an undeclared parameter: its own check says so
        if not compare_values(declared, value, rule):
            sc.add(WARNING, cond, f"ParameterCondition on '{name}' never holds: no "
                                  f"ParameterAction changes it, and its declared value "
                                  f"{declared!r} is not {rule} {value!r} (a parameter "
                                  f"distribution may give it another)")


def _total_acceleration_rules(sc: _Scenario) -> None:
    """An AccelerationCondition without direction compares the total acceleration, which is
    never negative (OpenSCENARIO 1.2): a warning when its rule, applied as the run applies it
    (:func:`scenarios.conditions.base.compare`), holds for no total or for every one (tried
    at 0, at the value when positive, and far above)."""
    for cond in sc.root.iter("AccelerationCondition"):
        rule = (sc.value(cond, "rule") or "").strip()
        if cond.get("direction") is not None or rule not in RULES:
            continue        # an unknown rule: the condition's own check says so
        value = _number(sc.value(cond, "value"), math.nan)
        if math.isnan(value):
            continue        # not a number: the condition's own check says so
        holds = {compare(total, value, rule) for total in (0.0, max(value, 0.0), 1e9)}
        if len(holds) == 1:
            said = "always" if holds == {True} else "never"
            sc.add(WARNING, cond, f"AccelerationCondition without direction compares the "
                                  f"total acceleration, which is never negative: {rule} "
                                  f"{value:g} {said} holds; direction=\"longitudinal\" "
                                  f"compares the signed value (OpenSCENARIO 1.2+)")


def _boxes_without_area(sc: _Scenario) -> None:
    """A BoundingBox of no length or width: nothing can hit it (collisions, TTC and PET
    measure box areas); a warning at its Dimensions."""
    for box in sc.root.iter("BoundingBox"):
        dims = child_el(box, "Dimensions")
        if dims is not None and any(_number(sc.value(dims, a), 1.0) <= 0.0
                                    for a in ("length", "width")):
            sc.add(WARNING, dims, "a BoundingBox without length or width has no ground area: "
                                  "the entity cannot collide or be measured against "
                                  "(collisions, TTC, PET)")


def _number(text: str | None, default: float) -> float:
    """``text`` as a float; ``default`` when absent or not a number (its own check says so)."""
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default


def _selected_actors(sc: _Scenario) -> None:
    """A ManeuverGroup whose only actors are to be the triggering entities (Actors
    ``selectTriggeringEntities`` true, no EntityRef) in an Act whose StartTrigger has a
    ConditionGroup without a ByEntityCondition: when that group starts the Act, no entity
    made it true, and the group's actions act on nobody (OpenSCENARIO 1.2, 7.3.1). An Act
    with no ByEntityCondition at all is refused by the loader; this is the partial case."""
    for act in sc.root.iter("Act"):
        start = child_el(act, "StartTrigger")
        groups = list(kids(start, "ConditionGroup"))
        blind = [k + 1 for k, g in enumerate(groups)
                 if not any(child_el(c, "ByEntityCondition") is not None
                            for c in kids(g, "Condition"))]
        if not blind or len(blind) == len(groups):
            continue
        for mg in kids(act, "ManeuverGroup"):
            actors = child_el(mg, "Actors")
            if actors is None or (sc.value(actors, "selectTriggeringEntities") or "").lower() \
                    not in ("true", "1") or child_el(actors, "EntityRef") is not None:
                continue
            sc.add(WARNING, actors, f"selectTriggeringEntities without EntityRef: when "
                                    f"ConditionGroup {', '.join(map(str, blind))} of the Act's "
                                    f"StartTrigger starts it, no entity made it true and the "
                                    f"group's actions act on nobody")


def _selected_references(sc: _Scenario) -> None:
    """A distance or synchronize action, in a group selecting triggering entities, whose
    reference entity is among the Act's triggering entities: when that entity is selected,
    the action is refused as it starts (a distance to itself). Warned of, as only the run
    knows which entities fire the trigger."""
    refs = {"LongitudinalDistanceAction": "entityRef", "LateralDistanceAction": "entityRef",
            "SynchronizeAction": "masterEntityRef"}
    for act in sc.root.iter("Act"):
        start = child_el(act, "StartTrigger")
        triggering = {sc.value(r, "entityRef") for r in
                      (start.iter("EntityRef") if start is not None else ())
                      if r.getparent() is not None and r.getparent().tag == "TriggeringEntities"}
        for mg in kids(act, "ManeuverGroup"):
            actors = child_el(mg, "Actors")
            if actors is None or (sc.value(actors, "selectTriggeringEntities") or "").lower() \
                    not in ("true", "1"):
                continue
            for el in mg.iter(*refs):
                ref = sc.value(el, refs[str(el.tag)])
                if ref in triggering:
                    sc.add(WARNING, el, f"{refs[str(el.tag)]}='{ref}' is a triggering entity "
                                        f"of the Act, and the group selects its actors from "
                                        f"them: when '{ref}' is selected the action is refused "
                                        f"as it starts (nothing keeps a distance to, or "
                                        f"synchronises with, itself)")


# ---------------------------------------------------------------------- storyboard
def _catalog_maneuvers(sc: _Scenario) -> list[etree._Element]:
    """The catalog Maneuver entries the scenario's ManeuverGroups reference (each once)."""
    out: list[etree._Element] = []
    for group in sc.root.iter("ManeuverGroup"):
        for ref in children(group, "CatalogReference"):
            cat, entry = sc.value(ref, "catalogName"), sc.value(ref, "entryName")
            el = sc.catalog_index.get(cat or "", {}).get(entry or "")
            if el is not None and el not in out:
                out.append(el)
    return out


def _storyboard_refs(sc: _Scenario) -> None:
    names: dict[str, list[str]] = {t: [] for t in STORYBOARD_TYPES.values()}
    for scope in (sc.root, *_catalog_maneuvers(sc)):
        for tag, found in names.items():
            found += [e.get("name", "") for e in scope.iter(tag)]
    for cond in sc.root.iter("StoryboardElementStateCondition"):
        kind, ref = cond.get("storyboardElementType"), sc.value(cond, "storyboardElementRef")
        tag = STORYBOARD_TYPES.get(kind or "")
        if tag is None or ref is None:
            continue
        last = ref.split("::")[-1]
        count = names[tag].count(last)
        if count == 0:
            sc.add(ERROR, cond, f"storyboardElementRef '{ref}': no {tag} of that name")
        elif count > 1 and "::" not in ref:
            sc.add(WARNING, cond, f"storyboardElementRef '{ref}': {count} {tag} elements "
                                  f"have that name (write the full path with '::')")
    for trig in sc.root.iter("StartTrigger"):
        if child_el(trig, "ConditionGroup") is None:
            sc.add(WARNING, trig, f"StartTrigger without ConditionGroup: its "
                                  f"{trig.getparent().tag} starts at once, as esmini reads it "
                                  f"(no group to be true, a reader of the standard may never "
                                  f"start it)")
    stop = child_el(child_el(sc.root, "Storyboard"), "StopTrigger")
    if stop is not None and child_el(stop, "ConditionGroup") is None:
        sc.add(WARNING, stop, "the Storyboard's StopTrigger has no ConditionGroup: it never "
                              "fires, so testzone run ends the case at its time limit "
                              "(--max-time, 300 s by default) and does not judge "
                              "reached_stop_trigger")
    _events_after_the_end(sc, stop)


def _clock_times(group: etree._Element, sc: _Scenario) -> list[float | None]:
    """For each Condition of a ConditionGroup: the simulation time [s] from which it holds
    when it is a SimulationTimeCondition that fires by a time
    (``SimulationTimeCondition.fires_from``, its delay added), else None."""
    from scenarios.conditions.value import SimulationTimeCondition
    out: list[float | None] = []
    for cond in kids(group, "Condition"):
        leaf = child_el(child_el(cond, "ByValueCondition"), "SimulationTimeCondition")
        value = _number(sc.value(leaf, "value"), math.nan) if leaf is not None else math.nan
        fires = None
        if not math.isnan(value):
            fires = SimulationTimeCondition(value, sc.value(leaf, "rule") or "").fires_from(
                sc.value(cond, "conditionEdge") or "none",
                _number(sc.value(cond, "delay"), 0.0))
        out.append(None if fires is None or math.isnan(fires[0]) else fires[0])
    return out


def _events_after_the_end(sc: _Scenario, stop: etree._Element | None) -> None:
    """An Event (or an Act, and so its Events) whose every start ConditionGroup waits for a
    SimulationTime later than the latest the Storyboard's StopTrigger fires by (a group of
    SimulationTimeConditions only) never runs: a warning (the run sets it apart from events_started's count; UN R157's ALKS
    templates start an Event at 10000 s in a 40 s case)."""
    ends = [max(times) for times in (_clock_times(g, sc) for g in kids(stop, "ConditionGroup"))
            if times and None not in times] if stop is not None else []
    if not ends:
        return
    end = min(ends)
    for el in sc.root.iter("Act", "Event"):
        groups = [_clock_times(g, sc) for g in kids(child_el(el, "StartTrigger"),
                                                    "ConditionGroup")]
        if groups and all(any(t is not None and t > end for t in g) for g in groups):
            what = "it never runs" if el.tag == "Event" else "its Events never run"
            sc.add(WARNING, el, f"{el.tag} '{sc.value(el, 'name')}' waits for a SimulationTime "
                                f"after {end:g} s, when the StopTrigger ends the run: {what} "
                                f"(reported apart, not counted by events_started)")


# ---------------------------------------------------------------------- support
def _slots(top: etree._Element) -> Iterator[tuple[Registry, etree._Element]]:
    """The innermost action and condition elements under ``top``, with their registry."""
    for el in top.iter("PrivateAction", "GlobalAction", "UserDefinedAction"):
        if el.getparent() is None or el.getparent().tag not in WRAPPERS:
            inner = innermost_action(el)
            if inner is not None:
                yield ACTIONS, inner
    for el in top.iter("EntityCondition", "ByValueCondition"):
        leaf = next(children(el), None)
        if leaf is not None:
            yield CONDITIONS, leaf


def _parse_under(sc: _Scenario, top: etree._Element, file: str,
                 source_of: Callable[[etree._Element], Source], catalogs: Catalogs) -> None:
    """Parse the slots under ``top`` (in ``file``); then flag every element of the
    registries' ``unsupported`` lists not already reported."""
    for registry, el in _slots(top):
        try:
            registry.parse(el, ParseContext(source_of(el), POSITIONS, catalogs, None))
        except ScenarioError as exc:
            same_file = exc.file in (None, file)
            _add_new(sc, issue_from_error(exc, file, el if same_file else None))
    unsupported = set(ACTIONS.unsupported) | set(CONDITIONS.unsupported) \
        | set(POSITIONS.unsupported)
    reported = {(i.file, i.line) for i in sc.issues if i.severity == WARNING}
    for el in top.iter(*unsupported) if unsupported else ():   # iter() would yield all
        if (file, el.sourceline) not in reported:
            sc.issues.append(Issue(WARNING, file, el.sourceline, element_path(el),
                                   f"{el.tag} is not supported by this engine (see "
                                   f"docs/scenarios.md)"))


def _catalogs(sc: _Scenario) -> Catalogs:
    """The engine's catalog resolver for the scenario (none when a location is missing,
    which :func:`_files` reports)."""
    try:
        return Catalogs(sc.source(sc.root), child_el(sc.root, "CatalogLocations"))
    except ScenarioError:
        return Catalogs(sc.source(sc.root), None)


def _parse_elements(sc: _Scenario) -> None:
    """Parse every action and condition, of the scenario and of the catalog Maneuvers it
    uses, with the engine's registries: unsupported elements become warnings, values the
    engine refuses become errors."""
    top = sc.source(sc.root)
    catalogs = _catalogs(sc)
    _parse_under(sc, sc.root, sc.file, sc.source, catalogs)
    for entry in _catalog_maneuvers(sc):
        file = str(entry.base or "")
        try:
            entry_src = Source(file, read_declarations(Source(file, top.scope), entry))
        except ScenarioError as exc:
            _add_new(sc, issue_from_error(exc, file, entry))
            continue
        _parse_under(sc, entry, file, lambda el, s=entry_src: s, catalogs)


def _controllers(sc: _Scenario, ego: str | None, catalogs: Catalogs) -> None:
    """Warn for controllers a scenario entity is given that the engine does not provide
    (``scenarios.controllers.BUILTIN``): the entity keeps the default controller, as esmini run
    with ``--disable_controllers``. For the vehicle under test (``ego``) the warning says that
    an agent drives it, and that under ``--agent scenario`` the default controller does."""
    holders = [(h, [sc.value(h.getparent(), "name")]) for h in sc.root.iter("ObjectController")]
    for h in sc.root.iter("AssignControllerAction"):
        private = next(h.iterancestors("PrivateAction"), None)
        holders.append((h, _actors(sc, private) if private is not None else []))
    for holder, actors in holders:
        actors = [a for a in actors if a]
        if not actors or next(children(holder), None) is None:
            continue
        try:
            ctrl = read_controller(sc.source(holder), holder, catalogs)
        except ScenarioError:
            continue                      # reported by the loader
        if ctrl.kind in BUILTIN:
            continue
        others = [a for a in actors if a != ego]
        available = f"(available: {', '.join(sorted(BUILTIN))})"
        if others:
            sc.add(WARNING, holder, f"controller '{ctrl.name}' ({ctrl.kind}) is not available "
                                    f"to {', '.join(others)}: the default controller drives "
                                    f"{available}")
        if ego in actors:
            sc.add(WARNING, holder, f"controller '{ctrl.name}' ({ctrl.kind}) of {ego}, the "
                                    f"vehicle under test, is not available: the agent drives "
                                    f"{ego}, and with --agent scenario the default controller "
                                    f"does {available}")


def _lenient_load(sc: _Scenario) -> str | None:
    """Whatever else the loader refuses (one finding: the loader stops at the first).
    Returns the scenario's ego name (None when it does not load)."""
    from scenarios.loader import load_scenario
    try:
        loaded = load_scenario(sc.file, lenient=True)
    except ScenarioError as exc:
        _add_new(sc, issue_from_error(exc, sc.file))
        return None
    for required in (loaded.require_ego, loaded.require_road_network):
        try:
            required()
        except ScenarioError as exc:  # a scenario, but not a test case: run refuses it
            issue = issue_from_error(exc, sc.file)
            at = child_el(sc.root, exc.element) if issue.line is None and exc.element else None
            sc.issues.append(Issue(WARNING, issue.file,
                                   at.sourceline if at is not None else issue.line,
                                   element_path(at) if at is not None else issue.element,
                                   f"testzone run refuses it as a test case: {exc.message}"))
    _start_states(sc, loaded, _unplaced(sc, loaded))
    _state_refs(sc, loaded)
    return loaded.ego_name


def _state_refs(sc: _Scenario, loaded: Scenario) -> None:
    """A StoryboardElementStateCondition whose ``::`` path names no element (its last name
    alone may exist: ``X::Y::E0``): an error, as the run refuses it when it sets up the
    storyboard (:func:`scenarios.engine.state_condition_targets`, the engine's own lookup)."""
    from scenarios.engine import state_condition_targets, unresolved_state_ref
    from scenarios.storyboard import Storyboard
    try:
        board = Storyboard(loaded.storyboard)
    except ScenarioError as exc:   # the run refuses it as it sets up the storyboard
        _add_new(sc, issue_from_error(exc, sc.file))
        return
    for cr, found in state_condition_targets(board):
        ref = cr.cdef.spec.element_ref
        named = f"storyboardElementRef '{ref}'"   # its name missing: _storyboard_refs said so
        if not found and not any(named in i.message for i in sc.issues):
            _add_new(sc, issue_from_error(unresolved_state_ref(cr, sc.file), sc.file))


def _unplaced(sc: _Scenario, loaded: Scenario) -> set[str]:
    """Warn of each entity besides the ego that no Init TeleportAction places, is towed by
    none and no AddEntityAction adds: it starts at the world origin, (0, 0), off the road,
    and the evaluator measures the ego against it there. Returns their names."""
    towed = {e.trailer for e in loaded.entities.values() if getattr(e, "trailer", None)}
    added = {sc.value(ea, "entityRef") for ea in sc.root.iter("EntityAction")
             if child_el(ea, "AddEntityAction") is not None}
    placed = loaded.placed_in_init() | towed | added | {loaded.ego_name}
    objects = {sc.value(o, "name"): o for o in kids(child_el(sc.root, "Entities"),
                                                    "ScenarioObject")}
    unplaced = {name for name in loaded.entities if name not in placed}
    for name in loaded.entities:
        if name in unplaced:
            sc.add(WARNING, objects.get(name, child_el(sc.root, "Entities")),
                   f"'{name}' has no TeleportAction in Init: it starts at the world origin "
                   f"(0, 0), off any road, until an action places it")
    return unplaced


CROSSWISE_RAD = math.radians(45.0)
"""An entity starting farther than this from its lane's direction (and from the opposite
one) stands across the lane (:func:`_crosswise_starts`)."""

_GUIDES = frozenset({"FollowTrajectoryAction", "AssignRouteAction", "AcquirePositionAction"})
"""Actions that steer an entity along a path of their own rather than its lane."""


def _start_states(sc: _Scenario, loaded: Scenario, unplaced: set[str]) -> None:
    """Set up the Init on the map as a run does (nothing is said when it cannot be) and warn
    of starts that make a case test something other than it says: :func:`_crosswise_starts`,
    boxes that overlap at t = 0 (the run records a collision at 0 s, blamed on the ego:
    author pass 14), a vehicle heading against its lane's driving direction (more than 135
    deg off, pi - :data:`CROSSWISE_RAD`: an overtaking case silently becomes a head-on one;
    not on a two-way lane, which has no wrong way) and a vehicle on a lane that is not for
    driving (a sidewalk, a shoulder), each of the last two only for the ego and vehicles a
    SpeedAction sets moving (a parked car may stand anywhere). ``unplaced``: entities Init
    does not place (already warned of), left out."""
    from scenarios.engine import ScenarioEngine
    net = _variant_network(loaded.road_network_path) if loaded.entities else None
    if net is None:
        return
    events: list = []
    try:
        world = ScenarioEngine(loaded, net, dt=0.05, external=frozenset(), seed=0,
                               on_event=events.append).initialize()
    except TestzoneError:
        return
    objects = {sc.value(o, "name"): o for o in kids(child_el(sc.root, "Entities"),
                                                    "ScenarioObject")}

    def where(name: str) -> etree._Element:
        return objects.get(name, child_el(sc.root, "Entities"))
    world = replace(world, entities={n: st for n, st in world.entities.items()
                                                 if n not in unplaced})
    for e in events:     # the run's own contact test at t = 0 (trailers at their couplings
        a, b = e.data.get("a"), e.data.get("b")              # left out, as in the run)
        if e.kind == "collision" and a not in unplaced and b not in unplaced:
            sc.add(WARNING, where(b),
                   f"'{a}' and '{b}' overlap at the start (their bounding boxes intersect "
                   f"at t = 0): the run records a collision at 0 s")
    moved, guided = set(), set()
    for action in loaded.storyboard.actions():
        kind = getattr(action.spec, "ELEMENT", "")
        if kind in ("SpeedAction", "SpeedProfileAction"):
            moved.update(action.actors)
        elif kind in _GUIDES:
            guided.update(action.actors)
    _crosswise_starts(sc, net, world, sorted(moved - guided - {loaded.ego_name}), where)
    for name, state in world.entities.items():
        if state.kind != EntityKind.VEHICLE or state.lane is None or \
                (name not in moved and name != loaded.ego_name):   # parked: anywhere
            continue
        on = net.world_to_lane(state.pose.x, state.pose.y, None, lane_types=None)
        kind = None
        if on is not None and on.lane_id != 0 and \
                abs(on.offset) <= 0.5 * net.lane_width(on.road_id, on.lane_id, on.s):
            kind = net.lane_type(on.road_id, on.lane_id, on.s)
        if kind is not None and kind not in DRIVING_LANE_TYPES:
            sc.add(WARNING, where(name),
                   f"'{name}' starts on a lane of type {kind} (road {on.road_id}, lane "
                   f"{on.lane_id}, s={on.s:.1f}), not a driving lane")
            continue
        off = _off_lane_heading(net, state)
        if off is not None and off > math.pi - CROSSWISE_RAD and \
                not net.two_way(state.lane.road_id, state.lane.lane_id):
            sc.add(WARNING, where(name),
                   f"'{name}' starts heading against the driving direction of its lane "
                   f"(road {state.lane.road_id}, lane {state.lane.lane_id}: "
                   f"{math.degrees(off):.0f} deg off): it drives the wrong way")


def _off_lane_heading(net: Any, state: EntityState) -> float | None:
    """How far [rad, 0..pi] an entity's heading is from its lane's driving direction; None
    without a lane (or one the map cannot place)."""
    if state.lane is None:
        return None
    try:
        along = net.lane_to_world(state.lane.road_id, state.lane.lane_id, state.lane.s).h
    except TestzoneError:
        return None
    return abs(math.remainder(state.pose.h - along, 2 * math.pi))


def _crosswise_starts(sc: _Scenario, net: Any, world: Any, names: list[str],
                      where: Callable[[str], etree._Element]) -> None:
    """Warn of each entity of ``names`` (those besides the ego that a SpeedAction or
    SpeedProfileAction sets moving and that no FollowTrajectoryAction, AssignRouteAction or
    AcquirePositionAction guides) that Init sets across its lane (its heading more than
    :data:`CROSSWISE_RAD` off the lane's direction either way): the default controller, as
    esmini's, moves it along its lane, so a pedestrian set across the road walks along it
    (hostile pass 12b)."""
    for name in names:
        state = world.entities.get(name)
        off = _off_lane_heading(net, state) if state is not None else None
        if off is not None and CROSSWISE_RAD < off < math.pi - CROSSWISE_RAD:
            sc.add(WARNING, where(name),
                   f"'{name}' starts {math.degrees(off):.0f} deg off the direction of its "
                   f"lane (road {state.lane.road_id}, lane {state.lane.lane_id}): once it "
                   f"moves, the default controller (as esmini's) takes it along the lane, "
                   f"not across; to cross, give it a FollowTrajectoryAction or a route")


def _add_new(sc: _Scenario, issue: Issue) -> None:
    """Add ``issue`` unless one of the same severity was reported at its file and line (the
    loader's message for a problem a dedicated check already named)."""
    if not any((i.file, i.line, i.severity) == (issue.file, issue.line, issue.severity)
               for i in sc.issues):
        sc.issues.append(issue)


def scenario_issues(file: str, root: etree._Element, known: list[Issue] | None = None
                    ) -> list[Issue]:
    """Semantic issues of a scenario file (see :mod:`scenarios.check`); ``known`` (the
    schema's) are not repeated in the loader's words."""
    known = list(known or ())
    sc = _Scenario(file, root, list(known))
    sc.issues += undefined_parameters(file, root, ERROR)
    sc.issues += duplicate_names(file, root)
    _files(sc)
    entities = _entities(sc)
    _entity_refs(sc, entities)
    _action_kinds(sc, entities, _selections(sc, entities))
    _geo_positions(sc)
    _centre_lane_positions(sc)
    _custom_commands(sc, entities)
    _storyboard_refs(sc)
    _selected_actors(sc)
    _selected_references(sc)
    _readings(sc)
    _monitor_refs(sc)
    for ref in root.iter("CatalogReference"):
        if ref.getparent() is None or ref.getparent().tag != "ScenarioObject":
            catalog_entry(sc, ref)
    _parse_elements(sc)
    ego = _lenient_load(sc)
    _properties(sc, ego)
    _controllers(sc, ego, _catalogs(sc))
    _synchronised_with_the_ego(sc, ego)
    return sc.issues[len(known):]


def _synchronised_with_the_ego(sc: _Scenario, ego: str | None) -> None:
    """A SynchronizeAction whose master is the vehicle under test: the entity times its
    arrival by the stack's own motion, so a stack that slows for it is chased (author pass 16:
    a red-light runner synchronised to the ego up to the stop line slowed when the ego did,
    and the collision read as a failed warning). A warning: synchronising to the ego is how
    some test items aim a conflict, but the stack then shapes its own stimulus."""
    if not ego:
        return
    for action in sc.root.iter("SynchronizeAction"):
        if sc.value(action, "masterEntityRef") == ego:
            sc.add(WARNING, action, f"SynchronizeAction with masterEntityRef '{ego}', the "
                                    f"vehicle under test: the entity times its arrival by the "
                                    f"stack's own motion (a stack that slows for it is "
                                    f"chased), so the stimulus depends on the stack")


def catalog_issues(file: str, root: etree._Element) -> list[Issue]:
    """Semantic issues of a catalog file: duplicate entry names, undefined parameters
    (warnings: an entry may use the referencing scenario's global parameters)."""
    return list(duplicate_names(file, root)) + list(undefined_parameters(file, root, WARNING))


# ---------------------------------------------------------------------- distributions

def distribution_issues(file: str, root: etree._Element) -> list[Issue]:
    """Expand the distribution (malformed, or a value not of its parameter's declared type:
    errors, from :func:`scenarios.distribution.read_distribution`), check every varied
    parameter is declared in the ScenarioFile, then check the ScenarioFile."""
    from scenarios.check import check_scenario
    from scenarios.distribution import read_distribution, varied_elements
    pvd = child_el(root, "ParameterValueDistribution")
    sf = child_el(pvd, "ScenarioFile")
    scenario = Path(file).parent / sf.get("filepath", "") if sf is not None else None
    issues: list[Issue] = []
    try:
        decls = _global_declarations(parse_xml(scenario)) \
            if scenario is not None and scenario.is_file() else None  # also when a value fails
    except ScenarioError:
        decls = None    # malformed: check_scenario of the ScenarioFile says where (author pass 14)
    if decls is not None:
        for name, el in varied_elements(pvd).items():
            if name not in decls:
                issues.append(Issue(ERROR, file, el.sourceline, element_path(el),
                                    f"parameter '{name}' is not declared in the global "
                                    f"ParameterDeclarations of {scenario.resolve()}"))
    try:
        dist = read_distribution(file)
    except ScenarioError as exc:
        issue = issue_from_error(exc, file, root)
        return sorted([Issue(ERROR, issue.file, issue.line, issue.element, issue.message)]
                      + issues, key=lambda i: i.line or 0)
    if not any(i.severity == ERROR for i in issues):
        issues += _load_variants(file, dist.scenario_file, dist.sets)
    return issues + check_scenario(dist.scenario_file)


MAX_LOADED_VARIANTS = 20
"""Variants :func:`distribution_issues` loads with their parameters (:func:`variants_to_load`)."""


def variants_to_load(sets: Sequence[Mapping[str, object]],
                     limit: int = MAX_LOADED_VARIANTS) -> list[int]:
    """Indices (ascending, at most ``limit``) of the variants a check loads: those holding
    each parameter's smallest and largest numeric value first (where a value breaks a start
    position or an expression, it is most often at an end of its range), then the first
    variants. All of them when there are no more than ``limit``."""
    if len(sets) <= limit:
        return list(range(len(sets)))
    chosen: dict[int, None] = {}
    for name in dict.fromkeys(k for params in sets for k in params):
        numeric = [(float(v), k) for k, params in enumerate(sets)
                   if isinstance(v := params.get(name), (int, float)) and not isinstance(v, bool)
                   and math.isfinite(v)]
        if numeric:
            chosen.update({min(numeric)[1]: None, max(numeric)[1]: None})
    for k in range(len(sets)):
        chosen.setdefault(k)
        if len(chosen) >= limit:
            break
    return sorted(list(chosen)[:limit])


def _load_variants(file: str, scenario: str, sets: tuple) -> list[Issue]:
    """Load some variants (:func:`variants_to_load`) with their values and set up their Init
    on the map, as a run does: an expression, a reference or a start position (a
    LanePosition ``s`` beyond its road) that only breaks for some values is an error naming
    the variant (new-user pass 9: 4 of 6 variants could not start, and check said the
    distribution was clean)."""
    from scenarios.engine import ScenarioEngine
    from scenarios.loader import load_scenario
    out: list[Issue] = []
    for index in variants_to_load(sets):
        params = sets[index]
        try:
            loaded = load_scenario(scenario, params, lenient=True)
            net = _variant_network(loaded.road_network_path)
            if net is not None:
                ScenarioEngine(loaded, net, dt=0.05, external=frozenset(), seed=0,
                               on_event=lambda e: None).initialize()
        except UnsupportedElementError:
            return out          # the ScenarioFile's own check names it
        except ScenarioError as exc:
            issue = issue_from_error(exc, scenario)
            out.append(Issue(ERROR, issue.file, issue.line, issue.element,
                             f"variant {index} of {file}: {issue.message}"))
    return out


def _variant_network(path: str | None):
    """The road network a variant runs on (cached per file version), or None when there is
    none or it does not load (the scenario's own check reports the map)."""
    if not path:
        return None
    try:
        st = os.stat(path)
        return _network(path, st.st_mtime_ns, st.st_size)
    except (OSError, TestzoneError):
        return None


def _global_declarations(root: etree._Element) -> dict[str, etree._Element]:
    decls = child_el(root, "ParameterDeclarations")
    if decls is None:
        return {}
    return {declared_name(d): d for d in children(decls, "ParameterDeclaration")}


__all__ = ["scenario_issues", "catalog_issues", "distribution_issues"]
