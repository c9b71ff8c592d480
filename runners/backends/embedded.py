"""The embedded backend: the vehicle under test as a kinematic bicycle, no server needed."""

from __future__ import annotations

from dataclasses import replace

from testzone.world import EntityState, Pose, WorldState, wrap_angle

from runners.interfaces import Control, EgoBackend, VehicleSpec
from runners.vehicle_model import BicycleState, commanded, step_bicycle


class EmbeddedEgoBackend(EgoBackend):
    """The embedded backend's ego: a :class:`BicycleState` advanced by :func:`step_bicycle`.

    Implements :class:`runners.interfaces.EgoBackend`. Scenario-controlled entities are moved by
    the scenario engine itself, so :meth:`sync_scenario_entities` has nothing to do here.
    """

    def __init__(self) -> None:
        self._state: BicycleState | None = None
        self._template: EntityState | None = None
        self._spec: VehicleSpec | None = None

    def reset(self, ego: EntityState, spec: VehicleSpec) -> None:
        """Start from the ego's initial state (pose and speed from the scenario's Init)."""
        self._template = ego
        self._spec = spec
        self._state = BicycleState(ego.pose.x, ego.pose.y, ego.pose.h, max(ego.speed, 0.0))

    def step_ego(self, control: Control, dt: float) -> EntityState:
        """Apply ``control`` for ``dt`` [s]; return the new ego state (lane left for the engine)."""
        assert self._state is not None and self._spec is not None and self._template is not None
        accel, delta = commanded(control, self._spec)
        prev = self._state
        new = step_bicycle(prev, accel, delta, self._spec, dt)
        self._state = new
        t = self._template
        return replace(t, pose=Pose(new.x, new.y, t.pose.z, new.h, 0.0, 0.0), speed=new.v,
                       acceleration=new.a, yaw_rate=wrap_angle(new.h - prev.h) / dt,
                       steering=new.delta, lane=None)

    def sync_scenario_entities(self, world: WorldState) -> None:
        """Nothing to mirror: the engine's states are the world."""

    def close(self) -> None:
        """Nothing to release."""
