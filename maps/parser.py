"""Read an OpenDRIVE 1.4-1.8 file into :mod:`maps.model` records (untrusted XML).

The file is parsed with lxml without entity expansion, DTD loading or network access; every
record keeps its source line so errors can name it. Structural problems (missing required
attribute, non-numeric or out-of-range value, wrong root, revMajor other than 1, lane ids of
the wrong sign or repeated in a section) raise :class:`~maps.errors.MapsError` at once;
consistency problems (lengths, links, widths) are collected as :class:`~maps.errors.Issue`
by :mod:`maps.validate`.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from operator import itemgetter

from lxml import etree

from testzone.numbers import xsd_double
from testzone.text import is_utf8_path, readable_path


from maps.errors import MapsError
from maps.geometry import Arc, Line, ParamPoly3, Poly3, Spiral
from maps.geometry.base import Geometry
from maps.model import (Connection, Controller, Junction, Lane, LaneSection, RoadLink, RoadMark,
                        RoadType)
from maps.objects import RoadObject, read_objects
from maps.polynomial import Cubic, Piecewise
from maps.reference_line import ReferenceLine
from maps.road import Road

MAX_CURVATURE = 1.0
"""Largest |curvature| [1/m] accepted in ``arc`` and ``spiral`` records (``maps.validate``
holds paramPoly3 and poly3 to it too): a 1 m radius. No vehicle turns tighter (the tightest
of the reference maps, esmini's soderleden, is 0.4 /m); tighter values are typos or hostile
input, and a tighter reference line winds its lanes' areas over themselves (a 100 m arc of
radius 0.1 m circles 159 times: the drivable area's polygon union then ran for over 11
minutes inside GEOS, beyond the reach of any signal)."""

MAX_MAGNITUDE = 1e9
"""Largest magnitude accepted for any number read (1e6 km in metres): projected coordinates,
lengths and polynomial coefficients of real maps stay far below it, while values near the
float limit overflow to inf/NaN in positions, plots and Newton iterations downstream."""

MAX_ROAD_LENGTH = 1e6
"""Longest road accepted [m] (1000 km): a whole motorway as one road stays far below it,
while the per-road work of lookups, areas and lane walks grows with the length (a 1e9 m road
passed the number check and hung every run on it)."""

_SPEED_UNITS = {"m/s": 1.0, "km/h": 1.0 / 3.6, "mph": 0.44704}
"""Speed unit factors to m/s (OpenDRIVE 1.8 clause 2.4 "Units"; 1 mph = 0.44704 m/s exactly)."""


@dataclass
class RawSignal:
    """A signal or signalReference as read, before its world position is computed."""

    road_id: str
    attrs: dict
    is_reference: bool
    line: int | None
    validity: tuple[tuple[int, int], ...] = ()
    inertial: tuple[float, float, float, float] | None = None
    """``positionInertial`` (x, y, z [m], hdg [rad]) when the signal gives one."""


@dataclass
class ParsedFile:
    """Everything read from one file."""

    path: str
    roads: dict[str, Road] = field(default_factory=dict)
    junctions: dict[str, Junction] = field(default_factory=dict)
    signals: list[RawSignal] = field(default_factory=list)
    controllers: list[Controller] = field(default_factory=list)
    objects: list[RoadObject] = field(default_factory=list)
    geo_reference: str | None = None
    offset: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    version: tuple[int, int] = (1, 4)
    header_line: int | None = None
    link_notes: list[tuple[str, int | None]] = field(default_factory=list)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True)


_NO_RECORDS = Piecewise()
"""The record set of every absent polynomial (immutable, so shared)."""


class _Reader:
    """Helpers that read attributes with file/line/element in every error."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._single: dict[tuple, Piecewise] = {}

    def error(self, el, message: str) -> MapsError:
        """A MapsError naming this file, the element's source line and tag."""
        return MapsError(message, file=self.path, line=el.sourceline, element=el.tag)

    def num(self, el, name: str, default: float | None = None) -> float:
        """Attribute ``name`` as a finite float of magnitude <= :data:`MAX_MAGNITUDE`;
        ``default`` when absent (None: required)."""
        raw = el.get(name)
        if raw is None:
            if default is None:
                raise self.error(el, f"missing attribute {name!r} (a number)")
            return default
        try:
            v = xsd_double(raw)
        except ValueError:
            raise self.error(el, f"attribute {name}={raw!r} is not a number") from None
        if -MAX_MAGNITUDE <= v <= MAX_MAGNITUDE:  # the common case (false for nan and inf)
            return v
        if not math.isfinite(v):
            raise self.error(el, f"attribute {name}={raw!r} is not finite")
        if abs(v) > MAX_MAGNITUDE:
            raise self.error(el, f"attribute {name}={raw!r} is out of range (expected "
                             f"|{name}| <= {MAX_MAGNITUDE:g})")
        return v

    def integer(self, el, name: str, default: int | None = None) -> int:
        """Attribute ``name`` as an integer (``"2"`` or ``"2.0"``); ``default`` when absent
        (None: required). A fractional value is an error, not truncated."""
        raw = el.get(name)
        if raw is None and default is not None:
            return default
        try:  # the common case: an integer literal within range (the value num gives)
            v = int(raw)
            if -MAX_MAGNITUDE <= v <= MAX_MAGNITUDE:
                return v
        except (TypeError, ValueError):
            pass
        v = self.num(el, name)
        if v != int(v):
            raise self.error(el, f"attribute {name}={el.get(name)!r} is not an integer")
        return int(v)

    def curvature(self, el, name: str) -> float:
        """Required curvature attribute ``name`` [1/m], at most :data:`MAX_CURVATURE` in
        magnitude."""
        k = self.num(el, name)
        if abs(k) > MAX_CURVATURE:
            raise self.error(el, f"{name}={el.get(name)} 1/m is a radius of {1.0 / abs(k):.3g} m "
                             f"(expected |{name}| <= {MAX_CURVATURE:g} 1/m, a radius of at "
                             f"least {1.0 / MAX_CURVATURE:g} m)")
        return k

    def text(self, el, name: str, default: str | None = None) -> str:
        """Attribute ``name`` as text; ``default`` when absent (None: required)."""
        raw = el.get(name)
        if raw is None:
            if default is None:
                raise self.error(el, f"missing attribute {name!r}")
            return default
        return raw

    def cubics(self, els, start_attr: str) -> Piecewise:
        """Polynomial records (``a``..``d``, start in ``start_attr``) as a Piecewise. Absent
        records give a shared empty Piecewise, and one record whose attributes repeat an
        earlier one's (most lane widths of a map) the Piecewise read for it then."""
        if not els:
            return _NO_RECORDS
        num = self.num
        if len(els) == 1:
            e = els[0]
            key = (start_attr, e.get(start_attr), e.get("a"), e.get("b"), e.get("c"),
                   e.get("d"))
            pw = self._single.get(key)
            if pw is None:
                pw = self._single[key] = Piecewise([Cubic(
                    num(e, start_attr, 0.0), num(e, "a", 0.0), num(e, "b", 0.0),
                    num(e, "c", 0.0), num(e, "d", 0.0))])
            return pw
        return Piecewise([Cubic(num(e, start_attr, 0.0), num(e, "a", 0.0), num(e, "b", 0.0),
                                num(e, "c", 0.0), num(e, "d", 0.0)) for e in els])

    def speed(self, el) -> float | None:
        """``max``/``unit`` of a speed record in m/s; None for no limit/undefined. A negative
        ``max`` is refused (OpenDRIVE ``t_maxSpeed``: a number >= 0 or ``no limit`` /
        ``undefined``): the evaluator's speeding ratio took -50 km/h as a limit."""
        raw = el.get("max")
        if raw is None or raw.strip().lower() in ("no limit", "undefined", ""):
            return None
        unit = el.get("unit", "m/s")
        if unit not in _SPEED_UNITS:
            raise self.error(el, f"speed unit {unit!r} unknown (expected m/s, km/h or mph)")
        value = self.num(el, "max")
        if value < 0.0:
            raise self.error(el, f"speed max={raw.strip()}: expected a number >= 0, 'no limit' "
                                 f"or 'undefined' (OpenDRIVE t_maxSpeed)")
        return value * _SPEED_UNITS[unit]


