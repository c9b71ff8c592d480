"""Data frames shared by several messages, built from SI values (YD/T 3709-2020 DF_*).

Position3D, PositionOffsetLLV (the smallest offset form that fits), VehicleSize,
AccelerationSet4Way, NodeReferenceID, 8-byte ids and named-bit BIT STRINGs, plus their readers. Inputs are SI in
the map frame; conversion to integer units goes through :mod:`v2x_bridge.units`.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any, Iterable

from testzone.world import BoundingBox, EntityState
from v2x_bridge import units
from v2x_bridge.errors import V2XError
from v2x_bridge.geo import GeoFrame

# (alternative, half-range in 1e-7 deg) of PositionOffsetLL, smallest first (DF_PositionOffsetLL).
_OFFSET_FORMS = (("position-LL1", 2047), ("position-LL2", 8191), ("position-LL3", 32767),
                 ("position-LL4", 131071), ("position-LL5", 2097151), ("position-LL6", 8388607))


def position3d(lon_deg: float, lat_deg: float, z_m: float | None = None) -> dict[str, Any]:
    """DF_Position3D from (lon, lat) [deg] and elevation [m] (None: field left out)."""
    out: dict[str, Any] = {"lat": units.lat_to_asn(lat_deg), "long": units.lon_to_asn(lon_deg)}
    if z_m is not None:
        out["elevation"] = units.elevation_to_asn(z_m)
    return out


def offset_ll(ref: dict[str, Any], lon_deg: float, lat_deg: float) -> tuple[str, dict[str, int]]:
    """DF_PositionOffsetLL of (lon, lat) [deg] relative to a Position3D ``ref``.

    Picks the smallest of position-LL1..LL6 whose range holds both offsets (actual minus
    reference, 1e-7 deg), else the absolute ``position-LatLon``.
    """
    lat, lon = units.lat_to_asn(lat_deg), units.lon_to_asn(lon_deg)
    dlat, dlon = lat - ref["lat"], lon - ref["long"]
    for alt, half in _OFFSET_FORMS:
        if -half - 1 <= dlat <= half and -half - 1 <= dlon <= half:
            return (alt, {"lon": dlon, "lat": dlat})
    return ("position-LatLon", {"lon": lon, "lat": lat})


def offset_llv(ref: dict[str, Any], lon_deg: float, lat_deg: float) -> dict[str, Any]:
    """DF_PositionOffsetLLV (horizontal offset only; the vertical part is optional)."""
    return {"offsetLL": offset_ll(ref, lon_deg, lat_deg)}


def read_offset_ll(ref: dict[str, Any], offset: tuple[str, dict[str, int]]) -> tuple[float, float]:
    """Inverse of :func:`offset_ll`: absolute (lon, lat) [deg] of an offset from ``ref``."""
    alt, v = offset
    if alt == "position-LatLon":
        return v["lon"] * 1e-7, v["lat"] * 1e-7
    return (ref["long"] + v["lon"]) * 1e-7, (ref["lat"] + v["lat"]) * 1e-7


def box_centre(entity: EntityState) -> tuple[float, float]:
    """Centre of the entity's bounding box in the map frame (x, y) [m].

    The OpenSCENARIO reference point of a vehicle is the rear axle; messages report the centre.
    """
    p, b = entity.pose, entity.box
    c, s = math.cos(p.h), math.sin(p.h)
    return p.x + c * b.cx - s * b.cy, p.y + s * b.cx + c * b.cy


def vehicle_size(box: BoundingBox, with_height: bool = True) -> dict[str, int]:
    """DF_VehicleSize from a bounding box: width, length [cm], height [5 cm].

    Each saturates at its field's largest value (VehicleWidth 10.23 m, VehicleLength 40.95 m,
    VehicleHeight 6.35 m): a 45 m barrier or tram is valid OpenSCENARIO, and the message set
    can only say "at least that big". Negative or NaN sizes still raise V2XError."""
    out = {"width": units.length_to_cm(_at_most(box.width, 10.23), "width", 1023),
           "length": units.length_to_cm(_at_most(box.length, 40.95), "length", 4095)}
    if with_height:
        out["height"] = units.height_to_asn(_at_most(box.height, 6.35))
    return out


def _at_most(value: float, limit: float) -> float:
    """``min(value, limit)`` that keeps NaN (for the range check to name it)."""
    return limit if value > limit else value


def accel_set(entity: EntityState) -> dict[str, int]:
    """DF_AccelerationSet4Way: longitudinal, lateral (speed x yaw rate), vertical, yaw rate.

    Axes after SAE J670 (x forward, y right, z down): a left turn gives negative lateral
    acceleration and negative yaw rate. Vertical acceleration is sent as unavailable.
    """
    lat_acc = -entity.speed * entity.yaw_rate
    return {"long": units.accel_to_asn(entity.acceleration, "acceleration"),
            "lat": units.accel_to_asn(lat_acc, "lateral_acceleration"),
            "vert": units.VERT_ACCEL_UNAVAILABLE,
            "yaw": units.yaw_rate_to_asn(entity.yaw_rate)}


def node_reference(node_id: int, region: int | None = None) -> dict[str, int]:
    """DF_NodeReferenceID. Raises V2XError outside 0..65535."""
    out = {}
    for name, value in (("region", region), ("id", node_id)):
        if value is None:
            continue
        if not 0 <= int(value) <= 65535:
            raise V2XError(f"{name} {value} outside 0..65535", element=f"NodeReferenceID.{name}")
        out[name] = int(value)
    return out


def id8(name: str) -> bytes:
    """An 8-byte OCTET STRING id from a text id.

    ASCII ids of at most 8 characters are zero-padded (``"12345"`` -> ``3132333435000000``, the
    form deployed RSUs use); longer ids are hashed (BLAKE2b, 8 bytes) so they stay distinct.
    """
    raw = name.encode("utf-8")
    if len(raw) <= 8:
        return raw.ljust(8, b"\x00")
    return hashlib.blake2b(raw, digest_size=8).digest()


def lonlat_of(geo: GeoFrame, x: float, y: float) -> tuple[float, float]:
    """(lon, lat) [deg] of map point (x, y) [m], as Python floats."""
    lon, lat = geo.to_lonlat(x, y)
    return float(lon), float(lat)


def bit_string(bits: Iterable[int], nbits: int) -> tuple[bytes, int]:
    """A BIT STRING of ``nbits`` bits with the given bit numbers set, in asn1tools form
    ``(bytes, nbits)``; bit 0 is the first bit sent (the most significant bit of the first
    octet, X.691 / X.680 named-bit numbering).

    Raises:
        V2XError: a bit number outside ``0..nbits-1``.
    """
    out = bytearray((nbits + 7) // 8)
    for b in bits:
        if not 0 <= b < nbits:
            raise V2XError(f"bit {b} outside a BIT STRING of {nbits} bits")
        out[b // 8] |= 0x80 >> (b % 8)
    return bytes(out), nbits


def set_bits(value: tuple[bytes, int]) -> frozenset[int]:
    """The numbers of the bits set in a BIT STRING ``(bytes, nbits)`` (inverse of
    :func:`bit_string`)."""
    data, nbits = value
    return frozenset(b for b in range(min(nbits, 8 * len(data)))
                     if data[b // 8] & (0x80 >> (b % 8)))
