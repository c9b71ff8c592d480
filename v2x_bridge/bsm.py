"""BSM (basic safety message) of one vehicle, and its reader.

Built from the sender's :class:`EntityState`: position = bounding-box centre (lat/lon through
the GeoFrame, elevation = pose z), speed magnitude, heading from true north, transmission
``reverseGears`` when the signed speed is negative, acceleration set after SAE J670 axes (see
:func:`v2x_bridge.fields.accel_set`), size from the box, vehicle class from the OpenSCENARIO
category (passenger vehicle when unknown). Brake status is left empty (all its fields are
optional and the kinematic simulator has no brake model).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from testzone.world import EntityState
from v2x_bridge import fields, units
from v2x_bridge.context import BuildContext
from v2x_bridge.errors import V2XError
from v2x_bridge.geo import GeoFrame
from v2x_bridge.rsm import VEHICLE_CLASS

MSG_TYPE = "BSM"


def bsm_of(ctx: BuildContext, e: EntityState) -> dict[str, Any]:
    """BSM value of entity ``e`` at ``ctx.t`` (msgCnt from ``ctx``).

    Raises:
        V2XError: speed, heading, position or size outside the message's ranges.
    """
    cx, cy = fields.box_centre(e)
    lon, lat = fields.lonlat_of(ctx.geo, cx, cy)
    return {
        "msgCnt": ctx.msg_cnt, "id": fields.id8(e.name), "secMark": ctx.clock.dsecond(ctx.t),
        "pos": fields.position3d(lon, lat, e.pose.z),
        "transmission": "reverseGears" if e.speed < 0 else "forwardGears",
        "speed": units.speed_to_asn(abs(e.speed)),
        "heading": units.heading_to_asn(ctx.geo.true_heading(cx, cy, e.pose.h)),
        "accelSet": fields.accel_set(e), "brakes": {}, "size": fields.vehicle_size(e.box),
        "vehicleClass": {"classification": VEHICLE_CLASS.get(e.category, 10)},
    }


def build(ctx: BuildContext) -> dict[str, Any] | None:
    """BSM of the entity named ``ctx.sender``; None when it is absent or hidden.

    Raises:
        V2XError: no sender given.
    """
    if ctx.sender is None:
        raise V2XError("a BSM needs a sender entity", element="BSM")
    e = ctx.world.entities.get(ctx.sender)
    if e is None or not e.visible:
        return None
    return bsm_of(ctx, e)


@dataclass(frozen=True)
class BsmInfo:
    """A decoded BSM, SI: id, DSecond [ms], lon/lat [deg], x/y [m] (with a GeoFrame, else
    None), elevation [m] or None, speed [m/s] or None, heading [rad] (map frame with a
    GeoFrame, else from true east), longitudinal acceleration [m/s^2] or None, yaw rate
    [rad/s, CCW], length/width [m]."""

    id: bytes
    sec_mark_ms: int
    lon: float
    lat: float
    x: float | None
    y: float | None
    elevation: float | None
    speed: float | None
    heading: float
    acceleration: float | None
    yaw_rate: float
    length: float
    width: float


def read(value: dict[str, Any], geo: GeoFrame | None = None) -> BsmInfo:
    """Decoded BSM value -> :class:`BsmInfo`."""
    pos = value["pos"]
    lon, lat = pos["long"] * 1e-7, pos["lat"] * 1e-7
    heading = units.heading_from_asn(value["heading"])
    x = y = None
    if geo is not None:
        x, y = (float(v) for v in geo.to_xy(lon, lat))
        heading = geo.map_heading(lon, lat, heading)
    elev = pos.get("elevation")
    acc = value["accelSet"]
    return BsmInfo(bytes(value["id"]), value["secMark"], lon, lat, x, y,
                   None if elev is None else units.elevation_from_asn(elev),
                   units.speed_from_asn(value["speed"]), heading,
                   units.accel_from_asn(acc["long"]), units.yaw_rate_from_asn(acc["yaw"]),
                   value["size"]["length"] / 100.0, value["size"]["width"] / 100.0)
