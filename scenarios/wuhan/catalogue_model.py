"""The record of one logical scenario of the Wuhan catalogue, its ParameterValueDistribution
file and its catalogue.json entry.

A :class:`Logical` names its builder (a function returning a scenariogeneration Scenario), the
requirements it covers (GB/T 41798-2022 items, road-test items, T/CSAE 53-2020 Day-1
applications), the V2X messages it uses, its varied parameters (:class:`Vary`), criteria
(evaluator metric names, docs/evaluator.md) and limitations (what the platform cannot yet
exercise). Distribution files follow ASAM OpenSCENARIO 1.2 "ParameterValueDistribution"
(Deterministic: DistributionSet per parameter, cartesian product; Stochastic: Uniform draws
from a fixed ``randomSeed``) and are written with lxml, byte-for-byte deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from lxml import etree

GBT = "GB/T 41798-2022"
"""Track testing methods and requirements for automated driving functions of ICVs (item names
as we use them; clause numbers not verified against the text)."""
ROADTEST = "ICV road-test management rules (2021, trial) test items"
CSAE = "T/CSAE 53-2020"
"""Cooperative ITS application layer, Day-1 applications (17)."""
DAY1 = ("FCW", "ICW", "LTA", "BSW/LCW", "DNPW", "EBW", "AVW", "CLW", "EVW", "HLW", "SLW", "RLVW",
        "VRUCW", "GLOSA", "IVS", "TJW", "VNFP")
"""The 17 Day-1 application codes of T/CSAE 53-2020."""
GBT_ITEMS = ("speed-limit sign", "lane markings", "traffic lights", "vehicle ahead stopped",
             "vehicle ahead slow", "vehicle ahead braking", "obstacle", "pedestrian crossing",
             "non-motor vehicle crossing", "following stop-and-go", "pulling over at bus stop",
             "overtaking", "merging", "intersection turn with oncoming traffic", "roundabout",
             "emergency braking", "emergency vehicle", "vehicle cut-in")
"""The closed-track and road-test items the catalogue must cover (tag ``item``)."""
DIST_DATE = "2026-11-30T00:00:00"


@dataclass(frozen=True)
class Vary:
    """A varied parameter: ``values`` (deterministic set) or ``uniform`` (lo, hi) for a
    stochastic draw; ``unit`` as in the scenario (SI)."""

    name: str
    unit: str
    values: tuple[float, ...] = ()
    uniform: tuple[float, float] | None = None


@dataclass(frozen=True)
class Logical:
    """One logical scenario: ``stem``.xosc plus ``stem``.dist.xosc.

    Attributes: id (catalogue id), stem (file stem), title, family, build (-> xosc.Scenario),
    items (GB/T / road-test items covered, from :data:`GBT_ITEMS`), day1 (codes from
    :data:`DAY1`), messages (V2X messages the case uses), vary, criteria (dicts of
    :func:`crit`), limitations (strings; empty when fully exercised), runs/seed (stochastic
    distributions only), map (LogicFile relative to the project root), extra (further
    catalogue fields; a ``parameters`` list there replaces the generated one, its varied
    entries gaining ``values``).
    """

    id: str
    stem: str
    title: str
    family: str
    build: Callable[[], object]
    items: tuple[str, ...] = ()
    day1: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    vary: tuple[Vary, ...] = ()
    criteria: tuple[dict, ...] = ()
    limitations: tuple[str, ...] = ()
    runs: int = 0
    seed: int = 0
    map: str = "maps/wuhan/wuhan_testzone.xodr"
    extra: dict | None = None

    @property
    def file(self) -> str:
        return f"{self.stem}.xosc"

    @property
    def distribution(self) -> str:
        return f"{self.stem}.dist.xosc"


def crit(cid: str, metric: str, rule: str, threshold: float, unit: str, clause: str) -> dict:
    """A criterion record (evaluator.criteria format)."""
    return {"id": cid, "metric": metric, "rule": rule, "threshold": threshold, "unit": unit,
            "clause": clause}


NO_COLLISION = crit("no_collision", "collision_count", "==", 0, "count", f"{GBT} 5.2")
ON_ROAD = crit("stay_on_road", "offroad_time_s", "<=", 0, "s", f"{GBT} 5.2 (stay on the road)")
NO_RED = crit("no_red_light", "red_light_violation_count", "==", 0, "count",
              f"{GBT} traffic lights; PRC RTSL Implementing Regulations art. 38")
SMOOTH = crit("smooth_stop", "decel_peak_mps2", "<=", 3.5, "m/s^2",
              "ISO 15622:2018 ACC automatic deceleration limit 3.5 m/s^2 (there averaged "
              "over 2 s; here on the peak of a 0.4 s smoothing, stricter): a comfort bound "
              "of this project")
AEB_DECEL = crit("decel_peak", "decel_peak_mps2", "<=", 9.0, "m/s^2",
                 "vehicle Performance maxDeceleration")


def gap(threshold: float, item: str) -> dict:
    """Minimum bumper-to-bumper gap criterion [m] (1 m: this project's bound for a stop behind
    an object; the reference IDM keeps s0 = 2 m, which the measurement meets to 1e-4 m)."""
    return crit("min_gap", "gap_min_m", ">=", threshold, "m", f"{GBT} {item}")


def ttc(threshold: float, item: str) -> dict:
    """Minimum time-to-collision criterion [s]."""
    return crit("ttc_min", "ttc_min_s", ">=", threshold, "s", f"{GBT} {item}")


def v2x_response(app: str, limit_s: float = 2.5) -> dict:
    """First actionable V2X message -> braking within ``limit_s`` [s] (evaluator v2x_response)."""
    return crit("v2x_response", "v2x_response_time_s", "<=", limit_s, "s",
                f"{CSAE} {app} (warning acted on; 2.5 s = evaluator's zero-score bound)")


def tags(case: Logical) -> list[str]:
    """Requirement tags: ``GB/T 41798-2022: <item>`` and ``T/CSAE 53-2020: <code>``."""
    return [f"{GBT}: {i}" for i in case.items] + [f"{CSAE}: {c}" for c in case.day1]


def catalogue_entry(case: Logical, defaults: dict[str, str]) -> dict:
    """The catalogue.json record of ``case``; ``defaults`` are the scenario's declared values."""
    params: list[dict] = []
    for v in case.vary:
        rec: dict[str, object] = {"name": v.name, "unit": v.unit,
                                  "default": round(float(defaults[v.name]), 6)}
        # the same 6-decimal rounding as the distribution file (:func:`_num`)
        values = [round(float(x), 6) for x in (v.uniform or v.values)]
        if v.uniform:
            rec.update({"min": values[0], "max": values[1], "distribution": "uniform"})
        else:
            rec.update({"min": min(values), "max": max(values), "values": values})
        params.append(rec)
    extra = dict(case.extra or {})
    if "parameters" in extra:
        varied = {p["name"]: p for p in params}
        params = [{**p, **({"values": varied[p["name"]]["values"]} if p["name"] in varied
                           else {})} for p in extra.pop("parameters")]
    return {**extra, "id": case.id, "file": case.file, "distribution": case.distribution,
            "title": case.title, "family": case.family, "map": case.map,
            "requirements": tags(case), "day1_applications": list(case.day1),
            "v2x_messages": list(case.messages), "parameters": params,
            "concrete_cases": concrete_count(case), "criteria": list(case.criteria),
            "limitations": list(case.limitations)}


