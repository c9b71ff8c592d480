"""Assemble the whole modelled network and derive each junction's lane movements.

``build_layout()`` returns the :class:`~maps.wuhan.network_model.Network` (roads outside
junctions, junctions with their legs); ``movements(junction)`` lists the lane-to-lane connections
the OpenDRIVE writer asks scenariogeneration to build. Pure data, deterministic order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from maps.wuhan.network_expressway import add_expressway, terminal_ids
from maps.wuhan.network_layout import (GRID_N, INTERCHANGE_COLUMNS, ROUNDABOUT_NODE,
                                       TERMINAL_OFFSET_M, LayoutBuilder, add_grid_streets,
                                       add_ring_corners, add_roundabout, expressway_y, is_node,
                                       is_signalised, node_half_size, node_id, ring_junction_id,
                                       street_coord, terminal_half_size)
from maps.wuhan.network_model import JunctionSpec, Leg, Network

STRAIGHT_MAX_RAD = math.pi / 4
"""A movement turning less than this [rad] is 'straight'."""
U_TURN_MIN_RAD = 3 * math.pi / 4
"""A movement turning more than this [rad] is a U-turn, which the model leaves out."""


@dataclass(frozen=True)
class Movement:
    """One lane-to-lane connection through a junction.

    from_road, to_road: road ids; from_lane, to_lane: lane ids on them;
    turn: 'straight', 'right' or 'left' (right-hand traffic).
    """

    from_road: int
    to_road: int
    from_lane: int
    to_lane: int
    turn: str


def _turn(a: Leg, b: Leg) -> str | None:
    """Turn from leg a into leg b, or None for a U-turn."""
    delta = math.remainder((b.heading_in + math.pi) - a.heading_in, 2 * math.pi)
    if abs(delta) < STRAIGHT_MAX_RAD:
        return "straight"
    if abs(delta) > U_TURN_MIN_RAD:
        return None
    return "left" if delta > 0 else "right"


def movements(junction: JunctionSpec) -> list[Movement]:
    """Lane connections of a (non-direct) junction, by leg order.

    Rules: straight, through lane k -> outbound lane k for k up to the smaller count; right
    turn from the kerb lane to the kerb lane; left turn from the left-turn lane (else through
    lane 1) to the innermost outbound lane; no U-turns. Lane ids carry the driving direction:
    inbound lanes have the leg's ``inbound_sign``, outbound lanes the other.
    """
    out = []
    for a in junction.legs:
        if a.inbound_lanes == 0:
            continue
        first_in = a.inbound_through_first
        for b in junction.legs:
            turn = _turn(a, b) if b is not a else None
            if turn is None or b.outbound_lanes == 0:
                continue
            first_out = b.outbound_first
            if turn == "straight":
                count = min(a.inbound_lanes - first_in + 1, b.outbound_lanes)
                pairs = [(first_in + k, first_out + k) for k in range(count)]
            elif turn == "right":
                pairs = [(a.inbound_lanes, first_out + b.outbound_lanes - 1)]
            else:
                pairs = [(1, first_out)]
            for lane_a, lane_b in pairs:
                out.append(Movement(a.road.id, b.road.id, a.inbound_sign * lane_a,
                                    -b.inbound_sign * lane_b, turn))
    return out


def _grid_junctions(b: LayoutBuilder) -> list[JunctionSpec]:
    out = []
    for j in range(GRID_N):
        for i in range(GRID_N):
            if not is_node(i, j) or (i, j) == ROUNDABOUT_NODE:
                continue
            jid = node_id(i, j)
            kind = "signalised" if is_signalised(i, j) else "priority"
            out.append(JunctionSpec(jid, f"J{i}-{j}", street_coord(i), street_coord(j), kind,
                                    legs=tuple(b.legs[jid]), intersection=f"J{i}-{j}",
                                    half_size_m=node_half_size(i, j)))
    return out


def _roundabout_junctions(b: LayoutBuilder) -> list[JunctionSpec]:
    cx, cy = (street_coord(k) for k in ROUNDABOUT_NODE)
    name = "J{}-{}".format(*ROUNDABOUT_NODE)
    return [JunctionSpec(ring_junction_id(side), f"{name}-RB-{side}", cx, cy, "roundabout",
                         legs=tuple(b.legs[ring_junction_id(side)]), intersection=name,
                         half_size_m=node_half_size(*ROUNDABOUT_NODE)) for side in "ENWS"]


def _terminals(b: LayoutBuilder) -> list[JunctionSpec]:
    out = []
    for c in INTERCHANGE_COLUMNS:
        for jid, dy, tag in zip(terminal_ids(c), (TERMINAL_OFFSET_M, -TERMINAL_OFFSET_M), "NS"):
            out.append(JunctionSpec(jid, f"X{c}-T{tag}", street_coord(c), expressway_y() + dy,
                                    "signalised", legs=tuple(b.legs[jid]),
                                    intersection=f"X{c}-T{tag}",
                                    half_size_m=terminal_half_size()))
    return out


def build_layout() -> Network:
    """The whole network: grid, ring-road corners, roundabout, expressway with interchanges."""
    b = LayoutBuilder()
    add_grid_streets(b)
    add_ring_corners(b)
    add_roundabout(b)
    direct = add_expressway(b)
    junctions = _grid_junctions(b) + _roundabout_junctions(b) + _terminals(b) + direct
    return Network(tuple(b.roads), tuple(sorted(junctions, key=lambda j: j.id)))
