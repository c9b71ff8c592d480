"""``EntitySelection`` (ASAM OpenSCENARIO 1.x clause "Entities", class EntitySelection; Annex B
"Entity type constraints"): a named group of entities, given by ``Members`` as ``EntityRef``
elements (entities or other selections) or ``ByType`` (every ScenarioObject of an
``objectType``: vehicle, pedestrian, miscellaneous, external).

Where the standard allows a selection in place of an entity (Annex B, normative) the name
expands to its members, in declaration order without repeats: ``Private@entityRef`` (Init
actions), ``ManeuverGroup/Actors/EntityRef`` (actors), ``TriggeringEntities/EntityRef``,
``EntityAction@entityRef`` and ``RelativeClearanceCondition/EntityRef``; a selection may
also name another selection among its members. Everywhere else (e.g. the entityRef of a
RelativeDistanceCondition, of a RelativeLanePosition, a SynchronizeAction's master) a
selection is refused: :func:`selection_allowed` tells which.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from lxml import etree

from scenarios.xmlsource import Source, child, children

OBJECT_TYPES: Mapping[str, str] = MappingProxyType({
    "vehicle": "Vehicle", "pedestrian": "Pedestrian", "miscellaneous": "MiscObject",
    "external": "ExternalObjectReference"})
"""``ByType@objectType`` -> the entity element a ScenarioObject of that type holds."""

_ALLOWED_PARENTS = frozenset({"Actors", "TriggeringEntities", "RelativeClearanceCondition",
                              "Members"})
_ALLOWED_HOLDERS = frozenset({"Private", "EntityAction"})


def selection_allowed(el: etree._Element) -> bool:
    """True when the ``entityRef`` attribute of ``el`` may name an EntitySelection (Annex B):
    an ``EntityRef`` under Actors, TriggeringEntities, RelativeClearanceCondition or a
    selection's Members, or the entityRef of ``Private`` / ``EntityAction``."""
    if el.tag == "EntityRef":
        parent = el.getparent()
        return parent is not None and parent.tag in _ALLOWED_PARENTS
    return el.tag in _ALLOWED_HOLDERS


def read_selections(src: Source, entities: etree._Element | None,
                    kinds: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Read every ``EntitySelection`` of ``Entities`` and expand it to entity names.

    Args:
        src: the scenario file and its global parameters.
        entities: the ``Entities`` element (None: no selections).
        kinds: declared entity name -> its element (Vehicle, Pedestrian, MiscObject, ...), in
            declaration order (ByType members follow that order).

    Returns:
        selection name -> member entity names (declaration order of the members, nested
        selections expanded in place, each entity once).

    Raises:
        ScenarioError: a selection without Members, a name declared twice (also as an
            entity), a member naming no entity or selection, selections containing each
            other, an unknown objectType (file, line, element).
    """
    found: dict[str, etree._Element] = {}
    for el in children(entities, "EntitySelection") if entities is not None else ():
        name = src.attr(el, "name", str)
        if name in kinds or name in found:
            raise src.error(el, f"'{name}' is declared twice (entity and selection names "
                                f"share one namespace)")
        if child(el, "Members") is None:
            raise src.error(el, "expected Members")
        found[name] = el
    out: dict[str, tuple[str, ...]] = {}

    def expand(name: str, trail: tuple[str, ...]) -> tuple[str, ...]:
        if name in out:
            return out[name]
        el = found[name]
        members: list[str] = []
        for m in children(child(el, "Members")):
            if m.tag == "ByType":
                element = OBJECT_TYPES.get(src.choice(m, "objectType", tuple(OBJECT_TYPES)))
                members += [n for n, k in kinds.items() if k == element]
            elif m.tag == "EntityRef":
                ref = src.attr(m, "entityRef", str)
                if ref in trail:
                    raise src.error(m, f"selection '{ref}' contains itself (through "
                                       f"{' -> '.join(trail)})")
                if ref in found:
                    members += expand(ref, trail + (ref,))
                elif ref in kinds:
                    members.append(ref)
                else:
                    raise src.error(m, f"unknown entity '{ref}' (declared: "
                                       f"{', '.join([*kinds, *found]) or 'none'})")
            else:
                raise src.error(m, "expected EntityRef or ByType")
        out[name] = tuple(dict.fromkeys(members))
        return out[name]

    for name in found:
        expand(name, (name,))
    return {name: out[name] for name in found}


def expand(names: Iterable[str], selections: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """``names`` with each selection replaced by its members, each entity once, in order."""
    out: list[str] = []
    for n in names:
        out += selections.get(n, (n,))
    return tuple(dict.fromkeys(out))


def check_reference(src: Source, el: etree._Element, name: str,
                    entities: Iterable[str], selections: Mapping[str, tuple[str, ...]]) -> None:
    """Check the entity reference ``name`` read from ``el`` (its ``entityRef`` or
    ``masterEntityRef``).

    Raises:
        ScenarioError: ``name`` is no entity or selection, or is a selection where Annex B
            does not allow one (file, line, element).
    """
    if name in selections:
        if not selection_allowed(el):
            raise src.error(el, f"'{name}' is an EntitySelection, which ASAM OpenSCENARIO "
                                f"(Annex B) does not allow in {el.tag}")
        return
    entities = tuple(entities)
    if name not in entities:
        raise src.error(el, f"unknown entity '{name}' (declared: "
                            f"{', '.join([*entities, *selections]) or 'none'})")


__all__ = ["OBJECT_TYPES", "read_selections", "expand", "selection_allowed",
           "check_reference"]
