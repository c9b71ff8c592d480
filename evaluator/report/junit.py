"""``junit.xml``: one testsuite per scenario file, one testcase per criterion.

Follows the de-facto JUnit XML format read by CI systems (Jenkins/GitLab ``testsuites`` >
``testsuite`` > ``testcase`` with ``failure``, ``error`` and ``skipped`` children). A case whose
run or evaluation broke is one testcase ``run`` carrying ``<error>``; a criterion that could
not be applied (or names a statistic the evaluator does not compute) is ``<skipped>``.
Each testsuite's ``properties`` give, per case, its verdict, score and seed
(``<case_id>.verdict``, ...) and, when a stack ran, what it said of itself (``<case_id>.agent``:
its handshake's name and version); a passed criterion's testcase carries what was measured in its
``system-out``, as a failed one does in its failure. No timestamps nor wall times (no ``time``
attribute): identical runs give identical files. Every name and message passes through
:func:`testzone.text.xml_safe`: a control character in a file name or an agent's error is
written escaped, not a reason to lose the file.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from lxml import etree

from testzone.text import xml_safe

from evaluator.case import CaseResult, agent_label
from evaluator.criteria import CriterionOutcome


def _sub(parent: etree._Element, tag: str, text: str | None = None,
         **attrs: str) -> etree._Element:
    """``etree.SubElement`` with the text and attribute values made XML-safe."""
    el = etree.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_safe(text)
    return el


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.6g}"


def _criterion_case(suite: etree._Element, res: CaseResult, o: CriterionOutcome) -> tuple[int, int]:
    c = o.criterion
    tc = _sub(suite, "testcase", classname=res.case_id, name=c.id)
    text = (f"{c.metric} measured {_fmt(o.measured)} {c.unit}, required {c.rule} "
            f"{_fmt(c.threshold)} {c.unit} ({c.clause})")
    if o.status == "fail":
        _sub(tc, "failure", text, message=text, type="criterion")
        return 1, 0
    if o.status == "not_evaluated":
        _sub(tc, "skipped", message=f"{c.metric} is not computed by the evaluator "
                                    "(criterion not evaluated)")
        return 0, 1
    if o.status == "not_applicable":
        _sub(tc, "skipped", message=f"{c.metric} not applicable: "
                                    f"{'; '.join(sorted(res.skipped.values())) or 'no value'}")
        return 0, 1
    _sub(tc, "system-out", text)
    return 0, 0


def build_junit(results: list[CaseResult]) -> etree._Element:
    """The ``<testsuites>`` tree for ``results``."""
    root = etree.Element("testsuites", name="icv-testzone")
    by_file: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        by_file[r.scenario_file or "(unknown scenario)"].append(r)
    all_tests = all_fail = all_err = all_skip = 0
    for scen in sorted(by_file):
        suite = _sub(root, "testsuite", name=scen)
        props = _sub(suite, "properties")
        for res in sorted(by_file[scen], key=lambda r: r.case_id):
            said = agent_label(res.agent)
            for key, value in (("verdict", res.verdict), ("score", f"{res.score:.6g}"),
                               ("seed", str(res.seed))) + ((("agent", said),) if said else ()):
                _sub(props, "property", name=f"{res.case_id}.{key}", value=value)
        tests = failures = errors = skipped = 0
        for res in sorted(by_file[scen], key=lambda r: r.case_id):
            if res.verdict == "error":
                tc = _sub(suite, "testcase", classname=res.case_id, name="run")
                _sub(tc, "error", res.error + ("\n\n" + res.traceback if res.traceback else ""),
                     message=res.error.splitlines()[0] if res.error else "error",
                     type=res.error_kind or res.end_reason or "error")
                tests, errors = tests + 1, errors + 1
                continue
            for o in res.criteria:
                f, s = _criterion_case(suite, res, o)
                tests, failures, skipped = tests + 1, failures + f, skipped + s
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("skipped", str(skipped))
        all_tests, all_fail, all_err = all_tests + tests, all_fail + failures, all_err + errors
        all_skip += skipped
    root.set("tests", str(all_tests))
    root.set("failures", str(all_fail))
    root.set("errors", str(all_err))
    root.set("skipped", str(all_skip))
    return root


def junit_bytes(results: list[CaseResult]) -> bytes:
    """The ``junit.xml`` file's bytes (UTF-8, XML declaration, pretty-printed)."""
    return etree.tostring(etree.ElementTree(build_junit(results)), xml_declaration=True,
                          encoding="UTF-8", pretty_print=True)


def write_junit(path: Path, results: list[CaseResult]) -> None:
    """Write ``junit.xml`` (:func:`junit_bytes`)."""
    Path(path).write_bytes(junit_bytes(results))
