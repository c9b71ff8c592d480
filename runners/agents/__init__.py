"""Reference agents and the loader for the vehicle under test's stack.

``--agent`` accepts a reference agent's name (``idm``, ``idm-v2x``, ``naive``, ``scenario``;
see ``docs/agents.md``), a Python class as ``package.module:Class``, or a file as
``path/to/file.py:Class``.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import inspect
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable

from runners.agents.idm import IdmAgent, IdmParameters, ScenarioAgent, naive_agent
from runners.agents.idm_v2x import IdmV2xAgent, V2xParameters
from runners.agents.mobil import MobilParameters
from runners.interfaces import Agent, RunnerError
from testzone.userfiles import is_finite_number, shown

REFERENCE_AGENTS: dict[str, Callable[[], Agent]] = {
    "idm": IdmAgent,
    "idm-v2x": IdmV2xAgent,
    "naive": naive_agent,
    "scenario": ScenarioAgent,
}


def _on_import_path(folder: Path) -> None:
    """Put ``folder`` first on ``sys.path`` (once): a stack's sibling modules and packages
    import as they do when its file is run as a script (``python my_stack.py`` puts its folder
    first) or its package with ``python -m`` from the current folder."""
    entry = str(folder.resolve())
    if entry not in sys.path:
        sys.path.insert(0, entry)


def _exec_file(path: Path) -> ModuleType:
    """Import the Python file ``path`` as a fresh module, its folder on the import path.

    The module is in ``sys.modules`` while its code runs, as an imported module is (Python
    docs, importlib "Importing a source file directly"): ``dataclasses`` looks its module up
    there to read string annotations (``from __future__ import annotations``), and so do
    pickle and typing.get_type_hints."""
    _on_import_path(path.parent)
    name = f"testzone_agent_{path.stem}"
    mod_spec = importlib.util.spec_from_file_location(name, path)
    if mod_spec is None or mod_spec.loader is None:
        raise ImportError(f"not an importable Python file: {path}")
    module = importlib.util.module_from_spec(mod_spec)
    sys.modules[name] = module
    try:
        mod_spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _import_agent_code(target: str, do_import: Callable[[], ModuleType]) -> ModuleType:
    """Run ``do_import``: the user's agent code runs at import, so whatever it raises (a
    syntax error, a missing dependency, its own exception or ``sys.exit``) is reported as one
    :class:`RunnerError` naming ``target`` and the exception."""
    try:
        return do_import()
    except (Exception, SystemExit) as exc:  # the agent's own code: any failure is bad input
        what = "file" if target.endswith(".py") else "module"
        raise RunnerError(f"agent {what} {target} cannot be imported: "
                          f"{type(exc).__name__}: {exc}", element="--agent") from None


def _load_class(spec: str) -> type:
    target, cls_name = _split_spec(spec)
    if target.endswith(".py"):
        module = _import_agent_code(target, lambda: _exec_file(Path(target)))
    else:
        _on_import_path(Path.cwd())
        module = _import_agent_code(target, lambda: importlib.import_module(target))
    cls = getattr(module, cls_name, None)
    if cls is None:
        found = sorted(n for n, v in vars(module).items() if inspect.isclass(v)
                       and issubclass(v, Agent) and v is not Agent)
        raise RunnerError(f"{target} has no class {cls_name!r}; its Agent subclasses: "
                          f"{', '.join(found) or 'none'}", element="--agent")
    if not inspect.isclass(cls) or not issubclass(cls, Agent):
        raise RunnerError(f"{spec!r} is not a subclass of runners.interfaces.Agent",
                          element="--agent")
    return cls


def load_agent(spec: str) -> Agent:
    """Return a fresh agent for ``spec`` (name, ``module:Class`` or ``file.py:Class``),
    imported into this process: the agent host's and the tests' loader (a run never imports
    a user's class into the runner; see :func:`make_agent`).

    Raises:
        RunnerError: unknown name, missing module or file, or a class that is not an Agent.
    """
    if spec in REFERENCE_AGENTS:
        return REFERENCE_AGENTS[spec]()
    return _load_class(spec)()


def agent_follows_scenario(spec: str) -> bool:
    """True when ``spec`` hands the ego to the scenario's own actions (the ``scenario`` agent);
    decided without building the agent, so no stack starts for a case that cannot load."""
    factory = REFERENCE_AGENTS.get(spec)
    return bool(factory is not None and getattr(factory, "follows_scenario", False))


CONFIG_PARAMETERS: dict[str, tuple[type, ...]] = {
    "idm": (IdmParameters, MobilParameters), "naive": (IdmParameters, MobilParameters),
    "idm-v2x": (IdmParameters, MobilParameters, V2xParameters), "scenario": ()}
"""The parameter dataclasses whose fields a reference agent's ``--agent-config`` may set."""
POSITIVE_PARAMETERS = frozenset({"max_acceleration", "comfortable_deceleration", "delta",
                                 "horizon"})
"""Parameters the models divide by or sample with: they must be > 0, not just >= 0."""
UPPER_LIMITS = {"horizon": 1000.0, "delta": 100.0}
"""Largest values [their units] of parameters whose cost grows with them (the lane path is
sampled every 2 m up to ``horizon``) or that overflow the model (IDM's acceleration exponent
``delta``, 4 in Treiber et al. 2000: (v/v0)^1e6 overflowed a double)."""
MIN_POSITIVE = 1e-3
"""Smallest value of a :data:`POSITIVE_PARAMETERS` parameter [its units]: the models divide by
them (5e-324 m/s^2 overflowed the case)."""
MAX_PARAMETER = 1e6
"""Largest value of any other numeric parameter [SI]: far above any speed, acceleration or
time gap, and within float range (a 400-digit integer overflowed in the case)."""


def check_agent_config(spec: str, config: dict[str, object]) -> None:
    """Check a reference agent's ``--agent-config`` before any case runs: every key a field of
    its parameter classes (:data:`CONFIG_PARAMETERS`), every value of that field's kind: a
    JSON boolean for a bool, a finite number >= 0 (> 0 for :data:`POSITIVE_PARAMETERS`) for a
    number, a list of integers for a tuple. Another agent's config is its own to check.

    Raises:
        RunnerError: naming the key and what was expected (a typo names the known keys).
    """
    classes = CONFIG_PARAMETERS.get(spec)
    if classes is None:
        return
    fields = {f.name: f for cls in classes for f in dataclasses.fields(cls)}
    for key, value in config.items():
        f = fields.get(key)
        if f is None:
            expected = (f"expected one of {', '.join(sorted(fields))}" if fields
                        else "it takes no parameters: give no --agent-config")
            raise RunnerError(f"key {key!r} is not a parameter of agent {spec!r} ({expected})",
                              element="--agent-config")
        default = f.default
        if isinstance(default, bool):
            ok, what = isinstance(value, bool), "true or false"
        elif isinstance(default, (int, float)):
            ok = is_finite_number(value, math.inf) and (  # a 400-digit int: no float()
                value >= MIN_POSITIVE if key in POSITIVE_PARAMETERS else value >= 0)
            what = "a finite number " + (f">= {MIN_POSITIVE:g}" if key in POSITIVE_PARAMETERS
                                         else ">= 0")
            if ok and value > UPPER_LIMITS.get(key, MAX_PARAMETER):
                ok, what = False, f"at most {UPPER_LIMITS.get(key, MAX_PARAMETER):g}"
        else:
            ok = isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool)
                                                 for v in value)
            what = "a list of integers"
        if not ok:
            raise RunnerError(f"{key}={shown(value)}: expected {what}", element="--agent-config")


