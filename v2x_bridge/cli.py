"""Command functions for ``testzone v2x`` (the lead mounts :data:`app` under the main CLI).

* ``testzone v2x decode HEX_OR_FILE [--variant 2020|2019]``: decode one UPER MessageFrame
  given as hex text or as a file (raw bytes, or hex text); prints the JSON form.
* ``testzone v2x listen [--endpoint tcp://127.0.0.1:5556] [--count N] [--timeout S]``: print
  the frames a bridge publishes, one JSON object a line.

A :class:`V2XError` (truncated or corrupted frame, bad hex, time-out with nothing received)
becomes one line on stderr and exit status 2.
"""

from __future__ import annotations

import json
import re
import string
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import typer

from testzone.text import terminal_safe

from v2x_bridge import codec
from v2x_bridge.errors import V2XError, read_user_file
from v2x_bridge.transport import DEFAULT_ENDPOINT, Subscriber, refuse_inproc

app = typer.Typer(rich_markup_mode="markdown", help="YD/T 3709-2020 V2X frames: decode, listen.", no_args_is_help=True,
                  add_completion=False)


#: Largest frame accepted [bytes]. A YD/T 3709 MessageFrame is at most a few kB (a MAP of a
#: large junction stays well under this); anything bigger is not one frame.
MAX_FRAME_BYTES = 64 * 1024
#: Largest file read [bytes]: a frame of MAX_FRAME_BYTES as hex text, with whitespace.
MAX_FILE_BYTES = 4 * MAX_FRAME_BYTES
_HEX_TEXT = set(string.hexdigits + string.whitespace)


def _hex_digits(text: str) -> str:
    """``text`` without whitespace, commas, colons and ``0x`` / ``\\x`` prefixes: a frame may
    be written as one run of digits (``2013a0...``), with one ``0x`` in front, or byte by byte
    as C arrays, escaped strings and Wireshark's "copy as hex" write it (``0x20, 0x13``,
    ``\\x20\\x13``, ``20:13``). Written byte by byte (more than one token), a token of one
    digit is one byte (``0x4`` is ``04``, as C reads it), not half of the next."""
    tokens = [t[2:] if t[:2].lower() in ("0x", "\\x") else t
              for t in re.split(r"[\s,:]+|(?=\\x)", text.strip()) if t]
    if len(tokens) > 1:
        tokens = [t.rjust(2, "0") if len(t) == 1 else t for t in tokens]
    return "".join(tokens)


def _is_hex_text(text: str) -> bool:
    """Only hex digits once whitespace, commas and ``0x`` prefixes are left out."""
    clean = _hex_digits(text)
    return bool(clean) and all(c in string.hexdigits for c in clean)


def _parse_hex(text: str, where: str, file: str | None = None) -> bytes:
    clean = _hex_digits(text)
    if not clean:
        raise V2XError("empty frame: no hex digits", file=file, element=where)
    bad = next((i for i, c in enumerate(clean) if c not in string.hexdigits), None)
    if bad is not None:
        raise V2XError(f"'{clean[bad]}' is not a hex digit (digit {bad + 1})", file=file,
                       element=where)
    if len(clean) % 2:
        raise V2XError(f"an odd number of hex digits ({len(clean)}): expected two per byte",
                       file=file, element=where)
    return _check_size(bytes.fromhex(clean), file)


def _check_size(data: bytes, file: str | None) -> bytes:
    """``data`` if it can be one frame: not empty, at most :data:`MAX_FRAME_BYTES`."""
    if not data:
        raise V2XError("empty frame", file=file, element="frame")
    if len(data) > MAX_FRAME_BYTES:
        raise V2XError(f"{len(data)} bytes: larger than any MessageFrame (at most "
                       f"{MAX_FRAME_BYTES} bytes accepted)", file=file, element="frame")
    return data


def _read_file(path: Path) -> bytes:
    """A frame file's bytes (raw, or hex text decoded); a file too big to hold one frame is
    refused before it is read (:func:`testzone.userfiles.read_regular`)."""
    raw = read_user_file(path, "a frame file", MAX_FILE_BYTES)
    try:  # hex text saved by an editor may start with a UTF-8 byte order mark
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("ascii")
    except UnicodeDecodeError:
        return _check_size(raw, str(path))
    if text.strip() and _is_hex_text(text):
        return _parse_hex(text, "frame", str(path))
    return _check_size(raw, str(path))


