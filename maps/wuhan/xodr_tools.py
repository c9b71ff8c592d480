"""Small lxml helpers shared by the Wuhan map generators (section 1 and the whole network).

They turn a scenariogeneration ``xodr.OpenDrive`` into an lxml tree and write it back with
deterministic bytes: attribute values formatted the same way on every run, headings folded into
(-pi, pi], the header date fixed and the ``geoReference`` written as CDATA (OpenDRIVE 1.7
clause 8.3: the PROJ string is the element text).
"""

from __future__ import annotations

import json
import math
import os
from xml.etree import ElementTree as ET

from lxml import etree

GEO_REFERENCE = ("+proj=tmerc +lat_0=30.49 +lon_0=114.15 +k=1 +x_0=0 +y_0=0 +datum=WGS84 "
                 "+units=m +no_defs")
"""PROJ string of the local frame: transverse Mercator centred on 30.49 N, 114.15 E (Wuhan
Economic & Technological Development Zone); x east, y north [m]."""

HEADER_DATE = "2026-11-30T00:00:00"
"""Fixed header date, so the output does not change from run to run."""

VENDOR = "icv-testzone (modelled, not surveyed)"
"""``header@vendor`` of every generated file."""


def fmt(value: object) -> str:
    """Attribute text of ``value``: floats rounded to 1e-6 and written by ``repr`` (no -0.0)."""
    if isinstance(value, float):
        return repr(round(value, 6) + 0.0)  # +0.0 turns -0.0 into 0.0
    return str(value)


def sub(parent: etree._Element, tag: str, **attrib: object) -> etree._Element:
    """Append a child ``tag`` to ``parent`` with attributes formatted by :func:`fmt`."""
    return etree.SubElement(parent, tag, {k: fmt(v) for k, v in attrib.items()})


def to_root(element: ET.Element) -> etree._Element:
    """Re-parse scenariogeneration's ElementTree output as an lxml element (blank text removed,
    no entities, no network)."""
    raw = ET.tostring(element, encoding="utf-8")
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True,
                             huge_tree=False)
    return etree.fromstring(raw, parser)


def fix_header(root: etree._Element, bounds: tuple[float, float, float, float]) -> None:
    """Deterministic header: fixed date, ``bounds`` = (west, south, east, north) [m], vendor,
    version 1 and the geoReference as CDATA."""
    header = root.find("header")
    west, south, east, north = bounds
    header.set("date", HEADER_DATE)
    header.set("north", fmt(north))
    header.set("south", fmt(south))
    header.set("east", fmt(east))
    header.set("west", fmt(west))
    header.set("vendor", VENDOR)
    header.set("version", "1")
    geo = header.find("geoReference")
    geo.text = etree.CDATA(GEO_REFERENCE)


def fold_headings(root: etree._Element) -> None:
    """Write every ``geometry@hdg`` in (-pi, pi] (scenariogeneration may emit 5pi/2 for pi/2)."""
    for geom in root.iter("geometry"):
        geom.set("hdg", repr(math.remainder(float(geom.get("hdg")), 2 * math.pi)))


def insert_after_lanes(road: etree._Element, element: etree._Element) -> None:
    """Insert ``element`` right after the road's ``<lanes>`` (schema order: lanes, objects,
    signals); insert ``signals`` first, then ``objects``, to get that order."""
    road.find("lanes").addnext(element)


def xml_bytes(root: etree._Element) -> bytes:
    """Pretty-printed UTF-8 bytes with an XML declaration."""
    return etree.tostring(etree.ElementTree(root), pretty_print=True, xml_declaration=True,
                          encoding="UTF-8")


def json_bytes(data: object) -> bytes:
    """JSON text (indent 2, UTF-8, trailing newline) of ``data``."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_outputs(render, doc: str, argv: list[str] | None = None,
                  default_out: str | os.PathLike[str] | None = None) -> int:
    """Command line of the generators: write ``render()``'s files (name -> bytes) into
    ``--out`` (default ``default_out``, else the folder of this package); ``doc`` is the
    script's docstring. Returns the exit status (0)."""
    import argparse
    from pathlib import Path
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=Path(default_out) if default_out is not None
                        else Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in render().items():
        (args.out / name).write_bytes(data)
        print(f"wrote {args.out / name} ({len(data)} bytes)")
    return 0
