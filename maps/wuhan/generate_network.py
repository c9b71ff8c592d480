"""Generate the whole modelled Wuhan test-zone network (OpenDRIVE 1.7) and its side data.

Run ``python maps/wuhan/generate_network.py [--out DIR]``; it writes, byte-for-byte the same on
every run:

* ``wuhan_testzone.xodr`` -- about 106 km of road centre line (connecting roads inside
  junctions not counted): a 10 x 10 street grid with a 2x2-lane ring road, 2x3 and 2x2-lane
  arterials and 2x1-lane collectors, 96 intersections (64 four-way, 32 T; 80 signalised, one a
  roundabout), a 2x3-lane 80 km/h expressway with two diamond interchanges (ramps on direct
  junctions, signalised terminals), crosswalks, stop lines, bus stops, vehicle signals at every
  signalised approach and a geoReference at 30.49 N, 114.15 E. Layout:
  :mod:`maps.wuhan.network_layout`.
* ``wuhan_testzone.signals.json`` -- fixed-time plans with green-wave offsets
  (:mod:`maps.wuhan.network_plans`).
* ``wuhan_testzone.rsu.json`` -- the roadside-unit layout.

Modelled on public figures, not surveyed (``docs/wuhan.md``). scenariogeneration builds roads,
lanes and connecting roads (:mod:`maps.wuhan.network_xodr`); lxml then fixes the header, folds
headings into (-pi, pi], writes the direct junctions (OpenDRIVE 1.7 clause 12.5) and adds
objects (clause 13) and signals (clause 14) after each road's ``<lanes>``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from lxml import etree

if __package__ in (None, ""):  # run as a script: make `maps.wuhan` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from maps.wuhan.network_layout import ARTERIAL_2, ARTERIAL_3, RING
from maps.wuhan.network_model import JunctionSpec, Network, RoadSpec
from maps.wuhan.network_plans import (CROSSWALK_FROM_END_M, rsu_layout, signal_plans,
                                      signal_sites)
from maps.wuhan.network_xodr import build_opendrive
from maps.wuhan.xodr_tools import (write_outputs, fix_header, fold_headings, json_bytes, sub, to_root,
                                   xml_bytes)

NAMES = ("wuhan_testzone.xodr", "wuhan_testzone.signals.json", "wuhan_testzone.rsu.json")
"""Files written by :func:`render`."""
BUS_STOP_SHIFT_M = 20.0
"""The two bus stops of an arterial block sit this far [m] either side of its middle."""


def network_bounds(net: Network) -> tuple[float, float, float, float]:
    """(west, south, east, north) [m] of the road surfaces, sampled every ~10 m."""
    xs, ys = [], []
    for road in net.roads:
        half = road.cls.half_width_m + (road.cls.lane_width_m if road.aux_start_m
                                        or road.aux_end_m else 0.0)
        n = max(2, math.ceil(road.length_m / 10.0))
        for k in range(n + 1):
            for t in ((0.0, -half) if road.one_way else (half, -half)):
                x, y, _ = road.pose_at(road.length_m * k / n, t)
                xs.append(x)
                ys.append(y)
    return (round(min(xs), 3), round(min(ys), 3), round(max(xs), 3), round(max(ys), 3))


def _direct_junction(root: etree._Element, spec: JunctionSpec) -> None:
    """``<junction type="direct">`` with one connection per link (linkedRoad, clause 12.5)."""
    junction = sub(root, "junction", id=spec.id, name=spec.name, type="direct")
    for k, link in enumerate(spec.links):
        conn = sub(junction, "connection", id=k, incomingRoad=link.incoming,
                   linkedRoad=link.linked, contactPoint=link.contact)
        for a, b in link.lanes:
            sub(conn, "laneLink", **{"from": a, "to": b})


def _junction_items(spec: JunctionSpec, items: dict[int, dict[str, list]]) -> None:
    """Crosswalk per two-way leg, stop line and vehicle signal per signalised approach."""
    for site in signal_sites(spec):
        leg = next(leg for leg in spec.legs if leg.road.id == site.road_id)
        width = leg.road.cls.lane_width_m
        n = leg.inbound_lanes  # left-turn lane included: it starts at the centre line
        bucket = items.setdefault(site.road_id, {"objects": [], "signals": []})
        bucket["objects"].append(("object", dict(
            id=f"stopline-{site.id}", name="stopLine", type="roadMark", subtype="stopLine",
            s=site.s, t=leg.inbound_sign * n * width / 2, zOffset=0.0, hdg=0.0,
            orientation="none", length=0.4, width=n * width, height=0.0)))
        bucket["signals"].append(site)
    for leg in spec.legs:
        if leg.road.one_way or leg.road.cls.sidewalk_m == 0.0:
            continue
        bucket = items.setdefault(leg.road.id, {"objects": [], "signals": []})
        bucket["objects"].append(("object", dict(
            id=f"crosswalk-{spec.id}-{leg.name}", name="crosswalk", type="crosswalk",
            s=leg.s_from_junction(CROSSWALK_FROM_END_M), t=0.0, zOffset=0.0, hdg=0.0,
            orientation="none", length=4.0, width=leg.carriageway_m, height=0.0)))


def _bus_stops(road: RoadSpec, items: dict[int, dict[str, list]]) -> None:
    """Two bus stops (object type none, subtype busStop) on the sidewalks of an arterial block:
    right side before the middle (orientation +), left side after it (orientation -)."""
    if road.cls not in (ARTERIAL_3, ARTERIAL_2, RING) or road.length_m < 200.0:
        return
    bucket = items.setdefault(road.id, {"objects": [], "signals": []})
    t = road.cls.half_width_m - road.cls.sidewalk_m / 2
    for k, (ds, side, orient) in enumerate(((-BUS_STOP_SHIFT_M, -1, "+"),
                                           (BUS_STOP_SHIFT_M, 1, "-")), start=1):
        bucket["objects"].append(("object", dict(
            id=f"busstop-{road.id}-{k}", name="busStop", type="none", subtype="busStop",
            s=road.length_m / 2 + ds, t=side * t, zOffset=0.0, hdg=0.0, orientation=orient,
            length=20.0, width=1.5, height=2.5)))


def _write_items(road_el: etree._Element, bucket: dict[str, list]) -> None:
    """Insert ``<objects>`` then ``<signals>`` after ``<lanes>`` (schema order)."""
    lanes = road_el.find("lanes")
    if bucket["signals"]:
        signals = etree.Element("signals")
        for site in sorted(bucket["signals"], key=lambda x: (x.s, x.id)):
            sig = sub(signals, "signal", id=site.id, name=f"J{site.junction_id}-{site.approach}",
                      s=site.s, t=site.t, zOffset=3.0, hOffset=0.0, dynamic="yes",
                      orientation=site.orientation, country="CN", type="1000001",
                      subtype="-1", height=1.0, width=0.4)
            sub(sig, "validity", fromLane=site.lanes[0], toLane=site.lanes[1])
        lanes.addnext(signals)
    if bucket["objects"]:
        objects = etree.Element("objects")
        for tag, attrib in sorted(bucket["objects"], key=lambda o: (o[1]["s"], o[1]["id"])):
            sub(objects, tag, **attrib)
        lanes.addnext(objects)


def to_lxml(net: Network, root: etree._Element) -> etree._Element:
    """Post-process scenariogeneration's output ``root`` for ``net`` (in place; returned)."""
    fix_header(root, network_bounds(net))
    fold_headings(root)
    items: dict[int, dict[str, list]] = {}
    for spec in net.junctions:
        if spec.kind == "direct":
            _direct_junction(root, spec)
        else:
            _junction_items(spec, items)
    for road in net.roads:
        _bus_stops(road, items)
    by_id = {el.get("id"): el for el in root.findall("road")}
    for road_id in sorted(items):
        _write_items(by_id[str(road_id)], items[road_id])
    return root


def render() -> dict[str, bytes]:
    """Return ``{file name: bytes}`` of the three generated files (deterministic)."""
    odr, net = build_opendrive()
    root = to_lxml(net, to_root(odr.get_element()))
    return dict(zip(NAMES, (xml_bytes(root), json_bytes(signal_plans(net)),
                            json_bytes(rsu_layout(net)))))


def main(argv: list[str] | None = None) -> int:
    """Command line: write the files into ``--out`` (default: this folder)."""
    return write_outputs(render, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
