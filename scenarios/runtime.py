"""Run-time state shared by the storyboard, its actions and its conditions.

:class:`Mover` is one entity's kinematic state as the engine keeps it (esmini's "default
controller" state): a reference lane position (road, lane, s, offset from that lane's centre)
and a speed, plus the pose derived from them. :class:`Runtime` is everything an action or a
condition may read or change: sim time, the road network, the movers, the run-time parameter
values, the traffic-signal states, the current contacts, and the event sink.

Lateral offsets are measured in the road frame: positive towards +t (left of the reference
line), as in :class:`testzone.world.LaneCoord`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from testzone.recording import Event
from testzone.world import EntityState, LaneCoord, Pose, SignalState

from scenarios.model import EntityDef
from scenarios.xmlsource import MAX_DISTANCE_M


class Network(Protocol):
    """The part of ``maps.RoadNetwork`` the engine uses (see docs/architecture.md)."""

    def lane_to_world(self, road_id: str, lane_id: int, s: float, offset: float = 0.0) -> Pose:
        """Pose of a lane point; heading along the lane's driving direction."""

    def road_to_world(self, road_id: str, s: float, t: float) -> Pose:
        """Pose of a road point; heading of the reference line."""

    def world_to_lane(self, x: float, y: float, heading: float | None = None,
                      prefer: LaneCoord | None = None, route: Any = None) -> LaneCoord | None:
        """Nearest lane position of a world point (``prefer``: the entity's last lane
        position; ``route``: the road ids still ahead on its route; see
        ``maps.RoadNetwork.world_to_lane``)."""

    def advance(self, coord: LaneCoord, ds: float, choose: Any = None) -> LaneCoord:
        """Move ``ds`` [m] along the lane's driving direction."""

    def lane_width(self, road_id: str, lane_id: int, s: float) -> float:
        """Lane width [m]."""

    def lane_ids(self, road_id: str, s: float) -> list[int]:
        """Lane ids present at ``s``."""

    def longitudinal_distance(self, a: LaneCoord, b: LaneCoord) -> float | None:
        """Signed distance along the network from a to b [m]."""

    def longitudinal_path(self, a: LaneCoord, b: LaneCoord) -> tuple[float, int] | None:
        """``(signed distance [m], +1 / -1)``: the distance and how b's road runs along it
        (``maps.RoadNetwork.longitudinal_path``)."""

    def route(self, a: LaneCoord, b: LaneCoord, strategy: str = "shortest",
              max_distance: float = 5000.0, goal_lane: bool = False) -> list[str] | None:
        """Road ids of a route from a to b (``maps.RoadNetwork.route``; optional: without
        it routes are followed by the continuation nearest the next waypoint)."""


MAX_WORLD_COORDINATE_M = MAX_DISTANCE_M
"""Largest |x|, |y|, |z| [m] of a WorldPosition, and of any position a scenario resolves: well
beyond any projected map (UTM northings reach 1e7 m) and far below where metre arithmetic
loses its centimetres or overflows."""


@dataclass(frozen=True)
class Placement:
    """Where a position element puts an entity.

    Attributes:
        pose: world pose. coord: reference lane position (lane centre + offset), or None
        off the road network.

    Raises:
        ScenarioError: a coordinate of ``pose`` is not finite or beyond
            :data:`MAX_WORLD_COORDINATE_M` (a relative position of ``dx="1e300"``, a lane
            offset of 1e300 m): caught here, where the position is resolved, instead of as an
            overflow deep in geometry later.
    """

    pose: Pose
    coord: LaneCoord | None

    def __post_init__(self) -> None:
        p = self.pose
        if not (abs(p.x) <= MAX_WORLD_COORDINATE_M and abs(p.y) <= MAX_WORLD_COORDINATE_M
                and abs(p.z) <= MAX_WORLD_COORDINATE_M):
            from scenarios.errors import ScenarioError
            raise ScenarioError(f"the position resolves to x={p.x:g}, y={p.y:g}, z={p.z:g} m: "
                                f"expected each within {MAX_WORLD_COORDINATE_M:g} m of the "
                                f"map origin")


