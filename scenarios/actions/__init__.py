"""OpenSCENARIO actions: the registry of action classes by element name.

Families: ``longitudinal``, ``lateral``, ``teleport`` (and visibility), ``routing``,
``parameter``, ``infrastructure``, ``custom``, ``controller``; ``dynamics`` holds the shared
transition shapes, ``base`` the contract. Wrapper elements (PrivateAction, LongitudinalAction, GlobalAction, ...) are walked through by
the loader; the registry is keyed by the innermost element name.
"""

from scenarios.actions.controller import CONTROLLER_ACTIONS
from scenarios.actions.custom import CUSTOM_ACTIONS
from scenarios.actions.infrastructure import INFRASTRUCTURE_ACTIONS, INFRASTRUCTURE_UNSUPPORTED
from scenarios.actions.lateral import LATERAL_ACTIONS, LATERAL_UNSUPPORTED
from scenarios.actions.longitudinal import LONGITUDINAL_ACTIONS, LONGITUDINAL_UNSUPPORTED
from scenarios.actions.parameter import PARAMETER_ACTIONS, PARAMETER_UNSUPPORTED
from scenarios.actions.routing import ROUTING_ACTIONS
from scenarios.actions.teleport import TELEPORT_ACTIONS, TELEPORT_UNSUPPORTED
from scenarios.registry import Registry

ACTIONS = Registry(
    "action",
    LONGITUDINAL_ACTIONS + LATERAL_ACTIONS + TELEPORT_ACTIONS + PARAMETER_ACTIONS
    + INFRASTRUCTURE_ACTIONS + ROUTING_ACTIONS + CUSTOM_ACTIONS
    + CONTROLLER_ACTIONS,
    LONGITUDINAL_UNSUPPORTED + LATERAL_UNSUPPORTED + TELEPORT_UNSUPPORTED + PARAMETER_UNSUPPORTED
    + INFRASTRUCTURE_UNSUPPORTED,
)
"""Action elements by name."""

WRAPPERS = frozenset({"PrivateAction", "GlobalAction", "LongitudinalAction", "LateralAction",
                      "InfrastructureAction", "TrafficSignalAction", "RoutingAction",
                      "ControllerAction", "UserDefinedAction"})
"""Container elements the loader descends through to reach the registered action."""

__all__ = ["ACTIONS", "WRAPPERS"]
