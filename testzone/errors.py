"""The project's exception base.

Each package derives its own family from :class:`TestzoneError` (``MapsError``,
``ScenarioError``, ``RunnerError``, ``V2XError``, ``EvaluationError``). The CLI turns any
``TestzoneError`` into one line on stderr and an exit status (see ``docs/cli.md``).
"""

from __future__ import annotations


class TestzoneError(Exception):
    """Base of every error the project raises on purpose.

    Args:
        message: what is wrong and what was expected.
        file: the input file concerned, if any.
        line: 1-based line in ``file``, if known.
        element: the XML element or field concerned (e.g. ``LanePosition`` or ``SPAT.intersections``).

    ``str(err)`` gives ``file:line: element: message`` with the missing parts left out, so every
    error names where it comes from.
    """

    __test__ = False  # not a pytest test class despite its name

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 element: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.element = element
        super().__init__(self.format())

    def format(self) -> str:
        """Return the one-line form ``file:line: element: message``."""
        where = ""
        if self.file:
            where = str(self.file)
            if self.line:
                where += f":{self.line}"
            where += ": "
        elem = f"<{self.element}>: " if self.element else ""
        return f"{where}{elem}{self.message}"
