"""Untrusted text made safe for the outputs it ends up in.

Names, messages and paths come from user files and from the stack under test, and may hold
any character. Two outputs cannot take all of them:

* XML 1.0 (``junit.xml``) allows only ``#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
  [#x10000-#x10FFFF]`` (W3C XML 1.0, 2.2 "Characters"); lxml refuses the rest outright, which
  used to lose the whole report;
* a terminal acts on control characters (an ``ESC [`` sequence recolours or moves the cursor;
  a carriage return overwrites the line).

Both functions replace what is not allowed by a visible escape (``\\x1b``, ``\\ufffe``), so
the text stays readable and nothing is silently dropped.
"""

from __future__ import annotations

import re

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 does not allow replaced by its escape
    (``"\\x1b"``); tabs and newlines are kept."""
    return _NOT_XML.sub(_escape, text)


def terminal_safe(text: str) -> str:
    """``text`` with control characters (C0 but tab and newline, DEL, C1), lone surrogates and
    the non-characters U+FFFE/U+FFFF replaced by their escapes, for a line on a terminal."""
    return _NOT_PRINTABLE.sub(_escape, text)


_LINE_BREAKS = re.compile("[\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Unicode line and paragraph separators (``str.splitlines`` and many viewers break lines
there) and the bidirectional overrides and isolates (they reorder what a terminal shows)."""


def one_line(text: object) -> str:
    """``str(text)`` made safe as a cell or item of a line of terminal text:
    :func:`terminal_safe`, and newlines, tabs, the Unicode line separators and the
    bidirectional controls escaped too, so a name read from a run folder or a map cannot
    start a line of its own (a fake table row) or reorder one."""
    text = terminal_safe(str(text)).replace("\n", "\\n").replace("\t", "\\t")
    return _LINE_BREAKS.sub(_escape, text)


def readable_path(path: object) -> str:
    """``path`` as text even when its bytes are not UTF-8 (a file made on another system):
    the undecodable bytes shown as ``\\xe9``. The same as ``str(path)`` for any other path."""
    import os
    return os.fsencode(path).decode("utf-8", "backslashreplace")  # type: ignore[arg-type]


def is_utf8_path(path: object) -> bool:
    """Whether ``path``'s name is valid UTF-8 (lxml, JSON and HTML need it to be)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
