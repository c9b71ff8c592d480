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
from evaluator.criteria import RULES, STATUSES
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


def summary_text(doc: dict[str, Any]) -> str:
    """``doc`` as deterministic JSON text (sorted keys, indent 2, trailing newline).

    Raises:
        ValueError: ``doc`` holds a non-finite float (:func:`json_ready` encodes them).
    """
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_summary(path: Path, doc: dict[str, Any]) -> None:
    """Write ``doc`` as deterministic JSON (:func:`summary_text`)."""
    path.write_text(summary_text(doc), encoding="utf-8")


MAX_SUMMARY_BYTES = 256 * 2**20
"""Largest summary file read [bytes] (100 000 cases take about 100 MB)."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a summary can hold (expected a finite number)")


def bounded_int(text: str) -> int:
    """``json.loads`` ``parse_int`` hook: the integer, or ValueError past 30 digits (a summary
    holds no larger one; Python's own limit, 4300 digits, is a ValueError too, without the
    file's name)."""
    if len(text.lstrip("-")) > 30:  # seeds are 64-bit (20 digits); floats take 30 digits
        raise ValueError(f"integer of {len(text)} digits: out of range (at most 30)")
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
                         parse_int=bounded_int, parse_float=_finite_float)
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


#: What every reader of a summary relies on: keys of ``totals``.
TOTALS_KEYS = ("cases", "pass", "fail", "error", "score_mean")
#: Keys every case record has (a summary's ``cases[i]`` or a runner's ``result.json``).
CASE_KEYS = ("case_id", "verdict", "score")
#: The strings standing for non-finite floats (:func:`evaluator.results.encode_float`).
NON_FINITE = ("inf", "-inf", "nan")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _show(v: Any) -> str:
    """``v`` as JSON for a message, cut to 60 characters."""
    try:
        text = json.dumps(v, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = type(v).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _float_ok(v: Any) -> bool:
    """A number a float can hold (an integer of 400 digits cannot)."""
    try:
        float(v)
    except OverflowError:
        return False
    return True


MAX_NESTING = 64
"""Deepest nesting of objects and lists inside a record's free-form parts (``parameters``,
``findings``, ``breakdown``) and a manifest (a real one nests 3 deep); much deeper values
could be read but not written back."""


def _utf8_ok(text: str) -> bool:
    """Whether UTF-8 can hold ``text`` (not so with a lone surrogate, which a ``\\ud800``
    escape in JSON gives)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_utf8(text: str, file: str | None, element: str | None) -> EvaluationError:
    bad = next(i for i, ch in enumerate(text) if not _utf8_ok(ch))
    return EvaluationError(f"expected text UTF-8 can hold, got the lone surrogate "
                           f"\\u{ord(text[bad]):04x} at character {bad}", file=file,
                           element=element)


def _check_values(v: Any, file: str | None, where: str) -> None:
    """Check every value inside ``v`` (free-form JSON at ``where`` in ``file``): text UTF-8
    can hold, keys included, and at most :data:`MAX_NESTING` levels of objects and lists.

    Raises:
        EvaluationError: naming the element (``cases[0].parameters.x``) and what was expected.
    """
    def path_of(node: tuple[Any, ...] | None) -> str | None:
        keys = []
        while node is not None:
            keys.append(node[0])
            node = node[1]
        path = where
        for k in reversed(keys):
            path = f"{path}[{k}]" if isinstance(k, int) else (f"{path}.{k}" if path else k)
        return path or None

    # (value, depth, node): node = (key, parent node) names the value's path, built on error
    stack: list[tuple[Any, int, tuple[Any, ...] | None]] = [(v, 0, None)]
    while stack:
        value, depth, node = stack.pop()
        if isinstance(value, str):
            if not _utf8_ok(value):
                raise _not_utf8(value, file, path_of(node))
            continue
        if depth >= MAX_NESTING:
            raise EvaluationError(f"expected values nested at most {MAX_NESTING} deep",
                                  file=file, element=path_of(node))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for k, item in items:
            if isinstance(k, str) and not _utf8_ok(k):
                raise _not_utf8(k, file, path_of((k, node)))
            if isinstance(item, (dict, list, str)):
                stack.append((item, depth + 1, (k, node)))


def check_case_record(d: Any, file: str | None, where: str = "") -> None:
    """Check one case record against docs/summary-schema.md (``cases[]``) before anything is
    built from it: a summary's ``cases[i]`` (``where="cases[i]"``) or a runner's
    ``result.json`` (``where=""``, the record is the whole file). Used by both readers, so
    ``report`` and ``compare`` refuse a hand-edited record before they write anything.

    The shapes (keys not listed, such as the runner's ``wall_time_s`` and ``inputs``, are
    ignored; all but the first three may be absent)::

        case_id        non-empty string
        verdict        "pass" | "fail" | "error"; not "pass" when a criterion failed
        score          finite number, 0 to 100 (not a boolean)
        scenario_file, end_reason, error, error_kind, traceback      string
        family         string or null          seed        integer
        limitations    list of strings
        parameters     object                  recording   string or null
        criteria       list of {"id": string, "metric": string, "rule": "<"|"<="|">"|">="|"==",
                                "threshold": finite number, "inf" or "-inf",
                                "unit": string, "clause": string (both optional),
                                "measured": number, "inf", "-inf", "nan" or null,
                                "status": "pass"|"fail"|"not_applicable"|"not_evaluated"}
        metrics        {name: {"unit": string, "value": number, "inf", "-inf", "nan" or null}}
        skipped        {metric: string}
        findings       {metric: list of objects}
        breakdown      object; "gates" (when present) {id: number}, "components" {name:
                       number, "inf", "-inf", "nan" or null}

    A number read from a ``result.json`` written with ``NaN`` literals may be a non-finite
    float where the schema allows its string form; ``score`` and ``threshold`` must be finite.
    So that what is accepted can be written back, all text (keys included) must be text
    UTF-8 can hold, and ``parameters``, ``findings`` and ``breakdown`` nest at most
    :data:`MAX_NESTING` deep (:func:`_check_values`).

    Raises:
        EvaluationError: the first element that does not fit, naming ``file``, the element's
            path in it (``cases[2].criteria[0].id``, ``criteria[0].id``) and what was expected,
            e.g. ``<criteria[0].id>: expected a string, got 5``.
    """
    def at(path: str) -> str:
        return f"{where}.{path}" if where else path

    def bad(path: str, expected: str, got: Any) -> EvaluationError:
        return EvaluationError(f"expected {expected}, got {_show(got)}", file=file,
                               element=at(path) if path else (where or None))

    def text(v: Any, path: str, *, null: bool = False, nonempty: bool = False) -> None:
        if isinstance(v, str):
            if nonempty and not v:
                raise bad(path, "a non-empty string", v)
            if not _utf8_ok(v):
                raise _not_utf8(v, file, at(path))
        elif not (null and v is None):
            raise bad(path, "a non-empty string" if nonempty else
                      "a string or null" if null else "a string", v)

    def key(k: str, path: str) -> None:
        if not _utf8_ok(k):
            raise _not_utf8(k, file, at(path))

    def encoded(v: Any, path: str) -> None:  # float | "inf" | "-inf" | "nan" | null
        if isinstance(v, str):
            ok = v in NON_FINITE
        else:
            ok = v is None or (_is_number(v) and _float_ok(v))
        if not ok:
            raise bad(path, 'a number, "inf", "-inf", "nan" or null', v)

    def obj_of(v: Any, path: str, what: str) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise bad(path, what, v)
        return v

    if not isinstance(d, dict):
        raise bad("", "a case object", d)
    text(d.get("case_id"), "case_id", nonempty=True)
    if d.get("verdict") not in VERDICTS:
        raise bad("verdict", "one of " + ", ".join(f'"{v}"' for v in VERDICTS), d.get("verdict"))
    score = d.get("score")
    if not (_is_number(score) and _float_ok(score) and math.isfinite(score)
            and 0 <= score <= 100):
        raise bad("score", "a finite number from 0 to 100", score)
    for name in ("scenario_file", "end_reason", "error", "error_kind", "traceback"):
        if name in d:
            text(d[name], name)
    for name in ("family", "recording"):
        if name in d:
            text(d[name], name, null=True)
    if "limitations" in d:
        if not isinstance(d["limitations"], list):
            raise bad("limitations", "a list of strings", d["limitations"])
        for i, item in enumerate(d["limitations"]):
            text(item, f"limitations[{i}]")
    if "seed" in d and not (isinstance(d["seed"], int) and not isinstance(d["seed"], bool)):
        raise bad("seed", "an integer", d["seed"])
    if "parameters" in d:
        _check_values(obj_of(d["parameters"], "parameters", "an object {name: value}"), file,
                      at("parameters"))
    if "criteria" in d:
        if not isinstance(d["criteria"], list):
            raise bad("criteria", "a list of criterion objects", d["criteria"])
        for i, c in enumerate(d["criteria"]):
            p = f"criteria[{i}]"
            obj_of(c, p, "a criterion object")
            text(c.get("id"), f"{p}.id")
            text(c.get("metric"), f"{p}.metric")
            if c.get("rule") not in RULES:
                raise bad(f"{p}.rule", "one of " + ", ".join(RULES), c.get("rule"))
            th = c.get("threshold")
            if not (th in ("inf", "-inf") if isinstance(th, str)
                    else _is_number(th) and _float_ok(th) and not math.isnan(th)):
                raise bad(f"{p}.threshold", 'a number, "inf" or "-inf"', th)
            for name in ("unit", "clause"):
                if name in c:
                    text(c[name], f"{p}.{name}")
            if "measured" not in c:
                raise bad(f"{p}.measured", 'a number, "inf", "-inf", "nan" or null', None)
            encoded(c["measured"], f"{p}.measured")
            if c.get("status") not in STATUSES:
                raise bad(f"{p}.status", "one of " + ", ".join(f'"{s}"' for s in STATUSES),
                          c.get("status"))
        failed = [c.get("id") for c in d["criteria"] if c.get("status") == "fail"]
        if d["verdict"] == "pass" and failed:  # a hand-edited verdict: the report would say
            raise bad("verdict", f'"fail": criteria {", ".join(map(str, failed))} failed',
                      "pass")  # passed
    if "metrics" in d:
        for name, st in obj_of(d["metrics"], "metrics", "an object {statistic: "
                               '{"unit", "value"}}').items():
            p = f"metrics.{name}"
            key(name, p)
            obj_of(st, p, 'an object {"unit", "value"}')
            text(st.get("unit"), f"{p}.unit")
            if "value" not in st:
                raise bad(f"{p}.value", 'a number, "inf", "-inf", "nan" or null', None)
            encoded(st["value"], f"{p}.value")
    if "skipped" in d:
        for name, why in obj_of(d["skipped"], "skipped", "an object {metric: reason}").items():
            key(name, f"skipped.{name}")
            text(why, f"skipped.{name}")
    if "findings" in d:
        for name, found in obj_of(d["findings"], "findings",
                                  "an object {metric: list of findings}").items():
            if not isinstance(found, list):
                raise bad(f"findings.{name}", "a list of finding objects", found)
            for i, f in enumerate(found):
                obj_of(f, f"findings.{name}[{i}]", "a finding object")
        _check_values(d["findings"], file, at("findings"))
    if "breakdown" in d:
        bd = obj_of(d["breakdown"], "breakdown", 'an object {"gates", "components"}')
        for gate, v in obj_of(bd.get("gates", {}), "breakdown.gates",
                              "an object {gate: 0 or 1}").items():
            if not (_is_number(v) and _float_ok(v)):
                raise bad(f"breakdown.gates.{gate}", "a number", v)
        for name, v in obj_of(bd.get("components", {}), "breakdown.components",
                              "an object {component: number or null}").items():
            encoded(v, f"breakdown.components.{name}")
        _check_values(bd, file, at("breakdown"))


def check_manifest(manifest: Any, file: str | None, where: str = "") -> None:
    """Check the parts of a run manifest the report reads: an object whose ``cases``, when
    present, is a list of objects with a non-empty string ``case_id`` (the cases planned;
    the page names those without a result), and whose values can be written back
    (:func:`_check_values`). ``where`` is the manifest's path in ``file`` (``"manifest"``
    in a summary, ``""`` for ``manifest.json``).

    Raises:
        EvaluationError: naming ``file`` and the element (``manifest.cases[1].case_id``).
    """
    def at(path: str) -> str | None:
        return ".".join(p for p in (where, path) if p) or None

    if not isinstance(manifest, dict):
        raise EvaluationError(f"expected an object, got {_show(manifest)}", file=file,
                              element=at(""))
    _check_values(manifest, file, where)
    if "cases" not in manifest:
        return
    planned = manifest["cases"]
    if not isinstance(planned, list):
        raise EvaluationError(f"expected a list of case objects, got {_show(planned)}",
                              file=file, element=at("cases"))
    for i, c in enumerate(planned):
        if not isinstance(c, dict):
            raise EvaluationError(f"expected a case object, got {_show(c)}", file=file,
                                  element=at(f"cases[{i}]"))
        if not isinstance(c.get("case_id"), str) or not c["case_id"]:
            raise EvaluationError(f"expected a non-empty string, got {_show(c.get('case_id'))}",
                                  file=file, element=at(f"cases[{i}].case_id"))


def _check_shape(doc: dict[str, Any], file: str) -> None:
    """Check the parts of a summary that ``report`` and ``compare`` read: the manifest
    (:func:`check_manifest`), the ``totals`` keys of :data:`TOTALS_KEYS` (numbers) and every
    case record (:func:`check_case_record`), each with its own ``case_id``.

    Raises:
        EvaluationError: naming the element (``cases[2].verdict``) and what was expected.
    """
    check_manifest(doc.get("manifest", {}), file, "manifest")
    totals_ = doc.get("totals")
    if not isinstance(totals_, dict):
        raise EvaluationError(f"expected an object, got {_show(totals_)}", file=file,
                              element="totals")
    for k in TOTALS_KEYS:
        if not _is_number(totals_.get(k)):
            raise EvaluationError(f"expected a number, got {_show(totals_.get(k))}", file=file,
                                  element=f"totals.{k}")
    cases = doc.get("cases")
    if not isinstance(cases, list):
        raise EvaluationError(f"expected a list of case objects, got {_show(cases)}",
                              file=file, element="cases")
    seen: dict[str, int] = {}
    for i, c in enumerate(cases):
        check_case_record(c, file, f"cases[{i}]")
        if c["case_id"] in seen:   # one record per case: the runner names them so
            raise EvaluationError(f"case_id {c['case_id']!r} repeats the one of "
                                  f"cases[{seen[c['case_id']]}]: expected one record per case "
                                  f"(a report or comparison would show one case twice and "
                                  f"lose another)", file=file, element=f"cases[{i}].case_id")
        seen[c["case_id"]] = i


def results_from_summary(doc: dict[str, Any], file: str | None = None) -> list[CaseResult]:
    """The :class:`CaseResult` records of a summary document (without time series).

    Raises:
        EvaluationError: a case is malformed (names ``file`` and the element in it).
    """
    return [case_from_dict(c, file, f"cases[{i}]") for i, c in enumerate(doc.get("cases", []))]


def case_from_dict(d: Any, file: str | None, where: str = "") -> CaseResult:
    """:meth:`CaseResult.from_dict` for a dict read from a file (``summary.json`` or a
    ``result.json``), checked first by :func:`check_case_record`; ``where`` is the record's
    path in the file (``cases[3]``, or ``""`` for a whole ``result.json``).

    Raises:
        EvaluationError: naming ``file``, the element and what is wrong.
    """
    check_case_record(d, file, where)
    try:
        return CaseResult.from_dict(d)
    except EvaluationError as exc:
        raise EvaluationError(exc.message, file=file, element=where or None) from None
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise EvaluationError(f"malformed case result ({type(exc).__name__}: {exc})",
                              file=file, element=where or None) from None
