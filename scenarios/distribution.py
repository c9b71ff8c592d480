"""ParameterValueDistribution files (ASAM OpenSCENARIO 1.2/1.3, clause "Parameter value
distribution"): one logical scenario -> the concrete parameter sets to run it with.

``expand_distribution(path, seed=None)`` returns one :class:`Variant` per concrete test case.

``Deterministic``
    The cartesian product of all its distributions, in document order, the first varying
    slowest (the standard combines every single-parameter distribution with every
    multi-parameter value set; esmini reports 12 permutations for its
    ``cut-in_parameter_set.xosc``: 2 value sets x 2 EgoSpeed x 3 TargetSpeedFactor).
    ``ValueSetDistribution`` gives one alternative per ParameterValueSet; ``DistributionSet``
    one per Element; ``DistributionRange`` ``lower, lower + stepWidth, ...`` up to ``upper``
    (inclusive within 1e-9 steps, values rounded to 12 digits); ``UserDefinedDistribution``
    of ``type="list"``: its text is a ``;``-separated list of values (our own convention; other
    types raise UnsupportedElementError). A parameter varied by two distributions is an error.

``Stochastic``
    ``numberOfTestRuns`` draws; run by run, each StochasticDistribution in document order
    draws from ``numpy.random.Generator(PCG64(seed))`` (the same seed gives the same values on
    every machine), ``seed`` = the ``seed`` argument, else ``randomSeed``, else 0 (an integral
    double is used as is, any other double through its IEEE-754 bit pattern).
    ``UniformDistribution`` (Range), ``NormalDistribution`` (expectedValue, variance),
    ``LogNormalDistribution`` (expectedValue and variance *of the log-normal variable*, turned
    into mu, sigma of the underlying normal), ``PoissonDistribution`` (expectedValue; ints),
    each redrawn until inside its optional Range (at most 10000 tries);
    ``Histogram`` (a Bin by weight, then uniform inside its Range);
    ``ProbabilityDistributionSet`` (an Element by weight, its value string).

At most :data:`MAX_CASES` concrete cases: the count (the product of the deterministic axes'
sizes, or ``numberOfTestRuns``) is checked *before* any value is generated, and a larger
distribution is refused with a ScenarioError naming the file, line and element.

Values written as text (sets, lists) are converted to the type the scenario declares for
the parameter (``double`` -> float, ...) when they convert, else kept as written; ranges and
draws give numbers. ``load_scenario(variant.scenario_file, variant.parameters)`` checks them
against the declarations.
"""

from __future__ import annotations

import itertools
import math
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from lxml import etree

from scenarios.errors import ScenarioError, UnsupportedElementError
from scenarios.expressions import format_value
from scenarios.parameters import PARAMETER_TYPES, as_type, read_declarations
from scenarios.xmlsource import ParameterScope, Source, child, children, \
    declared_name, parse_xml
from testzone.errors import not_a_file

MAX_CASES = 10_000
"""Most concrete cases one distribution may expand to (deterministic product or stochastic
``numberOfTestRuns``); more is refused before anything is generated."""

MAX_REDRAWS = 10000
"""Draws tried before a bounded distribution gives up (ScenarioError)."""

USER_DEFINED_TYPES = ("list",)
"""``UserDefinedDistribution@type`` values this module understands."""


@dataclass(frozen=True)
class Variant:
    """One concrete test case of a distribution.

    Attributes:
        index: 0-based position in the expansion. scenario_file: absolute path of the .xosc.
        parameters: parameter name -> value (str as written; float for ranges and continuous
            draws; int for Poisson draws).
    """

    index: int
    scenario_file: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class Distribution:
    """A parsed ParameterValueDistribution file.

    Attributes:
        path: absolute path of the distribution file. scenario_file: absolute path of the
        referenced scenario. kind: ``"deterministic"`` or ``"stochastic"``. seed: the seed
        used (stochastic only, else None). sets: one parameter dict per variant.
    """

    path: str
    scenario_file: str
    kind: str
    seed: int | None
    sets: tuple[Mapping[str, Any], ...]


