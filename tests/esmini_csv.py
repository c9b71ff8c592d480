"""Reader for esmini's ``--csv_logger`` output (format: shared/reference/esmini/README.md).

Shared by the test suites of every package::

    times, entities = read_esmini_csv(path)
    entities["Ego"]["World_Position_X"]      # numpy array, one value per row
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from reference_data import ESMINI

REFERENCE = ESMINI
"""Root of the esmini reference data."""

_BLOCK = 31
"""Columns per entity block (esmini v3.6 ``ScenarioPlayer::UpdateCSV_Log``)."""
_TEXT_COLUMNS = {"Entity_Name", "collision_ids"}


def _clean(name: str) -> str:
    """``'#2 World_Position_X [m]'`` -> ``'World_Position_X'``; ``'lane_offset[m]'`` too."""
    name = re.sub(r"^#\d+\s*", "", name.strip())
    return re.sub(r"\s*\[[^\]]*\]$", "", name).strip()


def read_esmini_csv(path: str | Path) -> tuple[np.ndarray, dict[str, dict[str, np.ndarray]]]:
    """Read an esmini CSV log.

    Returns:
        ``(times, entities)``: ``times`` [s] shape (N,); ``entities`` maps each entity name (in
        column order) to its columns keyed by cleaned name (``#N`` prefix and ``[unit]``
        stripped). Numeric columns are float arrays (shape (N,)); ``Entity_Name`` and
        ``collision_ids`` are arrays of str. ``Entity_ID`` and ``lane_id`` are ints.

    Raises:
        ValueError: when the header line or a row does not have the expected layout.
    """
    lines = Path(path).read_text().splitlines()
    hdr_idx = next((i for i, ln in enumerate(lines) if ln.startswith("Index")), None)
    if hdr_idx is None:
        raise ValueError(f"{path}: no column header line starting with 'Index'")
    header = [_clean(c) for c in lines[hdr_idx].split(",")]
    if header and header[-1] == "":
        header = header[:-1]
    rows = []
    for ln in lines[hdr_idx + 1:]:
        if not ln.strip():
            continue
        cells = [c.strip() for c in ln.split(",")]
        if cells and cells[-1] == "":
            cells = cells[:-1]
        if len(cells) != len(header):
            raise ValueError(f"{path}: row {cells[0]} has {len(cells)} fields, header "
                             f"{len(header)}")
        rows.append(cells)
    cols = list(zip(*rows)) if rows else [()] * len(header)
    times = np.array(cols[1], dtype=float)
    n_ent = (len(header) - 2) // _BLOCK
    entities: dict[str, dict[str, np.ndarray]] = {}
    for e in range(n_ent):
        block: dict[str, np.ndarray] = {}
        for k in range(2 + e * _BLOCK, 2 + (e + 1) * _BLOCK):
            name = header[k]
            if name in _TEXT_COLUMNS:
                block[name] = np.array(cols[k], dtype=str)
            elif name in ("Entity_ID", "lane_id"):
                block[name] = np.array(cols[k], dtype=float).astype(int)
            else:
                block[name] = np.array(cols[k], dtype=float)
        entities[str(block["Entity_Name"][0])] = block
    return times, entities


def scenario_road(csv_path: str | Path) -> Path | None:
    """The .xodr of the scenario that produced ``csv_path`` (its RoadNetwork/LogicFile)."""
    from lxml import etree

    first = Path(csv_path).read_text().splitlines()[:7]
    name = next((ln.split(":", 1)[1].strip() for ln in first
                 if ln.startswith("Scenario File Name")), None)
    if name is None:
        return None
    xosc = REFERENCE / name
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    logic = etree.parse(str(xosc), parser).find(".//RoadNetwork/LogicFile")
    if logic is None:
        return None
    return (xosc.parent / logic.get("filepath")).resolve()
