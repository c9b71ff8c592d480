"""Reading a file a user named: a regular file, of bounded size, or a clear error.

``Path.read_text`` on ``/dev/zero`` reads until memory runs out, and on a FIFO waits for a
writer forever. Files given on the command line or found in a run folder (agent configs,
result files) are read through :func:`read_regular` instead, and JSON a user wrote through
:func:`parse_user_json`, which turns every way such text can fail into one error.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

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
        with open(p, "rb") as fh:   # read(n) allocates n bytes first: ask for what is there
            data = fh.read(min(st.st_size, max_bytes) + 1)
    except OSError as exc:
        raise UserFileError(f"cannot read {what} ({exc.strerror})", file=str(p)) from None
    if len(data) > max_bytes or len(data) > st.st_size:
        raise UserFileError(f"{what} grew while it was read (beyond the {st.st_size} bytes it "
                            f"had)", file=str(p))
    return data


class UserJsonError(ValueError):
    """JSON text a user wrote that cannot be read. ``reason``: what is wrong (with the
    parser's message); ``line``: its line when the parser knows it, else None."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def parse_user_json(text: str | bytes) -> Any:
    """``json.loads`` for text a user wrote (agent configs, RSU layouts, RSI contents, score
    weights, hand-edited run files).

    Raises:
        UserJsonError: not UTF-8, invalid JSON (the parser's message and line), an object
            giving one key twice (the later value would win in silence; RFC 8259 4: names
            should be unique), an integer longer than Python converts
            (``sys.get_int_max_str_digits``, 4300 digits by default, a ValueError that is no
            JSONDecodeError), or nesting past the recursion limit.
    """
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except _RepeatedKey as exc:
        raise UserJsonError(f"key {exc.args[0]!r} is given twice in one object") from None
    except UnicodeDecodeError as exc:
        raise UserJsonError(f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise UserJsonError(f"invalid JSON ({exc.msg})", exc.lineno) from None
    except ValueError:
        raise UserJsonError("a number with more digits than can be read") from None
    except RecursionError:
        raise UserJsonError("JSON nested too deeply") from None


class _RepeatedKey(Exception):
    """A JSON object gave one key twice (raised inside ``json.loads``)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``' object hook: the pairs as a dict; _RepeatedKey for a repeated key."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _RepeatedKey(key)
        out[key] = value
    return out


def is_finite_number(value: Any, limit: float) -> bool:
    """True when ``value`` is an ``int`` or ``float`` (not ``bool``), finite, with
    ``|value| <= limit``. Never raises (huge ints are compared as ints)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, int):
        return abs(value) <= limit
    return math.isfinite(value) and abs(value) <= limit


def shown(value: Any, width: int = 40) -> str:
    """``repr(value)`` cut to ``width`` characters for an error message."""
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."
