"""A fake ``carla`` module that records every call, for tests that need no server.

It mimics the names the backend uses (``Client``, ``Transform``, ``Location``, ``Rotation``,
``Vector3D``, ``VehicleControl``, ``OpendriveGenerationParameters``, ``TrafficLightState``,
``command.DestroyActor``) and CARLA's observable behaviour that matters here: world settings
returned as copies, ``RuntimeError`` when the server is down or a tick hangs, ``None`` from
``try_spawn_actor`` on a blocked spawn point, and a crude vehicle motion in CARLA's frame
(speed += (4 throttle - 9 brake) dt along the yaw, y to the right).
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any


class Vec:
    def __init__(self, x: float = 0.0, y: float = 0.0, z: float = 0.0) -> None:
        self.x, self.y, self.z = x, y, z


class Rot:
    def __init__(self, pitch: float = 0.0, yaw: float = 0.0, roll: float = 0.0) -> None:
        self.pitch, self.yaw, self.roll = pitch, yaw, roll


class Tf:
    def __init__(self, location: Vec | None = None, rotation: Rot | None = None) -> None:
        self.location, self.rotation = location or Vec(), rotation or Rot()


class Ctl:
    def __init__(self, throttle=0.0, steer=0.0, brake=0.0, hand_brake=False, reverse=False):
        self.throttle, self.steer, self.brake = throttle, steer, brake
        self.hand_brake, self.reverse = hand_brake, reverse


class Light:
    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return self.name


class Settings:
    """carla.WorldSettings' fields used here, with 0.9.16's defaults."""

    def __init__(self, sync: bool = False, dt: float | None = None,
                 no_rendering_mode: bool = False, max_substeps: int = 10,
                 max_substep_delta_time: float = 0.01) -> None:
        self.synchronous_mode, self.fixed_delta_seconds = sync, dt
        self.no_rendering_mode = no_rendering_mode
        self.max_substeps, self.max_substep_delta_time = max_substeps, max_substep_delta_time

    def copy(self) -> "Settings":
        return Settings(self.synchronous_mode, self.fixed_delta_seconds, self.no_rendering_mode,
                        self.max_substeps, self.max_substep_delta_time)


class Server:
    """The state of one fake server, shared by its clients; ``log`` records calls in order."""

    def __init__(self, blueprints: tuple[str, ...] = ("vehicle.tesla.model3",
                                                      "vehicle.carlamotors.carlacola",
                                                      "walker.pedestrian.0001",
                                                      "static.prop.box01",
                                                      "static.prop.constructioncone",
                                                      "sensor.other.collision",
                                                      "sensor.other.lane_invasion")) -> None:
        self.log: list[tuple] = []
        self.down = False
        self.hang_at_frame: int | None = None
        self.blocked_spawn = False
        # a server-side refusal of generate_opendrive_world: CARLA raises RuntimeError with
        # the server's own message (CarlaServer.cpp RESPOND_ERROR), not a time-out
        self.refuse_opendrive: str | None = None
        self.version = "0.9.16"
        self.boxes: dict[str, tuple] = {}   # blueprint -> (location, extent) to report
        self.blueprints = blueprints
        self.settings = Settings()
        self.world = World(self)
        self.lights = {"12": TrafficLight("12", self)}
        self.next_id = 100


class Actor:
    def __init__(self, server: Server, bp: "Blueprint", tf: Tf) -> None:
        server.next_id += 1
        self.id, self.type_id, self._s = server.next_id, bp.id, server
        self.attributes = dict(bp.attrs)
        self.tf = Tf(Vec(tf.location.x, tf.location.y, tf.location.z),
                     Rot(tf.rotation.pitch, tf.rotation.yaw, tf.rotation.roll))
        self.vel, self.acc, self.ang = Vec(), Vec(), Vec()
        self.control = Ctl()
        self.alive = True
        self.physics = True
        # CARLA's server (BoundingBoxCalculator): a vehicle's box from its blueprint, a walker's
        # centred on its origin (mid-capsule), a static prop's empty
        if bp.id in server.boxes:                 # a box the test gives (location, extent)
            box = tuple(Vec(*v) for v in server.boxes[bp.id])
        elif bp.id.startswith("vehicle."):
            box = (Vec(0.05, 0.0, 0.7), Vec(2.4, 0.95, 0.75))
        elif bp.id.startswith("walker."):
            box = (Vec(0.0, 0.0, 0.0), Vec(0.3, 0.3, 0.9))
        else:
            box = (Vec(0.0, 0.0, 0.0), Vec(0.0, 0.0, 0.0))
        self.bounding_box = SimpleNamespace(location=box[0], extent=box[1])
        if bp.id.startswith("vehicle."):
            self.apply_control = self._apply_control
            self.get_control = lambda: self.control
            # CARLA's WheelPhysicsControl default max_steer_angle: 70 deg (front wheels)
            self.get_physics_control = lambda: SimpleNamespace(wheels=[
                SimpleNamespace(max_steer_angle=70.0), SimpleNamespace(max_steer_angle=70.0),
                SimpleNamespace(max_steer_angle=0.0), SimpleNamespace(max_steer_angle=0.0)])

    def _apply_control(self, c: Ctl) -> None:
        self._s.log.append(("apply_control", self.id, c.throttle, c.steer, c.brake))
        self.control = c

    def get_transform(self) -> Tf:
        return self.tf

    def set_transform(self, tf: Tf) -> None:
        self._s.log.append(("set_transform", self.id, tf.location.x, tf.location.y,
                            tf.location.z, tf.rotation.yaw))
        self.tf = tf

    def set_target_velocity(self, v: Vec) -> None:
        self._s.log.append(("set_target_velocity", self.id, v.x, v.y, v.z))
        self.vel = v

    def set_simulate_physics(self, on: bool) -> None:
        self.physics = on

    def get_velocity(self) -> Vec:
        return self.vel

    def get_acceleration(self) -> Vec:
        return self.acc

    def get_angular_velocity(self) -> Vec:
        return self.ang

    def destroy(self) -> bool:
        self._s.log.append(("destroy", self.id))
        self.alive = False
        return True

    def advance(self, dt: float) -> None:
        """Crude motion in CARLA's frame for vehicles under control."""
        if not hasattr(self, "apply_control"):
            return
        yaw = math.radians(self.tf.rotation.yaw)
        speed = math.hypot(self.vel.x, self.vel.y)
        a = 4.0 * self.control.throttle - 9.0 * self.control.brake
        new = max(0.0, speed + a * dt)
        self.acc = Vec(a * math.cos(yaw), a * math.sin(yaw), 0.0)
        self.vel = Vec(new * math.cos(yaw), new * math.sin(yaw), 0.0)
        self.tf = Tf(Vec(self.tf.location.x + new * math.cos(yaw) * dt,
                         self.tf.location.y + new * math.sin(yaw) * dt, self.tf.location.z),
                     self.tf.rotation)


