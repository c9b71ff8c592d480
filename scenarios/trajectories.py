"""Trajectory shapes (ASAM OpenSCENARIO 1.x ``Trajectory/Shape``) and their frozen paths.

A shape element (``Polyline``, ``Clothoid``, ``ClothoidSpline`` (1.3), ``Nurbs``) is parsed
into a frozen dataclass holding unresolved position specs. When a FollowTrajectoryAction starts
the shape is *frozen* (``shape.freeze(rt, mode, speed)``): positions are resolved once (relative
positions read the referenced entity at that moment, as esmini's ``EvaluateRelation``) and the
shape becomes a :class:`Path`, a polyline of :class:`Vertex` records that maps path length
``s`` [m] and trajectory time [s] to poses. This follows esmini v3.6.0's RoadManager
(``PolyLineShape``, ``ClothoidShape``, ``ClothoidSplineShape``, ``NurbsShape``):

* Polyline: straight segments; a vertex without a stated heading takes the heading of its
  outgoing segment (the last one of its incoming segment); along a segment towards a vertex
  with a stated heading the heading is interpolated linearly, otherwise it follows the segment
  and blends linearly within ``min(2 m, half the segment)`` of a corner. With vertex times, ``position`` mode moves at constant speed per segment
  (ds/dt); ``follow`` mode keeps constant acceleration per segment starting from the entity's
  speed (stopping early rather than reversing).
* Clothoid: curvature ``k0 + k' s`` from the start pose over ``length`` (pyclothoids), sampled
  every metre; time linear in s between ``startTime`` and ``stopTime``.
* ClothoidSpline: consecutive clothoid segments (each may restart at its own position; hOffset
  turns the start heading); time linear in s over each segment (timeStart of the next segment,
  or ``timeEnd``; with ``timeEnd``, a missing timeStart is 0 on the first segment and
  interpolated along the length on later ones; without it the trajectory has no times).
* Nurbs: rational B-spline of ``order`` over the knot vector (Cox-de Boor recursion, half-open
  spans), sampled with about one vertex per metre of control polygon; heading from the curve
  tangent; the time of a point interpolates the control-point times between the parameters
  where those control points' basis functions peak (esmini's time mapping).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any

from lxml import etree

from testzone.world import Pose, wrap_angle


from scenarios.errors import ScenarioError
from scenarios.registry import ParseContext
from scenarios.runtime import Placement, Runtime
from scenarios.xmlsource import child, children

SMALL = 1e-10

MAX_TRAJECTORY_LENGTH_M = 1e5
"""Longest trajectory shape [m] (Clothoid length, ClothoidSpline, Nurbs control polygon):
100 km, far beyond a test case, while one vertex a metre stays affordable (a shape of 1e300 m
would be sampled until memory runs out)."""



MAX_SHAPE_CURVATURE = 10.0
"""Largest |curvature| [1/m] of a Clothoid trajectory shape: a 0.1 m radius (a pedestrian may
turn that tight, a road may not: ``maps.parser.MAX_CURVATURE`` is 1 /m)."""


def _check_spiral(ctx: ParseContext, el: etree._Element, length: float, k0: float,
                  k1: float) -> None:
    """ScenarioError naming ``el`` unless 0 < length <= MAX_TRAJECTORY_LENGTH_M and both end
    curvatures are finite and within :data:`MAX_SHAPE_CURVATURE` (a 0.1 m radius; beyond it
    the Fresnel integrals give NaN)."""
    if not 0.0 < length <= MAX_TRAJECTORY_LENGTH_M:
        raise ctx.src.error(el, f"expected a length in (0, {MAX_TRAJECTORY_LENGTH_M:g}] m, got "
                                f"{length:g}")
    for k in (k0, k1):
        if not abs(k) <= MAX_SHAPE_CURVATURE:
            raise ctx.src.error(el, f"expected curvatures within +-{MAX_SHAPE_CURVATURE:g}"
                                    f" 1/m along the shape, got {k:g}")
"""esmini's SMALL_NUMBER."""
CORNER_RADIUS = 2.0
"""Half-width [m] of the heading blend at polyline corners (esmini)."""
SAMPLE_STEP = 1.0
"""Sampling step [m] of clothoids and nurbs (esmini NURBS_STEPLENGTH)."""