def concrete_count(case: Logical) -> int:
    """Number of concrete cases the distribution expands to."""
    if case.runs:
        return case.runs
    n = 1
    for v in case.vary:
        n *= len(v.values)
    return n


def _num(value: float) -> str:
    return repr(round(float(value), 6))


def distribution_bytes(case: Logical) -> bytes:
    """The ParameterValueDistribution file of ``case`` (OpenSCENARIO 1.2)."""
    root = etree.Element("OpenSCENARIO")
    etree.SubElement(root, "FileHeader", revMajor="1", revMinor="2", date=DIST_DATE,
                     description=f"Wuhan catalogue: concrete cases of {case.id}",
                     author="icv-testzone")
    dist = etree.SubElement(root, "ParameterValueDistribution")
    etree.SubElement(dist, "ScenarioFile", filepath=case.file)
    if case.runs:
        sto = etree.SubElement(dist, "Stochastic", numberOfTestRuns=str(case.runs),
                               randomSeed=str(case.seed))
        for v in case.vary:
            el = etree.SubElement(sto, "StochasticDistribution", parameterName=v.name)
            uni = etree.SubElement(el, "UniformDistribution")
            assert v.uniform is not None, f"{case.id}: stochastic parameter {v.name} needs uniform"
            etree.SubElement(uni, "Range", lowerLimit=_num(v.uniform[0]),
                             upperLimit=_num(v.uniform[1]))
    else:
        det = etree.SubElement(dist, "Deterministic")
        for v in case.vary:
            el = etree.SubElement(det, "DeterministicSingleParameterDistribution",
                                  parameterName=v.name)
            dset = etree.SubElement(el, "DistributionSet")
            for value in v.values:
                etree.SubElement(dset, "Element", value=_num(value))
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
