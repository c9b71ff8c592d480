"""World -> road lookup: a uniform grid over sampled reference-line segments.

Each road's reference line is sampled (:meth:`ReferenceLine.sample_s`); every chord segment is
registered in the grid cells its bounding box touches, grown by the road's widest lateral
extent plus a margin. A query looks up one cell, projects the point on the candidate chords
(keeping the nearest per road), refines ``s`` by Newton iteration on the exact geometry
(:meth:`Road.local_coordinates`), then finds the lane containing ``t``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from maps.road import Road

CELL = 10.0
"""Grid cell size [m]."""
MARGIN = 3.0
HEADING_SLACK = 0.6
"""Heading margin [rad] (chord vs. true reference-line direction, plus safety) for pruning."""
CHORD_STEP = 10.0
"""Longest chord [m] of the sampled reference lines (chords only seed the Newton step)."""
CHORD_ERROR = 0.1
"""Largest distance [m] between a chord and its arc (sagitta) when sampling."""
"""How far beyond a road's outermost lane border [m] a point still finds that road."""


@dataclass(frozen=True)
class Candidate:
    """One road's answer to a lookup.

    Attributes:
        road_id, lane_id: the road and lane. s, t: road coordinates [m].
        offset: lateral offset from the lane centre [m] (positive left).
        distance: how far [m] the point lies outside the lane (0 inside; includes overshoot
            past the road's ends).
        heading_error: |heading - lane driving direction| [rad] or 0 without heading.
    """

    road_id: str
    lane_id: int
    s: float
    t: float
    offset: float
    distance: float
    heading_error: float


