"""One CARLA episode for one test case: map, synchronous mode, actors, sensors, teardown.

:class:`CarlaWorld` wraps a connected ``carla.Client`` and owns everything it creates, so that
:meth:`CarlaWorld.close` can undo it in a fixed order even when the case failed:

1. stop and destroy the sensors (their callbacks must not fire on destroyed actors);
2. destroy the spawned actors (one ``client.apply_batch_sync`` of ``DestroyActor``);
3. unfreeze the traffic lights;
4. put the Traffic Manager back in asynchronous mode;
5. restore the world settings with ``synchronous_mode = False`` (a server left in synchronous
   mode waits for a tick that never comes and looks hung to the next client).

After the server was lost (a timeout) the teardown skips every call: each would only wait out
its own timeout. Every value crossing this class's boundary is in CARLA's frame as the plain
records of :mod:`runners.backends.carla_frames`; the ``carla`` module is passed in, so tests
drive it with a fake.
"""

from __future__ import annotations

import logging
import math
import queue
from dataclasses import dataclass
from typing import Any, Iterable

from runners.backends.carla_connection import CarlaConnectionError, CarlaError
from runners.backends.carla_frames import (CarlaBox, CarlaTransform, CarlaVehicleControl, Vec3,
                                           light_from_carla, light_to_carla)
from testzone.world import SignalColor

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpendriveParams:
    """``carla.OpendriveGenerationParameters`` for ``client.generate_opendrive_world``
    (CARLA "Generate maps with OpenStreetMap"/"OpenDRIVE standalone mode" docs).

    Attributes: vertex_distance [m] between mesh vertices; max_road_length [m] of one mesh
    chunk; wall_height [m] of the walls at road borders; additional_width [m] added to
    junction lanes; smooth_junctions; enable_mesh_visibility.
    """

    vertex_distance: float = 2.0
    max_road_length: float = 500.0
    wall_height: float = 1.0
    additional_width: float = 0.6
    smooth_junctions: bool = True
    enable_mesh_visibility: bool = True


@dataclass(frozen=True)
class ActorReading:
    """What CARLA reports for one actor after a tick, in CARLA's frame: transform,
    velocity [m/s], acceleration [m/s^2], angular velocity [deg/s], steer in [-1, 1]."""

    transform: CarlaTransform
    velocity: Vec3
    acceleration: Vec3
    angular_velocity: Vec3
    steer: float = 0.0


def _vec(v: Any) -> Vec3:
    return (float(v.x), float(v.y), float(v.z))


PHYSICS_SUBSTEP_S = 0.01
"""CARLA's default ``max_substep_delta_time`` [s]: physics sub-steps of at most this."""
MAX_SUBSTEPS = 16
"""The most physics sub-steps CARLA allows per tick (``max_substeps`` <= 16)."""


def substeps_for(dt: float, substep: float | None, current: int | None = None) -> int | None:
    """``max_substeps`` for a tick of ``dt`` [s] with sub-steps of ``substep`` [s] (CARLA's
    default :data:`PHYSICS_SUBSTEP_S` when None, not positive or not a number):
    ``ceil(dt / substep)`` when the server's ``current`` count (CARLA's default 10 when None)
    would not cover ``dt`` (LibCarla only warns "fixed_delta_seconds <= max_substep_delta_time
    * max_substeps ... the time deltas are not guaranteed"), else None (leave the server's).

    Raises:
        CarlaError: more than :data:`MAX_SUBSTEPS` would be needed (``--dt`` too large).
    """
    if substep is None or not math.isfinite(substep) or substep <= 0.0:
        substep = PHYSICS_SUBSTEP_S
    need = math.ceil(dt / substep - 1e-9)
    if need <= (current if isinstance(current, int) and current > 0 else 10):
        return None
    if need > MAX_SUBSTEPS:
        raise CarlaError(f"--dt {dt:g} s is longer than CARLA's physics can step "
                         f"({MAX_SUBSTEPS} sub-steps of {substep:g} s = "
                         f"{MAX_SUBSTEPS * substep:g} s); use a smaller --dt", element="--dt")
    return need


