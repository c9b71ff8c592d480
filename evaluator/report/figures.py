"""A case's report figures: drawn once, where the case ran, and stored beside its recording.

Drawing the bird's-eye view and the timelines costs about 0.5 s per case (matplotlib layout
and PNG encoding), more than many cases take to simulate. The runner therefore draws them in
the worker that ran the case (:func:`save_case_figures`, called by ``runners.case.run_case``),
so they are drawn in parallel, and the report only embeds the stored PNGs
(:func:`load_case_figures`). The stored set names the SHA-256 of the recording it was drawn
from; a set that does not match the recording now on disk (or is missing or damaged) is
ignored and the report draws the figures itself.

Files in the case folder::

    figures.json     {"format", "recording_sha256", "agent", "note", "figures": [{"title", "file"}]}
    figure-1.png ... one PNG per figure, in page order
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from testzone.errors import TestzoneError
from testzone.recording import Recording

from evaluator.case import CaseResult
from evaluator.report.birdseye import trajectory_figure
from evaluator.report.plots import png_bytes, quiet_missing_glyphs
from evaluator.report.timelines import timeline_figure

#: The figures of a case section: (title, function of (recording, result, network)).
CASE_FIGURES: tuple[tuple[str, Callable[[Recording, CaseResult, Any], Any]], ...] = (
    ("Bird's-eye trajectories", trajectory_figure),
    ("Timelines", timeline_figure),
)
#: Name of the stored set's index file inside a case folder.
FIGURES_FILE = "figures.json"
#: Version of the stored set's layout; another version is ignored (redrawn).
FIGURES_FORMAT = 1
#: Largest ``figures.json`` read [bytes] (a real one is well under 1 kB).
MAX_INDEX_BYTES = 1 << 20
#: Largest stored figure read [bytes] (a real one is about 100 kB).
MAX_FIGURE_BYTES = 32 << 20
#: Most figures a stored set may list (the page has :data:`CASE_FIGURES`).
MAX_STORED_FIGURES = 16
#: The first bytes of every PNG file.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class CaseFigures:
    """The figures of one case as the page embeds them.

    Attributes:
        images: (title, PNG bytes) pairs in page order.
        note: why some or all figures are missing ("" when all were drawn).
        agent: the agent identity of the recording's header (``name``, ``version``, ``spec``).
    """

    images: list[tuple[str, bytes]] = field(default_factory=list)
    note: str = ""
    agent: dict[str, Any] = field(default_factory=dict)

    def base64_images(self) -> list[tuple[str, str]]:
        """(title, base64 PNG) pairs for ``data:`` URIs."""
        return [(t, base64.b64encode(png).decode("ascii")) for t, png in self.images]


def draw_png(title: str, draw: Callable[[], Any]) -> tuple[bytes | None, str]:
    """``(PNG bytes, "")`` of the figure ``draw()`` returns, or ``(None, note)`` when it cannot
    be drawn: a figure is an illustration of data already judged, so its failure (damaged or
    non-finite data, a matplotlib limit) becomes a note in the page and never costs the
    report. Missing glyphs are drawn as boxes, without warnings (:func:`quiet_missing_glyphs`)."""
    try:
        with quiet_missing_glyphs():
            return png_bytes(draw()), ""
    except TestzoneError as exc:
        return None, f"{title} not drawn: {exc}"
    except Exception as exc:  # noqa: BLE001 - any drawing failure is reported in the page
        return None, f"{title} not drawn: {type(exc).__name__}: {exc}"


def draw_case_figures(res: CaseResult, rec: Recording | None, net: Any) -> CaseFigures:
    """Draw every figure of :data:`CASE_FIGURES` for one case, each on its own
    (:func:`draw_png`); ``net`` is the road network or None (lanes then not drawn)."""
    if rec is None:
        return CaseFigures(note="No recording available: figures not drawn.")
    agent = rec.agent_identity()
    if not rec.header.ego or not rec.frames:
        return CaseFigures(note="The recording has no ego frames: figures not drawn.",
                           agent=agent)
    out = CaseFigures(agent=agent)
    notes = []
    for title, figure in CASE_FIGURES:
        png, note = draw_png(title, lambda: figure(rec, res, net))
        if png is not None:
            out.images.append((title, png))
        if note:
            notes.append(note)
    out.note = " ".join(notes)
    return out


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes.

    Raises:
        OSError: the file cannot be read.
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_case_figures(folder: str | Path, res: CaseResult, rec: Recording, net: Any,
                      recording_path: str | Path) -> bool:
    """Draw the case's figures and store them in ``folder`` (layout in the module doc), tied to
    the SHA-256 of ``recording_path`` (the file ``rec`` was written to). Returns True when
    stored; False when the set could not be written (the report then draws the figures
    itself), so a failure here never costs the case."""
    folder = Path(folder)
    try:
        figs = draw_case_figures(res, rec, net)
        entries = []
        for k, (title, png) in enumerate(figs.images, 1):
            name = f"figure-{k}.png"
            (folder / name).write_bytes(png)
            entries.append({"title": title, "file": name})
        index = {"format": FIGURES_FORMAT, "recording_sha256": file_sha256(Path(recording_path)),
                 "agent": figs.agent, "note": figs.note, "figures": entries}
        tmp = folder / (FIGURES_FILE + ".tmp")
        tmp.write_text(json.dumps(index, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, folder / FIGURES_FILE)
        return True
    except (OSError, TypeError, ValueError):
        return False


def load_case_figures(recording_path: str | Path) -> CaseFigures | None:
    """The stored figures of the recording at ``recording_path`` (read from its folder), or
    None when there is no stored set, it is damaged, of another format, or drawn from other
    bytes than the recording now holds (SHA-256 compared).

    Every file is read only when it is a regular file (after symlinks) within its limit
    (:func:`testzone.userfiles.read_regular`): ``figures.json`` up to
    :data:`MAX_INDEX_BYTES`, at most :data:`MAX_STORED_FIGURES` figures of up to
    :data:`MAX_FIGURE_BYTES` each, each starting with the PNG signature. A FIFO or a link
    to ``/dev/zero`` in their place makes the set unusable (the report draws the figures
    itself) instead of hanging the report or filling the memory.
    """
    from testzone.userfiles import read_regular
    recording_path = Path(recording_path)
    folder = recording_path.parent
    try:
        index = json.loads(read_regular(folder / FIGURES_FILE, FIGURES_FILE, MAX_INDEX_BYTES)
                           .decode("utf-8"))
        if not isinstance(index, dict) or index.get("format") != FIGURES_FORMAT:
            return None
        entries = index["figures"]
        if not isinstance(entries, list) or len(entries) > MAX_STORED_FIGURES:
            return None
        if not recording_path.is_file():  # a FIFO would block the hash
            return None
        if index.get("recording_sha256") != file_sha256(recording_path):
            return None
        images = []
        for entry in entries:
            name = Path(str(entry["file"])).name  # never outside the case folder
            png = read_regular(folder / name, "stored figure", MAX_FIGURE_BYTES)
            if not png.startswith(PNG_SIGNATURE):
                return None
            images.append((str(entry["title"]), png))
        agent = index.get("agent")
        return CaseFigures(images, str(index.get("note", "")),
                           agent if isinstance(agent, dict) else {})
    except (TestzoneError, OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
