"""The ``scenarios`` error family.

Every error names the file, source line and OpenSCENARIO element concerned and what was
expected (see :class:`testzone.errors.TestzoneError` for the one-line format).
"""

from __future__ import annotations

from testzone.errors import TestzoneError


class ScenarioError(TestzoneError):
    """An OpenSCENARIO file cannot be read, or a scenario cannot be run.

    Raised for: missing file, invalid XML, wrong root element, unsupported revision, unknown
    ``$parameter``, bad ``${expression}``, missing catalog entry, missing LogicFile, references
    to unknown entities or storyboard elements, positions off the road network.
    """


class UnsupportedElementError(ScenarioError):
    """A valid OpenSCENARIO element this player does not implement (yet).

    The message names the element; ``docs/scenarios.md`` lists what is supported.
    """
