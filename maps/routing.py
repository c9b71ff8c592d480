"""Routes over the road graph with OpenSCENARIO's route strategies (OpenSCENARIO 1.2
``RouteStrategy``: ``fastest``, ``shortest``, ``leastIntersections``; ``random`` is not
offered).

A route is a list of road ids from ``a``'s road to ``b``'s road. It leaves ``a`` in its lane's
driving direction and travels every road in a direction for which the road has a driving
lane (right-hand traffic per ``road@rule``, ``lane@direction``; two-way lanes both ways). A ``b`` on
``a``'s road in a lane driven the other way is reached by leaving the road and entering it
again in that lane's direction (a U-turn round the block); elsewhere the goal lane's
direction is not looked at, as esmini's route planner does not, unless ``goal_lane`` asks
for the goal road to be entered in the goal lane's driving direction (a vehicle under test
given a route: it should arrive in the goal lane, not beside it in the opposite one). Costs
(Dijkstra over road ends, partial first and last roads included):

* ``shortest``: reference-line length [m];
* ``fastest``: travel time [s] at the speed limit (the highest limit among the driving lanes
  in the travel direction, lane ``speed`` records before road ``type`` speeds), with
  ``default_speed`` where the map gives none;
* ``leastIntersections``: the number of junctions entered (a road end linked to a junction
  element), ties broken by length.
"""

from __future__ import annotations

import heapq
from testzone.world import LaneCoord

from maps.errors import MapsError
from maps.road import DRIVING_TYPES, Road
from maps.traversal import RoadGraph

STRATEGIES = ("shortest", "fastest", "leastIntersections")
DEFAULT_SPEED = 50.0 / 3.6
"""Speed [m/s] assumed by ``fastest`` on roads without a speed limit (50 km/h)."""

Cost = tuple[float, float]


def _other(end: str) -> str:
    return "end" if end == "start" else "start"


def drivable(road: Road, travel: int) -> bool:
    """True when ``road`` has a driving-type lane whose direction is ``travel`` (+1: along s)."""
    return any(ln.type in DRIVING_TYPES and road.enters(ln.id, travel)
               for sec in road.sections for ln in (*sec.left, *sec.right))


def travel_time(road: Road, travel: int, s0: float, s1: float,
                default_speed: float = DEFAULT_SPEED) -> float:
    """Time [s] to drive ``road`` from ``s0`` to ``s1`` [m] (either order) at the speed limit
    of its fastest driving lane in direction ``travel``, piecewise between lane sections,
    road type records and lane speed records."""
    lo, hi = min(s0, s1), max(s0, s1)
    cuts = {lo, hi}
    for sec in road.sections:
        cuts.add(sec.s)
        cuts.update(sec.s + off for ln in (*sec.left, *sec.right) for off, _ in ln.speeds)
    cuts.update(rt.s for rt in road.types)
    pts = sorted(c for c in cuts if lo <= c <= hi)
    total = 0.0
    for u, v in zip(pts, pts[1:]):
        mid = 0.5 * (u + v)
        sec = road.section_at(mid)
        limits = [road.speed_limit(ln.id, mid) for ln in (*sec.left, *sec.right)
                  if ln.type in DRIVING_TYPES and road.enters(ln.id, travel)]
        speeds = [v_ for v_ in limits if v_]
        total += (v - u) / (max(speeds) if speeds else default_speed)
    return total


class _Costs:
    """Cost of a road stretch under one strategy, as ``(primary, length [m])``."""

    def __init__(self, strategy: str, default_speed: float) -> None:
        if strategy not in STRATEGIES:
            raise MapsError(f"route strategy {strategy!r} unknown (expected one of "
                            f"{', '.join(STRATEGIES)})", element="RouteStrategy")
        self.strategy = strategy
        self.default_speed = default_speed

    def stretch(self, road: Road, travel: int, s0: float, s1: float, junction: bool) -> Cost:
        """Cost of driving ``road`` from ``s0`` to ``s1``, entering a junction or not."""
        length = abs(s1 - s0)
        if self.strategy == "fastest":
            return travel_time(road, travel, s0, s1, self.default_speed), length
        if self.strategy == "leastIntersections":
            return (1.0 if junction else 0.0), length
        return length, length


