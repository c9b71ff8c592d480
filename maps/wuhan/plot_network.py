"""Plot the modelled Wuhan test-zone network: lanes, signals and RSUs (matplotlib).

Run ``python maps/wuhan/plot_network.py [--xodr PATH] [--rsu PATH] [--out PNG]``; the default
writes ``docs/img/wuhan_testzone.png`` from the committed files. Lanes are drawn section by
section from the roads ``maps.load_opendrive`` returns (every lane of every road, junction
connecting roads included), so the picture shows what the maps package reads, not the
generator's intent.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

if __package__ in (None, ""):  # run as a script: make `maps` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from maps import RoadNetwork, load_opendrive  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
COLOURS = {"driving": "#606060", "sidewalk": "#c8b89a", "median": "#8fbc8f", "bus": "#d08030"}
"""Fill colour per lane type; other types are light grey."""
SAMPLE_STEP_M = 5.0
"""Longest sampling step [m] of the lane borders."""


def lane_polygons(net: RoadNetwork) -> dict[str, list]:
    """Lane outlines per lane section, grouped by lane type: ``{type: [(N, 2) arrays [m]]}``.

    Per section rather than per lane id (``net.lane_outline``), because a lane id changes role
    between sections here (a median giving way to a left-turn lane shifts the ids outside it).
    Borders come from ``Road.lane_span`` and ``Road.position``, sampled every SAMPLE_STEP_M.
    """
    groups: dict[str, list] = {}
    for road in net.roads.values():
        for sec in road.sections:
            if sec.end - sec.s <= 0.0:
                continue
            n = max(2, math.ceil((sec.end - sec.s) / SAMPLE_STEP_M) + 1)
            ss = np.linspace(sec.s, sec.end - 1e-9, n)
            for lane in (*sec.left, *sec.right):
                spans = [road.lane_span(lane.id, float(s), sec) for s in ss]
                inner = [road.position(float(s), a)[:2] for s, (a, _) in zip(ss, spans)]
                outer = [road.position(float(s), b)[:2] for s, (_, b) in zip(ss, spans)]
                groups.setdefault(lane.type, []).append(np.array(inner + outer[::-1]))
    return groups


def plot(xodr: Path, rsu_json: Path, out: Path) -> None:
    """Draw lanes, signals (red dots) and RSUs (blue triangles with 300 m range circles at
    intersections omitted for legibility) into ``out`` (PNG)."""
    net = load_opendrive(xodr)
    rsus = json.loads(rsu_json.read_text(encoding="utf-8"))["rsus"]
    fig, ax = plt.subplots(figsize=(12, 12))
    for kind, polys in sorted(lane_polygons(net).items()):
        ax.add_collection(PolyCollection(polys, facecolors=COLOURS.get(kind, "#dddddd"),
                                         edgecolors="none", label=f"{kind} lanes"))
    ax.scatter([s.x for s in net.signals], [s.y for s in net.signals], s=2, c="red",
               label=f"signals ({len(net.signals)})", zorder=3)
    at_junction = [r for r in rsus if r["junction_id"] is not None]
    along = [r for r in rsus if r["junction_id"] is None]
    ax.scatter([r["x"] for r in at_junction], [r["y"] for r in at_junction], s=14,
               marker="^", c="#1f5fbf", label=f"RSU at intersection ({len(at_junction)})",
               zorder=4)
    ax.scatter([r["x"] for r in along], [r["y"] for r in along], s=14, marker="s",
               c="#2aa02a", label=f"RSU along road ({len(along)})", zorder=4)
    xmin, ymin, xmax, ymax = net.bounds
    ax.set_xlim(xmin - 100, xmax + 100)
    ax.set_ylim(ymin - 100, ymax + 100)
    ax.set_aspect("equal")
    ax.set_xlabel("x east [m]")
    ax.set_ylabel("y north [m]")
    ax.set_title("Wuhan ICV test zone — modelled network (not surveyed)")
    ax.legend(loc="upper right", fontsize=8, markerscale=2)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=150, bbox_inches="tight")
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xodr", type=Path, default=HERE / "wuhan_testzone.xodr")
    parser.add_argument("--rsu", type=Path, default=HERE / "wuhan_testzone.rsu.json")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "wuhan_testzone.png")
    args = parser.parse_args(argv)
    plot(args.xodr, args.rsu, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