MAX_MAP_BYTES = 1024 ** 3
"""Largest .xodr read [bytes]: city-scale HD maps take hundreds of megabytes (the Wuhan test
zone, 106 km, takes 5 MB)."""


def read_tree(path: str | os.PathLike) -> etree._ElementTree:
    """Parse ``path`` safely; MapsError when missing, unreadable, larger than
    :data:`MAX_MAP_BYTES`, not XML or not OpenDRIVE."""
    path = os.fspath(path)
    if not is_utf8_path(path):
        raise MapsError("the file name is not valid UTF-8 (rename the file)",
                        file=readable_path(path))
    if not os.path.isfile(path):
        what = ("is a directory" if os.path.isdir(path) else
                "is not a regular file" if os.path.exists(path) else "file not found")
        raise MapsError(f"{what} (expected an OpenDRIVE .xodr file)", file=path)
    size = os.path.getsize(path)
    if size > MAX_MAP_BYTES:
        raise MapsError(f"{size} bytes: larger than the {MAX_MAP_BYTES} accepted for a map",
                        file=path)
    try:
        with open(path, "rb") as fh:   # bytes, not a path: libxml2 would inflate gzip itself
            data = fh.read(size + 1)    # (a 0.5 MB file became 3.7 GB); read(n) allocates n
    except OSError as exc:
        raise MapsError(f"cannot read file: {exc}", file=path) from None
    if len(data) > size:
        raise MapsError(f"the file grew while it was read (beyond its {size} bytes)", file=path)
    if data[:2] == b"\x1f\x8b":
        raise MapsError("a gzip-compressed file: expected plain OpenDRIVE XML (decompress it "
                        "first)", file=path)
    try:
        tree = etree.fromstring(data, _parser(), base_url=path).getroottree()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        raise MapsError(f"not well-formed XML: {exc.msg}", file=path, line=line) from None
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # libxml2 still substitutes internal entities inside attribute values even with
        # resolve_entities=False, so refuse them outright (defusedxml's forbid_entities rule)
        raise MapsError("the DOCTYPE declares entities (not accepted in OpenDRIVE input)",
                        file=path, line=1, element="!DOCTYPE")
    root = tree.getroot()
    if root.tag != "OpenDRIVE":
        raise MapsError(f"root element is <{root.tag}>, expected <OpenDRIVE>", file=path,
                        line=root.sourceline, element=str(root.tag))
    return tree


