"""Reference agents and the loader for the vehicle under test's stack.

``--agent`` accepts a reference agent's name (``idm``, ``naive``, ``scenario``), a Python
class as ``package.module:Class``, or a file as ``path/to/file.py:Class``.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from pathlib import Path
from typing import Callable

from runners.agents.idm import IdmAgent, ScenarioAgent, naive_agent
from runners.interfaces import Agent, RunnerError

REFERENCE_AGENTS: dict[str, Callable[[], Agent]] = {
    "idm": IdmAgent,
    "naive": naive_agent,
    "scenario": ScenarioAgent,
}


def _load_class(spec: str) -> type:
    target, _, cls_name = spec.rpartition(":")
    if not target or not cls_name:
        raise RunnerError(f"agent {spec!r}: expected a reference agent "
                          f"({', '.join(sorted(REFERENCE_AGENTS))}), 'package.module:Class' "
                          f"or 'file.py:Class'", element="--agent")
    if target.endswith(".py"):
        path = Path(target)
        if not path.is_file():
            raise RunnerError(f"agent file not found: {target}", element="--agent")
        mod_spec = importlib.util.spec_from_file_location(f"testzone_agent_{path.stem}", path)
        assert mod_spec and mod_spec.loader
        module = importlib.util.module_from_spec(mod_spec)
        mod_spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as exc:
            raise RunnerError(f"agent module {target!r} cannot be imported: {exc}",
                              element="--agent") from None
    cls = getattr(module, cls_name, None)
    if cls is None or not inspect.isclass(cls) or not issubclass(cls, Agent):
        raise RunnerError(f"{spec!r} is not a subclass of runners.interfaces.Agent",
                          element="--agent")
    return cls


def load_agent(spec: str) -> Agent:
    """Return a fresh agent for ``spec`` (name, ``module:Class`` or ``file.py:Class``).

    Raises:
        RunnerError: unknown name, missing module or file, or a class that is not an Agent.
    """
    if spec in REFERENCE_AGENTS:
        return REFERENCE_AGENTS[spec]()
    return _load_class(spec)()
