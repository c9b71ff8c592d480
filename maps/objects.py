"""Road objects: crosswalks, parking spaces, poles, bus stops... with their world footprints
(ASAM OpenDRIVE 1.8 clause 13 "Objects").

An ``object`` sits at road coordinates ``(s, t)``; its local frame ``(u, v, z)`` has its
origin there and its u axis turned by ``hdg`` from the reference-line direction (clause 13.1).
Its footprint is, in order of preference:

* its outlines (``outline`` in 1.4, ``outlines/outline`` from 1.5): ``cornerRoad`` points
  are road coordinates ``(s, t)``, ``cornerLocal`` points local ``(u, v)``;
* a circle of ``radius`` (a 16-gon);
* a ``length`` (along u) by ``width`` (along v) rectangle centred on the origin;
* nothing (a point object).

``repeat`` (clause 13.3) copies the object every ``distance`` metres from ``repeat@s`` over
``repeat@length`` with t, width, length and radius interpolated linearly between their start
and end values; ``distance = 0`` makes one continuous object: a strip ``width`` wide along the
road, or a polyline when it has no width (railings, as in esmini's e6mini.xodr).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from maps.errors import MapsError

if TYPE_CHECKING:  # pragma: no cover
    from maps.road import Road

MAX_INSTANCES = 100_000
"""Most instances one ``repeat`` may create (untrusted input: a tiny distance over a long
road would otherwise exhaust memory)."""
CIRCLE_POINTS = 16
STRIP_STEP = 2.0
"""Sampling step [m] along s of continuous (``distance = 0``) repeated objects."""

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class RoadObject:
    """One object (one instance of a repeated object) with its world footprint.

    Attributes:
        id, name: ``object@id`` and ``@name``. road_id: the road it belongs to.
        type, subtype: ``crosswalk``, ``parkingSpace``, ``pole``, ``none``/``busStop``... as
            written (1.4 types such as ``parkingSpace`` and 1.8 types both kept).
        s, t: road coordinates of the origin [m]. x, y, z: its inertial position [m]
            (z = road surface + zOffset). h: heading of the local u axis [rad].
        orientation: ``+``, ``-`` or ``none``. length, width, radius, height: [m] or None.
        outlines: world footprint rings [(x, y) m]: closed polygons (first point not
            repeated) or, when ``closed`` is False, open polylines.
        closed: False for line-like objects (continuous zero-width repeats, open outlines).
        validity: ``(fromLane, toLane)`` ranges. repeat_index: instance number or None.
        line: source line of the ``object`` element.
    """

    id: str
    road_id: str
    type: str
    subtype: str
    name: str
    s: float
    t: float
    x: float
    y: float
    z: float
    h: float
    orientation: str = "none"
    length: float | None = None
    width: float | None = None
    radius: float | None = None
    height: float | None = None
    outlines: tuple[Ring, ...] = ()
    closed: bool = True
    validity: tuple[tuple[int, int], ...] = ()
    repeat_index: int | None = None
    line: int | None = None

    @property
    def is_crosswalk(self) -> bool:
        """True for ``type="crosswalk"`` (1.4-1.7) or ``subtype="crosswalk"`` (1.8 road
        marks)."""
        return self.type == "crosswalk" or self.subtype == "crosswalk"

    @cached_property
    def polygon(self):
        """The footprint as a shapely geometry (Polygon or MultiPolygon, inertial frame [m]),
        or None for point objects and open polylines; computed once."""
        import shapely
        rings = [r for r in self.outlines if len(r) >= 3] if self.closed else []
        if not rings:
            return None
        polys = [shapely.make_valid(shapely.Polygon(r)) for r in rings]
        return polys[0] if len(polys) == 1 else shapely.unary_union(polys)


def _clamp(road: Road, s: float) -> float:
    return min(max(s, 0.0), road.length)


def _local_frame(road: Road, s: float, t: float, hdg: float):
    """``(x, y, z, heading)`` of an object's origin; heading of the local u axis."""
    x, y, z, h, _, _ = road.position(_clamp(road, s), t)
    return x, y, z, h + hdg