class SpatialIndex:
    """Grid of reference-line chords for :meth:`lookup`.

    Args:
        roads: the network's roads keyed by id.
        cell: grid cell size [m]. margin: reach beyond the outer lane borders [m].
    """

    def __init__(self, roads: dict[str, Road], cell: float = CELL, margin: float = MARGIN
                 ) -> None:
        self.cell = float(cell)
        self.margin = float(margin)
        self._half_diag = self.cell * math.sqrt(0.5)
        self.roads = list(roads.values())
        self.segments: list[tuple] = []
        self.grid: dict[tuple[int, int], list[tuple]] = {}
        for ri, road in enumerate(self.roads):
            self._add_road(ri, road, margin)

    def _add_road(self, ri: int, road: Road, margin: float) -> None:
        ss = road.reference_line.sample_s(max_step=CHORD_STEP, chord_error=CHORD_ERROR)
        pts = [road.reference_line.pose(float(s))[:2] for s in ss]
        ext = [max(abs(v) for v in road.side_extent(float(s))) for s in ss]
        for i in range(len(ss) - 1):
            (ax, ay), (bx, by) = pts[i], pts[i + 1]
            if ss[i + 1] - ss[i] <= 1e-9:
                continue
            dx, dy = bx - ax, by - ay
            lateral = max(ext[i], ext[i + 1]) + CHORD_ERROR  # sagitta allowance
            seg = (ri, ax, ay, dx, dy, dx * dx + dy * dy, float(ss[i]),
                   float(ss[i + 1] - ss[i]), lateral)
            self.segments.append(seg)
            reach = lateral + margin
            self._register(seg, reach)

    def _register(self, seg: tuple, reach: float) -> None:
        """Add a chord to every cell whose centre lies within ``reach`` plus half a cell
        diagonal of it (its capsule can touch the cell)."""
        _, ax, ay, dx, dy, l2 = seg[:6]
        cell, grid = self.cell, self.grid
        limit = (reach + self._half_diag) ** 2
        inv_l2 = 1.0 / l2
        ix0 = math.floor((min(ax, ax + dx) - reach) / cell)
        ix1 = math.floor((max(ax, ax + dx) + reach) / cell)
        iy0 = math.floor((min(ay, ay + dy) - reach) / cell)
        iy1 = math.floor((max(ay, ay + dy) + reach) / cell)
        for ix in range(ix0, ix1 + 1):
            cx = (ix + 0.5) * cell - ax
            for iy in range(iy0, iy1 + 1):
                cy = (iy + 0.5) * cell - ay
                u = (cx * dx + cy * dy) * inv_l2
                if u < 0.0:
                    u = 0.0
                elif u > 1.0:
                    u = 1.0
                ex, ey = cx - u * dx, cy - u * dy
                if ex * ex + ey * ey <= limit:
                    lst = grid.get((ix, iy))
                    if lst is None:
                        grid[(ix, iy)] = [seg]
                    else:
                        lst.append(seg)

    def _nearest_chords(self, x: float, y: float, heading: float | None = None
                        ) -> list[tuple[float, int, float, float]]:
        """Per road near (x, y): ``(lower bound of the distance outside the road [m], road
        index, s guess [m], heading misfit [rad])``, sorted by bound then misfit. The misfit
        is the angle between ``heading`` and the nearest chord, either way along it (0
        without heading)."""
        ids = self.grid.get((math.floor(x / self.cell), math.floor(y / self.cell)))
        if not ids:
            return []
        best: dict[int, tuple] = {}
        for seg in ids:
            ri, ax, ay, dx, dy, l2, s0, ds, lateral = seg
            px, py = x - ax, y - ay
            u = (px * dx + py * dy) / l2
            u = 0.0 if u < 0.0 else (1.0 if u > 1.0 else u)
            ex, ey = px - u * dx, py - u * dy
            d2 = ex * ex + ey * ey
            cur = best.get(ri)
            if cur is None or d2 < cur[0]:
                best[ri] = (d2, u, seg)
        out = []
        for ri, (d2, u, seg) in best.items():
            misfit = 0.0
            if heading is not None:
                a = abs(math.remainder(heading - math.atan2(seg[4], seg[3]), math.pi))
                misfit = a
            out.append((max(0.0, math.sqrt(d2) - seg[8]), ri, seg[6] + u * seg[7], misfit))
        out.sort(key=lambda c: (c[0], c[3]))
        return out

    def candidates(self, x: float, y: float, heading: float | None = None,
                   types: frozenset[str] | None = None, tie: float = 0.01) -> list[Candidate]:
        """Roads near ``(x, y)`` [m] as :class:`Candidate` (one per road, nearest allowed lane
        of ``types``, None: any type) for points no more than ``margin`` [m] beyond the road's
        outer border; empty when none is in reach. Roads that cannot come
        within ``tie`` [m] of the best distance found are pruned (their chord distance minus
        their lateral extent is a lower bound)."""
        out: list[Candidate] = []
        best = math.inf
        best_herr = math.inf
        for bound, ri, s_guess, misfit in self._nearest_chords(x, y, heading):
            if bound > best + tie:
                break
            if best <= tie and misfit > best_herr + HEADING_SLACK:
                continue  # inside a lane already; this road cannot win on heading
            road = self.roads[ri]
            s, t, beyond = road.local_coordinates(x, y, s_guess)
            lane_id, offset, outside = road.lane_at(s, t, types)
            if lane_id == 0 and types is not None:
                continue
            herr = 0.0
            if heading is not None and lane_id != 0:
                h = road.reference_line.pose(s)[2]
                if road.driving_sign(lane_id) < 0:
                    h += math.pi
                herr = abs(math.remainder(heading - h, 2.0 * math.pi))
            dist = math.hypot(outside, beyond)
            if dist > self.margin and (types is None or
                                       math.hypot(road.lane_at(s, t)[2], beyond) > self.margin):
                continue  # more than `margin` beyond the road's outer border
            best = min(best, dist)
            if dist <= tie:
                best_herr = min(best_herr, herr)
            out.append(Candidate(road.id, lane_id, s, t, offset, dist, herr))
        return out


def choose(cands: list[Candidate], use_heading: bool, tie: float = 0.01) -> Candidate | None:
    """Pick the best candidate: the smallest distance outside a lane; among those within
    ``tie`` [m] of it (overlapping roads in junctions), with a heading the one whose driving
    direction matches (error < pi/2) and is closest, without a heading the one nearest its lane
    centre; then the smaller road id for determinism."""
    if not cands:
        return None
    dmin = min(c.distance for c in cands)
    near = [c for c in cands if c.distance <= dmin + tie]
    if use_heading:
        return min(near, key=lambda c: (c.heading_error > math.pi / 2, c.heading_error,
                                        abs(c.offset), c.road_id))
    return min(near, key=lambda c: (abs(c.offset), c.road_id))
