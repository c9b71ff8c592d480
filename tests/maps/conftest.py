"""Path set-up for the maps tests.

``.venv/bin/pytest`` does not put the project root on ``sys.path`` (the editable install uses
a meta-path finder that runs after the ordinary path finder), so a ``tests/maps`` folder
reachable from ``sys.path`` could shadow the ``maps`` package as a namespace package. Putting
the root first makes ``import maps`` always find the real package; ``tests/`` goes last, for
the shared ``esmini_csv`` reader.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "tests") not in sys.path:
    sys.path.append(str(ROOT / "tests"))
