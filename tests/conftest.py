"""Path set-up for every test folder.

The project root goes first on ``sys.path`` so ``import maps`` (etc.) finds the real package
and never a ``tests/<package>`` folder; ``tests/`` goes last, for the shared helpers
(``reference_data``, ``esmini_csv``).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "tests") not in sys.path:
    sys.path.append(str(ROOT / "tests"))
