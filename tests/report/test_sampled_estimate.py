"""The sampled estimate (eval.n_samples > 0) in the report: per-problem sampled pass rates, their
paired Δ and CI next to the greedy ones in the cell and results tables, and contrasts over them on
request (`--estimate sampled`). Hand-built cells with known outcomes, so the numbers are exact."""

from __future__ import annotations

import pytest
from report_cells import N_SAMPLES, TASKS, CellSpec, Eval, first, write_sweep

from rlvr_sweeps.report import ReportOptions, build_report
from rlvr_sweeps.report.__main__ import main as report_main

# Greedy: base passes 4 tasks, trained 6 (Δ +5 pp over 40). Sampled: the base passes 1 of 4 samples
# on every task, the trained model 2 of 4 on every task (Δ +25 pp, no task-to-task variance).
SAMPLED_BASE = dict.fromkeys(TASKS, 1)
SAMPLED_TRAINED = dict.fromkeys(TASKS, 2)


def _spec(trained_greedy=6, trained_sampled=SAMPLED_TRAINED, sampled=True):
    return CellSpec(Eval(first(4), sampled=SAMPLED_BASE if sampled else {}),
                    Eval(first(trained_greedy), sampled=trained_sampled if sampled else {}))


def _report(tmp_path, cells, **options):
    return build_report([write_sweep(tmp_path / "sweep", cells)], options=ReportOptions(extras=False, **options))


def test_sampled_delta_sits_beside_the_greedy_one(tmp_path):
    report = _report(tmp_path, {(("reward", "unit"), ("seed", "0")): _spec(),
                                (("reward", "unit"), ("seed", "1")): _spec()})
    row = report.results.iloc[0]
    assert row["delta_pp"] == pytest.approx(100 * 2 / 40)  # greedy
    assert row["sampled_base_pass@1"] == pytest.approx(100 / N_SAMPLES)
    assert row["sampled_trained_pass@1"] == pytest.approx(200 / N_SAMPLES)
    assert row["sampled_delta_pp"] == pytest.approx(25.0)
    # every task moves by exactly 1/4: no problem or seed resample can change the mean
    assert row["sampled_ci95_low"] == pytest.approx(25.0) and row["sampled_ci95_high"] == pytest.approx(25.0)
    cells = report.cells
    assert list(cells["sampled_delta_pp"]) == pytest.approx([25.0, 25.0])
    assert "mcnemar_p" in cells.columns and "sampled_mcnemar_p" not in cells.columns  # McNemar is for 0/1 outcomes
    columns = list(cells.columns)
    assert columns.index("delta_pp") < columns.index("sampled_delta_pp") < columns.index("len_mean")


def test_no_sampling_no_sampled_columns(tmp_path):
    report = _report(tmp_path, {(("reward", "unit"),): _spec(sampled=False), (("reward", "ruff"),): _spec(sampled=False)})
    assert not [c for c in report.results.columns if c.startswith("sampled_")]
    assert not [c for c in report.cells.columns if c.startswith("sampled_")]


def test_a_cell_without_sampled_rows_is_left_out_of_the_sampled_analysis_only(tmp_path):
    report = _report(tmp_path, {(("reward", "unit"), ("seed", "0")): _spec(),
                                (("reward", "unit"), ("seed", "1")): _spec(trained_greedy=10, sampled=False)})
    row = report.results.iloc[0]
    assert row["delta_pp"] == pytest.approx(100 * (2 + 6) / 2 / 40)  # both seeds
    assert row["sampled_delta_pp"] == pytest.approx(25.0)  # seed 0 only


def test_contrasts_read_the_estimate_asked_for(tmp_path):
    # greedy: ruff trained passes 6 tasks like unit (Δ 0); sampled: ruff 1/4 everywhere vs unit 2/4 (Δ −25)
    cells = {(("reward", "unit"), ("seed", s)): _spec() for s in "01"}
    cells |= {(("reward", "ruff"), ("seed", s)): _spec(trained_sampled=SAMPLED_BASE) for s in "01"}
    sweep = write_sweep(tmp_path / "sweep", cells)
    greedy = build_report([sweep], options=ReportOptions(extras=False)).contrasts.iloc[0]
    assert greedy["estimate"] == "greedy" and greedy["delta_pp"] == pytest.approx(0.0)
    assert report_main([str(sweep), "--estimate", "sampled", "--no-extras", "-q"]) == 0
    sampled = build_report([sweep], options=ReportOptions(extras=False, estimate="sampled")).contrasts.iloc[0]
    assert sampled["estimate"] == "sampled" and sampled["delta_pp"] == pytest.approx(-25.0)
    assert sampled["ci95_high"] == pytest.approx(-25.0)
