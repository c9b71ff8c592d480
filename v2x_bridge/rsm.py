"""RSM (roadside safety message): participants an RSU detects, and its reader.

The RSU reports the visible entities whose bounding-box centre is within its
``sensing_radius_m``, nearest first, at most 16 (DF_ParticipantList SIZE(1..16)). Positions are
box centres (not the rear-axle reference point) as offsets from ``refPos`` = the RSU position.
``ptcId`` is the entity's 1-based position in the world's entity order (stable over a run).

Participant type (DE_ParticipantType): vehicle -> ``motor``, cyclist -> ``non-motor``,
pedestrian -> ``pedestrian``, obstacle -> ``unknown``. Speed is the magnitude of the entity's
speed; a reversing motor vehicle reports ``reverseGears``. Options: ``source`` (DE_SourceType,
default ``integrated``: fused sensors), ``position_offsets`` (name -> (dx, dy) [m] sensing
noise added by the bridge), ``position_sigma_m`` (that noise's standard deviation, drives
``posConfidence``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from testzone.world import EntityKind, EntityState, WorldState
from v2x_bridge import fields, units
from v2x_bridge.context import BuildContext
from v2x_bridge.rsu import Rsu
from v2x_bridge.geo import GeoFrame

MSG_TYPE = "RSM"
MAX_PARTICIPANTS = 16

PTC_TYPE = MappingProxyType({EntityKind.VEHICLE: "motor", EntityKind.CYCLIST: "non-motor",
                             EntityKind.PEDESTRIAN: "pedestrian", EntityKind.OBSTACLE: "unknown"})
"""DE_ParticipantType of each entity kind."""

VEHICLE_CLASS = MappingProxyType({"car": 10, "van": 20, "truck": 25, "trailer": 25,
                                  "semitrailer": 25, "motorbike": 40, "bus": 50, "tram": 56,
                                  "bicycle": 85, "pedestrian": 82})
"""DE_BasicVehicleClass of OpenSCENARIO categories (passenger 10, light truck 20, truck 25,
motorcycle 40, transit 50, fixed guideway 56, bicycle 85, pedestrian 82)."""

HEAVY_CATEGORIES = frozenset({"truck", "trailer", "semitrailer", "bus"})
"""OpenSCENARIO categories whose emergency vehicles are the message set's heavy ones."""
EMERGENCY_CLASS = MappingProxyType({("ambulance", False): 69, ("ambulance", True): 69,
                                    ("fire", False): 62, ("fire", True): 63,
                                    ("police", False): 66, ("police", True): 67})
"""DE_BasicVehicleClass of an emergency vehicle by (OpenSCENARIO 1.2 ``role``, heavy):
emergency-Other-Ambulance 69, emergency-Fire-Light/Heavy-Vehicle 62/63,
emergency-Police-Light/Heavy-Vehicle 66/67 (the class values YD/T 3709-2020 takes from SAE
J2735; an emergency-vehicle warning keys on 60..69)."""


def vehicle_class(e: EntityState) -> int | None:
    """DE_BasicVehicleClass of entity ``e``: :data:`EMERGENCY_CLASS` for an ambulance, fire
    or police ``role``, else :data:`VEHICLE_CLASS` of its category; None for a category
    without one (a misc object)."""
    emergency = EMERGENCY_CLASS.get((e.role, e.category in HEAVY_CATEGORIES))
    return emergency if emergency is not None else VEHICLE_CLASS.get(e.category)

_POS_CONFIDENCE = ((500.0, "a500m"), (200.0, "a200m"), (100.0, "a100m"), (50.0, "a50m"),
                   (20.0, "a20m"), (10.0, "a10m"), (5.0, "a5m"), (2.0, "a2m"), (1.0, "a1m"),
                   (0.5, "a50cm"), (0.2, "a20cm"), (0.1, "a10cm"), (0.05, "a5cm"),
                   (0.02, "a2cm"), (0.01, "a1cm"))


def position_confidence(sigma_m: float) -> str:
    """DE_PositionConfidence for Gaussian position noise of std ``sigma_m`` [m]: the finest
    level >= 2 sigma (about 95 %); ``unavailable`` beyond 500 m."""
    bound = 2.0 * sigma_m
    best = "unavailable"
    for limit, name in _POS_CONFIDENCE:
        if bound <= limit + 1e-12:
            best = name
    return best


