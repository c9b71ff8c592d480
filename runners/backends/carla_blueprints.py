"""Which CARLA blueprint stands in for each OpenSCENARIO entity.

Resolution order for one ScenarioObject (first match wins):

1. an explicit ``Property name="carla_blueprint"`` (or ``model3d``/``model`` already written as
   a CARLA id: ``vehicle.*``, ``walker.*``, ``static.*``, as scenario_runner's examples do);
2. the catalog entry name (:data:`CATALOG_BLUEPRINTS`, esmini's example catalogs:
   ``car_white``, ``truck_yellow``, ``bus_blue``, ``pedestrian_adult`` ...);
3. the element and its category (:data:`CATEGORY_BLUEPRINTS`): OpenSCENARIO 1.x
   ``VehicleCategory`` (car, van, truck, trailer, semitrailer, bus, motorbike, bicycle, train,
   tram), ``PedestrianCategory`` (pedestrian, wheelchair, animal) and ``MiscObjectCategory``
   (obstacle, barrier, pole, tree ...);
4. the element's fallback (:data:`FALLBACKS`) with a warning saying what was not mapped.

The ids are CARLA 0.9.15/0.9.16 blueprint ids (CARLA "Blueprint library" and vehicle catalogue
pages). A blueprint the live server does not have is replaced by the fallback at spawn time
(:func:`pick_available`), again with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from testzone.world import EntityKind

CATEGORY_BLUEPRINTS: Mapping[tuple[str, str], str] = {
    ("Vehicle", "car"): "vehicle.tesla.model3",
    ("Vehicle", "van"): "vehicle.mercedes.sprinter",
    ("Vehicle", "truck"): "vehicle.carlamotors.carlacola",
    ("Vehicle", "semitrailer"): "vehicle.carlamotors.carlacola",
    ("Vehicle", "bus"): "vehicle.mitsubishi.fusorosa",
    ("Vehicle", "motorbike"): "vehicle.yamaha.yzf",
    ("Vehicle", "bicycle"): "vehicle.diamondback.century",
    ("Pedestrian", "pedestrian"): "walker.pedestrian.0001",
    ("Pedestrian", "wheelchair"): "walker.pedestrian.0001",
    ("MiscObject", "obstacle"): "static.prop.constructioncone",
    ("MiscObject", "barrier"): "static.prop.streetbarrier",
    ("MiscObject", "pole"): "static.prop.trafficcone01",
    ("MiscObject", "tree"): "static.prop.plantpot01",
    ("MiscObject", "vegetation"): "static.prop.plantpot01",
}
"""(element, category) -> blueprint id. Categories with no CARLA counterpart (trailer, train,
tram, animal, building, gantry ...) are left out on purpose: they fall back with a warning."""

CATALOG_BLUEPRINTS: Mapping[str, str] = {
    "car_white": "vehicle.tesla.model3",
    "car_blue": "vehicle.audi.tt",
    "car_red": "vehicle.lincoln.mkz_2020",
    "car_yellow": "vehicle.mini.cooper_s",
    "van_red": "vehicle.mercedes.sprinter",
    "truck_yellow": "vehicle.carlamotors.carlacola",
    "bus_blue": "vehicle.mitsubishi.fusorosa",
    "bicycle": "vehicle.diamondback.century",
    "motorbike": "vehicle.yamaha.yzf",
    "pedestrian_adult": "walker.pedestrian.0001",
    "pedestrian": "walker.pedestrian.0001",
    "cone": "static.prop.constructioncone",
}
"""Catalog entry name (case-insensitive) -> blueprint id."""

FALLBACKS: Mapping[str, str] = {
    "Vehicle": "vehicle.tesla.model3",
    "Pedestrian": "walker.pedestrian.0001",
    "MiscObject": "static.prop.box01",
}
"""Element -> the blueprint used when nothing else matches."""

_PREFIXES = ("vehicle.", "walker.", "static.")


@dataclass(frozen=True)
class BlueprintChoice:
    """The chosen blueprint: ``blueprint_id``, ``source`` (``property``, ``model``,
    ``catalog``, ``category`` or ``fallback``) and ``warning`` (None, or why a fallback)."""

    blueprint_id: str
    source: str
    warning: str | None = None


def element_of(kind: EntityKind, element: str | None = None) -> str:
    """The ScenarioObject element (``Vehicle``, ``Pedestrian``, ``MiscObject``), taken from
    ``element`` when given, else from the kind (cyclists ride vehicles)."""
    if element in FALLBACKS:
        return element  # type: ignore[return-value]
    return {EntityKind.PEDESTRIAN: "Pedestrian", EntityKind.OBSTACLE: "MiscObject"}.get(
        kind, "Vehicle")


def choose_blueprint(name: str, kind: EntityKind, category: str, *, element: str | None = None,
                     catalog: str | None = None, model: str | None = None,
                     properties: Mapping[str, str] | None = None) -> BlueprintChoice:
    """Pick the CARLA blueprint for one entity (resolution order in the module docstring).

    Args:
        name: the ScenarioObject name (for the warning). kind: its EntityKind.
        category: vehicleCategory / pedestrianCategory / miscObjectCategory.
        element: ``Vehicle``, ``Pedestrian`` or ``MiscObject`` (derived from kind if None).
        catalog: ``catalogName/entryName`` when the entity came from a catalog.
        model: the ``model3d``/``model`` attribute. properties: its Properties.

    Returns:
        A :class:`BlueprintChoice`; never raises (unknown input falls back with a warning).
    """
    elem = element_of(kind, element)
    explicit = (properties or {}).get("carla_blueprint")
    if explicit:
        return BlueprintChoice(explicit, "property")
    if model and model.startswith(_PREFIXES):
        return BlueprintChoice(model, "model")
    if catalog:
        entry = catalog.rsplit("/", 1)[-1].lower()
        if entry in CATALOG_BLUEPRINTS:
            return BlueprintChoice(CATALOG_BLUEPRINTS[entry], "catalog")
    bp = CATEGORY_BLUEPRINTS.get((elem, category))
    if bp is not None:
        return BlueprintChoice(bp, "category")
    fb = FALLBACKS[elem]
    return BlueprintChoice(fb, "fallback",
                           f"entity {name!r}: no CARLA blueprint for {elem} category "
                           f"{category!r}; using {fb} (set Property carla_blueprint)")


def choose_for_entity(entity_def: object) -> BlueprintChoice:
    """:func:`choose_blueprint` for a ``scenarios`` EntityDef (name, element, kind, category,
    catalog, model, properties)."""
    return choose_blueprint(
        getattr(entity_def, "name"), getattr(entity_def, "kind"),
        getattr(entity_def, "category", ""), element=getattr(entity_def, "element", None),
        catalog=getattr(entity_def, "catalog", None), model=getattr(entity_def, "model", None),
        properties=getattr(entity_def, "properties", None))


def pick_available(choice: BlueprintChoice, available: Iterable[str], name: str) -> BlueprintChoice:
    """Keep ``choice`` if the server offers it, else fall back to the element's fallback
    (warning). ``available`` is the server's blueprint ids.

    Never raises: if even the fallback is missing, ``choice`` is returned unchanged and the
    spawn itself reports the error.
    """
    ids = set(available)
    if choice.blueprint_id in ids:
        return choice
    elem = next((e for e, fb in FALLBACKS.items() if choice.blueprint_id.startswith(
        fb.split(".", 1)[0] + ".")), "Vehicle")
    fb = FALLBACKS[elem]
    if fb not in ids:
        return choice
    return BlueprintChoice(fb, "fallback", f"entity {name!r}: the CARLA server has no "
                                           f"blueprint {choice.blueprint_id}; using {fb}")
