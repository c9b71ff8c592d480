"""OpenSCENARIO actions: the registry of action classes by element name.

Families: ``longitudinal`` (speed, speed profile), ``lateral``, ``distance`` (longitudinal and
lateral distance), ``synchronize``, ``teleport`` (and visibility), ``routing``, ``trajectory``,
``parameter`` (and variables), ``monitor`` (1.3 SetMonitorAction), ``infrastructure``,
``environment``, ``entity`` (add/delete), ``traffic`` (swarm, source, sink), ``custom``,
``controller``, ``appearance`` (lights, animations), ``trailer`` (connect, disconnect);
``dynamics`` holds the shared transition shapes, ``base`` the contract. Wrapper
elements (PrivateAction, LongitudinalAction, GlobalAction, AppearanceAction, ...) are walked
through by the loader; the registry is keyed by the innermost element name (EntityAction and
TrafficAction, which carry attributes, are registered themselves).
"""

from scenarios.actions.appearance import APPEARANCE_ACTIONS
from scenarios.actions.controller import CONTROLLER_ACTIONS
from scenarios.actions.custom import CUSTOM_ACTIONS
from scenarios.actions.infrastructure import INFRASTRUCTURE_ACTIONS, INFRASTRUCTURE_UNSUPPORTED
from scenarios.actions.lateral import LATERAL_ACTIONS, LATERAL_UNSUPPORTED
from scenarios.actions.longitudinal import LONGITUDINAL_ACTIONS, LONGITUDINAL_UNSUPPORTED
from scenarios.actions.monitor import MONITOR_ACTIONS
from scenarios.actions.parameter import PARAMETER_ACTIONS
from scenarios.actions.routing import ROUTING_ACTIONS, ROUTING_UNSUPPORTED
from scenarios.actions.synchronize import SYNCHRONIZE_ACTIONS
from scenarios.actions.trajectory import TRAJECTORY_ACTIONS
from scenarios.actions.distance import DISTANCE_ACTIONS
from scenarios.actions.entity import ENTITY_ACTIONS
from scenarios.actions.environment import ENVIRONMENT_ACTIONS
from scenarios.actions.traffic import TRAFFIC_ACTIONS
from scenarios.actions.teleport import TELEPORT_ACTIONS
from scenarios.actions.trailer import TRAILER_ACTIONS
from scenarios.registry import Registry

ACTIONS = Registry(
    "action",
    LONGITUDINAL_ACTIONS + LATERAL_ACTIONS + TELEPORT_ACTIONS + PARAMETER_ACTIONS
    + INFRASTRUCTURE_ACTIONS + ROUTING_ACTIONS + CUSTOM_ACTIONS
    + CONTROLLER_ACTIONS + SYNCHRONIZE_ACTIONS + TRAJECTORY_ACTIONS
    + DISTANCE_ACTIONS + ENTITY_ACTIONS + ENVIRONMENT_ACTIONS + TRAFFIC_ACTIONS
    + APPEARANCE_ACTIONS + TRAILER_ACTIONS + MONITOR_ACTIONS,
    LONGITUDINAL_UNSUPPORTED + LATERAL_UNSUPPORTED
    + INFRASTRUCTURE_UNSUPPORTED + ROUTING_UNSUPPORTED,
)
"""Action elements by name."""

WRAPPERS = frozenset({"PrivateAction", "GlobalAction", "LongitudinalAction", "LateralAction",
                      "InfrastructureAction", "TrafficSignalAction", "RoutingAction",
                      "ControllerAction", "UserDefinedAction", "AppearanceAction",
                      "TrailerAction"})
"""Container elements the loader descends through to reach the registered action."""


def innermost_action(el):
    """The action element inside ``el`` (an ``Action``, ``PrivateAction`` or any wrapper of
    :data:`WRAPPERS`): the first child, descended through the wrappers; None when a wrapper
    is empty. (``el``: an lxml element; the result the element the registry parses.)"""
    inner = el
    while inner is not None and (inner.tag in WRAPPERS or inner.tag == "Action"):
        inner = next((c for c in inner if isinstance(c.tag, str)), None)
    return inner


__all__ = ["ACTIONS", "WRAPPERS", "innermost_action"]
