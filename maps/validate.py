"""Consistency checks of a parsed OpenDRIVE file (errors and warnings as :class:`Issue`).

Errors (the file is rejected by :func:`maps.load_opendrive`): geometry lengths that do not add
up to ``road@length``, a geometry ``s`` that does not follow its predecessor, a link to a
missing road or junction, a junction connection naming a missing road, a lane section
starting beyond the road length, a lane width below zero anywhere in its lane section (the
exact minimum of each ``width``/``border`` record, not samples). Warnings (``map check``
lists them; the map still loads, as esmini loads such files): a gap > 1 cm between the
reference lines of two linked roads outside junctions, lane links and junction laneLinks
naming lanes that do not exist (ASAM OpenDRIVE 1.8 clause 8.3: linked roads shall connect;
connecting roads inside junctions often start at a lane border instead, as in esmini's own
fabriksgatan.xodr, so they are not checked), a connecting road that is not one of its
junction's roads (``road@junction`` another id or -1), a signal or signal reference whose
``s`` lies outside ``[0, road length]``, a controller ``control`` naming no signal of the
map, a reference line whose next geometry does not start where the previous one ends
(more than 1 cm away).
"""

from __future__ import annotations

import math
import os

from testzone.numbers import xsd_double
from testzone.text import one_line
from maps.errors import Issue, MapsError
from maps.geo import GeoReference
from maps.model import Lane, LaneSection
from maps.parser import MAX_CURVATURE, ParsedFile, parse_file
from maps.polynomial import Cubic, Piecewise, combined
from maps.road import Road

LENGTH_TOL = 0.01
"""Tolerance [m] (plus 1e-6 relative) on geometry lengths and positions."""
GAP_WARN = 0.01
"""Distance [m] between linked road ends above which a warning is given."""
WIDTH_TOL = 1e-3
"""Most negative lane width [m] accepted (rounding in exporters)."""


PARAM_POLY3_LENGTH_REL = 0.01
"""Relative difference between a paramPoly3's arc length and its ``length`` above which the
map is warned about (exporters round; a real mismatch stretches every position)."""
CURVATURE_SAMPLES = 16
"""Points per geometry at which its curvature and the lanes inside the curve are checked."""
MAX_TURNING = 4 * math.pi
"""Largest total turning of one road's reference line [rad] (the integral of |curvature| over
its length): two full turns. The reference maps turn 2.5 pi at most (esmini's
curves_elevation; its velodrome loop 2 pi). A road winding round more often overlaps its own
lanes' area again and again: a 400 m arc of radius 1.01 m (63 turns) kept the drivable area's
polygon union in GEOS for over 10 minutes, beyond the reach of any signal."""


def _curvature_issues(road: Road, path: str) -> list[Issue]:
    """The first place of ``road`` whose reference line bends tighter than
    :data:`maps.parser.MAX_CURVATURE` (a paramPoly3 or poly3: arcs and spirals are held to it
    when read), or whose lanes on the inside of a bend reach its centre of
    curvature (t >= 1/k: their borders fold over, an offset curve needs 1 - k t > 0; ASAM
    OpenDRIVE 1.8 clause 9.3, lanes are offsets of the reference line): one error, at the
    first such place; or whose total turning exceeds :data:`MAX_TURNING` (trapezoids over the
    same samples: exact for lines and arcs)."""
    turning = 0.0
    for g in road.reference_line.geometries:
        ks = [g.curvature(g.length * i / CURVATURE_SAMPLES) for i in range(CURVATURE_SAMPLES + 1)]
        turning += sum(abs(a) + abs(b) for a, b in zip(ks, ks[1:])) * g.length / (
            2 * CURVATURE_SAMPLES)
        if turning > MAX_TURNING:
            return [Issue("error", f"road {road.id}: its reference line turns through "
                          f"{turning / (2 * math.pi):.1f} full turns by s={g.s + g.length:.3f} "
                          f"(more than the {MAX_TURNING / (2 * math.pi):g} accepted: a road "
                          f"winding round overlaps its own lanes)", path, g.line or road.line,
                          "geometry")]
        for i, k in enumerate(ks):
            ds = g.length * i / CURVATURE_SAMPLES
            s = min(g.s + ds, road.length)
            if abs(k) > MAX_CURVATURE:
                return [Issue("error", f"road {road.id}: the reference line bends with "
                              f"curvature {k:.4g} /m at s={s:.3f} (radius {1 / abs(k):.3g} m): "
                              f"more than the {MAX_CURVATURE:g} /m accepted (radius "
                              f"{1 / MAX_CURVATURE:g} m)", path, g.line or road.line,
                              "geometry")]
            if abs(k) < 1e-9:
                continue
            sec = road.section_at(s)
            inner = [road.lane_span(ln.id, s, sec)[1] for ln in (sec.left if k > 0 else
                                                                  sec.right)]
            reach = max((t * math.copysign(1.0, k) for t in inner), default=0.0)
            if reach >= 1.0 / abs(k):
                return [Issue("error", f"road {road.id}: at s={s:.3f} the lanes reach "
                              f"t={reach * math.copysign(1.0, k):.3f} m on the inside of a bend "
                              f"of radius {1 / abs(k):.3f} m: their borders fold over its "
                              f"centre (lanes are offsets of the reference line and need "
                              f"1 - k t > 0)", path, g.line or road.line, "geometry")]
    return []


