"""ParameterValueDistribution files (ASAM OpenSCENARIO 1.2, clause "Parameter variation"):
one logical scenario -> the concrete parameter sets to run it with.

``expand_distribution(path)`` returns one :class:`Variant` per concrete test case:

* ``Deterministic``: the cartesian product of its distributions, in document order (the
  first varies slowest). ``ValueSetDistribution`` contributes one alternative per
  ParameterValueSet; ``DistributionSet`` one per Element; ``DistributionRange`` the values
  ``lower, lower + step, ...`` up to ``upper`` (inclusive within 1e-9).
* ``Stochastic``: ``numberOfTestRuns`` draws, each parameter from its distribution with a
  generator seeded by ``randomSeed`` (or the ``seed`` argument): ProbabilityDistributionSet
  (weighted elements), Uniform (Range), Normal / LogNormal (expectedValue, variance; redrawn
  until inside an optional Range), Poisson (expectedValue; Knuth's method), Histogram (bin by
  weight, then uniform in the bin).

Values are strings as written (ranges and draws give numbers); ``load_scenario(variant.
scenario_file, variant.parameters)`` converts them to the declared types. esmini reports 12
permutations for its ``cut-in_parameter_set.xosc``, as this module does.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from scenarios.errors import ScenarioError, UnsupportedElementError
from scenarios.parameters import read_declarations
from scenarios.xmlsource import ParameterScope, Source, child, children, parse_xml


@dataclass(frozen=True)
class Variant:
    """One concrete test case of a distribution.

    Attributes:
        index: 0-based position in the expansion. scenario_file: absolute path of the .xosc.
        parameters: parameter name -> value (str as written, or float for ranges/draws).
    """

    index: int
    scenario_file: str
    parameters: Mapping[str, Any]


def _range(src: Source, el: etree._Element) -> tuple[float, float]:
    r = child(el, "Range")
    if r is None:
        raise src.error(el, "expected a Range")
    lo, hi = src.attr(r, "lowerLimit", float), src.attr(r, "upperLimit", float)
    if hi < lo:
        raise src.error(r, f"upperLimit {hi} < lowerLimit {lo}")
    return lo, hi


def _single(src: Source, el: etree._Element) -> list[dict[str, Any]]:
    name = src.attr(el, "parameterName", str)
    inner = next(children(el), None)
    if inner is not None and inner.tag == "DistributionSet":
        return [{name: src.attr(e, "value", str)} for e in children(inner, "Element")]
    if inner is not None and inner.tag == "DistributionRange":
        step = src.attr(inner, "stepWidth", float)
        lo, hi = _range(src, inner)
        if step <= 0:
            raise src.error(inner, "stepWidth must be > 0")
        n = int(math.floor((hi - lo) / step + 1e-9)) + 1
        return [{name: round(lo + k * step, 12)} for k in range(n)]
    raise src.error(inner if inner is not None else el, "expected DistributionSet or "
                    "DistributionRange", UnsupportedElementError)


def _deterministic(src: Source, el: etree._Element) -> list[dict[str, Any]]:
    axes: list[list[dict[str, Any]]] = []
    for d in children(el):
        if d.tag == "DeterministicMultiParameterDistribution":
            vsd = child(d, "ValueSetDistribution")
            if vsd is None:
                raise src.error(d, "expected a ValueSetDistribution")
            axes.append([{src.name_ref(a, "parameterRef"): src.attr(a, "value", str)
                          for a in children(s, "ParameterAssignment")}
                         for s in children(vsd, "ParameterValueSet")])
        elif d.tag == "DeterministicSingleParameterDistribution":
            axes.append(_single(src, d))
        else:
            raise src.error(d, "unknown deterministic distribution")
    out = []
    for combo in itertools.product(*axes):
        merged: dict[str, Any] = {}
        for part in combo:
            merged.update(part)
        out.append(merged)
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _bounded(src: Source, el: etree._Element, draw) -> float:
    bounds = _range(src, el) if child(el, "Range") is not None else None
    for _ in range(10000):
        v = draw()
        if bounds is None or bounds[0] <= v <= bounds[1]:
            return v
    raise src.error(el, "could not draw a value inside the Range")


def _draw(src: Source, el: etree._Element, rng: random.Random) -> Any:
    a = src.attr
    if el.tag == "UniformDistribution":
        lo, hi = _range(src, el)
        return rng.uniform(lo, hi)
    if el.tag in ("NormalDistribution", "LogNormalDistribution"):
        mu, var = a(el, "expectedValue", float), a(el, "variance", float)
        sd = math.sqrt(var)
        if el.tag == "NormalDistribution":
            return _bounded(src, el, lambda: rng.gauss(mu, sd))
        sigma2 = math.log(1.0 + var / mu**2)
        return _bounded(src, el, lambda: rng.lognormvariate(math.log(mu) - sigma2 / 2,
                                                            math.sqrt(sigma2)))
    if el.tag == "PoissonDistribution":
        lam = a(el, "expectedValue", float)
        return _bounded(src, el, lambda: float(_poisson(rng, lam)))
    if el.tag == "ProbabilityDistributionSet":
        elems = list(children(el, "Element"))
        weights = [a(e, "weight", float) for e in elems]
        return a(rng.choices(elems, weights)[0], "value", str)
    if el.tag == "Histogram":
        bins = list(children(el, "Bin"))
        b = rng.choices(bins, [a(x, "weight", float) for x in bins])[0]
        lo, hi = _range(src, b)
        return rng.uniform(lo, hi)
    raise src.error(el, "a known distribution this player does not support",
                    UnsupportedElementError)


def _stochastic(src: Source, el: etree._Element, seed: int | None) -> list[dict[str, Any]]:
    runs = src.attr(el, "numberOfTestRuns", int)
    rng = random.Random(seed if seed is not None else src.attr(el, "randomSeed", float, 0.0))
    dists = []
    for d in children(el, "StochasticDistribution"):
        inner = next(children(d), None)
        if inner is None:
            raise src.error(d, "expected a distribution")
        dists.append((src.attr(d, "parameterName", str), inner))
    return [{name: _draw(src, inner, rng) for name, inner in dists} for _ in range(runs)]


def expand_distribution(path: str | Path, seed: int | None = None) -> list[Variant]:
    """Expand a ParameterValueDistribution file into concrete variants.

    Args:
        path: the distribution .xosc (its ScenarioFile is resolved relative to it).
        seed: overrides ``Stochastic@randomSeed``.

    Raises:
        ScenarioError: not a distribution file, missing ScenarioFile, bad ranges.
        UnsupportedElementError: UserDefinedDistribution and unknown distribution kinds.
    """
    path = Path(path).resolve()
    root = parse_xml(path)
    src = Source(str(path), ParameterScope())
    pvd = child(root, "ParameterValueDistribution")
    if pvd is None:
        raise src.error(root, "expected a ParameterValueDistribution")
    src = src.with_scope(read_declarations(src, root))
    sf = child(pvd, "ScenarioFile")
    if sf is None:
        raise src.error(pvd, "expected a ScenarioFile")
    scenario = (path.parent / src.attr(sf, "filepath", str)).resolve()
    if not scenario.is_file():
        raise src.error(sf, f"ScenarioFile not found: {scenario}")
    det, sto = child(pvd, "Deterministic"), child(pvd, "Stochastic")
    if det is not None:
        sets = _deterministic(src, det)
    elif sto is not None:
        sets = _stochastic(src, sto, seed)
    else:
        raise ScenarioError("expected Deterministic or Stochastic", file=str(path),
                            line=pvd.sourceline, element="ParameterValueDistribution")
    return [Variant(i, str(scenario), p) for i, p in enumerate(sets)]
