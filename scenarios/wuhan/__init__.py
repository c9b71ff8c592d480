"""Test cases on the Wuhan smart road (OpenSCENARIO 1.1), their catalogue and suites.

``catalogue.json`` lists each logical scenario (``.xosc`` + ``.dist.xosc``) with its
requirements, parameters, criteria and limitations; ``suites.json`` names suites (``smoke``,
``gbt41798``, ``v2x-day1``, ``full``). The section-1 cases are written by
:mod:`scenarios.wuhan.generate_section1_cases`; everything else, catalogue and suites included,
by :mod:`scenarios.wuhan.generate_catalogue`. See ``docs/wuhan.md`` and ``docs/catalogue.md``.
"""

from __future__ import annotations

from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent
"""Folder holding the committed Wuhan .xosc files, catalogue.json and suites.json."""
