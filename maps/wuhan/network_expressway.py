"""The expressway south of the grid and its two diamond interchanges (pure layout data).

The expressway is one two-way road split into segments at the merge and diverge points. At each
point a direct junction (OpenDRIVE 1.7 clause 12.5) carries the three through lanes per
direction on and links the auxiliary lane (id -4 eastbound, +4 westbound, AUX_LANE_M long) to a
one-lane ramp. Each interchange has four ramps shaped as two-arc S-curves: eastbound ramps on the
south side end at a signalised T terminal south of the expressway, westbound ramps at a
signalised four-way terminal north of it; a bridge joins the two terminals and an interchange
road joins the northern terminal to the grid's southern ring road.
"""

from __future__ import annotations

import math

from maps.wuhan.network_layout import (AUX_LANE_M, BRIDGE_HEIGHT_M, CONNECTOR, EXPRESSWAY,
                                       EXPRESSWAY_OVERHANG_M, GRID_N, INTERCHANGE_COLUMNS, RAMP,
                                       RAMP_REACH_M, TERMINAL_OFFSET_M, LayoutBuilder,
                                       expressway_y, node_half_size, node_id, s_curve,
                                       straight_road, street_coord, terminal_half_size)
from maps.wuhan.network_model import DirectLink, JunctionSpec, Piece, RoadSpec


def terminal_ids(column: int) -> tuple[int, int]:
    """(north, south) ramp-terminal junction ids of the interchange under ``column``."""
    return 1100 + column, 1110 + column


def _split_points() -> list[tuple[float, str, int]]:
    """Merge/diverge points west -> east: (x [m], 'west'|'east' of the interchange, column)."""
    points = []
    for c in INTERCHANGE_COLUMNS:
        xc = street_coord(c)
        points += [(xc - RAMP_REACH_M, "west", c), (xc + RAMP_REACH_M, "east", c)]
    return sorted(points)


def _segments(b: LayoutBuilder) -> list[RoadSpec]:
    """Expressway segments with their auxiliary lanes; direct junction ids 1200, 1201, ..."""
    y = expressway_y()
    points = _split_points()
    xs = ([street_coord(0) - EXPRESSWAY_OVERHANG_M] + [p[0] for p in points]
          + [street_coord(GRID_N - 1) + EXPRESSWAY_OVERHANG_M])
    kinds = [None] + [p[1] for p in points] + [None]
    out = []
    for k in range(len(xs) - 1):
        road = RoadSpec(b.next_id, f"X-{k}", EXPRESSWAY, xs[k], y, 0.0,
                        (Piece(xs[k + 1] - xs[k]),),
                        pred=1200 + k - 1 if k > 0 else None,
                        succ=1200 + k if k < len(xs) - 2 else None,
                        aux_start_m=AUX_LANE_M if kinds[k] == "east" else 0.0,
                        aux_end_m=AUX_LANE_M if kinds[k + 1] == "west" else 0.0)
        out.append(b.add(road, None, None))
    return out


def _ramps(b: LayoutBuilder, column: int, junction_west: int, junction_east: int) -> dict:
    """The four ramps of one interchange: {'eb_off', 'eb_on', 'wb_off', 'wb_on': RoadSpec}."""
    xc, y = street_coord(column), expressway_y()
    north, south = terminal_ids(column)
    half = terminal_half_size()
    shift = TERMINAL_OFFSET_M - EXPRESSWAY.lanes * EXPRESSWAY.lane_width_m
    reach = RAMP_REACH_M - half
    edge = EXPRESSWAY.lanes * EXPRESSWAY.lane_width_m
    specs = {  # name: (x, y, hdg, lateral, pred, succ, start leg, end leg)
        "eb_off": (xc - RAMP_REACH_M, y - edge, 0.0, -shift, junction_west, south,
                   None, (south, -half, 0.0, 0.0, "W")),
        "eb_on": (xc + half, y - TERMINAL_OFFSET_M, 0.0, shift, south, junction_east,
                  (south, half, 0.0, math.pi, "E"), None),
        "wb_off": (xc + RAMP_REACH_M, y + edge, math.pi, -shift, junction_east, north,
                   None, (north, half, 0.0, math.pi, "E")),
        "wb_on": (xc - half, y + TERMINAL_OFFSET_M, math.pi, shift, north, junction_west,
                  (north, -half, 0.0, 0.0, "W"), None),
    }
    out = {}
    for name, (x0, y0, hdg, lateral, pred, succ, start, end) in specs.items():
        road = RoadSpec(b.next_id, f"X{column}-{name}", RAMP, x0, y0, hdg,
                        s_curve(reach, lateral), one_way=True, pred=pred, succ=succ)
        out[name] = b.add(road, start, end)
    return out


def _terminal_roads(b: LayoutBuilder, column: int) -> None:
    """Bridge (south terminal -> north terminal) and interchange road (north terminal -> grid)."""
    xc, y = street_coord(column), expressway_y()
    north, south = terminal_ids(column)
    half = terminal_half_size()
    yn, ys = y + TERMINAL_OFFSET_M, y - TERMINAL_OFFSET_M
    straight_road(b, f"X{column}-bridge", CONNECTOR, (south, xc, ys + half, xc, ys),
              (north, xc, yn - half, xc, yn), bridge_m=BRIDGE_HEIGHT_M)
    y0 = street_coord(0)
    straight_road(b, f"X{column}-link", CONNECTOR, (north, xc, yn + half, xc, yn),
              (node_id(column, 0), xc, y0 - node_half_size(column, 0), xc, y0))


def _direct_links(west: RoadSpec, east: RoadSpec, kind: str, ramps: dict) -> tuple:
    """Connections of the direct junction between segments ``west`` and ``east``."""
    n = EXPRESSWAY.lanes
    links = [DirectLink(west.id, east.id, "start", tuple((-k, -k) for k in range(1, n + 1))),
             DirectLink(east.id, west.id, "end", tuple((k, k) for k in range(1, n + 1)))]
    aux = n + 1
    if kind == "west":  # eastbound diverge, westbound merge
        links += [DirectLink(west.id, ramps["eb_off"].id, "start", ((-aux, -1),)),
                  DirectLink(ramps["wb_on"].id, west.id, "end", ((-1, aux),))]
    else:  # eastbound merge, westbound diverge
        links += [DirectLink(ramps["eb_on"].id, east.id, "start", ((-1, -aux),)),
                  DirectLink(east.id, ramps["wb_off"].id, "start", ((aux, -1),))]
    return tuple(links)


def add_expressway(b: LayoutBuilder) -> list[JunctionSpec]:
    """Add expressway segments, ramps, bridges and interchange roads to ``b``; return the
    direct junctions (the terminals' legs are collected in ``b.legs``)."""
    segments = _segments(b)
    points = _split_points()
    ramps = {}
    for c in INTERCHANGE_COLUMNS:
        k = next(i for i, p in enumerate(points) if p[2] == c and p[1] == "west")
        ramps[c] = _ramps(b, c, 1200 + k, 1200 + k + 1)
        _terminal_roads(b, c)
    out = []
    for k, (x, kind, c) in enumerate(points):
        west, east = segments[k], segments[k + 1]
        out.append(JunctionSpec(1200 + k, f"X{c}-{kind}", x, expressway_y(), "direct",
                                links=_direct_links(west, east, kind, ramps[c])))
    return out
