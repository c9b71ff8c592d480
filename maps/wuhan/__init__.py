"""The Wuhan ICV test-zone smart road, as data.

``wuhan_section1.xodr`` (OpenDRIVE 1.7), ``wuhan_section1.signals.json`` (fixed-time signal plan)
and ``wuhan_section1.rsu.json`` (roadside-unit layout) are written by
:mod:`maps.wuhan.generate_section1`; the whole network, ``wuhan_testzone.xodr`` with
``wuhan_testzone.signals.json`` and ``wuhan_testzone.rsu.json``, by
:mod:`maps.wuhan.generate_network`. The layouts are *modelled*, not surveyed: see
``docs/wuhan.md``.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
"""Folder holding the committed Wuhan map files."""

SECTION1_XODR = DATA_DIR / "wuhan_section1.xodr"
"""Path of the section-1 OpenDRIVE file."""

SECTION1_SIGNALS = DATA_DIR / "wuhan_section1.signals.json"
"""Path of the section-1 signal plan (JSON)."""

SECTION1_RSU = DATA_DIR / "wuhan_section1.rsu.json"
"""Path of the section-1 RSU layout (JSON)."""

TESTZONE_XODR = DATA_DIR / "wuhan_testzone.xodr"
"""Path of the whole modelled test-zone network (OpenDRIVE 1.7, ~106 km)."""

TESTZONE_SIGNALS = DATA_DIR / "wuhan_testzone.signals.json"
"""Path of the test zone's signal plans (JSON, one record per signalised junction)."""

TESTZONE_RSU = DATA_DIR / "wuhan_testzone.rsu.json"
"""Path of the test zone's RSU layout (JSON)."""
