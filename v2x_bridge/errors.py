"""The ``v2x_bridge`` error family."""

from __future__ import annotations

from pathlib import Path

from testzone.errors import TestzoneError


class V2XError(TestzoneError):
    """A V2X message cannot be built, encoded, decoded, sent or received.

    Raised for: SI values outside the range of their YD/T 3709-2020 data element (the error's
    ``element`` names the field, e.g. ``speed``), frames that are truncated, corrupted or not of
    the 2020 message set, bad RSU layout files (``file`` and ``element`` set), transport time-outs.
    """


def read_user_file(path: str | Path, what: str, max_bytes: int) -> bytes:
    """:func:`testzone.userfiles.read_regular` for the bridge's own files (frame files, RSU
    layouts): the bytes of a regular file of at most ``max_bytes`` bytes.

    Raises:
        V2XError: missing, not a regular file, larger than ``max_bytes`` or unreadable (the
            message names ``what``; ``file`` is the path).
    """
    from testzone.userfiles import UserFileError, read_regular
    try:
        return read_regular(path, what, max_bytes)
    except UserFileError as exc:
        raise V2XError(exc.message, file=exc.file) from None
