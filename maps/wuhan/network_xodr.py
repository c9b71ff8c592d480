"""scenariogeneration model of the modelled Wuhan network: roads, lanes and junctions.

Input: the pure layout from :func:`maps.wuhan.network_build.build_layout`. Every road outside
junctions gets a fixed planView start (lines and arcs), its lanes (driving lanes with broken
inner and solid outer marks, sidewalks; expressway auxiliary lanes as extra lane sections with
cubic tapers) and a ``<type>`` speed record. Every non-direct junction is a
``CommonJunctionCreator`` fed with the legs' local poses and one lane-to-lane connection per
movement, so its connecting roads are scenariogeneration's G2 clothoid fits. Direct junctions
are written afterwards by :mod:`maps.wuhan.generate_network` (roads only carry their links).
"""

from __future__ import annotations

from scenariogeneration import xodr

from maps.wuhan.network_build import build_layout, movements
from maps.wuhan.network_model import JunctionSpec, Network, RoadClass, RoadSpec
from maps.wuhan.xodr_tools import GEO_REFERENCE

TURN_SPEED_KMH = 30
"""Speed record [km/h] of turning connecting roads (PRC Road Traffic Safety Law implementing
regulations, art. 46: 30 km/h when turning)."""
TAPER_M = 50.0
"""Length [m] of an auxiliary lane's width taper (cubic, zero slope at both ends)."""


def _cubic_taper(w0: float, w1: float, length: float) -> tuple[float, float, float, float]:
    """Cubic (a, b, c, d) from width w0 to w1 [m] over ``length`` [m], zero slope at both ends."""
    dw = w1 - w0
    return w0, 0.0, 3.0 * dw / length**2, -2.0 * dw / length**3


def _driving(cls: RoadClass, outer: bool) -> xodr.Lane:
    lane = xodr.Lane(xodr.LaneType.driving, a=cls.lane_width_m)
    lane.add_roadmark(xodr.std_roadmark_solid() if outer else xodr.std_roadmark_broken())
    return lane


def _aux_lane(cls: RoadClass, aux: str) -> xodr.Lane:
    """Auxiliary lane: 'full' width, 'grow' (taper 0 -> w, then w) or 'shrink' (taper w -> 0)."""
    w = cls.lane_width_m
    if aux == "grow":
        lane = xodr.Lane(xodr.LaneType.driving, *_cubic_taper(0.0, w, TAPER_M))
        lane.add_lane_width(a=w, soffset=TAPER_M)
    elif aux == "shrink":
        lane = xodr.Lane(xodr.LaneType.driving, *_cubic_taper(w, 0.0, TAPER_M))
    else:
        lane = xodr.Lane(xodr.LaneType.driving, a=w)
    lane.add_roadmark(xodr.std_roadmark_solid())
    return lane


def _side(cls: RoadClass, aux: str | None) -> list[xodr.Lane]:
    """Lanes of one side, inner to outer: driving lanes, the auxiliary lane, the sidewalk."""
    lanes = [_driving(cls, k == cls.lanes and aux is None) for k in range(1, cls.lanes + 1)]
    if aux is not None:
        lanes.append(_aux_lane(cls, aux))
    if cls.sidewalk_m > 0:
        lanes.append(xodr.Lane(xodr.LaneType.sidewalk, a=cls.sidewalk_m))
    return lanes


def _section(road: RoadSpec, s: float, aux: str | None) -> xodr.LaneSection:
    """Lane section at ``s``: right lanes, and left lanes unless the road is one-way."""
    centre = xodr.standard_lane(rm=xodr.std_roadmark_solid() if road.one_way
                                else xodr.std_roadmark_solid_solid())
    sec = xodr.LaneSection(s, centre)
    for lane in _side(road.cls, aux):
        sec.add_right_lane(lane)
    if not road.one_way:
        for lane in _side(road.cls, aux):
            sec.add_left_lane(lane)
    return sec


def _link(before: xodr.LaneSection, after: xodr.LaneSection, count: int) -> None:
    """Link lanes +/-1..+/-count of two consecutive sections (same ids on both)."""
    for k in range(count):
        for side_a, side_b in ((before.rightlanes, after.rightlanes),
                               (before.leftlanes, after.leftlanes)):
            if k < len(side_a) and k < len(side_b):
                side_a[k].add_link("successor", side_a[k].lane_id)
                side_b[k].add_link("predecessor", side_b[k].lane_id)


