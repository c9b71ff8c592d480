"""``EnvironmentAction`` (ASAM OpenSCENARIO 1.x GlobalAction): the environment of the run.

The ``Environment`` (inline, or an EnvironmentCatalog entry) is kept as nested dicts of its
elements' attributes (``$`` references resolved, values as written), e.g.
``{"name": "rain", "TimeOfDay": {"animation": "true", "dateTime": "2024-05-01T17:30:00"},
"Weather": {"Precipitation": {"precipitationType": "rain", "precipitationIntensity": "5"},
...}, "RoadCondition": {"frictionScaleFactor": "0.6"}}``. Starting the action replaces the
environment, emits ``Event(t, "environment", {...})`` and completes at once. The engine exposes
the current value as ``ScenarioEngine.environment`` for the agent and the evaluator; with
``TimeOfDay animation="true"`` its ``dateTime`` advances with the simulation time (the
standard's "animation": time of day runs while the scenario runs).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from lxml import etree

from scenarios.actions.base import Done
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.xmlsource import Source, children


def element_dict(src: Source, el: etree._Element) -> dict[str, Any]:
    """Attributes (resolved strings) and child elements (nested dicts, by tag; a repeated tag
    becomes a list) of ``el``."""
    out: dict[str, Any] = {k: src.attr(el, k, str) for k in sorted(el.attrib)}
    for c in children(el):
        value = element_dict(src, c)
        tag = str(c.tag)
        if tag in out:
            prev = out[tag]
            out[tag] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            out[tag] = value
    return out


def parse_datetime(text: str) -> dt.datetime:
    """An OpenSCENARIO dateTime (ISO 8601; a trailing ``Z`` = UTC) as a datetime.

    Raises:
        ValueError: not an ISO 8601 date and time.
    """
    text = text.strip()
    return dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)


def current_environment(rt: Runtime) -> dict[str, Any]:
    """A copy of the current environment with an animated ``TimeOfDay.dateTime`` advanced by
    the simulation time elapsed since it was set (``{}`` when none was set)."""
    env = copy.deepcopy(rt.environment.get("value", {}))
    tod = env.get("TimeOfDay")
    if isinstance(tod, dict) and str(tod.get("animation", "false")).lower() == "true" \
            and "dateTime" in tod:
        try:
            start = parse_datetime(tod["dateTime"])
        except ValueError:
            return env
        elapsed = rt.time - rt.environment.get("set_at", rt.time)
        tod["dateTime"] = (start + dt.timedelta(seconds=elapsed)).isoformat()
    return env


@dataclass(frozen=True)
class EnvironmentAction:
    """``EnvironmentAction``: the new environment as nested dicts (see module docstring)."""

    ELEMENT = "EnvironmentAction"
    PRIVATE = False
    environment: dict

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> EnvironmentAction:
        """Read the Environment or the EnvironmentCatalog reference; ScenarioError when
        neither is there or the entry is not an Environment."""
        inner = next((c for c in children(el) if c.tag in ("Environment", "CatalogReference")),
                     None)
        if inner is None:
            raise ctx.src.error(el, "expected an Environment or a CatalogReference")
        src = ctx.src
        if inner.tag == "CatalogReference":
            if ctx.catalogs is None:
                raise src.error(inner, "no catalogs available here")
            inner, src = ctx.catalogs.resolve(src, inner)
            if inner.tag != "Environment":
                raise src.error(inner, f"catalog entry is a {inner.tag}, expected an Environment")
        env = element_dict(src, inner)
        env.pop("ParameterDeclarations", None)
        return cls(env)

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Replace the environment; emit ``environment``; complete."""
        rt.environment = {"value": copy.deepcopy(self.environment), "set_at": rt.time}
        rt.emit("environment", copy.deepcopy(self.environment))
        return Done()


ENVIRONMENT_ACTIONS = (EnvironmentAction,)
