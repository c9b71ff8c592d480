"""Entities (ASAM OpenSCENARIO 1.x clause "Entities"): Vehicle, Pedestrian, MiscObject, inline
or from a catalog, read into :class:`scenarios.model.EntityDef`.

Kind: Vehicle -> vehicle (cyclist for vehicleCategory bicycle/motorbike), Pedestrian ->
pedestrian, MiscObject -> obstacle. Elements an entity may carry that do not change its
motion here (model files) are read past; Axles give wheelbase and steering limit; the
ObjectController becomes ``EntityDef.controller`` (``scenarios.controllers``).

Trailers (OpenSCENARIO 1.3 ``Vehicle/TrailerHitch``, ``TrailerCoupler``, ``Trailer``; motion in
``scenarios.trailers``): a vehicle's ``Trailer`` is either an inline ``Trailer`` (a
ScenarioObject: a Vehicle or a CatalogReference to one, which may tow a trailer of its own)
or a ``TrailerRef`` naming a declared entity. As esmini v3.6.0 (``ScenarioReader::
parseOSCVehicle``, ``Entities::addObject``), an inline trailer becomes an entity of the run
named after its tow vehicle plus ``+`` (``Truck`` -> ``Truck+`` -> ``Truck++``; the inline
ScenarioObject's own name is not used), listed right after it; an empty ``TrailerRef``
(esmini's catalogs default ``$TrailerRef`` to "") means no trailer; esmini's legacy
``EntityRef`` in place of ``TrailerRef`` is read too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from lxml import etree

from testzone.world import BoundingBox, EntityKind

from scenarios.catalogs import Catalogs
from scenarios.controllers import read_controller
from scenarios.errors import UnsupportedElementError
from scenarios.model import EGO_NAMES, EntityDef, Performance
from scenarios.parameters import read_declarations
from scenarios.xmlsource import Source, child, children, non_negative

ENTITY_ELEMENTS = ("Vehicle", "Pedestrian", "MiscObject")
_CATEGORY_ATTR = MappingProxyType({"Vehicle": "vehicleCategory",
                                   "Pedestrian": "pedestrianCategory",
                                   "MiscObject": "miscObjectCategory"})
ROLES = ("none", "ambulance", "civil", "fire", "military", "police", "publicTransport",
         "roadAssistance")
"""XSD ``Role`` (OpenSCENARIO 1.2): the ``role`` attribute of Vehicle and Pedestrian."""
MOVING_ACTIONS = ("SpeedAction", "LongitudinalDistanceAction", "SpeedProfileAction",
                  "LaneChangeAction", "LaneOffsetAction", "LateralDistanceAction",
                  "AssignRouteAction", "FollowTrajectoryAction", "AcquirePositionAction",
                  "RandomRouteAction", "SynchronizeAction", "ActivateControllerAction",
                  "AssignControllerAction", "OverrideControllerValueAction",
                  "ConnectTrailerAction", "DisconnectTrailerAction")
"""Private actions that move an entity or need its controller."""
NOT_FOR_KIND: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "MiscObject": MappingProxyType({a: "error" for a in MOVING_ACTIONS}),
    "Pedestrian": MappingProxyType({"LaneChangeAction": "warning", "LaneOffsetAction": "warning",
                                    "LateralDistanceAction": "warning",
                                    "ConnectTrailerAction": "error",
                                    "DisconnectTrailerAction": "error"}),
})
"""Entity element -> {private action: severity}. A MiscObject has no controller and cannot
move by itself (OSC 1.x: controllers and motion apply to Vehicles and Pedestrians); trailers are
for vehicles; lane-relative lateral actions on a pedestrian are doubtful. The loader refuses
the errors, ``scenario check`` reports both."""
MAX_TRAILERS = 100
"""Longest chain of inline trailers read (esmini's ``max_trailers``): deeper means a catalog
entry towing itself."""


def _box(src: Source, el: etree._Element) -> BoundingBox:
    bb = child(el, "BoundingBox")
    if bb is None:
        raise src.error(el, "expected a BoundingBox")
    c, d = child(bb, "Center"), child(bb, "Dimensions")
    if c is None or d is None:
        raise src.error(bb, "expected Center and Dimensions")
    a = src.attr
    return BoundingBox(a(c, "x", float), a(c, "y", float), a(c, "z", float),
                       a(d, "length", non_negative), a(d, "width", non_negative),
                       a(d, "height", non_negative))


def _performance(src: Source, el: etree._Element) -> Performance:
    p = child(el, "Performance")
    if p is None:
        return Performance()
    a = src.attr
    return Performance(a(p, "maxSpeed", non_negative), a(p, "maxAcceleration", non_negative),
                       a(p, "maxDeceleration", non_negative))


#: Entity Property that equips a scenario entity with a V2X on-board unit (it then broadcasts
#: BSM in every run, ``runners.case.obu_entities``); its value is an xsd:boolean.
OBU_PROPERTY = "v2x:obu"
#: The entity Properties whose value must be an xsd:boolean.
BOOLEAN_PROPERTIES = frozenset({OBU_PROPERTY})


def xsd_boolean(text: str) -> bool:
    """The value of an xsd:boolean (``true``/``1``, ``false``/``0``, surrounding blanks and
    case ignored), W3C XML Schema Part 2, 3.2.2.

    Raises:
        ValueError: any other text.
    """
    value = str(text).strip().lower()
    if value not in ("true", "1", "false", "0"):
        raise ValueError(f"{text!r} is not an xsd:boolean")
    return value in ("true", "1")


def _properties(src: Source, el: etree._Element) -> dict[str, str]:
    """Properties/Property name -> value of an entity element.

    Raises:
        ScenarioError: a property of :data:`BOOLEAN_PROPERTIES` whose value is not
            ``true``/``false``/``1``/``0`` (file, line, element).
    """
    props = child(el, "Properties")
    if props is None:
        return {}
    out = {}
    for p in children(props, "Property"):
        name, value = src.attr(p, "name", str), src.attr(p, "value", str, "")
        if name in BOOLEAN_PROPERTIES:
            try:
                xsd_boolean(value)
            except ValueError:
                raise src.error(p, f"Property {name!r} is {value!r}: expected true or false") \
                    from None
        out[name] = value
    return out


def _axles(src: Source, el: etree._Element) -> tuple[float | None, float | None]:
    """(wheelbase [m], front maxSteering [rad]) from ``Axles``, or (None, None)."""
    axles = child(el, "Axles")
    front = child(axles, "FrontAxle") if axles is not None else None
    rear = child(axles, "RearAxle") if axles is not None else None
    if front is None or rear is None:
        return None, None
    wheelbase = src.attr(front, "positionX", float) - src.attr(rear, "positionX", float)
    return (wheelbase if wheelbase > 0 else None), src.attr(front, "maxSteering", float)


def _coupling(src: Source, el: etree._Element) -> tuple[float | None, float | None]:
    """(TrailerHitch dx, TrailerCoupler dx) [m, along the vehicle's x axis from its reference
    point] of a Vehicle, None where absent. ``dz`` is checked (a finite number) but not used:
    towing is planar, as in esmini."""
    out: list[float | None] = []
    for tag in ("TrailerHitch", "TrailerCoupler"):
        node = child(el, tag)
        if node is None:
            out.append(None)
            continue
        src.attr(node, "dz", float, 0.0)
        out.append(src.attr(node, "dx", float))
    return out[0], out[1]


def _kind(element: str, category: str) -> EntityKind:
    if element == "Pedestrian":
        return EntityKind.PEDESTRIAN
    if element == "MiscObject":
        return EntityKind.OBSTACLE
    return EntityKind.CYCLIST if category in ("bicycle", "motorbike") else EntityKind.VEHICLE


def read_entity_element(name: str, src: Source, el: etree._Element,
                        catalog: str | None = None) -> EntityDef:
    """Read a Vehicle/Pedestrian/MiscObject element as entity ``name``."""
    tag = str(el.tag)
    category = src.attr(el, _CATEGORY_ATTR[tag], str, "car" if tag == "Vehicle" else "")
    wheelbase, max_steering = _axles(src, el) if tag == "Vehicle" else (None, None)
    hitch, coupler = _coupling(src, el) if tag == "Vehicle" else (None, None)
    role = src.choice(el, "role", ROLES, "none") if tag != "MiscObject" else "none"
    return EntityDef(
        name=name, element=tag, kind=_kind(tag, category), category=category,
        box=_box(src, el), performance=_performance(src, el) if tag == "Vehicle"
        else Performance(), properties=_properties(src, el),
        mass=src.attr(el, "mass", float, None),
        model=src.attr(el, "model3d", str, None) or src.attr(el, "model", str, None),
        catalog=catalog, wheelbase=wheelbase, max_steering=max_steering, hitch=hitch,
        coupler=coupler, role=role)


def read_template(src: Source, template: etree._Element, catalogs: Catalogs | None
                  ) -> EntityDef:
    """The entity of an OpenSCENARIO 1.3 ``ScenarioObjectTemplate`` (inside a
    TrafficDistribution's EntityDistributionEntry): its Vehicle, Pedestrian, MiscObject or
    CatalogReference, as an EntityDef named ``""`` (a traffic action names each instance).
    Its ObjectControllers and a Vehicle's Trailer are not read: traffic instances are driven
    by the default controller, alone.

    Raises:
        ScenarioError: no entity element, a catalog entry that is not an entity or cannot be
            resolved (file, line, element).
    """
    el = next((c for c in children(template)
               if c.tag in ENTITY_ELEMENTS + ("CatalogReference",)), None)
    if el is None:
        raise src.error(template, "expected Vehicle, Pedestrian, MiscObject or "
                                  "CatalogReference")
    if el.tag != "CatalogReference":
        return read_entity_element("", src, el)
    if catalogs is None:
        raise src.error(el, "a CatalogReference needs the scenario's CatalogLocations")
    entry, entry_src = catalogs.resolve(src, el)
    if entry.tag not in ENTITY_ELEMENTS:
        raise src.error(el, f"catalog entry is a {entry.tag}, expected an entity")
    ref = f"{src.attr(el, 'catalogName', str)}/{src.attr(el, 'entryName', str)}"
    return read_entity_element("", entry_src, entry, ref)


class _EntityReader:
    """Reads ScenarioObjects into ``out`` (name -> EntityDef, in esmini's object order: each
    vehicle followed by its inline trailers), then connects the ``TrailerRef`` trailers.

    Attributes:
        catalogs: the scenario's catalogs. out: the entities read so far.
        refs: (tow name, Source, TrailerRef element, referenced name) still to connect.
    """

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs
        self.out: dict[str, EntityDef] = {}
        self.refs: list[tuple[str, Source, etree._Element, str]] = []

    def scenario_object(self, src: Source, obj: etree._Element, name: str,
                        depth: int = 0) -> None:
        """Read ScenarioObject ``obj`` (a top-level one, or an inline ``Trailer``) as entity
        ``name``, and its trailer.

        Raises:
            ScenarioError: missing object, unknown catalog entry or not an entity, a name
                already taken, bad trailers (see :meth:`trailer`).
            UnsupportedElementError: ExternalObjectReference.
        """
        if name in self.out:
            taken = next((t for t, d in self.out.items() if d.trailer == name), None)
            why = f" (the name esmini gives the trailer of '{taken}')" if taken else ""
            raise src.error(obj, f"entity '{name}' declared twice{why}")
        el = next((c for c in children(obj) if c.tag in ENTITY_ELEMENTS + ("CatalogReference",)),
                  None)
        if el is None and child(obj, "ExternalObjectReference") is not None:
            raise src.error(child(obj, "ExternalObjectReference"), "a known element this "
                            "player does not support (see docs/scenarios.md)",
                            UnsupportedElementError)
        if el is None:
            raise src.error(obj, "expected Vehicle, Pedestrian, MiscObject or CatalogReference")
        el_src = src
        if el.tag == "CatalogReference":
            entry, el_src = self.catalogs.resolve(src, el)
            if entry.tag not in ENTITY_ELEMENTS:
                raise src.error(el, f"catalog entry is a {entry.tag}, expected an entity")
            ref = f"{src.attr(el, 'catalogName', str)}/{src.attr(el, 'entryName', str)}"
            self.out[name] = read_entity_element(name, el_src, entry, ref)
            el = entry
        else:
            if depth:   # an inline trailer's Vehicle: its own ParameterDeclarations
                el_src = src.with_scope(read_declarations(src, el))
            self.out[name] = read_entity_element(name, el_src, el)
        oc = child(obj, "ObjectController")
        if oc is not None and next(children(oc), None) is not None:
            self.out[name] = replace(self.out[name],
                                     controller=read_controller(src, oc, self.catalogs))
        if el.tag == "Vehicle":
            self.trailer(el_src, el, name, depth)

    def trailer(self, src: Source, vehicle: etree._Element, name: str, depth: int) -> None:
        """Read the ``Trailer`` of Vehicle element ``vehicle`` (entity ``name``): an inline
        trailer is read now as entity ``name + "+"``; a TrailerRef is kept in ``refs``.

        Raises:
            ScenarioError: a Trailer without TrailerHitch on the vehicle, without a child or
                with another child than Trailer/TrailerRef, an inline trailer that is no
                Vehicle or has no TrailerCoupler, a chain deeper than MAX_TRAILERS.
        """
        el = child(vehicle, "Trailer")
        if el is None:
            return
        inner = next(children(el), None)
        if inner is None or inner.tag not in ("Trailer", "TrailerRef", "EntityRef"):
            raise src.error(inner if inner is not None else el,
                            "expected Trailer (inline) or TrailerRef inside Trailer")
        if inner.tag != "Trailer":
            ref = src.attr(inner, "entityRef", str, "")
            if ref:
                if self.out[name].hitch is None:
                    raise src.error(el, f"vehicle '{name}' tows a trailer but has no "
                                        f"TrailerHitch")
                self.refs.append((name, src, inner, ref))
            return
        if self.out[name].hitch is None:
            raise src.error(el, f"vehicle '{name}' tows a trailer but has no TrailerHitch")
        if depth + 1 >= MAX_TRAILERS:
            raise src.error(inner, f"more than {MAX_TRAILERS} trailers in a row (a catalog "
                                   f"entry towing itself?)")
        trailer = name + "+"
        if trailer in self.out:
            raise src.error(inner, f"the inline trailer of '{name}' is named '{trailer}' "
                                   f"(esmini's naming), a name already declared")
        self.scenario_object(src, inner, trailer, depth + 1)
        self._check_trailer(src, inner, trailer)
        self.out[name] = replace(self.out[name], trailer=trailer)

    def _check_trailer(self, src: Source, el: etree._Element, trailer: str) -> None:
        d = self.out[trailer]
        if d.element != "Vehicle" or d.coupler is None:
            what = "is no Vehicle" if d.element != "Vehicle" else "has no TrailerCoupler"
            raise src.error(el, f"trailer '{trailer}' {what}: a trailer is a Vehicle with a "
                                f"TrailerCoupler")

    def connect_refs(self) -> None:
        """Connect the TrailerRef trailers (to entities declared anywhere in Entities).

        Raises:
            ScenarioError: (at the TrailerRef) an unknown entity, the vehicle itself, no
                Vehicle with a TrailerCoupler, a trailer towed twice, a ring of vehicles
                towing each other.
        """
        for tow, src, el, ref in self.refs:
            if ref not in self.out:
                raise src.error(el, f"unknown entity '{ref}' (declared: "
                                    f"{', '.join(self.out)})")
            if ref == tow:
                raise src.error(el, f"vehicle '{tow}' cannot tow itself")
            self._check_trailer(src, el, ref)
            other = next((t for t, d in self.out.items() if d.trailer == ref), None)
            if other is not None:
                raise src.error(el, f"'{ref}' is already the trailer of '{other}'")
            self.out[tow] = replace(self.out[tow], trailer=ref)
            seen, cur = {tow}, ref
            while cur is not None:
                if cur in seen:
                    raise src.error(el, f"'{tow}' and '{ref}' would tow each other (a ring)")
                seen.add(cur)
                cur = self.out[cur].trailer


def read_entities(src: Source, entities: etree._Element | None,
                  catalogs: Catalogs) -> dict[str, EntityDef]:
    """Read every ``ScenarioObject`` of ``Entities`` in declaration order, each vehicle
    followed by its inline trailers (named ``<tow>+``, see the module docstring).

    ``EntitySelection`` elements are read by :func:`scenarios.selections.read_selections`.

    Returns:
        entity name -> EntityDef; a towing vehicle's ``trailer`` names its trailer.

    Raises:
        ScenarioError: duplicate names, missing object, unknown catalog entry, an element
            other than ScenarioObject / EntitySelection, bad trailers (file, line, element:
            a Trailer on a vehicle without TrailerHitch, a trailer that is no Vehicle with a
            TrailerCoupler, an unknown, self, twice-towed or ring TrailerRef).
        UnsupportedElementError: ExternalObjectReference.
    """
    reader = _EntityReader(catalogs)
    if entities is None:
        return reader.out
    for obj in children(entities):
        if obj.tag == "EntitySelection":
            continue
        if obj.tag != "ScenarioObject":
            raise src.error(obj, "expected ScenarioObject or EntitySelection")
        reader.scenario_object(src, obj, src.attr(obj, "name", str))
    reader.connect_refs()
    return reader.out


def find_ego(entities: Mapping[str, EntityDef]) -> str | None:
    """The vehicle under test: the first entity with Property ``role=ego``, else the first
    with Property ``type=ego_vehicle`` (CARLA ScenarioRunner's mark of the ego in its
    OpenSCENARIO examples), else a name in :data:`EGO_NAMES`; None when none is."""
    for key, value in (("role", "ego"), ("type", "ego_vehicle")):
        for name, e in entities.items():
            if str(e.properties.get(key, "")).lower() == value:
                return name
    return next((n for n in EGO_NAMES if n in entities), None)