# ---------------------------------------------------------------------- deterministic
def _range(src: Source, el: etree._Element) -> tuple[float, float]:
    r = child(el, "Range")
    if r is None:
        raise src.error(el, "expected a Range child (lowerLimit, upperLimit)")
    lo, hi = src.attr(r, "lowerLimit", float), src.attr(r, "upperLimit", float)
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        raise src.error(r, f"expected finite limits with lowerLimit <= upperLimit, got "
                           f"lowerLimit={lo} upperLimit={hi}")
    return lo, hi


def _dist_range(src: Source, el: etree._Element) -> list[float]:
    step = src.attr(el, "stepWidth", float)
    lo, hi = _range(src, el)
    if not step > 0:
        raise src.error(el, f"stepWidth={step}: expected a step > 0")
    # exact decimal steps from the shortest decimal form of each number (the text as typed):
    # 0.1 + 0.1 + 0.1 is 0.3, a 1e-13 step stays 1e-13, 1e9 + 3 x 0.1 reaches an upper limit of
    # 1000000000.3 (dist15 audit: rounding to 12 decimals merged tiny steps, put a lower limit
    # of 1.0000000000004 below itself, and dropped such an upper limit)
    d_lo, d_hi, d_step = (Decimal(repr(v)) for v in (lo, hi, step))
    with localcontext() as ctx:
        ctx.prec = 60
        steps = (d_hi - d_lo) / d_step              # a tiny step: checked before counting
        if not steps < MAX_CASES:
            raise src.error(el, f"about {float(steps) + 1:.4g} values: expected at most "
                                f"{MAX_CASES} (the most cases one distribution may expand to)")
        n = int((d_hi - d_lo) // d_step) + 1
        return [float(d_lo + k * d_step) for k in range(n)]


def _user_defined(src: Source, el: etree._Element) -> list[str]:
    kind = src.attr(el, "type", str)
    if kind not in USER_DEFINED_TYPES:
        raise src.error(el, f"UserDefinedDistribution type '{kind}': this player understands "
                            f"{', '.join(USER_DEFINED_TYPES)}", UnsupportedElementError)
    values = [v.strip() for v in (el.text or "").split(";") if v.strip()]
    if not values:
        raise src.error(el, "expected a ';'-separated list of values")
    return values


def _single(src: Source, el: etree._Element) -> list[dict[str, Any]]:
    name = src.name_ref(el, "parameterName")
    inner = next(children(el), None)
    tag = inner.tag if inner is not None else None
    if tag == "DistributionSet":
        values: list[Any] = [src.attr(e, "value", str) for e in children(inner, "Element")]
        if not values:
            raise src.error(inner, "expected at least one Element")
    elif tag == "DistributionRange":
        values = _dist_range(src, inner)
    elif tag == "UserDefinedDistribution":
        values = _user_defined(src, inner)
    else:
        raise src.error(inner if inner is not None else el, "expected DistributionSet, "
                        "DistributionRange or UserDefinedDistribution")
    return [{name: v} for v in values]


def _multi(src: Source, el: etree._Element) -> list[dict[str, Any]]:
    vsd = child(el, "ValueSetDistribution")
    if vsd is None:
        raise src.error(el, "expected a ValueSetDistribution")
    sets = []
    for s in children(vsd, "ParameterValueSet"):
        values = {}
        for a in children(s, "ParameterAssignment"):
            name = src.name_ref(a, "parameterRef")
            if name in values:
                raise src.error(a, f"parameter '{name}' assigned twice in one ParameterValueSet")
            values[name] = src.attr(a, "value", str)
        sets.append(values)
    if not sets:
        raise src.error(vsd, "expected at least one ParameterValueSet")
    return sets


_DETERMINISTIC: Mapping[str, Callable[[Source, etree._Element], list[dict[str, Any]]]] = \
    MappingProxyType({"DeterministicSingleParameterDistribution": _single,
                      "DeterministicMultiParameterDistribution": _multi})


def _deterministic(src: Source, el: etree._Element) -> list[dict[str, Any]]:
    axes: list[list[dict[str, Any]]] = []
    owner: dict[str, etree._Element] = {}
    for d in children(el):
        read = _DETERMINISTIC.get(str(d.tag))
        if read is None:
            raise src.error(d, "expected DeterministicSingleParameterDistribution or "
                               "DeterministicMultiParameterDistribution")
        axis = read(src, d)
        for name in {n for alt in axis for n in alt}:
            if name in owner:
                raise src.error(d, f"parameter '{name}' is already varied by the distribution "
                                   f"at line {owner[name].sourceline}")
            owner[name] = d
        axes.append(axis)
    total = math.prod(len(axis) for axis in axes)
    if total > MAX_CASES:
        sizes = " x ".join(str(len(axis)) for axis in axes)
        raise src.error(el, f"{sizes} = {total} combinations: expected at most {MAX_CASES} "
                            f"concrete cases")
    out = []
    for combo in itertools.product(*axes):
        merged: dict[str, Any] = {}
        for part in combo:
            merged.update(part)
        out.append(merged)
    return out


# ---------------------------------------------------------------------- stochastic
def seed_to_int(seed: float | int) -> int:
    """Map an OpenSCENARIO ``randomSeed`` (a Double) to a PCG64 seed (a non-negative int).

    Integral non-negative values are used as they are; any other double through its IEEE-754
    64-bit pattern (so 0.5 and 1.5 give different, reproducible streams).
    """
    if float(seed).is_integer() and seed >= 0:
        return int(seed)
    return struct.unpack("<Q", struct.pack("<d", float(seed)))[0]


def _bounded(src: Source, el: etree._Element, draw: Callable[[], Any]) -> Any:
    bounds = _range(src, el) if child(el, "Range") is not None else None
    for _ in range(MAX_REDRAWS):
        v = draw()
        if bounds is None or bounds[0] <= v <= bounds[1]:
            return v
    raise src.error(el, f"no value inside the Range after {MAX_REDRAWS} draws")


def _weights(src: Source, items: list[etree._Element], what: str,
             holder: etree._Element) -> np.ndarray:
    if not items:
        raise src.error(holder, f"expected at least one {what}")
    w = np.array([src.attr(e, "weight", float) for e in items])
    bad = [e for e, x in zip(items, w) if not (math.isfinite(x) and x >= 0)]
    if bad:
        raise src.error(bad[0], "weight: expected a finite value >= 0")
    if w.sum() <= 0:
        raise src.error(holder, "expected weights with a positive sum")
    return w / w.sum()


def _normal_params(src: Source, el: etree._Element) -> tuple[float, float]:
    mu, var = src.attr(el, "expectedValue", float), src.attr(el, "variance", float)
    if not var >= 0:
        raise src.error(el, f"variance={var}: expected >= 0")
    if el.tag == "LogNormalDistribution":
        if not mu > 0:
            raise src.error(el, f"expectedValue={mu}: a log-normal mean must be > 0")
        try:
            sigma2 = math.log(1.0 + var / mu**2)
        except (ArithmeticError, ValueError) as exc:
            raise src.error(el, f"expectedValue={mu}, variance={var}: no log-normal "
                                f"parameters ({exc})") from None
        return math.log(mu) - sigma2 / 2, math.sqrt(sigma2)
    return mu, math.sqrt(var)


def _sampler(src: Source, el: etree._Element) -> Callable[[np.random.Generator], Any]:
    """Return a function drawing one value of distribution ``el`` (checked once, here)."""
    tag = el.tag
    if tag == "UniformDistribution":
        lo, hi = _range(src, el)
        return lambda rng: float(rng.uniform(lo, hi))
    if tag in ("NormalDistribution", "LogNormalDistribution"):
        mu, sd = _normal_params(src, el)
        if tag == "NormalDistribution":
            return lambda rng: _bounded(src, el, lambda: float(rng.normal(mu, sd)))
        return lambda rng: _bounded(src, el, lambda: float(rng.lognormal(mu, sd)))
    if tag == "PoissonDistribution":
        lam = src.attr(el, "expectedValue", float)
        if not lam >= 0:
            raise src.error(el, f"expectedValue={lam}: expected >= 0")
        return lambda rng: _bounded(src, el, lambda: int(rng.poisson(lam)))
    if tag == "ProbabilityDistributionSet":
        elems = list(children(el, "Element"))
        p = _weights(src, elems, "Element", el)
        values = [src.attr(e, "value", str) for e in elems]
        return lambda rng: values[int(rng.choice(len(values), p=p))]
    if tag == "Histogram":
        bins = list(children(el, "Bin"))
        p = _weights(src, bins, "Bin", el)
        limits = [_range(src, b) for b in bins]
        return lambda rng: float(rng.uniform(*limits[int(rng.choice(len(limits), p=p))]))
    if tag == "UserDefinedDistribution":
        raise src.error(el, "a stochastic UserDefinedDistribution cannot be sampled",
                        UnsupportedElementError)
    raise src.error(el, "expected a stochastic distribution (Uniform, Normal, LogNormal, "
                        "Poisson, Histogram, ProbabilityDistributionSet)")


def _stochastic(src: Source, el: etree._Element, seed: int | None
                ) -> tuple[int, list[dict[str, Any]]]:
    runs = src.attr(el, "numberOfTestRuns", int)
    if not 1 <= runs <= MAX_CASES:
        raise src.error(el, f"numberOfTestRuns={runs}: expected 1 to {MAX_CASES}")
    used = seed if seed is not None else seed_to_int(src.attr(el, "randomSeed", float, 0.0))
    samplers: list[tuple[str, Callable[[np.random.Generator], Any], etree._Element]] = []
    for d in children(el, "StochasticDistribution"):
        name = src.name_ref(d, "parameterName")
        inner = next(children(d), None)
        if inner is None:
            raise src.error(d, "expected a distribution element inside")
        if any(name == n for n, _, _ in samplers):
            raise src.error(d, f"parameter '{name}' has two distributions")
        samplers.append((name, _sampler(src, inner), inner))
    if not samplers:
        raise src.error(el, "expected at least one StochasticDistribution")
    rng = np.random.Generator(np.random.PCG64(used))
    sets = []
    for _ in range(runs):
        values = {}
        for name, draw, inner in samplers:
            try:
                values[name] = draw(rng)
            except (ValueError, ArithmeticError) as exc:  # numpy refuses the parameters
                raise src.error(inner, f"cannot draw '{name}' from it: {exc}") from None
        sets.append(values)
    return used, sets


# ---------------------------------------------------------------------- entry points
def read_distribution(path: str | Path, seed: int | None = None) -> Distribution:
    """Read and expand a ParameterValueDistribution file.

    Args:
        path: the distribution .xosc (its ScenarioFile is resolved relative to it).
        seed: overrides ``Stochastic@randomSeed`` (a non-negative int).

    Raises:
        ScenarioError: not a distribution file, missing ScenarioFile, malformed distribution
            (bad Range, stepWidth <= 0, negative variance or weight, empty sets, a parameter
            varied twice, more than :data:`MAX_CASES` cases, parameters numpy cannot draw from
            such as a Poisson mean of 1e300, a ScenarioFile that is itself a distribution),
            each naming file, line and element.
        UnsupportedElementError: UserDefinedDistribution of a type other than ``list``.
    """
    path = Path(path).resolve()
    root = parse_xml(path)
    src = Source(str(path), ParameterScope())
    pvd = child(root, "ParameterValueDistribution")
    if root.tag != "OpenSCENARIO" or pvd is None:
        raise src.error(root, "expected OpenSCENARIO with a ParameterValueDistribution")
    src = src.with_scope(read_declarations(src, root))
    sf = child(pvd, "ScenarioFile")
    if sf is None:
        raise src.error(pvd, "expected a ScenarioFile")
    scenario = (path.parent / src.attr(sf, "filepath", str)).resolve()
    if not scenario.is_file():
        raise src.error(sf, not_a_file("ScenarioFile", scenario))
    scenario_root = parse_xml(scenario)
    if child(scenario_root, "ParameterValueDistribution") is not None:
        raise src.error(sf, f"ScenarioFile {scenario} is a ParameterValueDistribution: expected "
                            f"a scenario (distributions do not nest)")
    if seed is not None and (not isinstance(seed, int) or seed < 0):
        raise ScenarioError(f"seed {seed!r}: expected an int >= 0", file=str(path))
    det, sto = child(pvd, "Deterministic"), child(pvd, "Stochastic")
    if det is not None and sto is not None:   # a choice in the schema: one would be dropped
        raise src.error(sto, "a ParameterValueDistribution holds Deterministic or Stochastic, "
                             "not both")
    types, where = _declared_types(scenario_root), varied_elements(pvd)
    if det is not None:
        return Distribution(str(path), str(scenario), "deterministic", None,
                            tuple(_typed(src, s, types, where) for s in _deterministic(src, det)))
    if sto is not None:
        used, sets = _stochastic(src, sto, seed)
        return Distribution(str(path), str(scenario), "stochastic", used,
                            tuple(_typed(src, s, types, where) for s in sets))
    raise src.error(pvd, "expected Deterministic or Stochastic")


def _declared_types(scenario_root: etree._Element) -> dict[str, str]:
    """The scenario's global parameters: name -> ``parameterType`` (``string`` when absent)."""
    decls = child(scenario_root, "ParameterDeclarations")
    return {declared_name(d): d.get("parameterType", "string")
            for d in (children(decls, "ParameterDeclaration") if decls is not None else ())}


def varied_elements(pvd: etree._Element) -> dict[str, etree._Element]:
    """The first element of a ParameterValueDistribution naming each varied parameter
    (``parameterName`` or ``parameterRef``, without a leading ``$``): where to blame a value."""
    out: dict[str, etree._Element] = {}
    for el in pvd.iter():
        for attr in ("parameterName", "parameterRef"):
            if el.get(attr):
                out.setdefault(el.get(attr, "").lstrip("$"), el)
    return out


def _typed(src: Source, values: Mapping[str, Any], types: Mapping[str, str],
           where: Mapping[str, etree._Element]) -> dict[str, Any]:
    """``values`` with each string converted to its parameter's declared type (so reports
    show ``EgoSpeed: 70.0``, a number, and group it as one). A parameter the scenario does not
    declare stays as written (``scenario expand`` refuses it, a run's case reports it).

    Raises:
        ScenarioError: a value that is not of its parameter's declared type, at the element
            of the distribution that varies it (every variant would fail to load)."""
    out = dict(values)
    for name, value in values.items():
        if name not in types or types[name] not in PARAMETER_TYPES:
            continue   # undeclared, or a type the scenario's own load refuses
        try:   # drawn numbers too: 5.118 for an integer, -4.6 for an unsignedInt, 4 for a bool
            out[name] = as_type(types[name], value)
        except (ValueError, TypeError):
            message = (f"value '{format_value(value)}' of '{name}' is not of its declared type "
                       f"{types[name]}")
            el = where.get(name)
            raise (src.error(el, message) if el is not None
                   else ScenarioError(message, file=src.file)) from None
    return out


def check_declared(dist: Distribution) -> None:
    """Refuse a distribution that varies a parameter its ScenarioFile does not declare
    globally: every variant would fail to load (``scenario expand`` writes none; a run makes
    one error case of the distribution instead of one per variant naming the ScenarioFile).

    Raises:
        ScenarioError: naming the distribution file, the line of the element that varies the
            first undeclared parameter, and the ScenarioFile.
    """
    types = _declared_types(parse_xml(Path(dist.scenario_file)))
    unknown = sorted({name for params in dist.sets for name in params} - set(types))
    if not unknown:
        return
    root = parse_xml(Path(dist.path))
    where = varied_elements(child(root, "ParameterValueDistribution"))
    el = where.get(unknown[0])
    raise ScenarioError(f"parameter(s) {', '.join(unknown)} not declared in the global "
                        f"ParameterDeclarations of {dist.scenario_file}", file=dist.path,
                        line=el.sourceline if el is not None else None,
                        element=str(el.tag) if el is not None else "ParameterValueDistribution")


def expand_distribution(path: str | Path, seed: int | None = None) -> list[Variant]:
    """Expand a ParameterValueDistribution file into concrete variants.

    Args:
        path: the distribution .xosc (its ScenarioFile is resolved relative to it).
        seed: overrides ``Stochastic@randomSeed``.

    Returns:
        one :class:`Variant` per concrete case, ``index`` 0.. in expansion order.

    Raises:
        ScenarioError / UnsupportedElementError: as :func:`read_distribution`.
    """
    dist = read_distribution(path, seed)
    return [Variant(i, dist.scenario_file, p) for i, p in enumerate(dist.sets)]