def _geometry(rd: _Reader, g) -> Geometry:
    geometry = _geometry_shape(rd, g)
    geometry.line = g.sourceline
    return geometry


def _geometry_shape(rd: _Reader, g) -> Geometry:
    args = (rd.num(g, "s"), rd.num(g, "x"), rd.num(g, "y"), rd.num(g, "hdg"),
            rd.num(g, "length"))
    if args[4] <= 0:
        raise rd.error(g, f"length={args[4]} (expected > 0)")
    kids = [k for k in g if isinstance(k.tag, str)]
    if not kids:
        raise rd.error(g, "no shape child (expected line, arc, spiral, poly3 or paramPoly3)")
    k = kids[0]
    if k.tag == "line":
        return Line(*args)
    if k.tag == "arc":
        return Arc(*args, rd.curvature(k, "curvature"))
    if k.tag == "spiral":
        return Spiral(*args, rd.curvature(k, "curvStart"), rd.curvature(k, "curvEnd"))
    if k.tag == "poly3":
        return Poly3(*args, *(rd.num(k, n) for n in "abcd"))
    if k.tag == "paramPoly3":
        u = tuple(rd.num(k, n + "U") for n in "abcd")
        v = tuple(rd.num(k, n + "V") for n in "abcd")
        prange = k.get("pRange", "normalized")
        if prange not in ("normalized", "arcLength"):
            raise rd.error(k, f"pRange={prange!r} (expected 'normalized' or 'arcLength')")
        return ParamPoly3(*args, u, v, args[4] if prange == "arcLength" else 1.0)
    raise rd.error(k, "unknown geometry (expected line, arc, spiral, poly3 or paramPoly3)")


