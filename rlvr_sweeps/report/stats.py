"""Paired uncertainty of a pass@1 difference, from per-problem results only.

Base and trained are evaluated on the same problems, so the honest comparison is paired: resample
problems (not completions) with replacement and recompute the mean difference (a percentile
bootstrap CI), and an exact McNemar test on the discordant problems (base passes / trained fails
vs the reverse). With 10-500 problems a +5 pp change is often inside the noise; the table says so.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

BOOTSTRAP_RESAMPLES = 2000
CONFIDENCE = 0.95
SEED = 0  # fixed: rebuilding the report gives the same interval


def per_task_pass(rows: Iterable[Mapping[str, Any]], mode: str = "greedy") -> dict[str, float]:
    """Mean of `passed` per task over the rows of one decoding mode (greedy: one row per task)."""
    by_task: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        if r.get("mode", mode) == mode and "task_id" in r and "passed" in r:
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
    resamples = np.random.default_rng(SEED).integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))
    low, high = np.quantile(diffs[resamples].mean(axis=1), [(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2])
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
