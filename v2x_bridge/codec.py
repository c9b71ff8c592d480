"""UPER codec of the YD/T 3709-2020 message set (T/CSAE 53-2020), and its JSON form.

The ASN.1 module lives in ``v2x_bridge/asn/*.asn`` (one file per group of the standard's
modules, type names and constraints as in YD/T 3709-2020). It is compiled once per process by
:func:`compiled` (``functools.lru_cache``) with ``asn1tools.compile_string(..., 'uper')``;
the compiled specification is also kept on disk (:func:`cache_dir`, keyed by the SHA-256 of the
module text and the asn1tools version) because compiling takes seconds and every Ray worker
process would otherwise pay it again.
Encoding and decoding always check constraints.

Variant ``"2019"`` is the pre-standard release still sent by some deployed RSUs. It differs
from 2020 in seven places (``Link.linkWidth`` OPTIONAL, ``ConnectsToList`` SIZE(1..16),
``NodeList`` SIZE(1..63), ``PathPointList`` SIZE(1..32); ``DHour`` (0..24), ``DTimeOffset``
(-720..721); ``FullPositionVector`` with ``posAccuracy PositionalAccuracy`` and
``posConficence PositionConfidenceSet`` where 2020 has one ``posAccuracy
PositionConfidenceSet``: the 2020 modules DefTime and VehSafetyExt as vendors' 2020 stacks
carry them); it is derived from the 2020 text by :data:`_VARIANT_2019` so there is one source
of truth.

Values are the asn1tools Python form (CHOICE as ``(alternative, value)``, OCTET STRING as
``bytes``, BIT STRING as ``(bytes, nbits)``). :func:`to_json` / :func:`from_json` map them to
the JSON form of the reference frames: OCTET STRING ``{"hex": ...}``, BIT STRING
``{"bits_hex": ..., "nbits": ...}``, CHOICE ``[alternative, value]``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from types import MappingProxyType
from typing import Any

import asn1tools

from v2x_bridge.errors import V2XError

ASN_DIR = Path(__file__).resolve().parent / "asn"
"""Folder of the ASN.1 module files."""

VARIANTS = ("2020", "2019")
"""Known message-set releases: YD/T 3709-2020 and the 2019 pre-standard release."""

FRAME_OF = MappingProxyType({"BSM": "bsmFrame", "MAP": "mapFrame", "RSM": "rsmFrame",
                             "SPAT": "spatFrame", "RSI": "rsiFrame"})
"""MessageFrame alternative of each message type name."""

TYPE_OF = MappingProxyType({v: k for k, v in FRAME_OF.items()})
"""Message type name of each MessageFrame alternative."""

_VARIANT_2019 = {
    "Map.asn": (("linkWidth LaneWidth,", "linkWidth LaneWidth OPTIONAL,"),
                ("ConnectsToList ::= SEQUENCE (SIZE(1..8))", "ConnectsToList ::= SEQUENCE (SIZE(1..16))"),
                ("NodeList ::= SEQUENCE (SIZE(1..32))", "NodeList ::= SEQUENCE (SIZE(1..63))")),
    "RSI.asn": (("PathPointList ::= SEQUENCE (SIZE(2..32))", "PathPointList ::= SEQUENCE (SIZE(1..32))"),),
    "Def.asn": (("DHour ::= INTEGER (0..31)", "DHour ::= INTEGER (0..24)"),
                ("DTimeOffset ::= INTEGER (-840..840)", "DTimeOffset ::= INTEGER (-720..721)")),
    "Vehicle.asn": (("posAccuracy PositionConfidenceSet OPTIONAL,\n        timeConfidence",
                     "posAccuracy PositionalAccuracy OPTIONAL,\n        posConficence "
                     "PositionConfidenceSet OPTIONAL,\n        timeConfidence"),),
}


def _module_text(variant: str) -> str:
    parts = []
    for path in sorted(ASN_DIR.glob("*.asn")):
        text = path.read_text(encoding="utf-8")
        if variant == "2019":
            for old, new in _VARIANT_2019.get(path.name, ()):
                if old not in text:
                    raise V2XError(f"cannot derive the 2019 variant: '{old}' not found",
                                   file=str(path))
                text = text.replace(old, new)
        parts.append(text)
    return "\n".join(parts)


@functools.lru_cache(maxsize=len(VARIANTS))
def compiled(variant: str = "2020") -> Any:
    """Return the compiled UPER specification of a message-set release (cached per process).

    Args:
        variant: ``"2020"`` (YD/T 3709-2020, default) or ``"2019"`` (pre-standard release).

    Raises:
        V2XError: unknown variant, or the ASN.1 files do not compile.
    """
    if variant not in VARIANTS:
        raise V2XError(f"unknown message-set variant {variant!r}, expected one of {VARIANTS}")
    text = _module_text(variant)
    key = hashlib.sha256(f"{asn1tools.__version__}\n{text}".encode()).hexdigest()[:32]
    cached = cache_dir() / f"yd3709-{variant}-{key}.pickle"
    if cached.is_file():
        try:
            with cached.open("rb") as fh:
                return pickle.load(fh)  # our own file, written below from our own module
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass  # a damaged or stale cache entry: compile again
    try:
        spec = asn1tools.compile_string(text, "uper")
    except asn1tools.Error as exc:
        raise V2XError(f"ASN.1 module does not compile: {exc}", file=str(ASN_DIR)) from None
    _store(cached, spec)
    return spec


def cache_dir() -> Path:
    """Folder of the compiled-module cache: ``$TESTZONE_CACHE`` or
    ``$XDG_CACHE_HOME/icv-testzone`` (default ``~/.cache/icv-testzone``)."""
    base = os.environ.get("TESTZONE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "icv-testzone")
    return Path(base)


def _store(path: Path, spec: Any) -> None:
    """Write ``spec`` atomically (rename of a temporary file); a cache we cannot write is
    only a slower start, never an error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(spec, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass


def encode_frame(msg_type: str, value: dict[str, Any], variant: str = "2020") -> bytes:
    """UPER-encode one message as a ``MessageFrame``; constraints are always checked.

    The value is first encoded without asn1tools' Python-type checks (they cost about a third
    of the time and the builders produce the right types); if that fails in any way, it is
    encoded again with them, so the error names the field and what was expected.

    Args:
        msg_type: ``BSM``, ``MAP``, ``RSM``, ``SPAT`` or ``RSI``.
        value: the message in asn1tools form (see module docstring).

    Returns:
        the frame bytes (UPER, padded to whole octets).

    Raises:
        V2XError: unknown type, or a value violates the ASN.1 or has a wrong Python type (the
            message names the field path when asn1tools does).
    """
    if msg_type not in FRAME_OF:
        raise V2XError(f"unknown message type {msg_type!r}, expected one of {tuple(FRAME_OF)}",
                       element="MessageFrame")
    spec, frame = compiled(variant), (FRAME_OF[msg_type], value)
    try:
        return spec.encode("MessageFrame", frame, check_types=False, check_constraints=True)
    except (asn1tools.Error, TypeError, ValueError, AttributeError, KeyError, IndexError):
        pass
    try:
        spec.encode("MessageFrame", frame, check_types=True, check_constraints=True)
    except asn1tools.Error as exc:
        raise V2XError(f"cannot encode: {exc}", element=msg_type) from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        raise V2XError(f"cannot encode: wrong value ({type(exc).__name__}: {exc})",
                       element=msg_type) from None
    raise V2XError("cannot encode: a value of a wrong Python type", element=msg_type)


def decode_frame(data: bytes, variant: str = "2020",
                 strict: bool = True) -> tuple[str, dict[str, Any]]:
    """Decode one UPER ``MessageFrame``.

    With ``strict`` (default) the decoded value is re-encoded and must have the input's length:
    a frame of another release can otherwise "decode" into nonsense without any error (the
    2019 MAP reference frame does). A frame from a later release that uses extension
    additions also fails this check; ``strict=False`` accepts it, dropping the unknown parts.
    A value of an ENUMERATED or an alternative of a CHOICE that a later release added (X.691
    14.3, 23.8) is refused when strict, naming its field path; ``strict=False`` keeps it as
    None / ``(None, None)``.

    Returns:
        ``(msg_type, value)`` with ``msg_type`` one of ``BSM MAP RSM SPAT RSI`` and ``value`` in
        asn1tools form.

    Raises:
        V2XError: empty, truncated or corrupted frame, constraint violation, an extension
            alternative we do not know, a BIT STRING longer than its root size (asn1tools
            cannot decode the size extension), or bytes left over after the frame (the usual
            sign of a frame written with another release of the message set).
    """
    if not data:
        raise V2XError("empty frame", element="MessageFrame")
    spec = compiled(variant)
    try:
        value = spec.decode("MessageFrame", data, check_constraints=True)
        if value[0] is None:
            raise _extension_alternative(data, variant)
        later = _later_release_value(value[1], value[0]) if strict else None
        if later is not None:
            raise V2XError(f"{later}: a value unknown to YD/T 3709-{variant}: an enumeration "
                           f"value or CHOICE alternative a later release added after the "
                           f"extension marker, or a corrupted frame", element="MessageFrame")
        again = spec.encode("MessageFrame", value, check_constraints=True) if strict else data
    except NotImplementedError as exc:
        if "BIT STRING extension" not in str(exc):
            raise _corrupted(data, variant, exc) from None
        raise V2XError(f"frame of {len(data)} bytes holds a BIT STRING longer than its "
                       f"YD/T 3709-{variant} size (a later release's extension, X.691 16.6), "
                       f"which the codec library (asn1tools) cannot decode: not decoded",
                       element="MessageFrame") from None
    except (asn1tools.Error, ValueError, IndexError, KeyError, TypeError, AttributeError,
            OverflowError, RecursionError) as exc:
        raise _corrupted(data, variant, exc) from None
    if len(again) != len(data):
        # UPER is canonical: a frame that decodes but re-encodes to another length carried
        # bytes the 2020 schema did not read (another release, or garbage).
        raise V2XError(f"frame of {len(data)} bytes decodes to a {len(again)}-byte message: not a "
                       f"YD/T 3709-{variant} MessageFrame (other release or corrupted)",
                       element="MessageFrame")
    alt, inner = value
    if alt not in TYPE_OF:
        raise V2XError(f"unsupported MessageFrame alternative {alt!r}", element="MessageFrame")
    return TYPE_OF[alt], inner


def _corrupted(data: bytes, variant: str, exc: BaseException) -> V2XError:
    """The error for bytes asn1tools cannot decode. Its decoder reports some corrupt inputs
    with Python's own exceptions (a length field over 64 bits: NotImplementedError); from
    untrusted bytes they all mean the same: this is not a frame."""
    detail = str(exc) if isinstance(exc, asn1tools.Error) else f"{type(exc).__name__}: {exc}"
    return V2XError(f"truncated or corrupted frame ({len(data)} bytes, YD/T 3709-{variant}): "
                    f"{detail}", element="MessageFrame")


def _later_release_value(value: Any, path: str) -> str | None:
    """Path of the first value a later release added that asn1tools decoded as nothing: an
    ENUMERATED extension value (X.691 14.3) comes out as None, a CHOICE extension alternative
    (23.8) as ``(None, None)``; the message set has no NULL type, so None means only that.
    None when there is none."""
    if value is None or value == (None, None):
        return path
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((f"[{i}]", v) for i, v in enumerate(value))
    elif isinstance(value, tuple) and isinstance(value[0], str):
        items = ((value[0], value[1]),)
    else:
        return None
    for key, v in items:
        found = _later_release_value(v, f"{path}{key}" if key.startswith("[")
                                     else f"{path}.{key}")
        if found is not None:
            return found
    return None


def _extension_alternative(data: bytes, variant: str) -> V2XError:
    """The error for a MessageFrame whose CHOICE is an extension addition (X.691 23.8: the
    extension bit set, then the addition's index as a normally small number, 6 bits when it
    is below 64): a message type added after the five of YD/T 3709, which asn1tools decodes as
    ``(None, None)``."""
    index = data[0] & 0x3F if not data[0] & 0x40 else None
    which = f"extension addition {index}" if index is not None else "an extension addition"
    return V2XError(f"MessageFrame alternative is {which}, after the five YD/T 3709-{variant} "
                    f"defines ({', '.join(FRAME_OF.values())}): a message type of a later "
                    f"message set, not decoded", element="MessageFrame")


def to_json(value: Any) -> Any:
    """Convert an asn1tools value to the JSON form (see module docstring); pure function."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return {"hex": bytes(value).hex()}
    if isinstance(value, tuple):
        first, second = value
        if isinstance(first, (bytes, bytearray)):
            return {"bits_hex": bytes(first).hex(), "nbits": int(second)}
        return [first, to_json(second)]
    return value


def from_json(value: Any) -> Any:
    """Inverse of :func:`to_json`: JSON form back to asn1tools form."""
    if isinstance(value, dict):
        if set(value) == {"hex"}:
            return bytes.fromhex(value["hex"])
        if set(value) == {"bits_hex", "nbits"}:
            return (bytes.fromhex(value["bits_hex"]), int(value["nbits"]))
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) == 2 and isinstance(value[0], str):  # no SEQUENCE OF strings in the set
            return (value[0], from_json(value[1]))
        return [from_json(v) for v in value]
    return value
