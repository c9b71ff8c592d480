"""The runner's contracts: what an agent sees and commands, and what a backend must do.

Inputs and outputs are frozen dataclasses in SI units in the OpenDRIVE inertial frame
(``testzone.world``). The external (ZeroMQ) form of the agent protocol carries the same fields
(see ``docs/agent-protocol.md``).
"""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from testzone.errors import TestzoneError
from testzone.recording import Event
from testzone.world import EntityState, SignalState, WorldState


class RunnerError(TestzoneError):
    """A case could not be set up or run (bad agent, backend failure, deadline missed)."""


class AgentError(RunnerError):
    """The vehicle under test's stack misbehaved: raised, crashed, hung or sent invalid controls."""


@dataclass(frozen=True)
class Control:
    """One command to the vehicle under test, in kinematic or actuator form.

    Kinematic form (``acceleration`` set): longitudinal acceleration [m/s^2] (negative brakes) and
    front-wheel angle ``steering`` [rad], positive to the left.
    Actuator form (``acceleration`` None): ``throttle`` in [0, 1], ``brake`` in [0, 1] and
    ``steer`` in [-1, 1] (fraction of the maximum front-wheel angle, positive to the left), as
    CARLA's ``VehicleControl`` (whose steer sign is the opposite; converted in the CARLA backend).

    Raises:
        AgentError: from :meth:`validate` when a value is NaN or out of range.
    """

    acceleration: float | None = None
    steering: float = 0.0
    throttle: float = 0.0
    brake: float = 0.0
    steer: float = 0.0

    def validate(self, max_steering: float) -> None:
        """Check every field is finite and in range (and, but for ``acceleration``, given);
        ``max_steering`` [rad] bounds ``steering``."""
        values = {"acceleration": self.acceleration, "steering": self.steering,
                  "throttle": self.throttle, "brake": self.brake, "steer": self.steer}
        for name, v in values.items():
            if v is None and name != "acceleration":   # nil only selects the actuator form
                raise AgentError(f"control field {name!r} is nil, expected a number (only "
                                 f"'acceleration' may be nil: the actuator form)")
            if v is not None and not math.isfinite(v):
                raise AgentError(f"control field {name!r} is {v!r}, expected a finite number")
        if self.acceleration is None:
            for name, lo, hi in (("throttle", 0, 1), ("brake", 0, 1), ("steer", -1, 1)):
                v = values[name]
                if not lo <= v <= hi:  # type: ignore[operator]
                    raise AgentError(f"control field {name!r} is {v}, expected {lo}..{hi}")
        elif abs(self.steering) > max_steering + 1e-9:
            raise AgentError(f"control field 'steering' is {self.steering} rad, "
                             f"expected |steering| <= {max_steering:.4f} rad")


@dataclass(frozen=True)
class VehicleSpec:
    """What the vehicle under test is: box and Performance limits from the scenario.

    Attributes: name; length, width [m]; wheelbase [m]; max_speed [m/s]; max_acceleration,
    max_deceleration [m/s^2] (both positive); max_steering [rad]; max_steering_rate [rad/s].
    """

    name: str
    length: float = 4.6
    width: float = 1.9
    wheelbase: float = 2.8
    max_speed: float = 40.0
    max_acceleration: float = 4.0
    max_deceleration: float = 9.0
    max_steering: float = 0.5236
    max_steering_rate: float = 0.7


@dataclass(frozen=True)
class RouteWaypoint:
    """A point of the route the ego is asked to drive: world position [m] and lane coordinates."""

    x: float
    y: float
    road_id: str | None = None
    lane_id: int | None = None
    s: float | None = None


@dataclass(frozen=True)
class V2XReceived:
    """A V2X message delivered to the ego this step.

    Attributes: msg_type (``SPAT``, ``MAP``, ``RSM``, ``RSI``, ``BSM``); sender id; sent_t and
    recv_t [s] of simulation time; uper: the raw UPER bytes; decoded: the message in the JSON
    form of ``v2x_bridge.codec.to_json`` (OCTET STRING as ``{"hex"}``, CHOICE as
    ``[alternative, value]``).
    """

    msg_type: str
    sender: str
    sent_t: float
    recv_t: float
    uper: bytes
    decoded: Any


