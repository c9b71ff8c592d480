"""CARLA's conventions at the edge: the only module where CARLA's frame and units appear.

Everything else in the project works in the OpenDRIVE inertial frame (``testzone.world``):
right-handed, x east, y north, z up, heading ``h`` counter-clockwise from x [rad], and the
vehicle frame x forward, y left, z up (ISO 8855). CARLA inherits Unreal Engine 4's
**left-handed** frame: x forward/east, **y to the right** (south when x is east), z up, lengths
in metres, angles in **degrees**, ``Rotation(pitch, yaw, roll)``.

Conversions (CARLA documentation "Coordinate system": UE4 left-handed, rotations in degrees;
CARLA's OpenDRIVE importer maps an OpenDRIVE point (x, y) to (x, -y) and a heading h to
yaw = -degrees(h); scenario_runner converts WorldPositions the same way):

* position: ``(x, y, z) -> (x, -y, z)`` (an involution: the same map both ways);
* yaw: ``yaw_deg = -degrees(h)``;
* pitch: ``pitch_deg = -degrees(p)``. OpenDRIVE's pitch is a right-handed rotation about the
  vehicle's y axis (pointing left), so a positive p puts the nose **down**; CARLA's forward
  vector is ``(cos yaw cos pitch, sin yaw cos pitch, sin pitch)`` (``carla.Rotation.
  get_forward_vector``), so a positive CARLA pitch puts the nose **up**;
* roll: ``roll_deg = +degrees(r)``. Both put the right-hand side down for a positive roll
  (right-handed rotation about x forward; CARLA's right vector has z = -cos(pitch) sin(roll));
* vectors (velocity, acceleration): ``(vx, vy, vz) -> (vx, -vy, vz)``;
* yaw rate: CARLA's angular velocity is in deg/s about its own z, in the sense of increasing
  yaw, so ``yaw_rate = -radians(omega_z)``;
* bounding boxes: CARLA's ``BoundingBox`` has ``location`` (box centre relative to the actor
  origin, CARLA frame) and ``extent`` (**half** sizes); OpenSCENARIO's has a centre relative to
  the reference point (rear axle) and full dimensions;
* the reference point: an OpenSCENARIO vehicle's pose is its rear-axle centre on the ground;
  a CARLA actor's origin is wherever the blueprint puts it (vehicles: under the box centre,
  near the ground; walkers: mid-capsule). :func:`origin_offset` gives the actor origin in the
  entity frame so that the two boxes' centres and bottoms coincide;
* controls: ``carla.VehicleControl.steer`` in [-1, 1] is positive to the **right**; ours
  (:class:`runners.interfaces.Control`) is positive to the left, so it changes sign;
* traffic lights: :class:`testzone.world.SignalColor` <-> ``carla.TrafficLightState`` names.

Everything here is a pure function on plain tuples and frozen dataclasses, so it is tested
without the ``carla`` package; ``runners.backends.carla_backend`` copies these records into
``carla.Transform``/``carla.Vector3D``/``carla.VehicleControl`` field by field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from testzone.world import BoundingBox, Pose, SignalColor, wrap_angle

from runners.interfaces import Control, VehicleSpec

Vec3 = tuple[float, float, float]


@dataclass(frozen=True)
class CarlaTransform:
    """A ``carla.Transform`` as plain numbers.

    Attributes: x, y, z [m] in CARLA's left-handed frame; pitch, yaw, roll [deg] as
    ``carla.Rotation``.
    """

    x: float
    y: float
    z: float = 0.0
    pitch: float = 0.0
    yaw: float = 0.0
    roll: float = 0.0


@dataclass(frozen=True)
class CarlaBox:
    """A ``carla.BoundingBox`` as plain numbers.

    Attributes: location: box centre relative to the actor origin, CARLA frame [m];
    extent: half length, half width, half height [m].
    """

    location: Vec3
    extent: Vec3


@dataclass(frozen=True)
class CarlaVehicleControl:
    """A ``carla.VehicleControl`` as plain numbers: throttle and brake in [0, 1], steer in
    [-1, 1] positive to the **right**, hand_brake and reverse flags."""

    throttle: float = 0.0
    steer: float = 0.0
    brake: float = 0.0
    hand_brake: bool = False
    reverse: bool = False


def point_to_carla(x: float, y: float, z: float = 0.0) -> Vec3:
    """Map an inertial point or vector [m or m/s] to CARLA: ``(x, -y, z)``."""
    return (x, -y, z)


def point_from_carla(x: float, y: float, z: float = 0.0) -> Vec3:
    """Map a CARLA point or vector to the inertial frame: ``(x, -y, z)`` (same involution)."""
    return (x, -y, z)


def _rotate(h: float, dx: float, dy: float) -> tuple[float, float]:
    c, s = math.cos(h), math.sin(h)
    return (c * dx - s * dy, s * dx + c * dy)


def pose_to_carla(pose: Pose, origin: Vec3 = (0.0, 0.0, 0.0)) -> CarlaTransform:
    """The CARLA transform of an entity whose reference point is at ``pose``.

    Args:
        pose: the reference point's pose, OpenDRIVE inertial frame [m, rad].
        origin: where the CARLA actor's origin sits in the entity frame (x forward, y left,
            z up) [m], see :func:`origin_offset`. The offset is turned by the heading only
            (pitch and roll of a vehicle on a road are small).

    Returns:
        The :class:`CarlaTransform` (left-handed, degrees).
    """
    ox, oy = _rotate(pose.h, origin[0], origin[1])
    x, y, z = point_to_carla(pose.x + ox, pose.y + oy, pose.z + origin[2])
    return CarlaTransform(x, y, z, pitch=-math.degrees(pose.p), yaw=-math.degrees(pose.h),
                          roll=math.degrees(pose.r))


def pose_from_carla(tf: CarlaTransform, origin: Vec3 = (0.0, 0.0, 0.0)) -> Pose:
    """The reference-point pose of an actor at ``tf``; inverse of :func:`pose_to_carla`.

    Heading, pitch and roll are wrapped into (-pi, pi] [rad].
    """
    h = wrap_angle(-math.radians(tf.yaw))
    x, y, z = point_from_carla(tf.x, tf.y, tf.z)
    ox, oy = _rotate(h, origin[0], origin[1])
    return Pose(x - ox, y - oy, z - origin[2], h, wrap_angle(-math.radians(tf.pitch)),
                wrap_angle(math.radians(tf.roll)))


def velocity_to_carla(speed: float, pose: Pose) -> Vec3:
    """CARLA velocity vector [m/s] of an entity moving at signed ``speed`` [m/s] along its
    heading and pitch (``set_target_velocity``)."""
    cp = math.cos(pose.p)
    return point_to_carla(speed * cp * math.cos(pose.h), speed * cp * math.sin(pose.h),
                          -speed * math.sin(pose.p))


def longitudinal_from_carla(vector: Vec3, tf: CarlaTransform) -> float:
    """Signed component [m/s or m/s^2] of a CARLA velocity/acceleration vector along the
    actor's forward vector (``cos yaw cos pitch, sin yaw cos pitch, sin pitch``)."""
    yaw, pitch = math.radians(tf.yaw), math.radians(tf.pitch)
    fwd = (math.cos(yaw) * math.cos(pitch), math.sin(yaw) * math.cos(pitch), math.sin(pitch))
    return sum(a * b for a, b in zip(vector, fwd))


