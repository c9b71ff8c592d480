"""Checks of the parts of an OpenSCENARIO file other packages carry out: CustomCommandAction
contents by command ``type``, and ``Property`` values by name prefix.

ASAM OpenSCENARIO 1.x leaves a CustomCommandAction's ``type`` and content, and the meaning of
an entity's ``Property`` entries, to the simulator. The package that carries one out
(``v2x_bridge`` for ``V2X.RSI`` commands, ``evaluator`` for ``criterion:<id>`` properties)
registers here a function that checks it without running anything, so ``testzone scenario
check`` reports what the run would refuse, while the scenario package stays independent of
them. A property check's package is imported on first need (:data:`PROPERTY_CHECK_MODULES`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class CommandContext:
    """What a command check may compare a content with: the scenario's entity names and its
    road network (the OpenDRIVE file the LogicFile names, resolved; None when the scenario has
    none or it is unknown)."""

    entities: frozenset[str] = frozenset()
    road_network: Path | None = None


CommandCheck = Callable[[str, CommandContext], "str | None"]
"""``check(content, context)``: returns None for a content that can be carried out as meant,
a warning text when it can be carried out but will not do what it seems to (an RSI no RSU
sends); raises a ``TestzoneError`` whose message says what is wrong."""

_CHECKS: dict[str, CommandCheck] = {}


def register_command_check(command_type: str, check: CommandCheck) -> None:
    """Register ``check`` (:data:`CommandCheck`) for ``command_type``."""
    _CHECKS[command_type] = check


def command_types() -> tuple[str, ...]:
    """The command types some package of ours carries out (registered checks)."""
    return tuple(sorted(_CHECKS))


def command_check(command_type: str) -> CommandCheck | None:
    """The check registered for ``command_type``, or None (a type no package of ours
    carries out: it is ignored at run time)."""
    return _CHECKS.get(command_type)


PropertyCheck = Callable[[str, str], "str | None"]
"""``check(name, value)``: None when the property is fine, a warning text when the run will
take it but not as meant; raises a ``TestzoneError`` when the run would refuse it."""

_PROPERTY_CHECKS: dict[str, PropertyCheck] = {}
PROPERTY_CHECK_MODULES = {"criterion:": "evaluator.declared"}
"""Name prefix -> the module that registers its check when imported."""


def register_property_check(prefix: str, check: PropertyCheck) -> None:
    """Register ``check`` for the ``Property`` entries whose name starts with ``prefix``."""
    _PROPERTY_CHECKS[prefix] = check


def property_prefixes() -> tuple[str, ...]:
    """The Property name prefixes some package of ours reads (``criterion:``)."""
    return tuple(sorted(set(PROPERTY_CHECK_MODULES) | set(_PROPERTY_CHECKS)))


def property_check(name: str) -> PropertyCheck | None:
    """The check for a ``Property`` named ``name``, or None (a property none of ours reads);
    imports the registering module the first time its prefix is asked for."""
    for prefix, module in PROPERTY_CHECK_MODULES.items():
        if name.startswith(prefix) and prefix not in _PROPERTY_CHECKS:
            try:
                importlib.import_module(module)
            except ImportError:
                return None
    return next((c for p, c in _PROPERTY_CHECKS.items() if name.startswith(p)), None)
