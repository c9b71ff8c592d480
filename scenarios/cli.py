"""``testzone scenario ...``: check and expand OpenSCENARIO files (mounted by runners/cli.py).

``check FILE...``
    schema and semantic checks (:func:`scenarios.check.check_scenario`), one line per issue
    ``file:line: severity: element: message``, then a summary; ``--json`` prints the issues as
    a JSON list instead. Exit status: 0 clean, 1 warnings only, 2 errors (any file).
``expand FILE -o DIR [--seed N]``
    one concrete .xosc per variant of a ParameterValueDistribution file, plus ``index.json``
    (:func:`scenarios.expand.write_variants`). Exit status 0, or 2 with one error line.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Optional

import typer

from testzone.text import terminal_safe

from scenarios.check import ERROR, Issue, check_scenario, exit_status
from scenarios.errors import ScenarioError

app = typer.Typer(rich_markup_mode="markdown", no_args_is_help=True, add_completion=False,
                  help="OpenSCENARIO files: check, expand.")


@app.command()
def check(files: list[Path] = typer.Argument(..., help=".xosc files (scenarios, catalogs, "
                                                       "parameter distributions) or folders "
                                                       "of them"),
          as_json: bool = typer.Option(False, "--json", help="print the issues as JSON")
          ) -> None:
    """Validate against the ASAM XSD of the file's version and check the semantics.

    A folder stands for every regular .xosc file under it. Exit status: 0 clean, 1 warnings
    only, 2 errors.
    """
    issues, expanded = [], []
    for given in files:
        found = sorted(x for x in given.rglob("*.xosc") if x.is_file()) if given.is_dir() \
            else [given]
        if not found:
            issues.append(Issue(ERROR, str(given), None, "", "no .xosc file in this folder"))
        expanded += found
    files = expanded
    issues += [i for f in files for i in check_scenario(f)]
    if as_json:
        typer.echo(json.dumps([dataclasses.asdict(i) for i in issues], indent=2))
    else:
        for i in issues:
            typer.echo(terminal_safe(i.format()))
        errors = sum(i.severity == "error" for i in issues)
        typer.echo(f"{len(files)} file(s): {errors} error(s), {len(issues) - errors} "
                   f"warning(s)")
    raise typer.Exit(exit_status(issues))


@app.command()
def expand(file: Path = typer.Argument(..., help="a ParameterValueDistribution .xosc"),
           out_text: str = typer.Option(..., "-o", "--out", help="folder for the concrete files"),
           seed: Optional[int] = typer.Option(None, help="overrides Stochastic@randomSeed")
           ) -> None:
    """Write one concrete .xosc per variant (STEM-NNN.xosc, NNN from 000) and index.json."""
    from scenarios.expand import write_variants
    out = Path(out_text)
    if not out_text.strip() or (out.exists() and not out.is_dir()):
        typer.echo(f"error: -o {out_text!r}: expected a folder (new or existing)", err=True)
        raise typer.Exit(2)
    try:
        listing = write_variants(file, out, seed)
    except ScenarioError as exc:
        typer.echo(terminal_safe(f"error: {exc}"), err=True)
        raise typer.Exit(2) from None
    except OSError as exc:  # the folder cannot be created or written
        typer.echo(terminal_safe(f"error: {exc.filename or out}: {exc.strerror or exc}"), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{len(listing)} variant(s) -> {out}")
