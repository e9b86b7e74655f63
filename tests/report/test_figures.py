"""Figures drawn from result files: every expected PNG exists, is a real image, and colours are
stable per configuration."""

from __future__ import annotations

import shutil

import matplotlib.image as mpimg
import numpy as np
import pytest

from rlvr_sweeps.report.figures import cell_view, palette, swept_keys, write_figures

EXPECTED = {"learning_curves.png", "length_distributions.png", "ruff_severity.png", "error_types.png",
            "transitions.png", "contrasts_forest.png"}


def _not_blank(path) -> bool:
    img = mpimg.imread(path)
    return img.ndim == 3 and img.shape[0] > 100 and float(np.std(img[..., :3])) > 0.05


def test_every_figure_is_drawn_and_not_blank(fake_sweep):
    sweep, cells = fake_sweep
    files = write_figures(cells, sweep)
    assert {p.name for p in files} == EXPECTED
    assert all(p.parent == sweep / "figures" and _not_blank(p) for p in files)
    assert not list((sweep / "figures").glob(".*tmp"))  # atomic writes leave no temp file


def test_figures_skip_what_the_files_lack(fake_sweep):
    sweep, cells = fake_sweep
    (sweep / "contrasts.csv").unlink()
    for cell in cells:
        (cell.job_dir / "metrics.jsonl").unlink()
        shutil.rmtree(cell.job_dir / "eval" / "trained")
    names = {p.name for p in write_figures(cells, sweep)}
    assert names == {"ruff_severity.png", "error_types.png"}  # base-only evaluations still draw


def test_configuration_excludes_the_seed_and_colours_are_stable(fake_sweep):
    _sweep, cells = fake_sweep
    swept = swept_keys(cells)
    assert set(swept) == {"reward", "seed"}
    views = [cell_view(c, swept) for c in cells]
    assert sorted({v.config for v in views}) == ["reward=ruff", "reward=unit"]
    assert palette(["b", "a"]) == palette(["a", "b", "a"])


@pytest.mark.parametrize("n", [3, 12, 30])
def test_every_configuration_gets_its_own_colour(n: int) -> None:
    """The study's grid has 12 configurations: with tab10 alone two of its curves shared a colour."""
    colours = palette([f"reward=r{i}" for i in range(n)])
    assert len(colours) == n and len(set(colours.values())) == n


def test_failed_cells_are_not_drawn(fake_sweep):
    sweep, cells = fake_sweep
    for cell in cells:
        cell.status = "failed"
    assert {p.name for p in write_figures(cells, sweep)} == {"contrasts_forest.png"}
