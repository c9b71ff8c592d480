"""A road: reference line, elevation, lane offset and lane sections, with the road-frame
queries built on them (ASAM OpenDRIVE 1.8 clauses 8 "Roads", 9 "Lanes", 10 "Superelevation").

Road frame (clause 2.3.3): ``s`` along the reference line [m], ``t`` lateral, positive to the
left [m]. Lanes are stacked outward from the lane-offset line ``t = laneOffset(s)``: the inner
border of lane +-1 is that line, each lane's outer border is its inner border plus its width
(clause 11.4). The centre of a lane is halfway between its borders.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field

from maps.model import Lane, LaneSection, RoadLink, RoadType
from maps.polynomial import Piecewise
from maps.reference_line import ReferenceLine

DRIVING_TYPES = frozenset({"driving", "entry", "exit", "onRamp", "offRamp", "connectingRamp",
                           "bidirectional"})
"""Lane types a vehicle snaps to: esmini's LANE_TYPE_ANY_DRIVING (driving, entry, exit,
onRamp, offRamp, bidirectional) plus OpenDRIVE 1.5's connectingRamp."""
WALKING_TYPES = DRIVING_TYPES | {"sidewalk", "biking", "shoulder", "stop", "parking",
                                 "restricted", "walking", "shared"}
"""Lane types a pedestrian snaps to: driving lanes plus sidewalks and the like; ``border``,
``curb``, ``median`` and ``none`` are left out (esmini puts a pedestrian standing on a
0.3 m border lane onto the adjacent sidewalk, see fabriksgatan in pedestrian.csv)."""


