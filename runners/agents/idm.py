"""Reference agents built on the Intelligent Driver Model: ``idm`` and ``naive``.

IDM (Treiber, Hennecke, Helbing 2000, "Congested traffic states in empirical observations and
microscopic simulations", Phys. Rev. E 62, eq. 2-3):

    a = a_max * [1 - (v/v0)^delta - (s*(v, dv)/s)^2],
    s*(v, dv) = s0 + max(0, v*T + v*dv / (2*sqrt(a_max*b)))

with gap s [m] bumper to obstacle, dv = v - v_leader [m/s]. Lateral control is pure pursuit on
the lane centre (:mod:`runners.agents.path_ahead`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from maps.traversal import RouteWalk, lane_id_at, route_chooser

from testzone.lead import nearest_ahead
from testzone.world import LaneCoord

from runners.agents.mobil import (MobilDecision, MobilParameters, adjacent_lanes, lane_gaps,
                                  mobil, pedestrian_ahead, route_lane_step, with_lanes)
from runners.agents.path_ahead import PathAhead, PathObstacle, pure_pursuit_steering
from runners.interfaces import Agent, AgentError, Control, Observation, VehicleSpec


@dataclass(frozen=True)
class IdmParameters:
    """IDM parameters, defaults for urban traffic after Treiber & Kesting, "Traffic Flow
    Dynamics" (2013), table 11.2.

    Attributes:
        time_headway: T [s], desired time gap.
        min_gap: s0 [m], jam distance.
        max_acceleration: a [m/s^2].
        comfortable_deceleration: b [m/s^2].
        delta: acceleration exponent [-].
        speed_limit_factor: desired speed v0 as a fraction of the speed limit [-].
        default_speed: v0 [m/s] when the road has no speed record.
        stop_margin: distance kept before a stop line [m].
        horizon: how far ahead the agent looks along its lane [m].
        limit_braking_onset: fraction of b at which it starts braking for a lower speed limit
            ahead [-] (it then brakes at that constant deceleration to meet the limit at its
            start: 0.5 b = 1 m/s^2 by default, a gentle anticipation).
        limit_settle: [s] above the speed limit where its front is (times
            ``speed_limit_factor``), it slows to ``limit_margin`` [m/s] under it at
            ``(over + margin) / limit_settle``, at least (advisory caps are not limits):
            IDM's free-road term alone approaches the desired speed from above only
            asymptotically, so a car that met a lower limit a little fast stayed over it for
            seconds (project choice).
        limit_margin: see ``limit_settle`` [m/s].
        overlap_margin: during a lane change it also follows what its body still overlaps
            ahead: the nearest object whose lateral position is within half the sum of both
            widths plus this [m] (``testzone.lead.nearest_ahead``; project choice).
    """

    time_headway: float = 1.5
    min_gap: float = 2.0
    max_acceleration: float = 1.5
    comfortable_deceleration: float = 2.0
    delta: float = 4.0
    speed_limit_factor: float = 1.0
    default_speed: float = 50.0 / 3.6
    stop_margin: float = 1.0
    horizon: float = 120.0
    limit_braking_onset: float = 0.5
    limit_settle: float = 1.0
    limit_margin: float = 0.1
    overlap_margin: float = 0.3


def idm_acceleration(p: IdmParameters, v: float, v0: float, gap: float | None,
                     v_leader: float) -> float:
    """IDM acceleration [m/s^2] for speed ``v`` [m/s], desired speed ``v0`` [m/s], ``gap`` [m]
    to the obstacle (None: free road) moving at ``v_leader`` [m/s] (Treiber et al. 2000)."""
    free = 1.0 - (v / max(v0, 0.1)) ** p.delta
    if gap is None:
        return p.max_acceleration * free
    dv = v - v_leader
    s_star = p.min_gap + max(0.0, v * p.time_headway
                             + v * dv / (2.0 * math.sqrt(p.max_acceleration
                                                         * p.comfortable_deceleration)))
    return p.max_acceleration * (free - (s_star / max(gap, 0.1)) ** 2)


def route_roads(obs: Observation) -> tuple[str, ...]:
    """The road ids of the observation's route, in order (empty: follow the lane)."""
    return tuple(w.road_id for w in obs.route if w.road_id is not None)


@dataclass(frozen=True)
class LaneChange:
    """A lane change under way: on road ``road_id`` from lane ``from_lane`` to ``to_lane``
    (their ids at road ``s`` [m]), begun at sim time ``start`` [s]."""

    road_id: str
    from_lane: int
    to_lane: int
    start: float
    s: float = 0.0

    def carried_to(self, net: Any, s: float) -> "LaneChange | None":
        """The same change with its lane ids at road ``s`` [m]: where a lane opens or closes,
        OpenDRIVE renumbers the lanes beside it (clause 11.3), so an id alone names another
        lane in the next lane section; the lanes are followed by their links
        (:func:`maps.traversal.lane_id_at`). None when one of them ends."""
        road = net.roads[self.road_id]
        if road.section_index(s) == road.section_index(self.s):
            return self
        ids = [lane_id_at(road, lane, self.s, s) for lane in (self.from_lane, self.to_lane)]
        if None in ids:
            return None
        return LaneChange(self.road_id, ids[0], ids[1], self.start, s)


