"""Test cases on the Wuhan smart road (OpenSCENARIO 1.1), their catalogue and suites.

``catalogue.json`` lists each case with its requirements, parameter ranges and criteria;
``suites.json`` names suites of cases (``smoke``). All are written by
:mod:`scenarios.wuhan.generate_section1_cases`; see ``docs/wuhan.md``.
"""

from __future__ import annotations

from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent
"""Folder holding the committed Wuhan .xosc files, catalogue.json and suites.json."""