MAX_SUPERELEVATION = 1.4
"""Largest |superelevation| [rad] accepted (80 degrees; esmini's velodrome banks at 60): a
road's cross section rolled towards 90 degrees is a wall, and its lanes' heights
(t tan(roll)) run to infinity (1.5707963 put a lane 6.5e7 m below its road)."""


def _superelevation_issues(road: Road, path: str) -> list[Issue]:
    """The first superelevation record of ``road`` whose roll reaches
    :data:`MAX_SUPERELEVATION` on its stretch (its exact extremes: :meth:`Cubic.lowest` of the
    record and of its negation), as an error (ASAM OpenDRIVE 1.8 clause 10.5)."""
    records = road.superelevation.records
    for i, r in enumerate(records):
        end = max(records[i + 1].start if i + 1 < len(records) else road.length, r.start)
        s_lo, lo = r.lowest(r.start, end)
        s_hi, neg_hi = Cubic(r.start, -r.a, -r.b, -r.c, -r.d).lowest(r.start, end)
        s_at, roll = (s_lo, lo) if -lo >= -neg_hi else (s_hi, -neg_hi)
        if abs(roll) >= MAX_SUPERELEVATION:
            return [Issue("error", f"road {road.id}: superelevation {roll:.4g} rad at "
                          f"s={s_at:.3f}: expected |roll| < {MAX_SUPERELEVATION:g} rad "
                          f"({math.degrees(MAX_SUPERELEVATION):.0f} degrees; nearer 90 the "
                          f"road is a wall)", path, road.line, "superelevation")]
    return []


def _geometry_issues(road: Road, path: str) -> list[Issue]:
    out = _curvature_issues(road, path)
    geoms = road.reference_line.geometries
    tol = LENGTH_TOL + 1e-6 * road.length
    if geoms and abs(geoms[0].s) > tol:
        out.append(Issue("error", f"road {road.id}: the plan view starts at s={geoms[0].s:g}, "
                         f"the road at s=0 (its first geometry has s=0, ASAM OpenDRIVE 1.8 "
                         f"clause 9.2)", path, geoms[0].line or road.line, "geometry"))
    if not road.reference_line.listed_in_order:
        out.append(Issue("warning", f"road {road.id}: the plan view's geometries are not "
                         f"listed in ascending s (ASAM OpenDRIVE 1.8 clause 9.2); read in "
                         f"order of s", path, road.line, "planView"))
    total = sum(g.length for g in geoms)
    if abs(total - road.length) > tol:
        out.append(Issue("error", f"road {road.id}: geometry lengths add up to {total:.4f} m, "
                         f"road@length is {road.length:.4f} m", path, road.line, "road"))
    for a, b in zip(geoms, geoms[1:]):
        if abs(a.s + a.length - b.s) > tol:
            out.append(Issue("error", f"road {road.id}: geometry at s={b.s} does not follow the "
                             f"previous one ending at s={a.s + a.length:.4f}", path,
                             b.line or road.line, "geometry"))
            continue
        ax, ay = a.pose(a.length)[:2]
        bx, by = b.pose(0.0)[:2]
        jump = math.hypot(bx - ax, by - ay)
        if jump > GAP_WARN:
            out.append(Issue("warning", f"road {road.id}: the reference line jumps {jump:.3f} m "
                             f"at s={b.s}: the previous geometry ends at ({ax:.3f}, {ay:.3f}), "
                             f"this one starts at ({bx:.3f}, {by:.3f}) (the plan view of "
                             f"a road is one continuous line)", path, b.line or road.line,
                             "geometry"))
    for g in geoms:
        curve = getattr(g, "curve_length", None)  # paramPoly3: its own arc length
        if curve is None or g.length <= tol:
            continue
        if curve <= tol:
            out.append(Issue("error", f"road {road.id}: paramPoly3 at s={g.s} has no extent "
                             f"(its u, v polynomials describe a point) but a length of "
                             f"{g.length:.4f} m", path, g.line or road.line, "geometry"))
        elif abs(curve - g.length) > max(tol, PARAM_POLY3_LENGTH_REL * g.length):
            out.append(Issue("warning", f"road {road.id}: paramPoly3 at s={g.s} is "
                             f"{curve:.4f} m long along its curve, geometry@length says "
                             f"{g.length:.4f} m (positions are stretched to fit)", path,
                             g.line or road.line, "geometry"))
    return out


