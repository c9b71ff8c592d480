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
* ``REFERENCE`` (optional): ``(XML attribute, field)`` of the entity a PrivateAction keeps a
  distance to or synchronises with; that entity may not be one it acts on
  (:func:`refuse_own_reference`, checked on reading against the Actors and on starting);
* ``parse(el, ctx)`` (classmethod) and ``start(rt, actor) -> run``; ``run.step(rt, dt)``
  returns True when the action is complete (it is stepped in the step it starts).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scenarios.errors import ScenarioError


def refuse_own_reference(spec: Any, actors: Iterable[str]) -> None:
    """Raise ScenarioError when the reference entity of ``spec`` (its ``REFERENCE``; specs
    without one pass) is among ``actors``, the entities it acts on: a distance to itself is
    always 0, a master that is itself never arrives first; the storyboard would wait forever
    and the stack under test be blamed for the timeout.

    Raises:
        ScenarioError: naming the attribute (``entityRef``, ``masterEntityRef``), the entity
            and the action element.
    """
    reference = getattr(spec, "REFERENCE", None)
    if reference is None:
        return
    role, field_name = reference
    entity = getattr(spec, field_name)
    if entity in tuple(actors):
        raise ScenarioError(f"{role}='{entity}' is an entity the action acts on: expected "
                            f"another entity", element=spec.ELEMENT)


class Done:
    """A run that is complete at its first step (atomic actions)."""

    def step(self, rt: Any, dt: float) -> bool:
        """Nothing to do: complete."""
        return True
