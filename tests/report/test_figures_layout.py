"""Figures of a paper-sized grid stay laid out (no panel squeezed to nothing by its legend), and the
forest plot's labels carry the fixed choices of each contrast however pandas types the columns."""

from __future__ import annotations

import warnings

from report_cells import TASKS, CellSpec, Eval, write_sweep

from rlvr_sweeps.report.figures import contrast_label, read_contrasts, write_figures
from rlvr_sweeps.sweep.cell import gather_cells


def test_two_dozen_configurations_keep_every_figure_laid_out(tmp_path):
    few = tuple(TASKS[:8])
    cells = {(("reward", r), ("lora.r", str(k))): CellSpec(Eval(few[:2], tasks=few), Eval(few[: 1 + k % 7], tasks=few))
             for r in ("unit", "ruff", "combined") for k in range(8)}
    sweep = write_sweep(tmp_path / "sweep", cells)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns when constrained layout collapses a panel
        files = write_figures(gather_cells(sweep), sweep)
    assert {p.name for p in files} >= {"learning_curves.png", "length_distributions.png", "transitions.png"}


def test_forest_labels_carry_the_fixed_choices_numeric_ones_too(tmp_path):
    csv = tmp_path / "contrasts.csv"
    csv.write_text("contrast,group,option,reference,model,lora.r,delta_pp,ci95_low,ci95_high,p,p_holm,n_tasks,n_seeds,"
                   "n_pairs\nreward: ruff − unit,reward,ruff,unit,qwen,8,-1.5,-2.5,0,0.1,0.2,40,2,1\n"
                   "lora.r: 16 − 8,lora.r,16,8,qwen,,1,0,2,0.3,0.3,40,2,1\n", encoding="utf-8")
    frame, fixed = read_contrasts(csv)
    assert fixed == ["model", "lora.r"] and frame["delta_pp"].dtype.kind == "f"
    labels = [contrast_label(row, fixed) for _, row in frame.iterrows()]
    assert labels == ["reward: ruff − unit  [model=qwen, lora.r=8]", "lora.r: 16 − 8  [model=qwen]"]
