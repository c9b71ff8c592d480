"""Moving along lanes across lane sections, road links and junctions.

Topology (ASAM OpenDRIVE 1.8 clauses 8.3 "Road linkage", 11.3 "Lane linkage", 12
"Junctions"): a road end (``start``/``end``) links to another road's contact point or to a
junction. Inside a junction, connecting roads link to the incoming/outgoing roads with their
own road and lane links; ``connection/laneLink`` maps an incoming lane to a connecting lane.
Entering a road at its ``end`` means travelling along -s, so lane links between roads that meet
end-to-end change the lane-id sign - the links in the file say so and are followed as given.
"""

from __future__ import annotations

import heapq
import math
from typing import Callable, Sequence

from testzone.world import LaneCoord

from maps.model import Junction
from maps.road import Road

Exit = tuple[str, str, int]
"""``(road_id, contact_point, lane_id)``: a lane entered at a road's start or end."""


def _other(end: str) -> str:
    return "end" if end == "start" else "start"


class RoadGraph:
    """Road and lane connectivity of a network (built once, queried per step)."""

    def __init__(self, roads: dict[str, Road], junctions: dict[str, Junction]) -> None:
        self.roads = roads
        self.junctions = junctions
        self.neighbours: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._in_junction: dict[str, list[Road]] = {}
        for r in roads.values():
            if r.in_junction:
                self._in_junction.setdefault(r.junction, []).append(r)
        pairs: set[tuple[tuple[str, str], tuple[str, str]]] = set()
        for r in roads.values():
            for end, link in (("start", r.predecessor), ("end", r.successor)):
                if link is not None and link.element_type == "road" and link.element_id in roads:
                    pairs.add(((r.id, end), (link.element_id, link.contact_point)))
        for j in junctions.values():
            for c in j.connections:
                inc = roads.get(c.incoming_road)
                if inc is None or c.connecting_road not in roads:
                    continue
                ends = [e for e, lk in (("start", inc.predecessor), ("end", inc.successor))
                        if lk is not None and lk.element_type == "junction" and lk.element_id == j.id]
                if len(ends) == 1:
                    pairs.add(((inc.id, ends[0]), (c.connecting_road, c.contact_point)))
        for a, b in sorted(pairs):
            for u, v in ((a, b), (b, a)):
                lst = self.neighbours.setdefault(u, [])
                if v not in lst:
                    lst.append(v)

    def _lane_link(self, road: Road, end: str, lane_id: int) -> int | None:
        sec = road.sections[-1] if end == "end" else road.sections[0]
        lane = sec.by_id.get(lane_id)
        if lane is None:
            return None
        return lane.successor if end == "end" else lane.predecessor

    def exits(self, road_id: str, end: str, lane_id: int) -> list[Exit]:
        """Lanes reached when leaving ``lane_id`` of ``road_id`` through its ``end``."""
        road = self.roads[road_id]
        link = road.successor if end == "end" else road.predecessor
        if link is None:
            return []
        if link.element_type == "road":
            return self._road_exit(road, end, lane_id, link)
        out: list[Exit] = []
        j = self.junctions.get(link.element_id)
        if j is not None:
            out += self._connection_exits(j, road_id, end, lane_id)
            if j.type == "direct":
                out += self._direct_reverse(j, road_id, end, lane_id)
        for cr in self._in_junction.get(link.element_id, []):
            for cp in ("start", "end"):
                back = self._back_link(cr, cp)
                if back is None or back.element_id != road_id or back.contact_point != end:
                    continue
                sec = cr.sections[0] if cp == "start" else cr.sections[-1]
                for ln in (*sec.left, *sec.right):
                    if (ln.predecessor if cp == "start" else ln.successor) == lane_id:
                        out.append((cr.id, cp, ln.id))
        return list(dict.fromkeys(out))

    def _road_exit(self, road: Road, end: str, lane_id: int, link) -> list[Exit]:
        """Across a road-to-road link: the lane link, else the same lane (id sign flipped when
        the roads meet end-to-end or start-to-start) when it exists."""
        target = self.roads.get(link.element_id)
        if target is None:
            return []
        sec = target.sections[0] if link.contact_point == "start" else target.sections[-1]
        nxt = self._lane_link(road, end, lane_id)
        if nxt is None:
            nxt = -lane_id if link.contact_point == end else lane_id
        return [(target.id, link.contact_point, nxt)] if nxt in sec.by_id else []

    def _connection_exits(self, j: Junction, road_id: str, end: str, lane_id: int
                          ) -> list[Exit]:
        """Connections of ``j`` from ``road_id`` whose laneLinks start at ``lane_id``."""
        out = []
        for c in j.connections:
            if c.incoming_road != road_id or c.connecting_road not in self.roads:
                continue
            back = self._back_link(self.roads[c.connecting_road], c.contact_point)
            if back is not None and (back.element_id != road_id or
                                     back.contact_point not in (None, end)):
                continue  # the connecting road attaches to the other end of road_id
            out += [(c.connecting_road, c.contact_point, t) for f, t in c.lane_links
                    if f == lane_id]
        return out

    def _direct_reverse(self, j: Junction, road_id: str, end: str, lane_id: int) -> list[Exit]:
        """Leave a direct junction's linked road back into its incoming roads."""
        out = []
        for c in j.connections:
            inc = self.roads.get(c.incoming_road)
            if c.connecting_road != road_id or c.contact_point != end or inc is None:
                continue
            ends = [e for e, lk in (("start", inc.predecessor), ("end", inc.successor))
                    if lk is not None and lk.element_type == "junction" and lk.element_id == j.id]
            if len(ends) == 1:
                out += [(inc.id, ends[0], f) for f, t in c.lane_links if t == lane_id]
        return out

    @staticmethod
    def _back_link(road: Road, contact: str):
        link = road.predecessor if contact == "start" else road.successor
        return link if link is not None and link.element_type == "road" else None

    def exit_heading(self, ex: Exit) -> float:
        """Heading [rad] of travel when leaving the far end of the road entered by ``ex``."""
        road = self.roads[ex[0]]
        if ex[1] == "start":
            return road.reference_line.pose(road.length)[2]
        return road.reference_line.pose(0.0)[2] + math.pi


