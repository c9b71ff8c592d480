"""``summary.json``: the machine-readable result of a run (schema in docs/summary-schema.md).

Deterministic: keys sorted, two-space indent, floats rounded by
:func:`evaluator.results.encode_float`, cases sorted by id, no wall-clock time except what the
caller puts in the manifest (its ``created`` field). Identical runs give byte-identical files
apart from that field.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from evaluator.aggregate import totals
from evaluator.case import VERDICTS, CaseResult
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


MAX_SUMMARY_BYTES = 256 * 2**20
"""Largest summary file read [bytes] (100 000 cases take about 100 MB)."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a summary can hold (expected a finite number)")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 30:  # seeds are 64-bit (20 digits); floats take 30 digits
        raise ValueError(f"integer of {len(text)} digits: out of range for a summary")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is out of range for a summary (expected a finite number)")
    return value


def read_summary(path: str | Path) -> dict[str, Any]:
    """Read and check a summary file (a run folder or the file itself).

    Version 1 files (before the run-level aggregates) are accepted: only ``totals`` differs.

    Raises:
        EvaluationError: missing file or not a regular one (a FIFO), over
            :data:`MAX_SUMMARY_BYTES`, invalid JSON (NaN, a number out of double range, nesting
            past the parser's limit included), another schema or a newer version.
    """
    path = Path(path)
    if path.is_dir():
        path = path / SUMMARY_FILE
    if path.exists() and not path.is_file():  # a FIFO would block, /dev/zero never end
        raise EvaluationError("not a regular file", file=str(path))
    if path.is_file() and path.stat().st_size > MAX_SUMMARY_BYTES:
        raise EvaluationError(f"larger than {MAX_SUMMARY_BYTES // 2**20} MiB: not a summary",
                              file=str(path))
    try:
        doc = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant,
                         parse_int=_bounded_int, parse_float=_finite_float)
    except OSError as exc:
        raise EvaluationError(f"cannot read summary ({exc.strerror})", file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise EvaluationError(f"invalid JSON ({exc.msg})", file=str(path),
                              line=exc.lineno) from None
    except UnicodeDecodeError as exc:
        raise EvaluationError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from None
    except ValueError as exc:  # a number out of range (the parse hooks below)
        raise EvaluationError(str(exc), file=str(path)) from None
    except RecursionError:
        raise EvaluationError("JSON nested too deeply to be a summary", file=str(path)) from None
    if not isinstance(doc, dict):
        raise EvaluationError(f"expected a JSON object, got a JSON {type(doc).__name__}",
                              file=str(path))
    if doc.get("schema") != SCHEMA:
        raise EvaluationError(f"expected schema {SCHEMA!r}, got {doc.get('schema')!r}",
                              file=str(path), element="schema")
    version = doc.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise EvaluationError(f"expected schema_version <= {SCHEMA_VERSION}, got {version!r}",
                              file=str(path), element="schema_version")
    _check_shape(doc, str(path))
    return doc


#: What every reader of a summary relies on: keys of ``totals`` and of each case.
TOTALS_KEYS = ("cases", "pass", "fail", "error", "score_mean")
CASE_KEYS = ("case_id", "verdict", "score")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_shape(doc: dict[str, Any], file: str) -> None:
    """Check the parts of a summary that ``report`` and ``compare`` read.

    Raises:
        EvaluationError: naming the element (``cases[2].verdict``) and what was expected.
    """
    def bad(element: str, expected: str, got: Any) -> EvaluationError:
        return EvaluationError(f"expected {expected}, got {json.dumps(got)[:60]}", file=file,
                               element=element)

    if not isinstance(doc.get("manifest", {}), dict):
        raise bad("manifest", "an object", doc.get("manifest"))
    totals_ = doc.get("totals")
    if not isinstance(totals_, dict):
        raise bad("totals", "an object", totals_)
    for k in TOTALS_KEYS:
        if not _is_number(totals_.get(k)):
            raise bad(f"totals.{k}", "a number", totals_.get(k))
    cases = doc.get("cases")
    if not isinstance(cases, list):
        raise bad("cases", "a list of case objects", cases)
    for i, c in enumerate(cases):
        if not isinstance(c, dict):
            raise bad(f"cases[{i}]", "a case object", c)
        if not isinstance(c.get("case_id"), str) or not c["case_id"]:
            raise bad(f"cases[{i}].case_id", "a non-empty string", c.get("case_id"))
        if c.get("verdict") not in VERDICTS:
            raise bad(f"cases[{i}].verdict", " or ".join(VERDICTS), c.get("verdict"))
        if not _is_number(c.get("score")):
            raise bad(f"cases[{i}].score", "a number", c.get("score"))


def results_from_summary(doc: dict[str, Any], file: str | None = None) -> list[CaseResult]:
    """The :class:`CaseResult` records of a summary document (without time series).

    Raises:
        EvaluationError: a case is malformed (names ``file`` and the case).
    """
    return [case_from_dict(c, file, f"cases[{i}]") for i, c in enumerate(doc.get("cases", []))]


def case_from_dict(d: Any, file: str | None, element: str) -> CaseResult:
    """:meth:`CaseResult.from_dict` for a dict read from a file (``summary.json`` or a
    ``result.json``), any malformed part reported as one error.

    Raises:
        EvaluationError: naming ``file``, ``element`` and what is wrong.
    """
    if not isinstance(d, dict):
        raise EvaluationError(f"expected a case object, got a JSON {type(d).__name__}",
                              file=file, element=element)
    try:
        return CaseResult.from_dict(d)
    except EvaluationError as exc:
        raise EvaluationError(exc.message, file=file, element=element) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EvaluationError(f"malformed case result ({type(exc).__name__}: {exc})",
                              file=file, element=element) from None
