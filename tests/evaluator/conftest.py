"""Path set-up for the evaluator tests.

The editable install finds the project packages through a meta-path finder that runs after
the ordinary path finder, so when pytest has put ``tests/`` on ``sys.path`` (for a test module
at its top level) the folder ``tests/evaluator`` would shadow the ``evaluator`` package as a
namespace package. Putting the project root first makes ``import evaluator`` find the real one.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))