@dataclass
class Road:
    """One ``road`` element and its precomputations.

    Attributes:
        id: ``road@id``; name: ``road@name``; length: [m].
        junction: id of the junction this road belongs to, or ``"-1"``.
        rule: ``"RHT"`` or ``"LHT"`` (traffic rule; default right-hand traffic).
        reference_line: the planView. elevation: z [m] along s; superelevation: roll [rad];
        lane_offset: shift of the lane-offset line from the reference line [m].
        sections: lane sections ordered by s. predecessor/successor: road links or None.
        types: road type records (speed limits). line: source line of ``road``.
    """

    id: str
    name: str
    length: float
    junction: str
    reference_line: ReferenceLine
    sections: list[LaneSection]
    elevation: Piecewise = field(default_factory=Piecewise)
    superelevation: Piecewise = field(default_factory=Piecewise)
    lane_offset: Piecewise = field(default_factory=Piecewise)
    predecessor: RoadLink | None = None
    successor: RoadLink | None = None
    types: list[RoadType] = field(default_factory=list)
    rule: str = "RHT"
    line: int | None = None

    @property
    def in_junction(self) -> bool:
        """True for a junction's connecting road (``road@junction`` other than -1 or empty;
        ASAM OpenDRIVE 1.8 clause 10.2)."""
        return self.junction not in ("-1", "", None)

    def __post_init__(self) -> None:
        self._section_starts = [sec.s for sec in self.sections]
        self._spans_at: tuple[float, LaneSection | None] = (math.nan, None)
        self._spans: dict[int, tuple[float, float]] = {}
        # lane@direction (1.8): ids driven against their side's direction in some section
        self._reversed = frozenset(ln.id for sec in self.sections for ln in (*sec.left, *sec.right)
                                   if ln.direction == "reversed")
        self._two_way = frozenset(ln.id for sec in self.sections for ln in (*sec.left, *sec.right)
                                  if ln.two_way)

    # ----------------------------------------------------------------- sections and lanes
    def section_index(self, s: float) -> int:
        """Index of the lane section containing ``s`` [m] (first/last outside the road)."""
        i = bisect_right(self._section_starts, s) - 1
        return i if i > 0 else 0

    def section_at(self, s: float) -> LaneSection:
        """The lane section containing ``s`` [m]."""
        return self.sections[self.section_index(s)]

    def driving_sign(self, lane_id: int) -> int:
        """+1 when traffic in ``lane_id`` moves along +s, -1 when against (clause 8.1: right-hand
        traffic drives in the right lanes, id < 0, along +s; ``rule="LHT"`` mirrors it; a lane
        with ``direction="reversed"``, OpenDRIVE 1.8 clause 11.2, the other way). A two-way lane
        (:attr:`maps.model.Lane.two_way`) gives its side's direction."""
        if lane_id == 0:
            return 1  # the centre lane has no traffic: take the reference direction
        sign = 1 if lane_id < 0 else -1
        if self.rule == "LHT":
            sign = -sign
        return -sign if lane_id in self._reversed else sign

    def two_way(self, lane_id: int) -> bool:
        """True when ``lane_id`` is a two-way lane in some lane section
        (:attr:`maps.model.Lane.two_way`); False for a lane id the road does not have."""
        return lane_id in self._two_way

    def enters(self, lane_id: int, travel: int) -> bool:
        """Whether traffic in ``lane_id`` may move in direction ``travel`` (+1 along s, -1
        against): its driving direction, either way for a two-way lane or the centre lane
        (0, no traffic of its own: a goal placed on it binds no direction)."""
        if lane_id == 0:
            return True
        return lane_id in self._two_way or self.driving_sign(lane_id) == travel

    @staticmethod
    def _width(lane: Lane, sec: LaneSection, s: float, inner: float, side: float = 1.0,
               off: float = 0.0) -> float:
        """Width [m] of ``lane`` at road ``s`` [m]: its ``width`` records, else from its
        ``border`` records, the t-coordinate [m] of its outer border from the reference line
        (ASAM OpenDRIVE 1.8 clause 11.6.2; negative on the right, ``side`` -1), less its inner
        border: the lane-offset line ``off`` [m] plus ``inner`` [m] (the widths inside it)
        towards its side. A border on the wrong side gives a negative width, which
        ``maps.validate`` reports."""
        ds = s - sec.s
        if lane.width.records:
            return lane.width.value(ds)
        if lane.border.records:
            return side * (lane.border.value(ds) - off) - inner
        return 0.0

    def lane_span(self, lane_id: int, s: float, sec: LaneSection | None = None
                  ) -> tuple[float, float]:
        """``(t_inner, t_outer)`` [m] of lane ``lane_id`` at ``s`` (signed t, from the
        reference line): laneOffset plus the widths of the lanes inside, signed by side
        (clause 11.4). Raises KeyError when the lane does not exist at ``s``.

        The spans found at the last ``s`` asked are kept (with those of the lanes inside
        them, found on the way): an entity's step asks for its lane, its neighbours and their
        widths at one s."""
        if sec is None:
            sec = self.sections[self.section_index(s)]
        if self._spans_at[0] != s or self._spans_at[1] is not sec:
            self._spans_at = (s, sec)
            self._spans = {}
        elif lane_id in self._spans:
            return self._spans[lane_id]
        if lane_id not in sec.by_id:
            raise KeyError(lane_id)
        off = self.lane_offset.value(s) if self.lane_offset.records else 0.0
        if lane_id == 0:
            return off, off
        lanes, sign = (sec.left, 1.0) if lane_id > 0 else (sec.right, -1.0)
        spans = self._spans
        acc = 0.0
        for ln in lanes:
            w = self._width(ln, sec, s, acc, sign, off)
            span = spans[ln.id] = (off + sign * acc, off + sign * (acc + w))
            if ln.id == lane_id:
                return span
            acc += w
        raise KeyError(lane_id)

    def level_start_t(self, lane_id: int, s: float, sec: LaneSection | None = None) -> float:
        """t [m] where the block of ``level`` lanes that holds ``lane_id`` begins: the inner
        border of the innermost level lane from which every lane out to the road edge is
        level (clause 11.6.6: a level lane keeps the height of its inner neighbour, and the
        level lanes run to the edge). KeyError for an unknown lane."""
        if sec is None:
            sec = self.sections[self.section_index(s)]
        start = None
        for ln in (sec.left if lane_id > 0 else sec.right):
            if not ln.level:
                start = None
            elif start is None:
                start = self.lane_span(ln.id, s, sec)[0]
        return start if start is not None else self.lane_span(lane_id, s, sec)[0]

    def lane_center_t(self, lane_id: int, s: float) -> float:
        """Lateral position [m] of the centre of lane ``lane_id`` at ``s``:
        laneOffset + sum of inner widths + half this width, signed by side."""
        a, b = self.lane_span(lane_id, s)
        return 0.5 * (a + b)

    def lane_width(self, lane_id: int, s: float) -> float:
        """Width [m] of lane ``lane_id`` at ``s`` (0 for the centre lane)."""
        a, b = self.lane_span(lane_id, s)
        return abs(b - a)

    def side_extent(self, s: float) -> tuple[float, float]:
        """``(t_left, t_right)`` [m]: outer borders of the outermost left/right lanes at s."""
        sec = self.sections[self.section_index(s)]
        off = self.lane_offset.value(s) if self.lane_offset.records else 0.0
        out = []
        for lanes, sign in ((sec.left, 1.0), (sec.right, -1.0)):
            acc = 0.0
            for ln in lanes:
                acc += self._width(ln, sec, s, acc, sign, off)
            out.append(acc)
        return off + out[0], off - out[1]

    def lane_at(self, s: float, t: float, types: frozenset[str] | None = None
                ) -> tuple[int, float, float]:
        """Lane containing (or, when none allowed contains it, nearest to) the road point
        ``(s, t)`` [m].

        Args:
            types: allowed lane types (None: any type). With esmini's rule a vehicle snaps to
                driving lanes only, so a point on a border lane gets the nearest driving lane.

        Returns:
            ``(lane_id, offset, outside)``: the lane, the offset from its centre [m] (positive
            left) and the lateral distance outside it [m] (0 inside). ``(0, t - laneOffset,
            |...|)`` when the section has no allowed lane.
        """
        sec = self.sections[self.section_index(s)]
        off = self.lane_offset.value(s) if self.lane_offset.records else 0.0
        d = t - off
        best = (0, d, math.inf)
        width = self._width
        for lanes, sign in ((sec.left, 1.0), (sec.right, -1.0)):
            ad = d * sign
            acc = 0.0
            for ln in lanes:
                w = width(ln, sec, s, acc, sign, off)
                if types is None or ln.type in types:
                    if acc <= ad <= acc + w and w > 1e-9:
                        return ln.id, sign * (ad - acc - 0.5 * w), 0.0
                    gap = acc - ad if ad < acc else ad - acc - w
                    if gap < best[2]:
                        best = (ln.id, sign * (ad - acc - 0.5 * w), gap)
                acc += w
        return best if best[2] < math.inf else (0, d, abs(d))

    @staticmethod
    def lane_height(lane: Lane, sec: LaneSection, s: float, fraction: float) -> float:
        """Height [m] of ``lane``'s surface at ``s``, ``fraction`` of the way from its inner
        (0) to its outer (1) border: the last ``height`` record at or before s, linearly
        interpolated between its inner and outer values (0 without records)."""
        if not lane.heights:
            return 0.0
        ds = s - sec.s
        rec = lane.heights[0]
        for h in lane.heights:
            if h[0] <= ds + 1e-9:
                rec = h
        f = 0.0 if fraction < 0.0 else (1.0 if fraction > 1.0 else fraction)
        return rec[1] + (rec[2] - rec[1]) * f

    # ------------------------------------------------------------------ world positions
    def position(self, s: float, t: float) -> tuple[float, float, float, float, float, float]:
        """Inertial pose of the road point ``(s, t)``: ``(x, y, z, heading, pitch, roll)``
        [m, rad]; heading and pitch are those of the reference line, roll the superelevation,
        ``z = elevation(s) + t*tan(roll)``."""
        x, y, h = self.reference_line.pose(s)
        r = self.superelevation.value(s) if self.superelevation else 0.0
        z = self.elevation.value(s) if self.elevation else 0.0
        if r:
            z += t * math.tan(r)
        p = -math.atan(self.elevation.derivative(s)) if self.elevation else 0.0
        return (x - t * math.sin(h), y + t * math.cos(h), z, h, p, r)

    def heading_at(self, s: float) -> float:
        """Heading [rad] of the reference line at ``s`` [m] (not wrapped)."""
        return self.reference_line.pose(s)[2]

    def _nearest_sample(self, x: float, y: float) -> float:
        best, best_s = math.inf, 0.0
        for s in self.reference_line.sample_s(max_step=2.0, chord_error=0.05):
            px, py, _ = self.reference_line.pose(float(s))
            d = (px - x) ** 2 + (py - y) ** 2
            if d < best:
                best, best_s = d, float(s)
        return best_s

    def local_coordinates(self, x: float, y: float, s0: float | None = None,
                          iterations: int = 10) -> tuple[float, float, float]:
        """Project the inertial point ``(x, y)`` [m] on the reference line, starting at ``s0``
        (default: the nearest of samples every <= 2 m, a slow path - the network's spatial
        index supplies ``s0`` for lookups). Inverse of :meth:`position` for points nearer to
        the reference line than its radius of curvature.

        Newton iteration on the foot-point condition (distance along the tangent = 0), step
        ``along / (1 - k t)`` which is exact for lines and arcs. Returns ``(s, t, beyond)``
        with s clamped to ``[0, length]`` and ``beyond`` [m] the remaining distance along the
        tangent when the foot point would lie off the road's ends (0 otherwise).
        """
        return self.project(x, y, s0, iterations)[:3]

    def project(self, x: float, y: float, s0: float | None = None, iterations: int = 10
                ) -> tuple[float, float, float, float]:
        """:meth:`local_coordinates` plus the heading [rad] of the reference line at the
        returned ``s`` (not wrapped, as :meth:`heading_at`), which the iteration has
        usually just evaluated: ``(s [m], t [m], beyond [m], heading [rad])``."""
        ref = self.reference_line
        length = self.length
        if s0 is None:
            s0 = self._nearest_sample(x, y)
        s = 0.0 if 0.0 > s0 else s0  # min(max(s0, 0.0), length), without the calls
        if length < s:
            s = length
        along = t = 0.0
        g, lo, hi = ref.geometry_span(s)
        cos, sin = math.cos, math.sin
        for _ in range(iterations):
            if not lo <= s < hi:
                g, lo, hi = ref.geometry_span(s)
            px, py, h, k = g.frame(s - g.s)
            c, sn = cos(h), sin(h)
            dx, dy = x - px, y - py
            along = dx * c + dy * sn
            t = dy * c - dx * sn
            if abs(along) < 1e-9:
                break
            denom = 1.0 - k * t
            s_new = s + (along / denom if denom > 0.1 else along)
            s_new = 0.0 if s_new < 0.0 else (length if s_new > length else s_new)
            if s_new == s:  # clamped at an end
                break
            s = s_new
        else:  # the last step moved s: the heading there is still to be evaluated
            h = ref.pose(s)[2]
        beyond = abs(along) if (s <= 0.0 and along < 0) or (s >= length and along > 0) else 0.0
        return s, t, beyond, h

    # ----------------------------------------------------------------------- speed limits
    def speed_limit(self, lane_id: int, s: float) -> float | None:
        """Speed limit [m/s] at ``s`` in ``lane_id``: the lane's ``speed`` record in force at
        ``s`` (the last whose ``sOffset`` from the lane section's start is at or before it),
        else the road ``type`` speed, else None (clauses 8.2.2 and 11.8.2)."""
        sec = self.sections[self.section_index(s)]
        lane = sec.by_id.get(lane_id)
        if lane is not None and lane.speeds:
            ds = s - sec.s
            chosen = None
            for off, vmax in lane.speeds:
                if off <= ds + 1e-9:
                    chosen = (vmax,)
            if chosen is not None:
                return chosen[0]
        limit = None
        for rt in self.types:
            if rt.s <= s + 1e-9:
                limit = rt.speed
        return limit
