"""``summary.json``: the machine-readable result of a run (schema in docs/summary-schema.md).

Deterministic: keys sorted, two-space indent, floats rounded by
:func:`evaluator.results.encode_float`, cases sorted by id, no wall-clock time except what the
caller puts in the manifest (its ``created`` field). Identical runs give byte-identical files
apart from that field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evaluator.aggregate import totals
from evaluator.case import CaseResult
from evaluator.errors import EvaluationError
from evaluator.results import encode_float

SCHEMA = "icv-testzone/summary"
SCHEMA_VERSION = 2
SUMMARY_FILE = "summary.json"


def json_ready(obj: Any, where: str = "summary") -> Any:
    """Copy ``obj`` with floats encoded (:func:`encode_float`) and tuples as lists.

    Raises:
        EvaluationError: a value is not JSON-serialisable (names its path in the document).
    """
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return obj
    if isinstance(obj, float):
        return encode_float(obj)
    if isinstance(obj, dict):
        return {str(k): json_ready(v, f"{where}.{k}") for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v, f"{where}[{i}]") for i, v in enumerate(obj)]
    raise EvaluationError(f"value of type {type(obj).__name__} is not JSON-serialisable",
                          element=where)


def build_summary(results: list[CaseResult], manifest: dict[str, Any],
                  recordings: dict[str, str] | None = None) -> dict[str, Any]:
    """The summary document: schema id and version, manifest, totals and cases (sorted by id).

    ``recordings`` maps case ids to recording paths as they should appear (relative to the
    run folder when inside it).
    """
    cases = []
    for r in sorted(results, key=lambda r: r.case_id):
        d = r.to_dict()
        d["recording"] = (recordings or {}).get(r.case_id)
        cases.append(d)
    doc = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "manifest": manifest,
           "totals": totals(results), "cases": cases}
    return json_ready(doc)


def write_summary(path: Path, doc: dict[str, Any]) -> None:
    """Write ``doc`` as deterministic JSON (sorted keys, indent 2, trailing newline)."""
    text = json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def read_summary(path: str | Path) -> dict[str, Any]:
    """Read and check a summary file (a run folder or the file itself).

    Version 1 files (before the run-level aggregates) are accepted: only ``totals`` differs.

    Raises:
        EvaluationError: missing file, invalid JSON, another schema or a newer version.
    """
    path = Path(path)
    if path.is_dir():
        path = path / SUMMARY_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvaluationError(f"cannot read summary ({exc.strerror})", file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise EvaluationError(f"invalid JSON ({exc.msg})", file=str(path),
                              line=exc.lineno) from None
    if doc.get("schema") != SCHEMA:
        raise EvaluationError(f"expected schema {SCHEMA!r}, got {doc.get('schema')!r}",
                              file=str(path), element="schema")
    version = doc.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise EvaluationError(f"expected schema_version <= {SCHEMA_VERSION}, got {version!r}",
                              file=str(path), element="schema_version")
    return doc


def results_from_summary(doc: dict[str, Any]) -> list[CaseResult]:
    """The :class:`CaseResult` records of a summary document (without time series)."""
    return [CaseResult.from_dict(c) for c in doc.get("cases", [])]
