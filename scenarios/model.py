"""What :func:`scenarios.load_scenario` yields: plain frozen records of a parsed scenario.

Parameters are already resolved; the records hold SI values (m, s, rad, m/s). Action,
condition and position specs are the registered classes of ``scenarios.actions``,
``scenarios.conditions`` and ``scenarios.positions`` (ASAM OpenSCENARIO 1.x element names).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scenarios.errors import ScenarioError
from testzone.world import BoundingBox, EntityKind

EGO_NAMES = ("Ego", "ego", "hero")
"""Entity names taken as the vehicle under test when no entity has Property ``role=ego`` or
``type=ego_vehicle``."""


@dataclass(frozen=True)
class Performance:
    """OpenSCENARIO ``Performance`` of a vehicle.

    Attributes:
        max_speed [m/s], max_acceleration [m/s^2], max_deceleration [m/s^2] (positive).
    """

    max_speed: float = 70.0
    max_acceleration: float = 10.0
    max_deceleration: float = 10.0


@dataclass(frozen=True)
class EntityDef:
    """One ScenarioObject (Vehicle, Pedestrian or MiscObject), catalog references resolved.

    Attributes:
        name: ScenarioObject name. element: ``Vehicle``, ``Pedestrian`` or ``MiscObject``.
        kind: vehicle, pedestrian, cyclist (vehicleCategory bicycle/motorbike) or obstacle.
        category: the vehicleCategory / pedestrianCategory / miscObjectCategory attribute.
        box: BoundingBox (centre relative to the reference point, dimensions [m]).
        performance: speed and acceleration limits (defaults for pedestrians/objects).
        properties: Properties/Property name -> value.
        mass: [kg] or None. model: the model / model3d attribute, or None.
        catalog: ``catalogName/entryName`` when it came from a catalog, else None.
        wheelbase: FrontAxle minus RearAxle positionX [m] (vehicles with Axles), else None.
        max_steering: FrontAxle maxSteering [rad], else None.
        controller: the ObjectController's ``scenarios.controllers.ControllerDef``, or None.
        hitch: ``TrailerHitch@dx`` [m] (1.3): where a trailer's coupler is held, along the
            vehicle's x axis from its reference point (negative: behind); None without one.
        coupler: ``TrailerCoupler@dx`` [m] (1.3): the coupling point of a trailer, along its
            x axis from its reference point; None for a vehicle that cannot be towed.
        trailer: name of the entity towed at the start (inline ``Trailer`` or ``TrailerRef``;
            ``scenarios.trailers``), or None.
        role: the ``role`` attribute of a Vehicle or Pedestrian (OpenSCENARIO 1.2 ``Role``;
            ``none`` when absent, and for a MiscObject).
    """

    name: str
    element: str
    kind: EntityKind
    category: str
    box: BoundingBox
    performance: Performance = field(default_factory=Performance)
    properties: Mapping[str, str] = field(default_factory=dict)
    mass: float | None = None
    model: str | None = None
    catalog: str | None = None
    wheelbase: float | None = None
    max_steering: float | None = None
    controller: Any = None
    hitch: float | None = None
    coupler: float | None = None
    trailer: str | None = None
    role: str = "none"


@dataclass(frozen=True)
class ConditionDef:
    """One ``Condition``: a registered condition spec with its edge and delay.

    Attributes:
        name: the condition name. edge: ``rising``, ``falling``, ``risingOrFalling``, ``none``.
        delay: [s]. spec: the condition class instance (e.g. ``SimulationTimeCondition``).
        triggering: entity names of ``TriggeringEntities`` (empty for ByValueCondition).
        rule_all: True for ``triggeringEntitiesRule="all"``.
        line: source line of the ``Condition`` element.
    """

    name: str
    edge: str
    delay: float
    spec: Any
    triggering: tuple[str, ...] = ()
    rule_all: bool = False
    line: int | None = None


@dataclass(frozen=True)
class TriggerDef:
    """A Trigger: OR of ConditionGroups, each an AND of conditions."""

    groups: tuple[tuple[ConditionDef, ...], ...] = ()


@dataclass(frozen=True)
class ActionDef:
    """One ``Action`` (or Init private/global action).

    Attributes:
        name: the action name. spec: the action class instance (e.g. ``SpeedAction``).
        actors: entity names a private action applies to (empty for global actions).
        line: source line. file: the file that line is in when it is not the scenario's
            (a catalog's Maneuver), else None.
    """

    name: str
    spec: Any
    actors: tuple[str, ...] = ()
    line: int | None = None
    file: str | None = None


@dataclass(frozen=True)
class EventDef:
    """``Event``: priority ``overwrite``/``override``, ``skip`` or ``parallel``."""

    name: str
    priority: str
    max_executions: int
    actions: tuple[ActionDef, ...]
    start_trigger: TriggerDef | None


@dataclass(frozen=True)
class ManeuverDef:
    """``Maneuver`` (inline or from a Maneuver catalog)."""

    name: str
    events: tuple[EventDef, ...]


@dataclass(frozen=True)
class ManeuverGroupDef:
    """``ManeuverGroup`` with its resolved Actors."""

    name: str
    max_executions: int
    actors: tuple[str, ...]
    select_triggering: bool
    maneuvers: tuple[ManeuverDef, ...]


@dataclass(frozen=True)
class ActDef:
    """``Act``: start trigger (None = start at once) and optional stop trigger."""

    name: str
    groups: tuple[ManeuverGroupDef, ...]
    start_trigger: TriggerDef | None
    stop_trigger: TriggerDef | None


@dataclass(frozen=True)
class StoryDef:
    """``Story`` and its acts; ``parameters`` are the Story's own declarations."""

    name: str
    acts: tuple[ActDef, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoryboardDef:
    """``Storyboard``: Init actions, stories and the stop trigger."""

    init_actions: tuple[ActionDef, ...]
    stories: tuple[StoryDef, ...]
    stop_trigger: TriggerDef | None

    def actions(self):
        """Every ActionDef: the Init actions, then those of the stories in document order."""
        yield from self.init_actions
        for story in self.stories:
            for act in story.acts:
                for group in act.groups:
                    for maneuver in group.maneuvers:
                        for event in maneuver.events:
                            yield from event.actions

    def conditions(self):
        """Every ConditionDef: of the event, act and storyboard triggers, in document order."""
        def of(trigger: TriggerDef | None):
            return (c for group in (trigger.groups if trigger else ()) for c in group)
        for story in self.stories:
            for act in story.acts:
                yield from of(act.start_trigger)
                for group in act.groups:
                    for maneuver in group.maneuvers:
                        for event in maneuver.events:
                            yield from of(event.start_trigger)
                yield from of(act.stop_trigger)
        yield from of(self.stop_trigger)


@dataclass(frozen=True)
class SignalPhase:
    """One TrafficSignalController ``Phase``: duration [s], signal id -> state string, and
    its source line."""

    name: str
    duration: float
    states: Mapping[str, str]
    line: int | None = None


@dataclass(frozen=True)
class SignalControllerDef:
    """``TrafficSignalController``: cyclic phases, optional delay [s] behind ``reference``;
    its source line."""

    name: str
    phases: tuple[SignalPhase, ...]
    delay: float = 0.0
    reference: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario (the result of :func:`scenarios.load_scenario`).

    Attributes:
        path: absolute path of the .xosc. rev: (revMajor, revMinor). description: FileHeader.
        parameters: the global parameters, resolved (name -> typed value).
        road_network_path: absolute path of the LogicFile, or None.
        entities: entity definitions in declaration order.
        storyboard: the parsed storyboard.
        signal_controllers: TrafficSignalControllers of the RoadNetwork.
        ego_name: the vehicle under test (``scenarios.entities.find_ego``): the entity with
            Property ``role=ego``, else ``type=ego_vehicle``, else one named Ego/ego/hero,
            else None.
        warnings: unsupported elements replaced by stand-ins (lenient loading only).
        variables: VariableDeclarations (OpenSCENARIO 1.2), name -> typed initial value.
        monitors: MonitorDeclarations (OpenSCENARIO 1.3), name -> initial boolean value, in
            declaration order (``SetMonitorAction`` changes them at run time).
        selections: EntitySelections, name -> member entity names (``scenarios.selections``;
            already expanded wherever the storyboard names them).
        catalog_files: absolute paths of the catalog files whose entries the scenario
            references, sorted (a run's manifest hashes them).
    """

    path: str
    rev: tuple[int, int]
    description: str
    parameters: Mapping[str, Any]
    road_network_path: str | None
    entities: Mapping[str, EntityDef]
    storyboard: StoryboardDef
    signal_controllers: tuple[SignalControllerDef, ...] = ()
    ego_name: str | None = None
    warnings: tuple[str, ...] = ()
    variables: Mapping[str, Any] = field(default_factory=dict)
    monitors: Mapping[str, bool] = field(default_factory=dict)
    selections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    catalog_files: tuple[str, ...] = ()

    def placed_in_init(self) -> frozenset[str]:
        """Names of the entities a TeleportAction of the Init places (the others start at
        the world origin until an action moves them)."""
        return frozenset(n for a in self.storyboard.init_actions
                         if getattr(a.spec, "ELEMENT", "") == "TeleportAction" for n in a.actors)

    def require_ego(self) -> str:
        """The ego's name, for a caller that needs a vehicle under test (a test run).

        Raises:
            ScenarioError: the scenario names no ego (no entity with Property ``role=ego``
                or ``type=ego_vehicle`` and none named Ego/ego/hero), naming the file and its entities; or no
                TeleportAction of the Init places it (it would be judged standing at the world
                origin, off any road).
        """
        if self.ego_name is None:
            raise ScenarioError(f"no ego vehicle: expected an entity with Property role=ego "
                                f"(or type=ego_vehicle) or named {'/'.join(EGO_NAMES)} (entities: "
                                f"{', '.join(self.entities) or 'none'})", file=self.path,
                                element="Entities")
        if self.ego_name not in self.placed_in_init():
            raise ScenarioError(f"'{self.ego_name}', the vehicle under test, has no "
                                f"TeleportAction in Init: expected its start position",
                                file=self.path, element="Init")
        return self.ego_name

    def require_road_network(self) -> str:
        """The OpenDRIVE file, for a caller that needs the road network (a test run).

        Raises:
            ScenarioError: the RoadNetwork names no LogicFile (an empty ``<RoadNetwork/>``,
                as ASAM's trailer examples have).
        """
        if not self.road_network_path:
            raise ScenarioError("no RoadNetwork LogicFile: a test run needs the road network "
                                "(OpenDRIVE) the entities drive on", file=self.path,
                                element="RoadNetwork")
        return self.road_network_path