@dataclass
class Vertex:
    """One vertex of a frozen path.

    Attributes:
        x, y, z: position [m]. h: heading [rad]. s: path length from the start [m].
        time: trajectory time [s] (NaN when the shape has none). speed [m/s] and acc [m/s^2]:
        the motion law on the segment that starts here (timed polylines). param: the shape's
        own parameter (nurbs knot parameter). blend: interpolate the heading linearly along
        the segment (else only around corners).
    """

    x: float
    y: float
    z: float = 0.0
    h: float = 0.0
    s: float = 0.0
    time: float = math.nan
    speed: float = 0.0
    acc: float = 0.0
    param: float = 0.0
    blend: bool = True


def given_heading(spec: Any) -> bool:
    """True when a position spec states a heading: a WorldPosition, or any position with an
    ``Orientation`` element. Such vertex headings are kept (and interpolated linearly towards
    the next vertex); others come from the path geometry (checked on esmini's pedestrian.xosc,
    whose LanePosition vertices carry relative orientations)."""
    if type(spec).__name__ == "WorldPosition":
        return True
    return getattr(spec, "orientation", None) is not None


class Path:
    """A frozen trajectory: vertices with increasing ``s``; pose by length or by time.

    Args:
        vertices: at least one :class:`Vertex`, ``s`` non-decreasing.
        refine: optional callable ``(param) -> (x, y, h or None)`` giving the exact point
            (and heading) of the shape at an interpolated parameter (clothoids, nurbs), else
            linear interpolation.
        start_time, duration: trajectory time span [s] (NaN when untimed).
        timed_motion: True when the time law comes from the vertices' speed/acc (polylines),
            False when time interpolates linearly between vertex times.
    """

    def __init__(self, vertices: list[Vertex], refine=None, start_time: float = math.nan,
                 duration: float = math.nan, timed_motion: bool = False) -> None:
        self.v = vertices
        self.s = [p.s for p in vertices]
        self.refine = refine
        self.start_time, self.duration = start_time, duration
        self.timed_motion = timed_motion

    @property
    def length(self) -> float:
        """Path length [m]."""
        return self.s[-1]

    @property
    def timed(self) -> bool:
        """True when the path has times."""
        return not math.isnan(self.start_time)

    def _segment(self, s: float) -> int:
        i = bisect.bisect_left(self.s, s - SMALL) - 1
        return min(max(i, 0), max(len(self.v) - 2, 0))

    def pose_at(self, s: float) -> Pose:
        """Pose at path length ``s`` [m], clamped to [0, length]."""
        v = self.v
        if len(v) == 1 or s >= self.length:
            last = v[-1]
            return Pose(last.x, last.y, last.z, wrap_angle(last.h))
        s = max(s, 0.0)
        i = self._segment(s)
        a, b = v[i], v[i + 1]
        seg = max(b.s - a.s, SMALL)
        local = min(max(s - a.s, 0.0), seg)
        f = local / seg
        x, y, z = a.x + f * (b.x - a.x), a.y + f * (b.y - a.y), a.z + f * (b.z - a.z)
        h = None
        if self.refine is not None:
            x, y, h = self.refine(a.param + f * (b.param - a.param))
        return Pose(x, y, z, self._heading(i, local, seg, f) if h is None else wrap_angle(h))

    def _heading(self, i: int, local: float, seg: float, f: float) -> float:
        v = self.v
        a, b = v[i], v[i + 1]
        if a.blend:
            return wrap_angle(a.h + f * wrap_angle(b.h - a.h))
        radius = min(CORNER_RADIUS, seg / 2.0)
        if local < radius and i > 0:
            w = (radius + local) / (2 * radius)
            return wrap_angle(v[i - 1].h + w * wrap_angle(a.h - v[i - 1].h))
        if local > seg - radius:
            w = (radius + (seg - local)) / (2 * radius)
            return wrap_angle(a.h + (1 - w) * wrap_angle(b.h - a.h))
        return wrap_angle(a.h)

    def s_at_time(self, t: float) -> float:
        """Path length [m] reached at trajectory time ``t`` [s] (the path's time law)."""
        v = self.v
        if t <= v[0].time:
            return 0.0
        if t >= v[-1].time:
            return self.length
        i = 0
        while i < len(v) - 2 and v[i + 1].time < t:
            i += 1
        a, b = v[i], v[i + 1]
        dt = t - a.time
        if self.timed_motion:
            if a.acc < 0.0:
                dt = min(dt, -a.speed / a.acc)
            return a.s + dt * a.speed + 0.5 * a.acc * dt * dt
        span = b.time - a.time
        return a.s + (dt / span if span > 0 else 1.0) * (b.s - a.s)

    def time_at_s(self, s: float) -> float:
        """Trajectory time [s] at path length ``s`` (linear between vertices), or NaN."""
        if not self.timed:
            return math.nan
        i = self._segment(s)
        if len(self.v) == 1:
            return self.v[0].time
        a, b = self.v[i], self.v[i + 1]
        f = (s - a.s) / (b.s - a.s) if b.s > a.s else 0.0
        return a.time + min(max(f, 0.0), 1.0) * (b.time - a.time)


