"""The evaluator's exception family (STYLE.md section 5, "Errors")."""

from __future__ import annotations

from testzone.errors import TestzoneError


class EvaluationError(TestzoneError):
    """A recording, a criterion, the weights file or a run folder cannot be evaluated.

    The message names the file (recording, ``weights.json``, ``summary.json``), the element
    (criterion id, metric name, JSON field) and what was expected.
    """