def _rect(x: float, y: float, h: float, length: float, width: float) -> Ring:
    c, sn = math.cos(h), math.sin(h)
    pts = ((0.5 * length, 0.5 * width), (-0.5 * length, 0.5 * width),
           (-0.5 * length, -0.5 * width), (0.5 * length, -0.5 * width))
    return tuple((x + u * c - v * sn, y + u * sn + v * c) for u, v in pts)


def _circle(x: float, y: float, radius: float) -> Ring:
    return tuple((x + radius * math.cos(2 * math.pi * k / CIRCLE_POINTS),
                  y + radius * math.sin(2 * math.pi * k / CIRCLE_POINTS))
                 for k in range(CIRCLE_POINTS))


def _outlines(rd, el, road: Road, origin) -> tuple[list[Ring], bool]:
    """Rings of the object's ``outline`` elements (cornerRoad/cornerLocal); closed flag."""
    x0, y0, _, h0 = origin
    c, sn = math.cos(h0), math.sin(h0)
    rings, closed = [], True
    for ol in (*el.findall("outline"), *el.findall("outlines/outline")):
        pts: list[tuple[float, float]] = []
        for cr in ol.findall("cornerRoad"):
            x, y = road.position(_clamp(road, rd.num(cr, "s")), rd.num(cr, "t"))[:2]
            pts.append((x, y))
        for cl in ol.findall("cornerLocal"):
            u, v = rd.num(cl, "u"), rd.num(cl, "v")
            pts.append((x0 + u * c - v * sn, y0 + u * sn + v * c))
        if len(pts) >= 2 and pts[0] == pts[-1]:
            pts.pop()
        if pts:
            rings.append(tuple(pts))
            closed = closed and ol.get("closed", "true") != "false"
    return rings, closed


def _footprint(rd, el, road: Road, origin, length, width, radius) -> tuple[list[Ring], bool]:
    rings, closed = _outlines(rd, el, road, origin)
    if rings:
        return rings, closed
    x, y, _, h = origin
    if radius:
        return [_circle(x, y, radius)], True
    if length and width:
        return [_rect(x, y, h, length, width)], True
    return [], True


def _dims(rd, el) -> dict:
    return {k: (rd.num(el, k, -1.0) if el.get(k) is not None else None)
            for k in ("length", "width", "radius", "height")}


def _make(rd, el, road: Road, s: float, t: float, dims: dict, zoff: float,
          index: int | None) -> RoadObject:
    hdg = rd.num(el, "hdg", 0.0)
    origin = _local_frame(road, s, t, hdg)
    rings, closed = _footprint(rd, el, road, origin, dims["length"], dims["width"],
                               dims["radius"])
    validity = tuple((rd.integer(v, "fromLane"), rd.integer(v, "toLane"))
                     for v in el.findall("validity"))
    return RoadObject(id=el.get("id", ""), road_id=road.id, type=el.get("type", "none"),
                      subtype=el.get("subtype", ""), name=el.get("name", ""), s=s, t=t,
                      x=origin[0], y=origin[1], z=origin[2] + zoff, h=origin[3],
                      orientation=el.get("orientation", "none"), length=dims["length"],
                      width=dims["width"], radius=dims["radius"], height=dims["height"],
                      outlines=tuple(rings), closed=closed, validity=validity,
                      repeat_index=index, line=el.sourceline)


def _lerp(rd, rep, name: str, fallback: float | None, f: float) -> float | None:
    """``repeat@<name>Start`` -> ``<name>End`` at fraction ``f``; ``fallback`` (the object's
    own value) when the repeat does not give the start value."""
    a = rd.num(rep, name + "Start") if rep.get(name + "Start") is not None else fallback
    if a is None:
        return None
    b = rd.num(rep, name + "End") if rep.get(name + "End") is not None else a
    return a + (b - a) * f


