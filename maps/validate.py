"""Consistency checks of a parsed OpenDRIVE file (errors and warnings as :class:`Issue`).

Errors (the file is rejected by :func:`maps.load_opendrive`): geometry lengths that do not add
up to ``road@length``, a geometry ``s`` that does not follow its predecessor, a link to a
missing road or junction, a junction connection naming a missing road, a lane section starting
beyond the road length, a negative lane width. Warnings: a gap > 1 cm between the reference
lines of two linked roads outside junctions, lane links and junction laneLinks naming lanes
that do not exist (ASAM OpenDRIVE 1.8 clause 8.3: linked roads shall
connect; connecting roads inside junctions often start at a lane border instead, as in
esmini's own fabriksgatan.xodr, so they are not checked).
"""

from __future__ import annotations

import math
import os

from maps.errors import Issue, MapsError
from maps.geo import GeoReference
from maps.parser import ParsedFile, parse_file
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


def _geometry_issues(road: Road, path: str) -> list[Issue]:
    out = []
    geoms = road.reference_line.geometries
    tol = LENGTH_TOL + 1e-6 * road.length
    total = sum(g.length for g in geoms)
    if abs(total - road.length) > tol:
        out.append(Issue("error", f"road {road.id}: geometry lengths add up to {total:.4f} m, "
                         f"road@length is {road.length:.4f} m", path, road.line, "road"))
    for a, b in zip(geoms, geoms[1:]):
        if abs(a.s + a.length - b.s) > tol:
            out.append(Issue("error", f"road {road.id}: geometry at s={b.s} does not follow the "
                             f"previous one ending at s={a.s + a.length:.4f}", path, road.line,
                             "geometry"))
    for g in geoms:
        curve = getattr(g, "curve_length", None)  # paramPoly3: its own arc length
        if curve is None or g.length <= tol:
            continue
        if curve <= tol:
            out.append(Issue("error", f"road {road.id}: paramPoly3 at s={g.s} has no extent "
                             f"(its u, v polynomials describe a point) but a length of "
                             f"{g.length:.4f} m", path, road.line, "paramPoly3"))
        elif abs(curve - g.length) > max(tol, PARAM_POLY3_LENGTH_REL * g.length):
            out.append(Issue("warning", f"road {road.id}: paramPoly3 at s={g.s} is "
                             f"{curve:.4f} m long along its curve, geometry@length says "
                             f"{g.length:.4f} m (positions are stretched to fit)", path,
                             road.line, "paramPoly3"))
    return out


def _border_issues(road: Road, sec, lane, span: float, path: str) -> list[Issue]:
    """A lane given by ``border`` records whose outer border lies inside its inner border (on
    the wrong side of the road: a right lane's border is a negative t), sampled at 11
    points."""
    side = 1.0 if lane.id > 0 else -1.0
    for k in range(11):
        s = sec.s + span * k / 10
        inner, outer = road.lane_span(lane.id, s, sec)
        w = side * (outer - inner)
        if w < -WIDTH_TOL:
            return [Issue("error", f"road {road.id} lane {lane.id}: border at t={outer:.4f} m "
                          f"lies {-w:.4f} m inside the lane's inner border at s={s:.3f} "
                          f"(a border is the t-coordinate of the outer border: negative on "
                          f"the right)", path, lane.line, "border")]
    return []


def _lane_issues(road: Road, path: str) -> list[Issue]:
    out = []
    for sec in road.sections:
        if sec.s > road.length + LENGTH_TOL:
            out.append(Issue("error", f"road {road.id}: laneSection s={sec.s} beyond road length "
                             f"{road.length}", path, sec.line, "laneSection"))
            continue
        span = max(sec.end - sec.s, 0.0)
        for side, lanes in (("left", sec.left), ("right", sec.right)):
            ids = sorted(abs(ln.id) for ln in lanes)
            if ids and ids != list(range(1, len(ids) + 1)):
                out.append(Issue("warning", f"road {road.id}: laneSection s={sec.s} {side} lane "
                                 f"ids {sorted(ln.id for ln in lanes)} are not numbered "
                                 f"consecutively from the centre lane (ASAM OpenDRIVE 1.8 "
                                 f"clause 11.3)", path, sec.line, "laneSection"))
        for lane in (*sec.left, *sec.right):
            if not lane.width:
                if lane.border:
                    out += _border_issues(road, sec, lane, span, path)
                continue
            recs = lane.width.records
            if len(recs) == 1 and recs[0].b == recs[0].c == recs[0].d == 0.0 and \
                    recs[0].a >= -WIDTH_TOL:
                continue  # one constant, non-negative width (most lanes): nothing to sample
            for k in range(11):
                ds = span * k / 10
                w = lane.width.value(ds)
                if w < -WIDTH_TOL:
                    out.append(Issue("error", f"road {road.id} lane {lane.id}: width {w:.4f} m "
                                     f"at s={sec.s + ds:.3f} (expected >= 0)", path, lane.line,
                                     "width"))
                    break
    return out


def _end_point(road: Road, contact: str) -> tuple[float, float]:
    x, y, _ = road.reference_line.pose(0.0 if contact == "start" else road.length)
    return x, y


def link_issues(parsed: ParsedFile) -> list[Issue]:
    """Missing link targets (errors) and gaps between linked roads (warnings)."""
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
            if link.element_id not in table:
                out.append(Issue("error", f"road {road.id}: link to missing {link.element_type} "
                                 f"{link.element_id!r}", path, road.line, "link"))
                continue
            if link.element_type == "road" and road.junction == "-1" and \
                    parsed.roads[link.element_id].junction == "-1":
                a = _end_point(road, end)
                b = _end_point(parsed.roads[link.element_id], link.contact_point)
                gap = math.dist(a, b)
                if gap > GAP_WARN:
                    out.append(Issue("warning", f"road {road.id} ({end}) and road "
                                     f"{link.element_id} ({link.contact_point}) are {gap:.3f} m "
                                     "apart", path, road.line, "link"))
    for j in parsed.junctions.values():
        for c in j.connections:
            for rid in (c.incoming_road, c.connecting_road):
                if rid not in parsed.roads:
                    out.append(Issue("error", f"junction {j.id} connection {c.id}: road {rid!r} "
                                     "does not exist", path, c.line, "connection"))
    return out


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
        out += _lane_issues(road, parsed.path)
        out += _lane_link_issues(road, parsed)
    out += link_issues(parsed)
    out += _connection_issues(parsed)
    out += _geo_issues(parsed)
    return sorted(out, key=lambda i: (i.severity != "error", i.line or 0))


def _geo_issues(parsed: ParsedFile) -> list[Issue]:
    """A ``geoReference`` PROJ cannot use (the map loads, but every geographic query and the
    V2X bridge would fail later): an error at the header's line."""
    if not parsed.geo_reference:
        return []
    try:
        GeoReference(parsed.geo_reference, parsed.offset, parsed.path)
    except MapsError as exc:
        return [Issue("error", exc.message, parsed.path, parsed.header_line, "geoReference")]
    return []


def check_opendrive(path: str | os.PathLike) -> list[Issue]:
    """Check an OpenDRIVE file; return every issue found (empty list: clean).

    A structural error (missing file, not XML, wrong root, malformed element) is returned as
    the single error issue; it does not raise. Used by the CLI's ``check`` command.
    """
    try:
        parsed = parse_file(path)
    except MapsError as exc:
        return [Issue("error", exc.message, exc.file, exc.line, exc.element)]
    return issues_of(parsed)