def _resolve(rt: Runtime, spec: Any) -> Placement:
    return spec.resolve(rt)


@dataclass(frozen=True)
class PolylineShape:
    """``Polyline``: vertices (position spec, time [s] or None)."""

    ELEMENT = "Polyline"
    vertices: tuple[tuple[Any, float | None], ...]

    @property
    def timed(self) -> bool:
        """Every vertex has a time (else the trajectory has none)."""
        return all(t is not None for _, t in self.vertices)

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> PolylineShape:
        """Read ``Polyline``; ScenarioError with fewer than one Vertex, or a Vertex ``time``
        [s] before the previous vertex's (a trajectory cannot run backwards in time)."""
        elements = list(children(el, "Vertex"))
        verts = tuple((ctx.position(v), ctx.src.attr(v, "time", float, None))
                      for v in elements)
        if not verts:
            raise ctx.src.error(el, "a Polyline needs at least one Vertex")
        last = None
        for v, (_, t) in zip(elements, verts):
            if t is not None and last is not None and t < last:
                raise ctx.src.error(v, f"Vertex time {t:g} s is before the previous vertex's "
                                       f"{last:g} s: expected times that do not decrease")
            last = t if t is not None else last
        return cls(verts)

    def freeze(self, rt: Runtime, follow: bool, speed: float) -> Path:
        """Resolve the vertices now; ``follow`` picks the follow-mode time law (initial speed
        ``speed`` [m/s])."""
        out: list[Vertex] = []
        given: list[bool] = []
        for spec, time in self.vertices:
            p = _resolve(rt, spec).pose
            given.append(given_heading(spec))
            out.append(Vertex(p.x, p.y, p.z, p.h, 0.0, math.nan if time is None else time))
        for i in range(1, len(out)):
            a, b = out[i - 1], out[i]
            d = math.hypot(b.x - a.x, b.y - a.y)
            b.s = a.s + d
            a.blend = given[i]
            if not given[i]:
                b.h = a.h if d < SMALL else math.atan2(b.y - a.y, b.x - a.x)
            if not given[i - 1]:
                a.h = b.h
        timed = self.timed
        if timed:
            _time_law(out, follow, speed)
        return Path(out, None, out[0].time if timed else math.nan,
                    out[-1].time - out[0].time if timed else math.nan, timed_motion=timed)


def _sign(x: float) -> int:
    """esmini's SIGN: -1 for negative, else +1."""
    return -1 if x < 0 else 1


