"""What every action class provides, and the run that is complete at once.

An action class is a frozen dataclass with:

* ``ELEMENT``: the OpenSCENARIO element name it is registered under;
* ``PRIVATE``: True for PrivateActions (run once per actor), False for global ones;
* ``DOMAINS``: control domains it occupies (``longitudinal``, ``lateral``); starting it ends
  the action holding the same domain on that entity (esmini ``Event::Start``);
* ``APPLIES_TO_EXTERNAL`` (optional): True when it also acts on externally driven entities
  (otherwise it becomes an ``ego_request`` event);
* ``INITIAL_STATE`` (optional): True when, in Init, it also sets the initial state of
  externally driven entities (SpeedAction: the ego's start speed is part of the test case);
* ``parse(el, ctx)`` (classmethod) and ``start(rt, actor) -> run``; ``run.step(rt, dt)``
  returns True when the action is complete (it is stepped in the step it starts).
"""

from __future__ import annotations

from typing import Any

from scenarios.errors import ScenarioError


def refuse_own_reference(element: str, actor: str, reference: str, role: str) -> None:
    """Raise ScenarioError when an action's reference entity is the entity it acts on: a
    distance to itself is always 0, a master that is itself never arrives first; the
    storyboard would wait forever and the stack under test be blamed for the timeout.

    Args:
        element: the action's element name. actor: the entity it acts on. reference: its
            reference entity. role: the reference's attribute (``entityRef``, ...).
    """
    if actor == reference:
        raise ScenarioError(f"{role}='{reference}' is the entity the action acts on: expected "
                            f"another entity", element=element)


class Done:
    """A run that is complete at its first step (atomic actions)."""

    def step(self, rt: Any, dt: float) -> bool:
        """Nothing to do: complete."""
        return True
