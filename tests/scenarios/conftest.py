"""Path set-up for the scenarios tests (same reason as tests/maps/conftest.py): the project root
first so ``import maps`` / ``import scenarios`` find the packages, not the test folders;
``tests/`` last for the shared ``esmini_csv`` reader."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "tests") not in sys.path:
    sys.path.append(str(ROOT / "tests"))