def _time_law(v: list[Vertex], follow: bool, speed: float) -> None:
    """Per-segment speed/acceleration of a timed polyline (esmini PolyLineShape)."""
    v[0].speed = speed
    for i in range(1, len(v)):
        ds, dt = v[i].s - v[i - 1].s, v[i].time - v[i - 1].time
        if follow:
            acc = 0.0
            if abs(ds) > SMALL and dt > 0:
                acc = 2 * (ds - speed * dt) / dt ** 2
                if _sign(speed + acc * dt) != _sign(speed):
                    acc, speed = -speed ** 2 / (2 * ds), 0.0
                else:
                    speed = speed + acc * dt
            else:
                speed = 0.0
            v[i - 1].acc = acc
        else:
            speed = ds / dt if dt > SMALL else 0.0
            v[i - 1].speed = speed
        v[i].speed = speed


def _spiral(x: float, y: float, h: float, k0: float, k1: float, length: float):
    """A clothoid from (x, y, h) with curvature k0 -> k1 [1/m] over ``length`` [m]."""
    from pyclothoids import Clothoid   # maintained library; imported when a clothoid is used
    return Clothoid.StandardParams(x, y, h, k0, (k1 - k0) / length if length else 0.0, length)


def _sample_clothoids(pieces: list[tuple[Any, float]], z: float) -> list[Vertex]:
    """Vertices every SAMPLE_STEP metres along consecutive (clothoid, length) pieces, plus the
    end point; ``param`` is the path length (used to refine points exactly)."""
    total = sum(length for _, length in pieces)
    steps = int(total / SAMPLE_STEP)
    out: list[Vertex] = []
    for i in range(steps + 1):
        s = total if i == steps else i * SAMPLE_STEP
        c, local = _locate(pieces, s)
        out.append(Vertex(c.X(local), c.Y(local), z, c.Theta(local), s, param=s))
    return out


def _locate(pieces: list[tuple[Any, float]], s: float) -> tuple[Any, float]:
    """(clothoid, local length) of path length ``s`` along the pieces."""
    for c, length in pieces[:-1]:
        if s < length - SMALL:
            return c, max(s, 0.0)
        s -= length
    return pieces[-1][0], min(max(s, 0.0), pieces[-1][1])


def _refiner(pieces: list[tuple[Any, float]]):
    def refine(s: float) -> tuple[float, float, float]:
        """Exact (x, y, heading) at path length ``s`` [m]."""
        c, local = _locate(pieces, s)
        return c.X(local), c.Y(local), c.Theta(local)
    return refine


@dataclass(frozen=True)
class ClothoidShape:
    """``Clothoid``: start position, curvature [1/m], curvature rate [1/m^2], length [m],
    startTime/stopTime [s] (optional)."""

    ELEMENT = "Clothoid"
    position: Any
    curvature: float
    curvature_rate: float
    length: float
    start_time: float | None = None
    stop_time: float | None = None

    @property
    def timed(self) -> bool:
        """Both startTime and stopTime are given."""
        return self.start_time is not None and self.stop_time is not None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> ClothoidShape:
        """Read ``Clothoid`` (``curvaturePrime`` (1.2+) or ``curvatureDot``)."""
        a = ctx.src.attr
        rate = a(el, "curvaturePrime", float, None)
        if rate is None:
            rate = a(el, "curvatureDot", float, 0.0)
        length, k0 = a(el, "length", float), a(el, "curvature", float)
        _check_spiral(ctx, el, length, k0, k0 + rate * length)
        start, stop = a(el, "startTime", float, None), a(el, "stopTime", float, None)
        if start is not None and stop is not None and stop < start:
            raise ctx.src.error(el, f"stopTime {stop:g} s is before startTime {start:g} s")
        return cls(ctx.position(el), k0, rate, length, start, stop)

    def freeze(self, rt: Runtime, follow: bool, speed: float) -> Path:
        """Resolve the start position now and sample the clothoid."""
        p = _resolve(rt, self.position).pose
        c = _spiral(p.x, p.y, p.h, self.curvature,
                    self.curvature + self.curvature_rate * self.length, self.length)
        pieces = [(c, self.length)]
        verts = _sample_clothoids(pieces, p.z)
        timed = self.timed
        if timed:
            t0, t1 = self.start_time, self.stop_time
            for v in verts:
                v.time = t0 + v.s / self.length * (t1 - t0)
        return Path(verts, _refiner(pieces), self.start_time if timed else math.nan,
                    (self.stop_time - self.start_time) if timed else math.nan)


