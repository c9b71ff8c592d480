"""Shared fixtures of the v2x_bridge tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reference_data import V2X as REF_DIR


def reference_frame(name: str) -> tuple[bytes, object]:
    """(UPER bytes, decoded JSON) of a reference RSU frame (spat, rsm, rsi, map)."""
    data = bytes.fromhex((REF_DIR / f"{name}_rsu_frame.uper.hex").read_text().strip())
    value = json.loads((REF_DIR / f"{name}_rsu_frame.decoded.json").read_text())
    return data, value


@pytest.fixture
def ref_frame():
    return reference_frame