WidthTerm = tuple[float, Piecewise, float]
"""``(factor, records, shift)``: ``factor * records.value(ds + shift)`` as a function of ``ds``
[m] from a lane section's start (``shift`` [m] moves road-s records such as the lane offset
into that frame)."""


def _width_terms(road: Road, sec: LaneSection, lane: Lane) -> list[WidthTerm]:
    """The width [m] of ``lane`` in ``sec`` as a sum of polynomial terms in ``ds``, as
    :meth:`Road.lane_span` computes it: its ``width`` records (ASAM OpenDRIVE 1.8 clause
    11.6.1), else its ``border`` (clause 11.6.2: the t of its outer border from the
    reference line, negative on the right) less its inner border, signed by side. The inner
    border is the ``border`` of the nearest border-given lane inside it, else the lane-offset
    line, moved out by the ``width`` records of the lanes in between."""
    if lane.width:
        return [(1.0, lane.width, 0.0)]
    side, lanes = (1.0, sec.left) if lane.id > 0 else (-1.0, sec.right)
    terms: list[WidthTerm] = [(side, lane.border, 0.0)]
    for inner in reversed([ln for ln in lanes if abs(ln.id) < abs(lane.id)]):  # outward
        if inner.width:
            terms.append((-1.0, inner.width, 0.0))
        elif inner.border:
            terms.append((-side, inner.border, 0.0))
            return terms
    if road.lane_offset:
        terms.append((-side, road.lane_offset, sec.s))
    return terms


def _in_section_frame(records: Piecewise, shift: float, ds: float) -> Cubic:
    """The record of ``records`` in force at section ``ds`` [m], its start moved into the
    section's ds frame (a road-s record such as the lane offset is ``shift`` [m] ahead)."""
    r = records.record_at(ds + shift)
    return r if shift == 0.0 else r._replace(start=r.start - shift)


def _lowest_sum(terms: list[WidthTerm], lo: float, hi: float) -> tuple[float, float]:
    """``(ds [m], value [m])`` where the sum of ``terms`` is lowest on ``[lo, hi]``, exactly:
    between consecutive record starts of all terms the sum is one cubic, whose minimum
    :meth:`Cubic.lowest` finds from its critical points and ends (no sampling)."""
    cuts = {lo, hi}
    for _, records, shift in terms:
        cuts.update(start - shift for start in records.starts_within(lo + shift, hi + shift))
    points = sorted(cuts)
    best = (lo, math.inf)
    for a, b in list(zip(points, points[1:])) or [(lo, hi)]:
        mid = 0.5 * (a + b)
        parts = [(factor, _in_section_frame(records, shift, mid))
                 for factor, records, shift in terms]
        # a lane's own width record (most lanes) needs no re-expansion
        piece = parts[0][1] if len(parts) == 1 and parts[0][0] == 1.0 else combined(parts, a)
        low = piece.lowest(a, b)
        if low[1] < best[1]:
            best = low
    return best


def _record_text(tag: str, r: Cubic) -> str:
    """A lane polynomial record as written: ``<width sOffset=0 a=3.5 b=-1.6 c=0.16 d=0>``."""
    return f"<{tag} sOffset={r.start:g} a={r.a:g} b={r.b:g} c={r.c:g} d={r.d:g}>"


