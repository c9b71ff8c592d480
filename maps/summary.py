"""What a road network holds, as plain data (``testzone map info``), and the RSU layout file
that may sit beside it (``<map>.rsu.json``, written by :mod:`maps.wuhan`).

RSU layout format: a JSON object with ``rsus``, a list of objects each having ``id``, ``x``,
``y`` (inertial frame [m]) and ``range_m`` (communication range [m]); other fields are kept
as read.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from maps.errors import MapsError
from testzone.text import one_line
from testzone.userfiles import (UserFileError, UserJsonError, is_finite_number, parse_user_json,
                                read_regular)

if TYPE_CHECKING:  # pragma: no cover
    from maps.network import RoadNetwork


def rsu_path(map_path: str | Path) -> Path:
    """Path of the RSU layout beside a map: ``a/b/name.xodr`` -> ``a/b/name.rsu.json``."""
    p = Path(map_path)
    return p.with_name(p.stem + ".rsu.json")


def read_rsus(map_path: str | Path) -> list[dict[str, Any]] | None:
    """The RSUs of the layout beside ``map_path`` (see module docstring), or None when there
    is no such file.

    Raises:
        MapsError: the file is not JSON, or an RSU lacks a numeric ``x``, ``y`` or
            ``range_m``.
    """
    layout = read_layout(map_path)
    return None if layout is None else layout["rsus"]


def read_layout(map_path: str | Path) -> dict[str, Any] | None:
    """The layout beside ``map_path`` as read (a dict with a checked ``rsus`` list: see
    :func:`read_rsus`), or None when there is no such file.

    Raises:
        MapsError: as :func:`read_rsus`.
    """
    path = rsu_path(map_path)
    if not path.is_file():
        return None
    try:
        data = parse_user_json(read_regular(path, "the RSU layout", MAX_RSU_LAYOUT_BYTES)
                               .removeprefix(b"\xef\xbb\xbf"))
    except UserFileError as exc:
        raise MapsError(exc.message, file=str(path)) from None
    except UserJsonError as exc:
        raise MapsError(f"not a JSON RSU layout: {exc.reason}", file=str(path),
                        line=exc.line) from None
    rsus = data.get("rsus") if isinstance(data, dict) else None
    if not isinstance(rsus, list):
        raise MapsError("expected a JSON object with a list 'rsus'", file=str(path),
                        element="rsus")
    for i, r in enumerate(rsus):
        if not isinstance(r, dict) or not all(is_finite_number(r.get(k), MAX_COORDINATE_M)
                                              for k in ("x", "y", "range_m")) \
                or not r["range_m"] > 0:
            raise MapsError(f"rsus[{i}] needs finite numbers x, y [m] and range_m > 0 [m]",
                            file=str(path), element="rsus")
    return data


def absent_from_map(net: RoadNetwork, rsus: Iterable[tuple[Any, Any, Any]]
                    ) -> list[tuple[Any, str]]:
    """``(rsu id, why)`` for each RSU ``(id, junction_id, signal_ids)`` that does not fit
    ``net``: a junction or signals the map does not have (a layout written for another map
    would announce them). The one wording of ``map check`` and of the V2X bridge's own
    check; the map's signal ids are gathered once."""
    signals = {str(sig.id) for sig in net.signals}
    out = []
    for rsu_id, junction_id, signal_ids in rsus:
        if junction_id is not None and str(junction_id) not in net.junctions:
            out.append((rsu_id, f"junction_id {str(junction_id)!r} is not a junction of the "
                                f"map {net.path} (it has {sorted(net.junctions)[:10]})"))
            continue
        missing = [str(x) for x in (signal_ids or ()) if str(x) not in signals]
        if missing:
            out.append((rsu_id, f"signal_ids {missing} are not signals of the map"))
    return out


GEO_MISMATCH_M = 1.0
"""Distance [m] between where the map's geoReference and an RSU layout's own geo_reference put
the map's origin beyond which :func:`layout_issues` warns."""