_TIMEOUT_WORDS = ("time-out", "timeout", "timed out", "connection", "broken pipe")
"""Words of a RuntimeError that mean the server did not answer (LibCarla's TimeoutException
says "time-out of N ms while waiting for the simulator"; rpclib's lost connections)."""


def _is_timeout(text: str) -> bool:
    """True when CARLA's RuntimeError ``text`` says the server did not answer."""
    low = text.lower()
    return any(w in low for w in _TIMEOUT_WORDS)


class CarlaWorld:
    """The CARLA side of one case (see the module docstring for the teardown order).

    Args:
        carla: the ``carla`` module (or a fake with the same names).
        client: a connected ``carla.Client``. address: ``host:port`` for messages.
        tick_timeout: seconds ``world.tick`` may take before the server counts as lost.
    """

    def __init__(self, carla: Any, client: Any, address: str, tick_timeout: float) -> None:
        self.carla, self.client, self.address = carla, client, address
        self.tick_timeout = tick_timeout
        self.world: Any = None
        self._original_settings: Any = None
        self._tm: Any = None
        self._lights_frozen = False
        self.actors: dict[str, Any] = {}
        self._names_by_id: dict[int, str] = {}
        self._sensors: list[Any] = []
        self._lights: dict[str, Any] = {}
        self._light_state: dict[str, SignalColor] = {}
        self.sensor_queue: "queue.SimpleQueue[tuple[str, int, dict[str, Any]]]" = \
            queue.SimpleQueue()
        self.lost = False
        self.closed = False

    def _call(self, what: str, fn: Any, *args: Any) -> Any:
        """Call the server. CARLA raises RuntimeError both when it does not answer (LibCarla's
        ``TimeoutException``: "time-out of N ms while waiting for the simulator") and when the
        server refuses the request with its own message ("opendrive could not be correctly
        parsed", "map not found"): only the first marks the server lost (CarlaConnectionError,
        teardown skipped); the second is a CarlaError naming the call and the server's words,
        and the world is still torn down (carla16 audit: every refusal had been a lost server,
        which left synchronous mode and the ego behind for the next case)."""
        try:
            return fn(*args)
        except RuntimeError as exc:
            text = " ".join(str(exc).split())[:160]
            if not _is_timeout(text):
                raise CarlaError(f"CARLA server {self.address}: {what} refused: {text}",
                                 element="carla") from None
            self.lost = True
            raise CarlaConnectionError(f"CARLA server {self.address}: {what} failed ({text}); "
                                       f"the server hung or died", element="carla") from None

    def versions(self) -> tuple[str, str]:
        """``(client, server)``: the ``carla`` wheel's release and the server's."""
        return (str(self._call("get_client_version", self.client.get_client_version)),
                str(self._call("get_server_version", self.client.get_server_version)))

    def load_map(self, town: str | None, xodr_text: str | None,
                 params: OpendriveParams = OpendriveParams()) -> None:
        """Load a CARLA town by name, or build a world from OpenDRIVE text
        (``client.generate_opendrive_world``), or keep the current world when both are None."""
        c = self.client
        if self._original_settings is None:    # the user's settings, before a load resets
            current = self._call("get_world", c.get_world)   # them (reset_settings=True)
            self._original_settings = self._call("get_settings", current.get_settings)
        if town:
            current = self._call("get_world", c.get_world)
            name = str(self._call("get_map", current.get_map).name)
            # the loaded town is kept unless it is still in synchronous mode: a case that lost
            # the server (a tick timed out, nothing torn down) left its actors there, and the
            # next case's spawns would fail on them (carla16 audit F2)
            left_over = bool(getattr(self._original_settings, "synchronous_mode", False))
            self.world = current if name.rsplit("/", 1)[-1] == town and not left_over else \
                self._call(f"load_world({town})", c.load_world, town)
        elif xodr_text is not None:
            p = self.carla.OpendriveGenerationParameters(
                vertex_distance=params.vertex_distance, max_road_length=params.max_road_length,
                wall_height=params.wall_height, additional_width=params.additional_width,
                smooth_junctions=params.smooth_junctions,
                enable_mesh_visibility=params.enable_mesh_visibility)
            if hasattr(p, "enable_pedestrian_navigation"):   # 0.9.16: on by default; walkers
                p.enable_pedestrian_navigation = False       # here are teleported, and the
                # navigation mesh keeps the server busy after the call returns (CARLA #6963)
            self.world = self._call("generate_opendrive_world", c.generate_opendrive_world,
                                    xodr_text, p)
        else:
            self.world = self._call("get_world", c.get_world)

    def enter_sync(self, dt: float, tm_port: int, seed: int = 0) -> None:
        """Synchronous mode with ``fixed_delta_seconds = dt`` [s]; the Traffic Manager on
        ``tm_port`` in synchronous mode (seeded); traffic lights frozen (the scenario's signal
        controllers drive them)."""
        w = self.world
        if self._original_settings is None:
            self._original_settings = self._call("get_settings", w.get_settings)
        settings = self._call("get_settings", w.get_settings)
        settings.synchronous_mode = True
        settings.fixed_delta_seconds = dt
        substeps = substeps_for(dt, getattr(settings, "max_substep_delta_time", None),
                                getattr(settings, "max_substeps", None))
        if substeps is not None:
            settings.max_substeps = substeps
        self._call("apply_settings", w.apply_settings, settings)
        self._tm = self._call("get_trafficmanager", self.client.get_trafficmanager, tm_port)
        self._tm.set_synchronous_mode(True)
        self._tm.set_random_device_seed(seed)
        self._call("freeze_all_traffic_lights", w.freeze_all_traffic_lights, True)
        self._lights_frozen = True

    def spawn(self, name: str, blueprint_id: str, tf: CarlaTransform, role: str,
              physics: bool = True) -> CarlaBox:
        """Spawn ``name`` from ``blueprint_id`` at ``tf``; return its CARLA bounding box.

        Raises:
            CarlaError: the blueprint is unknown or the spawn point is taken/off the map.
        """
        lib = self._call("get_blueprint_library", self.world.get_blueprint_library)
        try:
            bp = lib.find(blueprint_id)
        except (IndexError, RuntimeError):
            raise CarlaError(f"entity {name!r}: CARLA has no blueprint {blueprint_id}",
                             element="carla") from None
        if bp.has_attribute("role_name"):
            bp.set_attribute("role_name", role)
        actor = self._call("spawn", self.world.try_spawn_actor, bp, self.transform(tf))
        if actor is None:
            raise CarlaError(f"entity {name!r}: CARLA could not spawn {blueprint_id} at "
                             f"({tf.x:.2f}, {tf.y:.2f}, {tf.z:.2f}) in its frame (spawn point "
                             f"occupied or off the map)", element="carla")
        self.actors[name] = actor
        self._names_by_id[actor.id] = name
        if not physics:
            actor.set_simulate_physics(False)
        bb = actor.bounding_box
        return CarlaBox(_vec(bb.location), _vec(bb.extent))

    def transform(self, tf: CarlaTransform) -> Any:
        """A ``carla.Transform`` from a :class:`CarlaTransform`."""
        c = self.carla
        return c.Transform(c.Location(x=tf.x, y=tf.y, z=tf.z),
                           c.Rotation(pitch=tf.pitch, yaw=tf.yaw, roll=tf.roll))

    def teleport(self, name: str, tf: CarlaTransform, velocity: Vec3) -> None:
        """Move ``name`` to ``tf`` and give it ``velocity`` [m/s] (both applied at the next
        tick)."""
        actor = self.actors[name]
        self._call(f"set_transform({name})", actor.set_transform, self.transform(tf))
        self._call(f"set_target_velocity({name})", actor.set_target_velocity,
                   self.carla.Vector3D(*velocity))

    def apply_control(self, name: str, cc: CarlaVehicleControl) -> None:
        """Send actuator commands to vehicle ``name`` (applied at the next tick)."""
        self._call(f"apply_control({name})", self.actors[name].apply_control,
                   self.carla.VehicleControl(throttle=cc.throttle, steer=cc.steer,
                                             brake=cc.brake, hand_brake=cc.hand_brake,
                                             reverse=cc.reverse))

    def destroy(self, name: str) -> None:
        """Destroy one spawned actor (DeleteEntityAction)."""
        actor = self.actors.pop(name)
        self._names_by_id.pop(actor.id, None)
        self._call(f"destroy({name})", actor.destroy)

    def tick(self) -> int:
        """Advance one fixed step; return CARLA's frame number.

        Raises:
            CarlaConnectionError: no answer within ``tick_timeout``.
        """
        return int(self._call(f"world.tick() within {self.tick_timeout:g} s", self.world.tick,
                              self.tick_timeout))

    def read(self, name: str) -> ActorReading:
        """The state CARLA reports for ``name`` after the last tick."""
        a = self.actors[name]
        t = a.get_transform()
        tf = CarlaTransform(t.location.x, t.location.y, t.location.z, t.rotation.pitch,
                            t.rotation.yaw, t.rotation.roll)
        ctl = a.get_control() if self.is_vehicle(name) else None  # walkers: no steer
        steer = float(getattr(ctl, "steer", 0.0))
        return ActorReading(tf, _vec(a.get_velocity()), _vec(a.get_acceleration()),
                            _vec(a.get_angular_velocity()), steer)

    def max_wheel_angle(self, name: str) -> float | None:
        """The largest front-wheel angle [rad] of vehicle ``name``: its first wheel's
        ``WheelPhysicsControl.max_steer_angle`` (degrees in CARLA; ``VehicleControl.steer`` is
        a fraction of it), or None when CARLA gives none (not a vehicle, no wheels)."""
        if not self.is_vehicle(name):
            return None
        physics = self._call(f"get_physics_control({name})",
                             self.actors[name].get_physics_control)
        wheels = list(getattr(physics, "wheels", None) or ())
        angle = float(getattr(wheels[0], "max_steer_angle", 0.0)) if wheels else 0.0
        return math.radians(angle) if angle > 0.0 else None

    def is_vehicle(self, name: str) -> bool:
        """True when ``name``'s actor is a CARLA vehicle (``vehicle.*`` blueprint)."""
        return str(getattr(self.actors[name], "type_id", "")).startswith("vehicle.")

    def name_of(self, actor: Any) -> str:
        """Our entity name of a CARLA actor, else its ``type_id`` (map props, other clients)."""
        return self._names_by_id.get(getattr(actor, "id", -1), str(getattr(actor, "type_id",
                                                                              "unknown")))

    def attach_sensors(self, name: str) -> None:
        """Attach a collision and a lane-invasion sensor to ``name``; their callbacks (run on
        the client's streaming thread) only enqueue plain tuples ``(kind, frame, data)``."""
        lib = self._call("get_blueprint_library", self.world.get_blueprint_library)
        parent = self.actors[name]
        for bp_id, kind in (("sensor.other.collision", "collision"),
                            ("sensor.other.lane_invasion", "lane_invasion")):
            sensor = self._call("spawn sensor", self.world.spawn_actor, lib.find(bp_id),
                                self.carla.Transform(), parent)
            self._sensors.append(sensor)
            sensor.listen(self._make_callback(name, kind))

    def _make_callback(self, name: str, kind: str) -> Any:
        q = self.sensor_queue

        def on_collision(ev: Any) -> None:
            imp = ev.normal_impulse
            q.put(("collision", int(ev.frame), {
                "a": name, "b": self.name_of(ev.other_actor),
                "other_type": str(getattr(ev.other_actor, "type_id", "")),
                "impulse": (float(imp.x) ** 2 + float(imp.y) ** 2 + float(imp.z) ** 2) ** 0.5}))

        def on_lane_invasion(ev: Any) -> None:
            q.put(("lane_invasion", int(ev.frame), {
                "entity": name,
                "markings": [str(m.type).rsplit(".", 1)[-1] for m in ev.crossed_lane_markings]}))
        return on_collision if kind == "collision" else on_lane_invasion

    def drain_sensors(self) -> list[tuple[str, int, dict[str, Any]]]:
        """Everything the sensor callbacks enqueued since the last call, in arrival order."""
        out = []
        while True:
            try:
                out.append(self.sensor_queue.get_nowait())
            except queue.Empty:
                return out

    def set_lights(self, colors: dict[str, SignalColor]) -> list[str]:
        """Set CARLA's traffic lights from OpenDRIVE signal ids -> colour (only changes are
        sent; CARLA has no flashing state: a flashing lamp shows steady). Returns the ids,
        new in this call, that CARLA has no traffic light for (they are skipped: on a world
        generated from OpenDRIVE CARLA may find none by id, CARLA discussion #6957)."""
        missing = []
        for sid, color in colors.items():
            if self._light_state.get(sid) == color:
                continue
            known = sid in self._lights
            tl = self._light(sid)
            if tl is not None:
                self._call(f"set_state(traffic light {sid})", tl.set_state,
                           getattr(self.carla.TrafficLightState, light_to_carla(color)))
            elif not known:
                missing.append(sid)
            self._light_state[sid] = color
        return missing

    def read_lights(self, ids: Iterable[str]) -> dict[str, SignalColor]:
        """CARLA's current colour of each known traffic light among ``ids``."""
        out = {}
        for sid in ids:
            tl = self._light(sid)
            if tl is not None:
                out[sid] = light_from_carla(str(tl.get_state()))
        return out

    def _light(self, sid: str) -> Any:
        if sid not in self._lights:
            finder = getattr(self.world, "get_traffic_light_from_opendrive_id", None)
            self._lights[sid] = self._call(f"get_traffic_light_from_opendrive_id({sid})",
                                           finder, sid) if finder is not None else None
        return self._lights[sid]

    def close(self) -> list[str]:
        """Undo everything, in the order of the module docstring; idempotent.

        Returns:
            The teardown steps that failed (logged; a teardown failure never hides the case's
            own error). Empty when every step worked or the server was lost (nothing sent).
        """
        if self.closed:
            return []
        self.closed = True
        if self.lost or self.world is None:
            return []
        failed: list[str] = []
        for step, fn in (("sensors", self._destroy_sensors), ("actors", self._destroy_actors),
                         ("traffic lights", self._unfreeze),
                         ("traffic manager", self._tm_async), ("settings", self._restore)):
            try:
                fn()
            except Exception as exc:  # noqa: BLE001 - every step runs; failures are reported
                failed.append(f"{step}: {type(exc).__name__}: {exc}")
                _LOG.warning("CARLA teardown on %s: %s failed: %s", self.address, step, exc)
        return failed

    def _destroy_sensors(self) -> None:
        sensors, self._sensors = self._sensors, []
        for s in sensors:
            s.stop()
        for s in sensors:
            s.destroy()

    def _destroy_actors(self) -> None:
        actors, self.actors = list(self.actors.values()), {}
        self._names_by_id.clear()
        if actors:
            self.client.apply_batch_sync([self.carla.command.DestroyActor(a) for a in actors])

    def _unfreeze(self) -> None:
        if self._lights_frozen:
            self.world.freeze_all_traffic_lights(False)
            self._lights_frozen = False

    def _tm_async(self) -> None:
        if self._tm is not None:
            self._tm.set_synchronous_mode(False)

    def _restore(self) -> None:
        if self._original_settings is not None:
            settings = self._original_settings
            settings.synchronous_mode = False
            self.world.apply_settings(settings)

    def __enter__(self) -> "CarlaWorld":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
