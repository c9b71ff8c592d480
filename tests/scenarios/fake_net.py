"""A tiny hand-checkable road network for the scenarios unit tests.

One straight road "R" along the x axis from x=0 to x=``length``: reference line y=0, heading 0.
Lanes (right-hand traffic): 1 (y in [0, 3.5], driven towards -x) and -1, -2 (y in [-3.5, 0]
and [-7, -3.5], driven towards +x); lane 2 is a 1 m ``border`` lane. So a lane centre is at
t = +1.75, -1.75, -5.25 and lane_to_world(R, -2, s, o) = (s, -5.25 + o).
"""

from __future__ import annotations

import math

from testzone.world import LaneCoord, Pose

WIDTHS = {2: 1.0, 1: 3.5, -1: 3.5, -2: 3.5}
TYPES = {2: "border", 1: "driving", -1: "driving", -2: "driving"}


def center_t(lane: int) -> float:
    """Lateral position of a lane centre [m]."""
    if lane > 0:
        return sum(WIDTHS[k] for k in range(1, lane)) + WIDTHS[lane] / 2
    return -(sum(WIDTHS[k] for k in range(-1, lane, -1)) + WIDTHS[lane] / 2)


class FakeRoad:
    """The parts of maps.Road the engine uses (road R, ``length`` [m])."""

    def __init__(self, length: float = 1000.0) -> None:
        self.length = length

    def lane_center_t(self, lane_id: int, s: float) -> float:
        return center_t(lane_id)

    def driving_sign(self, lane_id: int) -> int:
        return 1 if lane_id < 0 else -1


class StraightNet:
    """Implements the maps.RoadNetwork queries the scenarios package uses."""

    def __init__(self, length: float = 1000.0) -> None:
        self.length = length
        self.roads = {"R": FakeRoad(length)}

    def lane_to_world(self, road_id, lane_id, s, offset=0.0):
        h = 0.0 if lane_id < 0 else math.pi
        return Pose(s, center_t(lane_id) + offset, 0.0, h)

    def road_to_world(self, road_id, s, t):
        return Pose(s, t, 0.0, 0.0)

    def world_to_lane(self, x, y, heading=None, prefer=None, route=None):
        if not (0.0 <= x <= self.length) or abs(y) > 8.0:
            return None
        for lane in (2, 1, -1, -2):
            c = center_t(lane)
            if abs(y - c) <= WIDTHS[lane] / 2 + 1e-12:
                return LaneCoord("R", lane, x, y, y - c)
        lane = -2 if y < 0 else 2
        return LaneCoord("R", lane, x, y, y - center_t(lane))

    def advance(self, coord, ds, choose=None):
        sign = 1 if coord.lane_id < 0 else -1
        s = min(max(coord.s + sign * ds, 0.0), self.length)
        return LaneCoord(coord.road_id, coord.lane_id, s, center_t(coord.lane_id) + coord.offset,
                         coord.offset)

    def lane_width(self, road_id, lane_id, s):
        return WIDTHS[lane_id]

    def lane_ids(self, road_id, s):
        return [2, 1, -1, -2]

    def lane_type(self, road_id, lane_id, s):
        return TYPES[lane_id]

    def longitudinal_distance(self, a, b):
        sign = 1 if a.lane_id < 0 else -1
        return (b.s - a.s) * sign

    def longitudinal_path(self, a, b):
        sign = 1 if a.lane_id < 0 else -1
        return (b.s - a.s) * sign, sign