def participant(ctx: BuildContext, ref: dict[str, Any], ptc_id: int, e: EntityState,
                xy: tuple[float, float]) -> dict[str, Any]:
    """DF_ParticipantData of one entity whose reported centre is ``xy`` [m]."""
    lon, lat = fields.lonlat_of(ctx.geo, *xy)
    kind = PTC_TYPE[e.kind]
    out: dict[str, Any] = {
        "ptcType": kind, "ptcId": ptc_id, "source": ctx.options.get("source", "integrated"),
        "secMark": ctx.clock.dsecond(ctx.t), "pos": fields.offset_llv(ref, lon, lat),
        "posConfidence": {"pos": position_confidence(ctx.options.get("position_sigma_m", 0.0))},
        "speed": units.speed_to_asn(abs(e.speed), f"{e.name}.speed"),
        "heading": units.heading_to_asn(ctx.geo.true_heading(xy[0], xy[1], e.pose.h),
                                        f"{e.name}.heading"),
        "accelSet": fields.accel_set(e),
        "size": fields.vehicle_size(e.box),
    }
    if kind == "motor":
        out["transmission"] = "reverseGears" if e.speed < 0 else "forwardGears"
    cls = vehicle_class(e)
    if cls is not None:
        out["vehicleClass"] = {"classification": cls}
    return out


def sensed(rsu: Rsu, world: WorldState
           ) -> list[tuple[float, int, str, EntityState, tuple[float, float]]]:
    """The visible entities within ``rsu``'s sensing radius: ``(distance [m], index from 1
    in the world's order, name, state, box centre (x, y) [m])``; empty: the RSU sends no RSM
    (:func:`build`)."""
    out = []
    for index, (name, e) in enumerate(world.entities.items(), 1):
        if not e.visible:
            continue
        cx, cy = fields.box_centre(e)
        d = rsu.distance(cx, cy)
        if d <= rsu.sensing_radius_m:
            out.append((d, index, name, e, (cx, cy)))
    return out


def build(ctx: BuildContext) -> dict[str, Any] | None:
    """RSM value of the RSU at ``ctx.t``; None when it detects nobody.

    Raises:
        V2XError: an entity's speed or heading cannot be encoded (names the entity and field).
    """
    rsu = ctx.rsu
    if rsu is None:
        return None
    offsets = ctx.options.get("position_offsets", {})
    seen = []
    for d, index, name, e, (cx, cy) in sensed(rsu, ctx.world):
        dx, dy = offsets.get(name, (0.0, 0.0))
        seen.append((d, index, e, (cx + dx, cy + dy)))
    if not seen:
        return None
    seen.sort(key=lambda item: (item[0], item[1]))
    ref = fields.position3d(*fields.lonlat_of(ctx.geo, rsu.x, rsu.y))
    parts = [participant(ctx, ref, idx, e, xy) for _, idx, e, xy in seen[:MAX_PARTICIPANTS]]
    return {"msgCnt": ctx.msg_cnt, "id": fields.id8(rsu.id), "refPos": ref, "participants": parts}


@dataclass(frozen=True)
class ParticipantInfo:
    """One decoded participant, SI.

    Attributes:
        ptc_type, source: DE names. ptc_id: RSU-local id. sec_mark_ms: DSecond [ms].
        lon, lat: position [deg]; x, y: map position [m] (None without a GeoFrame).
        speed: [m/s] (None when unavailable). heading: [rad], CCW from the map x axis with a
            GeoFrame, else from true east.
        length, width: [m]; height: [m] or None.
    """

    ptc_type: str
    ptc_id: int
    source: str
    sec_mark_ms: int
    lon: float
    lat: float
    x: float | None
    y: float | None
    speed: float | None
    heading: float
    length: float
    width: float
    height: float | None


@dataclass(frozen=True)
class RsmInfo:
    """A decoded RSM: RSU id (8 bytes), reference (lon, lat) [deg], participants."""

    rsu_id: bytes
    ref_lon: float
    ref_lat: float
    participants: tuple[ParticipantInfo, ...]


def _read_participant(ref: dict[str, Any], p: dict[str, Any], geo: GeoFrame | None) -> ParticipantInfo:
    lon, lat = fields.read_offset_ll(ref, p["pos"]["offsetLL"])
    heading = units.heading_from_asn(p["heading"])
    x = y = None
    if geo is not None:
        x, y = (float(v) for v in geo.to_xy(lon, lat))
        heading = geo.map_heading(lon, lat, heading)
    size = p["size"]
    height = size.get("height")
    return ParticipantInfo(p["ptcType"], p["ptcId"], p["source"], p["secMark"], lon, lat, x, y,
                           units.speed_from_asn(p["speed"]), heading, size["length"] / 100.0,
                           size["width"] / 100.0, None if height is None else height * 0.05)


def read(value: dict[str, Any], geo: GeoFrame | None = None) -> RsmInfo:
    """Decoded RSM value -> :class:`RsmInfo` (map positions when ``geo`` is given)."""
    ref = value["refPos"]
    parts = tuple(_read_participant(ref, p, geo) for p in value["participants"])
    return RsmInfo(bytes(value["id"]), ref["long"] * 1e-7, ref["lat"] * 1e-7, parts)

