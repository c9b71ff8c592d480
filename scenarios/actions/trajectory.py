"""``FollowTrajectoryAction`` (ASAM OpenSCENARIO 1.x ``RoutingAction``).

The trajectory (inline, in ``TrajectoryRef`` (1.1+), or a Trajectory catalog entry) is frozen
when the action starts (:mod:`scenarios.trajectories`); the entity is then moved along it
inside the action's step, as esmini v3.6.0 does (``FollowTrajectoryAction::Step``):

* ``TimeReference/None``: at the entity's own speed (set by longitudinal actions), backwards
  when the speed was negative at the start; an open trajectory ends when its length is covered
  (a closed one loops);
* ``Timing`` ``relative``: trajectory time = time at ``initialDistanceOffset`` + ``scale`` x
  elapsed time, shifted by ``offset``; ``absolute``: (sim time) x scale + offset; the entity's
  speed becomes the path length covered per step; the action ends when the trajectory time
  reaches the last time stamp.

``trajectoryFollowingMode`` ``position`` (default) or ``follow``: only the time law of timed
polylines and their heading interpolation differ (esmini has no lateral controller here).
At the end the rest of the step is travelled along the final heading and the entity snaps to
the nearest lane, where the default controller takes over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lxml import etree

from testzone.world import Pose, wrap_angle

from scenarios.actions.routing import snap
from scenarios.errors import ScenarioError
from scenarios.registry import ParseContext
from scenarios.runtime import Mover, Runtime
from scenarios.trajectories import SMALL, Path, TrajectoryDef, read_trajectory
from scenarios.xmlsource import child, children, positive


TIME_EPS = 1e-9
"""Tolerance [s] of the end-of-trajectory time test (the sum of n steps of dt may fall a few
ulps short of n dt; esmini ends the 6 s polyline of trajectory-test.xosc after 120 steps)."""


@dataclass(frozen=True)
class Timing:
    """``Timing``: ``absolute`` or ``relative`` domain, scale [-], offset [s]."""

    absolute: bool
    scale: float = 1.0
    offset: float = 0.0


def _timing(el: etree._Element, ctx: ParseContext) -> Timing | None:
    ref = child(el, "TimeReference")
    timing = next(children(ref), None) if ref is not None else None
    if timing is None or timing.tag == "None":
        return None
    if timing.tag != "Timing":
        raise ctx.src.error(timing, "expected None or Timing")
    a = ctx.src.attr
    return Timing(ctx.src.choice(timing, "domainAbsoluteRelative", ("absolute", "relative"))
                  == "absolute", a(timing, "scale", positive, 1.0), a(timing, "offset", float, 0.0))


@dataclass(frozen=True)
class FollowTrajectoryAction:
    """``FollowTrajectoryAction``: shape, closed flag, timing (None: TimeReference/None),
    follow mode, initialDistanceOffset [m]."""

    ELEMENT = "FollowTrajectoryAction"
    PRIVATE = True
    shape: Any
    closed: bool = False
    timing: Timing | None = None
    follow: bool = False
    initial_offset: float = 0.0
    name: str = ""

    @property
    def DOMAINS(self) -> tuple[str, ...]:  # noqa: N802 - the action contract's name
        """Lateral only without timing, or with a Timing and a shape without times (the
        speed comes from longitudinal actions, which go on), else both."""
        if self.timing is None or not getattr(self.shape, "timed", True):
            return ("lateral",)
        return ("longitudinal", "lateral")

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> FollowTrajectoryAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input (see
        :func:`scenarios.trajectories.read_trajectory`)."""
        traj = read_trajectory(el, ctx)
        mode = child(el, "TrajectoryFollowingMode")
        follow = mode is not None and ctx.src.choice(
            mode, "followingMode", ("position", "follow")) == "follow"
        return cls(traj.shape, traj.closed, _timing(el, ctx), follow,
                   ctx.src.attr(el, "initialDistanceOffset", float, 0.0), traj.name)

    def start(self, rt: Runtime, actor: str | None) -> TrajectoryRun:
        """Freeze the trajectory on ``actor``; return the run (see actions.base).

        Raises:
            ScenarioError: the shape is degenerate once its positions are resolved (the
                storyboard adds the file and line of the Action).
        """
        assert actor is not None
        mover = rt.mover(actor)
        try:
            path = TrajectoryDef(self.shape, self.closed, self.name).freeze(
                rt, self.follow, mover.speed, mover.pose)
        except ValueError as exc:     # degenerate shape (e.g. a Nurbs of zero length)
            raise ScenarioError(f"trajectory '{self.name}': {exc}",
                                element=self.shape.ELEMENT) from None
        return TrajectoryRun(actor, self, path, mover.speed < 0.0)


