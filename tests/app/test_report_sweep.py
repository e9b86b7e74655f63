"""Issue 12's "done when": a tiny real multirun `reward=unit,ruff seed=0,1` on the default profile
(sized by QUICK) leaves the whole study report in its sweep dir: seed-aggregated results, per-cell
rows, the ruff − unit contrast with its CI and Holm p, flags.json, figures and report.html."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from appcli import QUICK, explain, run_app

from rlvr_sweeps.report.html import REPORT_HTML

EVAL_TASKS = int(next(o.split("=", 1)[1] for o in QUICK if o.startswith("data.max_eval_tasks=")))


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("report_sweep")
    sweep = cwd / "sweep"
    proc = run_app(["-m", "reward=unit,ruff", "seed=0,1", f"hydra.sweep.dir={sweep}", *QUICK], cwd=cwd, timeout=1200)
    assert proc.returncode == 0, explain(proc)
    return sweep


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_results_aggregate_the_two_seeds_of_each_reward(sweep):
    rows = _rows(sweep / "results.csv")
    assert [r["reward"] for r in rows] == ["unit", "ruff"] and "seed" not in rows[0]
    assert all(r["n_seeds"] == "2" and r["status"] == "ok" and r["ci_method"] == "seeds+problems" for r in rows)
    assert all(float(r["delta_ci95_low"]) <= float(r["delta_pp"]) <= float(r["delta_ci95_high"]) for r in rows)
    assert (sweep / "results.md").is_file() and (sweep / "results.tex").is_file()


@pytest.mark.slow
def test_cells_have_one_row_per_seed(sweep):
    rows = _rows(sweep / "cells.csv")
    assert sorted((r["reward"], r["seed"]) for r in rows) == [("ruff", "0"), ("ruff", "1"), ("unit", "0"), ("unit", "1")]
    assert (sweep / "cells.md").is_file()


@pytest.mark.slow
def test_contrast_ruff_minus_unit_has_a_ci_and_a_holm_p(sweep):
    rows = _rows(sweep / "contrasts.csv")
    assert [r["contrast"] for r in rows] == ["reward: ruff − unit"]
    row = rows[0]
    low, delta, high = (float(row[k]) for k in ("ci95_low", "delta_pp", "ci95_high"))
    assert low <= delta <= high
    assert 0.0 <= float(row["p"]) <= float(row["p_holm"]) <= 1.0
    assert row["n_seeds"] == "2" and int(row["n_tasks"]) == EVAL_TASKS
    assert "reward: ruff − unit" in (sweep / "contrasts.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_flags_figures_and_html_are_written(sweep):
    flags = json.loads((sweep / "flags.json").read_text(encoding="utf-8"))
    assert [e["configuration"] for e in flags["configurations"]] == [{"reward": "unit"}, {"reward": "ruff"}]
    assert "length_ratio" in flags["thresholds"]
    figures = {p.name for p in (sweep / "figures").glob("*.png")}
    assert {"contrasts_forest.png", "length_distributions.png", "transitions.png"} <= figures
    page = (sweep / REPORT_HTML).read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == len(figures) and "reward: ruff − unit" in page


@pytest.mark.slow
def test_the_sweep_logs_its_comparison_as_a_wandb_report_run(sweep):
    """The cells logged to W&B (the default logger, offline here), so the sweep's end adds one
    report run (job_type=report) holding the tables and figures in the sweep dir's wandb/."""
    runs = list((sweep / "wandb").glob("offline-run-*"))
    assert len(runs) == 1, runs
    tables = {p.name.split("_")[0] for p in (runs[0] / "files" / "media" / "table" / "report").glob("*.table.json")}
    assert {"results", "contrasts"} <= tables
    assert list((runs[0] / "files" / "media" / "images" / "report" / "figures").glob("*.png"))
    assert list(runs[0].glob("run-*.wandb"))