@dataclass(frozen=True)
class SplineSegment:
    """``ClothoidSplineSegment``: curvatureStart/End [1/m], length [m], hOffset [rad],
    timeStart [s] or None, PositionStart spec or None."""

    k0: float
    k1: float
    length: float
    h_offset: float = 0.0
    time_start: float | None = None
    position: Any = None


@dataclass(frozen=True)
class ClothoidSplineShape:
    """``ClothoidSpline`` (OpenSCENARIO 1.3): segments and ``timeEnd`` [s] (optional).

    The first segment starts at its PositionStart, else at the entity; later segments start
    where the previous one ended unless they carry their own PositionStart.
    """

    ELEMENT = "ClothoidSpline"
    segments: tuple[SplineSegment, ...]
    time_end: float | None = None

    @property
    def timed(self) -> bool:
        """``timeEnd`` is given (the segments' times follow from it: :meth:`times`)."""
        return self.time_end is not None

    def times(self) -> list[float] | None:
        """The time [s] at each segment start and at the end, or None when untimed.

        ``timeEnd`` given, a segment without ``timeStart`` takes the first segment's start,
        0, and later ones the time interpolated along the length between the given times
        around them (scenariogeneration's ClothoidSpline example times its second segment
        only); without ``timeEnd`` the trajectory has no times.
        """
        if self.time_end is None:
            return None
        given: list[float | None] = [seg.time_start for seg in self.segments]
        given[0] = 0.0 if given[0] is None else given[0]
        given.append(self.time_end)
        bounds = [0.0]
        for seg in self.segments:
            bounds.append(bounds[-1] + seg.length)
        out = list(given)
        for i, t in enumerate(given):
            if t is None:
                j = next(k for k in range(i + 1, len(given)) if given[k] is not None)
                h = max(k for k in range(i) if given[k] is not None)
                f = (bounds[i] - bounds[h]) / (bounds[j] - bounds[h])
                out[i] = given[h] + f * (given[j] - given[h])
        return out  # type: ignore[return-value]

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> ClothoidSplineShape:
        """Read ``ClothoidSpline``; ScenarioError without segments."""
        a = ctx.src.attr
        segs = []
        for seg in children(el, "ClothoidSplineSegment"):
            start = child(seg, "PositionStart")
            k0 = a(seg, "curvatureStart", float, segs[-1].k1 if segs else 0.0)
            segs.append(SplineSegment(k0, a(seg, "curvatureEnd", float, k0),
                                      a(seg, "length", float), a(seg, "hOffset", float, 0.0),
                                      a(seg, "timeStart", float, None),
                                      ctx.position(start) if start is not None else None))
            _check_spiral(ctx, seg, segs[-1].length, segs[-1].k0, segs[-1].k1)
        if not segs:
            raise ctx.src.error(el, "expected at least one ClothoidSplineSegment")
        if sum(sg.length for sg in segs) > MAX_TRAJECTORY_LENGTH_M:
            raise ctx.src.error(el, f"expected at most {MAX_TRAJECTORY_LENGTH_M:g} m of "
                                    f"segments in all")
        time_end = a(el, "timeEnd", float, None)
        given = [(f"segment {i + 1} timeStart", sg.time_start) for i, sg in enumerate(segs)
                 if sg.time_start is not None]
        if time_end is not None:
            if segs[0].time_start is None:   # :meth:`times` starts it at 0
                given.insert(0, ("the start of segment 1, without timeStart,", 0.0))
            given.append(("timeEnd", time_end))
        for (first, t_a), (second, t_b) in zip(given, given[1:]):
            if not t_b > t_a:  # a trajectory cannot run backwards or cover length in no time
                raise ctx.src.error(el, f"{second} = {t_b:g} s is not after {first} = {t_a:g} "
                                        f"s: expected times that increase along the spline")
        return cls(tuple(segs), time_end)

    def freeze(self, rt: Runtime, follow: bool, speed: float, start: Pose | None = None
               ) -> Path:
        """Resolve the segment starts now (``start``: the entity's pose) and sample."""
        pieces, pose = [], start or Pose(0.0, 0.0)
        for seg in self.segments:
            if seg.position is not None:
                pose = _resolve(rt, seg.position).pose
            c = _spiral(pose.x, pose.y, pose.h + seg.h_offset, seg.k0, seg.k1, seg.length)
            pieces.append((c, seg.length))
            pose = Pose(c.X(seg.length), c.Y(seg.length), pose.z, c.Theta(seg.length))
        verts = _sample_clothoids(pieces, start.z if start else 0.0)
        times = self.times()
        if times is None:
            return Path(verts, _refiner(pieces))
        bounds = [0.0]
        for seg in self.segments:
            bounds.append(bounds[-1] + seg.length)
        for v in verts:
            j = min(bisect.bisect_right(bounds, v.s) - 1, len(self.segments) - 1)
            f = (v.s - bounds[j]) / self.segments[j].length
            v.time = times[j] + f * (times[j + 1] - times[j])
        return Path(verts, _refiner(pieces), times[0], times[-1] - times[0])


