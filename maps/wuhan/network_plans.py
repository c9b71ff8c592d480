"""Signal sites, fixed-time signal plans with green waves, and the RSU layout of the network.

Signals: one vehicle signal (type 1000001, dynamic) at the stop line of every approach of a
signalised junction, valid for the approach's inbound lanes (OpenDRIVE 1.7 clause 14).

Plans (one per signalised junction, same record as section 1's ``signals.json``): two phases,
E-W legs then N-S legs, yellow YELLOW_S and all-red ALL_RED_S each; a common cycle CYCLE_S so
neighbours can be coordinated; greens split in proportion to the widest approach of each phase.
Offsets make green waves: along each arterial row (and, where the row is a collector, along the
arterial column) the coordinated phase starts ``distance / progression speed`` later per metre,
modulo the cycle, the progression speed being the street's speed limit (classic time-space
coordination, e.g. FHWA Traffic Signal Timing Manual ch. 6). ``offset_s`` is the time in the
cycle at which phase 1 starts.

RSUs: one at each intersection (roundabout: one for its four junctions); along the whole
expressway evenly, at most RSU_SPACING_M apart; along other roads longer than RSU_LONG_ROAD_M
(the ring-road corners) evenly, at most RSU_SPACING_M apart. Along-road RSUs stand on the
reference line (median mast).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

from maps.wuhan.network_layout import COLLECTOR, EXPRESSWAY, GRID_N, street_class, street_coord
from maps.wuhan.network_model import JunctionSpec, Leg, Network
from maps.wuhan.xodr_tools import GEO_REFERENCE

CYCLE_S = 100.0
"""Common cycle [s] of every signalised junction."""
YELLOW_S = 3.0
ALL_RED_S = 2.0
MIN_GREEN_S = 20.0
"""Shortest green [s]: pedestrians crossing up to 27 m at 1.2 m/s with the clearance."""
STOP_LINE_FROM_END_M = 8.0
"""Distance [m] of the stop line from the junction end of an approach road."""
CROSSWALK_FROM_END_M = 4.0
RSU_RANGE_M = 300.0
RSU_SENSING_M = 150.0
RSU_SPACING_M = 500.0
RSU_LONG_ROAD_M = 600.0
RSU_PERIODS_S = MappingProxyType({"SPAT": 0.1, "MAP": 1.0, "RSM": 0.1, "RSI": 0.5})
"""Broadcast period [s] per message, as in section 1 (read-only)."""


@dataclass(frozen=True)
class SignalSite:
    """One vehicle signal: id, junction, road, s [m], t [m], orientation, inbound lanes,
    leg name and phase (1: E-W legs, 2: N-S legs)."""

    id: str
    junction_id: int
    road_id: int
    s: float
    t: float
    orientation: str
    lanes: tuple[int, int]
    approach: str
    phase: int


def _phase_of(leg: Leg) -> int:
    """1 for legs entering along the x axis (E-W), 2 along the y axis (N-S)."""
    return 1 if abs(math.cos(leg.heading_in)) > 0.5 else 2


def signal_sites(junction: JunctionSpec) -> list[SignalSite]:
    """Signals of a signalised junction, one per approach with inbound lanes (leg order)."""
    out = []
    for k, leg in enumerate(junction.legs, start=1):
        n = leg.inbound_lanes
        if n == 0 or junction.kind != "signalised":
            continue
        sign = leg.inbound_sign
        width = leg.road.cls.lane_width_m
        lanes = tuple(sorted((sign * 1, sign * n)))
        out.append(SignalSite(str(junction.id * 10 + k), junction.id, leg.road.id,
                              leg.s_from_junction(STOP_LINE_FROM_END_M),
                              sign * (n * width + 0.5), "+" if sign < 0 else "-", lanes,
                              leg.name, _phase_of(leg)))
    return out


def _greens(sites: list[SignalSite], junction: JunctionSpec) -> tuple[float, float]:
    """Green times [s] of phases 1 and 2, split by the most through lanes of an approach of
    each phase; ValueError if a phase has no approach."""
    lanes = {1: 0, 2: 0}
    by_road = {leg.road.id: leg for leg in junction.legs}
    for site in sites:  # through lanes (left-turn lanes not counted)
        lanes[site.phase] = max(lanes[site.phase], by_road[site.road_id].road.cls.lanes)
    usable = CYCLE_S - 2 * (YELLOW_S + ALL_RED_S)
    if not lanes[1] or not lanes[2]:
        raise ValueError(f"junction {junction.id}: a phase has no approach")
    g1 = round(usable * lanes[1] / (lanes[1] + lanes[2]))
    g1 = min(max(g1, MIN_GREEN_S), usable - MIN_GREEN_S)
    return float(g1), float(usable - g1)


def _progression(junction: JunctionSpec, g1: float) -> dict:
    """Coordinated phase, distance [m] from the street's first node, speed [m/s], offset [s].

    Junctions on an arterial row are coordinated along the row (phase 1 starts at
    distance / speed); the others (collector rows, interchange terminals) along their column
    (phase 2 starts at distance / speed, so phase 1 starts g1 + yellow + all-red earlier).
    """
    spacing = street_coord(1) - street_coord(0)
    i = round(junction.x / spacing + (GRID_N - 1) / 2)
    j = round(junction.y / spacing + (GRID_N - 1) / 2)
    on_row = abs(street_coord(j) - junction.y) < 1e-6
    if on_row and street_class(j) is not COLLECTOR:
        street, axis, phase, shift = street_class(j), "E-W", 1, 0.0
        distance = junction.x - street_coord(0)
    else:
        street, axis, phase = street_class(i), "N-S", 2
        shift = g1 + YELLOW_S + ALL_RED_S
        distance = junction.y - street_coord(0)
    speed = street.speed_kmh / 3.6
    offset = (distance / speed - shift) % CYCLE_S
    return {"axis": axis, "coordinated_phase": phase, "distance_m": round(distance, 3),
            "speed_mps": round(speed, 4), "offset_s": round(offset, 3)}


def _intervals(phases: list[dict], ids: list[str]) -> list[dict]:
    """Constant-state intervals of one cycle (green, yellow, all-red per phase)."""
    out = []
    for ph in phases:
        for suffix, duration, colour in (("green", ph["green_s"], "green"),
                                         ("yellow", ph["yellow_s"], "yellow"),
                                         ("all-red", ph["all_red_s"], "red")):
            states = {sid: "red" for sid in ids}
            states.update({sid: colour for sid in ph["vehicle_signals"]})
            out.append({"name": f"P{ph['id']}-{suffix}", "phase_id": ph["id"],
                        "duration_s": duration, "states": states})
    return out


def junction_plan(junction: JunctionSpec) -> dict:
    """Fixed-time plan of one signalised junction (section-1 record plus ``progression``)."""
    sites = signal_sites(junction)
    g1, g2 = _greens(sites, junction)
    phases = []
    for pid, name, green in ((1, "E-W", g1), (2, "N-S", g2)):
        phases.append({"id": pid, "name": name,
                       "vehicle_signals": [s.id for s in sites if s.phase == pid],
                       "pedestrian_signals": [], "green_s": green, "yellow_s": YELLOW_S,
                       "all_red_s": ALL_RED_S})
    prog = _progression(junction, g1)
    signals = [{"id": s.id, "kind": "vehicle", "type": "1000001", "road_id": str(s.road_id),
                "approach": s.approach, "s": round(s.s, 6), "lanes": list(s.lanes)}
               for s in sites]
    return {"junction_id": str(junction.id), "name": junction.name, "control": "fixed-time",
            "cycle_s": CYCLE_S, "offset_s": prog.pop("offset_s"), "progression": prog,
            "signals": signals, "phases": phases,
            "intervals": _intervals(phases, sorted(s.id for s in sites))}


def signal_plans(net: Network) -> dict:
    """All plans: ``{"cycle_s", "junctions": [plan, ...]}`` in junction-id order."""
    plans = [junction_plan(j) for j in net.junctions if j.kind == "signalised"]
    return {"geo_reference": GEO_REFERENCE, "cycle_s": CYCLE_S, "junctions": plans}


def _rsu(rsu_id: str, x: float, y: float, junction: str | None, signals: list[str]) -> dict:
    return {"id": rsu_id, "x": round(x, 3), "y": round(y, 3), "range_m": RSU_RANGE_M,
            "sensing_radius_m": RSU_SENSING_M, "junction_id": junction, "signal_ids": signals,
            "periods_s": dict(RSU_PERIODS_S)}


def rsu_layout(net: Network) -> dict:
    """RSUs: one per intersection, at its corner facing the zone centre (5 m inside the
    junction's half size on both axes), then along long roads. Same record as section 1's
    ``rsu.json``."""
    rsus, seen = [], set()
    for j in net.junctions:
        if j.kind == "direct" or j.intersection in seen:
            continue
        seen.add(j.intersection)
        members = [k for k in net.junctions if k.intersection == j.intersection]
        signals = sorted(s.id for k in members for s in signal_sites(k))
        corner = j.half_size_m - 5.0
        rsus.append(_rsu(f"RSU-{j.intersection}", j.x - math.copysign(corner, j.x),
                         j.y - math.copysign(corner, j.y), str(j.id), signals))
    express = [r for r in net.roads if r.cls is EXPRESSWAY]
    x0, x1 = min(r.x for r in express), max(r.x + r.length_m for r in express)
    n = math.ceil((x1 - x0) / RSU_SPACING_M)
    for k in range(n):  # evenly along the whole expressway, on its median
        x = x0 + (k + 0.5) * (x1 - x0) / n
        rsus.append(_rsu(f"RSU-X-{k + 1}", x, express[0].y, None, []))
    for road in net.roads:
        if road.length_m <= RSU_LONG_ROAD_M or road.cls is EXPRESSWAY:
            continue
        n = math.ceil(road.length_m / RSU_SPACING_M) - 1
        for k in range(1, n + 1):
            x, y, _ = road.pose_at(road.length_m * k / (n + 1))
            rsus.append(_rsu(f"RSU-{road.name}-{k}", x, y, None, []))
    return {"geo_reference": GEO_REFERENCE, "rsus": rsus}
