"""Layout of the modelled Wuhan test-zone network (grid, ring corners, roundabout, expressway).

Modelled on public figures (about 106 km of smart road, 96 smart intersections), not surveyed.
The zone is a 10 x 10 grid of streets GRID_SPACING_M apart centred on the origin (30.49 N,
114.15 E): streets with index 0 and 9 form a 2x2-lane ring road whose four corners are bends,
3 and 6 are 2x3-lane arterials, 1 and 8 2x2-lane arterials (these three with a 7 m median
giving way to a left-turn lane before each junction), the rest 2x1-lane collectors.
That gives 64 four-way and 32 T intersections (96); the one at grid node ROUNDABOUT_NODE is a
roundabout. South of the grid runs a 2x3-lane urban expressway (80 km/h) with a diamond
interchange under arterial columns 3 and 6: one-lane ramps leave and join it through direct
junctions and end at two signalised terminals linked by a bridge across it.

Everything is pure data (:mod:`maps.wuhan.network_model`); nothing here writes OpenDRIVE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType

from maps.wuhan.network_model import Leg, Piece, RoadClass, RoadSpec

GRID_N = 10
"""Streets per direction."""
GRID_SPACING_M = 570.0
"""Distance [m] between neighbouring parallel streets."""
CORNER_RADIUS_M = 60.0
"""Radius [m] of the ring road's corner bends."""
JUNCTION_MARGIN_M = 8.0
"""Junction half size = widest leg half width + this margin [m] (crosswalk and stop line)."""
ROUNDABOUT_NODE = (5, 5)
"""Grid node (column, row) built as a roundabout."""
RING_RADIUS_M = 22.0
"""Radius [m] of the roundabout's reference line (the inner edge of its single lane)."""
RING_GAP_RAD = 0.45
"""Half angle [rad] of the ring taken by each of the roundabout's four junctions."""
RING_LEG_M = 41.5
"""Distance [m] from the roundabout centre to the end of its approach roads."""
EXPRESSWAY_SOUTH_M = 450.0
"""Distance [m] of the expressway's centre line south of the southern ring road."""
EXPRESSWAY_OVERHANG_M = 830.0
"""Length [m] of expressway beyond the grid's west and east ring roads."""
INTERCHANGE_COLUMNS = (3, 6)
"""Grid columns that cross the expressway with a diamond interchange."""
RAMP_REACH_M = 400.0
"""Distance [m] along the expressway from an interchange centre to its merge/diverge points."""
TERMINAL_OFFSET_M = 150.0
"""Distance [m] of the ramp terminals north and south of the expressway centre line."""
AUX_LANE_M = 150.0
"""Length [m] of an auxiliary (merge or diverge) lane: 50 m taper and 100 m full width."""
BRIDGE_HEIGHT_M = 7.0
"""Peak height [m] of the bridge carrying an interchange column over the expressway."""

RING = RoadClass("ring road 2x2", 2, 3.5, 3.0, 60, "townArterial", median_m=3.5)
ARTERIAL_3 = RoadClass("arterial 2x3", 3, 3.5, 3.0, 60, "townArterial", median_m=3.5)
ARTERIAL_2 = RoadClass("arterial 2x2", 2, 3.5, 3.0, 50, "townArterial", median_m=3.5)
COLLECTOR = RoadClass("collector 2x1", 1, 3.5, 3.0, 40, "townCollector")
EXPRESSWAY = RoadClass("expressway 2x3", 3, 3.75, 0.0, 80, "townExpressway")
RAMP = RoadClass("ramp 1", 1, 3.75, 0.0, 40, "townExpressway")
CONNECTOR = RoadClass("interchange road 2x2", 2, 3.5, 3.0, 50, "townArterial")
ROUNDABOUT = RoadClass("roundabout 1", 1, 3.5, 0.0, 40, "town")

STREET_CLASS = MappingProxyType({0: RING, 9: RING, 3: ARTERIAL_3, 6: ARTERIAL_3, 1: ARTERIAL_2,
                                 8: ARTERIAL_2})
"""Street index -> class; the others are COLLECTOR."""


def street_class(index: int) -> RoadClass:
    """Class of grid street ``index`` (row or column)."""
    return STREET_CLASS.get(index, COLLECTOR)


def street_coord(index: int) -> float:
    """x of column ``index`` or y of row ``index`` [m]."""
    return (index - (GRID_N - 1) / 2) * GRID_SPACING_M


def node_id(i: int, j: int) -> int:
    """Junction id of grid node (column i, row j)."""
    return 1000 + 10 * j + i


