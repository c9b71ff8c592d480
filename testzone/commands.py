"""Checks of OpenSCENARIO ``CustomCommandAction`` contents, by command ``type``.

ASAM OpenSCENARIO 1.x leaves a CustomCommandAction's ``type`` and content to the simulator.
The package that carries out a command type (``v2x_bridge`` for ``V2X.RSI``) registers here a
function that checks a content without running anything, so ``testzone scenario check`` reports
what the run would refuse, while the scenario package stays independent of the bridge.
"""

from __future__ import annotations

from typing import Callable

_CHECKS: dict[str, Callable[[str], None]] = {}


def register_command_check(command_type: str, check: Callable[[str], None]) -> None:
    """Register ``check(content)`` for ``command_type``: it returns None for a content that
    can be carried out and raises a ``TestzoneError`` whose message says what is wrong."""
    _CHECKS[command_type] = check


def command_check(command_type: str) -> Callable[[str], None] | None:
    """The check registered for ``command_type``, or None (a type no package of ours
    carries out: it is ignored at run time)."""
    return _CHECKS.get(command_type)
