"""Plain records describing the modelled Wuhan network, independent of any OpenDRIVE writer.

:mod:`maps.wuhan.network_layout` fills them; :mod:`maps.wuhan.generate_network` turns them into
OpenDRIVE with scenariogeneration, and :mod:`maps.wuhan.network_plans` into the signal plan and
RSU layout. Frame: OpenDRIVE inertial frame, x east, y north [m]; headings [rad] counter-clockwise
from east; curvature [1/m], positive to the left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class RoadClass:
    """Cross-section and rules of one kind of road.

    Attributes:
        name: e.g. 'arterial 2x3'.
        lanes: driving lanes per direction (one-way roads: in their one direction).
        lane_width_m: driving-lane width [m].
        sidewalk_m: sidewalk width [m] outside the driving lanes (0: none).
        speed_kmh: speed limit [km/h] written as the road type speed record.
        road_type: OpenDRIVE 1.7 ``e_roadType`` (townArterial, townCollector, ...).
        median_m: width [m] of the median lane on each side of the centre line (0: none). A
            road with a median has a dedicated left-turn lane cut out of it on the inbound side
            of each end (see :mod:`maps.wuhan.network_lanes`), so it equals the lane width.
    """

    name: str
    lanes: int
    lane_width_m: float
    sidewalk_m: float
    speed_kmh: int
    road_type: str
    median_m: float = 0.0

    @property
    def half_width_m(self) -> float:
        """Distance [m] from the reference line to the outer edge (median, lanes, sidewalk)."""
        return self.median_m + self.lanes * self.lane_width_m + self.sidewalk_m


@dataclass(frozen=True)
class Piece:
    """One planView geometry: a line (curvature 0) or an arc. length [m], curvature [1/m]."""

    length_m: float
    curvature: float = 0.0


@dataclass(frozen=True)
class RoadSpec:
    """One OpenDRIVE road outside junctions.

    Attributes:
        id: road@id. name: road@name. cls: cross-section and speed.
        x, y, hdg: start pose of the reference line [m, m, rad].
        pieces: the planView, in order.
        one_way: only right lanes (ids -1..-n), driven along +s.
        pred, succ: id of the junction at the start / end, or None (open end).
        aux_start_m, aux_end_m: length [m] of the auxiliary lane (ids +/-(n+1), expressway
            merge and diverge lanes) at the start / end, 0 for none.
        bridge_m: peak elevation [m] of a bridge over the road's middle (0: flat).
    """

    id: int
    name: str
    cls: RoadClass
    x: float
    y: float
    hdg: float
    pieces: tuple[Piece, ...]
    one_way: bool = False
    pred: int | None = None
    succ: int | None = None
    aux_start_m: float = 0.0
    aux_end_m: float = 0.0
    bridge_m: float = 0.0

    @property
    def length_m(self) -> float:
        """Reference-line length [m]."""
        return sum(p.length_m for p in self.pieces)

    def pose_at(self, s: float, t: float = 0.0) -> tuple[float, float, float]:
        """Inertial (x, y, heading) [m, m, rad] of road coordinates (s, t), closed form for lines
        and arcs (OpenDRIVE 1.7 clauses 7.4 and 7.6). ``s`` is clamped to [0, length]."""
        x, y, h = self.x, self.y, self.hdg
        left = min(max(s, 0.0), self.length_m)
        for piece in self.pieces:
            ds = min(left, piece.length_m)
            x, y, h = _advance(x, y, h, piece.curvature, ds)
            left -= ds
            if left <= 0.0:
                break
        return x - t * math.sin(h), y + t * math.cos(h), h


def _advance(x: float, y: float, h: float, k: float, ds: float) -> tuple[float, float, float]:
    """Pose after ``ds`` [m] on a line (k = 0) or an arc of curvature ``k`` [1/m]."""
    if abs(k) < 1e-12:
        return x + ds * math.cos(h), y + ds * math.sin(h), h
    h1 = h + k * ds
    return x + (math.sin(h1) - math.sin(h)) / k, y - (math.cos(h1) - math.cos(h)) / k, h1


@dataclass(frozen=True)
class Leg:
    """One road end at a junction, in the junction's frame (origin at ``JunctionSpec.x, y``).

    Attributes:
        road: the road. contact: 'successor' when the road ends here, 'predecessor' when it
            starts here (scenariogeneration's wording).
        dx, dy: reference-line end relative to the junction origin [m].
        heading_in: heading [rad] pointing into the junction.
        name: compass name ('W', 'E', 'S', 'N') or role ('ring-in', 'ring-out').
    """

    road: RoadSpec
    contact: str
    dx: float
    dy: float
    heading_in: float
    name: str

    @property
    def inbound_sign(self) -> int:
        """Sign of the lane ids that drive into the junction (-1 right, +1 left)."""
        return -1 if self.contact == "successor" else 1

    @property
    def bay(self) -> bool:
        """True when the inbound side ends in a dedicated left-turn lane (inbound lane 1; the
        through lanes are then 2..n+1). Roads with a median have one at both ends."""
        return self.road.cls.median_m > 0.0

    @property
    def inbound_lanes(self) -> int:
        """Number of driving lanes entering the junction from this leg (left-turn lane
        included)."""
        if self.road.one_way:
            return self.road.cls.lanes if self.contact == "successor" else 0
        return self.road.cls.lanes + (1 if self.bay else 0)

    @property
    def outbound_lanes(self) -> int:
        """Number of driving lanes leaving the junction on this leg."""
        if self.road.one_way:
            return self.road.cls.lanes if self.contact == "predecessor" else 0
        return self.road.cls.lanes

    @property
    def outbound_first(self) -> int:
        """Absolute id of the innermost outbound driving lane (2 behind a median lane)."""
        return 2 if self.road.cls.median_m > 0.0 else 1

    @property
    def inbound_through_first(self) -> int:
        """Absolute id of the innermost inbound through lane (2 beside a left-turn lane)."""
        return 2 if self.bay else 1

    @property
    def carriageway_m(self) -> float:
        """Width [m] of the carriageway at the junction end (both sides, no sidewalks)."""
        lanes = self.inbound_lanes + self.outbound_lanes + (self.outbound_first - 1)
        return lanes * self.road.cls.lane_width_m

    def s_from_junction(self, d_m: float) -> float:
        """Road s [m] of the point ``d_m`` metres from the junction end of the road."""
        return self.road.length_m - d_m if self.contact == "successor" else d_m


@dataclass(frozen=True)
class DirectLink:
    """One connection of a direct junction (OpenDRIVE 1.7 clause 12.5).

    incoming, linked: road ids; contact: 'start' or 'end' of the linked road;
    lanes: (from lane on incoming, to lane on linked) pairs.
    """

    incoming: int
    linked: int
    contact: str
    lanes: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class JunctionSpec:
    """One OpenDRIVE junction.

    Attributes:
        id, name: junction@id and @name.
        x, y: origin of the legs' frame [m] (the intersection centre).
        kind: 'signalised', 'priority' (stop/yield controlled), 'roundabout' (one of the
            junctions of a roundabout) or 'direct' (expressway merge/diverge).
        legs: the road ends (not for direct junctions).
        links: the connections of a direct junction.
        intersection: name of the intersection it belongs to (several junctions make one
            roundabout); '' for direct junctions.
        half_size_m: distance [m] from the centre to the end of the grid legs.
    """

    id: int
    name: str
    x: float
    y: float
    kind: str
    legs: tuple[Leg, ...] = ()
    links: tuple[DirectLink, ...] = ()
    intersection: str = ""
    half_size_m: float = 0.0


@dataclass(frozen=True)
class Network:
    """The whole modelled network: roads outside junctions and junctions."""

    roads: tuple[RoadSpec, ...]
    junctions: tuple[JunctionSpec, ...]

    def road(self, road_id: int) -> RoadSpec:
        """The road with ``road_id``; KeyError if absent."""
        for road in self.roads:
            if road.id == road_id:
                return road
        raise KeyError(road_id)