class IdmAgent(Agent):
    """``idm``: lane keeping, IDM car following, MOBIL lane changes, stops for red signals
    and for obstacles (vehicles, pedestrians and cyclists in or next to its lane), up to its
    max deceleration.

    Sees only what the observation's sensor model gives (no V2X). ``mobil`` None (or
    ``reacts`` False) keeps it in its lane.
    """

    version = "2"

    def __init__(self, params: IdmParameters | None = None, *, name: str = "idm",
                 reacts: bool = True, mobil: MobilParameters | None = MobilParameters()
                 ) -> None:
        self.name = name
        self.reacts = reacts
        self.params = params or IdmParameters()
        self.mobil = mobil if reacts else None
        self._path: PathAhead | None = None
        self._route: tuple[str, ...] = ()
        self._walk = RouteWalk()                                # along the route
        self._change: LaneChange | None = None
        self._last_change = -math.inf
        self._next_decision = 0.0
        self._now = 0.0
        self.spec: VehicleSpec | None = None
        self.net: Any = None

    def setup(self, vehicle: VehicleSpec, road_network: Any, config: dict[str, Any]) -> None:
        """Keep the vehicle spec and the map; ``config`` may override IdmParameters and
        MobilParameters fields."""
        if road_network is None:
            raise AgentError(f"agent {self.name!r} needs the scenario's road network")
        self.spec, self.net = vehicle, road_network
        self._path, self._route, self._change = None, (), None
        self._walk, self._ahead = RouteWalk(), (None, ())
        self._last_change, self._next_decision = -math.inf, 0.0
        if config:
            fields = {k: v for k, v in config.items() if k in IdmParameters.__dataclass_fields__}
            self.params = IdmParameters(**{**self.params.__dict__, **fields})
            fields = {k: v for k, v in config.items()
                      if k in MobilParameters.__dataclass_fields__}
            if fields and self.mobil is not None:
                self.mobil = MobilParameters(**{**self.mobil.__dict__, **fields})

    def desired_speed(self, obs: Observation) -> float:
        """v0 [m/s]: the speed limit times the factor, capped by the vehicle's max speed."""
        assert self.spec is not None
        limit = obs.speed_limit if obs.speed_limit else self.params.default_speed
        return min(limit * self.params.speed_limit_factor, self.spec.max_speed)

    def limit_deceleration(self, path: PathAhead, along: float, front: float,
                           speed: float) -> float:
        """The constant deceleration [m/s^2] (>= 0) that brings the ego from ``speed`` [m/s]
        down to every lower speed limit ahead on ``path`` by the time its front reaches it:
        max over limits L at distance d of (v^2 - (f L)^2) / 2d, f the speed-limit factor
        (kinematics; a driver slows before a speed-limit sign, not after it: GB 5768.2 puts
        the sign where the limit starts). ``along`` [m]: the ego's position on the path;
        ``front`` [m]: its front bumper ahead of the reference point. 0 when no lower limit
        lies ahead."""
        f = self.params.speed_limit_factor
        need = 0.0
        for d, limit in path.speed_limits():
            ahead = d - along - front
            if ahead > 0.0 and speed > f * limit:
                need = max(need, (speed ** 2 - (f * limit) ** 2) / (2.0 * ahead))
        return need

    def obstacles(self, obs: Observation, path: PathAhead, along: float) -> list[PathObstacle]:
        """What the agent stops or follows for: objects in its path, red stop lines and the
        end of a lane with nothing after it, ``along`` [m] being the ego's position along
        ``path``."""
        if not self.reacts:
            return []
        found = (path.obstacles(along, obs.objects) + path.red_signals(along, obs.signals)
                 + path.road_end(along))
        return sorted(found, key=lambda o: o.distance)

    def path_for(self, ego, route: tuple[str, ...] = ()) -> tuple[PathAhead, float]:
        """The lane path ahead and the ego's distance along it [m]; the path follows ``route``
        (road ids: the route still ahead, :meth:`route_ahead`, so a route through a junction
        twice takes its second branch the second time) at junctions, else the straightest
        continuation; it is rebuilt when the ego
        has used up a third of its horizon, has left its corridor or was given another route.
        During a lane change it runs on the target lane, its start bent from the ego's pose
        onto that lane's centre over the speed times the change time left (at least 1 s,
        10 m), see :class:`~runners.agents.path_ahead.PathAhead` ``entry``."""
        path = self._path
        if path is not None and route == self._route:
            along, off = path.locate(ego.pose.x, ego.pose.y)
            if along < self.params.horizon / 3 and off < path.width / 2:
                return path, along
        self._route = route
        choose = route_chooser(list(route)) if route else None
        start, entry = ego.lane, None
        change = self._change
        if change is not None:
            assert self.mobil is not None
            start = LaneCoord(change.road_id, change.to_lane, ego.lane.s, 0.0)
            left = max(self.mobil.change_duration - (self._now - change.start), 1.0)
            entry = (ego.pose.x, ego.pose.y, ego.pose.h, max(ego.speed * left, 10.0))
        path = self._path = PathAhead(self.net, start, horizon=self.params.horizon,
                                      choose=choose, entry=entry)
        return path, path.locate(ego.pose.x, ego.pose.y)[0]

    def plan_lane_change(self, obs: Observation) -> None:
        """Finish, give up or start a lane change (MOBIL, :mod:`runners.agents.mobil`).

        A change is done when the ego is in the target lane within 0.3 m of its centre, and
        given up when the ego has left the road or after ``change_timeout`` [s]; while the
        ego has not yet crossed into the target lane, a target that turns out blocked or
        unsafe (a car that was hidden) sends it back to its own lane. A new change is weighed
        every ``change_period`` [s], at least ``change_interval`` [s] after the last one
        began, at ``change_min_speed`` or faster, not while a pedestrian is on the road within
        the path horizon, into the adjacent driving lanes :func:`adjacent_lanes` allows; the
        best lane MOBIL accepts is taken and the path is rebuilt towards it.
        """
        p, ego, change = self.mobil, obs.ego, self._change
        if p is None or not p.lane_changes or ego.lane is None:
            return
        decide = obs.time >= self._next_decision
        if decide:
            self._next_decision = obs.time + p.change_period - 1e-9
        if change is not None and ego.lane.road_id == change.road_id:
            carried = change.carried_to(self.net, ego.lane.s)
            if carried is None:                  # the lane it was leaving or aiming at ends
                self._change, self._path = None, None
                return
            change = self._change = carried
        if change is not None:
            if ego.lane.road_id != change.road_id or (
                    ego.lane.lane_id == change.to_lane and abs(ego.lane.offset) < 0.3):
                self._change = None
            elif obs.time - change.start > p.change_timeout:
                self._change, self._path = None, None
            elif decide and ego.lane.lane_id == change.from_lane:
                d = self._weigh(obs, with_lanes(self.net, obs.objects), change.to_lane,
                                abs(change.to_lane) > abs(change.from_lane))
                if d is None or not d.safe:
                    self._change = LaneChange(change.road_id, change.to_lane, change.from_lane,
                                              obs.time, change.s)
                    self._path = None
            return
        if not decide or obs.time - self._last_change < p.change_interval \
                or ego.speed < p.change_min_speed:
            return
        length = max(ego.speed, 1.0) * p.change_duration
        ahead = self.route_ahead(obs)
        forced = route_lane_step(self.net, ego.lane, length, p, ahead)
        lanes = [forced] if forced is not None else adjacent_lanes(
            self.net, ego.lane, length, p, ahead)
        if not lanes:
            return
        objects = with_lanes(self.net, obs.objects)
        if pedestrian_ahead(self.net, ego, objects, self._direction(ego), self.params.horizon):
            return
        if forced is not None:   # the route's lane: taken whenever MOBIL finds it safe
            d = self._weigh(obs, objects, *forced)
            if d is not None and d.safe:
                self._change = LaneChange(ego.lane.road_id, ego.lane.lane_id, forced[0],
                                          obs.time, ego.lane.s)
                self._last_change = obs.time
                self._path = None
            return
        best = None
        for lane, to_kerb in lanes:
            d = self._weigh(obs, objects, lane, to_kerb)
            if d is not None and d.change and (best is None or d.incentive > best[0]):
                best = (d.incentive, lane)
        if best is not None:
            self._change = LaneChange(ego.lane.road_id, ego.lane.lane_id, best[1], obs.time,
                                      ego.lane.s)
            self._last_change = obs.time
            self._path = None

    def route_ahead(self, obs: Observation) -> tuple[str, ...]:
        """The part of the observation's route from the ego's road on: the route is walked
        as the ego's road changes (``maps.traversal.route_progress``: the next occurrence of
        its road, so a route that passes a road twice, or ends on the road it starts on, is
        told apart); from the last road reached when the ego is off it (asking again in one
        step gives the same: the lane choice, the path and idm-v2x's planning all ask)."""
        road = obs.ego.lane.road_id if obs.ego.lane is not None else None
        return self._walk.ahead(route_roads(obs), road)

    def _direction(self, ego) -> int:
        """Driving sign (+1 along s, -1 against) of the ego's lane."""
        return self.net.roads[ego.lane.road_id].driving_sign(ego.lane.lane_id)

    def _weigh(self, obs: Observation, objects: tuple, lane: int, to_kerb: bool
               ) -> MobilDecision | None:
        """MOBIL's verdict on moving from the ego's lane to ``lane`` of its road, among
        ``objects`` (with lane positions); None when that lane's leader within the path
        horizon stands (slower than ``blocked_speed``)."""
        p, ego = self.mobil, obs.ego
        assert p is not None and ego.lane is not None
        direction = self._direction(ego)
        there = lane_gaps(ego, objects, ego.lane.road_id, lane, direction)
        if there.leader is not None and there.leader.speed < p.blocked_speed \
                and there.leader.gap < self.params.horizon:
            return None
        v0 = self.desired_speed(obs)

        def accel(v: float, gap: float | None, v_lead: float) -> float:
            return idm_acceleration(self.params, v, v0, gap, v_lead)

        here = lane_gaps(ego, objects, ego.lane.road_id, ego.lane.lane_id, direction)
        return mobil(p, accel, ego.speed, ego.box.length, here, there, to_kerb)

    def step(self, obs: Observation) -> Control:
        """Pure pursuit on the lane centre; IDM against the nearest obstacle on the path (during
        a lane change also against one its body still overlaps ahead,
        :func:`testzone.lead.nearest_ahead`, the lead the evaluator's TTC takes, its path
        widened by ``overlap_margin``: the path already runs on the target lane); ahead
        of a lower speed limit, braking at the constant deceleration that meets it at its start
        once that reaches ``limit_braking_onset`` x b (:meth:`limit_deceleration`), and the
        desired speed capped by the limit where its front is (an agent that does not react
        does neither)."""
        assert self.spec is not None
        ego = obs.ego
        if ego.lane is None:
            # off the map: brake to a stop, straight ahead
            return Control(acceleration=-self.params.comfortable_deceleration, steering=0.0)
        self._now = obs.time
        self.plan_lane_change(obs)
        path, along = self.path_for(ego, self.route_ahead(obs))
        steering = pure_pursuit_steering(ego, path, along, self.spec.wheelbase)
        steering = max(-self.spec.max_steering, min(self.spec.max_steering, steering))
        front = ego.box.cx + ego.box.length / 2.0
        gap, v_lead = None, 0.0
        for ob in self.obstacles(obs, path, along):
            margin = self.params.stop_margin if ob.kind == "signal" else 0.0
            g = ob.distance - front - margin
            if ob.kind == "signal" and g < -0.5:
                continue  # already past the stop line: clear the junction
            gap, v_lead = g, max(ob.speed, 0.0)
            break
        if self._change is not None and self.reacts:  # what it is still steering past
            beside = nearest_ahead(ego, obs.objects, self.params.overlap_margin, self.net)
            if beside is not None and (gap is None or beside.gap_m < gap):
                gap, v_lead = beside.gap_m, max(beside.speed_along_mps, 0.0)
        v0 = self.desired_speed(obs)
        front_limit = None
        if self.reacts:  # the limit where its front is (obs.speed_limit: its reference point)
            at_front = path.limit_at(along + front)
            if at_front is not None:
                front_limit = at_front * self.params.speed_limit_factor
                v0 = min(v0, front_limit)
        accel = idm_acceleration(self.params, ego.speed, v0, gap, v_lead)
        if self.reacts:
            p = self.params
            need = self.limit_deceleration(path, along, front, ego.speed)
            if need >= p.limit_braking_onset * p.comfortable_deceleration:
                accel = min(accel, -need)
            if front_limit is not None and ego.speed > front_limit:  # under it, promptly
                accel = min(accel, (front_limit - p.limit_margin - ego.speed) / p.limit_settle)
        accel = max(-self.spec.max_deceleration, min(self.spec.max_acceleration, accel))
        return Control(acceleration=accel, steering=steering)


def naive_agent() -> IdmAgent:
    """``naive``: keeps its lane at the speed limit, reacts to nothing and never changes lanes
    (a lower baseline)."""
    return IdmAgent(name="naive", reacts=False)


class ScenarioAgent(Agent):
    """``scenario``: the ego obeys the scenario's own actions, exactly as esmini plays them.

    The runner hands the ego to the scenario engine; :meth:`step` is never called.
    """

    name = "scenario"
    version = "1"
    follows_scenario = True

    def step(self, obs: Observation) -> Control:
        """Not used: the scenario engine moves the ego."""
        raise AgentError("the 'scenario' agent is driven by the storyboard, not stepped")
