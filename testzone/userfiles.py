"""Reading a file a user named: a regular file, of bounded size, or a clear error.

``Path.read_text`` on ``/dev/zero`` reads until memory runs out, and on a FIFO waits for a
writer forever. Files given on the command line or found in a run folder (agent configs,
result files) are read through :func:`read_regular` instead.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from testzone.errors import TestzoneError, not_a_file


class UserFileError(TestzoneError):
    """A file named by the user is missing, not a regular file, or too large."""


def read_regular(path: str | os.PathLike, what: str, max_bytes: int) -> bytes:
    """The bytes of ``path`` when it is a regular file (after symlinks) of at most
    ``max_bytes`` bytes.

    Raises:
        UserFileError: missing, a folder, a device or FIFO, larger than ``max_bytes``, or
            unreadable (the message names ``what`` and the file).
    """
    p = Path(path)
    try:
        st = os.stat(p)
    except OSError:
        raise UserFileError(not_a_file(what, p, name_path=False), file=str(p)) from None
    if not stat.S_ISREG(st.st_mode):
        raise UserFileError(not_a_file(what, p, name_path=False), file=str(p))
    if st.st_size > max_bytes:
        raise UserFileError(f"{what} is {st.st_size} bytes, more than the {max_bytes} accepted",
                            file=str(p))
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise UserFileError(f"cannot read {what} ({exc.strerror})", file=str(p)) from None
    if len(data) > max_bytes:
        raise UserFileError(f"{what} grew beyond the {max_bytes} bytes accepted", file=str(p))
    return data
