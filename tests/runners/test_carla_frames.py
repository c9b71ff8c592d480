"""CARLA frame conversion: pinned values both ways, and agreement with the carla wheel's own
rotation vectors when the wheel is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from runners.backends.carla_frames import (CarlaBox, CarlaTransform, CarlaVehicleControl,
                                           box_from_carla, box_to_carla, control_from_carla,
                                           control_to_carla, light_from_carla, light_to_carla,
                                           longitudinal_from_carla, origin_offset,
                                           pose_from_carla, pose_to_carla, velocity_to_carla,
                                           yaw_rate_from_carla)
from runners.interfaces import Control, VehicleSpec
from testzone.world import BoundingBox, Pose, SignalColor

D = math.degrees


def test_pose_to_carla_pinned_values() -> None:
    # Heading north (pi/2) in OpenDRIVE is yaw -90 deg in CARLA; y flips sign.
    tf = pose_to_carla(Pose(10.0, 5.0, 0.3, math.pi / 2))
    assert (tf.x, tf.y, tf.z) == pytest.approx((10.0, -5.0, 0.3))
    assert tf.yaw == pytest.approx(-90.0)
    tf = pose_to_carla(Pose(-3.0, -7.5, 0.0, math.radians(30.0), p=0.1, r=0.2))
    assert (tf.x, tf.y, tf.yaw) == pytest.approx((-3.0, 7.5, -30.0))
    assert tf.pitch == pytest.approx(-D(0.1)) and tf.roll == pytest.approx(D(0.2))


def test_pose_from_carla_pinned_values() -> None:
    p = pose_from_carla(CarlaTransform(100.0, 20.0, 1.0, yaw=45.0))
    assert (p.x, p.y, p.z, p.h) == pytest.approx((100.0, -20.0, 1.0, -math.pi / 4))
    # yaw 270 deg clockwise is heading +90 deg counter-clockwise, wrapped into (-pi, pi]
    assert pose_from_carla(CarlaTransform(0, 0, yaw=270.0)).h == pytest.approx(math.pi / 2)
    assert pose_from_carla(CarlaTransform(0, 0, yaw=-180.0)).h == pytest.approx(math.pi)


def test_origin_offset_moves_the_actor_to_the_box_centre() -> None:
    # OpenSCENARIO car: rear-axle reference, box centre 1.4 m ahead. CARLA car: box centre
    # 0.05 m ahead of its actor origin. The origin must sit 1.35 m ahead of the rear axle.
    box = BoundingBox(cx=1.4, cz=0.75, length=4.6, width=1.9, height=1.5)
    origin = origin_offset(box, CarlaBox((0.05, 0.0, 0.7), (2.3, 0.95, 0.75)))
    assert origin == pytest.approx((1.35, 0.0, 0.05))
    # a walker: CARLA's origin at the middle of a 1.8 m capsule, ours on the ground
    walker = origin_offset(BoundingBox(cx=0.0, cz=0.9, length=0.5, width=0.6, height=1.8),
                           CarlaBox((0.0, 0.0, 0.0), (0.19, 0.19, 0.9)))
    assert walker == pytest.approx((0.0, 0.0, 0.9))
    assert pose_to_carla(Pose(1.0, 2.0, 10.0), walker).z == pytest.approx(10.9)
    # heading north: the origin is 1.35 m north of the reference point, y flips in CARLA
    tf = pose_to_carla(Pose(50.0, 10.0, 0.0, math.pi / 2), origin)
    assert (tf.x, tf.y) == pytest.approx((50.0, -11.35))
    back = pose_from_carla(tf, origin)
    assert (back.x, back.y, back.h) == pytest.approx((50.0, 10.0, math.pi / 2))


def test_box_extent_is_half_size_and_location_relative_to_origin() -> None:
    box = BoundingBox(cx=1.4, cy=0.2, cz=0.75, length=4.6, width=1.9, height=1.5)
    cb = box_to_carla(box)
    assert cb.location == pytest.approx((1.4, -0.2, 0.75))
    assert cb.extent == pytest.approx((2.3, 0.95, 0.75))
    cb2 = box_to_carla(box, origin=(1.4, 0.0, 0.0))
    assert cb2.location == pytest.approx((0.0, -0.2, 0.75))
    assert box_from_carla(cb2, origin=(1.4, 0.0, 0.0)) == pytest.approx(box)
    truck = box_from_carla(CarlaBox((0.0, 0.0, 1.6), (4.0, 1.25, 1.6)))
    assert (truck.length, truck.width, truck.height, truck.cz) == pytest.approx(
        (8.0, 2.5, 3.2, 1.6))


def test_velocity_speed_and_yaw_rate() -> None:
    v = velocity_to_carla(10.0, Pose(0, 0, 0, math.pi / 2))
    assert v == pytest.approx((0.0, -10.0, 0.0), abs=1e-12)
    assert longitudinal_from_carla(v, CarlaTransform(0, 0, yaw=-90.0)) == pytest.approx(10.0)
    # reversing: velocity against the forward vector is a negative speed
    assert longitudinal_from_carla((-3.0, 0.0, 0.0), CarlaTransform(0, 0)) == -3.0
    # uphill at 5 % grade heading east: OpenDRIVE pitch = -atan(0.05) (nose up)
    p = -math.atan(0.05)
    v = velocity_to_carla(20.0, Pose(0, 0, 0, 0.0, p))
    assert v[2] == pytest.approx(20.0 * math.sin(math.atan(0.05)))
    assert longitudinal_from_carla(v, pose_to_carla(Pose(0, 0, 0, 0.0, p))) == \
        pytest.approx(20.0)
    assert yaw_rate_from_carla((0.0, 0.0, -90.0)) == pytest.approx(math.pi / 2)


SPEC = VehicleSpec("Ego", max_acceleration=4.0, max_deceleration=9.0, max_steering=0.5236)


def test_controls_change_steer_sign_both_ways() -> None:
    cc = control_to_carla(Control(throttle=0.3, brake=0.0, steer=0.5), SPEC)
    assert cc == CarlaVehicleControl(throttle=0.3, steer=-0.5, brake=0.0)
    back = control_from_carla(CarlaVehicleControl(throttle=0.2, steer=0.25, brake=0.1))
    assert (back.throttle, back.brake, back.steer, back.acceleration) == (0.2, 0.1, -0.25, None)


def test_kinematic_control_maps_through_the_limits() -> None:
    cc = control_to_carla(Control(acceleration=2.0, steering=0.2618), SPEC)
    assert (cc.throttle, cc.brake) == (0.5, 0.0) and cc.steer == pytest.approx(-0.5, abs=1e-4)
    cc = control_to_carla(Control(acceleration=-4.5, steering=-0.5236), SPEC)
    assert (cc.throttle, cc.brake, cc.steer) == (0.0, 0.5, 1.0)
    cc = control_to_carla(Control(acceleration=40.0), SPEC)
    assert (cc.throttle, cc.brake, cc.steer) == (1.0, 0.0, 0.0)


def test_traffic_light_names_both_ways() -> None:
    for color, name in ((SignalColor.RED, "Red"), (SignalColor.YELLOW, "Yellow"),
                        (SignalColor.GREEN, "Green"), (SignalColor.OFF, "Off")):
        assert light_to_carla(color) == name
        assert light_from_carla(name) == color
    assert light_from_carla("carla.libcarla.TrafficLightState.Green") == SignalColor.GREEN
    assert light_from_carla("Blinking") == SignalColor.UNKNOWN


def _odr_axes(h: float, p: float, r: float) -> np.ndarray:
    """Columns: forward, left, up of R = Rz(h) Ry(p) Rx(r) (right-handed, OpenDRIVE)."""
    ch, sh, cp, sp, cr, sr = (math.cos(h), math.sin(h), math.cos(p), math.sin(p),
                              math.cos(r), math.sin(r))
    rz = np.array([[ch, -sh, 0], [sh, ch, 0], [0, 0, 1]])
    ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    rx = np.array([[1, 0, 0], [0, cr, -sr], [0, sr, cr]])
    return rz @ ry @ rx


@pytest.mark.parametrize("h,p,r", [(0.3, 0.0, 0.0), (2.0, 0.1, 0.0), (-1.2, -0.2, 0.15),
                                   (3.0, 0.05, -0.3)])
def test_rotation_agrees_with_the_carla_wheel(h: float, p: float, r: float) -> None:
    carla = pytest.importorskip("carla")
    tf = pose_to_carla(Pose(0, 0, 0, h, p, r))
    rot = carla.Rotation(pitch=tf.pitch, yaw=tf.yaw, roll=tf.roll)
    axes = _odr_axes(h, p, r)
    flip = np.array([1.0, -1.0, 1.0])

    def vec(v) -> np.ndarray:
        return np.array([v.x, v.y, v.z])
    assert vec(rot.get_forward_vector()) == pytest.approx(flip * axes[:, 0], abs=1e-5)
    # CARLA's right vector is the mirror image of our left axis, pointing the other way
    assert vec(rot.get_right_vector()) == pytest.approx(-flip * axes[:, 1], abs=1e-5)
    assert vec(rot.get_up_vector()) == pytest.approx(flip * axes[:, 2], abs=1e-5)
