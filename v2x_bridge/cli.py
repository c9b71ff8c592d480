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
import string
import sys
import time
from pathlib import Path
from typing import Any

import typer

from v2x_bridge import codec
from v2x_bridge.errors import V2XError
from v2x_bridge.transport import DEFAULT_ENDPOINT, Subscriber

app = typer.Typer(help="YD/T 3709-2020 V2X frames: decode, listen.", no_args_is_help=True,
                  add_completion=False)


def _parse_hex(text: str, where: str) -> bytes:
    clean = "".join(text.split())
    if clean[:2].lower() == "0x":
        clean = clean[2:]
    if not clean or len(clean) % 2 or any(c not in string.hexdigits for c in clean):
        raise V2XError("expected an even number of hex digits", element=where)
    return bytes.fromhex(clean)


def read_frame_arg(hex_or_file: str) -> bytes:
    """Bytes of a frame given as hex text or as a path (file of raw bytes or of hex text).

    Raises:
        V2XError: neither an existing file nor valid hex.
    """
    path = Path(hex_or_file)
    try:
        is_file = path.is_file()
    except OSError:  # e.g. a long hex string is not a valid file name
        is_file = False
    if is_file:
        raw = path.read_bytes()
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            return raw
        if text.strip() and all(c in string.hexdigits + string.whitespace + "xX" for c in text):
            return _parse_hex(text, str(path))
        return raw
    return _parse_hex(hex_or_file, "frame")


def decode_command(hex_or_file: str, variant: str = "2020", lenient: bool = False) -> dict[str, Any]:
    """Decode one frame; returns ``{"variant", "msg_type", "bytes", "value"}`` (JSON form).

    ``lenient`` skips the re-encoding length check (see :func:`v2x_bridge.codec.decode_frame`).

    Raises:
        V2XError: bad input, truncated or corrupted frame.
    """
    data = read_frame_arg(hex_or_file)
    msg_type, value = codec.decode_frame(data, variant, strict=not lenient)
    return {"variant": variant, "msg_type": msg_type, "bytes": len(data),
            "value": codec.to_json(value)}


def listen_command(endpoint: str = DEFAULT_ENDPOINT, count: int = 10,
                   timeout: float = 5.0) -> list[dict[str, Any]]:
    """Receive up to ``count`` frames from a bridge publisher within ``timeout`` [s, wall clock].

    Each item: ``{"t", "rsu", "msg_type", "bytes", "value"}`` (value in JSON form, or
    ``{"error": ...}`` for a frame that does not decode).

    Raises:
        V2XError: nothing received before the time-out.
    """
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    with Subscriber(endpoint) as sub:
        while len(out) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            frame = sub.receive(left)
            if frame is None:
                break
            item: dict[str, Any] = {"t": frame.sim_t, "rsu": frame.rsu_id,
                                    "msg_type": frame.msg_type, "bytes": len(frame.payload)}
            try:
                item["value"] = codec.to_json(codec.decode_frame(frame.payload)[1])
            except V2XError as exc:
                item["value"] = {"error": str(exc)}
            out.append(item)
    if not out:
        raise V2XError(f"no frame received from {endpoint} within {timeout:g} s",
                       element="listen")
    return out


def _fail(exc: V2XError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(code=2)


@app.command("decode")
def decode_cli(hex_or_file: str = typer.Argument(..., help="frame as hex, or a file"),
               variant: str = typer.Option("2020", help="message-set release: 2020 or 2019"),
               lenient: bool = typer.Option(False, help="accept frames with unread bytes")) -> None:
    """Decode one UPER MessageFrame and print it as JSON."""
    try:
        result = decode_command(hex_or_file, variant, lenient)
    except V2XError as exc:
        _fail(exc)
    typer.echo(json.dumps(result, indent=1))


@app.command("listen")
def listen_cli(endpoint: str = typer.Option(DEFAULT_ENDPOINT, help="publisher endpoint"),
               count: int = typer.Option(10, min=1, help="frames to receive"),
               timeout: float = typer.Option(5.0, min=0.0, help="seconds to wait in total")) -> None:
    """Print frames published by a running bridge, one JSON object a line."""
    try:
        for item in listen_command(endpoint, count, timeout):
            typer.echo(json.dumps(item, separators=(",", ":")))
    except V2XError as exc:
        _fail(exc)


def main() -> None:  # pragma: no cover - convenience entry for `python -m v2x_bridge.cli`
    """Run :data:`app` (for ``python -m v2x_bridge.cli``)."""
    app(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    main()