def yaw_rate_from_carla(angular_velocity: Vec3) -> float:
    """Yaw rate [rad/s] (counter-clockwise positive) from CARLA's angular velocity [deg/s]."""
    return -math.radians(angular_velocity[2])


def box_to_carla(box: BoundingBox, origin: Vec3 = (0.0, 0.0, 0.0)) -> CarlaBox:
    """The CARLA bounding box of an OpenSCENARIO ``box`` for an actor whose origin is at
    ``origin`` (entity frame) [m]: centre relative to that origin, half sizes."""
    loc = point_to_carla(box.cx - origin[0], box.cy - origin[1], box.cz - origin[2])
    return CarlaBox(loc, (box.length / 2.0, box.width / 2.0, box.height / 2.0))


def box_from_carla(cbox: CarlaBox, origin: Vec3 = (0.0, 0.0, 0.0)) -> BoundingBox:
    """The OpenSCENARIO bounding box (centre relative to the reference point, full sizes)
    of a CARLA box on an actor whose origin is at ``origin`` (entity frame) [m]."""
    cx, cy, cz = point_from_carla(*cbox.location)
    ex, ey, ez = cbox.extent
    return BoundingBox(cx + origin[0], cy + origin[1], cz + origin[2], 2.0 * ex, 2.0 * ey,
                       2.0 * ez)


def origin_offset(box: BoundingBox, cbox: CarlaBox) -> Vec3:
    """Where the CARLA actor origin must sit (entity frame, from the OpenSCENARIO reference
    point) [m] so that the CARLA box centre coincides with the OpenSCENARIO box centre in
    the ground plane and the two boxes' bottoms are at the same height (CARLA vehicles have
    their origin near the wheels' contact plane, walkers at the middle of their capsule).

    Example: a car whose OpenSCENARIO box centre is 1.4 m ahead of the rear axle (bottom on
    the ground) and whose CARLA box centre is 0.05 m ahead of the actor origin, 0.7 m up,
    half height 0.75 m (bottom 0.05 m below the origin) gets ``(1.35, 0, 0.05)``.
    """
    cx, cy, cz = point_from_carla(*cbox.location)
    bottom = box.cz - box.height / 2.0
    return (box.cx - cx, box.cy - cy, bottom - (cz - cbox.extent[2]))