def check_agent_spec(spec: str, import_timeout: float = 60.0) -> list[str]:
    """Check that ``spec`` names a loadable agent before any case runs. A user's class is
    imported in a child process (``python -m runners.agent_host --check``), never in the
    runner's: its module's top-level code may do anything, ``os._exit`` included.

    Args:
        spec: a reference name, ``zmq://HOST:PORT``, ``module:Class`` or ``file.py:Class``.
        import_timeout: how long the child may take to import the class [s].

    Returns:
        the source files of the stack's own modules that importing the class loaded
        (:func:`stack_source_files`); empty for a reference agent or ``zmq://``.

    Raises:
        RunnerError: unknown name, ``zmq://`` without ``HOST:PORT``, a class that does not
            load (its own error), or an import that exits or hangs.
    """
    if spec in REFERENCE_AGENTS:
        return []
    if spec.startswith("zmq://"):
        host, _, port = spec[len("zmq://"):].rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise RunnerError(f"agent {spec!r}: expected zmq://HOST:PORT with PORT in "
                              f"1-65535", element="--agent")
        return []
    _split_spec(spec)
    return _check_in_child(spec, import_timeout)


def _split_spec(spec: str) -> tuple[str, str]:
    """``(module or file, class name)`` of a class spec; a named ``.py`` file must exist.

    Raises:
        RunnerError: not of the form ``target:Class``, or the file does not exist.
    """
    target, _, cls_name = spec.rpartition(":")
    if not target or not cls_name:
        raise RunnerError(f"agent {spec!r}: expected a reference agent "
                          f"({', '.join(sorted(REFERENCE_AGENTS))}), 'package.module:Class', "
                          f"'file.py:Class' or 'zmq://HOST:PORT'", element="--agent")
    if target.endswith(".py") and not Path(target).is_file():
        what = "is not a file" if Path(target).exists() else "not found"
        raise RunnerError(f"agent file {what}: {target}", element="--agent")
    return target, cls_name


#: Last line the ``--check`` child prints when the class loaded.
CHECK_OK = "agent-check: ok"
#: Prefix of the lines the ``--check`` child prints before :data:`CHECK_OK`, one per source
#: file of the stack's own modules (:func:`stack_source_files`).
STACK_FILE = "agent-file: "