def _link(rd: _Reader, el) -> RoadLink | None:
    if el is None:
        return None
    etype = rd.text(el, "elementType")
    if etype not in ("road", "junction"):
        raise rd.error(el, f"elementType={etype!r} (expected 'road' or 'junction')")
    cp = el.get("contactPoint")
    if etype == "road" and cp is not None and cp not in ("start", "end"):
        raise rd.error(el, f"contactPoint={cp!r} (expected 'start' or 'end' for a road link)")
    return RoadLink(etype, rd.text(el, "elementId"), cp if etype == "road" else None,
                    el.sourceline)


def _road_marks(rd: _Reader, recs: list, s0: float, s1: float) -> tuple[RoadMark, ...]:
    """``roadMark`` records of a lane in the section ``[s0, s1]`` with absolute s ranges."""
    offsets = [rd.num(m, "sOffset", 0.0) for m in recs]
    if len(recs) > 1:
        order = sorted(range(len(recs)), key=offsets.__getitem__)
        recs, offsets = [recs[k] for k in order], [offsets[k] for k in order]
    out = []
    for i, m in enumerate(recs):
        start = s0 + offsets[i]
        end = s0 + offsets[i + 1] if i + 1 < len(recs) else s1
        width = rd.num(m, "width", -1.0)
        out.append(RoadMark(start, max(end, start), m.get("type", "none"),
                            m.get("weight", "standard"), m.get("color", "standard"),
                            width if width >= 0.0 else None, m.get("laneChange"),
                            m.sourceline))
    return tuple(out)


_LANE_CHILDREN = frozenset(("link", "width", "border", "speed", "height", "roadMark"))


def _lane(rd: _Reader, el, s0: float = 0.0, s1: float = 0.0) -> Lane:
    """One ``lane`` element (children read in a single pass: this runs for every lane of
    every section, the bulk of a large file)."""
    kids: dict[str, list] = {}
    for ch in el:
        tag = ch.tag
        if tag in _LANE_CHILDREN:
            lst = kids.get(tag)
            if lst is None:
                kids[tag] = [ch]
            else:
                lst.append(ch)
    pred = succ = None
    for link in kids.get("link", ()):
        for ch in link:
            if ch.tag == "predecessor":
                pred = rd.integer(ch, "id")
            elif ch.tag == "successor":
                succ = rd.integer(ch, "id")
    speeds = tuple(sorted(((rd.num(sp, "sOffset", 0.0), rd.speed(sp))
                          for sp in kids["speed"]), key=lambda r: r[0])) \
        if "speed" in kids else ()
    heights = tuple(sorted((rd.num(h, "sOffset", 0.0), rd.num(h, "inner", 0.0),
                            rd.num(h, "outer", 0.0)) for h in kids["height"])) \
        if "height" in kids else ()
    marks = kids.get("roadMark")
    return Lane(id=rd.integer(el, "id"), type=el.get("type", "none"),
                width=rd.cubics(kids.get("width"), "sOffset"),
                border=rd.cubics(kids.get("border"), "sOffset"),
                predecessor=pred, successor=succ, speeds=speeds, heights=heights,
                road_marks=_road_marks(rd, marks, s0, s1) if marks else (),
                level=el.get("level", "false").strip() in ("true", "1"),
                direction=el.get("direction", "standard").strip(), line=el.sourceline)


def _sides(sec) -> tuple[list, list, list]:
    """The ``lane`` children of ``sec``'s ``left``, ``right`` and ``center`` (one pass of
    direct iteration: cheaper than lxml path searches, and this runs for every section)."""
    sides: dict[str, list] = {"left": [], "right": [], "center": []}
    for part in sec:
        lst = sides.get(part.tag)
        if lst is not None:
            lst += [ln for ln in part if ln.tag == "lane"]
    return sides["left"], sides["right"], sides["center"]


