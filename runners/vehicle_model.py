"""Kinematic bicycle model of the vehicle under test.

State at the rear axle (OpenSCENARIO's vehicle reference point): x, y [m], heading h [rad],
speed v [m/s], front-wheel angle delta [rad]. One step of length dt [s] (semi-implicit Euler):

    delta' = clamp(delta_cmd, delta +- max_steering_rate*dt, +-max_steering)
    a      = clamp(a_cmd, -max_deceleration, max_acceleration)
    v'     = clamp(v + a*dt, 0, max_speed)
    h'     = h + v'*tan(delta')/L * dt
    x', y' = x + v'*cos(h')*dt, y + v'*sin(h')*dt        (rear-axle bicycle, Rajamani 2012, 2.2)

The model does not reverse (v >= 0). Actuator controls map to acceleration through the
Performance limits (throttle * max_acceleration - brake * max_deceleration).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from testzone.world import wrap_angle

from runners.interfaces import Control, VehicleSpec


@dataclass(frozen=True)
class BicycleState:
    """Bicycle state: x, y [m]; h [rad]; v [m/s]; delta front-wheel angle [rad]; a [m/s^2]."""

    x: float
    y: float
    h: float
    v: float
    delta: float = 0.0
    a: float = 0.0


def commanded(control: Control, spec: VehicleSpec) -> tuple[float, float]:
    """Return (acceleration [m/s^2], front-wheel angle [rad]) asked by ``control``."""
    if control.acceleration is not None:
        return control.acceleration, control.steering
    accel = control.throttle * spec.max_acceleration - control.brake * spec.max_deceleration
    return accel, control.steer * spec.max_steering


def step_bicycle(state: BicycleState, accel_cmd: float, delta_cmd: float, spec: VehicleSpec,
                 dt: float) -> BicycleState:
    """Advance the bicycle by ``dt`` [s] under the commands, within the spec's limits."""
    dmax = spec.max_steering_rate * dt
    delta = min(max(delta_cmd, state.delta - dmax), state.delta + dmax)
    delta = min(max(delta, -spec.max_steering), spec.max_steering)
    a = min(max(accel_cmd, -spec.max_deceleration), spec.max_acceleration)
    v = min(max(state.v + a * dt, 0.0), spec.max_speed)
    a_eff = (v - state.v) / dt
    h = wrap_angle(state.h + v * math.tan(delta) / spec.wheelbase * dt)
    return BicycleState(state.x + v * math.cos(h) * dt, state.y + v * math.sin(h) * dt, h, v,
                        delta, a_eff)
