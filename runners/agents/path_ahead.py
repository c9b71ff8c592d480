"""The lane path ahead of the ego, and what stands on it: shared by the reference agents.

The path is the centre line of the ego's lane sampled every ``step`` metres up to ``horizon``
metres ahead by ``maps.RoadNetwork.advance`` (so it follows road links and, in junctions, the
map's default continuation). Objects are "in the path" when their ground box intersects the
lane corridor (the path buffered by half the lane width plus a margin), after
:func:`shapely.intersects`. Distances are along the path [m], measured from the ego's
reference point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon

from testzone.world import (EntityKind, EntityState, LaneCoord, SignalColor, SignalState,
                            warning_light, wrap_angle)


@dataclass(frozen=True)
class PathObstacle:
    """Something the ego must not drive into.

    Attributes: name; distance along the path from the ego's reference point to the nearest
    point of the obstacle [m]; speed along the path [m/s]; kind: ``vehicle``, ``pedestrian``,
    ``signal`` (a stop line on red) ...
    """

    name: str
    distance: float
    speed: float
    kind: str


class PathAhead:
    """The sampled lane centre ahead of the ego.

    Args:
        net: a ``maps.RoadNetwork``.
        start: the ego's lane position (its ``offset`` is ignored: the path is the lane centre).
        horizon: path length [m]. step: sample spacing [m].
        choose: junction choice callback for ``net.advance`` (e.g.
            ``maps.traversal.route_chooser(road_ids)`` to follow a route); None: straightest.
        entry: ``(x [m], y [m], heading [rad], length [m])`` of a vehicle off the lane centre
            (a lane change): the first ``length`` metres of the path then lead from that pose
            onto the centre by :func:`blend_offsets`; None: the path is the lane centre.

    Attributes: ``xy`` (N, 2) array of points [m]; ``coords`` the N lane positions; ``line`` the
    shapely LineString; ``width`` the lane width at the start [m].
    """

    def __init__(self, net, start: LaneCoord, horizon: float = 120.0, step: float = 2.0,
                 choose=None, entry: tuple[float, float, float, float] | None = None
                 ) -> None:
        self.net = net
        coord = LaneCoord(start.road_id, start.lane_id, start.s, start.t, 0.0)
        coords = [coord]
        n = int(horizon / step)
        for _ in range(n):
            coord = net.advance(coord, step, choose)
            coords.append(coord)
        pts = [net.lane_to_world(c.road_id, c.lane_id, c.s, 0.0) for c in coords]
        self.coords = coords
        self.xy = np.array([(p.x, p.y) for p in pts])
        self.heading = np.array([p.h for p in pts])
        # drop repeated points (end of a dead-end road) so the line stays valid
        keep = np.ones(len(self.xy), dtype=bool)
        keep[1:] = np.hypot(*np.diff(self.xy, axis=0).T) > 1e-6
        self.xy, self.heading = self.xy[keep], self.heading[keep]
        self.coords = [c for c, k in zip(coords, keep) if k]
        stalled = not keep.all()   # advance stopped moving: the lane ends with no successor
        if len(self.xy) < 2:
            self.xy = np.vstack([self.xy, self.xy[-1] + 0.01])
            self.heading = np.append(self.heading, self.heading[-1])
        seg = np.hypot(*np.diff(self.xy, axis=0).T)
        self._cum = np.concatenate([[0.0], np.cumsum(seg)])
        #: distance [m] from the start to where the lane ends with nothing after it (a dead
        #: end, the map's edge) when that lies within the horizon, else None
        self.dead_end: float | None = float(self._cum[-1]) if stalled else None
        self._step = float(seg.max())  # longest sample spacing [m]
        self._returns = _comes_back(self.xy, self._cum, RETURN_RADIUS_M)
        if entry is not None:
            self._blend(*entry)
        self.line = LineString(self.xy)
        self.width = net.lane_width(start.road_id, start.lane_id, start.s)
        self._corridors: dict[float, Polygon] = {}
        self._spans: dict[str, tuple[float, float] | None] = {}
        self._limits: list[tuple[float, float]] | None = None

    def _blend(self, x: float, y: float, h: float, length: float) -> None:
        """Shift the samples sideways so the path starts at (x, y) with heading h and joins
        the lane centre ``length`` [m] on (``_cum`` is kept: the shift barely changes it)."""
        h0 = float(self.heading[0])
        e0 = -(x - self.xy[0, 0]) * math.sin(h0) + (y - self.xy[0, 1]) * math.cos(h0)
        slope = math.tan(max(-0.5, min(0.5, wrap_angle(h - h0))))
        e, de = blend_offsets(self._cum, e0, slope, length)
        normal = np.column_stack([-np.sin(self.heading), np.cos(self.heading)])
        self.xy = self.xy + normal * e[:, None]
        self.heading = self.heading + np.arctan(de)

    def corridor(self, half_width: float) -> Polygon:
        """The path buffered by ``half_width`` [m] (flat ends), computed once per width."""
        poly = self._corridors.get(half_width)
        if poly is None:
            poly = self.line.buffer(half_width, cap_style="flat")
            shapely.prepare(poly)
            self._corridors[half_width] = poly
        return poly

    def speed_limits(self) -> list[tuple[float, float]]:
        """``(distance along the path [m], limit [m/s])`` at every sample where the lane's
        speed limit (``net.speed_limit``) changes, the first sample included; samples without
        a limit are left out. Computed once per path."""
        if self._limits is None:
            out: list[tuple[float, float]] = []
            for d, c in zip(self._cum, self.coords):
                lim = self.net.speed_limit(c.road_id, c.lane_id, c.s)
                if lim is not None and (not out or lim != out[-1][1]):
                    out.append((float(d), float(lim)))
            self._limits = out
        return self._limits

    def limit_at(self, distance: float) -> float | None:
        """The speed limit [m/s] at ``distance`` [m] along the path (that of the last change
        at or before it, :meth:`speed_limits`); None when the path has no limit there."""
        out = None
        for d, limit in self.speed_limits():
            if d > distance:
                break
            out = limit
        return out

    def junction_at(self, distance: float) -> str | None:
        """Id of the junction whose connecting road the path is on at ``distance`` [m], or
        None."""
        k = int(np.searchsorted(self._cum, distance, side="right")) - 1
        k = min(max(k, 0), len(self.coords) - 1)
        junction = getattr(self.net.roads.get(self.coords[k].road_id), "junction", "-1")
        return None if junction == "-1" else str(junction)

    def junction_span(self, junction_id: str) -> tuple[float, float] | None:
        """``(entry, exit)`` [m along the path] of its first stretch on the connecting roads
        of junction ``junction_id`` (first sample on them; first sample after them, or the
        path's end), or None when it does not enter it. Computed once per junction."""
        if junction_id not in self._spans:
            self._spans[junction_id] = self._junction_span(junction_id)
        return self._spans[junction_id]

    def _junction_span(self, junction_id: str) -> tuple[float, float] | None:
        roads = self.net.roads
        inside = [str(getattr(roads.get(c.road_id), "junction", "-1")) == junction_id
                  for c in self.coords]
        if True not in inside:
            return None
        k = inside.index(True)
        end = next((m for m in range(k, len(inside)) if not inside[m]), len(inside) - 1)
        return float(self._cum[k]), float(self._cum[end])

    def locate(self, x: float, y: float) -> tuple[float, float]:
        """(distance along the path [m], distance from it [m]) of the world point (x, y), at
        the path's first pass by the point: a path around a roundabout ring comes back past
        its own start within the horizon, and the nearest pass may be the second (the ego
        then stood braking for a car on the far side of the ring, placed behind it)."""
        p = Point(x, y)
        dist = self.line.distance(p)
        if not self._returns:
            return self.line.project(p), dist
        near = np.hypot(self.xy[:, 0] - x, self.xy[:, 1] - y) <= dist + self._step
        first = int(np.argmax(near))
        after = np.flatnonzero(~near[first:])
        stop = first + int(after[0]) if len(after) else len(near)
        lo = max(first - 1, 0)
        if lo == 0 and stop >= len(near):
            return self.line.project(p), dist
        part = LineString(self.xy[lo:min(stop + 1, len(near))])
        return float(self._cum[lo]) + part.project(p), part.distance(p)

    def point_at(self, distance: float) -> tuple[float, float]:
        """World point [m] on the path ``distance`` metres ahead of its start."""
        p = self.line.interpolate(min(max(distance, 0.0), self.line.length))
        return p.x, p.y

    def heading_at(self, distance: float) -> float:
        """Path heading [rad] at ``distance`` [m] ahead (nearest sample)."""
        cum = self._cum
        return float(self.heading[min(int(np.searchsorted(cum, distance)), len(cum) - 1)])

    def obstacles(self, ego_along: float, objects: tuple[EntityState, ...],
                  margin: float = 0.0, pedestrian_margin: float = 1.5) -> list[PathObstacle]:
        """Objects whose box meets the corridor ahead, nearest first.

        ``ego_along`` [m] is the ego's reference point's distance along the path (from
        :meth:`locate`); returned distances are measured from it. ``margin`` [m] widens the
        corridor beyond half the lane width (default 0: the lane itself; a barrier in the next
        lane stopped idm beside it, new-section pass 12); pedestrians and cyclists get
        ``pedestrian_margin`` [m] instead, so the ego yields before they step in. Objects
        wholly behind the ego's reference point are ignored.
        """
        out = []
        for obj in objects:
            vulnerable = obj.kind in (EntityKind.PEDESTRIAN, EntityKind.CYCLIST)
            half = self.width / 2.0 + (pedestrian_margin if vulnerable else margin)
            corners = obj.box.corners(obj.pose)
            box = Polygon(corners)
            if not shapely.intersects(self.corridor(half), box):
                continue
            along = [self.locate(*c)[0] - ego_along for c in corners]
            d = min(along)
            if max(along) <= 0.0:
                continue
            h = self.heading_at(d)
            v_along = obj.speed * math.cos(obj.pose.h - h)
            kind = obj.kind.value if vulnerable else "vehicle"
            out.append(PathObstacle(obj.name, d, v_along, kind))
        return sorted(out, key=lambda o: o.distance)

    def road_end(self, ego_along: float) -> list[PathObstacle]:
        """The end of a lane with nothing after it (:attr:`dead_end`), as a standing
        obstacle of kind ``road_end`` ``ego_along`` [m] measures from; none when the path
        goes on past its horizon or the end is behind. A car that drove off a dead end at
        full speed failed stay_on_road (new-section pass 12)."""
        if self.dead_end is None or self.dead_end - ego_along <= 0.0:
            return []
        return [PathObstacle("road end", self.dead_end - ego_along, 0.0, "road_end")]

    def red_signals(self, ego_along: float, signals: dict[str, SignalState],
                    stop_yellow: bool = True) -> list[PathObstacle]:
        """Stop lines of red (and, if ``stop_yellow``, steady yellow) signals the path crosses
        (a flashing yellow warns, it does not stop: GB 14886-2016 / PRC RTSL Implementing
        Regulations art. 42, pass with care).

        Only lights that govern vehicles count (``maps.Signal.governs_vehicles``). A signal
        applies when it lies on a road the path runs along, between two consecutive
        samples, its ``orientation`` matches the lane's driving direction (OpenDRIVE
        signal@orientation: ``+`` for traffic in the +s direction, ``-`` for -s, ``none`` for
        both) and the path's lane there is within its ``validity`` records, if any.
        Distances are measured from ``ego_along`` [m] along the path.
        """
        out = []
        stop_colors = {SignalColor.RED} | ({SignalColor.YELLOW} if stop_yellow else set())
        cum = self._cum
        for sig in self.net.signals:
            if not sig.governs_vehicles:
                continue  # pedestrian and bicycle lights do not stop cars
            state = signals.get(sig.id)
            if state is None or state.color not in stop_colors or \
                    warning_light(state.color, state.flashing):
                continue
            for i in range(1, len(self.coords)):
                a, b = self.coords[i - 1], self.coords[i]
                if a.road_id != sig.road_id or b.road_id != sig.road_id:
                    continue
                forward = b.s >= a.s
                if sig.orientation == "+" and not forward or sig.orientation == "-" and forward:
                    continue
                if not sig.in_validity(b.lane_id):
                    continue  # a light for other lanes (a turn arrow over the left lane)
                lo, hi = min(a.s, b.s), max(a.s, b.s)
                if lo <= sig.s <= hi:
                    frac = 0.0 if hi == lo else abs(sig.s - a.s) / (hi - lo)
                    d = cum[i - 1] + frac * (cum[i] - cum[i - 1]) - ego_along
                    out.append(PathObstacle(f"signal:{sig.id}", float(d), 0.0, "signal"))
                    break
        return sorted(out, key=lambda o: o.distance)


RETURN_RADIUS_M = 30.0
"""A path that comes within this [m] of a point it passed at least twice as far back along
it comes back on itself (a roundabout ring); only then is :meth:`PathAhead.locate` careful to
take the first pass."""


def _comes_back(xy: np.ndarray, cum: np.ndarray, radius: float) -> bool:
    """Whether two samples of a path lie within ``radius`` [m] of each other while more than
    ``2 * radius`` [m] apart along it (all pairs: a 300 m path has about 150 samples)."""
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    apart = np.abs(cum[:, None] - cum[None, :]) > 2.0 * radius
    return bool(np.any((d <= radius) & apart))


def blend_offsets(d: np.ndarray, e0: float, slope0: float, length: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Lateral offsets [m] and their slopes [-] at distances ``d`` [m] along a path, leading
    from offset ``e0`` [m] and slope ``slope0`` [-] at d = 0 to 0 and slope 0 at ``length`` [m]
    (0 beyond): the cubic Hermite curve e(u) = e0 (2u^3 - 3u^2 + 1) + length slope0
    (u^3 - 2u^2 + u), u = d / length; its largest slope from rest is 1.5 e0 / length."""
    length = max(length, 1e-3)
    u = np.clip(np.asarray(d, dtype=float) / length, 0.0, 1.0)
    e = e0 * (2 * u**3 - 3 * u**2 + 1) + length * slope0 * (u**3 - 2 * u**2 + u)
    de = e0 * (6 * u**2 - 6 * u) / length + slope0 * (3 * u**2 - 4 * u + 1)
    return e, de


def pure_pursuit_steering(ego: EntityState, path: PathAhead, ego_along: float,
                          wheelbase: float, lookahead_time: float = 0.9,
                          min_lookahead: float = 5.0) -> float:
    """Front-wheel angle [rad] steering the rear axle onto the path (Coulter 1992, pure pursuit).

    delta = atan(2 L sin(alpha) / Ld) with Ld = max(min_lookahead, lookahead_time * v) and alpha
    the angle between the heading and the look-ahead point on the path, taken ``Ld`` beyond
    the ego's position ``ego_along`` [m] along the path.
    """
    ld = max(min_lookahead, lookahead_time * ego.speed)
    gx, gy = path.point_at(ego_along + ld)
    alpha = math.atan2(gy - ego.pose.y, gx - ego.pose.x) - ego.pose.h
    ld_actual = max(math.hypot(gx - ego.pose.x, gy - ego.pose.y), 1e-3)
    return math.atan2(2.0 * wheelbase * math.sin(alpha), ld_actual)
