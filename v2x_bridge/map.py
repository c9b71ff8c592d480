"""MAP (map data) of an RSU's junction from a small description dict, and its reader.

Junction description (SI, map frame), as the map package or a layout file gives it::

    {"node_id": 12, "region": 1, "x": 0.0, "y": 0.0, "name": "S1-J1",      # name optional
     "links": [{"upstream_node_id": 11, "upstream_region": 1,                # region optional
                "name": "Qingnian Rd", "road_id": "1",   # optional: the link name, else
                                                         # "road <road_id>" (ASCII only)
                "width_m": 7.0, "speed_limit_mps": 16.67,                    # limit optional
                "points": [[x, y], ...],                                     # optional, >= 2
                "movements": [{"remote_node_id": 13, "phase_id": 2}],        # optional
                "lanes": [{"lane_id": 1, "width_m": 3.5,
                           "maneuvers": ["straight", "left"],                # optional
                           "points": [[x, y], ...],                          # optional, >= 2
                           "connects_to": [{"remote_node_id": 13, "lane_id": 2,
                                            "maneuver": "left",              # optional
                                            "phase_id": 2}]}]}]}             # optional

``x, y`` is the node centre and the reference of every offset. Maneuver names map to the
AllowedManeuvers bits (straight 0, left 1, right 2, uturn 3, left_on_red 4, right_on_red 5,
lane_change 6, no_stopping 7, yield 8, go_with_halt 9, caution 10). Other keys are ignored
(the OpenDRIVE derivation in :mod:`v2x_bridge.factory` adds ``road_id``/``odr_lane_id`` for
the reader's convenience). No lane attributes are sent.

:func:`read` returns the nodes with their links, lanes (points in the map frame when a
:class:`GeoFrame` is given) and connections, which is what an agent needs to find its
approach lane, its stop line (the last point of the lane) and the SPAT phase of its movement.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from v2x_bridge import fields, units
from v2x_bridge.context import BuildContext
from v2x_bridge.errors import V2XError
from v2x_bridge.geo import GeoFrame

MSG_TYPE = "MAP"

MANEUVER_BITS = MappingProxyType({"straight": 0, "left": 1, "right": 2, "uturn": 3,
                                  "left_on_red": 4, "right_on_red": 5, "lane_change": 6,
                                  "no_stopping": 7, "yield": 8, "go_with_halt": 9,
                                  "caution": 10})


def maneuvers(names: list[str]) -> tuple[bytes, int]:
    """AllowedManeuvers BIT STRING (12 bits) from maneuver names.

    Raises:
        V2XError: unknown name (``element="maneuvers"``).
    """
    bits = 0
    for n in names:
        if n not in MANEUVER_BITS:
            raise V2XError(f"unknown maneuver {n!r}, expected one of {tuple(MANEUVER_BITS)}",
                           element="maneuvers")
        bits |= 1 << (15 - MANEUVER_BITS[n])
    return (bits.to_bytes(2, "big"), 12)


def _points(ctx: BuildContext, ref: dict[str, Any], pts: list, where: str) -> list[dict[str, Any]]:
    if not 2 <= len(pts) <= 31:
        raise V2XError(f"a point list needs 2..31 points, got {len(pts)}", element=where)
    return [{"posOffset": fields.offset_llv(ref, *fields.lonlat_of(ctx.geo, x, y))}
            for x, y in pts]


def _lane(ctx: BuildContext, ref: dict[str, Any], lane: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"laneID": int(lane["lane_id"])}
    if "width_m" in lane:
        out["laneWidth"] = units.length_to_cm(lane["width_m"], "laneWidth", 32767)
    if lane.get("maneuvers"):
        out["maneuvers"] = maneuvers(lane["maneuvers"])
    conns = []
    for c in lane.get("connects_to", ())[:8]:
        conn: dict[str, Any] = {"remoteIntersection": fields.node_reference(
            c["remote_node_id"], c.get("remote_region"))}
        if "lane_id" in c:
            conn["connectingLane"] = {"lane": int(c["lane_id"])}
            if c.get("maneuver"):
                conn["connectingLane"]["maneuver"] = maneuvers([c["maneuver"]])
        if "phase_id" in c:
            conn["phaseId"] = int(c["phase_id"])
        conns.append(conn)
    if conns:
        out["connectsTo"] = conns
    if lane.get("points"):
        out["points"] = _points(ctx, ref, lane["points"], "Lane.points")
    return out


def descriptive_name(*candidates: Any) -> str | None:
    """The first candidate a DescriptiveName can carry (YD/T 3709-2020: IA5String of 1..63
    characters: printable ASCII here), cut to 63 characters; None when none can (a Chinese
    road name, an empty one)."""
    for text in candidates:
        t = str(text or "").strip()
        if t and all(" " <= ch <= "~" for ch in t):
            return t[:63]
    return None


def _link(ctx: BuildContext, ref: dict[str, Any], link: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "upstreamNodeId": fields.node_reference(link["upstream_node_id"],
                                                link.get("upstream_region")),
        "linkWidth": units.length_to_cm(link["width_m"], "linkWidth", 32767)}
    name = descriptive_name(link.get("name"),
                            f"road {link['road_id']}" if link.get("road_id") else None)
    if name:
        out["name"] = name
    if link.get("speed_limit_mps") is not None:
        out["speedLimits"] = [{"type": "vehicleMaxSpeed",
                               "speed": units.speed_to_asn(link["speed_limit_mps"],
                                                           "speed_limit")}]
    if link.get("points"):
        out["points"] = _points(ctx, ref, link["points"], "Link.points")
    moves = [{"remoteIntersection": fields.node_reference(m["remote_node_id"],
                                                           m.get("remote_region")),
              **({"phaseId": int(m["phase_id"])} if "phase_id" in m else {})}
             for m in link.get("movements", ())]
    if moves:
        out["movements"] = moves
    out["lanes"] = [_lane(ctx, ref, ln) for ln in link["lanes"]]
    return out


def build(ctx: BuildContext) -> dict[str, Any] | None:
    """MAP value of ``ctx.junction``; None when the RSU has no junction description.

    Raises:
        V2XError: missing keys (``element`` names the key), ranges violated.
    """
    j = ctx.junction
    if j is None:
        return None
    try:
        ref = fields.position3d(*fields.lonlat_of(ctx.geo, j["x"], j["y"]))
        node: dict[str, Any] = {"id": fields.node_reference(j["node_id"], j.get("region")),
                                "refPos": ref}
        name = descriptive_name(j.get("name"))
        if name:
            node["name"] = name
        if j.get("links"):
            node["inLinks"] = [_link(ctx, ref, ln) for ln in j["links"]]
    except KeyError as exc:
        raise V2XError(f"junction description lacks key {exc}", element="MAP") from None
    return {"msgCnt": ctx.msg_cnt, "timeStamp": ctx.clock.moy(ctx.t), "nodes": [node]}


@dataclass(frozen=True)
class ConnectionInfo:
    """One decoded lane connection: downstream node id, lane there (or None), maneuver names
    of the connecting lane (may be empty), SPAT phase id (or None)."""

    remote_node_id: int
    lane_id: int | None
    maneuvers: tuple[str, ...]
    phase_id: int | None


@dataclass(frozen=True)
class LaneInfo:
    """One decoded lane: id, width [m] (or None), allowed maneuvers, points upstream to
    downstream ((x, y) [m] with a GeoFrame, else (lon, lat) [deg]), connections."""

    lane_id: int
    width_m: float | None
    maneuvers: tuple[str, ...]
    points: tuple[tuple[float, float], ...]
    connections: tuple[ConnectionInfo, ...]


@dataclass(frozen=True)
class LinkInfo:
    """One decoded incoming link: upstream node id, name, width [m], speed limit [m/s] (or
    None), centre points (as :class:`LaneInfo`), lanes."""

    upstream_node_id: int
    name: str | None
    width_m: float
    speed_limit_mps: float | None
    points: tuple[tuple[float, float], ...]
    lanes: tuple[LaneInfo, ...]


@dataclass(frozen=True)
class NodeInfo:
    """A decoded MAP node: id, region, centre (lon, lat) [deg] and (x, y) [m] (None without a
    GeoFrame), and for each incoming link its upstream node id and movements
    ``(remote node id, phase id or None)``."""

    node_id: int
    region: int | None
    lon: float
    lat: float
    x: float | None
    y: float | None
    links: tuple[tuple[int, tuple[tuple[int, int | None], ...]], ...]
    link_details: tuple[LinkInfo, ...] = ()


def maneuver_names(bits: tuple[bytes, int] | None) -> tuple[str, ...]:
    """Names of the bits set in an AllowedManeuvers value (inverse of :func:`maneuvers`)."""
    if bits is None:
        return ()
    value = int.from_bytes(bytes(bits[0]).ljust(2, b"\x00")[:2], "big")
    return tuple(n for n, b in MANEUVER_BITS.items() if value & (1 << (15 - b)))


def _read_points(ref: dict[str, Any], pts: list, geo: GeoFrame | None
                 ) -> tuple[tuple[float, float], ...]:
    out = []
    for p in pts:
        lon, lat = fields.read_offset_ll(ref, p["posOffset"]["offsetLL"])
        if geo is not None:
            x, y = geo.to_xy(lon, lat)
            out.append((float(x), float(y)))
        else:
            out.append((lon, lat))
    return tuple(out)


def _read_lane(ref: dict[str, Any], ln: dict[str, Any], geo: GeoFrame | None) -> LaneInfo:
    conns = tuple(ConnectionInfo(c["remoteIntersection"]["id"],
                                 c["connectingLane"]["lane"] if "connectingLane" in c else None,
                                 maneuver_names(c.get("connectingLane", {}).get("maneuver")),
                                 c.get("phaseId"))
                  for c in ln.get("connectsTo", ()))
    return LaneInfo(ln["laneID"], ln["laneWidth"] / 100.0 if "laneWidth" in ln else None,
                    maneuver_names(ln.get("maneuvers")),
                    _read_points(ref, ln.get("points", ()), geo), conns)


def _read_link(ref: dict[str, Any], ln: dict[str, Any], geo: GeoFrame | None) -> LinkInfo:
    limits = [sl["speed"] for sl in ln.get("speedLimits", ()) if sl["type"] == "vehicleMaxSpeed"]
    return LinkInfo(ln["upstreamNodeId"]["id"], ln.get("name"), ln["linkWidth"] / 100.0,
                    units.speed_from_asn(limits[0]) if limits else None,
                    _read_points(ref, ln.get("points", ()), geo),
                    tuple(_read_lane(ref, lane, geo) for lane in ln["lanes"]))


def read(value: dict[str, Any], geo: GeoFrame | None = None) -> tuple[NodeInfo, ...]:
    """Decoded MAP value -> its nodes (with links, lanes and connections in
    :attr:`NodeInfo.link_details`; positions in the map frame when ``geo`` is given)."""
    out = []
    for n in value["nodes"]:
        lon, lat = n["refPos"]["long"] * 1e-7, n["refPos"]["lat"] * 1e-7
        x = y = None
        if geo is not None:
            x, y = (float(v) for v in geo.to_xy(lon, lat))
        links = tuple((ln["upstreamNodeId"]["id"],
                       tuple((m["remoteIntersection"]["id"], m.get("phaseId"))
                             for m in ln.get("movements", ())))
                      for ln in n.get("inLinks", ()))
        details = tuple(_read_link(n["refPos"], ln, geo) for ln in n.get("inLinks", ()))
        out.append(NodeInfo(n["id"]["id"], n["id"].get("region"), lon, lat, x, y, links,
                            details))
    return tuple(out)