def stack_source_files(module_names: Iterable[str]) -> list[str]:
    """The source files of the stack's own modules among ``module_names`` (modules in
    ``sys.modules``) and of the modules their source imports only later (inside a function,
    e.g. ``setup()``: :func:`_deferred_imports`): files outside the Python installation
    (``sys.prefix``, ``sys.base_prefix``: the standard library and installed packages) and
    not of this project's packages (``testzone.provenance.PACKAGES``, identified by the
    manifest's ``tool_identity``). Absolute paths, sorted; what the manifest hashes to
    identify the stack under test."""
    out: dict[str, str] = {}
    todo = []
    for name in module_names:
        module = sys.modules.get(name)
        path = _own_source(name, getattr(module, "__file__", None))
        if path:
            out[path] = name
            todo.append((name, getattr(module, "__package__", None) or "", path))
    while todo:   # what the stack's files import in functions, and what those import
        name, package, path = todo.pop()
        for later, later_package, later_path in _deferred_imports(path, package):
            if later_path not in out:
                out[later_path] = later
                todo.append((later, later_package, later_path))
    return sorted(out)


def _own_source(name: str, file: str | None) -> str | None:
    """``file`` resolved when it is the ``.py`` source of a module of the stack's own (see
    :func:`stack_source_files`), else None."""
    from testzone.provenance import PACKAGES
    if name.partition(".")[0] in PACKAGES or not file or not str(file).endswith(".py"):
        return None
    installed = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    path = Path(file).resolve()
    if path.is_file() and not any(path.is_relative_to(root) for root in installed):
        return str(path)
    return None


def _deferred_imports(path: str, package: str) -> list[tuple[str, str, str]]:
    """``(module name, its package, source file)`` of the stack's own modules that the
    source at ``path`` (of a module in ``package``, for relative imports) names in an
    ``import`` statement anywhere, not yet imported: the ones a stack imports inside
    ``setup()`` to load them late. Found with :mod:`ast` and
    :func:`importlib.util.find_spec` (Python reference, 5.2 "Finders and loaders"), which
    does not run the module itself (its parent packages are imported); a name that cannot
    be found, or whose search fails in any way, is left out."""
    try:
        tree = ast.parse(Path(path).read_bytes(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            try:
                base = importlib.util.resolve_name("." * node.level + (node.module or ""),
                                                   package) if node.level else node.module
            except (ImportError, ValueError):
                continue
            if base:
                names += [base] + [f"{base}.{a.name}" for a in node.names if a.name != "*"]
    found = []
    for name in dict.fromkeys(names):
        if name in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except BaseException:  # noqa: BLE001 - a parent package's import may raise anything
            continue
        own = _own_source(name, spec.origin if spec else None)
        if own:
            own_package = name if spec.submodule_search_locations is not None \
                else name.rpartition(".")[0]
            found.append((name, own_package, own))
    return found


def _check_in_child(spec: str, timeout: float) -> list[str]:
    """Import ``spec``'s class in ``python -m runners.agent_host --check`` (its own session,
    so whatever it forks is stopped with it) and turn its outcome into a RunnerError; return
    the stack's source files the child listed."""
    import os
    import signal
    import subprocess
    import sys
    proc = subprocess.Popen([sys.executable, "-m", "runners.agent_host", "--agent", spec,
                             "--check"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        out = None
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
    if out is None:
        raise RunnerError(f"agent {spec}: importing the class did not finish within "
                          f"{timeout:g} s", element="--agent")
    lines = out.strip().splitlines()
    if lines and lines[-1] == CHECK_OK:
        return [ln[len(STACK_FILE):] for ln in lines if ln.startswith(STACK_FILE)]
    if proc.returncode == 2 and lines:
        raise RunnerError(lines[-1], element="--agent")
    raise RunnerError(f"agent {spec}: the process importing it exited with status "
                      f"{proc.returncode} before the class loaded (does its module call "
                      f"exit or os._exit at import?)", element="--agent")


def make_agent(spec: str, step_timeout: float = 1.0, log_path: Any = None,
               memory_limit_bytes: int | None = None) -> Agent:
    """The agent a run uses for ``spec``: reference agents run in the runner's process; any
    other stack runs in its own process behind the ZeroMQ protocol (``zmq://HOST:PORT`` for a
    stack already listening there, ``module:Class`` / ``file.py:Class`` started by us, its
    output in ``log_path`` and its data segment capped at ``memory_limit_bytes``), with a
    per-step deadline of ``step_timeout`` [s].

    Raises:
        RunnerError: the spec names nothing loadable (checked before any process starts).
    """
    from runners.remote_agent import RemoteAgent, spawn_python_agent
    if spec in REFERENCE_AGENTS:
        return REFERENCE_AGENTS[spec]()
    if spec.startswith("zmq://"):
        return RemoteAgent("tcp://" + spec[len("zmq://"):], step_timeout=step_timeout)
    _split_spec(spec)  # the class itself was checked once, in a child, before the run
    return spawn_python_agent(spec, step_timeout=step_timeout, log_path=log_path,
                              memory_limit_bytes=memory_limit_bytes)