@dataclass(frozen=True)
class Observation:
    """What the vehicle under test knows at one step (see ``docs/agent-protocol.md``).

    Attributes:
        time: simulation time [s].
        ego: the ego's own state (pose, speed, acceleration, yaw rate, steering, lane position).
        objects: other entities within the sensor model's range and field of view.
        signals: traffic-signal states keyed by OpenDRIVE signal id.
        v2x: messages delivered this step.
        speed_limit: the road's speed limit at the ego [m/s], None when unknown.
        speed_limit_ahead: where the limit changes ahead along the ego's lane (straight on
            at junctions, or along ``route``), within 200 m: ``(distance [m] from the ego's
            reference point, the limit from there [m/s])`` in order (what a traffic-sign
            camera or a map-based ISA tells a driver: automaker pass 14, a limit told only
            once the ego was in the lower zone).
        route: waypoints to drive through, in order (may be empty: follow the lane).
        environment: the scenario's EnvironmentAction state (time of day, weather), as a dict.
    """

    time: float
    ego: EntityState
    objects: tuple[EntityState, ...] = ()
    signals: dict[str, SignalState] = field(default_factory=dict)
    v2x: tuple[V2XReceived, ...] = ()
    speed_limit: float | None = None
    speed_limit_ahead: tuple[tuple[float, float], ...] = ()
    route: tuple[RouteWaypoint, ...] = ()
    environment: dict[str, Any] = field(default_factory=dict)


class Agent(abc.ABC):
    """The vehicle under test's driving stack, in Python.

    Lifecycle: :meth:`setup` once per case, :meth:`step` once per simulation step, :meth:`close`
    at the end (also after an error). An agent whose ``follows_scenario`` is True hands the
    ego to the scenario's own actions (the conformance mode, as esmini plays them).

    ``geo_frame`` is set by the runner before :meth:`setup`: the ``v2x_bridge.GeoFrame`` the
    case's V2X positions are in (the RSU layout's geoReference, else the map's with its
    header offset; without V2X the map's own, None when it has no geoReference either):
    latitude/longitude <-> map x, y (``runners.case.agent_geo_frame``); ``map_sha256`` the
    SHA-256 of the map's ``.xodr`` as the manifest records it (None without a map), which
    ``setup`` sends to a stack in another process.
    """

    name: str = "agent"
    version: str = "0"
    follows_scenario: bool = False
    geo_frame: Any = None
    map_sha256: str | None = None   # the map's SHA-256 from the manifest, set by the runner

    def setup(self, vehicle: VehicleSpec, road_network: Any, config: dict[str, Any]) -> None:
        """Prepare for a case: ``vehicle`` is the ego's spec, ``road_network`` a
        ``maps.RoadNetwork`` (or None), ``config`` the ``--agent-config`` content."""

    @abc.abstractmethod
    def step(self, obs: Observation) -> Control:
        """Return the control for this step."""

    def close(self) -> None:
        """Release resources at the end of a case."""


class EgoBackend(abc.ABC):
    """Moves the vehicle under test from its controls (embedded kinematics or CARLA)."""

    @abc.abstractmethod
    def reset(self, ego: EntityState, spec: VehicleSpec) -> None:
        """Place the ego at its initial state."""

    @abc.abstractmethod
    def step_ego(self, control: Control, dt: float) -> EntityState:
        """Apply ``control`` for ``dt`` [s] and return the ego's new state."""

    def sync_scenario_entities(self, world: WorldState) -> None:
        """Mirror scenario-controlled entities (teleport) — no-op for the embedded backend.
        Called after ``reset`` and after every engine step."""

    def drain_events(self) -> list[Event]:
        """Events the backend observed since the last call (CARLA's collision and
        lane-invasion sensors, fallbacks); the embedded backend has none."""
        return []

    def close(self) -> None:
        """Tear down (idempotent)."""


@dataclass(frozen=True)
class Task:
    """A unit of work for a :class:`WorkerPool`: ``fn(*args)``, with its CPU request."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    key: str
    num_cpus: float = 1.0


class WorkerPool(abc.ABC):
    """Runs tasks and yields ``(key, result)`` as each finishes (order of completion)."""

    @abc.abstractmethod
    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[tuple[str, Any]]:
        """Run every task; a task that raises yields its exception object as the result."""

    def close(self) -> None:
        """Shut the pool down (idempotent)."""