BOX_ORIGIN_MARGIN_M = 1.0
"""How far [m] beyond its own extent a CARLA box centre may lie from the actor origin before
the box is taken for wrong (:func:`implausible_box`)."""


def implausible_box(cbox: CarlaBox) -> str:
    """Why CARLA's bounding box of an actor cannot place it, or "" when it can: an extent of
    zero (CARLA's server gives static props an empty box: BoundingBoxCalculator), or a centre
    farther from the actor origin than the extent plus :data:`BOX_ORIGIN_MARGIN_M` on an axis
    (CARLA issues #3670, scenario_runner #779: a bicycle box 194 m to the side)."""
    if any(e <= 0.0 for e in cbox.extent):
        return "has no size"
    for axis, loc, ext in zip("xyz", cbox.location, cbox.extent):
        if abs(loc) > ext + BOX_ORIGIN_MARGIN_M:
            return f"lies {loc:.1f} m from the actor origin along {axis}"
    return ""


def control_to_carla(control: Control, spec: VehicleSpec,
                     max_wheel_angle: float | None = None) -> CarlaVehicleControl:
    """A :class:`Control` as CARLA actuator commands.

    Actuator form: throttle and brake copied; steer (a fraction of ``spec.max_steering``, the
    protocol's) turned into that angle and sent as a fraction of ``max_wheel_angle``, negated
    (CARLA steers right-positive). Kinematic form
    (``acceleration`` set) is mapped open loop: throttle = a / max_acceleration for a >= 0,
    brake = -a / max_deceleration for a < 0, steer = -steering / max_wheel_angle, all clipped
    to their ranges. ``max_wheel_angle`` [rad] is the CARLA vehicle's
    ``WheelPhysicsControl.max_steer_angle`` (CARLA's ``steer`` is a fraction of it, 70 deg by
    default; carla16 audit: dividing by our spec's 30 deg steered 2.33 times the command);
    None: ``spec.max_steering``. CARLA's vehicle physics then decides the real response (an
    approximation, see ``docs/carla.md``).
    """
    full = max_wheel_angle if max_wheel_angle else spec.max_steering
    if control.acceleration is None:   # steer: a fraction of the spec's max_steering, as the
        angle = control.steer * spec.max_steering   # protocol says (review 16: it went to
        return CarlaVehicleControl(throttle=_clip(control.throttle, 0.0, 1.0),  # CARLA as a
                                   steer=_clip(-angle / full, -1.0, 1.0),       # fraction
                                   brake=_clip(control.brake, 0.0, 1.0))        # of 70 deg)
    a = control.acceleration
    throttle = _clip(a / spec.max_acceleration, 0.0, 1.0) if a > 0 else 0.0
    brake = _clip(-a / spec.max_deceleration, 0.0, 1.0) if a < 0 else 0.0
    steer = _clip(-control.steering / full, -1.0, 1.0)
    return CarlaVehicleControl(throttle=throttle, steer=steer, brake=brake)


def control_from_carla(cc: CarlaVehicleControl) -> Control:
    """A CARLA actuator command as our actuator-form :class:`Control` (steer left-positive)."""
    return Control(throttle=cc.throttle, brake=cc.brake, steer=-cc.steer)


def _clip(v: float, lo: float, hi: float) -> float:
    return lo if v < lo else hi if v > hi else v


_TO_CARLA_LIGHT = {SignalColor.RED: "Red", SignalColor.YELLOW: "Yellow",
                   SignalColor.GREEN: "Green", SignalColor.OFF: "Off",
                   SignalColor.UNKNOWN: "Unknown"}
_FROM_CARLA_LIGHT = {v: k for k, v in _TO_CARLA_LIGHT.items()}


def light_to_carla(color: SignalColor) -> str:
    """The ``carla.TrafficLightState`` member name (``Red``, ``Yellow``, ``Green``, ``Off``,
    ``Unknown``) of a signal colour."""
    return _TO_CARLA_LIGHT[SignalColor(color)]


def light_from_carla(state_name: str) -> SignalColor:
    """The :class:`SignalColor` of a ``carla.TrafficLightState`` name (``str(state)`` or
    ``state.name``); an unknown name gives ``SignalColor.UNKNOWN``."""
    return _FROM_CARLA_LIGHT.get(str(state_name).rsplit(".", 1)[-1], SignalColor.UNKNOWN)