def _entry_coord(road: Road, ex: Exit, offset: float) -> LaneCoord:
    s = 0.0 if ex[1] == "start" else road.length
    return LaneCoord(road.id, ex[2], s, road.lane_center_t(ex[2], s) + offset, offset)


def _section_step(road: Road, idx: int, dirs: int, lane_id: int) -> int | None:
    """Lane id in section ``idx + dirs`` continuing ``lane_id`` of section ``idx``."""
    sec, new = road.sections[idx], road.sections[idx + dirs]
    lane = sec.by_id.get(lane_id)
    nxt = None if lane is None else (lane.successor if dirs > 0 else lane.predecessor)
    if nxt is not None and nxt in new.by_id:
        return nxt
    if lane_id in new.by_id:
        return lane_id
    same_side = [ln.id for ln in (new.left if lane_id > 0 else new.right)]
    inner = [i for i in same_side if abs(i) < abs(lane_id)]
    return max(inner, key=abs) if inner else None


def lane_id_at(road: Road, lane_id: int, s_from: float, s_to: float) -> int | None:
    """The id at road ``s_to`` [m] of the lane that is ``lane_id`` at ``s_from`` [m], following
    the lane links from lane section to lane section as the simulator's vehicles do (the linked
    lane, else the same id, else the nearest inner lane on that side; OpenDRIVE 1.8 clause
    11.4, lane linkage). None where the lane cannot be continued."""
    i, j = road.section_index(s_from), road.section_index(s_to)
    dirs = 1 if j >= i else -1
    lane: int | None = lane_id if lane_id in road.sections[i].by_id else None
    while lane is not None and i != j:
        lane = _section_step(road, i, dirs, lane)
        i += dirs
    return lane


CHUNK = 2.0
"""Largest step along s [m] over which the lane/reference length ratio is held constant."""


def _section_index(road: Road, s: float, dirs: int) -> int:
    """Section holding ``s`` when travelling in direction ``dirs`` (on a boundary moving
    backwards, the section behind it)."""
    idx = road.section_index(s)
    if dirs < 0 and idx > 0 and s <= road.sections[idx].s:
        idx -= 1
    return idx