def _width_issues(road: Road, sec: LaneSection, lane: Lane, path: str) -> list[Issue]:
    """Errors for a lane narrower than ``-WIDTH_TOL`` [m] somewhere in its lane section: one
    per ``width`` (or ``border``) record of the lane that makes it so, naming the s [m]
    where that record's width is lowest over the part of the section it covers (clause
    11.6: a record holds from its sOffset to the next record or the section end)."""
    tag = "width" if lane.width else "border"
    terms = _width_terms(road, sec, lane)
    out = []
    for record, ds0, ds1 in terms[0][1].pieces(0.0, max(sec.end - sec.s, 0.0)):
        ds, width = _lowest_sum(terms, ds0, ds1)
        if width >= -WIDTH_TOL:
            continue
        where = (f"road {road.id} laneSection s={sec.s} lane {lane.id}, record "
                 f"{_record_text(tag, record)}")
        span = f"its lowest on s={sec.s + ds0:g}..{sec.s + ds1:g}"
        if tag == "width":
            what = (f"width {width:.4f} m at s={sec.s + ds:.3f}, {span} (expected >= 0; ASAM "
                    f"OpenDRIVE 1.8 clause 11.6.1)")
        else:
            what = (f"border at t={record.value(ds):.4f} m lies {-width:.4f} m inside the "
                    f"lane's inner border at s={sec.s + ds:.3f}, {span} (a border is the "
                    f"t-coordinate of the outer border: negative on the right; ASAM OpenDRIVE "
                    f"1.8 clause 11.6.2)")
        out.append(Issue("error", f"{where}: {what}", path, lane.line, tag))
    return out


def _repeated_starts(records: Piecewise, tag: str, attr: str) -> list[str]:
    """One text per start that two or more of ``records`` share: which of them holds is not
    defined by the standard (records of a kind are given in ascending ``attr``, ASAM OpenDRIVE
    1.8 clauses 9.3 and 11.4); ours, like esmini's, keeps the later one in the file."""
    starts = [r.start for r in records.records]
    return [f"{starts.count(x)} <{tag}> records at {attr}={x:g}: the later one in the file "
            f"holds" for x in sorted(set(starts)) if starts.count(x) > 1]


def _lane_issues(road: Road, path: str) -> list[Issue]:
    out = [Issue("warning", f"road {road.id}: {text}", path, road.line, "laneOffset")
           for text in _repeated_starts(road.lane_offset, "laneOffset", "s")]
    offset = any(r.a or r.b or r.c or r.d for r in road.lane_offset.records)
    bordered = [ln for sec in road.sections for ln in (*sec.left, *sec.right) if ln.border]
    if offset and bordered:   # qc-opendrive rule 104 (realinputs16b: its negative example)
        out.append(Issue("warning", f"road {road.id}: a laneOffset where lanes are given by "
                                    f"border records (lane {bordered[0].id}, and "
                                    f"{len(bordered) - 1} more): the lane offset shall be 0 "
                                    f"there (ASAM OpenDRIVE 1.8 clause 11.5; qc-opendrive rule "
                                    f"104); the borders are read as t from the reference line",
                         path, road.line, "laneOffset"))
    for a, b in zip(road.sections, road.sections[1:]):   # the parser sorts them by s
        if a.line is not None and b.line is not None and b.line < a.line:
            out.append(Issue("warning", f"road {road.id}: laneSection s={a.s} is listed after "
                             f"the one at s={b.s}: OpenDRIVE lists lane sections in ascending "
                             f"s (ASAM OpenDRIVE 1.8 clause 11.3); read in order of s", path,
                             a.line, "laneSection"))
    if road.sections and road.sections[0].s > LENGTH_TOL:
        first = road.sections[0]
        out.append(Issue("error", f"road {road.id}: the first laneSection starts at "
                         f"s={first.s:g}: the road has no lanes before it (lane sections cover "
                         f"the road from s=0, ASAM OpenDRIVE 1.8 clause 11.3)", path,
                         first.line, "laneSection"))
    for a, b in zip(road.sections, road.sections[1:]):
        if b.s - a.s <= LENGTH_TOL:
            out.append(Issue("warning", f"road {road.id}: two laneSections start at s={a.s:g}: "
                             f"the later one holds, the other has no length", path,
                             a.line, "laneSection"))
    for sec in road.sections:
        if sec.s > road.length + LENGTH_TOL:
            out.append(Issue("error", f"road {road.id}: laneSection s={sec.s} beyond road length "
                             f"{road.length}", path, sec.line, "laneSection"))
            continue
        for side, lanes in (("left", sec.left), ("right", sec.right)):
            ids = sorted(abs(ln.id) for ln in lanes)
            if ids and ids != list(range(1, len(ids) + 1)):
                out.append(Issue("warning", f"road {road.id}: laneSection s={sec.s} {side} lane "
                                 f"ids {sorted(ln.id for ln in lanes)} are not numbered "
                                 f"consecutively from the centre lane (ASAM OpenDRIVE 1.8 "
                                 f"clause 11.3)", path, sec.line, "laneSection"))
        for lane in (*sec.left, *sec.right):
            for tag, records in (("width", lane.width), ("border", lane.border)):
                out += [Issue("warning", f"road {road.id}: laneSection s={sec.s} lane "
                              f"{lane.id}: {text}", path, lane.line, "lane")
                        for text in _repeated_starts(records, tag, "sOffset")]
            if lane.width or lane.border:
                out += _width_issues(road, sec, lane, path)
    return out