def read_frame_arg(hex_or_file: str) -> bytes:
    """Bytes of a frame given as hex text or as a path (file of raw bytes or of hex text).

    An argument naming an existing path is read as a file; one of hex digits only is a frame
    in hex; anything else is taken for a file name that does not exist.

    Raises:
        V2XError: empty argument or file, a directory, a missing file, bad hex, or more bytes
            than one frame can have (:data:`MAX_FRAME_BYTES`).
    """
    if not hex_or_file.strip():
        raise V2XError("empty frame: give the frame as hex digits or a file", element="frame")
    path = Path(hex_or_file)
    try:
        exists = path.exists()
    except OSError:  # e.g. a long hex string is not a valid file name
        exists = False
    if exists:
        return _read_file(path)
    if _is_hex_text(hex_or_file):
        return _parse_hex(hex_or_file, "frame")
    if any(c in hex_or_file for c in "/\\."):
        raise V2XError("file not found", file=hex_or_file)
    raise V2XError("no such file, and not a frame in hex: expected hex digits, two per byte "
                   "(whitespace, commas and 0x prefixes allowed)", element="frame")


def decode_command(hex_or_file: str, variant: str = "2020", lenient: bool = False) -> dict[str, Any]:
    """Decode one frame; returns ``{"variant", "msg_type", "bytes", "value"}`` (JSON form),
    with ``"warning"`` when the frame also reads as the other release, differently
    (:func:`other_release_note`).

    ``lenient`` skips the re-encoding length check (see :func:`v2x_bridge.codec.decode_frame`).
    A frame that fails but decodes another way gets a hint in the error
    (:func:`decode_payload`).

    Raises:
        V2XError: bad input, truncated or corrupted frame.
    """
    data = read_frame_arg(hex_or_file)
    try:
        file = hex_or_file if Path(hex_or_file).exists() else None
    except OSError:
        file = None
    try:
        msg_type, value = decode_payload(data, variant, lenient)
    except V2XError as exc:
        raise V2XError(exc.message, file=exc.file or file, line=exc.line,
                       element=exc.element) from None
    out = {"variant": variant, "msg_type": msg_type, "bytes": len(data), "value": value}
    note = other_release_note(data, variant, lenient, value)
    return {**out, "warning": note} if note else out


def other_release_note(data: bytes, variant: str, lenient: bool, value: Any) -> str:
    """A warning when ``data``, decoded as ``variant`` to ``value`` (JSON form), also decodes
    as the other release, to another value: a 2019 BSM whose path history starts with a
    FullPositionVector can read as a 2020 one, wrongly, with nothing left over (verify pass
    12: 12 of 192 such frames). Empty when the frame reads one way only."""
    other = next(v for v in codec.VARIANTS if v != variant)
    try:
        _, again = codec.decode_frame(data, other, strict=not lenient)
    except V2XError:
        return ""
    if codec.to_json(again) == value:
        return ""
    return (f"this frame also decodes as the {other} release, to other values: if the sender "
            f"uses the {other} message set, decode with --variant {other}")


def decode_payload(data: bytes, variant: str = "2020",
                   lenient: bool = False) -> tuple[str, Any]:
    """``(msg_type, value in JSON form)`` of one UPER MessageFrame
    (:func:`v2x_bridge.codec.decode_frame`, strict unless ``lenient``).

    Raises:
        V2XError: the frame does not decode; the message ends with a hint when it decodes
            as the 2019 release (``--variant 2019``) or only without the length check
            (``--lenient``: a later release's extension additions, or another message set).
    """
    try:
        msg_type, value = codec.decode_frame(data, variant, strict=not lenient)
    except V2XError as exc:
        hint = ""
        if variant == "2020" and _decodes_as(data, "2019", lenient):
            hint = "; it decodes as the 2019 release: try --variant 2019"
        elif not lenient and _decodes_as(data, variant, True):
            hint = ("; --lenient decodes it, leaving the rest unread (right for a later "
                    "release's extension additions, such as the Day II set's; wrong for a "
                    "frame of another message set)")
        raise V2XError(exc.message + hint, file=exc.file, line=exc.line,
                       element=exc.element) from None
    return msg_type, codec.to_json(value)


def _decodes_as(data: bytes, variant: str, lenient: bool) -> bool:
    """True when ``data`` decodes as a MessageFrame of ``variant``."""
    try:
        codec.decode_frame(data, variant, strict=not lenient)
    except V2XError:
        return False
    return True