def cox_de_boor(x: float, i: int, k: int, knots: tuple[float, ...]) -> float:
    """B-spline basis N_{i,k}(x) of order ``k`` (degree k-1) over ``knots``, half-open spans
    [t_i, t_{i+1}), terms with a zero denominator dropped (de Boor, "A Practical Guide to
    Splines", the recurrence; as esmini's NurbsShape::CoxDeBoor)."""
    if k == 1:
        return 1.0 if knots[i] <= x < knots[i + 1] else 0.0
    out = 0.0
    den1 = knots[i + k - 1] - knots[i]
    if den1 > 0:
        out += (x - knots[i]) / den1 * cox_de_boor(x, i, k - 1, knots)
    den2 = knots[i + k] - knots[i + 1]
    if den2 > 0:
        out += (knots[i + k] - x) / den2 * cox_de_boor(x, i + 1, k - 1, knots)
    return out


class Nurbs:
    """A rational B-spline curve in the plane.

    Args:
        order: k (degree k - 1). points: control points (x, y) [m]. weights: one each (> 0).
        knots: non-decreasing, ``len(points) + order`` values.

    Raises:
        ValueError: inconsistent sizes.
    """

    def __init__(self, order: int, points: list[tuple[float, float]], weights: list[float],
                 knots: tuple[float, ...]) -> None:
        if len(knots) != len(points) + order or order < 1 or len(points) < order:
            raise ValueError(f"a Nurbs of order {order} with {len(points)} control points "
                             f"needs {len(points) + order} knots, got {len(knots)}")
        self.order, self.points, self.weights, self.knots = order, points, weights, knots

    def basis(self, t: float) -> list[float]:
        """The basis values N_{i,k}(t) of every control point, t clamped into the knot span."""
        t = min(max(t, self.knots[0]), self.knots[-1] - SMALL)
        return [cox_de_boor(t, i, self.order, self.knots) for i in range(len(self.points))]

    def point(self, t: float) -> tuple[float, float]:
        """Curve point (x, y) [m] at knot parameter ``t``."""
        d = self.basis(t)
        den = sum(di * w for di, w in zip(d, self.weights))
        x = sum(di * w * p[0] for di, w, p in zip(d, self.weights, self.points)) / den
        y = sum(di * w * p[1] for di, w, p in zip(d, self.weights, self.points)) / den
        return x, y


