"""Entities (ASAM OpenSCENARIO 1.x clause "Entities"): Vehicle, Pedestrian, MiscObject, inline
or from a catalog, read into :class:`scenarios.model.EntityDef`.

Kind: Vehicle -> vehicle (cyclist for vehicleCategory bicycle/motorbike), Pedestrian ->
pedestrian, MiscObject -> obstacle. Elements an entity may carry that do not change its
motion here (Axles, TrailerHitch, model files) are read past; the ObjectController becomes
``EntityDef.controller`` (``scenarios.controllers``).
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
from scenarios.xmlsource import Source, child, children, non_negative

ENTITY_ELEMENTS = ("Vehicle", "Pedestrian", "MiscObject")
_CATEGORY_ATTR = MappingProxyType({"Vehicle": "vehicleCategory",
                                   "Pedestrian": "pedestrianCategory",
                                   "MiscObject": "miscObjectCategory"})


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


def _properties(src: Source, el: etree._Element) -> dict[str, str]:
    props = child(el, "Properties")
    if props is None:
        return {}
    return {src.attr(p, "name", str): src.attr(p, "value", str, "")
            for p in children(props, "Property")}


def _axles(src: Source, el: etree._Element) -> tuple[float | None, float | None]:
    """(wheelbase [m], front maxSteering [rad]) from ``Axles``, or (None, None)."""
    axles = child(el, "Axles")
    front = child(axles, "FrontAxle") if axles is not None else None
    rear = child(axles, "RearAxle") if axles is not None else None
    if front is None or rear is None:
        return None, None
    wheelbase = src.attr(front, "positionX", float) - src.attr(rear, "positionX", float)
    return (wheelbase if wheelbase > 0 else None), src.attr(front, "maxSteering", float)


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
    return EntityDef(
        name=name, element=tag, kind=_kind(tag, category), category=category,
        box=_box(src, el), performance=_performance(src, el) if tag == "Vehicle"
        else Performance(), properties=_properties(src, el),
        mass=src.attr(el, "mass", float, None),
        model=src.attr(el, "model3d", str, None) or src.attr(el, "model", str, None),
        catalog=catalog, wheelbase=wheelbase, max_steering=max_steering)


def read_entities(src: Source, entities: etree._Element | None,
                  catalogs: Catalogs) -> dict[str, EntityDef]:
    """Read every ``ScenarioObject`` of ``Entities`` in declaration order.

    ``EntitySelection`` elements are read by :func:`scenarios.selections.read_selections`.

    Raises:
        ScenarioError: duplicate names, missing object, unknown catalog entry, an element
            other than ScenarioObject / EntitySelection.
        UnsupportedElementError: ExternalObjectReference.
    """
    out: dict[str, EntityDef] = {}
    if entities is None:
        return out
    for obj in children(entities):
        if obj.tag == "EntitySelection":
            continue
        if obj.tag != "ScenarioObject":
            raise src.error(obj, "expected ScenarioObject or EntitySelection")
        name = src.attr(obj, "name", str)
        if name in out:
            raise src.error(obj, f"entity '{name}' declared twice")
        el = next((c for c in children(obj) if c.tag in ENTITY_ELEMENTS + ("CatalogReference",)),
                  None)
        if el is None and child(obj, "ExternalObjectReference") is not None:
            raise src.error(child(obj, "ExternalObjectReference"), "a known element this "
                            "player does not support (see docs/scenarios.md)",
                            UnsupportedElementError)
        if el is None:
            raise src.error(obj, "expected Vehicle, Pedestrian, MiscObject or CatalogReference")
        if el.tag == "CatalogReference":
            entry, entry_src = catalogs.resolve(src, el)
            if entry.tag not in ENTITY_ELEMENTS:
                raise src.error(el, f"catalog entry is a {entry.tag}, expected an entity")
            ref = f"{src.attr(el, 'catalogName', str)}/{src.attr(el, 'entryName', str)}"
            out[name] = read_entity_element(name, entry_src, entry, ref)
        else:
            out[name] = read_entity_element(name, src, el)
        oc = child(obj, "ObjectController")
        if oc is not None and next(children(oc), None) is not None:
            out[name] = replace(out[name], controller=read_controller(src, oc, catalogs))
    return out


def find_ego(entities: Mapping[str, EntityDef]) -> str | None:
    """The vehicle under test: Property ``role=ego``, else a name in :data:`EGO_NAMES`."""
    for name, e in entities.items():
        if str(e.properties.get("role", "")).lower() == "ego":
            return name
    return next((n for n in EGO_NAMES if n in entities), None)
