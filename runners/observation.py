"""What the vehicle under test sees: the sensor model and the Observation it is given.

The sensor model is a first approximation of an automated vehicle's perception: objects whose
box centre lies within ``range_m`` and within the horizontal field of view ``fov_rad`` around
the ego's heading are seen; an object is hidden when the straight line from the ego to its
centre crosses the box of a nearer vehicle (occlusion by boxes, as in the ISO 26262-style
"line of sight" test of many ADS test benches). Optional Gaussian position noise and a
dropout probability are drawn from a generator seeded by the case's seed, so runs repeat.

Traffic-signal states are perception too: the ego sees the state of a signal head only when
the head (OpenDRIVE ``signal`` x, y) lies within ``signal_range_m`` (default 80 m) of the
ego's reference point: a modelling choice for camera recognition of signal heads (a 200 mm
lamp spans about 4 px at 80 m for a 60 deg, 1920 px wide camera). States of farther signals reach the ego
only by V2X (SPAT). Signals whose position the map does not give (or runs without a map)
stay visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon

from testzone.world import (EntityKind, EntityState, LaneCoord, SignalState, WorldState,
                           wrap_angle)

from runners.interfaces import Observation, RouteWaypoint, V2XReceived


@dataclass
class SensorModel:
    """A seeded object-list sensor.

    Attributes:
        range_m: detection range [m]. fov_rad: full horizontal field of view [rad].
        occlusion: hide objects behind nearer vehicles' boxes.
        position_noise_m: standard deviation of position noise [m] (0: exact).
        dropout: probability an object is missed at a step [-].
        seed: seeds the noise and dropout generator.
        signal_range_m: distance [m] within which the colour of a signal head is recognised
            (camera), see the module docstring.
    """

    range_m: float = 150.0
    fov_rad: float = 2.0 * math.pi
    occlusion: bool = True
    position_noise_m: float = 0.0
    dropout: float = 0.0
    seed: int = 0
    signal_range_m: float = 80.0
    _rng: np.random.Generator = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)

    def sense(self, ego: EntityState, others: list[EntityState]) -> tuple[EntityState, ...]:
        """Return the objects the ego perceives this step, nearest first."""
        cand = []
        for obj in others:
            if not obj.visible:
                continue
            dx, dy = obj.pose.x - ego.pose.x, obj.pose.y - ego.pose.y
            dist = math.hypot(dx, dy)
            if dist > self.range_m:
                continue
            if self.fov_rad < 2 * math.pi and dist > 0 and \
                    abs(wrap_angle(math.atan2(dy, dx) - ego.pose.h)) > self.fov_rad / 2:
                continue
            cand.append((dist, obj))
        cand.sort(key=lambda c: c[0])
        seen: list[EntityState] = []
        boxes: list[Polygon] = []
        for dist, obj in cand:
            if self.occlusion and boxes:
                ray = LineString([(ego.pose.x, ego.pose.y), (obj.pose.x, obj.pose.y)])
                if any(shapely.intersects(ray, b) for b in boxes):
                    continue
            if obj.kind == EntityKind.VEHICLE:
                boxes.append(Polygon(obj.box.corners(obj.pose)))
            if self.dropout and self._rng.random() < self.dropout:
                continue
            if self.position_noise_m:
                nx, ny = self._rng.normal(0.0, self.position_noise_m, 2)
                obj = replace(obj, pose=replace(obj.pose, x=obj.pose.x + nx, y=obj.pose.y + ny))
            seen.append(obj)
        return tuple(seen)

    def visible_signals(self, ego: EntityState, signals: dict[str, SignalState],
                        net) -> dict[str, SignalState]:
        """The signal states the ego recognises: heads within ``signal_range_m`` [m] of its
        reference point (positions from ``net.signals``; unknown positions stay visible)."""
        if net is None:
            return dict(signals)
        where = {str(s.id): (s.x, s.y) for s in getattr(net, "signals", ())}
        out = {}
        for sid, state in signals.items():
            pos = where.get(str(sid))
            if pos is None or math.hypot(pos[0] - ego.pose.x,
                                         pos[1] - ego.pose.y) <= self.signal_range_m:
                out[sid] = state
        return out


LIMITS_HORIZON_M = 200.0
"""How far ahead [m] :class:`LimitsAhead` looks for changes of the speed limit."""


class LimitsAhead:
    """Where the legal speed limit changes ahead of the ego, along its lane (``net.advance``:
    straight on at junctions, or along the route's roads), within :data:`LIMITS_HORIZON_M`.

    Args:
        net: the ``maps.RoadNetwork`` (``advance``, ``speed_limit``).
        step: sample spacing along the lane [m]. horizon: how far ahead to report [m].

    Calling it with the ego's lane position (``s`` [m] along its road) and the road ids of
    the route still ahead (empty: straight on) gives ``((distance [m], limit [m/s]), ...)``.

    The lane is sampled every ``step`` [m] over 1.25 horizons (a change found between two
    samples is placed by bisection, to 1/64 of the step; of limit zones shorter than a step
    some are missed) from the ego's position, again when the ego is on another road or lane,
    has another route, or has gone a quarter of the horizon; in between the distances shrink
    by the ego's progress along s, and a change is given once it is within the horizon
    (hostile pass 14: it was given only after the next rebuild). Never raises for a lane the
    map knows.
    """

    def __init__(self, net, step: float = 2.0, horizon: float = LIMITS_HORIZON_M) -> None:
        self.net, self.step, self.horizon = net, step, horizon
        self._key: tuple | None = None
        self._s0 = 0.0
        self._changes: list[tuple[float, float]] = []

    def __call__(self, lane: LaneCoord, roads: tuple[str, ...] = ()
                 ) -> tuple[tuple[float, float], ...]:
        """``(distance [m], limit [m/s])`` of each change ahead of lane position ``lane``."""
        key = (lane.road_id, lane.lane_id, roads)
        if key != self._key or abs(lane.s - self._s0) > self.horizon / 4:
            self._key, self._s0, self._changes = key, lane.s, self._walk(lane, roads)
        gone = abs(lane.s - self._s0)
        return tuple((round(d - gone, 3), v) for d, v in self._changes
                     if gone < d <= gone + self.horizon)

    def _walk(self, lane: LaneCoord, roads: tuple[str, ...]) -> list[tuple[float, float]]:
        from maps.traversal import route_chooser
        net = self.net
        choose = route_chooser(list(roads)) if roads else None
        here = LaneCoord(lane.road_id, lane.lane_id, lane.s, 0.0)
        last = net.speed_limit(here.road_id, here.lane_id, here.s)
        out: list[tuple[float, float]] = []
        for k in range(1, int(self.horizon * 1.25 / self.step) + 1):   # the rebuild's slack
            nxt = net.advance(here, self.step, choose)
            if nxt == here:          # a dead end
                break
            limit = net.speed_limit(nxt.road_id, nxt.lane_id, nxt.s)
            if limit is not None and limit != last:
                out.append(((k - 1) * self.step + self._onset(here, limit, choose), float(limit)))
            here, last = nxt, (limit if limit is not None else last)
        return out

    def _onset(self, before: LaneCoord, limit: float, choose) -> float:
        """How far past ``before`` [m] (within one step) the limit ``limit`` starts: bisection
        to 1/64 of the step."""
        lo, hi = 0.0, self.step
        for _ in range(6):
            mid = 0.5 * (lo + hi)
            at = self.net.advance(before, mid, choose)
            if self.net.speed_limit(at.road_id, at.lane_id, at.s) == limit:
                hi = mid
            else:
                lo = mid
        return hi


def observe(world: WorldState, ego_name: str, net, sensor: SensorModel,
            v2x: tuple[V2XReceived, ...] = (), route: tuple[RouteWaypoint, ...] = (),
            environment: dict | None = None, limits: LimitsAhead | None = None,
            roads_ahead: tuple[str, ...] = ()) -> Observation:
    """Build the ego's :class:`Observation` from the world state.

    ``net`` is a ``maps.RoadNetwork`` (or None); it gives the speed limit at the ego's lane
    and the signal positions (only signals within ``sensor.signal_range_m`` are seen);
    ``limits`` (one :class:`LimitsAhead` per case) the changes of the limit ahead, along
    ``roads_ahead`` (the route's road ids still ahead: ``maps.traversal.route_progress``).
    ``route`` (see :func:`route_waypoints`) and ``environment`` (the scenario's
    EnvironmentAction state) are passed through.
    """
    ego = world.entities[ego_name]
    others = [e for n, e in world.entities.items() if n != ego_name]
    limit, ahead = None, ()
    if net is not None and ego.lane is not None:
        limit = net.speed_limit(ego.lane.road_id, ego.lane.lane_id, ego.lane.s)
        if limits is not None:
            ahead = limits(ego.lane, roads_ahead)
    return Observation(time=world.time, ego=ego, objects=sensor.sense(ego, others),
                       signals=sensor.visible_signals(ego, world.signals, net), v2x=tuple(v2x),
                       speed_limit=limit, speed_limit_ahead=ahead, route=route,
                       environment=dict(environment or {}))


def route_waypoints(net, roads: tuple[str, ...] | None) -> tuple[RouteWaypoint, ...]:
    """The route the ego was given (road ids from ``ScenarioEngine.route_of``) as one
    waypoint per road: the midpoint of its reference line [m] and its road id."""
    if not roads or net is None:
        return ()
    out = []
    for rid in roads:
        road = net.roads.get(rid)
        s_mid = road.length / 2.0 if road is not None else 0.0
        p = net.road_to_world(rid, s_mid, 0.0)
        out.append(RouteWaypoint(p.x, p.y, road_id=rid, s=s_mid))
    return tuple(out)

