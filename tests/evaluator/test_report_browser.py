"""report.html in a real browser: headless Chromium renders it and every figure decodes.

A copy of the report gets a probe script that, once the page has loaded, writes on <body> how
many images there are and how many decoded (``complete`` with a non-zero natural width);
``chromium --dump-dom`` returns the DOM after load. Skipped where Chromium is not installed
(``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from runners.cli import app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PROBE = """<script>
window.addEventListener('load', () => {
  const imgs = [...document.images];
  document.body.setAttribute('data-images', imgs.length);
  document.body.setAttribute('data-decoded',
    imgs.filter(i => i.complete && i.naturalWidth > 0).length);
});
</script>"""

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")


def render(html: Path, tmp: Path) -> str:
    probe = tmp / "probe.html"
    probe.write_text(html.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    out = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp / 'profile'}", "--virtual-time-budget=10000",
         "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_report_renders_with_every_figure_and_an_errored_case(tmp_path: Path) -> None:
    bad = tmp_path / "broken.xosc"
    bad.write_text("<OpenSCENARIO><FileHeader revMajor='1' revMinor='1'/>")
    run_dir = tmp_path / "run"
    res = CliRunner().invoke(app, ["run", str(ROOT / "scenarios" / "wuhan" / "cut_in.xosc"),
                                   str(bad), "--workers", "1", "--out", str(run_dir)])
    assert res.exit_code == 2, res.output
    dom = render(run_dir / "report.html", tmp_path)
    images = int(re.search(r'data-images="(\d+)"', dom).group(1))
    decoded = int(re.search(r'data-decoded="(\d+)"', dom).group(1))
    assert images >= 2 and decoded == images
    # the errored case is in the rendered page with its cause
    assert "broken" in dom and "broken.xosc" in dom
