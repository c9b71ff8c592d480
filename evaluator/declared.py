"""Criteria a test case declares inside its .xosc, as OpenSCENARIO ``Property`` entries.

ASAM OpenSCENARIO 1.x lets any entity carry ``<Properties><Property name=".." value=".."/>``
(free name/value pairs, the place the standard leaves for user data). A criterion is a property
of the vehicle under test (the ego's ScenarioObject, or its Vehicle in a catalog) named
``criterion:<id>``::

    <Property name="criterion:ttc_min" value="ttc_min_s >= 1.5 s ; GB/T 41798-2022 6.4"/>
    <Property name="criterion:no_wrong_way" value="off"/>

Grammar of the value (whitespace around tokens is free)::

    value     := "off" | statistic rule threshold [unit] ";" clause
    statistic := [a-z_][a-z0-9_]*           a statistic name (docs/evaluator.md)
    rule      := "<=" | ">=" | "==" | "<" | ">"
    threshold := a decimal number, optional exponent (1.5, -2, 3e-1); SI, in the statistic's unit
    unit      := one token without spaces or ";" (s, m, m/s, m/s^2, count, bool, ratio): the
                 statistic's own unit (:func:`evaluator.metrics.statistic_units`), or none
    clause    := the source of the requirement, non-empty (standard and clause, or rationale)

``off`` disables the criterion of that id (a default, or one from the case catalogue).
``<id>`` is ``[A-Za-z_][A-Za-z0-9_.-]*``. Property names not starting with ``criterion:`` are
not ours and are ignored. Anything else is an error naming the file, the entity and the
property: a criterion that cannot be read must not silently drop out of a verdict.

OpenSCENARIO 1.3 monitors (``MonitorDeclarations``) are criteria the scenario declares too:
:func:`criteria_from_monitors` gives one ``monitor:<name>`` criterion per monitor, judged on
the ``monitor_<name>`` statistic of :mod:`evaluator.metrics.monitors` (true at the end).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Mapping

from evaluator.errors import EvaluationError
from evaluator.metrics.monitors import CRITERION_PREFIX, statistic_name
from testzone.commands import register_property_check

#: Property-name prefix that marks a criterion.
PREFIX = "criterion:"
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_VALUE = re.compile(
    r"\s*(?P<stat>[a-z_][a-z0-9_]*)\s*(?P<rule><=|>=|==|<|>)\s*"
    r"(?P<th>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<unit>[^\s;]+)?\s*"
    r";\s*(?P<clause>\S.*?)\s*\Z", re.S)


def parse_criterion_property(name: str, value: str, *, file: str | None = None,
                             entity: str = "") -> dict[str, Any]:
    """One ``criterion:<id>`` property as a criterion dict (``evaluator.criteria`` form:
    ``{id, metric, rule, threshold, unit, clause}``, or ``{id, enabled: False}`` for ``off``).

    Raises:
        EvaluationError: the id or the value does not follow the grammar (module docstring),
            names a statistic no metric computes (never judged, and under a default's id it
            would switch that default off: author pass 14), or gives a unit other than its
            statistic's (``1500 ms`` for a time in s would be compared as 1500 s); names
            ``file`` and the element
            ``<entity>/Property[@name='..']``.
    """
    where = f"{entity}/Property[@name='{name}']" if entity else f"Property[@name='{name}']"
    cid = name[len(PREFIX):] if name.startswith(PREFIX) else ""
    if not _ID.match(cid):
        raise EvaluationError(f"criterion id must match [A-Za-z_][A-Za-z0-9_.-]* after "
                              f"'{PREFIX}', got {cid!r}", file=file, element=where)
    if value.strip().lower() == "off":
        return {"id": cid, "enabled": False}
    m = _VALUE.match(value)
    if m is None:
        raise EvaluationError(
            f"expected 'statistic rule threshold [unit] ; clause' (e.g. 'ttc_min_s >= 1.5 s ; "
            f"GB/T 41798-2022 6.4') or 'off', got {value!r}", file=file, element=where)
    threshold = float(m["th"])
    if not math.isfinite(threshold):   # 1e999, or 5000 digits: float() gives inf
        raise EvaluationError(f"threshold {m['th'][:40]} is not a finite number",
                              file=file, element=where)
    unit = m["unit"] or ""
    expected = _statistic_unit(m["stat"])
    if expected is None and not m["stat"].startswith("monitor_"):
        # never judged: with a default's id it would silently switch that default off
        raise EvaluationError(f"statistic '{m['stat']}' is one no metric computes (closest: "
                              f"{', '.join(_closest(m['stat']))}; all are listed in "
                              f"docs/evaluator.md)", file=file, element=where)
    if unit and expected is not None and unit != expected:
        raise EvaluationError(f"unit '{unit}' is not the unit of {m['stat']} ('{expected}'): "
                              f"write the threshold in {expected} (statistics are SI, "
                              f"docs/evaluator.md)", file=file, element=where)
    return {"id": cid, "metric": m["stat"], "rule": m["rule"], "threshold": threshold,
            "unit": unit, "clause": m["clause"]}


def _closest(stat: str) -> list[str]:
    """The three statistic names nearest ``stat`` in spelling."""
    from evaluator.metrics import statistic_units
    return difflib.get_close_matches(stat, sorted(statistic_units()), n=3, cutoff=0.0)


def _statistic_unit(stat: str) -> str | None:
    """The unit of statistic ``stat`` (aliases resolved), None for one no metric computes."""
    from evaluator.criteria import ALIASES
    from evaluator.metrics import statistic_units
    return statistic_units().get(ALIASES.get(stat, stat))


def criteria_from_properties(properties: Mapping[str, Any], *, file: str | None = None,
                             entity: str = "") -> list[dict[str, Any]]:
    """Every ``criterion:*`` property of an entity, in name order, as criterion dicts.

    Raises:
        EvaluationError: a malformed criterion property (see :func:`parse_criterion_property`).
    """
    return [parse_criterion_property(str(k), str(v), file=file, entity=entity)
            for k, v in sorted(properties.items()) if str(k).startswith(PREFIX)]


def criteria_from_monitors(monitors: Iterable[str], *, file: str | None = None
                           ) -> list[dict[str, Any]]:
    """One criterion per OpenSCENARIO 1.3 monitor, in declaration order: ``{"id":
    "monitor:<name>", "metric": "monitor_<name>", "rule": "==", "threshold": 1.0, "unit":
    "bool", "clause": "OpenSCENARIO 1.3 MonitorDeclaration '<name>' (<file name>): ..."}``.

    A monitor states that the scenario's own criterion holds: it must be true at the end of
    the run (docs/evaluator.md, "Monitors"). ``monitors`` are the names (e.g.
    ``scenarios.model.Scenario.monitors``), ``file`` the scenario file named in the clause.
    Never raises (names are already unique and non-empty: the loader refuses others).
    """
    where = f" ({Path(file).name})" if file else ""
    return [{"id": f"{CRITERION_PREFIX}{name}", "metric": statistic_name(name), "rule": "==",
             "threshold": 1.0, "unit": "bool",
             "clause": f"OpenSCENARIO 1.3 MonitorDeclaration '{name}'{where}: the scenario's "
                       f"own criterion, true at the end of the run"}
            for name in monitors]


def check_criterion_property(name: str, value: str) -> str | None:
    """``testzone scenario check``'s look at one ``criterion:<id>`` property: None when the
    run judges it (there is nothing to warn of: what the run would refuse raises).

    Raises:
        EvaluationError: the run would refuse it (see :func:`parse_criterion_property`: the
            grammar, a unit other than the statistic's, a statistic no metric computes).
    """
    parse_criterion_property(name, value)
    return None


register_property_check(PREFIX, check_criterion_property)
