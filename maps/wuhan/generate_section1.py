"""Generate section 1 of the modelled Wuhan smart road (OpenDRIVE 1.7) and its side data.

Run ``python maps/wuhan/generate_section1.py [--out DIR]``; it writes, byte-for-byte the same
on every run:

* ``wuhan_section1.xodr`` -- about 2 km of a 2x2-lane urban arterial along the x axis
  (3.5 m lanes, 3 m sidewalks, 60 km/h), one signalised four-way junction at the local origin
  with a 2x2-lane cross street along the y axis (2 x 280 m), a bus bay on the eastbound side
  east of the junction, crosswalks, stop lines and traffic signals on every approach, and a
  ``geoReference`` putting the origin at 30.49 N, 114.15 E (Wuhan Economic & Technological
  Development Zone).
* ``wuhan_section1.signals.json`` -- the junction's fixed-time signal plan.
* ``wuhan_section1.rsu.json`` -- the roadside-unit layout.

Nothing here is surveyed: the section is a plausible model (see ``docs/wuhan.md``).

Roads, lanes and the junction's connecting roads come from scenariogeneration's ``xodr`` module
(``CommonJunctionCreator`` solves the connecting roads as G2 clothoid fits). Post-processing with
lxml then (a) fixes the header (date, bounds, vendor, OpenDRIVE 1.7, geoReference as CDATA) so
the output does not depend on the wall clock, (b) writes every geometry heading in (-pi, pi]
(scenariogeneration may emit e.g. 5pi/2 for the same direction) and (c) adds the objects and
signals right after ``<lanes>``, in the order the OpenDRIVE 1.7 schema wants (``objects`` before
``signals``), with ids and positions under our control. Signal types follow the German catalogue
that OpenDRIVE examples, esmini and CARLA use: ``1000001`` vehicle light (red/yellow/green),
``1000002`` pedestrian light.

Frame: OpenDRIVE inertial frame, x east, y north [m]. Junction centre at (0, 0).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from lxml import etree
from scenariogeneration import xodr

if __package__ in (None, ""):  # run as a script: make `maps.wuhan` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from maps.wuhan.xodr_tools import (write_outputs, GEO_REFERENCE, HEADER_DATE, fix_header, fold_headings,
                                   json_bytes, sub, to_root, xml_bytes)

__all__ = ["GEO_REFERENCE", "HEADER_DATE", "build_network", "render", "signal_plan",
           "rsu_layout", "main"]

LANE_WIDTH_M = 3.5
SIDEWALK_WIDTH_M = 3.0
BAY_WIDTH_M = 3.0
JUNCTION_HALF_M = 20.0
"""Distance [m] from the junction centre to where each approach road ends."""
ARTERIAL_HALF_M = 1000.0
"""The arterial runs from x = -1000 m to x = +1000 m."""
CROSS_HALF_M = 300.0
"""The cross street runs from y = -300 m to y = +300 m."""
SPEED_LIMIT_KMH = 60
TURN_SPEED_LIMIT_KMH = 30
"""Turning speed limit in the junction (PRC Road Traffic Safety Law regulations, art. 46)."""
STOP_LINE_FROM_END_M = 8.0
CROSSWALK_FROM_END_M = 4.0
CROSSWALK_LENGTH_M = 4.0
BAY_START_S_M = 220.0
BAY_TAPER_M = 20.0
BAY_LENGTH_M = 40.0
JUNCTION_ID = 500
CONNECTING_ROAD_START_ID = 100


@dataclass(frozen=True)
class Approach:
    """One leg of the junction.

    Attributes:
        name: compass leg ('W', 'E', 'S', 'N').
        road_id: OpenDRIVE road id of the leg.
        contact: 'successor' when the road ends at the junction, 'predecessor' when it starts there.
        x, y, heading: junction-side end of the road [m, m, rad]; heading points into the
            junction.
        signal_id: id of the vehicle signal for traffic entering the junction from this leg.
        ped_signal_id: id of the pedestrian signal of the crosswalk across this leg.
    """

    name: str
    road_id: int
    contact: str
    x: float
    y: float
    heading: float
    signal_id: str
    ped_signal_id: str

    @property
    def inbound_sign(self) -> int:
        """Sign of the lane ids that drive towards the junction (-1 right, +1 left)."""
        return -1 if self.contact == "successor" else 1

    @property
    def length_m(self) -> float:
        """Length of the road [m]."""
        half = ARTERIAL_HALF_M if self.name in ("W", "E") else CROSS_HALF_M
        return half - JUNCTION_HALF_M

    def s_from_junction(self, d_m: float) -> float:
        """Road s [m] of the point ``d_m`` metres from the junction end of the road."""
        return self.length_m - d_m if self.contact == "successor" else d_m


APPROACHES = (
    Approach("W", 1, "successor", -JUNCTION_HALF_M, 0.0, 0.0, "1001", "2001"),
    Approach("E", 2, "predecessor", JUNCTION_HALF_M, 0.0, math.pi, "1002", "2002"),
    Approach("S", 3, "successor", 0.0, -JUNCTION_HALF_M, math.pi / 2, "1003", "2003"),
    Approach("N", 4, "predecessor", 0.0, JUNCTION_HALF_M, -math.pi / 2, "1004", "2004"),
)
"""The four legs. Traffic from W/E is arterial traffic, from S/N cross-street traffic."""

MOVEMENTS = MappingProxyType({"W": ("E", "S", "N"), "E": ("W", "N", "S"),
                              "S": ("N", "E", "W"), "N": ("S", "W", "E")})
"""From-leg -> (straight, right, left) to-leg, right-hand traffic (read-only)."""


def _driving_lane() -> xodr.Lane:
    lane = xodr.Lane(xodr.LaneType.driving, a=LANE_WIDTH_M)
    lane.add_roadmark(xodr.std_roadmark_broken())
    return lane


def _outer_driving_lane() -> xodr.Lane:
    lane = xodr.Lane(xodr.LaneType.driving, a=LANE_WIDTH_M)
    lane.add_roadmark(xodr.std_roadmark_solid())
    return lane


def _sidewalk() -> xodr.Lane:
    return xodr.Lane(xodr.LaneType.sidewalk, a=SIDEWALK_WIDTH_M)


def _cubic_taper(w0: float, w1: float, length: float) -> tuple[float, float, float, float]:
    """Cubic (a, b, c, d) going from width w0 to w1 over ``length`` with zero slope at both ends."""
    dw = w1 - w0
    return w0, 0.0, 3.0 * dw / length**2, -2.0 * dw / length**3


def _plain_section(s: float) -> xodr.LaneSection:
    """Lane section with lanes +/-1, +/-2 driving and +/-3 sidewalk."""
    sec = xodr.LaneSection(s, xodr.standard_lane(rm=xodr.std_roadmark_solid_solid()))
    for add in (sec.add_right_lane, sec.add_left_lane):
        add(_driving_lane())
        add(_outer_driving_lane())
        add(_sidewalk())
    return sec


def _bay_section(s: float) -> xodr.LaneSection:
    """Lane section with a bus bay as lane -3 (type bus) and the sidewalk moved to lane -4.

    The bay widens 0 -> 3 m over BAY_TAPER_M (cubic), keeps 3 m for BAY_LENGTH_M and narrows back.
    """
    sec = xodr.LaneSection(s, xodr.standard_lane(rm=xodr.std_roadmark_solid_solid()))
    sec.add_right_lane(_driving_lane())
    sec.add_right_lane(_outer_driving_lane())
    bay = xodr.Lane(xodr.LaneType.bus, *_cubic_taper(0.0, BAY_WIDTH_M, BAY_TAPER_M))
    bay.add_lane_width(a=BAY_WIDTH_M, soffset=BAY_TAPER_M)
    bay.add_lane_width(*_cubic_taper(BAY_WIDTH_M, 0.0, BAY_TAPER_M),
                       soffset=BAY_TAPER_M + BAY_LENGTH_M)
    bay.add_roadmark(xodr.RoadMark(xodr.RoadMarkType.broken, 0.15))
    sec.add_right_lane(bay)
    sec.add_right_lane(_sidewalk())
    sec.add_left_lane(_driving_lane())
    sec.add_left_lane(_outer_driving_lane())
    sec.add_left_lane(_sidewalk())
    return sec


def _link_sections(before: xodr.LaneSection, after: xodr.LaneSection,
                   pairs: list[tuple[int, int]]) -> None:
    """Add successor links in ``before`` and predecessor links in ``after`` for (id, id) pairs."""
    def lane(sec: xodr.LaneSection, lane_id: int) -> xodr.Lane:
        return sec.rightlanes[-lane_id - 1] if lane_id < 0 else sec.leftlanes[lane_id - 1]
    for a, b in pairs:
        lane(before, a).add_link("successor", b)
        lane(after, b).add_link("predecessor", a)


def _lanes_for(approach: Approach) -> xodr.Lanes:
    lanes = xodr.Lanes()
    if approach.name != "E":
        lanes.add_lanesection(_plain_section(0.0))
        return lanes
    bay_end = BAY_START_S_M + 2 * BAY_TAPER_M + BAY_LENGTH_M
    sections = [_plain_section(0.0), _bay_section(BAY_START_S_M), _plain_section(bay_end)]
    same = [(i, i) for i in (1, 2, 3, -1, -2)]
    _link_sections(sections[0], sections[1], same + [(-3, -4)])
    _link_sections(sections[1], sections[2], same + [(-4, -3)])
    for sec in sections:
        lanes.add_lanesection(sec)
    return lanes


def _build_road(approach: Approach) -> xodr.Road:
    """Approach road: a straight line pointing away from (or into) the junction."""
    if approach.name == "W":
        planview = xodr.PlanView(-ARTERIAL_HALF_M, 0.0, 0.0)
    else:
        planview = xodr.PlanView()
    planview.add_geometry(xodr.Line(approach.length_m))
    road = xodr.Road(approach.road_id, planview, _lanes_for(approach),
                     name=f"S1-{approach.name}")
    road.add_type(xodr.RoadType.town, 0.0, "CN", SPEED_LIMIT_KMH, "km/h")
    return road


def _build_junction(roads: dict[str, xodr.Road]) -> xodr.CommonJunctionCreator:
    """Junction with 16 one-lane connecting roads: 2 straight, 1 right, 1 left per leg."""
    jc = xodr.CommonJunctionCreator(JUNCTION_ID, "S1-J1", startnum=CONNECTING_ROAD_START_ID)
    for ap in APPROACHES:
        jc.add_incoming_road_cartesian_geometry(roads[ap.name], ap.x, ap.y, ap.heading,
                                                ap.contact)
    by_name = {ap.name: ap for ap in APPROACHES}
    for ap in APPROACHES:
        straight, right, left = (by_name[n] for n in MOVEMENTS[ap.name])
        inner, outer = ap.inbound_sign * 1, ap.inbound_sign * 2
        for to, lane_in, out_abs in ((straight, inner, 1), (straight, outer, 2),
                                     (right, outer, 2), (left, inner, 1)):
            lane_out = -to.inbound_sign * out_abs
            jc.add_connection(ap.road_id, to.road_id, lane_in, lane_out)
    return jc


def _set_connecting_speeds(jc: xodr.CommonJunctionCreator) -> None:
    """Speed record on each connecting road: 60 km/h straight, 30 km/h turning."""
    for road in jc.get_connecting_roads():
        pred, succ = road.predecessor.element_id, road.successor.element_id
        straight = {pred, succ} in ({1, 2}, {3, 4})
        kmh = SPEED_LIMIT_KMH if straight else TURN_SPEED_LIMIT_KMH
        road.add_type(xodr.RoadType.town, 0.0, "CN", kmh, "km/h")


def build_network() -> xodr.OpenDrive:
    """Build the scenariogeneration model of section 1 (roads, lanes, junction; no signals)."""
    odr = xodr.OpenDrive("wuhan_section1", revMajor="1", revMinor="7",
                         geo_reference=GEO_REFERENCE)
    roads = {ap.name: _build_road(ap) for ap in APPROACHES}
    for road in roads.values():
        odr.add_road(road)
    jc = _build_junction(roads)
    _set_connecting_speeds(jc)
    odr.add_junction_creator(jc)
    odr.adjust_roads_and_lanes()
    return odr


# ---------------------------------------------------------------------------------------------
# lxml post-processing: header, objects, signals


def _inbound_t(ap: Approach, extra_m: float) -> float:
    """Lateral position [m] just outside the inbound driving lanes of ``ap``."""
    return ap.inbound_sign * (2 * LANE_WIDTH_M + extra_m)


def _add_objects(road: etree._Element, ap: Approach) -> None:
    """Crosswalk, stop line and (east leg) bus stop, per OpenDRIVE 1.7 clause 13 (objects)."""
    objects = sub(road, "objects")
    sub(objects, "object", id=f"crosswalk-{ap.name}", name="crosswalk", type="crosswalk",
         s=ap.s_from_junction(CROSSWALK_FROM_END_M), t=0.0, zOffset=0.0, hdg=0.0,
         orientation="none", length=CROSSWALK_LENGTH_M, width=4 * LANE_WIDTH_M, height=0.0)
    stop_s = ap.s_from_junction(STOP_LINE_FROM_END_M)
    sub(objects, "object", id=f"stopline-{ap.name}", name="stopLine", type="roadMark",
         subtype="stopLine", s=stop_s, t=ap.inbound_sign * LANE_WIDTH_M, zOffset=0.0,
         hdg=0.0, orientation="none", length=0.4, width=2 * LANE_WIDTH_M, height=0.0)
    if ap.name == "E":
        bay_mid = BAY_START_S_M + BAY_TAPER_M + BAY_LENGTH_M / 2
        t_shelter = -(2 * LANE_WIDTH_M + BAY_WIDTH_M + SIDEWALK_WIDTH_M / 2)
        sub(objects, "object", id="busstop-S1-01", name="busStop", type="none",
             subtype="busStop", s=bay_mid, t=t_shelter, zOffset=0.0, hdg=0.0,
             orientation="+", length=BAY_LENGTH_M, width=1.5, height=2.5)


def _add_signals(road: etree._Element, ap: Approach) -> None:
    """Vehicle light at the stop line and pedestrian light at the crosswalk.

    Vehicle lights face the inbound traffic (orientation '+' for lanes < 0, '-' for lanes > 0)
    and are valid for the two inbound lanes (OpenDRIVE 1.7 clause 14.2 and 14.3).
    """
    signals = sub(road, "signals")
    lanes = sorted((ap.inbound_sign * 1, ap.inbound_sign * 2))
    veh = sub(signals, "signal", id=ap.signal_id, name=f"S1-J1-{ap.name}",
               s=ap.s_from_junction(STOP_LINE_FROM_END_M), t=_inbound_t(ap, 0.5),
               zOffset=3.0, hOffset=0.0, dynamic="yes",
               orientation="+" if ap.inbound_sign < 0 else "-",
               country="CN", type="1000001", subtype="-1", height=1.0, width=0.4)
    sub(veh, "validity", fromLane=lanes[0], toLane=lanes[1])
    sub(signals, "signal", id=ap.ped_signal_id, name=f"S1-J1-{ap.name}-ped",
         s=ap.s_from_junction(CROSSWALK_FROM_END_M), t=_inbound_t(ap, 1.0), zOffset=2.5,
         hOffset=0.0, dynamic="yes", orientation="none", country="CN", type="1000002",
         subtype="-1", height=0.6, width=0.3)


def to_lxml(odr: xodr.OpenDrive) -> etree._ElementTree:
    """Serialise the scenariogeneration model and post-process it into the final document."""
    root = to_root(odr.get_element())
    fix_header(root, (-ARTERIAL_HALF_M, -CROSS_HALF_M, ARTERIAL_HALF_M, CROSS_HALF_M))
    fold_headings(root)
    for ap in APPROACHES:
        road = root.find(f"road[@id='{ap.road_id}']")
        lanes = road.find("lanes")
        for add in (_add_signals, _add_objects):  # each inserted right after <lanes>
            holder = etree.Element("holder")
            add(holder, ap)
            lanes.addnext(holder[0])
    return etree.ElementTree(root)


# ---------------------------------------------------------------------------------------------
# Signal plan and RSU layout (JSON)

PED_CLEARANCE_S = 8.0
"""Pedestrian clearance [s] cut from the end of the vehicle green: with yellow and all-red it
gives 13 s, enough for 14 m of carriageway at 1.2 m/s (a slow walker)."""

def phases() -> list[dict]:
    """Two-phase fixed-time plan (fresh copy). Pedestrians cross the legs parallel to the moving
    traffic: during the arterial phase they cross the cross street (N, S legs), and vice versa.
    Durations in [s]."""
    return [
        {"id": 1, "name": "arterial", "vehicle_signals": ["1001", "1002"],
         "pedestrian_signals": ["2003", "2004"], "green_s": 40.0, "yellow_s": 3.0,
         "all_red_s": 2.0},
        {"id": 2, "name": "cross street", "vehicle_signals": ["1003", "1004"],
         "pedestrian_signals": ["2001", "2002"], "green_s": 30.0, "yellow_s": 3.0,
         "all_red_s": 2.0},
    ]


def signal_intervals() -> list[dict]:
    """Expand :func:`phases` into the ordered list of constant-state intervals of one cycle.

    Returns: ``[{"name", "phase_id", "duration_s", "states": {signal_id: colour}}]`` with the
    plain colour words 'green', 'yellow', 'red' (OpenSCENARIO TrafficSignalState@state).
    Pedestrian lights are green for ``green_s - PED_CLEARANCE_S`` and red otherwise.
    """
    plan = phases()
    all_ids = sorted(sid for ph in plan for sid in ph["vehicle_signals"] + ph["pedestrian_signals"])
    out = []
    for ph in plan:
        steps = (("green-walk", ph["green_s"] - PED_CLEARANCE_S, "green", "green"),
                 ("green-clear", PED_CLEARANCE_S, "green", "red"),
                 ("yellow", ph["yellow_s"], "yellow", "red"),
                 ("all-red", ph["all_red_s"], "red", "red"))
        for suffix, duration, veh, ped in steps:
            states = {sid: "red" for sid in all_ids}
            states.update({sid: veh for sid in ph["vehicle_signals"]})
            states.update({sid: ped for sid in ph["pedestrian_signals"]})
            out.append({"name": f"P{ph['id']}-{suffix}", "phase_id": ph["id"],
                        "duration_s": duration, "states": states})
    return out


def signal_plan() -> dict:
    """The junction's signal plan as JSON-ready data (format in docs/wuhan.md)."""
    signals = []
    for ap in APPROACHES:
        lanes = sorted((ap.inbound_sign * 1, ap.inbound_sign * 2))
        signals.append({"id": ap.signal_id, "kind": "vehicle", "type": "1000001",
                        "road_id": str(ap.road_id), "approach": ap.name,
                        "s": ap.s_from_junction(STOP_LINE_FROM_END_M), "lanes": lanes})
        signals.append({"id": ap.ped_signal_id, "kind": "pedestrian", "type": "1000002",
                        "road_id": str(ap.road_id), "approach": ap.name,
                        "s": ap.s_from_junction(CROSSWALK_FROM_END_M),
                        "crosswalk": f"crosswalk-{ap.name}"})
    plan = [dict(ph, ped_clearance_s=PED_CLEARANCE_S) for ph in phases()]
    cycle = sum(ph["green_s"] + ph["yellow_s"] + ph["all_red_s"] for ph in plan)
    return {"junction_id": str(JUNCTION_ID), "name": "S1-J1", "control": "fixed-time",
            "cycle_s": cycle, "offset_s": 0.0, "signals": signals, "phases": plan,
            "intervals": signal_intervals()}