def _lanes(road: RoadSpec) -> xodr.Lanes:
    """Lane sections of a road. Auxiliary lanes (ids +/-(n+1)): at the start full width, then a
    TAPER_M taper to 0; at the end a taper from 0, then full width."""
    plan: list[tuple[float, str | None]] = []
    if road.aux_start_m:
        plan += [(0.0, "full"), (road.aux_start_m - TAPER_M, "shrink")]
    plan.append((road.aux_start_m, None))
    if road.aux_end_m:
        plan.append((road.length_m - road.aux_end_m, "grow"))
    sections = [_section(road, s, aux) for s, aux in plan]
    for (_, aux_a), (_, aux_b), sec_a, sec_b in zip(plan, plan[1:], sections, sections[1:]):
        both_aux = aux_a is not None and aux_b is not None
        _link(sec_a, sec_b, road.cls.lanes + (1 if both_aux else 0))
    lanes = xodr.Lanes()
    for sec in sections:
        lanes.add_lanesection(sec)
    return lanes


def _bridge(road: xodr.Road, length: float, height: float) -> None:
    """Elevation 0 -> height -> 0 [m]: two cubics with zero slope at the ends and the top."""
    half = length / 2.0
    road.add_elevation(0.0, 0.0, 0.0, 3.0 * height / half**2, -2.0 * height / half**3)
    road.add_elevation(half, height, 0.0, -3.0 * height / half**2, 2.0 * height / half**3)


def build_road(spec: RoadSpec) -> xodr.Road:
    """scenariogeneration road of ``spec``: fixed planView start, lines and arcs, lanes, speed."""
    planview = xodr.PlanView(spec.x, spec.y, spec.hdg)
    for piece in spec.pieces:
        if piece.curvature == 0.0:
            planview.add_geometry(xodr.Line(piece.length_m))
        else:
            planview.add_geometry(xodr.Arc(piece.curvature, length=piece.length_m))
    road = xodr.Road(spec.id, planview, _lanes(spec), name=spec.name)
    road.add_type(getattr(xodr.RoadType, spec.cls.road_type), 0.0, "CN", spec.cls.speed_kmh,
                  "km/h")
    if spec.bridge_m:
        _bridge(road, spec.length_m, spec.bridge_m)
    return road


def _direct_links(spec: RoadSpec, road: xodr.Road, direct: set[int]) -> None:
    """Road links to direct junctions (the junction element itself is written later)."""
    if spec.pred in direct:
        road.add_predecessor(xodr.ElementType.junction, spec.pred)
    if spec.succ in direct:
        road.add_successor(xodr.ElementType.junction, spec.succ)


def build_junction(spec: JunctionSpec, roads: dict[int, xodr.Road]) -> xodr.CommonJunctionCreator:
    """Junction creator for a non-direct junction: legs in the junction frame, one connecting
    road per lane movement (ids from ``spec.id * 100``), speed records on connecting roads."""
    jc = xodr.CommonJunctionCreator(spec.id, spec.name, startnum=spec.id * 100)
    for leg in spec.legs:
        jc.add_incoming_road_cartesian_geometry(roads[leg.road.id], leg.dx, leg.dy,
                                                leg.heading_in, leg.contact)
    turns = {}
    for m in movements(spec):
        jc.add_connection(m.from_road, m.to_road, m.from_lane, m.to_lane)
        turns[(m.from_road, m.to_road)] = m.turn
    speeds = {leg.road.id: leg.road.cls.speed_kmh for leg in spec.legs}
    for road in jc.get_connecting_roads():
        a, b = road.predecessor.element_id, road.successor.element_id
        straight = turns.get((a, b), turns.get((b, a))) == "straight"
        kmh = min(speeds[a], speeds[b]) if straight else TURN_SPEED_KMH
        road.add_type(xodr.RoadType.town, 0.0, "CN", kmh, "km/h")
    return jc


def build_opendrive(net: Network | None = None) -> tuple[xodr.OpenDrive, Network]:
    """scenariogeneration model of the whole network (no signals, objects, direct junctions)."""
    net = net or build_layout()
    odr = xodr.OpenDrive("wuhan_testzone", revMajor="1", revMinor="7",
                         geo_reference=GEO_REFERENCE)
    direct = {j.id for j in net.junctions if j.kind == "direct"}
    roads = {}
    for spec in net.roads:
        roads[spec.id] = build_road(spec)
        _direct_links(spec, roads[spec.id], direct)
        odr.add_road(roads[spec.id])
    for spec in net.junctions:
        if spec.kind != "direct":
            odr.add_junction_creator(build_junction(spec, roads))
    odr.adjust_roads_and_lanes()
    return odr, net