def is_node(i: int, j: int) -> bool:
    """True for the 96 grid nodes (the four ring corners are bends, not intersections)."""
    last = GRID_N - 1
    return 0 <= i <= last and 0 <= j <= last and not (i in (0, last) and j in (0, last))


def is_signalised(i: int, j: int) -> bool:
    """Signals everywhere except where two collectors cross (priority rule) and the
    roundabout."""
    collectors = street_class(i) is COLLECTOR and street_class(j) is COLLECTOR
    return not collectors and (i, j) != ROUNDABOUT_NODE


def _node_classes(i: int, j: int) -> list[RoadClass]:
    classes = [street_class(j), street_class(i)]
    if j == 0 and i in INTERCHANGE_COLUMNS:
        classes.append(CONNECTOR)
    return classes


def node_half_size(i: int, j: int) -> float:
    """Distance [m] from the centre of node (i, j) to the ends of its legs."""
    if (i, j) == ROUNDABOUT_NODE:
        return RING_LEG_M
    return max(c.half_width_m for c in _node_classes(i, j)) + JUNCTION_MARGIN_M


@dataclass
class LayoutBuilder:
    """Collects roads (ids 1, 2, ... in creation order) and, per junction id, the legs of the
    roads that end there, while :func:`maps.wuhan.network_build.build_layout` runs."""

    roads: list[RoadSpec] = field(default_factory=list)
    legs: dict[int, list[Leg]] = field(default_factory=dict)
    next_id: int = 1

    def add(self, road: RoadSpec, start_leg: tuple | None, end_leg: tuple | None) -> RoadSpec:
        """Store ``road`` and its legs, each (junction id, dx, dy, heading_in, name) or None;
        return the road."""
        self.roads.append(road)
        self.next_id += 1
        for leg, contact in ((start_leg, "predecessor"), (end_leg, "successor")):
            if leg is not None:
                jid, dx, dy, hin, name = leg
                self.legs.setdefault(jid, []).append(Leg(road, contact, dx, dy, hin, name))
        return road


def straight_road(b: LayoutBuilder, name: str, cls: RoadClass, a: tuple, z: tuple,
                  **kw) -> RoadSpec:
    """Add a straight road from leg end ``a`` to leg end ``z``, each given as
    (junction id, x, y, junction centre x, y) [m]; extra keywords go to RoadSpec."""
    ja, xa, ya, cxa, cya = a
    jz, xz, yz, cxz, cyz = z
    hdg = math.atan2(yz - ya, xz - xa)
    road = RoadSpec(b.next_id, name, cls, xa, ya, hdg, (Piece(math.hypot(xz - xa, yz - ya)),),
                    pred=ja, succ=jz, **kw)
    start = (ja, xa - cxa, ya - cya, hdg + math.pi, _compass(hdg))
    end = (jz, xz - cxz, yz - cyz, hdg, _compass(hdg + math.pi))
    return b.add(road, start, end)


def _compass(heading: float) -> str:
    """Compass name of the leg a road leaves the junction along ``heading`` [rad]."""
    k = round(math.remainder(heading, 2 * math.pi) / (math.pi / 2)) % 4
    return "ENWS"[k]


def add_grid_streets(b: LayoutBuilder) -> None:
    """Add the grid's blocks: rows (west -> east) then columns (south -> north), one road
    between each pair of neighbouring nodes."""
    for axis in ("row", "column"):
        for k in range(GRID_N):
            nodes = [n for n in range(GRID_N)
                     if (is_node(n, k) if axis == "row" else is_node(k, n))]
            cls = street_class(k)
            for n0, n1 in zip(nodes, nodes[1:]):
                ij0, ij1 = ((n0, k), (n1, k)) if axis == "row" else ((k, n0), (k, n1))
                b_ends = []
                for (i, j), sign in ((ij0, 1.0), (ij1, -1.0)):
                    cx, cy, half = street_coord(i), street_coord(j), node_half_size(i, j)
                    x = cx + sign * half if axis == "row" else cx
                    y = cy if axis == "row" else cy + sign * half
                    b_ends.append((_node_junction(i, j, sign, axis), x, y, cx, cy))
                name = f"{'R' if axis == 'row' else 'C'}{k}-{n0}{n1}"
                straight_road(b, name, cls, b_ends[0], b_ends[1])


def _node_junction(i: int, j: int, sign: float, axis: str) -> int:
    """Junction id a grid road attaches to at node (i, j) (roundabout: the ring junction)."""
    if (i, j) != ROUNDABOUT_NODE:
        return node_id(i, j)
    side = ("E" if sign > 0 else "W") if axis == "row" else ("N" if sign > 0 else "S")
    return ring_junction_id(side)