def rsu_layout() -> dict:
    """RSU layout: one RSU at the junction's north-east corner, one at the bus stop."""
    periods = {"SPAT": 0.1, "MAP": 1.0, "RSM": 0.1, "RSI": 0.5}
    corner = JUNCTION_HALF_M - 5.0
    bay_mid = JUNCTION_HALF_M + BAY_START_S_M + BAY_TAPER_M + BAY_LENGTH_M / 2
    kerb = 2 * LANE_WIDTH_M + BAY_WIDTH_M + SIDEWALK_WIDTH_M
    all_signals = sorted(sid for ap in APPROACHES for sid in (ap.signal_id, ap.ped_signal_id))
    return {"geo_reference": GEO_REFERENCE, "rsus": [
        {"id": "RSU-S1-01", "x": corner, "y": corner, "range_m": 300.0,
         "sensing_radius_m": 150.0, "junction_id": str(JUNCTION_ID),
         "signal_ids": all_signals, "periods_s": dict(periods)},
        {"id": "RSU-S1-02", "x": bay_mid, "y": -kerb, "range_m": 300.0,
         "sensing_radius_m": 150.0, "junction_id": None, "signal_ids": [],
         "periods_s": dict(periods)},
    ]}


# ---------------------------------------------------------------------------------------------
# Output


def render() -> dict[str, bytes]:
    """Return ``{file name: bytes}`` of the three generated files (deterministic)."""
    tree = to_lxml(build_network())
    return {"wuhan_section1.xodr": xml_bytes(tree.getroot()),
            "wuhan_section1.signals.json": json_bytes(signal_plan()),
            "wuhan_section1.rsu.json": json_bytes(rsu_layout())}


def main(argv: list[str] | None = None) -> int:
    """Command line: write the files into ``--out`` (default: this folder)."""
    return write_outputs(render, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
