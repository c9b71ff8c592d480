"""RSI (roadside information): road traffic events from :class:`RsiEvent`, and its reader.

Each active event becomes one DF_RTEData (at most 8 per message, DF_RTEList SIZE(1..8)):
``eventType`` is the GB/T 29100-2012 code the scenario gives (the message set carries the
integer as is), ``eventPos`` an offset from ``refPos`` = the RSU position, ``eventRadius`` and
``pathRadius`` in 0.1 m, ``priority`` in the upper three bits of the 1-byte RSIPriority
(0 -> ``00``, 7 -> ``E0``), ``timeDetails`` the MinuteOfTheYear of start and end. A reference
path needs at least two points in YD/T 3709-2020 (PathPointList SIZE(2..32)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from v2x_bridge import fields, units
from v2x_bridge.context import BuildContext, RsiEvent
from v2x_bridge.errors import V2XError
from v2x_bridge.geo import GeoFrame

MSG_TYPE = "RSI"
MAX_EVENTS = 8


def _check_int(value: int, lo: int, hi: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise V2XError(f"{field} must be an integer in {lo}..{hi}, got {value!r}", element=field)
    return value


def description_choice(text: str) -> tuple[str, Any]:
    """DE_Description (YD/T 3709-2020) of ``text``: ``textString`` (IA5String, 1..512
    characters) for ASCII text, else ``textGB2312`` (its GB 2312 bytes, 2..512), the choice
    Chinese road signs and events use.

    Raises:
        V2XError: empty or too long, or a character GB 2312 does not have
            (``element="description"``).
    """
    if text.isascii():
        if not 1 <= len(text) <= 512:
            raise V2XError(f"description must be 1..512 ASCII characters, got {len(text)}",
                           element="description")
        return "textString", text
    try:
        data = text.encode("gb2312")
    except UnicodeEncodeError as exc:
        raise V2XError(f"description: {text[exc.start:exc.end]!r} is not in GB 2312 (the "
                       f"character set of textGB2312)", element="description") from None
    if not 2 <= len(data) <= 512:
        raise V2XError(f"description must be 2..512 bytes of GB 2312, got {len(data)}",
                       element="description")
    return "textGB2312", data


def rte_data(ctx: BuildContext, ref: dict[str, Any], ev: RsiEvent) -> dict[str, Any]:
    """DF_RTEData of one event.

    Raises:
        V2XError: id, type or priority out of range, a path of one point, a description
            :func:`description_choice` refuses (``element`` names the field).
    """
    out: dict[str, Any] = {
        "rteId": _check_int(ev.rte_id, 0, 255, "rteId"),
        "eventType": _check_int(ev.event_type, 0, 65535, "eventType"),
        "eventSource": ev.source,
        "eventPos": fields.offset_llv(ref, *fields.lonlat_of(ctx.geo, ev.x, ev.y)),
    }
    if ev.radius_m is not None:
        out["eventRadius"] = units.radius_to_asn(ev.radius_m, "eventRadius")
    if ev.description:
        out["description"] = description_choice(ev.description)
    times = {"startTime": ctx.clock.moy(ev.t_start)}
    if ev.t_end is not None:
        times["endTime"] = ctx.clock.moy(ev.t_end)
    out["timeDetails"] = times
    out["priority"] = bytes([_check_int(ev.priority, 0, 7, "priority") << 5])
    if ev.path:
        if not 2 <= len(ev.path) <= 32:
            raise V2XError(f"a reference path needs 2..32 points, got {len(ev.path)}",
                           element="referencePaths")
        pts = [fields.offset_llv(ref, *fields.lonlat_of(ctx.geo, x, y)) for x, y in ev.path]
        out["referencePaths"] = [{"activePath": pts,
                                  "pathRadius": units.radius_to_asn(ev.path_radius_m,
                                                                    "pathRadius")}]
    return out


def build(ctx: BuildContext) -> dict[str, Any] | None:
    """RSI value announcing ``ctx.rsi_events`` (the first 8), or None when there are none."""
    rsu = ctx.rsu
    if rsu is None or not ctx.rsi_events:
        return None
    ref = fields.position3d(*fields.lonlat_of(ctx.geo, rsu.x, rsu.y))
    rtes = [rte_data(ctx, ref, ev) for ev in ctx.rsi_events[:MAX_EVENTS]]
    return {"msgCnt": ctx.msg_cnt, "moy": ctx.clock.moy(ctx.t), "id": fields.id8(rsu.id),
            "refPos": ref, "rtes": rtes}


@dataclass(frozen=True)
class RteInfo:
    """One decoded traffic event.

    Attributes:
        rte_id, event_type (GB/T 29100 code), source: as sent.
        lon, lat [deg]; x, y [m] in the map frame (None without a GeoFrame or position).
        radius_m: [m] or None. priority: 0..7 or None.
        paths: reference paths as tuples of (x, y) [m] (or (lon, lat) [deg] without a GeoFrame).
        path_radii_m: radius [m] of each path. description: text or None.
    """

    rte_id: int
    event_type: int
    source: str
    lon: float | None
    lat: float | None
    x: float | None
    y: float | None
    radius_m: float | None
    priority: int | None
    paths: tuple[tuple[tuple[float, float], ...], ...]
    path_radii_m: tuple[float, ...]
    description: str | None


@dataclass(frozen=True)
class RsiInfo:
    """A decoded RSI: RSU id, reference (lon, lat) [deg], events."""

    rsu_id: bytes
    ref_lon: float
    ref_lat: float
    events: tuple[RteInfo, ...]


def _point(ref: dict[str, Any], llv: dict[str, Any], geo: GeoFrame | None) -> tuple[float, float]:
    lon, lat = fields.read_offset_ll(ref, llv["offsetLL"])
    if geo is None:
        return lon, lat
    x, y = geo.to_xy(lon, lat)
    return float(x), float(y)


def _read_rte(ref: dict[str, Any], r: dict[str, Any], geo: GeoFrame | None) -> RteInfo:
    lon = lat = x = y = None
    if "eventPos" in r:
        lon, lat = fields.read_offset_ll(ref, r["eventPos"]["offsetLL"])
        if geo is not None:
            x, y = (float(v) for v in geo.to_xy(lon, lat))
    paths = tuple(tuple(_point(ref, p, geo) for p in rp["activePath"])
                  for rp in r.get("referencePaths", ()))
    radii = tuple(rp["pathRadius"] / 10.0 for rp in r.get("referencePaths", ()))
    desc = r.get("description")
    text = None
    if desc is not None:
        text = desc[1] if desc[0] == "textString" else bytes(desc[1]).decode("gb2312", "replace")
    prio = r.get("priority")
    return RteInfo(r["rteId"], r["eventType"], r["eventSource"], lon, lat, x, y,
                   None if "eventRadius" not in r else r["eventRadius"] / 10.0,
                   None if prio is None else bytes(prio)[0] >> 5, paths, radii, text)


def read(value: dict[str, Any], geo: GeoFrame | None = None) -> RsiInfo:
    """Decoded RSI value -> :class:`RsiInfo` (map positions when ``geo`` is given)."""
    ref = value["refPos"]
    events = tuple(_read_rte(ref, r, geo) for r in value.get("rtes", ()))
    return RsiInfo(bytes(value["id"]), ref["long"] * 1e-7, ref["lat"] * 1e-7, events)