class Sensor(Actor):
    def listen(self, cb: Any) -> None:
        self._s.log.append(("listen", self.type_id))
        self.cb = cb

    def stop(self) -> None:
        self._s.log.append(("stop", self.type_id))

    def destroy(self) -> bool:
        self._s.log.append(("destroy_sensor", self.type_id))
        return True


class Blueprint:
    def __init__(self, bp_id: str) -> None:
        self.id, self.attrs = bp_id, {"role_name": ""}

    def has_attribute(self, k: str) -> bool:
        return k in self.attrs

    def set_attribute(self, k: str, v: str) -> None:
        self.attrs[k] = v


class Library(list):
    def find(self, bp_id: str) -> Blueprint:
        for bp in self:
            if bp.id == bp_id:
                return bp
        raise IndexError(bp_id)


class TrafficLight:
    def __init__(self, sid: str, server: Server) -> None:
        self.sid, self.state, self._s = sid, Light("Red"), server

    def set_state(self, st: Light) -> None:
        self._s.log.append(("set_light", self.sid, st.name))
        self.state = st

    def get_state(self) -> Light:
        return self.state


class World:
    def __init__(self, server: Server) -> None:
        self._s = server
        self.frame = 0
        self.actors: list[Actor] = []
        self.sensors: list[Sensor] = []

    def get_settings(self) -> Settings:
        return self._s.settings.copy()

    def apply_settings(self, s: Settings) -> int:
        self._s.log.append(("apply_settings", s.synchronous_mode, s.fixed_delta_seconds))
        self._s.settings = s.copy()
        return self.frame

    def freeze_all_traffic_lights(self, on: bool) -> None:
        self._s.log.append(("freeze_lights", on))

    def get_blueprint_library(self) -> Library:
        return Library(Blueprint(b) for b in self._s.blueprints)

    def get_map(self) -> Any:
        return SimpleNamespace(name="Carla/Maps/Town01")

    def try_spawn_actor(self, bp: Blueprint, tf: Tf) -> Actor | None:
        self._s.log.append(("spawn", bp.id, tf.location.x, tf.location.y, tf.location.z,
                            tf.rotation.yaw))
        if self._s.blocked_spawn:
            return None
        a = Actor(self._s, bp, tf)
        self.actors.append(a)
        return a

    def spawn_actor(self, bp: Blueprint, tf: Tf, parent: Actor) -> Sensor:
        self._s.log.append(("spawn_sensor", bp.id, parent.id))
        s = Sensor(self._s, bp, tf)
        s.parent = parent
        self.sensors.append(s)
        return s

    def tick(self, timeout: float = 0.0) -> int:
        if self._s.down or (self._s.hang_at_frame is not None
                            and self.frame + 1 >= self._s.hang_at_frame):
            self._s.down = True
            raise RuntimeError(f"time-out of {int(timeout * 1000)}ms while waiting for the "
                               f"simulator")
        self.frame += 1
        dt = self._s.settings.fixed_delta_seconds or 0.05
        for a in self.actors:
            a.advance(dt)
        self._s.log.append(("tick", self.frame))
        return self.frame

    def get_traffic_light_from_opendrive_id(self, sid: str) -> TrafficLight | None:
        return self._s.lights.get(sid)


