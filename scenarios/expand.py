"""``testzone scenario expand``: write one concrete .xosc per variant of a distribution.

Each output is the distribution's ScenarioFile, byte for byte, except:

* the ``value`` of each global ``ParameterDeclaration`` the variant sets;
* relative paths (every ``filepath`` attribute: LogicFile, SceneGraphFile, ...; every
  ``Directory@path`` of CatalogLocations) rewritten relative to the output folder, so they
  still resolve from there (``$parameter`` paths are left as they are);
* one ``<!-- icv-testzone expand: ... -->`` comment after the XML declaration naming the
  distribution, the variant index, the seed and the parameter values.

Files are named ``<scenario stem>-<index:03d>.xosc``; ``index.json`` beside them lists the
distribution, scenario, seed and, per variant, the file and its parameter values. Expanding
again into the same folder replaces the earlier expansion: the variant files its
``index.json`` lists, that this one does not rewrite and that carry the comment are removed.

The edit is done on the raw bytes: start tags are found by a scanner that skips comments,
CDATA, processing instructions and the DOCTYPE, and are matched one to one with the elements
lxml parsed (same order, same tags), so nothing else of the file changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from scenarios.distribution import Distribution, check_declared, read_distribution
from scenarios.errors import ScenarioError
from scenarios.expressions import format_value
from scenarios.xmlsource import child, children, declared_name, parse_xml

_ATTR = rb"""\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*')"""
_SCAN = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^>\[]|\[.*?\])*>"
                   rb"|(?P<tag><(?P<name>[A-Za-z_][\w.\-:]*)(?:" + _ATTR + rb")*\s*/?>)",
                   re.DOTALL)
_XML_DECL = re.compile(rb"^(\xef\xbb\xbf)?<\?xml.*?\?>", re.DOTALL)
_INT_TYPES = ("integer", "unsignedInt", "unsignedShort")


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: bytes


def start_tags(data: bytes, root: etree._Element) -> dict[etree._Element, tuple[int, int]]:
    """Map each element of ``root`` (parsed from ``data``) to its start tag's byte span.

    Raises:
        ScenarioError: the scanner and the parser disagree (an unusual construct).
    """
    spans = [(m.group("name"), m.start("tag"), m.end("tag"))
             for m in _SCAN.finditer(data) if m.group("tag")]
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    if len(spans) != len(elements) or any(
            name.decode("ascii", "replace").split(":")[-1] != etree.QName(e).localname
            for (name, _, _), e in zip(spans, elements)):
        raise ScenarioError("cannot match the start tags of the file with its elements",
                            file=root.base)
    return {e: (s, t) for e, (_, s, t) in zip(elements, spans)}


def _attr_edit(data: bytes, span: tuple[int, int], attr: str, value: str,
               encoding: str, file: str | None = None, element: str | None = None) -> _Edit:
    tag = data[span[0]:span[1]]
    m = re.search(rb"\s" + re.escape(attr.encode()) + rb"\s*=\s*(\"([^\"]*)\"|'([^']*)')", tag)
    if m is None:
        raise ScenarioError(f"attribute '{attr}' not found (expand sets it for each variant)",
                            file=file, line=data.count(b"\n", 0, span[0]) + 1, element=element)
    quote = m.group(1)[:1].decode()
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(quote, {
        '"': "&quot;", "'": "&apos;"}[quote])
    body = m.start(2) if m.group(2) is not None else m.start(3)
    end = m.end(2) if m.group(2) is not None else m.end(3)
    return _Edit(span[0] + body, span[0] + end,
                 text.encode(encoding, "xmlcharrefreplace"))


def _apply(data: bytes, edits: list[_Edit]) -> bytes:
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        data = data[:e.start] + e.text + data[e.end:]
    return data


def value_text(value: Any, ptype: str) -> str:
    """The attribute text of a parameter value of OpenSCENARIO type ``ptype``: integral
    floats of integer types without '.0', floats in their shortest round-trip form."""
    if isinstance(value, float) and ptype in _INT_TYPES and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return format_value(value) if not isinstance(value, str) else value


def json_value(value: Any, ptype: str) -> Any:
    """A parameter value for ``index.json``: a JSON number or boolean for the numeric and
    boolean types (integral floats of integer types as integers), as the run's manifest and
    summary hold the values of a distribution run; text otherwise."""
    if isinstance(value, float) and ptype in _INT_TYPES and value.is_integer():
        return int(value)
    if isinstance(value, (bool, int, float)) and ptype != "string":
        return value
    return value_text(value, ptype)


def _path_edits(data: bytes, tags: Mapping[etree._Element, tuple[int, int]],
                src_dir: Path, out_dir: Path, encoding: str) -> list[_Edit]:
    edits = []
    for el, span in tags.items():
        attr = "filepath" if el.get("filepath") is not None else \
            "path" if el.tag == "Directory" else None
        raw = el.get(attr) if attr else None
        if raw is None or raw.strip().startswith("$") or Path(raw).is_absolute():
            continue
        target, here = (src_dir / raw).resolve(), out_dir.resolve()
        shared = os.path.commonpath([target, here]) != target.anchor
        new = Path(os.path.relpath(target, here)).as_posix() if shared else target.as_posix()
        edits.append(_attr_edit(data, span, attr, new, encoding))
    return edits


