"""``UserDefinedAction/CustomCommandAction`` (ASAM OpenSCENARIO 1.x): a command for the
simulation environment, passed on as ``Event(t, "custom_command", {"type", "content"})``.

The test zone uses it to script V2X messages (e.g. ``type="V2X.RSI"`` with a JSON content the
V2X bridge reads); the storyboard does not interpret the content.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from scenarios.actions.base import Done
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime


@dataclass(frozen=True)
class CustomCommandAction:
    """``CustomCommandAction``: ``type`` attribute and the element text as content."""

    ELEMENT = "CustomCommandAction"
    PRIVATE = False
    type: str
    content: str

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> CustomCommandAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "type", str), (el.text or "").strip())

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Emit the command as a ``custom_command`` event; complete at once."""
        rt.emit("custom_command", {"type": self.type, "content": self.content})
        return Done()


CUSTOM_ACTIONS = (CustomCommandAction,)
