"""report.html is one self-contained file; a real headless Chromium renders it, every figure
decodes, and the screenshot is not blank."""

from __future__ import annotations

import re
import subprocess
import warnings
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

from rlvr_sweeps.report.figures import write_figures
from rlvr_sweeps.report.html import render_html, write_html

BROWSER_SH = Path(__file__).with_name("browser.sh")


@pytest.fixture(scope="session")
def chromium() -> str:
    proc = subprocess.run(["bash", str(BROWSER_SH)], capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        reason = f"SKIPPED LOUDLY: headless Chromium unavailable: {proc.stderr.strip() or proc.returncode}"
        warnings.warn(reason, stacklevel=1)
        print(f"\n*** {reason} ***")
        pytest.skip(reason)
    return proc.stdout.strip().splitlines()[-1]


def _headless(chromium: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--virtual-time-budget=10000", *args], capture_output=True, text=True, timeout=120)


def test_html_is_self_contained_and_holds_every_part(fake_sweep):
    sweep, cells = fake_sweep
    figures = write_figures(cells, sweep)
    path = write_html(sweep)
    text = path.read_text(encoding="utf-8")
    assert path == sweep / "report.html"
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", text)  # nothing fetched from anywhere
    assert text.count("data:image/png;base64,") == len(figures) == 6
    assert "reward: ruff − unit" in text and "length_collapse" in text and "trained_pass@1" in text
    assert text.index("contrasts forest") < text.index("learning curves")  # the reading order


def test_html_says_what_is_missing(tmp_path):
    text = render_html(tmp_path)
    assert "results.csv was not written" in text and "No figures were drawn" in text


def test_chromium_renders_every_figure(fake_sweep, chromium, tmp_path):
    sweep, cells = fake_sweep
    n = len(write_figures(cells, sweep))
    url = write_html(sweep).as_uri()
    dom = _headless(chromium, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert f'data-figures="{n}/{n}"' in dom.stdout, re.findall(r"<body[^>]*>", dom.stdout)
    shot = tmp_path / "report.png"
    proc = _headless(chromium, "--window-size=1280,2400", f"--screenshot={shot}", url)
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    img = mpimg.imread(shot)[..., :3]
    dark = (img.mean(axis=2) < 0.6).mean()
    assert img.shape[:2] == (2400, 1280) and float(np.std(img)) > 0.05 and dark > 0.01  # text and plots, not white