@dataclass(frozen=True)
class NurbsShape:
    """``Nurbs``: order, control points (position spec, time [s] or None, weight), knots."""

    ELEMENT = "Nurbs"
    order: int
    control_points: tuple[tuple[Any, float | None, float], ...]
    knots: tuple[float, ...]

    @property
    def timed(self) -> bool:
        """Every control point has a time (else the trajectory has none)."""
        return all(t is not None for _, t, _ in self.control_points)

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> NurbsShape:
        """Read ``Nurbs``; ScenarioError when the knot count is not points + order, the knots
        decrease or span nothing (all equal), or a weight is not a positive number (the
        curve would be undefined: a division by zero)."""
        a = ctx.src.attr
        cps = tuple((ctx.position(c), a(c, "time", float, None), a(c, "weight", float, 1.0))
                    for c in children(el, "ControlPoint"))
        knots = tuple(a(k, "value", float) for k in children(el, "Knot"))
        order = a(el, "order", int)
        if order < 1 or len(cps) < order:
            raise ctx.src.error(el, f"expected an order of 1..{len(cps)} (the number of "
                                    f"ControlPoints), got {order}")
        if len(knots) != len(cps) + order:
            raise ctx.src.error(el, f"expected {len(cps) + order} Knot elements for "
                                    f"{len(cps)} ControlPoints of order {order} "
                                    f"(got {len(knots)})")
        if any(b < a for a, b in zip(knots, knots[1:])) or not knots[-1] > knots[0] or \
                not all(math.isfinite(k) for k in knots):
            raise ctx.src.error(el, f"expected finite non-decreasing Knot values with the last "
                                    f"above the first, got {list(knots)[:12]}")
        bad = [w for _, _, w in cps if not (math.isfinite(w) and w > 0.0)]
        if bad:
            raise ctx.src.error(el, f"expected ControlPoint weights > 0, got {bad[0]:g}")
        return cls(order, cps, knots)

    def freeze(self, rt: Runtime, follow: bool, speed: float) -> Path:
        """Resolve the control points now and sample the curve (see module docstring)."""
        poses = [_resolve(rt, spec).pose for spec, _, _ in self.control_points]
        curve = Nurbs(self.order, [(p.x, p.y) for p in poses],
                      [w for _, _, w in self.control_points], self.knots)
        polygon = sum(math.hypot(b.x - a.x, b.y - a.y) for a, b in zip(poses, poses[1:]))
        if not 0.0 < polygon <= MAX_TRAJECTORY_LENGTH_M:
            what = "zero length" if polygon <= 0.0 else f"a control polygon of {polygon:g} m"
            raise ScenarioError(f"Nurbs of {what}: expected a length in (0, "
                                f"{MAX_TRAJECTORY_LENGTH_M:g}] m (check the control points)",
                                element="Nurbs")
        verts, peaks = _sample_nurbs(curve, polygon, poses[0].z)
        times = [t for _, t, _ in self.control_points]
        if self.timed:
            _nurbs_times(verts, peaks, times)
            return Path(verts, lambda u: (*curve.point(u), None), verts[0].time,
                        times[-1] - times[0])
        return Path(verts, lambda u: (*curve.point(u), None))


def _sample_nurbs(curve: Nurbs, polygon: float, z: float) -> tuple[list[Vertex], list[float]]:
    """Vertices of a nurbs (about one per metre of control polygon) and, per control point, the
    parameter where its basis peaks (sampled, as esmini)."""
    t_max = curve.knots[-1]
    steps = int(1 + polygon / SAMPLE_STEP)
    dp = t_max / steps
    eps = min(0.001, dp)
    n = len(curve.points)
    peak_val, peak_t = [0.0] * n, [0.0] * n
    verts: list[Vertex] = []
    for i in range(steps + 1):
        t = i * dp
        x, y = curve.point(t)
        probe = min(t + eps, t_max) if i < steps else max(t - eps, 0.0)
        px, py = curve.point(probe)
        h = math.nan
        if i > 0 and math.hypot(px - x, py - y) > SMALL:
            h = math.atan2(py - y, px - x) if i < steps else math.atan2(y - py, x - px)
        elif i > 0:
            h = verts[-1].h
        s = verts[-1].s + math.hypot(x - verts[-1].x, y - verts[-1].y) if verts else 0.0
        verts.append(Vertex(x, y, z, h, s, param=t))
        for j, d in enumerate(curve.basis(probe)):
            if d > peak_val[j]:
                peak_val[j], peak_t[j] = d, t
    if math.isnan(verts[-1].h):
        verts[-1].h = 0.0
    for i in range(len(verts) - 2, -1, -1):
        if math.isnan(verts[i].h):
            verts[i].h = verts[i + 1].h
    return verts, peak_t