def _strip(rd, el, rep, road: Road, dims: dict, zoff: float) -> RoadObject:
    """A continuous repeated object: a strip (or polyline) along the road, sampled every
    :data:`STRIP_STEP` along s at the reference line's pose (the strip's border points are
    offset laterally from it in the plane, as :meth:`Road.position` places them)."""
    s0, length = rd.num(rep, "s"), rd.num(rep, "length")
    n = max(1, int(math.ceil(length / STRIP_STEP)))
    t_start, t_end = _lerp(rd, rep, "t", rd.num(el, "t", 0.0), 0.0), \
        _lerp(rd, rep, "t", rd.num(el, "t", 0.0), 1.0)
    w_start = _lerp(rd, rep, "width", dims["width"], 0.0) or 0.0
    w_end = _lerp(rd, rep, "width", dims["width"], 1.0) or 0.0
    pose = road.reference_line.pose
    left, right, mid = [], [], []
    for k in range(n + 1):
        f = k / n
        x, y, h = pose(_clamp(road, s0 + length * f))
        t = t_start + (t_end - t_start) * f
        half = 0.5 * (w_start + (w_end - w_start) * f)
        nx, ny = -math.sin(h), math.cos(h)
        left.append((x + (t + half) * nx, y + (t + half) * ny))
        right.append((x + (t - half) * nx, y + (t - half) * ny))
        mid.append((x + t * nx, y + t * ny))
    base = _make(rd, el, road, s0, rd.num(rep, "tStart", rd.num(el, "t", 0.0)), dims, zoff, 0)
    if w_start > 0.0:
        return _replace(base, tuple(left + right[::-1]), True)
    return _replace(base, tuple(mid), False)


def _replace(obj: RoadObject, ring: Ring, closed: bool) -> RoadObject:
    from dataclasses import replace
    return replace(obj, outlines=(ring,), closed=closed)


def _repeat(rd, el, rep, road: Road, dims: dict) -> list[RoadObject]:
    """Instances of one ``repeat`` element."""
    distance, length = rd.num(rep, "distance", 0.0), rd.num(rep, "length", 0.0)
    zoff = rd.num(rep, "zOffsetStart", rd.num(el, "zOffset", 0.0))
    if distance <= 0.0:
        return [_strip(rd, el, rep, road, dims, zoff)]
    count = int(math.floor(length / distance + 1e-9)) + 1
    if count > MAX_INSTANCES:
        raise rd.error(rep, f"repeat gives {count} instances (at most {MAX_INSTANCES})")
    out = []
    for k in range(count):
        f = k * distance / length if length > 0 else 0.0
        kd = {"length": _lerp(rd, rep, "length", dims["length"], f),
              "width": _lerp(rd, rep, "width", dims["width"], f),
              "radius": _lerp(rd, rep, "radius", dims["radius"], f),
              "height": _lerp(rd, rep, "height", dims["height"], f)}
        t = _lerp(rd, rep, "t", rd.num(el, "t", 0.0), f)
        out.append(_make(rd, el, road, rd.num(rep, "s") + k * distance, t, kd, zoff, k))
    return out


def read_objects(rd, road_el, road: Road) -> list[RoadObject]:
    """The objects of one ``road`` element (repeats expanded), with world footprints.

    Args:
        rd: the parser's attribute reader (``num``, ``error``; see :mod:`maps.parser`).
        road_el: the ``road`` XML element. road: the parsed :class:`~maps.road.Road`.

    Raises:
        MapsError: a malformed number, or a repeat giving more than :data:`MAX_INSTANCES`.
    """
    out: list[RoadObject] = []
    for el in road_el.findall("objects/object"):
        dims = _dims(rd, el)
        for key, val in dims.items():
            if val is not None and val < 0.0:
                raise MapsError(f"object {el.get('id', '')}: {key}={val} (expected >= 0)",
                                file=rd.path, line=el.sourceline, element="object")
        reps = el.findall("repeat")
        if not reps:
            out.append(_make(rd, el, road, rd.num(el, "s"), rd.num(el, "t"), dims,
                             rd.num(el, "zOffset", 0.0), None))
        for rep in reps:
            out += _repeat(rd, el, rep, road, dims)
    return out