_SIDE_SIGNS = (("left", 1, "> 0"), ("right", -1, "< 0"), ("center", 0, "0"))
"""Each ``laneSection`` side with the sign its lane ids must have (ASAM OpenDRIVE 1.8 clause
11.3: left lanes are numbered 1, 2... outward, right lanes -1, -2..., the centre lane is 0)."""


def _lane_ids(rd: _Reader, sides: tuple[list[Lane], list[Lane], list[Lane]]) -> None:
    """MapsError for a lane id of the wrong sign for its side (left, right, centre) or one
    that appears twice in the section."""
    seen: dict[int, Lane] = {}
    for (side, sign, expected), lanes in zip(_SIDE_SIGNS, sides):
        for ln in lanes:
            if (ln.id > 0) - (ln.id < 0) != sign:
                raise MapsError(f"lane id={ln.id} in <{side}> (expected an id {expected})",
                                file=rd.path, line=ln.line, element="lane")
            if ln.id in seen:
                raise MapsError(f"lane id={ln.id} appears twice in one laneSection (first on "
                                f"line {seen[ln.id].line}; expected unique lane ids)",
                                file=rd.path, line=ln.line, element="lane")
            seen[ln.id] = ln


def _carried(lane: Lane, prev_s: float, start: float, end: float) -> Lane:
    """``lane`` of the section starting at ``prev_s`` [m] carried on into a ``singleSide``
    section ``[start, end]`` that does not describe its side: the same lane, its records
    re-based to the new section start (each record's ``sOffset`` minus the shift, so every
    polynomial keeps its values along s), linked to itself across the section border."""
    shift = start - prev_s

    def rebased(pw: Piecewise) -> Piecewise:
        return Piecewise([r._replace(start=r.start - shift) for r in pw.records])

    marks = [m for m in lane.road_marks if m.s_end > start - 1e-9] or list(lane.road_marks[-1:])
    marks = [m._replace(s_start=max(m.s_start, start),
                        s_end=end if k == len(marks) - 1 else m.s_end)
             for k, m in enumerate(marks)]
    return dataclasses.replace(
        lane, width=rebased(lane.width), border=rebased(lane.border),
        predecessor=lane.id, successor=lane.successor,
        speeds=tuple((o - shift, v) for o, v in lane.speeds),
        heights=tuple((o - shift, i, x) for o, i, x in lane.heights),
        road_marks=tuple(marks))


def _sections(rd: _Reader, lanes_el, length: float) -> list[LaneSection]:
    if lanes_el is None:
        raise MapsError("road has no <lanes>", file=rd.path, element="road")
    secs = sorted(((rd.num(e, "s"), e) for e in lanes_el if e.tag == "laneSection"),
                  key=itemgetter(0))
    if not secs:
        raise rd.error(lanes_el, "no <laneSection> (expected at least one)")
    out = []
    for i, (start, sec) in enumerate(secs):
        end = secs[i + 1][0] if i + 1 < len(secs) else length
        left_els, right_els, centre_els = _sides(sec)
        left = [_lane(rd, e, start, end) for e in left_els]
        right = [_lane(rd, e, start, end) for e in right_els]
        centre = [_lane(rd, e, start, end) for e in centre_els]
        _lane_ids(rd, (left, right, centre))
        left.sort(key=lambda ln: ln.id)
        right.sort(key=lambda ln: -ln.id)
        single = sec.get("singleSide", "false") == "true"
        if single and out and (not left or not right):
            # clause 11.2: a singleSide section describes one side; the other carries on
            if not left:
                left = [_carried(ln, out[-1].s, start, end) for ln in out[-1].left]
            else:
                right = [_carried(ln, out[-1].s, start, end) for ln in out[-1].right]
        out.append(LaneSection(s=start, end=end, left=left, right=right,
                               center=centre[0] if centre else None,
                               single_side=single,
                               line=sec.sourceline))
    return out


def _children(el) -> dict[str, list]:
    """The element children of ``el`` by tag, in document order (one pass: cheaper than
    several lxml path searches)."""
    out: dict[str, list] = {}
    for ch in el:
        tag = ch.tag
        lst = out.get(tag)
        if lst is None:
            out[tag] = [ch]
        else:
            lst.append(ch)
    return out


