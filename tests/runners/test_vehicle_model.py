"""The kinematic bicycle against hand-computed motion and the vehicle's limits."""

from __future__ import annotations

import math

import pytest

from runners.interfaces import AgentError, Control, VehicleSpec
from runners.vehicle_model import BicycleState, commanded, step_bicycle

SPEC = VehicleSpec(name="ego", wheelbase=2.8, max_speed=40.0, max_acceleration=4.0,
                   max_deceleration=9.0, max_steering=0.5, max_steering_rate=10.0)


def run(state: BicycleState, accel: float, delta: float, seconds: float, dt: float = 0.05,
        spec: VehicleSpec = SPEC) -> BicycleState:
    for _ in range(round(seconds / dt)):
        state = step_bicycle(state, accel, delta, spec, dt)
    return state


def test_straight_constant_speed_covers_v_times_t() -> None:
    s = run(BicycleState(0.0, 0.0, 0.0, 10.0), 0.0, 0.0, 2.0)
    assert s.x == pytest.approx(20.0, abs=1e-9) and s.y == pytest.approx(0.0, abs=1e-12)


def test_heading_north_moves_along_y() -> None:
    s = run(BicycleState(5.0, 5.0, math.pi / 2, 8.0), 0.0, 0.0, 1.0)
    assert (s.x, s.y) == pytest.approx((5.0, 13.0), abs=1e-9)


def test_constant_acceleration_from_rest() -> None:
    # v = a t = 2 m/s^2 * 3 s; semi-implicit Euler distance = a dt^2 n(n+1)/2
    s = run(BicycleState(0.0, 0.0, 0.0, 0.0), 2.0, 0.0, 3.0)
    assert s.v == pytest.approx(6.0)
    n, dt = 60, 0.05
    assert s.x == pytest.approx(2.0 * dt * dt * n * (n + 1) / 2)


def test_constant_steering_follows_circle_of_radius_l_over_tan_delta() -> None:
    delta = 0.2
    radius = 2.8 / math.tan(delta)  # 14.19 m
    state = BicycleState(0.0, 0.0, 0.0, 5.0, delta=delta)
    for _ in range(400):
        state = step_bicycle(state, 0.0, delta, SPEC, 0.01)
        # centre of the circle is (0, R) for a left turn starting east-bound at the origin
        assert math.hypot(state.x, state.y - radius) == pytest.approx(radius, rel=0.01)


def test_limits_clamp_acceleration_speed_and_steering_rate() -> None:
    spec = VehicleSpec(name="ego", max_speed=10.0, max_acceleration=2.0, max_deceleration=5.0,
                       max_steering=0.5, max_steering_rate=0.4)
    s = step_bicycle(BicycleState(0, 0, 0, 9.95), 100.0, 0.5, spec, 0.05)
    assert s.v == pytest.approx(10.0)            # capped by max_speed
    assert s.delta == pytest.approx(0.02)        # 0.4 rad/s * 0.05 s
    s = step_bicycle(BicycleState(0, 0, 0, 0.1), -100.0, 0.0, spec, 0.05)
    assert s.v == 0.0                            # no reversing
    s = step_bicycle(BicycleState(0, 0, 0, 5.0), -100.0, 0.0, spec, 0.1)
    assert s.v == pytest.approx(4.5) and s.a == pytest.approx(-5.0)


def test_actuator_form_maps_through_performance_limits() -> None:
    assert commanded(Control(throttle=0.5), SPEC) == pytest.approx((2.0, 0.0))
    assert commanded(Control(brake=1.0, steer=-0.5), SPEC) == pytest.approx((-9.0, -0.25))
    assert commanded(Control(acceleration=-3.0, steering=0.1), SPEC) == (-3.0, 0.1)


@pytest.mark.parametrize("control, field", [
    (Control(acceleration=float("nan")), "acceleration"),
    (Control(acceleration=1.0, steering=float("inf")), "steering"),
    (Control(throttle=1.5), "throttle"),
    (Control(brake=-0.1), "brake"),
    (Control(acceleration=0.0, steering=0.9), "steering"),
    # hostile pass 11b: a nil steering / throttle ended the case with Python's TypeError
    (Control(acceleration=1.0, steering=None), "'steering' is nil, expected a number"),
    (Control(throttle=None), "'throttle' is nil, expected a number"),
])
def test_invalid_controls_name_the_field(control: Control, field: str) -> None:
    with pytest.raises(AgentError, match=field):
        control.validate(max_steering=0.5)
