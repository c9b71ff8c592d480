"""Frames from the air through `testzone v2x decode` (a subprocess, as a user runs it).

Promise: V2X input is untrusted; truncated, corrupted or absurd input ends in one `error:` line
that says what is wrong, exit 2, no traceback, promptly.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def decode(*args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200")
    start = time.monotonic()
    try:
        res = subprocess.run([sys.executable, "-m", "runners.cli", "v2x", "decode", *args],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"v2x decode {args[0][:40]} did not finish within {timeout:.0f} s")
    return res, time.monotonic() - start


def assert_rejected(res: subprocess.CompletedProcess) -> str:
    out = res.stdout + res.stderr
    assert "Traceback" not in out, out[-2000:]
    assert res.returncode == 2, (res.returncode, out[-2000:])
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, res.stderr
    return errors[0]


def test_missing_file_says_the_file_is_missing(tmp_path: Path) -> None:
    # observed: "error: <frame>: expected an even number of hex digits" for a path that does
    # not exist (the path is taken as hex); the user is not told the file is missing
    missing = tmp_path / "capture.hex"
    line = assert_rejected(decode(str(missing))[0])
    assert "capture.hex" in line and ("not found" in line or "no such file" in line.lower()), line


def test_directory_is_not_taken_for_hex(tmp_path: Path) -> None:
    # observed: "error: <frame>: expected an even number of hex digits"
    line = assert_rejected(decode(str(tmp_path))[0])
    assert str(tmp_path.name) in line and "hex digits" not in line, line


def test_empty_argument_says_the_frame_is_empty() -> None:
    # observed: "error: <frame>: expected an even number of hex digits" (zero digits is even)
    line = assert_rejected(decode("")[0])
    assert "empty" in line, line


def test_huge_capture_is_refused_promptly(tmp_path: Path) -> None:
    # observed: a 40 MB hex file (20 MB "frame") still running after 60 s; a 1 MB one took 20 s
    # to say "truncated or corrupted"; a MessageFrame is at most a few kB
    big = tmp_path / "big.hex"
    chunk = os.urandom(1 << 20).hex()
    with big.open("w") as fh:
        for _ in range(20):
            fh.write(chunk)
    res, elapsed = decode(str(big), timeout=120)
    assert_rejected(res)
    assert elapsed < 30, f"took {elapsed:.1f} s"


def test_dev_null_is_refused_as_not_a_file_of_frames() -> None:
    # every file a user names is read by testzone.userfiles.read_regular: devices are refused
    line = assert_rejected(decode("/dev/null")[0])
    assert "not a regular file" in line and "hex digits" not in line, line


def test_an_empty_file_says_the_frame_is_empty(tmp_path) -> None:
    (tmp_path / "empty.hex").write_bytes(b"")
    line = assert_rejected(decode(str(tmp_path / "empty.hex"))[0])
    assert "empty" in line and "hex digits" not in line, line


def test_a_2019_frame_decoded_as_2020_suggests_the_2019_variant() -> None:
    from reference_data import V2X
    frame = V2X / "map_rsu_frame.uper.hex"  # a 2019-release MAP (tests/v2x_bridge)
    line = assert_rejected(decode(str(frame))[0])
    assert "--variant 2019" in line, line
    res, _ = decode(str(frame), "--variant", "2019")
    assert res.returncode == 0 and '"msg_type": "MAP"' in res.stdout, res.stderr


def test_hex_byte_by_byte_and_bad_digits(tmp_path: Path) -> None:
    """Hostile pass 10: a frame written byte by byte (`0x20, 0x13, ...`, as C arrays and
    "copy as hex" give it) was read as raw bytes and called corrupted; `zz` was said to have
    an odd number of digits."""
    from v2x_bridge.cli import read_frame_arg
    frame = ROOT.parent / "shared" / "reference" / "v2x" / "spat_rsu_frame.uper.hex"
    raw = bytes.fromhex("".join(frame.read_text().split()))
    listed = tmp_path / "bytes.hex"
    listed.write_text(", ".join(f"0x{b:02X}" for b in raw) + "\n")
    assert read_frame_arg(str(listed)) == raw
    assert read_frame_arg(" ".join(f"0x{b:02x}" for b in raw[:4])) == raw[:4]
    # verify pass 10: colons (Wireshark) and C escapes were read as raw bytes
    assert read_frame_arg(":".join(f"{b:02x}" for b in raw[:4])) == raw[:4]
    assert read_frame_arg("".join(f"\\x{b:02x}" for b in raw[:4])) == raw[:4]
    # hostile pass 11: bytes below 0x10 written with one digit (`0x0, 0x4`, as printf("%x")
    # writes them) were run into the next token
    short = tmp_path / "short.hex"
    short.write_text(", ".join(f"0x{b:x}" for b in raw))
    assert read_frame_arg(str(short)) == raw and any(b < 16 for b in raw)
    assert read_frame_arg(":".join(f"{b:x}" for b in raw)) == raw
    line = assert_rejected(decode("zz")[0])
    assert "no such file, and not a frame in hex" in line and "odd" not in line, line
    (tmp_path / "bad.hex").write_text("20 13 zz")
    line = assert_rejected(decode(str(tmp_path / "bad.hex"))[0])
    assert "bad.hex" in line, line
    (tmp_path / "odd.hex").write_text("0x2013a")
    line = assert_rejected(decode(str(tmp_path / "odd.hex"))[0])
    assert "an odd number of hex digits (5)" in line, line
