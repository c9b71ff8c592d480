"""The CARLA backend: the vehicle under test driven by CARLA's vehicle physics.

Division of labour (DESIGN.md, "Backend protocol"): the scenario engine still moves every
scenario-controlled entity; this backend mirrors them into CARLA each step
(:meth:`CarlaEgoBackend.sync_scenario_entities`: ``set_transform`` + ``set_target_velocity``),
drives the ego with ``apply_control`` and reads its state back after one ``world.tick()``.
Sequence of one step (``runners.case``)::

    ego = backend.step_ego(control, dt)   # apply_control, world.tick(), read the ego back
    world = engine.step(dt, {ego: ego})   # the storyboard moves everyone else to t + dt
    backend.sync_scenario_entities(world) # teleport them (effective at the next tick);
                                          # ticks itself when no ego is driven
    events = backend.drain_events()       # CARLA collision / lane-invasion sensor events

So CARLA sees the scenario entities one step (``dt``) behind the ego, the usual co-simulation
lag (scenario_runner has the same). Map: a CARLA town named by the scenario parameter or
entity Property ``carla_town``, else the case's .xodr through
``client.generate_opendrive_world``. Synchronous mode with ``fixed_delta_seconds = dt``,
Traffic Manager synchronous on its own port, traffic lights frozen and set from the scenario's
signal states. :meth:`CarlaEgoBackend.close` (also the context-manager exit) tears down in
:class:`CarlaWorld`'s fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

from testzone.recording import Event
from testzone.world import EntityKind, EntityState, WorldState

from runners.backends.carla_blueprints import (BlueprintChoice, choose_blueprint,
                                               choose_for_entity, pick_available)
from runners.backends.carla_connection import (CarlaEndpoint, CarlaError, connect,
                                               import_carla, version_mismatch)
from runners.backends.carla_frames import (Vec3, control_to_carla, implausible_box,
                                           longitudinal_from_carla,
                                           origin_offset, pose_from_carla, pose_to_carla,
                                           velocity_to_carla, yaw_rate_from_carla)
from runners.backends.carla_world import CarlaWorld, OpendriveParams
from runners.interfaces import Control, EgoBackend, VehicleSpec

HIDDEN_DEPTH = 500.0
"""[m] below its pose where an invisible entity (VisibilityAction) is parked."""


@dataclass(frozen=True)
class CarlaSettings:
    """How the backend uses its server.

    Attributes:
        endpoint: the server (host, RPC port, Traffic Manager port).
        connect_timeout: [s] for the first answer and every later RPC (client timeout).
        tick_timeout: [s] one ``world.tick()`` may take.
        load_timeout: [s] loading a town or generating an OpenDRIVE world may take.
        spawn_lift: [m] above the road surface where actors are spawned (avoids spawning
            into the ground mesh; they settle in the first ticks).
        opendrive: mesh parameters of ``generate_opendrive_world``.
        seed: Traffic Manager seed.
    """

    endpoint: CarlaEndpoint = CarlaEndpoint()
    connect_timeout: float = 5.0
    tick_timeout: float = 10.0
    load_timeout: float = 60.0
    spawn_lift: float = 0.3
    opendrive: OpendriveParams = OpendriveParams()
    seed: int = 0


def choose_map(scenario: Any) -> tuple[str | None, str | None]:
    """``(town, xodr_path)`` of a scenario: a CARLA town from the parameter ``carla_town`` or
    any entity Property ``carla_town`` (first wins), else the LogicFile path (or None)."""
    town = (getattr(scenario, "parameters", None) or {}).get("carla_town")
    if not town:
        for ed in getattr(scenario, "entities", {}).values():
            town = (getattr(ed, "properties", None) or {}).get("carla_town")
            if town:
                break
    if town:
        return str(town), None
    path = getattr(scenario, "road_network_path", None)
    return None, (str(path) if path else None)


class CarlaEgoBackend(EgoBackend):
    """Implements :class:`runners.interfaces.EgoBackend` on a CARLA server.

    Args:
        settings: server and timeouts. entities: the scenario's EntityDefs by name (for
            blueprints). dt: the fixed step [s]. town, xodr_path: the map (see
            :func:`choose_map`). carla: the ``carla`` module (imported when None; tests pass a
            fake). client: an already connected client (else :func:`connect`).

    Raises:
        CarlaUnavailableError: no ``carla`` package, or no server within the connect timeout.
        CarlaError: the map cannot be loaded (the partial setup is torn down first).
    """

    def __init__(self, settings: CarlaSettings, entities: Mapping[str, Any], dt: float, *,
                 town: str | None = None, xodr_path: str | None = None, carla: Any = None,
                 client: Any = None) -> None:
        self.settings, self.entities, self.dt = settings, dict(entities), dt
        self.carla = carla if carla is not None else import_carla()
        ep = settings.endpoint
        if client is None:
            client = connect(self.carla, ep.host, ep.rpc_port, settings.connect_timeout)
        self.cw = CarlaWorld(self.carla, client, ep.address, settings.tick_timeout)
        self._origins: dict[str, Vec3] = {}
        self._ego: str | None = None
        self._spec: VehicleSpec | None = None
        self._wheel_angle: float | None = None  # the ego's largest front-wheel angle [rad]
        self._templates: dict[str, EntityState] = {}
        self._time = 0.0
        self._frame_time: dict[int, float] = {}
        self._notes: list[Event] = []
        try:
            mismatch = version_mismatch(*self.cw.versions())
            if mismatch:
                self._notes.append(Event(0.0, "backend_warning",
                                         {"backend": "carla", "message": mismatch}))
            xodr = Path(xodr_path).read_text(encoding="utf-8") if xodr_path and not town \
                else None
            client.set_timeout(settings.load_timeout)
            self.cw.load_map(town, xodr, settings.opendrive)
            client.set_timeout(settings.connect_timeout)
            self.cw.enter_sync(dt, ep.tm_port, settings.seed)
        except BaseException:
            self.close()
            raise

    def _blueprint(self, name: str, kind: EntityKind) -> BlueprintChoice:
        ed = self.entities.get(name)
        choice = choose_blueprint(name, kind, "") if ed is None else choose_for_entity(ed)
        lib = self.cw.world.get_blueprint_library()
        choice = pick_available(choice, (bp.id for bp in lib), name)
        if choice.warning:
            self._notes.append(Event(self._time, "backend_warning",
                                     {"backend": "carla", "message": choice.warning}))
        return choice

    def _spawn(self, state: EntityState, role: str) -> None:
        choice = self._blueprint(state.name, state.kind)
        # before spawning CARLA's box is unknown: guess its origin under the box centre, at
        # the ground for vehicles and props, mid-height for walkers (CARLA's capsule origin)
        mid = state.box.height / 2.0 if state.kind == EntityKind.PEDESTRIAN else 0.0
        guess = (state.box.cx, state.box.cy, mid)
        lifted = replace(state.pose, z=state.pose.z + self.settings.spawn_lift)
        cbox = self.cw.spawn(state.name, choice.blueprint_id, pose_to_carla(lifted, guess), role,
                             physics=state.kind != EntityKind.OBSTACLE)
        problem = implausible_box(cbox)
        expected = problem == "has no size" and choice.blueprint_id.startswith("static.")
        if problem:   # CARLA gives static props an empty box, some bicycles one ~194 m aside
            self._origins[state.name] = guess
        if problem and not expected:   # a prop's empty box is CARLA's rule: said in the docs
            self._notes.append(Event(self._time, "backend_warning", {
                "backend": "carla", "message": f"entity {state.name!r}: CARLA's bounding box "
                f"of {choice.blueprint_id} {problem}; its origin is placed under the "
                f"scenario's box centre instead"}))
        if not problem:
            self._origins[state.name] = origin_offset(state.box, cbox)
        self._templates[state.name] = state

    def reset(self, ego: EntityState, spec: VehicleSpec) -> None:
        """Spawn the ego (role ``hero``) at its initial pose with its initial speed, attach
        its collision and lane-invasion sensors.

        Raises:
            CarlaError: spawn failed, or the ego's blueprint is not a vehicle.
        """
        self._ego, self._spec = ego.name, spec
        if ego.name not in self.cw.actors:
            self._spawn(ego, "hero")
        self._templates[ego.name] = ego
        if not self.cw.is_vehicle(ego.name):
            raise CarlaError(f"ego {ego.name!r}: its CARLA actor "
                             f"{self.cw.actors[ego.name].type_id} is not a vehicle (the ego "
                             f"is driven with carla.VehicleControl)", element="carla")
        self.cw.teleport(ego.name, pose_to_carla(ego.pose, self._origins[ego.name]),
                         velocity_to_carla(ego.speed, ego.pose))
        self.cw.attach_sensors(ego.name)
        self._wheel_angle = self.cw.max_wheel_angle(ego.name)

    def step_ego(self, control: Control, dt: float) -> EntityState:
        """Apply ``control`` (converted by :func:`control_to_carla`), tick once, and return
        the ego's new state in the OpenDRIVE frame (lane left for the engine).

        Raises:
            CarlaConnectionError: the tick timed out (server hung or lost).
        """
        assert self._ego is not None and self._spec is not None, "reset() first"
        self.cw.apply_control(self._ego, control_to_carla(control, self._spec,
                                                          self._wheel_angle))
        self._tick(dt)
        return self.read_state(self._ego)

    def _tick(self, dt: float) -> None:
        frame = self.cw.tick()
        self._time += dt
        self._frame_time[frame] = self._time
        if len(self._frame_time) > 64:
            for f in sorted(self._frame_time)[:-32]:
                del self._frame_time[f]

    def read_state(self, name: str) -> EntityState:
        """The state CARLA reports for entity ``name`` after the last tick (OpenDRIVE frame;
        yaw rate from the angular velocity; steering from the applied steer times the vehicle's
        largest wheel angle, or the spec's when CARLA gives none)."""
        r = self.cw.read(name)
        base = self._templates[name]
        max_steer = 0.0
        if self._spec and name == self._ego:
            max_steer = self._wheel_angle or self._spec.max_steering
        return replace(base, pose=pose_from_carla(r.transform, self._origins[name]),
                       speed=longitudinal_from_carla(r.velocity, r.transform),
                       acceleration=longitudinal_from_carla(r.acceleration, r.transform),
                       yaw_rate=yaw_rate_from_carla(r.angular_velocity),
                       steering=-r.steer * max_steer, lane=None)

    def sync_scenario_entities(self, world: WorldState) -> None:
        """Mirror every entity but the driven ego: spawn new ones, teleport the others with
        their velocity, park invisible ones :data:`HIDDEN_DEPTH` below, destroy deleted ones,
        set traffic lights. When no ego is driven (``reset`` never called) this also ticks."""
        for name, st in world.entities.items():
            if name == self._ego:
                continue
            if name not in self.cw.actors:
                self._spawn(st, name)
            pose = st.pose if st.visible else replace(st.pose, z=st.pose.z - HIDDEN_DEPTH)
            self.cw.teleport(name, pose_to_carla(pose, self._origins[name]),
                             velocity_to_carla(st.speed if st.visible else 0.0, st.pose))
        for name in [n for n in self.cw.actors if n not in world.entities and n != self._ego]:
            self.cw.destroy(name)
        for sid in self.cw.set_lights({sid: s.color for sid, s in world.signals.items()}):
            self._notes.append(Event(self._time, "backend_warning", {
                "backend": "carla", "message": f"signal {sid}: CARLA has no traffic light "
                f"with this OpenDRIVE id, so CARLA shows its own state there (the scenario's "
                f"and the SPAT's is not shown to the stack's cameras)"}))
        if self._ego is None:
            self._tick(self.dt)

    def drain_events(self) -> list[Event]:
        """Sensor events since the last call as ``testzone.recording.Event`` (sim time of the
        tick that produced them): ``carla_collision`` {a, b, other_type, impulse [N s]} and
        ``lane_invasion`` {entity, markings}; plus ``backend_warning`` {backend, message}
        (blueprint fallbacks). The engine's own bounding-box ``collision`` events are
        unaffected, so collisions are not counted twice."""
        out, self._notes = self._notes, []
        for kind, frame, data in self.cw.drain_sensors():
            t = self._frame_time.get(frame, self._time)
            out.append(Event(round(t, 9), "carla_collision" if kind == "collision" else kind,
                             data))
        return out

    def close(self) -> None:
        """Tear down (sensors, actors, lights, Traffic Manager, asynchronous mode);
        idempotent, safe after a failure."""
        if getattr(self, "cw", None) is not None:
            self.cw.close()

    def __enter__(self) -> "CarlaEgoBackend":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

