"""``docs/catalogue.md``: the generated index of the Wuhan catalogue (from catalogue.json data).

Written by :mod:`scenarios.wuhan.generate_catalogue`; never edit the output by hand.
"""

from __future__ import annotations

from scenarios.wuhan.catalogue_model import CSAE, DAY1, GBT, GBT_ITEMS


def _fmt(value: float) -> str:
    return f"{value:g}"


def _params(entry: dict) -> str:
    out = []
    for p in entry["parameters"]:
        if "values" in p:
            rng = ", ".join(_fmt(v) for v in p["values"])
            out.append(f"`{p['name']}` {{{rng}}} {p['unit']}")
        else:
            out.append(f"`{p['name']}` U[{_fmt(p['min'])}, {_fmt(p['max'])}] {p['unit']}")
    return "; ".join(out) or "—"


def _criteria(entry: dict) -> str:
    return "; ".join(f"`{c['metric']}` {c['rule']} {_fmt(c['threshold'])}"
                     for c in entry["criteria"])


def _coverage(entries: list[dict]) -> list[str]:
    lines = ["## Coverage", "", "| requirement | scenarios |", "| --- | --- |"]
    for item in GBT_ITEMS:
        tag = f"{GBT}: {item}"
        ids = [e["id"] for e in entries if tag in e["requirements"]]
        lines.append(f"| {tag} | {', '.join(ids) or '**none**'} |")
    for code in DAY1:
        tag = f"{CSAE}: {code}"
        ids = [e["id"] for e in entries if tag in e["requirements"]]
        lines.append(f"| {tag} | {', '.join(ids) or '**none**'} |")
    return lines


def render(catalogue: dict, suites: dict[str, list[str]]) -> str:
    """The Markdown index: summary, suites, coverage, then one section per scenario."""
    entries = catalogue["cases"]
    total = sum(e["concrete_cases"] for e in entries)
    lines = ["# Wuhan test-case catalogue (generated)", "",
             "Written by `scenarios/wuhan/generate_catalogue.py` from the same data as "
             "`scenarios/wuhan/catalogue.json`; do not edit. "
             f"{len(entries)} logical scenarios, {total} concrete cases.", "",
             "## Suites", "", "| suite | entries |", "| --- | --- |"]
    lines += [f"| `{name}` | {len(files)} |" for name, files in suites.items()]
    lines += [""] + _coverage(entries) + ["", "## Scenarios", ""]
    for e in entries:
        lines += [f"### {e['id']} — {e['title']}", "",
                  f"* files: `{e['file']}`, `{e['distribution']}` "
                  f"({e['concrete_cases']} concrete cases); map `{e['map']}`; "
                  f"family `{e['family']}`",
                  f"* requirements: {'; '.join(e['requirements'])}",
                  f"* V2X messages: {', '.join(e['v2x_messages']) or '—'}",
                  f"* parameters: {_params(e)}",
                  f"* criteria: {_criteria(e)}"]
        if e["limitations"]:
            lines.append(f"* limitations: {' / '.join(e['limitations'])}")
        lines.append("")
    return "\n".join(lines)
