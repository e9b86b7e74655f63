"""Paired uncertainty of a pass@1 difference, from per-problem results only.

Base and trained are evaluated on the same problems, so the honest comparison is paired: resample
problems (not completions) with replacement and recompute the mean difference (a percentile
bootstrap CI), and an exact McNemar test on the discordant problems (base passes / trained fails
vs the reverse). With 10-500 problems a +5 pp change is often inside the noise; the table says so.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

BOOTSTRAP_RESAMPLES = 2000
CONFIDENCE = 0.95
SEED = 0  # fixed: rebuilding the report gives the same interval


def per_task_pass(rows: Iterable[Mapping[str, Any]], mode: str = "greedy") -> dict[str, float]:
    """Mean of `passed` per task over the rows of one decoding mode (greedy: one row per task;
    a row without a mode is greedy, as older files wrote them)."""
    by_task: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        if r.get("mode", "greedy") == mode and "task_id" in r and "passed" in r:
            by_task[str(r["task_id"])].append(bool(r["passed"]))
    return {t: sum(v) / len(v) for t, v in by_task.items()}


def mcnemar_exact_p(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for b, c discordant pairs (binomial(b+c, 1/2))."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)


def paired_delta(base: Mapping[str, float], trained: Mapping[str, float]) -> dict[str, float] | None:
    """Δ (percentage points) of trained minus base over the tasks both evaluated, its bootstrap CI
    and McNemar's p; None when they share no task."""
    tasks = sorted(set(base) & set(trained))
    if not tasks:
        return None
    diffs = np.array([trained[t] - base[t] for t in tasks], dtype=float)
    n = len(diffs)
    low, high = percentile_ci(np.einsum("bt,t->b", _task_weights(n, BOOTSTRAP_RESAMPLES, SEED), diffs))
    b = sum(1 for t in tasks if base[t] >= 0.5 > trained[t])  # lost
    c = sum(1 for t in tasks if trained[t] >= 0.5 > base[t])  # gained
    return {
        "n_tasks": n,
        "delta_pp": 100 * float(diffs.mean()),
        "ci_low_pp": 100 * float(low),
        "ci_high_pp": 100 * float(high),
        "gained": c,
        "lost": b,
        "mcnemar_p": mcnemar_exact_p(b, c),
    }


# ---------------------------------------------------------------- seeds and problems (crossed design)


def task_matrix(runs: Sequence[Mapping[str, float]], tasks: Sequence[str]) -> np.ndarray:
    """seeds × tasks array of per-task values (every run must hold every task)."""
    return np.array([[run[t] for t in tasks] for run in runs], dtype=float).reshape(len(runs), len(tasks))


def common_tasks(runs: Sequence[Mapping[str, float]], what: str) -> list[str]:
    """The one task set of several runs; a mismatch is an error (a paired comparison over
    different problems would compare the problems, not the cells)."""
    sets = [frozenset(r) for r in runs]
    if not sets or not sets[0]:
        return []
    if any(s != sets[0] for s in sets[1:]):
        sizes = sorted({len(s) for s in sets})
        raise ValueError(f"{what}: the runs were evaluated on different task sets (sizes {sizes}); "
                         "evaluate every cell on the same split and max_eval_tasks")
    return sorted(sets[0])


def bootstrap_stats(
    arms: Sequence[tuple[np.ndarray, float]], resamples: int = BOOTSTRAP_RESAMPLES, seed: int = SEED
) -> np.ndarray:
    """Bootstrap distribution of Σ w·mean(arm) over arms of seeds × tasks arrays sharing one task axis.

    Hierarchical, for a crossed design (every seed evaluated on the same problems): each replicate
    resamples the seeds of every arm with replacement (training-seed variance, the main noise of
    small-model RL), then resamples the problems once, shared by all arms (the same test set is a
    sample of problems for everyone). An arm with one seed contributes problem noise only.

    Computed as each seed's mean under each problem resample (resamples × seeds), weighted by the
    seed multiplicities: never a resamples × tasks temporary per arm, and einsum rather than a BLAS
    product, whose threads spin and slow down several-fold when the cores are shared."""
    n_tasks = arms[0][0].shape[1]
    problems = _task_weights(n_tasks, resamples, seed)
    rng = np.random.default_rng(seed + 1)  # seeds' draws; the problems' come from `seed`
    stats = np.zeros(resamples)
    for matrix, weight in arms:
        n_seeds = matrix.shape[0]
        drawn = rng.integers(0, n_seeds, size=(resamples, n_seeds))
        counts = (drawn[:, :, None] == np.arange(n_seeds)).sum(axis=1)  # (resamples, seeds): multiplicities
        per_seed = np.einsum("bt,st->bs", problems, matrix)  # each seed's mean over each problem resample
        stats += (weight / n_seeds) * np.einsum("bs,bs->b", counts, per_seed)
    return stats


@functools.lru_cache(maxsize=8)
def _task_weights(n_tasks: int, resamples: int, seed: int) -> np.ndarray:
    """How often each problem is drawn in each replicate, divided by n_tasks (shared by every
    bootstrap of the report: the same problem resamples for every row, computed once)."""
    drawn = np.random.default_rng(seed).integers(0, n_tasks, size=(resamples, n_tasks))
    flat = (drawn + n_tasks * np.arange(resamples)[:, None]).ravel()
    weights = np.bincount(flat, minlength=resamples * n_tasks).reshape(resamples, n_tasks) / n_tasks
    weights.flags.writeable = False
    return weights


def percentile_ci(stats: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    low, high = np.quantile(stats, [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(low), float(high)


def bootstrap_p(stats: np.ndarray, estimate: float) -> float:
    """Two-sided p of "the statistic is 0" from its bootstrap distribution: a z-test with the
    bootstrap's standard error, so that the p carries every variance the CI resamples (seeds,
    then problems) and agrees with it (p < 0.05 about when the 95 % CI excludes 0). Not the
    tail count at 0: that has a floor of 2/(B+1), which Holm over a family of 50 contrasts would
    lift above 0.05 whatever the data. A distribution with no spread gives 0 (or 1 at 0)."""
    se = float(np.std(stats))
    if se == 0:
        return 1.0 if estimate == 0 else 0.0
    return math.erfc(abs(estimate) / se / math.sqrt(2))


def paired_test_p(diffs: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p of per-problem differences (ties at 0 dropped, as usual);
    1.0 when nothing differs."""
    from scipy.stats import wilcoxon  # lazy: scipy.stats costs ~0.8 s; the report imports in ~0.5 s

    nonzero = diffs[np.abs(diffs) > 1e-12]
    if len(nonzero) == 0:
        return 1.0
    return float(wilcoxon(nonzero, zero_method="wilcox", alternative="two-sided").pvalue)


CORRECTIONS = {"holm": "holm", "bh": "fdr_bh"}  # our option name -> statsmodels' method name


def adjust(pvalues: Sequence[float], method: str = "holm") -> list[float]:
    """Family-wise (Holm) or false-discovery-rate (Benjamini-Hochberg) adjusted p-values."""
    from statsmodels.stats.multitest import multipletests  # lazy: ~1 s to import, needed by contrasts only

    if method not in CORRECTIONS:
        raise ValueError(f"unknown correction {method!r}: use one of {sorted(CORRECTIONS)}")
    if not len(pvalues):
        return []
    return [float(p) for p in multipletests(list(pvalues), method=CORRECTIONS[method])[1]]