def layout_issues(map_path: str | Path, net: RoadNetwork) -> list[tuple[str, str, str]]:
    """What is wrong with the RSU layout beside a map, before any case runs:
    ``(severity, element, message)`` triples (empty without a layout). Errors: the layout
    cannot be read (:func:`read_layout`), an RSU names a junction or signals the map does
    not have (:func:`absent_from_map`: what a run refuses, exit 2). A warning when its own
    ``geo_reference`` puts the map's origin more than :data:`GEO_MISMATCH_M` from where the
    map's geoReference does: the V2X bridge then sends every position that far off the
    map's (it uses the layout's projection, without the header offset; new-section pass 12
    found a layout 1.1 km off, clean everywhere)."""
    try:
        layout = read_layout(map_path)
    except MapsError as exc:
        return [("error", exc.element or "rsus", exc.message)]
    if layout is None:
        return []
    out = [("error", f"rsus ({rsu_id})", why) for rsu_id, why in absent_from_map(
        net, ((r.get("id", i), r.get("junction_id"), r.get("signal_ids"))
              for i, r in enumerate(layout["rsus"])))]
    geo = layout.get("geo_reference")
    if not out and isinstance(geo, str) and geo.strip() and net.geo_reference:
        from maps.geo import GeoReference, wgs84_geod
        try:
            lon_a, lat_a = net.to_lonlat(0.0, 0.0)
            lon_b, lat_b = GeoReference(geo).to_lonlat(0.0, 0.0)
        except MapsError as exc:
            return [("error", "geo_reference", exc.message)]
        apart = wgs84_geod().inv(lon_a, lat_a, lon_b, lat_b)[2]
        if apart > GEO_MISMATCH_M:
            out.append(("warning", "geo_reference",
                        f"the layout's geo_reference puts the map's origin (0, 0) at lon "
                        f"{lon_b:.7f}, lat {lat_b:.7f}, {apart:.1f} m from where the map's "
                        f"geoReference puts it (lon {lon_a:.7f}, lat {lat_a:.7f}): every V2X "
                        f"position is sent that far off the map's; leave geo_reference out "
                        f"(null) to use the map's"))
    return out


MAX_COORDINATE_M = 1e6
"""Largest |value| of a layout number: positions [m] in a map frame, ranges [m], periods [s]
(here and in :mod:`v2x_bridge.rsu`, which reads the same files in full)."""
MAX_RSU_LAYOUT_BYTES = 16 * 1024 * 1024
"""Largest RSU layout file read [bytes]; the 106 km road's few hundred RSUs take under 100 KiB."""


def _lanes(net: RoadNetwork) -> tuple[dict[str, int], dict[str, float]]:
    """Lane records per type and lane length [km] per type (lane 0 left out)."""
    count: Counter[str] = Counter()
    length: Counter[str] = Counter()
    for road in net.roads.values():
        for sec in road.sections:
            for ln in (*sec.left, *sec.right):
                count[ln.type] += 1
                length[ln.type] += max(sec.end - sec.s, 0.0) / 1000.0
    return dict(sorted(count.items())), {k: round(v, 3) for k, v in sorted(length.items())}


def network_summary(net: RoadNetwork) -> dict[str, Any]:
    """Counts, lengths and extent of ``net`` as a JSON-ready dict.

    Keys: ``file``, ``opendrive_version``, ``roads``, ``junction_roads``, ``junctions`` (by
    type), ``lanes_by_type`` (lane records per lane section), ``lane_km_by_type``,
    ``signals`` (``dynamic``, ``static``, ``references``), ``objects`` (by ``type`` or ``type/subtype``),
    ``length_km`` (all roads), ``length_km_without_junctions`` (connecting roads left out),
    ``bounds_m`` ([xmin, ymin, xmax, ymax]), ``geo_reference``, ``header_offset``
    ([x, y, z m, hdg rad]), ``rsus`` (count in the layout beside the map, or None).
    """
    roads = list(net.roads.values())
    lanes, lane_km = _lanes(net)
    signals = [s for s in net.signals if not s.is_reference]
    rsus = read_rsus(net.path)
    return {
        "file": net.path,
        "opendrive_version": f"{net.version[0]}.{net.version[1]}",
        "roads": len(roads),
        "junction_roads": sum(1 for r in roads if r.in_junction),
        "junctions": dict(sorted(Counter(j.type for j in net.junctions.values()).items())),
        "lanes_by_type": lanes,
        "lane_km_by_type": lane_km,
        "signals": {"dynamic": sum(1 for s in signals if s.dynamic),
                    "static": sum(1 for s in signals if not s.dynamic),
                    "references": sum(1 for s in net.signals if s.is_reference)},
        "objects": dict(sorted(Counter(f"{o.type}/{o.subtype}" if o.subtype not in ("", "-1")
                                       else o.type for o in net.objects).items())),
        "length_km": round(sum(r.length for r in roads) / 1000.0, 3),
        "length_km_without_junctions": round(sum(r.length for r in roads
                                                 if not r.in_junction) / 1000.0, 3),
        "bounds_m": [round(v, 2) for v in net.bounds],
        "geo_reference": net.geo_reference,
        "header_offset": list(net.offset),
        "rsus": None if rsus is None else len(rsus),
    }


