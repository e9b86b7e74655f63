"""Contrasts between configurations: for every swept group with two or more options, each option
against a reference option (default: the first listed), trained vs trained.

Within each combination of the other swept choices (per model, per LoRA rank, ...) and pooled over
them: per-problem pass rates averaged over each side's seeds, paired by task id (the task sets
must be equal), Δpp = mean over problems of option − reference, a hierarchical bootstrap CI
(problems resampled once for both sides; seeds resampled jointly when both sides ran the same
seeds, since a seed fixes the warm start and the data order that both sides share, else each
side's seeds independently: column `seed_pairing`), a p-value (column `p_test`: a z-test on that
same bootstrap's standard error when a side has several seeds, so that the p carries the seeds' variance as the CI
does; a Wilcoxon signed-rank p over the per-problem differences when both sides have one seed,
where problems are the only noise), and that p adjusted across the whole family of rows (Holm by
default, Benjamini-Hochberg as an option). The pooled row averages the per-combination
differences, so each combination weighs the same; it is only written when there are several.
The per-problem pass rates are the greedy ones unless the report is asked for the sampled
estimate (`--estimate sampled`, column `estimate`; `load.Estimate`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .aggregate import SEED_KEY, Configuration
from .load import Estimate
from .stats import (
    adjust,
    bootstrap_p,
    bootstrap_stats,
    common_tasks,
    paired_test_p,
    percentile_ci,
    task_matrix,
)

POOLED = "*"  # the value of a fixed-choice column in a pooled row
OWN_COLUMNS = ("contrast", "group", "option", "reference", "delta_pp", "ci95_low", "ci95_high", "p", "p_test",
               "n_tasks", "n_seeds", "n_pairs", "seed_pairing", "estimate")  # besides the fixed choices and p_<correction>
MINUS = "−"


def _trained_by_seed(conf: Configuration, estimate: Estimate) -> dict[str, dict[str, float]]:
    """The trained model's per-task outcomes of each ok seed that has them, keyed by the seed."""
    return {c.cell.params.get(SEED_KEY, ""): rates for c in conf.ok if "trained" in c.evals
            and (rates := c.evals["trained"].pass_rates(estimate))}


def _row(group: str, option: str, reference: str, fixed: dict[str, str],
         pairs: list[tuple[Configuration, Configuration]], estimate: Estimate) -> dict[str, Any] | None:
    """One contrast over one or several (option, reference) configuration pairs."""
    runs = [(_trained_by_seed(a, estimate), _trained_by_seed(r, estimate)) for a, r in pairs]
    runs = [(a, r) for a, r in runs if a and r]
    if not runs:
        return None
    tasks = common_tasks([run for a, r in runs for run in (*a.values(), *r.values())],
                         f"{group}: {option} {MINUS} {reference}")
    if not tasks:
        return None
    arms, diffs, paired = [], np.zeros(len(tasks)), []
    for a, r in runs:
        ma, mr = task_matrix(list(a.values()), tasks), task_matrix(list(r.values()), tasks)
        diffs += (ma.mean(axis=0) - mr.mean(axis=0)) / len(runs)
        paired.append(len(a) > 1 and a.keys() == r.keys())
        if paired[-1]:  # one arm of per-seed differences: a seed's shared warm start cancels out
            order = sorted(a)
            arms.append((task_matrix([a[k] for k in order], tasks) - task_matrix([r[k] for k in order], tasks),
                         1 / len(runs)))
        else:
            arms += [(ma, 1 / len(runs)), (mr, -1 / len(runs))]
    stats = bootstrap_stats(arms)
    low, high = percentile_ci(stats)
    several_seeds = max(max(len(a), len(r)) for a, r in runs) > 1
    return {
        "contrast": f"{group}: {option} {MINUS} {reference}",
        "group": group,
        "option": option,
        "reference": reference,
        **fixed,
        "delta_pp": 100 * float(diffs.mean()),
        "ci95_low": 100 * low,
        "ci95_high": 100 * high,
        "p": bootstrap_p(stats, float(diffs.mean())) if several_seeds else paired_test_p(diffs),
        "p_test": "bootstrap" if several_seeds else "wilcoxon",
        "n_tasks": len(tasks),
        "n_seeds": min(min(len(a), len(r)) for a, r in runs),
        "n_pairs": len(runs),
        "seed_pairing": "paired" if all(paired) else "independent" if not any(paired) else "mixed",
        "estimate": estimate.value,
    }


def build_contrasts(keys: list[str], confs: list[Configuration], reference: dict[str, str] | None = None,
                    correction: str = "holm", estimate: Estimate = Estimate.greedy) -> pd.DataFrame:
    reference, estimate = reference or {}, Estimate(estimate)
    rows: list[dict[str, Any]] = []
    for group in keys:
        options = list(dict.fromkeys(c.choices[group] for c in confs if c.choices.get(group) is not None))
        if len(options) < 2:
            continue
        ref = reference.get(group, options[0])
        if ref not in options:
            raise ValueError(f"reference {group}={ref} is not among the swept options {options}")
        others = [k for k in keys if k != group]
        by_fixed: dict[tuple, dict[str, Configuration]] = {}
        for conf in confs:
            by_fixed.setdefault(tuple(conf.choices.get(k) for k in others), {})[conf.choices[group]] = conf
        for option in (o for o in options if o != ref):
            pairs = [(fixed, sides[option], sides[ref]) for fixed, sides in by_fixed.items()
                     if option in sides and ref in sides]
            for fixed, a, r in pairs:
                row = _row(group, option, ref, dict(zip(others, fixed, strict=True)), [(a, r)], estimate)
                rows += [row] if row else []
            if len(pairs) > 1:
                row = _row(group, option, ref, dict.fromkeys(others, POOLED), [(a, r) for _, a, r in pairs], estimate)
                rows += [row] if row else []
    column = f"p_{correction}"
    frame = pd.DataFrame(rows)
    if frame.empty:
        own = list(OWN_COLUMNS)
        return pd.DataFrame(columns=[*own[:4], *keys, *own[4:8], column, *own[8:]])
    frame.insert(list(frame.columns).index("p") + 1, column, adjust(list(frame["p"]), correction))
    return frame