def _enters_junction(road: Road, end: str) -> bool:
    link = road.successor if end == "end" else road.predecessor
    return link is not None and link.element_type == "junction"


def find_route(graph: RoadGraph, a: LaneCoord, b: LaneCoord, strategy: str = "shortest",
               max_distance: float = 5000.0, default_speed: float = DEFAULT_SPEED,
               goal_lane: bool = False) -> list[str] | None:
    """Road ids of the best route from ``a`` to ``b`` under ``strategy`` (module docstring);
    ``[a.road_id]`` when ``b`` lies ahead on the same road; None when ``b`` cannot be reached
    within ``max_distance`` [m] of road (with ``goal_lane``, in the goal lane's driving
    direction). The route leaves ``a`` in its lane's driving direction; from a two-way lane
    (OpenDRIVE 1.8 ``direction="both"``) it leaves the other way when that direction finds
    nothing (realinputs16: a goal behind such a lane had no route). MapsError for an unknown
    strategy."""
    costs = _Costs(strategy, default_speed)
    ra = graph.roads[a.road_id]
    travel = ra.driving_sign(a.lane_id)          # the centre lane (0): along s
    route = _search(graph, costs, a, b, travel, max_distance, goal_lane)
    if route is None and a.lane_id != 0 and ra.two_way(a.lane_id):
        route = _search(graph, costs, a, b, -travel, max_distance, goal_lane)
    return route


def _search(graph: RoadGraph, costs: _Costs, a: LaneCoord, b: LaneCoord, travel: int,
            max_distance: float, goal_lane: bool) -> list[str] | None:
    """:func:`find_route` leaving ``a`` in direction ``travel`` (+1 along s, -1 against)."""
    ra = graph.roads[a.road_id]
    # a goal on the same road, in a lane driven the other way, is a U-turn away: it is
    # reached by leaving the road and coming back, not by driving along it (entering the
    # road again in the goal lane's direction)
    u_turn = a.road_id == b.road_id and not ra.enters(b.lane_id, travel)
    if a.road_id == b.road_id and (b.s - a.s) * travel >= 0 and not u_turn:
        return [a.road_id]
    end0 = "end" if travel > 0 else "start"
    first = costs.stretch(ra, travel, a.s, ra.length if travel > 0 else 0.0, False)
    heap: list[tuple[Cost, int, str, str, tuple | None]] = [(first, 0, a.road_id, end0, None)]
    done: dict[tuple[str, str], tuple | None] = {}
    counter = 1
    while heap:
        cost, _, rid, end, parent = heapq.heappop(heap)
        if cost[1] > max_distance:
            return None
        if rid == "":  # the target reached
            return _unwind(done, parent) + [b.road_id]
        if (rid, end) in done:
            continue
        done[(rid, end)] = parent
        junction = _enters_junction(graph.roads[rid], end)
        for nid, cp in graph.neighbours.get((rid, end), []):
            nroad = graph.roads[nid]
            ntravel = 1 if cp == "start" else -1
            if not drivable(nroad, ntravel):
                continue
            s_in = 0.0 if cp == "start" else nroad.length
            if nid == b.road_id and (u_turn or goal_lane) and \
                    not nroad.enters(b.lane_id, ntravel):
                continue             # on the goal's road, but not in the goal lane's way
            if nid == b.road_id:
                c = costs.stretch(nroad, ntravel, s_in, b.s, junction)
                heapq.heappush(heap, ((cost[0] + c[0], cost[1] + c[1]), counter, "", "",
                                      (rid, end)))
            else:
                c = costs.stretch(nroad, ntravel, s_in, nroad.length - s_in, junction)
                heapq.heappush(heap, ((cost[0] + c[0], cost[1] + c[1]), counter, nid,
                                      _other(cp), (rid, end)))
            counter += 1
    return None


def _unwind(done: dict, key: tuple[str, str] | None) -> list[str]:
    out = []
    while key is not None:
        out.append(key[0])
        key = done[key]
    return out[::-1]