def _end_point(road: Road, contact: str) -> tuple[float, float]:
    x, y, _ = road.reference_line.pose(0.0 if contact == "start" else road.length)
    return x, y


def link_issues(parsed: ParsedFile) -> list[Issue]:
    """Missing link targets and junction connections into a road of another junction
    (errors), gaps between linked roads (warnings)."""
    out, path = [], parsed.path
    out += [Issue("warning", text, path, line, "link") for text, line in parsed.link_notes]
    for road in parsed.roads.values():
        if road.junction != "-1" and road.junction not in parsed.junctions:
            out.append(Issue("error", f"road {road.id}: junction={road.junction!r} does not exist",
                             path, road.line, "road"))
        for end, link in (("start", road.predecessor), ("end", road.successor)):
            if link is None:
                continue
            table = parsed.roads if link.element_type == "road" else parsed.junctions
            kind = "predecessor" if end == "start" else "successor"
            if link.element_id not in table:
                out.append(Issue("error", f"road {road.id}: {kind} {link.element_type} "
                                 f"{link.element_id!r} does not exist", path,
                                 link.line or road.line, kind))
                continue
            if link.element_type == "road" and not road.in_junction and \
                    not parsed.roads[link.element_id].in_junction:
                a = _end_point(road, end)
                b = _end_point(parsed.roads[link.element_id], link.contact_point)
                gap = math.dist(a, b)
                if gap > GAP_WARN:
                    out.append(Issue("warning", f"road {road.id} ({end}) and road "
                                     f"{link.element_id} ({link.contact_point}) are {gap:.3f} m "
                                     "apart", path, link.line or road.line, kind))
    for j in parsed.junctions.values():
        for c in j.connections:
            for rid in (c.incoming_road, c.connecting_road):
                if rid not in parsed.roads:
                    out.append(Issue("error", f"junction {j.id} connection {c.id}: road {rid!r} "
                                     "does not exist", path, c.line, "connection"))
            con = parsed.roads.get(c.connecting_road)
            # a direct junction's linkedRoad is an ordinary road outside it (clause 12.5)
            if con is not None and j.type != "direct" and con.junction != j.id:
                out.append(Issue("warning", f"junction {j.id} connection {c.id}: connecting road "
                                 f"{con.id} has junction={con.junction!r} (expected {j.id!r}: "
                                 f"a connecting road belongs to its junction, ASAM OpenDRIVE "
                                 f"1.8 clauses 12.2 and 12.4)", path, c.line, "connection"))
    return out


def _signal_issues(parsed: ParsedFile) -> list[Issue]:
    """Signals and signal references whose ``s`` [m] is not a number or lies off their road,
    outside ``[0, road length]`` by more than the length tolerance (ASAM OpenDRIVE 1.8
    clause 14: s is a position along the road the record belongs to; the map would put the
    signal at the road's end instead)."""
    out = []
    for raw in parsed.signals:
        element = "signalReference" if raw.is_reference else "signal"
        text = raw.attrs.get("s")
        if text is None:
            continue  # read as s = 0
        try:
            s = xsd_double(text)
        except ValueError:
            out.append(Issue("error", f"attribute s={text!r} is not a number", parsed.path,
                             raw.line, element))
            continue
        road = parsed.roads[raw.road_id]
        tol = LENGTH_TOL + 1e-6 * road.length
        if not -tol <= s <= road.length + tol:
            out.append(Issue("warning", f"{element} {raw.attrs.get('id', '')} on road {road.id}: "
                             f"s={s:g} m lies off the road (expected 0 <= s <= "
                             f"{road.length:g} m, the road's length; ASAM OpenDRIVE 1.8 "
                             f"clause 14)", parsed.path, raw.line, element))
    return out


LANE_TYPES = frozenset({
    "none", "driving", "stop", "shoulder", "biking", "sidewalk", "border", "restricted",
    "parking", "bidirectional", "median", "curb", "entry", "exit", "onRamp", "offRamp",
    "connectingRamp", "special1", "special2", "special3", "roadWorks", "tram", "rail", "bus",
    "taxi", "HOV", "mwyEntry", "mwyExit", "walking", "shared"})
"""Lane types the OpenDRIVE schemas 1.4 to 1.8 name (e_laneType; ``walking`` and ``shared``
of 1.8, ``roadWorks`` and ``special*`` of earlier releases)."""


