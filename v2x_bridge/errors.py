"""The ``v2x_bridge`` error family."""

from __future__ import annotations

from testzone.errors import TestzoneError


class V2XError(TestzoneError):
    """A V2X message cannot be built, encoded, decoded, sent or received.

    Raised for: SI values outside the range of their YD/T 3709-2020 data element (the error's
    ``element`` names the field, e.g. ``speed``), frames that are truncated, corrupted or not of
    the 2020 message set, bad RSU layout files (``file`` and ``element`` set), transport time-outs.
    """