def format_summary(info: dict[str, Any]) -> str:
    """Human-readable lines of :func:`network_summary`'s dict (text from the map on one line:
    a multi-line geoReference joined, control characters escaped)."""
    def kv(d: dict) -> str:
        return ", ".join(f"{k} {v}" for k, v in d.items()) or "none"

    b = info["bounds_m"]
    lines = [
        f"file            {info['file']} (OpenDRIVE {info['opendrive_version']})",
        f"roads           {info['roads']} ({info['junction_roads']} in junctions)",
        f"junctions       {sum(info['junctions'].values())} ({kv(info['junctions'])})",
        f"lanes by type   {kv(info['lanes_by_type'])}",
        f"lane km by type {kv({k: f'{v:.3f}' for k, v in info['lane_km_by_type'].items()})}",
        f"signals         {info['signals']['dynamic']} dynamic, {info['signals']['static']} "
        f"static, {info['signals']['references']} references",
        f"objects         {sum(info['objects'].values())} ({kv(info['objects'])})",
        f"length          {info['length_km']:.3f} km, {info['length_km_without_junctions']:.3f}"
        " km without junction connecting roads",
        f"bounding box    x {b[0]:.1f} .. {b[2]:.1f} m, y {b[1]:.1f} .. {b[3]:.1f} m",
        f"geoReference    {info['geo_reference'] or 'none'}",
    ]
    ox, oy, oz, oh = info["header_offset"]
    lines.append(f"header offset   x {ox:g} m, y {oy:g} m, z {oz:g} m, hdg {oh:g} rad")
    if info["rsus"] is not None:
        lines.append(f"RSUs            {info['rsus']}")
    return "\n".join(one_line(" ".join(line.split("\n"))) for line in lines)


def _link(link: Any) -> str | None:
    """A road link as text: ``road 7 (end)``, ``junction 4``; None without a link."""
    if link is None:
        return None
    where = f" ({link.contact_point})" if link.contact_point else ""
    return f"{link.element_type} {link.element_id}{where}"


def road_table(net: RoadNetwork) -> list[dict[str, Any]]:
    """Per road, what a scenario author places entities with (OpenDRIVE 1.8 clause 8 roads,
    9 lanes, 14 signals), in the file's road order, as JSON-ready dicts.

    Keys: ``id``, ``name``, ``length_m``, ``junction`` (id, or None), ``predecessor`` and
    ``successor`` (text, e.g. ``"junction 4"``, ``"road 7 (end)"``, or None), ``sections``
    (each ``{"s", "end"`` [m], ``"lanes"``: ``{lane id: type}`` left to right, lane 0 left
    out``}``), ``signals`` (each ``{"id", "s", "t"`` [m], ``"orientation"``, ``"dynamic"``,
    ``"type"}``; references left out), ``speed_limits`` (``[s [m], limit [m/s]]`` of the
    road type records that carry one).
    """
    signals: dict[str, list[Any]] = {}
    for sig in net.signals:
        if not sig.is_reference:
            signals.setdefault(str(sig.road_id), []).append(sig)
    rows = []
    for road in net.roads.values():
        rows.append({
            "id": road.id, "name": road.name, "length_m": round(road.length, 3),
            "junction": road.junction if road.in_junction else None,
            "predecessor": _link(road.predecessor), "successor": _link(road.successor),
            "sections": [{"s": round(sec.s, 3), "end": round(sec.end, 3),
                          "lanes": {str(ln.id): ln.type for ln in
                                    sorted((*sec.left, *sec.right), key=lambda ln: -ln.id)}}
                         for sec in road.sections],
            "signals": [{"id": sig.id, "s": round(sig.s, 3), "t": round(sig.t, 3),
                         "orientation": sig.orientation, "dynamic": sig.dynamic,
                         "type": sig.type} for sig in sorted(signals.get(str(road.id), ()),
                                                             key=lambda g: g.s)],
            "speed_limits": [[round(rt.s, 3), round(rt.speed, 3)] for rt in road.types
                             if rt.speed is not None],
        })
    return rows


def format_road_table(rows: list[dict[str, Any]]) -> str:
    """Human-readable lines of :func:`road_table`'s rows: one line per road, one per lane
    section, one per signal; text from the map (names, ids, types) shown escaped
    (:func:`testzone.text.one_line`)."""
    lines = []
    for r in rows:
        head = f"road {r['id']}" + (f" '{r['name']}'" if r["name"] else "")
        head += f"  {r['length_m']:.1f} m"
        if r["junction"] is not None:
            head += f"  in junction {r['junction']}"
        links = [f"{k} {r[k]}" for k in ("predecessor", "successor") if r[k]]
        lines.append(head + ("  " + ", ".join(links) if links else ""))
        for sec in r["sections"]:
            lanes = ", ".join(f"{k} {v}" for k, v in sec["lanes"].items()) or "none"
            lines.append(f"  s {sec['s']:.1f} .. {sec['end']:.1f} m: lanes {lanes}")
        for s_m, mps in r["speed_limits"]:
            lines.append(f"  speed limit {mps:.2f} m/s ({mps * 3.6:.0f} km/h) from s "
                         f"{s_m:.1f} m")
        for g in r["signals"]:
            kind = "dynamic" if g["dynamic"] else "static"
            lines.append(f"  signal {g['id']} at s {g['s']:.1f} m, t {g['t']:.2f} m, "
                         f"orientation {g['orientation']}, {kind}, type {g['type']}")
    # names, ids and types come from the user's file: a newline in one must not make a line
    return "\n".join(one_line(line) for line in lines)