@dataclass
class Mover:
    """One entity's state during a run.

    Attributes:
        name: entity name. defn: its definition. external: True when its state comes from
            outside (the vehicle under test).
        coord: reference lane position; ``offset`` is from the centre of ``lane_id`` [m];
            None when off the road network (then the entity moves along its heading).
        pose: world pose. speed [m/s]. acceleration [m/s^2]. yaw_rate [rad/s].
        lat_rate: lateral offset change per metre travelled (heading correction) [-].
        move_speed: speed [m/s] for this step's motion when a lane change fixed it before
            later actions of the same step changed ``speed`` (esmini moves the entity inside
            its LaneChangeAction step); None otherwise.
        reverse: True when the entity travels against its reference lane's driving direction.
        route: the ``scenarios.routes.RouteFollower`` guiding it at junctions, or None.
        held: True when an action (FollowTrajectoryAction) already moved it this step.
        odometer: distance travelled since the start [m].
        lane: the lane position actually occupied (what is reported), or None.
        visible: False after a VisibilityAction hid it.
        domains: control domain (``longitudinal``/``lateral``) -> the action element holding it.
        controller_def: the assigned ``scenarios.controllers.ControllerDef`` (ObjectController
            or AssignControllerAction), or None. controller: its running instance once
            activated, or None. control_domains: domains the controller is active on.
        overrides: OverrideControllerValueAction values (element name -> attributes).
        present: False after a DeleteEntityAction (until an AddEntityAction); an absent
            entity is not moved, not in the world state and touches nothing.
        trailer: the entity towed at its hitch now, or None. tow: the entity towing it now
            (a towed trailer is dragged by ``scenarios.trailers``, not driven), or None.
        lights: VehicleLightType -> LightMode (``on``, ``off``, ``flashing``) as the last
            LightStateAction on it set them.
    """

    name: str
    defn: EntityDef
    external: bool = False
    coord: LaneCoord | None = None
    pose: Pose = field(default_factory=lambda: Pose(0.0, 0.0))
    speed: float = 0.0
    acceleration: float = 0.0
    yaw_rate: float = 0.0
    lat_rate: float = 0.0
    move_speed: float | None = None
    reverse: bool = False
    route: Any = None
    held: bool = False
    odometer: float = 0.0
    lane: LaneCoord | None = None
    visible: bool = True
    domains: dict[str, Any] = field(default_factory=dict)
    controller_def: Any = None
    controller: Any = None
    control_domains: frozenset[str] = frozenset()
    overrides: dict[str, Any] = field(default_factory=dict)
    present: bool = True
    trailer: str | None = None
    tow: str | None = None
    lights: dict[str, str] = field(default_factory=dict)

    def state(self) -> EntityState:
        """Return the entity's current :class:`EntityState`; ``steering`` [rad] is the
        front-wheel angle of a bicycle model turning at its yaw rate, ``atan(yaw_rate *
        wheelbase / speed)`` (what esmini writes as Wheel_Angle; 0 without a wheelbase or
        at rest)."""
        wheelbase = self.defn.wheelbase
        steering = 0.0
        if wheelbase and abs(self.speed) > 1e-9:
            steering = math.atan(self.yaw_rate * wheelbase / self.speed)
        return EntityState(name=self.name, kind=self.defn.kind, pose=self.pose, speed=self.speed,
                           acceleration=self.acceleration, yaw_rate=self.yaw_rate,
                           steering=steering,
                           box=self.defn.box, lane=self.lane, category=self.defn.category,
                           visible=self.visible, role=self.defn.role,
                           lights=tuple(sorted(k for k, m in self.lights.items() if m != "off")))


@dataclass
class Runtime:
    """The engine state visible to actions and conditions.

    Attributes:
        net: the road network. time: sim time of the current evaluation [s]. dt: step [s].
        movers: entity name -> Mover, in declaration order.
        parameters: run-time parameter values (ParameterSetAction changes them).
        signals: traffic signal id -> state. contacts: entity pairs currently overlapping.
        pinned_signals: states set by TrafficSignalStateAction (override controllers).
        controllers: TrafficSignalController name -> its clock (``scenarios.signals``).
        sink: receives every event. find_elements: (type, ref) -> storyboard elements.
        source: path of the scenario file (for run-time error messages).
        variables: run-time variable values (VariableDeclarations, VariableAction).
        monitors: run-time monitor values (1.3 MonitorDeclarations, SetMonitorAction).
        environment: the current Environment (EnvironmentAction) as nested dicts of the
            element's attributes, ``{}`` until one is set.
        user_values: values fed by ``ScenarioEngine.set_user_value`` (UserDefinedValueCondition).
        rng: the run's seeded ``random.Random`` (TrafficSwarm- and TrafficSourceAction), or None.
        swarms: traffic name -> running swarm, source and sink runs (TrafficStopAction ends
            them; ``scenarios.actions.traffic``).
    """

    net: Any
    movers: dict[str, Mover]
    parameters: dict[str, Any]
    sink: Callable[[Event], None]
    time: float = 0.0
    dt: float = 0.05
    signals: dict[str, SignalState] = field(default_factory=dict)
    contacts: set[frozenset[str]] = field(default_factory=set)
    pinned_signals: dict[str, SignalState] = field(default_factory=dict)
    controllers: dict[str, Any] = field(default_factory=dict)
    find_elements: Callable[[str, str], list[Any]] = lambda kind, ref: []
    source: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    monitors: dict[str, bool] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    user_values: dict[str, Any] = field(default_factory=dict)
    rng: Any = None
    swarms: dict[str, list[Any]] = field(default_factory=dict)

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        """Send ``Event(time, kind, data)`` to the sink."""
        self.sink(Event(round(self.time, 9), kind, data))

    def mover(self, name: str) -> Mover:
        """Return the Mover of entity ``name``.

        Raises:
            KeyError: no such entity (the loader checks references, so this is a bug).
        """
        return self.movers[name]

    def speed_of(self, name: str) -> float:
        """Current speed of ``name`` [m/s]."""
        return self.movers[name].speed

    def heading_of(self, name: str) -> float:
        """Current heading of ``name`` [rad]."""
        return self.movers[name].pose.h


def local_xy(pose: Pose, x: float, y: float) -> tuple[float, float]:
    """Return world point (x, y) in the frame of ``pose`` (x forward, y left) [m]."""
    c, s = math.cos(pose.h), math.sin(pose.h)
    dx, dy = x - pose.x, y - pose.y
    return c * dx + s * dy, -s * dx + c * dy
