"""Fixtures for the Wuhan section-1 data tests (helpers in wuhan_helpers.py)."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from wuhan_helpers import CASES_DIR, MAP_DIR, XODR, safe_parse


@pytest.fixture(scope="session")
def xodr() -> etree._Element:
    return safe_parse(XODR).getroot()


@pytest.fixture(scope="session")
def plan() -> dict:
    return json.loads((MAP_DIR / "wuhan_section1.signals.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def rsu() -> dict:
    return json.loads((MAP_DIR / "wuhan_section1.rsu.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def catalogue() -> dict:
    return json.loads((CASES_DIR / "catalogue.json").read_text(encoding="utf-8"))
