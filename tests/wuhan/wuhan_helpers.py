"""Shared helpers for the Wuhan section-1 data tests.

Everything here reads the committed files with lxml (safe parser) or json; the expected numbers
in the tests come from the layout described in docs/wuhan.md, derived by hand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
MAP_DIR = ROOT / "maps" / "wuhan"
CASES_DIR = ROOT / "scenarios" / "wuhan"
XODR = MAP_DIR / "wuhan_section1.xodr"


def safe_parse(path: Path) -> etree._ElementTree:
    """Parse untrusted XML the house way: no entities, no network, no DTD."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    return etree.parse(str(path), parser)


_NUMBER = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def rounding_difference(fresh: bytes, committed: bytes, rel: float = 1e-9,
                        abs_tol: float = 1e-12) -> str | None:
    """None when two generated files are the same text with equal numbers, up to the last
    bits of floats (BLAS kernels differ between CPUs: AVX-512 and AVX2 round a polynomial fit
    differently, e.g. a width coefficient of 3.7e-18 against 2.3e-18); else the first
    difference, for the assertion message."""
    words_a, words_b = _NUMBER.split(fresh), _NUMBER.split(committed)
    nums_a, nums_b = _NUMBER.findall(fresh), _NUMBER.findall(committed)
    if words_a != words_b or len(nums_a) != len(nums_b):
        for i, (a, b) in enumerate(zip(words_a, words_b)):
            if a != b:
                return f"text differs at piece {i}: {a[:60]!r} vs {b[:60]!r}"
        return f"{len(nums_a)} numbers vs {len(nums_b)}"
    for a, b in zip(nums_a, nums_b):
        x, y = float(a), float(b)
        if abs(x - y) > max(abs_tol, rel * max(abs(x), abs(y))):
            return f"number {a.decode()} vs {b.decode()}"
    return None


def schema_dir() -> Path | None:
    """Folder of the ASAM schemas shipped next to scenariogeneration, or None."""
    import scenariogeneration
    folder = Path(scenariogeneration.__file__).resolve().parent.parent / "schemas"
    return folder if folder.is_dir() else None


# --- independent reference-line integration (OpenDRIVE 1.7 clause 7: line, spiral, arc) -------

import math  # noqa: E402

import numpy as np  # noqa: E402
from scipy.integrate import simpson  # noqa: E402


def _geometry_end(g: etree._Element, s_local: float) -> tuple[float, float, float]:
    """Pose (x, y, h) at ``s_local`` [m] along one <geometry>, integrated numerically."""
    x0, y0, h0 = (float(g.get(k)) for k in ("x", "y", "hdg"))
    length = float(g.get("length"))
    shape = g[0]
    if shape.tag == "line":
        k0 = k1 = 0.0
    elif shape.tag == "arc":
        k0 = k1 = float(shape.get("curvature"))
    elif shape.tag == "spiral":
        k0, k1 = float(shape.get("curvStart")), float(shape.get("curvEnd"))
    else:
        raise AssertionError(f"unexpected geometry {shape.tag}")
    u = np.linspace(0.0, s_local, 2001)
    heading = h0 + k0 * u + (k1 - k0) / (2.0 * length) * u**2
    x = x0 + simpson(np.cos(heading), x=u)
    y = y0 + simpson(np.sin(heading), x=u)
    return float(x), float(y), float(heading[-1])


def road_pose(road: etree._Element, s: float, t: float = 0.0) -> tuple[float, float, float]:
    """Inertial (x, y, h) of road coordinates (s, t) [m]: reference-line heading h [rad]."""
    geoms = road.find("planView").findall("geometry")
    for g in reversed(geoms):
        if float(g.get("s")) <= s + 1e-9:
            x, y, h = _geometry_end(g, s - float(g.get("s")))
            return x - t * math.sin(h), y + t * math.cos(h), h
    raise AssertionError("s before the first geometry")


def road(root: etree._Element, road_id: str) -> etree._Element:
    """The <road> element with ``id``."""
    found = root.find(f"road[@id='{road_id}']")
    assert found is not None, f"road {road_id} missing"
    return found


def width_at(lane: etree._Element, ds: float) -> float:
    """Lane width [m] at ``ds`` from the start of its lane section (cubic records)."""
    records = [w for w in lane.findall("width") if float(w.get("sOffset")) <= ds + 1e-9]
    w = records[-1]
    d = ds - float(w.get("sOffset"))
    a, b, c, e = (float(w.get(k)) for k in "abcd")
    return a + b * d + c * d * d + e * d**3


# --- tiny OpenSCENARIO parameter resolution for the tests ($Name and ${$A +/- $B}) -----------

import re  # noqa: E402


def xosc_parameters(root: etree._Element) -> dict[str, str]:
    """Global ParameterDeclarations of a scenario: name -> value text."""
    return {p.get("name"): p.get("value")
            for p in root.findall("ParameterDeclarations/ParameterDeclaration")}


def resolve(text: str, params: dict[str, str]) -> float:
    """Numeric value of an attribute: a literal, '$Name', or '${$A + $B}' / '${$A - $B}'."""
    text = text.strip()
    m = re.fullmatch(r"\$\{\s*\$(\w+)\s*([+-])\s*\$(\w+)\s*\}", text)
    if m:
        a, b = float(params[m.group(1)]), float(params[m.group(3)])
        return a + b if m.group(2) == "+" else a - b
    if text.startswith("$"):
        return float(params[text[1:]])
    return float(text)
