"""The ``maps`` error family and validation issues.

Every error names the file, source line and OpenDRIVE element concerned (see
:class:`testzone.errors.TestzoneError`).
"""

from __future__ import annotations

from dataclasses import dataclass

from testzone.errors import TestzoneError


class MapsError(TestzoneError):
    """An OpenDRIVE file cannot be read or a road query is impossible.

    Raised for: missing file, a directory or other non-regular file, not XML, wrong root
    element, OpenDRIVE revMajor other than 1, numbers beyond road scale (|value| > 1e9,
    curvature beyond 10 1/m), roads of length <= 0, lane ids of the wrong sign for their side
    or repeated in a lane section, inconsistent geometry lengths, links to missing
    roads/junctions, lane sections beyond the road length, negative lane widths, unknown road
    or lane ids in queries.
    """


@dataclass(frozen=True)
class Issue:
    """One finding of :func:`maps.check_opendrive`.

    Attributes:
        severity: ``"error"`` (the file cannot be used) or ``"warning"`` (usable, but suspect).
        message: what is wrong and what was expected.
        file: the .xodr path.
        line: 1-based source line, or None.
        element: the OpenDRIVE element name (``road``, ``geometry``, ``link``...), or None.
    """

    severity: str
    message: str
    file: str | None = None
    line: int | None = None
    element: str | None = None

    def format(self) -> str:
        """Return ``file:line: severity: <element>: message``, the form of ``scenario check``
        (``scenarios.check.Issue.format``), so the two checks' lines read alike."""
        where = (f"{self.file}:{self.line}: " if self.file and self.line
                 else f"{self.file}: " if self.file else "")
        elem = f"<{self.element}>: " if self.element else ""
        return f"{where}{self.severity}: {elem}{self.message}"