def _move_on_lane(road: Road, sec, lane: int, offset: float, s: float, boundary: float,
                  dirs: int, remaining: float) -> tuple[float, float]:
    """Move up to ``remaining`` metres of path along the lane, not past ``boundary`` [m].

    A path at lateral position t on a reference line of curvature k is ``1 - k t`` times as
    long as the reference line (esmini scales its steps the same way), so the s step is the
    path step divided by that ratio, evaluated every :data:`CHUNK` metres of s. Returns the new
    ``s`` and the path length still to go (0 when the move ended inside the section).
    """
    ref = road.reference_line
    while remaining > 0.0:
        avail = (boundary - s) * dirs
        if avail <= 1e-12:
            return boundary, remaining
        t = offset
        if lane in sec.by_id:
            a, b = road.lane_span(lane, s, sec)
            t += 0.5 * (a + b)
        ratio = 1.0 - ref.curvature(s) * t
        ratio = ratio if ratio > 0.1 else 0.1
        step_s = remaining / ratio
        if step_s <= min(avail, CHUNK):
            return s + dirs * step_s, 0.0
        step_s = min(avail, CHUNK)
        s += dirs * step_s
        remaining -= step_s * ratio
    return s, 0.0


def advance(graph: RoadGraph, coord: LaneCoord, ds: float,
            choose: Callable[[list[LaneCoord]], LaneCoord] | None = None) -> LaneCoord:
    """Move ``ds`` [m] along the driving direction of ``coord``'s lane (backwards if ds < 0).

    ``ds`` is measured along the travelled path (lane centre + offset), not the reference
    line: on a curve the s change is ``ds / (1 - k t)`` (see :func:`_move_on_lane`).

    Crosses lane sections (lane links, else same id, else nearest inner lane), road links and
    junctions. Among several continuations ``choose`` picks one (it receives the entry
    positions); by default the straightest (smallest heading change over the next road). At a
    dead end the position stops at the road's end. ``offset`` [m] from the lane centre is kept
    on the same physical side: its sign flips where two roads meet end-to-end or
    start-to-start (their t axes point opposite ways).
    """
    road = graph.roads[coord.road_id]
    lane, s, offset = coord.lane_id, coord.s, coord.offset
    dirs = road.driving_sign(lane) * (1 if ds >= 0 else -1)
    remaining = abs(ds)
    # A lane id names a lane of the section holding s (``Road.section_at``: on a boundary, the
    # section that starts there). Starting on a boundary backwards, it goes on behind:
    start_idx, owner = _section_index(road, s, dirs), road.section_index(s)
    if start_idx != owner and lane in road.sections[owner].by_id:
        lane = _section_step(road, owner, dirs, lane) or lane
    for _ in range(10000):
        idx = _section_index(road, s, dirs)
        sec = road.sections[idx]
        boundary = sec.end if dirs > 0 else sec.s
        s, remaining = _move_on_lane(road, sec, lane, offset, s, boundary, dirs, remaining)
        if remaining <= 0.0:
            if road.section_index(s) == idx + 1 and dirs > 0:  # stopped on the boundary: the
                nxt = _section_step(road, idx, dirs, lane)     # lane goes on in the section
                lane = lane if nxt is None else nxt            # ahead, under its linked id
            break
        if 0 <= idx + dirs < len(road.sections):
            nxt = _section_step(road, idx, dirs, lane)
            if nxt is None:
                break
            lane = nxt
            continue
        end = "end" if dirs > 0 else "start"
        options = graph.exits(road.id, end, lane)
        if not options:
            break
        ex = _pick(graph, road, s, dirs, options, choose, offset, end)
        if ex[1] == end:  # end-to-end or start-to-start: the t axis turns round
            offset = -offset
        road = graph.roads[ex[0]]
        lane = ex[2]
        s = 0.0 if ex[1] == "start" else road.length
        dirs = 1 if ex[1] == "start" else -1
    sec = road.section_at(s)
    if lane not in sec.by_id:  # stopped on a boundary: the lane lives on the other side
        sec = road.sections[_section_index(road, s, dirs)]
    a, b = road.lane_span(lane, s, sec)
    return LaneCoord(road.id, lane, s, 0.5 * (a + b) + offset, offset)


def _pick(graph: RoadGraph, road: Road, s: float, dirs: int, options: list[Exit],
          choose, offset: float, end: str) -> Exit:
    if len(options) == 1:
        return options[0]
    if choose is not None:
        coords = [_entry_coord(graph.roads[e[0]], e, -offset if e[1] == end else offset)
                  for e in options]
        picked = choose(coords)
        for e, c in zip(options, coords):
            if c == picked:
                return e
        for e in options:
            if e[0] == picked.road_id and e[2] == picked.lane_id:
                return e
        raise ValueError(f"choose() returned {picked!r}, not one of the offered positions")
    h_in = road.reference_line.pose(s)[2] + (0.0 if dirs > 0 else math.pi)
    return min(options, key=lambda e: (abs(math.remainder(graph.exit_heading(e) - h_in,
                                                          2 * math.pi)), e))