def _grandchildren(kids: dict[str, list], parent: str, tag: str) -> list:
    """The ``tag`` children of every ``parent`` child (lxml's ``findall("parent/tag")``)."""
    return [ch for p in kids.get(parent, ()) for ch in p if ch.tag == tag]


def _road(rd: _Reader, el) -> Road:
    rid = rd.text(el, "id")
    length = rd.num(el, "length")
    if not 0 < length <= MAX_ROAD_LENGTH:
        raise rd.error(el, f"road {rid}: length={el.get('length')} (expected > 0 and <= "
                           f"{MAX_ROAD_LENGTH:g} m)")
    kids = _children(el)
    pv = kids.get("planView", (None,))[0]
    geometry_els = [] if pv is None else [g for g in pv if g.tag == "geometry"]
    if not geometry_els:
        raise rd.error(el, f"road {rid}: no planView geometry")
    geoms = [_geometry(rd, g) for g in geometry_els]
    link = kids.get("link", (None,))[0]
    types = []
    for t in kids.get("type", ()):
        sp = t.find("speed")
        types.append(RoadType(rd.num(t, "s", 0.0), t.get("type", "unknown"),
                              rd.speed(sp) if sp is not None else None))
    rule = el.get("rule", "RHT")
    road = Road(id=rid, name=el.get("name", ""), length=length,
                junction=el.get("junction", "-1"),
                reference_line=ReferenceLine(geoms, length),
                sections=_sections(rd, kids.get("lanes", (None,))[0], length),
                elevation=rd.cubics(_grandchildren(kids, "elevationProfile", "elevation"), "s"),
                superelevation=rd.cubics(_grandchildren(kids, "lateralProfile",
                                                        "superelevation"), "s"),
                lane_offset=rd.cubics(_grandchildren(kids, "lanes", "laneOffset"), "s"),
                predecessor=_link(rd, link.find("predecessor")) if link is not None else None,
                successor=_link(rd, link.find("successor")) if link is not None else None,
                types=sorted(types, key=lambda t: t.s), rule=rule if rule in ("RHT", "LHT")
                else "RHT", line=el.sourceline)
    return road


def _connecting(rd: _Reader, c) -> str:
    # OpenDRIVE 1.7 direct junctions name the road entered with linkedRoad (clause 12.5)
    rid = c.get("connectingRoad") or c.get("linkedRoad")
    if rid is None:
        raise rd.error(c, "missing attribute 'connectingRoad' (or 'linkedRoad')")
    return rid


VIRTUAL_JUNCTION_ATTRIBUTES = ("mainRoad", "sStart", "sEnd", "orientation")
"""Attributes only a virtual junction has (ASAM OpenDRIVE 1.8, clause 12.7)."""


def _junction(rd: _Reader, el) -> Junction:
    j = Junction(id=rd.text(el, "id"), name=el.get("name", ""),
                 type=el.get("type", "default"), line=el.sourceline,
                 cross_paths=len(el.findall("crossPath")),
                 virtual_attributes=tuple(a for a in VIRTUAL_JUNCTION_ATTRIBUTES
                                          if a in el.attrib))
    for c in el.findall("connection"):
        links = tuple((rd.integer(ll, "from"), rd.integer(ll, "to"))
                      for ll in c.findall("laneLink"))
        cp = c.get("contactPoint", "start")
        if cp not in ("start", "end"):
            raise rd.error(c, f"contactPoint={cp!r} (expected 'start' or 'end')")
        j.connections.append(Connection(id=c.get("id", ""),
                                        incoming_road=rd.text(c, "incomingRoad"),
                                        connecting_road=_connecting(rd, c),
                                        contact_point=cp, lane_links=links, line=c.sourceline))
    return j


