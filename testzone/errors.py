"""The project's exception base.

Each package derives its own family from :class:`TestzoneError` (``MapsError``,
``ScenarioError``, ``RunnerError``, ``V2XError``, ``EvaluationError``). The CLI turns any
``TestzoneError`` into one line on stderr and an exit status (see ``docs/cli.md``).
"""

from __future__ import annotations

#: Longest message kept [characters]: a message quoting a value from an untrusted file (a
#: 100 000-digit number) is cut in the middle, so an error stays one readable line.
MAX_MESSAGE = 1000


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` with its middle replaced by `` ... (N characters) ... `` when longer than
    ``limit`` characters (its start and end, which name what and where, are kept)."""
    if len(text) <= limit:
        return text
    keep = max(limit // 2 - 20, 1)
    return f"{text[:keep]} ... ({len(text) - 2 * keep} characters) ... {text[-keep:]}"


class TestzoneError(Exception):
    """Base of every error the project raises on purpose.

    Args:
        message: what is wrong and what was expected.
        file: the input file concerned, if any.
        line: 1-based line in ``file``, if known.
        element: the XML element or field concerned (e.g. ``LanePosition`` or ``SPAT.intersections``).

    ``str(err)`` gives ``file:line: element: message`` with the missing parts left out, so every
    error names where it comes from; a message over :data:`MAX_MESSAGE` characters is
    shortened in the middle (:func:`shorten`).
    """

    __test__ = False  # not a pytest test class despite its name

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 element: str | None = None) -> None:
        self.message = shorten(str(message))
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


def not_a_file(what: str, path: object, *, name_path: bool = True) -> str:
    """The message for ``what`` (e.g. ``"LogicFile"``) whose ``path`` is not a readable
    regular file: ``"LogicFile not found: P"``, or ``"LogicFile is a directory, expected a
    file: P"`` when a folder is there (``": P"`` left out when ``name_path`` is False, for an
    error that names the file already)."""
    import os
    if os.path.isdir(str(path)):
        message = f"{what} is a directory, expected a file"
    elif os.path.exists(str(path)):
        message = f"{what} is not a regular file"
    else:
        message = f"{what} not found"
    return f"{message}: {path}" if name_path else message
