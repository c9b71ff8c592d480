"""BSM (basic safety message) of one vehicle, and its reader.

Built from the sender's :class:`EntityState`: position = bounding-box centre (lat/lon through
the GeoFrame, elevation = pose z), speed magnitude, heading from true north, transmission
``reverseGears`` when the signed speed is negative, acceleration set after SAE J670 axes (see
:func:`v2x_bridge.fields.accel_set`), size from the box, vehicle class from the OpenSCENARIO
category (passenger vehicle when unknown), an emergency class for an ambulance, fire or
police ``role`` (:func:`v2x_bridge.rsm.vehicle_class`). Brake status says only the brake pedal, ``on``
while the entity's ``brakeLights`` are on (the kinematic simulator has no brake model).

The optional extensions carry what the scenario gives (see :func:`safety_ext` and
:func:`emergency_ext`): ``safetyExt`` with the event flags (hard braking, hazard lights) and
the exterior lights that LightStateAction switched on, ``emergencyExt`` for a vehicle whose
OpenSCENARIO ``role`` is ambulance, fire or police. Each is left out when it has nothing set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from testzone.world import EntityState
from v2x_bridge import fields, units
from v2x_bridge.context import BuildContext
from v2x_bridge.errors import V2XError
from v2x_bridge.geo import GeoFrame
from v2x_bridge.rsm import vehicle_class

MSG_TYPE = "BSM"

HARD_BRAKING_MPS2 = 0.4 * 9.80665
"""Deceleration [m/s^2] from which ``eventHardBraking`` is set: 0.4 g, SAE J2735's meaning of
the flag (YD/T 3709 VehicleEventFlags takes its bits from J2735)."""
EVENT_FLAG_BITS = 13
"""Root size of VehicleEventFlags (``SIZE(13, ...)``)."""
EVENT_HAZARD_LIGHTS, EVENT_HARD_BRAKING = 0, 7
"""VehicleEventFlags bits: eventHazardLights, eventHardBraking."""
EXTERIOR_LIGHT_BITS = 9
"""Root size of ExteriorLights (``SIZE(9, ...)``)."""
EXTERIOR_LIGHT_OF = {"lowBeam": 0, "highBeam": 1, "indicatorLeft": 2, "indicatorRight": 3,
                     "warningLights": 4, "daytimeRunningLights": 6, "fogLights": 7,
                     "fogLightsFront": 7, "fogLightsRear": 7}
"""OpenSCENARIO VehicleLightType -> ExteriorLights bit (lowBeamHeadlightsOn,
highBeamHeadlightsOn, left/rightTurnSignalOn, hazardSignalOn, daytimeRunningLightsOn,
fogLightOn); the other light types have no bit."""
EXTERIOR_LIGHT_NAMES = ("lowBeamHeadlightsOn", "highBeamHeadlightsOn", "leftTurnSignalOn",
                        "rightTurnSignalOn", "hazardSignalOn", "automaticLightControlOn",
                        "daytimeRunningLightsOn", "fogLightOn", "parkingLightsOn")
"""ExteriorLights bit names, by bit number."""
EMERGENCY_ROLES = frozenset({"ambulance", "fire", "police"})
"""OpenSCENARIO roles whose vehicles send VehicleEmergencyExtensions."""


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
        "accelSet": fields.accel_set(e),
        "brakes": {"brakePadel": "on"} if "brakeLights" in e.lights else {},
        "size": fields.vehicle_size(e.box),
        "vehicleClass": {"classification": vehicle_class(e) or 10},  # none: passenger
        **{k: v for k, v in (("safetyExt", safety_ext(e)), ("emergencyExt", emergency_ext(e)))
           if v is not None},
    }


def hard_braking(e: EntityState) -> bool:
    """True when ``e`` decelerates by at least :data:`HARD_BRAKING_MPS2` (against its direction
    of travel: a reversing vehicle brakes with a positive acceleration)."""
    braking = -e.acceleration if e.speed >= 0.0 else e.acceleration
    return braking >= HARD_BRAKING_MPS2


def safety_ext(e: EntityState) -> dict[str, Any] | None:
    """VehicleSafetyExtensions of ``e``: ``events`` (eventHardBraking, eventHazardLights while
    ``warningLights`` are on) and ``lights`` (:data:`EXTERIOR_LIGHT_OF`), each only when a bit
    is set; None when neither is."""
    events = set()
    if hard_braking(e):
        events.add(EVENT_HARD_BRAKING)
    if "warningLights" in e.lights:
        events.add(EVENT_HAZARD_LIGHTS)
    lights = {EXTERIOR_LIGHT_OF[k] for k in e.lights if k in EXTERIOR_LIGHT_OF}
    out: dict[str, Any] = {}
    if events:
        out["events"] = fields.bit_string(events, EVENT_FLAG_BITS)
    if lights:
        out["lights"] = fields.bit_string(lights, EXTERIOR_LIGHT_BITS)
    return out or None


def emergency_ext(e: EntityState) -> dict[str, Any] | None:
    """VehicleEmergencyExtensions of a vehicle whose role is in :data:`EMERGENCY_ROLES`:
    ``responseType`` emergency; ``sirenUse`` and ``lightsUse`` inUse while its
    ``specialPurposeLights`` are on, notInUse otherwise. None for other roles."""
    if e.role not in EMERGENCY_ROLES:
        return None
    use = "inUse" if "specialPurposeLights" in e.lights else "notInUse"
    return {"responseType": "emergency", "sirenUse": use, "lightsUse": use}


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
    [rad/s, CCW], length/width [m]; ``hard_braking`` and ``hazard_lights`` from the event
    flags, ``lights`` the ExteriorLights bit names set (:data:`EXTERIOR_LIGHT_NAMES`),
    ``emergency_response`` the emergencyExt ResponseType (None without one) and ``siren_in_use``
    True when its sirenUse is inUse."""

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
    hard_braking: bool = False
    hazard_lights: bool = False
    lights: tuple[str, ...] = ()
    emergency_response: str | None = None
    siren_in_use: bool = False


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
    safety, emergency = value.get("safetyExt", {}), value.get("emergencyExt", {})
    events = fields.set_bits(safety["events"]) if "events" in safety else frozenset()
    lights = fields.set_bits(safety["lights"]) if "lights" in safety else frozenset()
    return BsmInfo(bytes(value["id"]), value["secMark"], lon, lat, x, y,
                   None if elev is None else units.elevation_from_asn(elev),
                   units.speed_from_asn(value["speed"]), heading,
                   units.accel_from_asn(acc["long"]), units.yaw_rate_from_asn(acc["yaw"]),
                   value["size"]["length"] / 100.0, value["size"]["width"] / 100.0,
                   EVENT_HARD_BRAKING in events, EVENT_HAZARD_LIGHTS in events,
                   tuple(EXTERIOR_LIGHT_NAMES[b] for b in sorted(lights)
                         if b < len(EXTERIOR_LIGHT_NAMES)),
                   emergency.get("responseType") if "emergencyExt" in value else None,
                   emergency.get("sirenUse") == "inUse")