def _signals(rd: _Reader, road_el, road_id: str) -> list[RawSignal]:
    """``signal`` and ``signalReference`` records of a road, with their ``validity`` ranges
    and ``positionInertial`` (clause 14)."""
    out = []
    for tag, is_ref in (("signals/signal", False), ("signals/signalReference", True)):
        for sg in road_el.findall(tag):
            validity = tuple((rd.integer(v, "fromLane"), rd.integer(v, "toLane"))
                             for v in sg.findall("validity"))
            pi = sg.find("positionInertial")
            inertial = None if pi is None else (rd.num(pi, "x"), rd.num(pi, "y"),
                                                rd.num(pi, "z", 0.0), rd.num(pi, "hdg", 0.0))
            out.append(RawSignal(road_id, dict(sg.attrib), is_ref, sg.sourceline, validity,
                                 inertial))
    return out


def _controller(el) -> Controller:
    """A top-level ``controller`` with the ``signalId`` of each ``control`` child (clause
    14.6 requires both attributes; a missing one is read as "" and ``map check`` warns that
    it names no signal, as esmini loads such files)."""
    return Controller(id=el.get("id", ""), name=el.get("name", ""),
                      controls=tuple((c.get("signalId", ""), c.sourceline)
                                     for c in el.findall("control")),
                      line=el.sourceline)


def _version(rd: _Reader, header) -> tuple[int, int]:
    """``(revMajor, revMinor)`` of the header; MapsError unless revMajor is 1 (this reader
    follows OpenDRIVE 1.4-1.8; a new major revision is not compatible by definition)."""
    major, minor = rd.integer(header, "revMajor", 1), rd.integer(header, "revMinor", 4)
    if major != 1:
        raise rd.error(header, f"revMajor={major} (expected 1: OpenDRIVE 1.x is read)")
    if minor < 0:
        raise rd.error(header, f"revMinor={minor} (expected >= 0)")
    return major, minor


def parse_file(path: str | os.PathLike) -> ParsedFile:
    """Read an OpenDRIVE file into records; MapsError on structural problems. Every issue
    and error names the file by its absolute path."""
    path = os.path.abspath(os.fspath(path))
    tree = read_tree(path)
    rd = _Reader(path)
    root = tree.getroot()
    out = ParsedFile(path=path)
    header = root.find("header")
    if header is not None:
        out.header_line = header.sourceline
        out.version = _version(rd, header)
        geo = header.find("geoReference")
        if geo is not None and (geo.text or "").strip():
            out.geo_reference = geo.text.strip()
        off = header.find("offset")
        if off is not None:
            out.offset = tuple(rd.num(off, n, 0.0) for n in ("x", "y", "z", "hdg"))
    for el in root.findall("road"):
        road = _road(rd, el)
        if road.id in out.roads:
            raise rd.error(el, f"duplicate road id {road.id!r}")
        out.roads[road.id] = road
        out.signals += _signals(rd, el, road.id)
        out.objects += read_objects(rd, el, road)
    for el in root.findall("junction"):
        j = _junction(rd, el)
        out.junctions[j.id] = j
    out.controllers = [_controller(el) for el in root.findall("controller")]
    _infer_contact_points(out)
    return out


def _infer_contact_points(out: ParsedFile) -> None:
    """A road link without ``contactPoint`` (optional in the 1.4/1.5 schemas; required for
    road links from 1.6) is taken to the linked road's end nearest to this road's own end,
    and noted in ``out.link_notes`` (``maps.validate`` warns)."""
    for road in out.roads.values():
        for kind in ("predecessor", "successor"):
            link = getattr(road, kind)
            if link is None or link.element_type != "road" or link.contact_point is not None:
                continue
            other = out.roads.get(link.element_id)
            if other is None:
                continue  # a missing road: maps.validate reports the link
            x, y, _ = road.reference_line.pose(0.0 if kind == "predecessor" else road.length)
            ends = {}
            for cp, s in (("start", 0.0), ("end", other.length)):
                ox, oy, _ = other.reference_line.pose(s)
                ends[cp] = math.hypot(ox - x, oy - y)
            cp = min(ends, key=ends.__getitem__)
            setattr(road, kind, RoadLink(link.element_type, link.element_id, cp, link.line))
            out.link_notes.append((f"road {road.id}: {kind} link to road {link.element_id} has "
                                   f"no contactPoint; taken as '{cp}' (the nearer end, "
                                   f"{ends[cp]:.3f} m away)", road.line))
