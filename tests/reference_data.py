"""Where the shared reference inputs live: ``shared/reference`` beside the project root.

CI clones the project into another folder with a copy of ``shared/`` beside it, so the path
is derived from this file, never written out; ``TESTZONE_SHARED`` overrides it.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(os.environ.get("TESTZONE_SHARED",
                             Path(__file__).resolve().parents[2] / "shared"))
"""The ``shared/`` folder beside the project root."""

ESMINI = SHARED / "reference" / "esmini"
"""esmini's scenarios, roads, CSV trajectories and logs (see its README.md)."""

V2X = SHARED / "reference" / "v2x"
"""Real RSU frames (see its README.md)."""