class TM:
    def __init__(self, server: Server, port: int) -> None:
        self._s, self.port = server, port

    def set_synchronous_mode(self, on: bool) -> None:
        self._s.log.append(("tm_sync", self.port, on))

    def set_random_device_seed(self, seed: int) -> None:
        self._s.log.append(("tm_seed", seed))


def make_module(servers: dict[tuple[str, int], Server]) -> SimpleNamespace:
    """A fake ``carla`` module whose ``Client(host, port)`` talks to ``servers``."""

    class Client:
        def __init__(self, host: str, port: int) -> None:
            self.server = servers.get((host, port))
            self.timeout = 5.0

        def _check(self) -> Server:
            if self.server is None or self.server.down:
                raise RuntimeError(f"time-out of {int(self.timeout * 1000)}ms while waiting "
                                   f"for the simulator")
            return self.server

        def set_timeout(self, t: float) -> None:
            self.timeout = t

        def get_server_version(self) -> str:
            return self._check() and self.server.version

        def get_client_version(self) -> str:
            return "0.9.16"

        def get_world(self) -> World:
            return self._check().world

        def load_world(self, town: str) -> World:
            self._check().log.append(("load_world", town))
            self.server.settings = Settings()     # reset_settings=True, CARLA's default
            return self.server.world

        def generate_opendrive_world(self, text: str, params: Any) -> World:
            s = self._check()
            if s.refuse_opendrive:
                raise RuntimeError(s.refuse_opendrive)
            s.log.append(("generate_opendrive_world", len(text), params.max_road_length))
            s.log.append(("pedestrian_navigation", params.enable_pedestrian_navigation))
            s.settings = Settings()               # reset_settings=True, CARLA's default
            return s.world

        def get_trafficmanager(self, port: int) -> TM:
            return TM(self._check(), port)

        def apply_batch_sync(self, cmds: list) -> list:
            s = self._check()
            s.log.append(("destroy_batch", tuple(c.actor.id for c in cmds)))
            for c in cmds:
                c.actor.alive = False
            return []

    return SimpleNamespace(
        Client=Client, Transform=Tf, Location=Vec, Rotation=Rot, Vector3D=Vec,
        VehicleControl=Ctl,
        # 0.9.16: a 7th field, enable_pedestrian_navigation, True unless set
        OpendriveGenerationParameters=lambda **kw: SimpleNamespace(
            **{"enable_pedestrian_navigation": True, **kw}),
        TrafficLightState=SimpleNamespace(**{n: Light(n) for n in
                                             ("Red", "Yellow", "Green", "Off", "Unknown")}),
        command=SimpleNamespace(DestroyActor=lambda a: SimpleNamespace(actor=a)))