def lane_type_issues(parsed: ParsedFile) -> list[Issue]:
    """Lanes whose ``type`` no OpenDRIVE release names (``drivng``): a warning once per type,
    at its first lane; the lane is read as neither drivable nor walkable, so an entity on it
    is off its lanes."""
    first: dict[str, tuple[int | None, str, int]] = {}
    for road in parsed.roads.values():
        for sec in road.sections:
            for lane in sec.by_id.values():
                if lane.type not in LANE_TYPES and lane.type not in first:
                    first[lane.type] = (sec.line, road.id, lane.id)
    return [Issue("warning", f"road {rid} lane {lid}: type {one_line(t)!r} is not an "
                  f"OpenDRIVE lane type (e.g. driving, sidewalk, shoulder; ASAM OpenDRIVE 1.8 "
                  f"e_laneType): the lane is read as neither drivable nor walkable", parsed.path,
                  line, "lane") for t, (line, rid, lid) in first.items()]


LANE_DIRECTIONS = ("standard", "reversed", "both")
"""``lane@direction`` values (OpenDRIVE 1.8 e_laneDirection, clause 11.2)."""


def lane_direction_issues(parsed: ParsedFile) -> list[Issue]:
    """``lane@direction`` (1.8) outside its enumeration (read as ``standard``), and a lane id
    of a road that is ``reversed`` or ``both`` in one lane section and not in another (the
    road's driving direction of a lane id is one for the whole road: ``reversed`` or two-way
    in any section holds all along, :meth:`maps.road.Road.driving_sign`,
    :meth:`maps.road.Road.two_way`): a warning each, at the lane, once per lane id and
    value."""
    out: list[Issue] = []
    for road in parsed.roads.values():
        seen: dict[tuple[int, str], set[bool]] = {}
        said: set[tuple[int, str]] = set()
        for sec in road.sections:
            for lane in (*sec.left, *sec.right):
                if lane.direction not in LANE_DIRECTIONS:
                    out.append(Issue("warning", f"road {road.id} lane {lane.id}: direction "
                                     f"{one_line(lane.direction)!r} is not standard, reversed "
                                     f"or both (ASAM OpenDRIVE 1.8 clause 11.2): read as "
                                     f"standard", parsed.path, lane.line, "lane"))
                for value, effect in (("reversed", "driven reversed"),
                                      ("both", "two-way")):
                    key = (lane.id, value)
                    flags = seen.setdefault(key, set())
                    flags.add(lane.direction == value)
                    if len(flags) == 2 and key not in said:
                        said.add(key)
                        out.append(Issue("warning", f"road {road.id} lane {lane.id}: "
                                         f"direction=\"{value}\" in some lane sections only: "
                                         f"the lane is {effect} along the whole road",
                                         parsed.path, lane.line, "lane"))
    return out


def signal_record_issues(parsed: ParsedFile) -> list[Issue]:
    """What ``map check`` adds about signal records, not said at every load (esmini's own
    maps repeat signal ids): ``dynamic`` / ``orientation`` outside their enumerations, an
    empty ``type`` (:func:`_signal_attribute_issues`), and one warning per repeated signal
    id."""
    out: list[Issue] = []
    lines: dict[str, list[int]] = {}
    for raw in parsed.signals:
        element = "signalReference" if raw.is_reference else "signal"
        out += _signal_attribute_issues(raw, element, parsed.path)
        if not raw.is_reference:
            lines.setdefault(raw.attrs.get("id", ""), []).append(raw.line)
    for sid, at in lines.items():
        if len(at) > 1:   # one warning an id: esmini's multi_intersections repeats '0' often
            shown = ", ".join(map(str, at[1:6])) + (" ..." if len(at) > 6 else "")
            out.append(Issue("warning", f"signal id {sid!r} is given {len(at)} times (again at "
                             f"lines {shown}): a controller or scenario naming it reaches only "
                             f"one of them (ASAM OpenDRIVE 1.8 clause 14: ids are unique)",
                             parsed.path, at[0], "signal"))
    return out


def object_id_issues(parsed: ParsedFile) -> list[Issue]:
    """What ``map check`` says of object ids (ASAM OpenDRIVE 1.8 clause 13: ``object@id`` is
    required and unique): one warning per empty id and per id given to several objects (the
    instances of one repeated object share theirs). Not said at every load: the objects
    still load, and only their ids are unusable as references."""
    lines: dict[str, list[int]] = {}
    for obj in parsed.objects:
        if obj.repeat_index in (None, 0):
            lines.setdefault(str(obj.id).strip(), []).append(obj.line)
    out = []
    for oid, at in lines.items():
        if not oid:
            out += [Issue("warning", "object with an empty id (OpenDRIVE object@id is "
                          "required: nothing can refer to it)", parsed.path, line, "object")
                    for line in at]
        elif len(at) > 1:
            out.append(Issue("warning", f"object id {oid!r} is given {len(at)} times (again "
                             f"at line {at[1]}): ids are unique (ASAM OpenDRIVE 1.8 clause 13)",
                             parsed.path, at[0], "object"))
    return out


