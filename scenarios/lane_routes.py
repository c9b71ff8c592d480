"""Lane-level route planning, as esmini's FollowRouteController plans its path.

esmini (v3.6.0, RoadManager ``LaneIndependentRouter``, used by ``ControllerFollowRoute``)
searches a path of *lanes* from an entity to a route waypoint, allowing lane changes anywhere
on a road. Its documented behaviour, which this module follows:

* **Nodes** are ``(road, lane entered, lane of the previous road left from, road end left
  by)``; the start node is the entity's road and lane, left by the end ahead of it. From a
  node, every next road across the link at that end (a road link: the linked road; a junction:
  every connecting road whose incoming road is this one) is reached from every driving lane
  (``scenarios.motion.DRIVING_LANE_TYPES``, esmini ``Lane::IsDriving``) on the node's side of
  the road (the sign of its entry lane) in the lane section at that end whose lane link leads
  into it (``Road::GetConnectingLaneId``: the lane's predecessor/successor across a road link, the
  connection's laneLink in a junction; no link, no continuation). A next road without a link
  at its far end is a dead end, unless it is the target road entered in the target lane.
* **Weights** accumulate whole road lengths: ``shortest`` the reference-line length [m];
  ``fastest`` the length divided by the road's average type speed [s] (:func:`average_speed`);
  ``leastIntersections`` 1 for each road entered from a junction. The start road counts from
  the entity to its exit end; the target road from its entry end to the target s (0 when the
  previous road's link is a junction link).
* **Dijkstra**: the lightest node first; equal weights: the smaller lane-id change from the
  previous node first (then, our choice, the first pushed: esmini leaves it to its heap).
  The search ends when a node on the target road in the target lane is taken.
* **Waypoints** (``LaneIndependentRouter::GetWaypoints``): one per road of the path except
  the last: the lane the path leaves the road from, at the middle of the stretch of lane
  sections (from the exit end back) in which that lane exists and is a driving lane - or at
  the entity's own s on the first road when it is already in that stretch; then the target.

Errors are not raised: a path that cannot be planned is ``None`` (esmini logs an error and
deactivates the controller).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any, NamedTuple

from scenarios.motion import DRIVING_LANE_TYPES

DEFAULT_SPEED = 19.444
"""Average speed [m/s] esmini assumes for a road without type records, or of a type it does
not list (``RoadCalculations::CalcAverageSpeed``)."""

TYPE_SPEEDS = {"pedestrian": 1.389, "bicycle": 1.389, "lowSpeed": 8.333,
               "townPlayStreet": 8.333, "townPrivate": 8.333, "town": 13.888,
               "townLocal": 13.888, "rural": 19.444, "unknown": 19.444, "motorway": 25.0}
"""Road type -> speed [m/s] esmini uses when the type record gives no speed."""

LARGE = 1e10
"""Weight of a road that cannot be travelled (average speed 0), as esmini's LARGE_NUMBER."""


class Waypoint(NamedTuple):
    """A lane position of a planned path: road id, lane id, s [m]."""

    road_id: str
    lane_id: int
    s: float


@dataclass(frozen=True)
class PathNode:
    """One road of a planned lane path.

    Attributes:
        road_id: the road. lane_id: the lane it is entered in (the start lane on the first
        road). from_lane: the lane of the previous road it is entered from (0 on the first
        road). exit: the road end the path leaves it by (``"start"``/``"end"``), None on the
        target road. weight: accumulated weight from the start (unit of the strategy).
        previous: the node before, None on the first road.
    """

    road_id: str
    lane_id: int
    from_lane: int
    exit: str | None
    weight: float
    previous: PathNode | None = None


def average_speed(road: Any) -> float:
    """esmini's average speed [m/s] of ``road`` for the ``fastest`` strategy: the mean over
    its ``type`` records of the record's speed (when > 0) or the type's default
    (:data:`TYPE_SPEEDS`); :data:`DEFAULT_SPEED` for a type esmini does not list (whatever the
    record's speed) or a road without records. ``road``: a ``maps.road.Road``."""
    types = list(getattr(road, "types", ()) or ())
    if not types:
        return DEFAULT_SPEED
    total = 0.0
    for rt in types:
        if rt.type not in TYPE_SPEEDS:
            total += DEFAULT_SPEED
        elif rt.speed is not None and rt.speed > 1e-10:
            total += rt.speed
        else:
            total += TYPE_SPEEDS[rt.type]
    return total / len(types)


