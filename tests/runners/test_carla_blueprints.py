"""Blueprint mapping: table entries, resolution order, fallbacks with warnings."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from runners.backends.carla_blueprints import (CATEGORY_BLUEPRINTS, FALLBACKS, choose_blueprint,
                                               choose_for_entity, pick_available)
from testzone.world import EntityKind

V, P, O = EntityKind.VEHICLE, EntityKind.PEDESTRIAN, EntityKind.OBSTACLE


@pytest.mark.parametrize("kind,category,expected", [
    (V, "car", "vehicle.tesla.model3"),
    (V, "truck", "vehicle.carlamotors.carlacola"),
    (V, "bus", "vehicle.mitsubishi.fusorosa"),
    (V, "van", "vehicle.mercedes.sprinter"),
    (EntityKind.CYCLIST, "bicycle", "vehicle.diamondback.century"),
    (EntityKind.CYCLIST, "motorbike", "vehicle.yamaha.yzf"),
    (P, "pedestrian", "walker.pedestrian.0001"),
    (O, "obstacle", "static.prop.constructioncone"),
    (O, "barrier", "static.prop.streetbarrier"),
])
def test_category_table(kind: EntityKind, category: str, expected: str) -> None:
    c = choose_blueprint("X", kind, category)
    assert (c.blueprint_id, c.source, c.warning) == (expected, "category", None)


def test_every_table_id_has_the_element_prefix() -> None:
    prefix = {"Vehicle": "vehicle.", "Pedestrian": "walker.", "MiscObject": "static.prop."}
    for (elem, _), bp in CATEGORY_BLUEPRINTS.items():
        assert bp.startswith(prefix[elem]), bp
    for elem, bp in FALLBACKS.items():
        assert bp.startswith(prefix[elem]), bp


def test_resolution_order_property_model_catalog_category() -> None:
    props = {"carla_blueprint": "vehicle.audi.a2"}
    assert choose_blueprint("A", V, "truck", properties=props).blueprint_id == "vehicle.audi.a2"
    c = choose_blueprint("A", V, "truck", model="vehicle.lincoln.mkz_2020",
                         catalog="VehicleCatalog/car_white")
    assert (c.blueprint_id, c.source) == ("vehicle.lincoln.mkz_2020", "model")
    # an esmini model path is not a CARLA id: the catalog entry decides
    c = choose_blueprint("A", V, "car", model="../models/truck_yellow.osgb",
                         catalog="VehicleCatalog/truck_yellow")
    assert (c.blueprint_id, c.source) == ("vehicle.carlamotors.carlacola", "catalog")
    c = choose_blueprint("A", V, "car", catalog="VehicleCatalog/my_private_car")
    assert (c.blueprint_id, c.source) == ("vehicle.tesla.model3", "category")


def test_unmapped_categories_fall_back_with_a_warning_naming_the_entity() -> None:
    c = choose_blueprint("Tram1", V, "tram")
    assert c.blueprint_id == "vehicle.tesla.model3" and c.source == "fallback"
    assert "Tram1" in c.warning and "'tram'" in c.warning
    c = choose_blueprint("Dog", P, "animal", element="Pedestrian")
    assert c.blueprint_id == "walker.pedestrian.0001" and "animal" in c.warning
    c = choose_blueprint("Gantry", O, "gantry")
    assert c.blueprint_id == "static.prop.box01" and c.warning


def test_choose_for_entity_reads_an_entity_def() -> None:
    ed = SimpleNamespace(name="Bus", element="Vehicle", kind=V, category="bus", catalog=None,
                         model=None, properties={})
    assert choose_for_entity(ed).blueprint_id == "vehicle.mitsubishi.fusorosa"


def test_pick_available_replaces_a_missing_blueprint() -> None:
    have = ["vehicle.tesla.model3", "walker.pedestrian.0001", "static.prop.box01"]
    c = pick_available(choose_blueprint("B", V, "bus"), have, "B")
    assert (c.blueprint_id, c.source) == ("vehicle.tesla.model3", "fallback")
    assert "vehicle.mitsubishi.fusorosa" in c.warning
    c = pick_available(choose_blueprint("W", O, "barrier"), have, "W")
    assert c.blueprint_id == "static.prop.box01"
    ok = choose_blueprint("P", P, "pedestrian")
    assert pick_available(ok, have, "P") is ok