SIGNAL_CHOICES = {"dynamic": ("yes", "no"), "orientation": ("+", "-", "none")}
"""Values of a signal's enumerated attributes (ASAM OpenDRIVE 1.8 clause 14.2: t_yesNo and
e_orientation); anything else is read as ``no`` / ``none``."""


def _signal_attribute_issues(raw, element: str, path: str) -> list[Issue]:
    """A signal's ``dynamic`` or ``orientation`` outside its enumeration (read as ``no`` /
    ``none``: a light written ``dynamic="maybe"`` is never switched), and an empty ``type``."""
    out = []
    for attr, allowed in SIGNAL_CHOICES.items():
        value = raw.attrs.get(attr)
        if value is not None and value not in allowed:
            out.append(Issue("warning", f"{element} {raw.attrs.get('id', '')}: {attr}="
                             f"{value!r} is read as {allowed[-1]!r} (expected one of "
                             f"{', '.join(allowed)}; ASAM OpenDRIVE 1.8 clause 14.2)", path,
                             raw.line, element))
    if not raw.is_reference and raw.attrs.get("type", "-1").strip() == "":
        out.append(Issue("warning", f"signal {raw.attrs.get('id', '')}: empty type (expected "
                         f"a type code, -1 when none; ASAM OpenDRIVE 1.8 clause 14.2)", path,
                         raw.line, element))
    return out


def _controller_issues(parsed: ParsedFile) -> list[Issue]:
    """``controller/control`` records whose ``signalId`` names no ``signal`` of the file
    (ASAM OpenDRIVE 1.8 clause 14.6: a controller switches signals of the map; a
    ``signalReference`` repeats a signal's id and is no signal of its own)."""
    ids = {raw.attrs.get("id") for raw in parsed.signals if not raw.is_reference}
    return [Issue("warning", f"controller {ctrl.id}: control signalId={sid!r} names no signal "
                  f"of the map (expected the id of a <signal>; ASAM OpenDRIVE 1.8 clause "
                  f"14.6)", parsed.path, line, "control")
            for ctrl in parsed.controllers for sid, line in ctrl.controls if sid not in ids]


def _lane_link_issues(road: Road, parsed: ParsedFile) -> list[Issue]:
    """Lane links naming lanes that do not exist in the next section or linked road."""
    out = []
    secs = road.sections
    for i, sec in enumerate(secs):
        for lane in (*sec.left, *sec.right):
            for attr, j, link in (("successor", i + 1, road.successor),
                                  ("predecessor", i - 1, road.predecessor)):
                target = getattr(lane, attr)
                if target is None:
                    continue
                if 0 <= j < len(secs):
                    ok, where = target in secs[j].by_id, f"laneSection s={secs[j].s}"
                elif link is not None and link.element_type == "road" and \
                        link.element_id in parsed.roads:
                    other = parsed.roads[link.element_id]
                    tsec = other.sections[0] if link.contact_point == "start" else \
                        other.sections[-1]
                    ok, where = target in tsec.by_id, f"road {other.id}"
                elif link is None and not road.in_junction:
                    out.append(Issue("warning", f"road {road.id} lane {lane.id}: {attr} lane "
                                     f"{target} named, but road {road.id} has no {attr}: "
                                     f"the lane link leads nowhere", parsed.path, lane.line,
                                     "link"))
                    continue
                else:
                    continue  # junction links are checked through the connections
                if not ok:
                    out.append(Issue("warning", f"road {road.id} lane {lane.id}: {attr} lane "
                                     f"{target} does not exist in {where}", parsed.path,
                                     lane.line, "link"))
    return out


def _connection_issues(parsed: ParsedFile) -> list[Issue]:
    """Junction laneLinks naming lanes missing on the incoming or connecting road."""
    out = []
    for j in parsed.junctions.values():
        for c in j.connections:
            inc, con = parsed.roads.get(c.incoming_road), parsed.roads.get(c.connecting_road)
            if inc is None or con is None:
                continue
            csec = con.sections[0] if c.contact_point == "start" else con.sections[-1]
            in_lanes = {ln for sec in (inc.sections[0], inc.sections[-1]) for ln in sec.by_id}
            for frm, to in c.lane_links:
                if frm not in in_lanes or to not in csec.by_id:
                    out.append(Issue("warning", f"junction {j.id} connection {c.id}: laneLink "
                                     f"{frm}->{to} names a lane missing on road "
                                     f"{inc.id if frm not in in_lanes else con.id}", parsed.path,
                                     c.line, "laneLink"))
    return out