def _link(road: Any, end: str) -> Any:
    return road.successor if end == "end" else road.predecessor


def _end_section(road: Any, end: str) -> Any:
    return road.sections[-1] if end == "end" else road.sections[0]


def _driving(lane: Any) -> bool:
    return lane is not None and lane.type in DRIVING_LANE_TYPES


def connecting_lane(net: Any, road: Any, end: str, lane_id: int, next_road: str) -> int:
    """Lane of road ``next_road`` reached from lane ``lane_id`` of ``road`` across its ``end``
    (``Road::GetConnectingLaneId``), 0 when none: across a road link the lane's own
    predecessor/successor link (no link: 0), across a junction the first laneLink from
    ``lane_id`` of a connection from ``road`` into ``next_road``."""
    link = _link(road, end)
    lane = _end_section(road, end).by_id.get(lane_id) if link is not None else None
    if lane is None:
        return 0
    if link.element_type == "road":
        if link.element_id != next_road:
            return 0
        nxt = lane.successor if end == "end" else lane.predecessor
        return nxt or 0
    junction = net.junctions.get(link.element_id)
    for c in getattr(junction, "connections", ()):
        if c.incoming_road != road.id or c.connecting_road != next_road:
            continue
        for f, t in c.lane_links:
            if f == lane_id:
                return t
    return 0


def _next_roads(net: Any, road: Any, end: str) -> list[Any]:
    link = _link(road, end)
    if link is None:
        return []
    if link.element_type == "road":
        nxt = net.roads.get(link.element_id)
        return [nxt] if nxt is not None else []
    junction = net.junctions.get(link.element_id)
    return [net.roads[c.connecting_road] for c in getattr(junction, "connections", ())
            if c.incoming_road == road.id and c.connecting_road in net.roads]


def _next_exit(net: Any, node: PathNode, nxt: Any) -> str | None:
    """The end ``nxt`` is left by after entering it from ``node`` (``GetNextLink``)."""
    road = net.roads[node.road_id]
    link = _link(road, node.exit)
    if link.element_type == "road":
        end = "start" if link.contact_point == "end" else "end"
        return end if _link(nxt, end) is not None else None
    junction = net.junctions.get(link.element_id)
    via = link.element_id if getattr(junction, "type", "default") == "direct" else road.id
    if nxt.successor is not None and nxt.successor.element_id == via:
        return "start" if nxt.predecessor is not None else None
    if nxt.predecessor is not None and nxt.predecessor.element_id == via:
        return "end" if nxt.successor is not None else None
    return None


class _Weights:
    """Edge weights of one route strategy (see module docstring)."""

    def __init__(self, strategy: str) -> None:
        self.strategy = strategy

    def road(self, road: Any, length: float, from_junction: bool) -> float:
        """Weight of ``length`` [m] of ``road`` entered from a junction link or not."""
        if self.strategy == "fastest":
            speed = average_speed(road)
            return LARGE if speed == 0 else length / speed
        if self.strategy == "leastIntersections":
            return 1.0 if from_junction else 0.0
        return length

    def start(self, road: Any, length: float) -> float:
        """Weight of the first ``length`` [m] (esmini: no intersection counted there)."""
        if self.strategy == "fastest":
            return length / average_speed(road)
        return 0.0 if self.strategy == "leastIntersections" else length


def _valid(net: Any, c: Any) -> bool:
    """esmini ``IsPositionValid``: the road exists, s on it, the lane exists there and is a
    driving lane."""
    road = net.roads.get(c.road_id)
    if road is None or not 0.0 <= c.s <= road.length:
        return False
    return _driving(road.section_at(c.s).by_id.get(c.lane_id))