def listen_command(endpoint: str = DEFAULT_ENDPOINT, count: int = 10,
                   timeout: float = 5.0, variant: str = "2020",
                   lenient: bool = False) -> Iterator[dict[str, Any]]:
    """Receive up to ``count`` frames from a bridge publisher within ``timeout`` [s, wall
    clock], yielding each as it arrives.

    Each item: ``{"t", "rsu", "msg_type", "bytes", "value"}`` (value in JSON form, decoded
    as :func:`decode_payload` does with ``variant`` and ``lenient``, or ``{"error": ...}`` for
    a frame that does not decode); a frame whose transport header is
    malformed is ``{"error": ...}`` alone; a frame that also reads as the other release,
    differently, carries a ``"warning"`` (:func:`other_release_note`); a lost connection to
    the publisher is ``{"warning": ...}`` alone (it stopped, or sent a frame ZeroMQ refuses as
    too big, :meth:`Subscriber.dropped_connections`), not counted. A bad frame never ends the
    stream.

    Raises:
        V2XError: nothing received before the time-out.
    """
    received = dropped = 0
    deadline = time.monotonic() + timeout
    with Subscriber(endpoint) as sub:
        while received < count:
            lost = sub.dropped_connections()
            if lost:
                dropped += lost
                yield {"warning": f"the connection to {endpoint} was lost: the publisher "
                                  f"stopped, or sent a frame part over {sub.max_part_bytes} "
                                  f"bytes (dropped unread); connecting again"}
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                frame = sub.receive(min(left, LISTEN_SLICE_S))
            except V2XError as exc:
                received += 1
                yield {"error": str(exc)}
                continue
            if frame is None:
                continue
            received += 1
            item: dict[str, Any] = {"t": frame.sim_t, "rsu": frame.rsu_id,
                                    "msg_type": frame.msg_type, "bytes": len(frame.payload)}
            try:
                item["value"] = decode_payload(frame.payload, variant, lenient)[1]
                note = other_release_note(frame.payload, variant, lenient, item["value"])
                if note:
                    item["warning"] = note
            except V2XError as exc:
                item["value"] = {"error": str(exc)}
            yield item
    if not received:
        lost = f" (the connection was lost {dropped} time(s))" if dropped else ""
        raise V2XError(f"no frame received from {endpoint} within {timeout:g} s{lost}",
                       element="listen")


#: How long ``listen`` waits for a frame before it looks for a lost connection [s].
LISTEN_SLICE_S = 0.2


#: Longest ``listen --timeout`` [s] (a day; the poll takes milliseconds as a C int).
MAX_LISTEN_S = 86400.0


def _fail(exc: V2XError) -> None:
    typer.echo(terminal_safe(f"error: {exc}"), err=True)
    raise typer.Exit(code=2)


@app.command("decode")
def decode_cli(hex_or_file: str = typer.Argument(..., help="frame as hex, or a file"),
               variant: str = typer.Option("2020", help="message-set release: 2020 or 2019"),
               lenient: bool = typer.Option(
                   False, help="accept a frame whose decoded value re-encodes shorter (a later "
                               "release's extension additions, dropped)")) -> None:
    """Decode one UPER MessageFrame and print it as JSON."""
    try:
        result = decode_command(hex_or_file, variant, lenient)
    except V2XError as exc:
        _fail(exc)
    typer.echo(json.dumps(result, indent=1))


@app.command("listen")
def listen_cli(endpoint: str = typer.Option(DEFAULT_ENDPOINT, help="publisher endpoint"),
               count: int = typer.Option(10, min=1, help="frames to receive"),
               timeout: float = typer.Option(5.0, min=0.0, max=MAX_LISTEN_S,
                                             help="seconds to wait in total"),
               variant: str = typer.Option("2020", help="message-set release: 2020 or 2019"),
               lenient: bool = typer.Option(
                   False, help="accept frames whose decoded value re-encodes shorter (a later "
                               "release's extension additions, dropped)")) -> None:
    """Print frames published by a running bridge, one JSON object a line."""
    try:
        refuse_inproc(endpoint, "cannot listen on")
        codec.compiled(variant)                 # an unknown variant: before any frame
        for item in listen_command(endpoint, count, timeout, variant, lenient):
            typer.echo(json.dumps(item, separators=(",", ":")))
    except V2XError as exc:
        _fail(exc)


def main() -> None:  # pragma: no cover - convenience entry for `python -m v2x_bridge.cli`
    """Run :data:`app` (for ``python -m v2x_bridge.cli``)."""
    app(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    main()