COMMENT_START = "<!-- icv-testzone expand: "
"""How the comment a variant file carries begins (after the XML declaration): what marks a
file this module wrote."""


def _comment(dist: Distribution, index: int, params: Mapping[str, str]) -> str:
    seed = f", seed {dist.seed}" if dist.seed is not None else ""
    values = ", ".join(f"{k}={v}" for k, v in params.items())
    text = f"variant {index} of {dist.path}{seed}; parameters: {values}"
    return COMMENT_START + text.replace("--", "- -") + " -->"


def _with_comment(data: bytes, comment: str, encoding: str) -> bytes:
    raw = comment.encode(encoding, "replace")
    m = _XML_DECL.match(data)
    if m is not None:
        return data[:m.end()] + b"\n" + raw + data[m.end():]
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    return bom + raw + b"\n" + data[len(bom):]


def write_variants(dist_path: str | Path, out_dir: str | Path,
                   seed: int | None = None) -> list[dict[str, Any]]:
    """Expand ``dist_path`` and write one concrete scenario per variant into ``out_dir``.

    Returns:
        the ``variants`` list written to ``index.json``: ``{"index", "file", "sha256",
        "parameters"}`` (``sha256`` of the file as written; values typed by
        :func:`json_value`: numbers as numbers, as a run's summary has them).

    Raises:
        ScenarioError: as :func:`scenarios.distribution.read_distribution`; a varied
            parameter not declared in the scenario's global ParameterDeclarations, or declared
            without a ``value``; a scenario in UTF-16/32. Checked for every variant before any
            file is written.
    """
    dist = read_distribution(dist_path, seed)
    scenario = Path(dist.scenario_file)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = scenario.read_bytes()
    root = parse_xml(scenario)
    encoding = root.getroottree().docinfo.encoding or "utf-8"
    if encoding.upper().replace("-", "").startswith(("UTF16", "UTF32", "UCS2", "UCS4")):
        raise ScenarioError(f"the file is {encoding}: expand edits files in UTF-8 (or another "
                            f"encoding where ASCII is one byte a character); convert it",
                            file=str(scenario))
    tags = start_tags(data, root)
    base = _apply(data, _path_edits(data, tags, scenario.parent, out, encoding))
    tags = start_tags(base, root)
    decls = child(root, "ParameterDeclarations")
    declared = {declared_name(d): d for d in children(decls, "ParameterDeclaration")} \
        if decls is not None else {}
    check_declared(dist)  # every variant checked before any file is written
    for name in sorted({k for params in dist.sets for k in params}):
        _attr_edit(base, tags[declared[name]], "value", "", encoding, str(scenario),
                   "ParameterDeclaration")
    listing = []
    for index, params in enumerate(dist.sets):
        texts = {k: value_text(v, declared[k].get("parameterType", "string"))
                 for k, v in params.items()}
        edits = [_attr_edit(base, tags[declared[k]], "value", t, encoding)
                 for k, t in texts.items()]
        body = _with_comment(_apply(base, edits), _comment(dist, index, texts), encoding)
        name = f"{scenario.stem}-{index:03d}.xosc"
        (out / name).write_bytes(body)
        typed = {k: json_value(v, declared[k].get("parameterType", "string"))
                 for k, v in params.items()}
        listing.append({"index": index, "file": name,
                        "sha256": hashlib.sha256(body).hexdigest(), "parameters": typed})
    _remove_earlier_variants(out, {v["file"] for v in listing},
                             (Path(dist_path), scenario))
    index_doc = {"distribution": dist.path, "scenario": dist.scenario_file, "kind": dist.kind,
                 "seed": dist.seed, "variants": listing}
    (out / "index.json").write_text(json.dumps(index_doc, indent=2) + "\n", encoding="utf-8")
    return listing


def _remove_earlier_variants(out: Path, kept: set[str], sources: tuple[Path, ...]) -> None:
    """Remove the variant files an earlier expansion into ``out`` wrote that this one did not
    rewrite, so ``testzone run out`` runs this expansion only (new-user pass 9: two
    expansions into one folder ran 6 cases, 2 of them stale and without parameters). A file
    goes only when the earlier ``index.json`` lists it by a plain ``.xosc`` name in ``out``,
    it is a regular file (not a link), it is not one of ``sources`` (the distribution and its
    ScenarioFile), and it begins with the comment expand writes: a hand-edited index never
    removes a user's file (hostile pass 9). An unreadable index removes nothing."""
    try:
        doc = json.loads((out / "index.json").read_text(encoding="utf-8"))
        earlier = [v["file"] for v in doc["variants"]]
    except (OSError, ValueError, RecursionError, KeyError, TypeError):
        return
    protected = {os.path.realpath(p) for p in sources}
    for name in earlier:
        if not isinstance(name, str) or name in kept or not name.endswith(".xosc") \
                or Path(name).name != name:
            continue
        old = out / name
        if not old.is_file() or old.is_symlink() or os.path.realpath(old) in protected:
            continue
        try:
            with open(old, "rb") as fh:
                head = fh.read(4096)
        except OSError:
            continue
        if COMMENT_START.encode("ascii") not in head:
            continue
        old.unlink()