def plan_lane_path(net: Any, start: Any, forward: bool, target: Any,
                   strategy: str = "shortest") -> list[PathNode] | None:
    """Plan esmini's lane-level path from ``start`` to ``target`` (module docstring).

    Args:
        net: ``maps.RoadNetwork`` (``roads``, ``junctions``).
        start, target: lane positions (``road_id``, ``lane_id``, ``s`` [m]; e.g.
            ``testzone.world.LaneCoord``).
        forward: True when the entity travels along +s of its road.
        strategy: ``shortest`` | ``fastest`` | ``leastIntersections`` (anything else:
            shortest).

    Returns:
        the path's nodes from the start road to the target road, or None when a position is
        not on a driving lane, start and target are on the same road and lane, the start road
        has no link ahead, or the target cannot be reached.
    """
    if not (_valid(net, start) and _valid(net, target)):
        return None
    if start.road_id == target.road_id and start.lane_id == target.lane_id:
        return None
    weights = _Weights(strategy)
    road0 = net.roads[start.road_id]
    exit0 = "end" if forward else "start"
    if _link(road0, exit0) is None:
        return None
    rest = road0.length - start.s if forward else start.s
    first = PathNode(road0.id, start.lane_id, 0, exit0, weights.start(road0, rest))
    heap: list[tuple[float, int, int, PathNode]] = [(first.weight, 0, 0, first)]
    seen: set[tuple[str, int, int, str | None]] = set()
    counter = 1
    while heap:
        _, _, _, node = heapq.heappop(heap)
        key = (node.road_id, node.lane_id, node.from_lane, node.exit)
        if key in seen:
            continue
        seen.add(key)
        if node.road_id == target.road_id and node.lane_id == target.lane_id:
            out = []
            while node is not None:
                out.append(node)
                node = node.previous
            return out[::-1]
        if node.exit is None:
            continue
        for nxt in _next_roads(net, net.roads[node.road_id], node.exit):
            for child in _children(net, weights, node, nxt, target):
                jump = abs(child.lane_id - node.lane_id)
                heapq.heappush(heap, (child.weight, jump, counter, child))
                counter += 1
    return None


def _children(net: Any, weights: _Weights, node: PathNode, nxt: Any, target: Any
              ) -> list[PathNode]:
    """Nodes on road ``nxt`` reached from ``node`` (``GetNextNodes``)."""
    road = net.roads[node.road_id]
    link = _link(road, node.exit)
    section = _end_section(road, node.exit)
    side = 1 if node.lane_id > 0 else -1
    out = []
    for lane in sorted(section.left if side > 0 else section.right, key=lambda ln: -ln.id):
        if not _driving(lane):
            continue
        to_lane = connecting_lane(net, road, node.exit, lane.id, nxt.id)
        if to_lane == 0:
            continue
        if nxt.id == target.road_id and to_lane == target.lane_id:
            if link.element_type == "road" and link.contact_point == "start":
                length = target.s
            elif link.element_type == "road" and link.contact_point == "end":
                length = nxt.length - target.s
            else:
                length = 0.0
            w = weights.road(nxt, length, link.element_type == "junction")
            out.append(PathNode(nxt.id, to_lane, lane.id, None, node.weight + w, node))
            continue
        exit_ = _next_exit(net, node, nxt)
        if exit_ is None:
            continue
        w = weights.road(nxt, nxt.length, link.element_type == "junction")
        out.append(PathNode(nxt.id, to_lane, lane.id, exit_, node.weight + w, node))
    return out


def path_waypoints(net: Any, path: list[PathNode], start: Any, target: Any) -> list[Waypoint]:
    """Waypoints of ``path`` (``LaneIndependentRouter::GetWaypoints``, module docstring):
    one per road but the last, then ``target``. ``start``, ``target``: lane positions
    (``road_id``, ``lane_id``, ``s`` [m])."""
    out = []
    for i, (cur, nxt) in enumerate(zip(path, path[1:])):
        road = net.roads[cur.road_id]
        sections = road.sections[::-1] if cur.exit == "end" else road.sections
        stretch = 0.0
        for sec in sections:
            if not _driving(sec.by_id.get(nxt.from_lane)):
                break
            stretch += sec.end - sec.s
        if cur.exit == "end":
            s = road.length - stretch / 2
            if i == 0 and start.s > road.length - stretch:
                s = start.s
        else:
            s = stretch / 2
            if i == 0 and start.s < stretch:
                s = start.s
        out.append(Waypoint(cur.road_id, nxt.from_lane, s))
    out.append(Waypoint(target.road_id, target.lane_id, target.s))
    return out


def connected_lane_at(road: Any, lane_id: int, s: float, s_to: float) -> int:
    """Lane id reached from ``lane_id`` at ``s`` by following the lane links of ``road``'s
    lane sections to ``s_to`` [m] (esmini ``Road::GetConnectedLaneIdAtS``: a lane without a
    link keeps its id); 0 when the lane is missing on the way."""
    i, j = road.section_index(s), road.section_index(s_to)
    step = 1 if j > i else -1
    lane = lane_id
    while i != j:
        ln = road.sections[i].by_id.get(lane)
        if ln is None:
            return 0
        nxt = ln.successor if step > 0 else ln.predecessor
        lane = nxt if nxt is not None else lane
        i += step
    return lane if lane in road.sections[j].by_id else 0