def issues_of(parsed: ParsedFile) -> list[Issue]:
    """All issues of a parsed file, errors first in file order."""
    out: list[Issue] = []
    for road in parsed.roads.values():
        out += _geometry_issues(road, parsed.path)
        out += _superelevation_issues(road, parsed.path)
        out += _lane_issues(road, parsed.path)
        out += _lane_link_issues(road, parsed)
    out += link_issues(parsed)
    out += _connection_issues(parsed)
    out += _junction_record_issues(parsed)
    out += _signal_issues(parsed)
    out += _controller_issues(parsed)
    out += _geo_issues(parsed)
    return sorted(out, key=lambda i: (i.severity != "error", i.line or 0))


def _junction_record_issues(parsed: ParsedFile) -> list[Issue]:
    """Warnings at a junction: ``crossPath`` records (OpenDRIVE 1.8 pedestrian crossings),
    which are not modelled; the attributes of a virtual junction (clause 12.7: ``mainRoad``,
    ``sStart``, ``sEnd``, ``orientation``) on one of another type; no ``connection`` at all
    (no road can be driven through it)."""
    out = []
    for j in parsed.junctions.values():
        if j.cross_paths:
            out.append(Issue("warning", f"junction {j.id}: {j.cross_paths} crossPath "
                                        f"record(s) (OpenDRIVE 1.8 pedestrian crossings) are "
                                        f"not modelled: ignored", parsed.path, j.line,
                             "junction"))
        if j.virtual_attributes and j.type != "virtual":
            out.append(Issue("warning", f"junction {j.id}: {', '.join(j.virtual_attributes)} "
                                        f"belong to a virtual junction (clause 12.7), but its "
                                        f"type is {j.type!r}: ignored", parsed.path, j.line,
                             "junction"))
        if not j.connections:
            out.append(Issue("warning", f"junction {j.id} has no connection: no road leads "
                                        f"through it", parsed.path, j.line, "junction"))
    return out


def _geo_issues(parsed: ParsedFile) -> list[Issue]:
    """A ``geoReference`` PROJ cannot use (the map loads, but every geographic query and the
    V2X bridge would fail later): an error at the header's line; one in PROJ's deprecated
    ``+init=`` syntax (read, but pyproj warns in the middle of a run's output): a warning."""
    if not parsed.geo_reference:
        return []
    try:
        GeoReference(parsed.geo_reference, parsed.offset, parsed.path)
    except MapsError as exc:
        return [Issue("error", exc.message, parsed.path, parsed.header_line, "geoReference")]
    if "+init=" in parsed.geo_reference:
        return [Issue("warning", "geoReference uses PROJ's deprecated '+init=<authority>:"
                      "<code>' syntax: write '<authority>:<code>' (e.g. EPSG:32650) or a "
                      "+proj string", parsed.path, parsed.header_line, "geoReference")]
    return []


def check_opendrive(path: str | os.PathLike, layout: bool = False) -> list[Issue]:
    """Check an OpenDRIVE file; return every issue found (empty list: clean).

    A structural error (missing file, not XML, wrong root, malformed element) is returned as
    the single error issue; it does not raise. Used by the CLI's ``check`` command: the
    issues a load warns of (:func:`issues_of`), :func:`signal_record_issues` and
    :func:`lane_type_issues`, :func:`lane_direction_issues`, :func:`object_id_issues`; with ``layout``, when the map has no
    error, those of the RSU layout beside it (:func:`maps.summary.layout_issues`, on the
    network built from this one parse), at the layout file.
    """
    try:
        parsed = parse_file(path)
    except MapsError as exc:
        return [Issue("error", exc.message, exc.file, exc.line, exc.element)]
    found = issues_of(parsed)
    issues = sorted(found + signal_record_issues(parsed) + lane_type_issues(parsed)
                    + lane_direction_issues(parsed)
                    + object_id_issues(parsed),
                    key=lambda i: (i.severity != "error", i.line or 0))
    if layout and not any(i.severity == "error" for i in issues):
        from maps.network import RoadNetwork
        from maps.summary import layout_issues, rsu_path
        beside = rsu_path(path)
        if beside.is_file():
            issues += [Issue(severity, message, str(beside), None, element) for
                       severity, element, message in layout_issues(path, RoadNetwork(parsed,
                                                                                     found))]
    return issues