class TrajectoryRun:
    """A running FollowTrajectoryAction (see module docstring)."""

    def __init__(self, actor: str, spec: FollowTrajectoryAction, path: Path,
                 reverse: bool) -> None:
        self.actor, self.spec, self.path = actor, spec, path
        self.timing = spec.timing if path.timed else None
        self.reverse = reverse
        self.s = spec.initial_offset
        t = path.time_at_s(self.s)
        self.time = 0.0 if math.isnan(t) else t

    def _advance(self, rt: Runtime, dt: float) -> tuple[float, bool, float]:
        """Move along the path; return (old s, ended, distance left for this step)."""
        mover, path, timing = rt.mover(self.actor), self.path, self.timing
        old = self.s
        if timing is None:
            direction = -1.0 if self.reverse else 1.0
            self.s += direction * mover.speed * dt
            if self.spec.closed and path.length > 0:
                self.s %= path.length
                return old, False, 0.0
            fwd = direction * mover.speed
            ended = dt > 0 and ((fwd > 0 and self.s > path.length - SMALL)
                                or (fwd < 0 and self.s < SMALL))
            left = mover.speed * dt - (min(max(self.s, 0.0), path.length) - old)
            self.s = min(max(self.s, 0.0), path.length)
            return old, ended, left if ended else 0.0
        if timing.absolute:
            self.time = (rt.time + dt) * timing.scale
        else:
            self.time += timing.scale * dt
        end_time = path.start_time + path.duration
        self.s = path.s_at_time(self.time + timing.offset)
        if self.time + timing.offset < end_time + SMALL and dt > SMALL:
            mover.speed = (self.s - old) / dt
        ended = self.time >= end_time - TIME_EPS
        return old, ended, (self.time - end_time) * mover.speed if ended else 0.0

    def step(self, rt: Runtime, dt: float) -> bool:
        """Move the entity along the trajectory; True when it ended."""
        mover = rt.mover(self.actor)
        before = mover.pose
        _, ended, left = self._advance(rt, dt)
        pose = self.path.pose_at(self.s)
        if self.reverse:
            pose = Pose(pose.x, pose.y, pose.z, wrap_angle(pose.h + math.pi), pose.p, pose.r)
        if ended and left:
            pose = Pose(pose.x + left * math.cos(pose.h), pose.y + left * math.sin(pose.h),
                        pose.z, pose.h, pose.p, pose.r)
        mover.pose = pose
        mover.lat_rate = 0.0
        mover.held = True
        mover.odometer += math.hypot(pose.x - before.x, pose.y - before.y)
        snap(rt, mover)
        _on_ground(rt, mover)
        return ended


def _on_ground(rt: Runtime, mover: Mover) -> None:
    """Put an entity that follows a trajectory on the road surface under it: z, pitch and roll
    of the road at its road position, pitch and roll turned with its direction of travel
    along s (esmini places a trajectory's x, y, h and takes z from the road). Off the road
    (no road position) the trajectory's own z stays."""
    c, road_pose = mover.coord, getattr(rt.net, "road_to_world", None)
    if c is None or road_pose is None:
        return
    ground, p = road_pose(c.road_id, c.s, c.t), mover.pose
    sign = 1.0 if math.cos(p.h - ground.h) >= 0.0 else -1.0
    mover.pose = Pose(p.x, p.y, ground.z, p.h, sign * ground.p, sign * ground.r)


TRAJECTORY_ACTIONS = (FollowTrajectoryAction,)