def ring_junction_id(side: str) -> int:
    """Id of the roundabout junction on side 'E', 'N', 'W' or 'S'."""
    return 1300 + "ENWS".index(side)


def _corner(b: LayoutBuilder, name: str, start_node: tuple[int, int], corner: tuple[int, int],
            end_node: tuple[int, int]) -> None:
    """Ring-road bend: line, 90 deg left arc of CORNER_RADIUS_M, line (counter-clockwise)."""
    (i0, j0), (ic, jc), (i1, j1) = start_node, corner, end_node
    p0 = (street_coord(i0), street_coord(j0))
    pc = (street_coord(ic), street_coord(jc))
    p1 = (street_coord(i1), street_coord(j1))
    h0 = math.atan2(pc[1] - p0[1], pc[0] - p0[0])
    h1 = math.atan2(p1[1] - pc[1], p1[0] - pc[0])
    half0, half1 = node_half_size(i0, j0), node_half_size(i1, j1)
    x0, y0 = p0[0] + half0 * math.cos(h0), p0[1] + half0 * math.sin(h0)
    r = CORNER_RADIUS_M
    pieces = (Piece(math.dist(p0, pc) - half0 - r), Piece(math.pi / 2 * r, 1.0 / r),
              Piece(math.dist(pc, p1) - half1 - r))
    road = RoadSpec(b.next_id, name, RING, x0, y0, h0, pieces,
                    pred=node_id(i0, j0), succ=node_id(i1, j1))
    b.add(road, (node_id(i0, j0), half0 * math.cos(h0), half0 * math.sin(h0), h0 + math.pi,
                 _compass(h0)),
          (node_id(i1, j1), -half1 * math.cos(h1), -half1 * math.sin(h1), h1,
           _compass(h1 + math.pi)))


def add_ring_corners(b: LayoutBuilder) -> None:
    """Add the four ring-road bends, each from the last node before a corner to the first
    after it, counter-clockwise."""
    last = GRID_N - 1
    _corner(b, "RING-SW", (0, 1), (0, 0), (1, 0))
    _corner(b, "RING-SE", (last - 1, 0), (last, 0), (last, 1))
    _corner(b, "RING-NE", (last, last - 1), (last, last), (last - 1, last))
    _corner(b, "RING-NW", (1, last), (0, last), (0, last - 1))


def add_roundabout(b: LayoutBuilder) -> None:
    """Add the roundabout's four one-lane arcs, counter-clockwise, between its four
    junctions (RING_RADIUS_M, RING_GAP_RAD)."""
    cx, cy = (street_coord(k) for k in ROUNDABOUT_NODE)
    r, gap = RING_RADIUS_M, RING_GAP_RAD
    sides = "ENWS"
    for k, side in enumerate(sides):
        nxt = sides[(k + 1) % 4]
        a0 = k * math.pi / 2 + gap
        a1 = (k + 1) * math.pi / 2 - gap
        road = RoadSpec(b.next_id, f"RB-{side}{nxt}", ROUNDABOUT, cx + r * math.cos(a0),
                        cy + r * math.sin(a0), a0 + math.pi / 2,
                        (Piece(r * (a1 - a0), 1.0 / r),), one_way=True,
                        pred=ring_junction_id(side), succ=ring_junction_id(nxt))
        b.add(road, (ring_junction_id(side), r * math.cos(a0), r * math.sin(a0),
                     a0 - math.pi / 2, "ring-out"),
              (ring_junction_id(nxt), r * math.cos(a1), r * math.sin(a1), a1 + math.pi / 2,
               "ring-in"))


def s_curve(length_m: float, lateral_m: float) -> tuple[Piece, Piece]:
    """Two equal arcs shifting a road ``lateral_m`` [m] (+ left) over ``length_m`` [m] with the
    same heading at both ends: tan(theta/2) = d/L, R = L / (2 sin theta)."""
    theta = 2.0 * math.atan2(abs(lateral_m), length_m)
    radius = length_m / (2.0 * math.sin(theta))
    k = math.copysign(1.0 / radius, lateral_m)
    return Piece(radius * theta, k), Piece(radius * theta, -k)


def expressway_y() -> float:
    """y [m] of the expressway's centre line."""
    return street_coord(0) - EXPRESSWAY_SOUTH_M


def terminal_half_size() -> float:
    """Half size [m] of the ramp terminals (the 2x2 interchange road is the widest leg)."""
    return CONNECTOR.half_width_m + JUNCTION_MARGIN_M