def _nurbs_times(verts: list[Vertex], peaks: list[float], times: list[float]) -> None:
    """Vertex times: control-point times interpolated between basis peaks (esmini)."""
    cur, last = 0, len(times) - 2
    for v in verts:
        if v.param >= peaks[cur + 1]:
            cur = min(cur + 1, last)
        span = peaks[cur + 1] - peaks[cur]
        w = (v.param - peaks[cur]) / span if span else 0.0
        v.time = times[cur] + w * (times[cur + 1] - times[cur])


SHAPES = {cls.ELEMENT: cls for cls in (PolylineShape, ClothoidShape, ClothoidSplineShape,
                                       NurbsShape)}
"""Shape element name -> class."""


@dataclass(frozen=True)
class TrajectoryDef:
    """A ``Trajectory`` (inline or a Trajectory catalog entry): its parsed shape (one of
    :data:`SHAPES`), ``closed`` flag and name."""

    shape: Any
    closed: bool = False
    name: str = ""

    def freeze(self, rt: Runtime, follow: bool = False, speed: float = 0.0,
               start: Pose | None = None) -> Path:
        """Resolve the shape's positions now (see the module docstring).

        Args:
            follow: the follow-mode time law of timed polylines. speed: initial speed [m/s]
                for that law. start: where a ClothoidSpline without a first PositionStart
                begins (the entity's pose), None when there is no entity.

        Raises:
            ValueError: a degenerate shape (a Nurbs of zero length; a ClothoidSpline with no
                PositionStart on its first segment and no ``start``).
        """
        if isinstance(self.shape, ClothoidSplineShape):
            if start is None and self.shape.segments[0].position is None:
                raise ValueError("the first ClothoidSplineSegment has no PositionStart and "
                                 "there is no entity to start from")
            return self.shape.freeze(rt, follow, speed, start)
        return self.shape.freeze(rt, follow, speed)


def read_trajectory(holder: etree._Element, ctx: ParseContext) -> TrajectoryDef:
    """Read the trajectory of ``holder`` (FollowTrajectoryAction, TrajectoryPosition): in its
    ``TrajectoryRef`` (OpenSCENARIO 1.1+) or directly inside it (1.0), inline ``Trajectory``
    or ``CatalogReference`` to a Trajectory catalog entry (clause "Trajectory", "Catalogs").

    Raises:
        ScenarioError: no trajectory, a catalog entry that is not a Trajectory, no Shape, an
            unknown shape element (file, line, element; entries name their catalog file).
    """
    ref = child(holder, "TrajectoryRef")
    inner = ref if ref is not None else holder
    traj, ctx = ctx.inline_or_catalog(inner, "Trajectory")
    shape_el = child(traj, "Shape")
    kind = next(children(shape_el), None) if shape_el is not None else None
    if kind is None:
        raise ctx.src.error(traj, "expected a Shape with one shape element")
    cls_shape = SHAPES.get(str(kind.tag))
    if cls_shape is None:
        raise ctx.src.error(kind, "expected Polyline, Clothoid, ClothoidSpline or Nurbs")
    return TrajectoryDef(cls_shape.parse(kind, ctx), ctx.src.attr(traj, "closed", bool, False),
                         ctx.src.attr(traj, "name", str, ""))
