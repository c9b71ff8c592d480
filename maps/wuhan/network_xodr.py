"""scenariogeneration model of the modelled Wuhan network: roads, lanes and junctions.

Input: the pure layout from :func:`maps.wuhan.network_build.build_layout`. Every road outside
junctions gets a fixed planView start (lines and arcs), its lane sections
(:mod:`maps.wuhan.network_lanes`: medians, left-turn lanes, through lanes, expressway auxiliary
lanes, sidewalks) and a ``<type>`` speed record. Every non-direct junction is a
``CommonJunctionCreator`` fed with the legs' local poses and one lane-to-lane connection per
movement, so its connecting roads are scenariogeneration's G2 clothoid fits. Direct junctions
are written afterwards by :mod:`maps.wuhan.generate_network` (roads only carry their links).
"""

from __future__ import annotations

from types import MappingProxyType

from scenariogeneration import xodr
from scenariogeneration.xodr.links import create_lane_links

from maps.wuhan.network_build import build_layout, movements
from maps.wuhan.network_lanes import LaneSpec, SectionSpec, lane_sections
from maps.wuhan.network_model import JunctionSpec, Network, RoadSpec
from maps.wuhan.xodr_tools import GEO_REFERENCE

TURN_SPEED_KMH = 30
"""Speed record [km/h] of turning connecting roads (PRC Road Traffic Safety Law implementing
regulations, art. 46: 30 km/h when turning)."""
def _cubic_taper(w0: float, w1: float, length: float) -> tuple[float, float, float, float]:
    """Cubic (a, b, c, d) from width w0 to w1 [m] over ``length`` [m], zero slope at both ends."""
    dw = w1 - w0
    return w0, 0.0, 3.0 * dw / length**2, -2.0 * dw / length**3


LANE_TYPES = MappingProxyType({"median": xodr.LaneType.median, "bay": xodr.LaneType.driving,
                               "through": xodr.LaneType.driving, "aux": xodr.LaneType.driving,
                               "sidewalk": xodr.LaneType.sidewalk})
"""OpenDRIVE lane type per lane role."""


def _lane(spec: LaneSpec, length: float, outer_through: bool) -> xodr.Lane:
    """scenariogeneration lane of ``spec`` over a section ``length`` [m] long.

    Marks (on the lane's outer border): broken between through lanes, solid outside the last
    driving lane, beside a left-turn lane and beside a median; none on sidewalks.
    """
    if spec.shape == "up":
        widths = _cubic_taper(0.0, spec.width_m, length)
    elif spec.shape == "down":
        widths = _cubic_taper(spec.width_m, 0.0, length)
    else:
        widths = (spec.width_m, 0.0, 0.0, 0.0)
    lane = xodr.Lane(LANE_TYPES[spec.role], *widths)
    if spec.role in ("median", "bay", "aux") or outer_through:
        lane.add_roadmark(xodr.std_roadmark_solid())
    elif spec.role == "through":
        lane.add_roadmark(xodr.std_roadmark_broken())
    return lane


def _section(sec: SectionSpec, one_way: bool) -> tuple[xodr.LaneSection, dict]:
    """Lane section and ``{(side, role, index): lane}`` for linking."""
    centre = xodr.standard_lane(rm=xodr.std_roadmark_solid() if one_way
                                else xodr.std_roadmark_solid_solid())
    out = xodr.LaneSection(sec.s, centre)
    by_key = {}
    for side, specs, add in (("right", sec.right, out.add_right_lane),
                             ("left", sec.left, out.add_left_lane)):
        driving = [k for k, spec in enumerate(specs) if spec.role in ("through", "aux")]
        for k, spec in enumerate(specs):
            lane = _lane(spec, sec.length_m, spec.role == "through" and k == driving[-1])
            add(lane)
            by_key[(side, *spec.key)] = lane
    return out, by_key


def _lanes(road: RoadSpec) -> xodr.Lanes:
    """Lane sections of ``road`` (:func:`maps.wuhan.network_lanes.lane_sections`), lanes of
    consecutive sections with the same role linked (OpenDRIVE 1.7 clause 9.4)."""
    lanes = xodr.Lanes()
    previous: dict = {}
    for spec in lane_sections(road):
        sec, by_key = _section(spec, road.one_way)
        for key, lane in by_key.items():
            before = previous.get(key)
            if before is not None:
                before.add_link("successor", lane.lane_id)
                lane.add_link("predecessor", before.lane_id)
        previous = by_key
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
    odr.adjust_startpoints()
    _link_connecting_lanes(odr)
    return odr, net


def _link_connecting_lanes(odr: xodr.OpenDrive) -> None:
    """Lane links between each connecting road and the two roads it joins.

    Same result as ``OpenDrive.adjust_roads_and_lanes``'s lane linking, which tries every pair
    of roads (1M pairs here, ~90 % of the build time); in this network only a connecting road
    and its predecessor/successor roads have lanes to link (no road-to-road links, direct
    junctions written separately).
    """
    for road in list(odr.roads.values()):
        if road.road_type == -1:
            continue
        for link in (road.predecessor, road.successor):
            if link is not None and link.element_type == xodr.ElementType.road:
                create_lane_links(odr.roads[str(link.element_id)], road)
