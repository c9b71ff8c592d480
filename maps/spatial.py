"""World -> road lookup: a uniform grid over sampled reference-line chords.

Each road's reference line is cut into chords (:meth:`ReferenceLine.sample_s`); every chord is
registered in the grid cells its capsule reaches (the road's widest lateral extent plus a
margin). The grid is filled lazily, one tile of cells at a time. A query takes the cell of the
point; per road there it finds the nearest chord, which gives a lower bound of the distance
outside the road, a lower bound of the heading error (chord direction turned to the road's
driving directions, less the chord's heading change) and a seed for ``s``. Roads are then
refined in that order by Newton iteration on the exact geometry
(:meth:`Road.local_coordinates`) and the lane containing ``t`` found, skipping every road
whose bounds show it cannot win (:func:`choose`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from maps.road import DRIVING_TYPES, Road

CELL = 10.0
"""Grid cell size [m]."""
MARGIN = 3.0
"""How far beyond a road's outermost lane border [m] a point still finds that road."""
SLACK_MARGIN = 0.05
"""Safety margin [rad] on the heading-error lower bound of a chord (curvature extrema inside
a chord, foot points just beyond it)."""
CHORD_STEP = 10.0
"""Longest chord [m] of the sampled reference lines (chords only seed the Newton step)."""
CHORD_ERROR = 0.1
"""Largest distance [m] between a chord and its arc (sagitta) when sampling."""


