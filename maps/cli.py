"""``testzone map`` commands: ``info``, ``plot`` and ``check`` (mounted by runners/cli.py).

Exit statuses:

* ``info``, ``plot``: 0 on success; 2 when the map cannot be read (any
  :class:`~maps.errors.MapsError`, printed as one ``error: file:line: <element>: message``
  line on stderr).
* ``check``: 0 when the file is clean, 1 when it has warnings only, 2 when it has at least
  one error. Every issue is printed as ``severity: file:line: <element>: message``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any, Callable

import typer

from testzone.text import terminal_safe

from maps.errors import MapsError

app = typer.Typer(rich_markup_mode="markdown", no_args_is_help=True, add_completion=False,
                  help="OpenDRIVE maps: info, plot, check.")


def _run(fn: Callable[[], Any]) -> Any:
    """Run ``fn``; a MapsError becomes one line on stderr and exit status 2."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # `check` lists them; info/plot stay quiet
            return fn()
    except MapsError as exc:
        typer.echo(terminal_safe(f"error: {exc}"), err=True)
        raise typer.Exit(2) from None
    except OSError as exc:  # an output that cannot be written
        typer.echo(terminal_safe(f"error: {exc.filename or ''}: {exc.strerror or exc}"), err=True)
        raise typer.Exit(2) from None


def _load(path: Path):
    from maps.network import load_opendrive
    return load_opendrive(path)


@app.command()
def info(file: Path = typer.Argument(..., help="OpenDRIVE file (.xodr)"),
         as_json: bool = typer.Option(False, "--json", help="machine-readable JSON output"),
         roads: bool = typer.Option(False, "--roads", help="list every road instead: its "
                                    "links, lane ids and types per lane section, speed "
                                    "limits and signals (what a scenario places things by)")
         ) -> None:
    """Roads, junctions, lanes, signals, objects, extent and geoReference of a map.

    Lanes are counted by type, roads with their lengths; the RSU count is given when a
    MAPNAME.rsu.json sits beside MAPNAME.xodr. With --roads, road by road."""
    from maps.summary import format_road_table, format_summary, network_summary, road_table
    if roads:
        rows = _run(lambda: road_table(_load(file)))
        typer.echo(json.dumps(rows, indent=2) if as_json else format_road_table(rows))
        return
    data = _run(lambda: network_summary(_load(file)))
    typer.echo(json.dumps(data, indent=2) if as_json else format_summary(data))


@app.command()
def plot(file: Path = typer.Argument(..., help="OpenDRIVE file (.xodr)"),
         out: Path = typer.Option(..., "-o", "--out", help="PNG to write"),
         lane_ids: bool = typer.Option(False, "--lane-ids", help="label lanes road:lane"),
         rsu: bool = typer.Option(True, "--rsu/--no-rsu",
                                  help="draw the RSUs of MAPNAME.rsu.json with their range"),
         dpi: int = typer.Option(200, min=10, max=1200, help="resolution of the PNG")) -> None:
    """Top view: lanes by type, road marks, junction areas, crosswalks, signals, RSUs."""
    from maps.plot import plot_network
    from maps.summary import read_rsus
    if out.suffix.lower() != ".png" or out.is_dir() or not out.parent.is_dir():
        typer.echo(f"error: -o {out}: expected a .png file in an existing folder", err=True)
        raise typer.Exit(2)

    def go() -> Path:
        net = _load(file)
        rsus = read_rsus(file) if rsu else None
        return plot_network(net, out, lane_ids=lane_ids, rsus=rsus, dpi=dpi)
    typer.echo(f"wrote {_run(go)}")


@app.command()
def check(file: Path = typer.Argument(..., help="OpenDRIVE file (.xodr)")) -> None:
    """Validate the file, and the RSU layout beside it (MAPNAME.rsu.json beside MAPNAME.xodr).

    One issue a line on stdout (as `scenario check` prints them), then a count; exit 0 clean,
    1 warnings only, 2 errors."""
    from maps.validate import check_opendrive
    issues = _run(lambda: check_opendrive(file, layout=True))
    for issue in issues:
        typer.echo(terminal_safe(issue.format()))
    errors = sum(1 for i in issues if i.severity == "error")
    warns = len(issues) - errors
    typer.echo(f"{file}: {errors} error(s), {warns} warning(s)")
    raise typer.Exit(2 if errors else (1 if warns else 0))