def longitudinal_distance(graph: RoadGraph, a: LaneCoord, b: LaneCoord,
                          max_distance: float = 1000.0) -> float | None:
    """Signed distance [m] from ``a`` to ``b`` along the road graph.

    Same road: ``(b.s - a.s)`` times the driving sign of ``a``'s lane (+1 for the centre lane).
    Otherwise the shortest road-graph path (Dijkstra over road ends, reference-line lengths)
    up to ``max_distance`` [m], positive when it leaves ``a`` in its driving direction,
    negative when it leaves backwards; None when ``b`` is not reached.
    """
    found = longitudinal_path(graph, a, b, max_distance)
    return None if found is None else found[0]


def longitudinal_path(graph: RoadGraph, a: LaneCoord, b: LaneCoord,
                      max_distance: float = 1000.0) -> tuple[float, int] | None:
    """:func:`longitudinal_distance` and how ``b``'s road runs along it: ``(distance [m],
    +1 / -1)``, +1 when moving ``b`` along its road's +s lengthens the signed distance
    (the path enters ``b``'s road at its start, measured forward; on one road, ``a``'s
    driving sign). None when ``b`` is not reached."""
    ra = graph.roads[a.road_id]
    sign_a = ra.driving_sign(a.lane_id)          # the centre lane (0): along s
    if a.road_id == b.road_id:
        return (b.s - a.s) * sign_a, sign_a
    heap: list[tuple[float, int, str, str]] = []
    for dirs in (1, -1):
        end = "end" if dirs > 0 else "start"
        d0 = ra.length - a.s if dirs > 0 else a.s
        heapq.heappush(heap, (d0, dirs * sign_a, a.road_id, end))
    seen: set[tuple[str, str, int]] = set()
    while heap:
        d, sgn, rid, end = heapq.heappop(heap)
        if d > max_distance:
            return None
        if not rid:
            return sgn * d, sgn * (1 if end == "start" else -1)
        if (rid, end, sgn) in seen:
            continue
        seen.add((rid, end, sgn))
        for nid, cp in graph.neighbours.get((rid, end), []):
            nroad = graph.roads[nid]
            if nid == b.road_id:         # the target: "" marks it, the entry end kept
                heapq.heappush(heap, (d + (b.s if cp == "start" else nroad.length - b.s),
                                      sgn, "", cp))
                continue
            heapq.heappush(heap, (d + nroad.length, sgn, nid, _other(cp)))
    return None


def route_progress(route: Sequence[str], at: int, road_id: str | None) -> int:
    """Where an entity on road ``road_id`` is along ``route`` (road ids) it was at index
    ``at`` of: the next occurrence of its road from ``at`` on (a route that passes a road
    twice is told apart by the order it is driven in), else ``at`` (off the route, or in a
    junction on a road the route does not take). ``route[result:]`` is the route still
    ahead."""
    return next((j for j in range(at, len(route)) if route[j] == road_id), at)


class RouteWalk:
    """An entity's progress along a route of road ids: :meth:`ahead` gives the part still
    ahead as its road changes (:func:`route_progress`), starting over when the route does."""

    def __init__(self) -> None:
        self.route: tuple[str, ...] = ()
        self.at = 0
        self._given: object = None     # the sequence last given (per-step calls pass the same)

    def ahead(self, route: Sequence[str], road_id: str | None) -> tuple[str, ...]:
        """The road ids of ``route`` from the entity's road ``road_id`` on (from the last road
        reached when it is off the route, or None). A new route is a new sequence object: one
        changed in place is not looked at again."""
        if route is not self._given:       # copied and compared only when another comes
            self._given = route
            as_tuple = tuple(route)
            if as_tuple != self.route:
                self.route, self.at = as_tuple, 0
        self.at = route_progress(self.route, self.at, road_id)
        return self.route[self.at:]


def route_chooser(route: list[str]) -> Callable[[list[LaneCoord]], LaneCoord]:
    """A ``choose`` callback for :func:`advance` that follows ``route`` (road ids): among the
    offered entries it takes the one whose road comes next in the route, else the first."""
    order = {rid: i for i, rid in enumerate(route)}

    def choose(options: list[LaneCoord]) -> LaneCoord:
        on_route = [o for o in options if o.road_id in order]
        return min(on_route, key=lambda o: order[o.road_id]) if on_route else options[0]
    return choose