class Candidate(NamedTuple):
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
    """Grid of reference-line chords for :meth:`candidates`, built lazily tile by tile.

    Each road's chords form a table (columns: see ``_COLUMNS``); each grid cell holds the
    chords whose capsule (chord plus the road's lateral extent, the sagitta allowance and
    ``margin``) can reach it. Cells are filled a tile (``TILE`` x ``TILE`` cells) at a time,
    on the first query in that tile, from the roads whose coarse bounding box reaches the
    tile; a road's chords are sampled on first need. Loading a large network therefore costs
    nothing here, and the first query only the tile it falls in. Registration is vectorised
    (numpy); queries loop over the few chords of one cell.

    Args:
        roads: the network's roads keyed by id.
        cell: grid cell size [m]. margin: reach beyond the outer lane borders [m].
    """

    _COLUMNS = ("road", "ax", "ay", "dx", "dy", "inv_l2", "s0", "ds", "lateral", "heading",
                "span", "left", "right")
    """Chord table columns: road index, start point [m], direction vector [m], 1/length^2
    [1/m^2], start s and s length [m], lateral reach [m], direction [rad], heading change of
    the reference line over the chord plus the larger of its neighbours' [rad], reach [m] of
    the road surface left and right of the chord (lateral is the larger)."""
    TILE = 10
    """Cells per tile side."""

    def __init__(self, roads: dict[str, Road], cell: float = CELL, margin: float = MARGIN
                 ) -> None:
        self.cell = float(cell)
        self.margin = float(margin)
        self._half_diag = self.cell * math.sqrt(0.5)
        self.roads = list(roads.values())
        self.grid: dict[tuple[int, int], list[tuple]] = {}
        self._tiles: set[tuple[int, int]] = set()
        self._chords: dict[int, np.ndarray] = {}
        self._dirs: dict[int, tuple[float, ...]] = {}
        self._boxes: np.ndarray | None = None

    def _road_boxes(self) -> np.ndarray:
        """(R, 4) conservative boxes ``xmin, ymin, xmax, ymax`` [m] of the roads' reach: a
        line's two end points; a curved geometry's disc of its length around its start
        point (no pose evaluation, so no clothoid is set up here); grown by 1.5 times the
        widest sampled lateral extent, 1 m, the margin and half a cell diagonal."""
        boxes = np.empty((len(self.roads), 4))
        for ri, road in enumerate(self.roads):
            xs, ys = [], []
            for g in road.reference_line.geometries:
                if g.kind == "line":
                    xs += [g.x, g.x + g.length * math.cos(g.hdg)]
                    ys += [g.y, g.y + g.length * math.sin(g.hdg)]
                else:
                    xs += [g.x - g.length, g.x + g.length]
                    ys += [g.y - g.length, g.y + g.length]
            ext = 0.0
            for sec in road.sections:
                for f in (0.0, 0.5, 0.999):
                    left, right = road.side_extent(sec.s + (sec.end - sec.s) * f)
                    ext = max(ext, left, -right)
            pad = 1.5 * ext + 1.0 + self.margin + self._half_diag
            boxes[ri] = (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)
        return boxes

    def _tile(self, tx: int, ty: int) -> None:
        """Fill the cells of tile ``(tx, ty)``."""
        self._tiles.add((tx, ty))
        if self._boxes is None:
            self._boxes = self._road_boxes()
        span = self.TILE * self.cell
        x0, y0 = tx * span, ty * span
        b = self._boxes
        sel = np.flatnonzero((b[:, 0] <= x0 + span) & (b[:, 2] >= x0) &
                             (b[:, 1] <= y0 + span) & (b[:, 3] >= y0))
        parts = [self._road_table(int(ri)) for ri in sel]
        parts = [p for p in parts if len(p)]
        if not parts:
            return
        table = np.vstack(parts)
        lo = (tx * self.TILE, ty * self.TILE)
        rows, cells = self._register(table, self.margin, lo, self.TILE)
        segs = [(int(r[0]), *r[1:]) for r in table.tolist()]
        rows = rows.tolist()
        for key, (a, b_) in cells.items():
            self.grid[key] = self._groups([segs[r] for r in rows[a:b_]])

    @staticmethod
    def _groups(chords: list[tuple]) -> list[tuple[int, list[tuple]]]:
        """One cell's chords (sorted by table row, so grouped by road) as ``(road index,
        chords)`` groups."""
        out: list[tuple[int, list[tuple]]] = []
        start = 0
        for i in range(1, len(chords) + 1):
            if i == len(chords) or chords[i][0] != chords[start][0]:
                out.append((chords[start][0], chords[start:i]))
                start = i
        return out

    def _road_table(self, ri: int) -> np.ndarray:
        """The chord rows of road ``ri`` (sampled on first use)."""
        tab = self._chords.get(ri)
        if tab is None:
            tab = self._chords[ri] = self._road_chords(ri, self.roads[ri])
        return tab

    @staticmethod
    def _road_chords(ri: int, road: Road) -> np.ndarray:
        """Chord rows of one road (see ``_COLUMNS``)."""
        ss = road.reference_line.sample_s(max_step=CHORD_STEP, chord_error=CHORD_ERROR)
        poses = np.array([road.reference_line.pose(float(s)) for s in ss])
        pts = poses[:, :2]
        ext = np.array([road.side_extent(float(s)) for s in ss])
        ext = np.column_stack((np.maximum(ext[:, 0], 0.0), np.maximum(-ext[:, 1], 0.0)))
        d = np.diff(pts, axis=0)
        ds = np.diff(ss)
        keep = (ds > 1e-9) & ((d ** 2).sum(axis=1) > 0.0)
        d, ds = d[keep], ds[keep]
        l2 = (d ** 2).sum(axis=1)
        # reach left and right of the chord: the wider end, plus the sagitta allowance
        sides = np.maximum(ext[:-1], ext[1:])[keep] + CHORD_ERROR
        lateral = sides.max(axis=1)
        span = np.abs(np.diff(poses[:, 2]))[keep]
        if len(span) > 1:  # the foot point may lie on a neighbouring chord
            span = span + np.maximum(np.r_[span[1:], 0.0], np.r_[0.0, span[:-1]])
        return np.column_stack((np.full(len(d), float(ri)), pts[:-1][keep], d, 1.0 / l2,
                                ss[:-1][keep], ds, lateral, np.arctan2(d[:, 1], d[:, 0]),
                                span, sides))

    def _register(self, t: np.ndarray, margin: float, lo: tuple[int, int], size: int
                  ) -> tuple[np.ndarray, dict[tuple[int, int], tuple[int, int]]]:
        """Rows per cell of the ``size`` x ``size`` cells from cell ``lo``: every cell whose
        centre lies within the chord's reach plus half a cell diagonal (its capsule can touch
        the cell). Returns the row numbers sorted by cell (then row) and a dict ``(ix, iy)
        -> (start, end)`` into them."""
        if not len(t):
            return np.zeros(0, dtype=np.int64), {}
        cell = self.cell
        ax, ay, dx, dy, inv_l2 = t[:, 1], t[:, 2], t[:, 3], t[:, 4], t[:, 5]
        reach = t[:, 8] + margin
        ix0 = np.floor((np.minimum(ax, ax + dx) - reach) / cell).astype(np.int64)
        ix1 = np.floor((np.maximum(ax, ax + dx) + reach) / cell).astype(np.int64)
        iy0 = np.floor((np.minimum(ay, ay + dy) - reach) / cell).astype(np.int64)
        iy1 = np.floor((np.maximum(ay, ay + dy) + reach) / cell).astype(np.int64)
        ix0, iy0 = np.maximum(ix0, lo[0]), np.maximum(iy0, lo[1])
        ix1, iy1 = np.minimum(ix1, lo[0] + size - 1), np.minimum(iy1, lo[1] + size - 1)
        ny = np.maximum(iy1 - iy0 + 1, 0)
        n = np.maximum(ix1 - ix0 + 1, 0) * ny
        row = np.repeat(np.arange(len(t)), n)
        k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        ix = ix0[row] + k // ny[row]
        iy = iy0[row] + k % ny[row]
        cx = (ix + 0.5) * cell - ax[row]
        cy = (iy + 0.5) * cell - ay[row]
        u = np.clip((cx * dx[row] + cy * dy[row]) * inv_l2[row], 0.0, 1.0)
        ex, ey = cx - u * dx[row], cy - u * dy[row]
        ok = ex * ex + ey * ey <= (reach[row] + self._half_diag) ** 2
        row, ix, iy = row[ok], ix[ok], iy[ok]
        order = np.lexsort((row, iy, ix))
        row, ix, iy = row[order], ix[order], iy[order]
        change = np.flatnonzero((ix[1:] != ix[:-1]) | (iy[1:] != iy[:-1])) + 1
        starts = np.concatenate(([0], change)).tolist()
        ends = np.concatenate((change, [len(row)])).tolist()
        keys = zip(ix[starts].tolist(), iy[starts].tolist())
        return row, {key: (a, b) for key, a, b in zip(keys, starts, ends)}

    def _turns(self, ri: int) -> tuple[float, ...]:
        """Angles [rad] from the reference direction to the road's driving directions: 0 for
        driving lanes along +s, pi for lanes against it (both for bidirectional lanes)."""
        turns = self._dirs.get(ri)
        if turns is None:
            road, found = self.roads[ri], set()
            for sec in road.sections:
                for ln in (*sec.left, *sec.right):
                    if ln.type in DRIVING_TYPES:
                        signs = (1, -1) if ln.type == "bidirectional" else \
                            (road.driving_sign(ln.id),)
                        found.update(0.0 if sg > 0 else math.pi for sg in signs)
            turns = self._dirs[ri] = tuple(sorted(found))
        return turns

    def _cell(self, x: float, y: float) -> list[tuple[int, list[tuple]]] | None:
        """The road groups of the cell holding ``(x, y)`` (see :meth:`_groups`), filling
        its tile first if needed."""
        ix, iy = math.floor(x / self.cell), math.floor(y / self.cell)
        tile = (ix // self.TILE, iy // self.TILE)
        if tile not in self._tiles:
            self._tile(*tile)
        return self.grid.get((ix, iy))

    def _misfit(self, heading: float, seg: tuple, directional: bool) -> float:
        """Angle [rad] from ``heading`` to the direction of chord ``seg``, turned to its
        road's driving directions (``directional``; otherwise either way along it). The
        road's heading error at a foot point on or next to the chord is at least this less
        the chord's heading change ``seg[10]`` and :data:`SLACK_MARGIN`."""
        turns = self._turns(seg[0]) if directional else ()
        if len(turns) == 1:  # one driving direction: 0 (along s) or pi (against)
            return abs(math.remainder(heading - seg[9] - turns[0], 2.0 * math.pi))
        return abs(math.remainder(heading - seg[9], math.pi))  # both ways, or no direction

    @staticmethod
    def _nearest(x: float, y: float, chords: list[tuple]) -> tuple[float, float, tuple]:
        """``(distance [m], fraction along, chord)`` of the chord nearest to ``(x, y)``."""
        bd2, bu, bseg = math.inf, 0.0, chords[0]
        for seg in chords:
            px, py = x - seg[1], y - seg[2]
            dx, dy = seg[3], seg[4]
            u = (px * dx + py * dy) * seg[5]
            if u < 0.0:
                u = 0.0
            elif u > 1.0:
                u = 1.0
            ex, ey = px - u * dx, py - u * dy
            d2 = ex * ex + ey * ey
            if d2 < bd2:
                bd2, bu, bseg = d2, u, seg
        return math.sqrt(bd2), bu, bseg

    def _rank(self, x: float, y: float, heading: float | None,
              types: frozenset[str] | None) -> list[tuple[float, float, float, int, float]]:
        """Per road of the point's cell, from its nearest chord: ``(lower bound of the
        distance outside the road [m], heading misfit [rad], lower bound of the heading error
        [rad], road index, s guess [m])``, sorted (nearest, then best heading match first:
        it prunes the others soonest)."""
        groups = self._cell(x, y)
        if not groups:
            return []
        directional = types is not None and types <= DRIVING_TYPES
        ranked = []
        for ri, chords in groups:
            dist_chord, u, seg = self._nearest(x, y, chords)
            misfit = 0.0 if heading is None else self._misfit(heading, seg, directional)
            if 0.0 < u < 1.0:  # beside the chord: only the surface on the point's side counts
                left = seg[3] * (y - seg[2]) - seg[4] * (x - seg[1]) > 0.0
                bound = dist_chord - (seg[11] if left else seg[12])
            else:
                bound = dist_chord - seg[8]
            ranked.append((bound if bound > 0.0 else 0.0, misfit,
                           misfit - seg[10] - SLACK_MARGIN, ri, seg[6] + u * seg[7]))
        ranked.sort()
        return ranked

    def candidates(self, x: float, y: float, heading: float | None = None,
                   types: frozenset[str] | None = None, tie: float = 0.01) -> list[Candidate]:
        """Roads near ``(x, y)`` [m] as :class:`Candidate` (one per road, nearest allowed lane
        of ``types``, None: any type) for points no more than ``margin`` [m] beyond the road's
        outer border; empty when none is in reach. Roads are refined in :meth:`_rank` order;
        a road is skipped when its distance bound cannot come within ``tie`` [m] of the best
        distance found, or, once the point is inside a lane, when its heading-error bound
        exceeds the best heading error found: neither can then be chosen by
        :func:`choose`, so the answer equals a search over every road."""
        out: list[Candidate] = []
        ranked = self._rank(x, y, heading, types)
        best = math.inf
        best_herr = math.inf
        for bound, _, misfit_low, ri, s_guess in ranked:
            if bound > best + tie:
                break
            if best <= tie and misfit_low > best_herr:
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
