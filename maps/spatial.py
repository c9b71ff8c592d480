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

The ranking is lazy. Per road, the cell keeps the box of its chords grown by their lateral
reach and the range of their directions: the point's distance to the box bounds the road's
distance bound from below, the heading's angle to the direction range its heading misfit. A
road is ranked from its chords only when these bounds do not already put it behind the road
to refine next, or rule it out (beyond the best distance, or worse on heading than a lane
the point is in). The roads refined, their order and the answer are exactly those of a full
ranking, but in a junction most of the overlapping connecting roads of a cell are never
looked at chord by chord.
"""

from __future__ import annotations

import math
from array import array
from bisect import insort
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from maps.model import LaneSection
from maps.polynomial import Piecewise
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
BOX_SLACK = 1e-6
"""Growth [m] of the per-cell road boxes beyond the chords' lateral reach, so that rounding
never makes the box distance exceed the distance bound computed from the chords."""
ANGLE_SLACK = 1e-9
"""Growth [rad] of the per-cell direction ranges, for the same reason."""
_TWO_PI = 2.0 * math.pi
_HALF_PI = math.pi / 2
_BOUND_ORDER = itemgetter(0, 1)


def _constant(pw: Piecewise) -> bool:
    """True when ``pw`` has the same value everywhere: no record, or one record with no
    slope, curvature or cubic term."""
    recs = pw.records
    return not recs or (len(recs) == 1 and recs[0].b == recs[0].c == recs[0].d == 0.0)


def _constant_extent(road: Road, sec: LaneSection) -> bool:
    """True when ``road.side_extent`` is the same all along the section ``sec`` (constant
    lane offset and lane widths, no border records), so one sample of it is enough."""
    return _constant(road.lane_offset) and all(
        _constant(ln.width) and not ln.border.records for ln in (*sec.left, *sec.right))


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
    (numpy). A cell holds its chords grouped by road, each group with bounds of the road's
    distance and heading misfit (see :meth:`_cell`); a query loops over the chords of a group
    only when those bounds cannot settle the road (:meth:`candidates`). The chords of a tile
    are stored as packed doubles (``array``), cell by cell and road by road, so that a query
    reads a few contiguous blocks of memory rather than a Python object per number (a query
    in a large map mostly waits for memory).

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
        self.grid: dict[tuple[int, int], tuple] = {}
        """Cell ``(ix, iy)`` -> its road groups (see :meth:`_cell`)."""
        self._tiles: set[tuple[int, int]] = set()
        self._chords: dict[int, np.ndarray] = {}
        self._dirs: dict[int, tuple[float, ...]] = {}
        self._boxes: np.ndarray | None = None

    def _road_boxes(self) -> np.ndarray:
        """(R, 4) conservative boxes ``xmin, ymin, xmax, ymax`` [m] of the roads' reach: a
        line's two end points; a curved geometry's disc of its length around its start
        point (no pose evaluation, so no clothoid is set up here); grown by 1.5 times the
        widest sampled lateral extent, 1 m, the margin and half a cell diagonal."""
        boxes = []
        for road in self.roads:
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
                for f in ((0.0,) if _constant_extent(road, sec) else (0.0, 0.5, 0.999)):
                    left, right = road.side_extent(sec.s + (sec.end - sec.s) * f)
                    ext = max(ext, left, -right)
            pad = 1.5 * ext + 1.0 + self.margin + self._half_diag
            boxes.append((min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad))
        return np.array(boxes, dtype=float).reshape(-1, 4)

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
        if not len(rows):
            return
        # each chord's box grown by its lateral reach (a lower bound of the road's distance
        # bound for points outside it), reduced per (cell, road) run of the sorted rows
        t = table[rows]
        ax, ay, dx, dy = t[:, 1], t[:, 2], t[:, 3], t[:, 4]
        reach = t[:, 8] + BOX_SLACK
        road = t[:, 0]
        first = np.zeros(len(rows), dtype=bool)
        first[[a for a, _ in cells.values()]] = True
        first[1:] |= road[1:] != road[:-1]
        starts = np.flatnonzero(first)
        # each group's chord directions unwrapped around its first chord's, as mid +- half
        direction = t[:, 9]
        first_dir = np.repeat(direction[starts], np.diff(np.append(starts, len(rows))))
        turn = direction - first_dir
        unwrapped = first_dir + (turn - _TWO_PI * np.round(turn / _TWO_PI))
        lo_dir = np.minimum.reduceat(unwrapped, starts)
        hi_dir = np.maximum.reduceat(unwrapped, starts)
        bounds = np.column_stack((
            np.minimum.reduceat(np.minimum(ax, ax + dx) - reach, starts),
            np.minimum.reduceat(np.minimum(ay, ay + dy) - reach, starts),
            np.maximum.reduceat(np.maximum(ax, ax + dx) + reach, starts),
            np.maximum.reduceat(np.maximum(ay, ay + dy) + reach, starts),
            0.5 * (lo_dir + hi_dir), 0.5 * (hi_dir - lo_dir) + ANGLE_SLACK,
            np.maximum.reduceat(t[:, 10], starts))).tolist()
        geo = array("d", np.ascontiguousarray(t[:, 1:6]).tobytes())
        rest = array("d", np.ascontiguousarray(t[:, 6:13]).tobytes())
        groad = road[starts].astype(np.int64).tolist()
        ends = starts.tolist() + [len(rows)]
        g = 0
        for key, (_, end) in cells.items():
            groups = []
            while ends[g] < end:
                ri = groad[g]
                groups.append((*bounds[g], (ri, self._turn(ri), ends[g], ends[g + 1])))
                g += 1
            self.grid[key] = (groups, geo, rest)

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
        -> (start, end)`` into them, in that order."""
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
        if not len(row):  # the roads' coarse boxes reach the cells, no chord capsule does
            return row, {}
        order = np.lexsort((row, iy, ix))
        row, ix, iy = row[order], ix[order], iy[order]
        change = np.flatnonzero((ix[1:] != ix[:-1]) | (iy[1:] != iy[:-1])) + 1
        starts = np.concatenate(([0], change)).tolist()
        ends = np.concatenate((change, [len(row)])).tolist()
        keys = zip(ix[starts].tolist(), iy[starts].tolist())
        return row, {key: (a, b) for key, a, b in zip(keys, starts, ends)}

    def _turns(self, ri: int) -> tuple[float, ...]:
        """Angles [rad] from the reference direction to the road's driving directions: 0 for
        driving lanes along +s, pi for lanes against it (both for two-way lanes)."""
        turns = self._dirs.get(ri)
        if turns is None:
            road, found = self.roads[ri], set()
            for sec in road.sections:
                for ln in (*sec.left, *sec.right):
                    if ln.type in DRIVING_TYPES:
                        found.update(0.0 if sg > 0 else math.pi for sg in (1, -1)
                                     if road.enters(ln.id, sg))
            turns = self._dirs[ri] = tuple(sorted(found))
        return turns

    def _turn(self, ri: int) -> float | None:
        """The road's only driving direction (see :meth:`_turns`) or None when it has two
        or none (its chords then fit a heading either way along them)."""
        turns = self._turns(ri)
        return turns[0] if len(turns) == 1 else None

    def _cell(self, x: float, y: float) -> tuple | None:
        """The road groups of the cell holding ``(x, y)`` [m] (None: no road reaches it),
        filling its tile first if needed: ``(groups, geo, rest)``. Per road, ``groups`` holds
        ``(xmin, ymin, xmax, ymax, mid, half, span, group)``: the box [m] of the road's chords
        in the cell grown by their lateral reach; the chord directions lie within ``mid +-
        half`` [rad]; ``span`` is the largest chord span [rad] (``_COLUMNS``); ``group`` is
        ``(road index, driving direction as :meth:`_turn`, first chord, end chord)``, the
        chords indexing the tile's ``geo`` (columns ``ax`` to ``inv_l2`` of ``_COLUMNS``)
        and ``rest`` (``s0`` to ``right``) arrays of packed doubles."""
        key = (math.floor(x / self.cell), math.floor(y / self.cell))
        cell = self.grid.get(key)
        if cell is None:  # an empty cell, or its tile is still to be filled
            tile = (key[0] // self.TILE, key[1] // self.TILE)
            if tile not in self._tiles:
                self._tile(*tile)
                cell = self.grid.get(key)
        return cell

    @staticmethod
    def _entry(x: float, y: float, heading: float | None, directional: bool, group: tuple,
               geo: array, rest: array) -> tuple[float, float, float, int, float]:
        """Rank entry of one road group (see :meth:`_cell`) from its chord nearest to
        ``(x, y)`` [m] (the first of equally near ones): ``(lower bound of the distance
        outside the road [m], heading misfit [rad], lower bound of the heading error [rad],
        road index, s guess [m])``.

        The misfit is the angle from ``heading`` [rad] (None: misfit 0) to the chord's
        direction turned to the road's driving direction (when ``directional`` and the road
        has one; otherwise either way along the chord). The road's heading error at a foot
        point on or next to the chord is at least the misfit less the chord's heading change
        and :data:`SLACK_MARGIN`."""
        ri, turn, first, end = group
        bd2, bu, best = math.inf, 0.0, first
        k = first
        it = iter(geo[5 * first:5 * end])
        for ax, ay, dx, dy, inv_l2 in zip(it, it, it, it, it):
            px, py = x - ax, y - ay
            u = (px * dx + py * dy) * inv_l2
            if u < 0.0:
                u = 0.0
            elif u > 1.0:
                u = 1.0
            ex, ey = px - u * dx, py - u * dy
            d2 = ex * ex + ey * ey
            if d2 < bd2:
                bd2, bu, best = d2, u, k
            k += 1
        s0, ds, lateral, direction, span, left, right = rest[7 * best:7 * best + 7]
        dist = math.sqrt(bd2)
        if 0.0 < bu < 1.0:  # beside the chord: only the surface on the point's side counts
            ax, ay, dx, dy, _ = geo[5 * best:5 * best + 5]
            bound = dist - (left if dx * (y - ay) - dy * (x - ax) > 0.0 else right)
        else:
            bound = dist - lateral
        if heading is None:
            misfit = 0.0
        elif directional and turn is not None:  # one driving direction: 0 or pi
            misfit = abs(math.remainder(heading - direction - turn, _TWO_PI))
        else:  # both ways, or no direction
            misfit = abs(math.remainder(heading - direction, math.pi))
        return (bound if bound > 0.0 else 0.0, misfit, misfit - span - SLACK_MARGIN, ri,
                s0 + bu * ds)

    def _rank(self, x: float, y: float, heading: float | None,
              types: frozenset[str] | None) -> list[tuple[float, float, float, int, float]]:
        """:meth:`_entry` of every road of the point's cell, sorted: nearest, then best
        heading match first (it prunes the others soonest). :meth:`candidates` refines the
        roads in this order, ranking those whose box lies away from the point only when
        the refinement gets that far."""
        cell = self._cell(x, y)
        if cell is None:
            return []
        groups, geo, rest = cell
        directional = types is not None and types <= DRIVING_TYPES
        return sorted(self._entry(x, y, heading, directional, g[7], geo, rest) for g in groups)

    def candidates(self, x: float, y: float, heading: float | None = None,
                   types: frozenset[str] | None = None, tie: float = 0.01) -> list[Candidate]:
        """Roads near ``(x, y)`` [m] as :class:`Candidate` (one per road, nearest allowed lane
        of ``types``, None: any type) for points no more than ``margin`` [m] beyond the road's
        outer border; empty when none is in reach. Roads are refined in :meth:`_rank` order;
        a road is skipped when its distance bound cannot come within ``tie`` [m] of the best
        distance found, or, once the point is inside a lane, when its heading-error bound
        exceeds the best heading error found: neither can then be chosen by
        :func:`choose`, so the answer equals a search over every road.

        The ranking is lazy. Each road first gets lower bounds of its rank entry from its
        group's box and direction range (:meth:`_cell`): the box distance for the distance
        bound, the heading's angle to the direction range for the misfit, and for the heading
        error bound the latter less the largest chord span. It is ranked from its chords only
        when these do not put it behind the next ranked road, and dropped unranked when they
        show it would be skipped or come after the stop. The roads refined, their order and
        the answer are those of the full ranking."""
        out: list[Candidate] = []
        cell = self._cell(x, y)
        if cell is None:
            return out
        groups, geo, rest = cell
        directional = types is not None and types <= DRIVING_TYPES
        pending = []
        remainder = math.remainder
        for x0, y0, x1, y1, mid, half, span, g in groups:
            gap = x0 - x if x < x0 else (x - x1 if x > x1 else 0.0)
            gap_y = y0 - y if y < y0 else (y - y1 if y > y1 else 0.0)
            if gap_y > gap:
                gap = gap_y
            if gap > 0.0:  # the point's distance to the box
                pending.append((gap, 0.0, -math.inf, g))
            elif heading is None:
                pending.append((0.0, 0.0, -math.inf, g))
            else:
                if directional and g[1] is not None:
                    low = abs(remainder(heading - g[1] - mid, _TWO_PI)) - half
                else:
                    low = abs(remainder(heading - mid, math.pi)) - half
                pending.append((0.0, low, low - span - SLACK_MARGIN, g))
        pending.sort(key=_BOUND_ORDER)
        entry = self._entry
        n_pending, j, i, n = len(pending), 0, 0, 0
        ranked: list[tuple[float, float, float, int, float]] = []
        best = best_herr = math.inf
        roads, margin = self.roads, self.margin
        while True:
            while j < n_pending:  # rank the roads whose bounds may put them next
                low_bound, low_misfit, low_herr, g = pending[j]
                if low_bound > best + tie:
                    break  # so are the rest: the loop below stops before them
                j += 1
                if best <= tie and low_herr > best_herr:
                    continue  # it would be skipped on heading
                if i < n:
                    nxt = ranked[i]
                    if low_bound > nxt[0] or (low_bound == nxt[0] and low_misfit > nxt[1]):
                        j -= 1
                        break  # the next ranked road comes first
                insort(ranked, entry(x, y, heading, directional, g, geo, rest), i)
                n += 1
            if i == n:
                break
            bound, _, misfit_low, ri, s_guess = ranked[i]
            i += 1
            if bound > best + tie:
                break
            if best <= tie and misfit_low > best_herr:
                continue  # inside a lane already; this road cannot win on heading
            road = roads[ri]
            s, t, beyond, h = road.project(x, y, s_guess)
            lane_id, offset, outside = road.lane_at(s, t, types)
            if lane_id == 0 and types is not None:
                continue
            herr = 0.0
            if heading is not None and lane_id != 0:
                if road.driving_sign(lane_id) < 0:
                    h += math.pi
                herr = abs(math.remainder(heading - h, _TWO_PI))
            dist = math.hypot(outside, beyond)
            if dist > margin and (types is None or
                                  math.hypot(road.lane_at(s, t)[2], beyond) > margin):
                continue  # more than `margin` beyond the road's outer border
            if dist < best:
                best = dist
            if dist <= tie and herr < best_herr:
                best_herr = herr
            out.append(Candidate(road.id, lane_id, s, t, offset, dist, herr))
        return out


def choose(cands: list[Candidate], use_heading: bool, tie: float = 0.01) -> Candidate | None:
    """Pick the best candidate: the smallest distance outside a lane; among those within
    ``tie`` [m] of it (overlapping roads in junctions), with a heading the one whose driving
    direction matches (error < pi/2) and is closest, without a heading the one nearest its lane
    centre; then the smaller road id for determinism."""
    if len(cands) < 2:
        return cands[0] if cands else None
    limit = min([c.distance for c in cands]) + tie
    best, best_key = None, None
    for c in cands:  # the first of the near ones with the smallest key
        if c.distance <= limit:
            key = ((c.heading_error > _HALF_PI, c.heading_error, abs(c.offset), c.road_id)
                   if use_heading else (abs(c.offset), c.road_id))
            if best is None or key < best_key:
                best, best_key = c, key
    return best
