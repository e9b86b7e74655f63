"""The card command's grid (3 rewards x 2 algorithms, a real multirun), sized by QUICK: that the default
profile learns is tests/learning's job."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from appcli import QUICK, explain, finals, run_app

CELLS = {(r, a) for r in ("unit", "ruff", "combined") for a in ("grpo", "gspo")}


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("grid")
    sweep = cwd / "sweep"
    proc = run_app(["-m", "reward=unit,ruff,combined", "algo=grpo,gspo", f"hydra.sweep.dir={sweep}", "logger=wandb", *QUICK],
                   cwd=cwd, timeout=1200)
    return sweep, proc


@pytest.mark.slow
def test_every_cell_finishes_ok(grid):
    sweep, proc = grid
    assert proc.returncode == 0, explain(proc)
    done = finals(sweep)
    assert {(f["choices"]["reward"], f["choices"]["algo"]) for f in done} == CELLS
    assert all(f["status"] == "ok" for f in done), explain(proc)


@pytest.mark.slow
def test_every_cell_is_evaluated_before_and_after(grid):
    for final in finals(grid[0]):
        assert {"base", "trained", "delta_pp"} <= set(final["eval"]), final["job_dir"]
        assert final["eval"]["trained"]["n_tasks"] > 0


@pytest.mark.slow
def test_table_has_one_row_per_cell_with_the_swept_choices(grid):
    sweep, proc = grid
    rows = list(csv.DictReader((sweep / "results.csv").open()))
    assert {(r["reward"], r["algo"]) for r in rows} == CELLS and len(rows) == 6
    assert all(r["status"] == "ok" and r["trained_pass@1"] != "" for r in rows)
    assert "| reward" in proc.stdout  # the table is printed at the end of the sweep


@pytest.mark.slow
def test_each_job_of_the_one_process_sweep_has_its_own_wandb_run(grid):
    runs = [list((Path(f["job_dir"]) / "wandb").glob("offline-run-*")) for f in finals(grid[0])]
    assert len(runs) == 6 and all(len(r) == 1 for r in runs)
    assert len({r[0].name for r in runs}) == 6
