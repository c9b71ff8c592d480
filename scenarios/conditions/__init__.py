"""OpenSCENARIO conditions: the registry of condition classes by element name.

``base`` holds edge/delay handling, groups and triggers; ``value`` the ByValueConditions;
``entity`` the ByEntityConditions on motion and distances, ``geometry`` those on the road
(end of road, clearance, angles).
"""

from scenarios.conditions.entity import ENTITY_CONDITIONS, ENTITY_UNSUPPORTED
from scenarios.conditions.geometry import GEOMETRY_CONDITIONS
from scenarios.conditions.value import VALUE_CONDITIONS, VALUE_UNSUPPORTED
from scenarios.registry import Registry

CONDITIONS = Registry("condition", ENTITY_CONDITIONS + GEOMETRY_CONDITIONS + VALUE_CONDITIONS,
                      ENTITY_UNSUPPORTED + VALUE_UNSUPPORTED)
"""Condition elements by name (the leaf element inside ByEntity/ByValueCondition)."""

__all__ = ["CONDITIONS"]
