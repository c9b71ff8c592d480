"""Generate the Wuhan test-case catalogue: every logical scenario's ``.xosc`` and
``.dist.xosc`` (ParameterValueDistribution), ``catalogue.json``, ``suites.json`` and
``docs/catalogue.md``.

Run ``python scenarios/wuhan/generate_catalogue.py [--out DIR] [--doc PATH]``; output is
byte-for-byte the same on every run. The six section-1 cases keep their generator
(:mod:`scenarios.wuhan.generate_section1_cases`); this script adds their distributions and
catalogue entries. The test-zone cases come from :mod:`cases_road`, :mod:`cases_junction` and
:mod:`cases_rsi`.

Suites (files relative to this folder; a distribution file expands to its concrete cases):
``smoke`` three quick section-1 cases; ``gbt41798`` the default concrete case of every logical
scenario tagged with a GB/T 41798-2022 item; ``v2x-day1`` the default case of every scenario
tagged with a Day-1 application (all 17 covered); ``full`` every distribution file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DOC = ROOT / "docs" / "catalogue.md"

SMOKE = ("cut_in.xosc", "stationary_vehicle.xosc", "pedestrian_crossing.xosc")
KMH = 1.0 / 3.6


def _section1() -> list:
    """The section-1 cases as Logical records (builders and parameter ranges of
    generate_section1_cases / v2x_cases; a range becomes its min, mid and max)."""
    from scenarios.wuhan import generate_section1_cases as s1
    from scenarios.wuhan import v2x_cases
    from scenarios.wuhan.catalogue_model import Logical, Vary
    builders = {"cut_in": s1.cut_in, "stationary_vehicle": s1.stationary_vehicle,
                "pedestrian_crossing": s1.pedestrian_crossing,
                "rlvw_red_light": v2x_cases.rlvw_red_light,
                "glosa_green_arrival": v2x_cases.glosa_green_arrival,
                "hlw_hazard": v2x_cases.hlw_hazard}
    tags = {"cut_in": (("vehicle cut-in",), ("FCW",), ("RSM",), "cut-in",
                       ("EgoSpeed", "BrakeDecel")),
            "stationary_vehicle": (("vehicle ahead stopped",), ("AVW",), ("RSM",),
                                   "vehicle-ahead", ("Gap", "StoppedLaneOffset")),
            "pedestrian_crossing": (("pedestrian crossing", "traffic lights"), ("VRUCW",),
                                    ("SPAT", "MAP", "RSM"), "vru", ("PedestrianSpeed",)),
            "rlvw_red_light": (("traffic lights",), ("RLVW",), ("SPAT", "MAP"),
                               "traffic-lights", ("StopLineDistance",)),
            "glosa_green_arrival": (("traffic lights",), ("GLOSA",), ("SPAT", "MAP"),
                                    "traffic-lights", ("StopLineDistance",)),
            "hlw_hazard": (("vehicle ahead stopped",), ("HLW",), ("RSI", "RSM"), "vehicle-ahead",
                           ("CutOutDistance",))}
    out = []
    for entry in s1.catalogue()["cases"]:
        stem = entry["file"][:-len(".xosc")]
        items, day1, msgs, family, varied = tags[stem]
        vary = tuple(Vary(p["name"], p["unit"], _three(p["min"], p["max"]))
                     for p in entry["parameters"] if p["name"] in varied)
        out.append(Logical(entry["id"], stem, entry["title"], family, builders[stem], items,
                           day1, msgs, vary, tuple(entry["criteria"]),
                           ("section-1 map (wuhan_section1.xodr), not the whole test zone",),
                           map="maps/wuhan/wuhan_section1.xodr",
                           extra={k: entry[k] for k in ("signal_start_interval",
                                                        "v2x_applications", "parameters")}))
    return out


def _three(lo: float, hi: float) -> tuple[float, ...]:
    return (lo, round((lo + hi) / 2, 6), hi)


def logicals() -> list:
    """Every logical scenario of the catalogue, section 1 first."""
    from scenarios.wuhan import cases_junction, cases_road, cases_rsi
    return _section1() + cases_road.logicals() + cases_junction.logicals() + cases_rsi.logicals()


def _defaults(xosc_bytes: bytes) -> dict[str, str]:
    from lxml import etree
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(xosc_bytes, parser)
    return {p.get("name"): p.get("value")
            for p in root.findall("ParameterDeclarations/ParameterDeclaration")}


def suites(cases: list) -> dict[str, list[str]]:
    """The named suites (see the module docstring)."""
    return {"smoke": list(SMOKE),
            "gbt41798": [c.file for c in cases if c.items],
            "v2x-day1": [c.file for c in cases if c.day1],
            "full": [c.distribution for c in cases]}


def render(cases: list | None = None) -> tuple[dict[str, bytes], bytes]:
    """``({file name: bytes} for this folder, docs/catalogue.md bytes)``."""
    from scenarios.wuhan import catalogue_doc
    from scenarios.wuhan.catalogue_model import catalogue_entry, distribution_bytes
    from scenarios.authoring import xosc_bytes
    cases = cases if cases is not None else logicals()
    files: dict[str, bytes] = {}
    entries = []
    for case in cases:
        data = xosc_bytes(case.build())
        if case.map.endswith("wuhan_testzone.xodr"):
            files[case.file] = data
        files[case.distribution] = distribution_bytes(case)
        entries.append(catalogue_entry(case, _defaults(data)))
    catalogue = {"osc_version": "1.1", "distribution_osc_version": "1.2", "cases": entries}
    files["catalogue.json"] = _json(catalogue)
    files["suites.json"] = _json(suites(cases))
    return files, catalogue_doc.render(catalogue, suites(cases)).encode("utf-8")


def _json(data: object) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command line: write the files into ``--out`` (default this folder) and ``--doc``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--doc", type=Path, default=DOC)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    files, doc = render()
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    args.doc.write_bytes(doc)
    print(f"wrote {len(files)} files into {args.out} and {args.doc}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
