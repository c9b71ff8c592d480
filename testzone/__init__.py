"""icv-testzone kernel: the vocabulary every package shares.

This package is the bottom layer of the project: the error base class, the world-state records
(`testzone.world`) and the recording format (`testzone.recording`). It imports none of the
domain packages (`maps`, `scenarios`, `runners`, `v2x_bridge`, `evaluator`); they all may import it.
"""

__version__ = "0.1.0"
