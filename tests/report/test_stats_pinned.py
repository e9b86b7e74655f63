"""The report's statistics pinned against references: the hand-written exact McNemar against
scipy.stats.binomtest, and the hierarchical bootstrap's coverage on simulated crossed data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from rlvr_sweeps.report.stats import bootstrap_stats, mcnemar_exact_p, paired_delta, percentile_ci

DISCORDANT = [(b, c) for b in range(0, 31, 3) for c in range(0, 31, 2) if b + c] + [(0, 1), (1, 0), (120, 80)]


def test_exact_mcnemar_is_the_two_sided_binomial_test():
    ours = {(b, c): mcnemar_exact_p(b, c) for b, c in DISCORDANT}
    scipy = {(b, c): binomtest(b, b + c, 0.5).pvalue for b, c in DISCORDANT}
    assert ours == pytest.approx(scipy, rel=1e-9, abs=1e-15)
    assert mcnemar_exact_p(0, 0) == 1.0  # no discordant pair: nothing to test


def test_paired_delta_p_is_the_binomial_test_of_lost_vs_gained():
    base = {f"t{i}": float(i < 30) for i in range(60)}  # passes t0..t29
    trained = {f"t{i}": float(5 <= i < 47) for i in range(60)}  # loses t0..t4, gains t30..t46
    out = paired_delta(base, trained)
    assert (out["lost"], out["gained"]) == (5, 17)
    assert out["mcnemar_p"] == pytest.approx(binomtest(5, 22, 0.5).pvalue, rel=1e-9)
    assert out["delta_pp"] == pytest.approx(100 * 12 / 60)


# Crossed random effects, the design the interval is for: every seed on the same problems,
# y[s, t] = mu + seed effect + problem effect + interaction. 5 seeds × 100 problems.
MU, SEEDS, PROBLEMS, SD_SEED, SD_PROBLEM, SD_NOISE = 0.05, 5, 100, 0.05, 0.3, 0.3
DATASETS = 1000


def _coverage(datasets: np.ndarray) -> float:
    cis = np.array([percentile_ci(bootstrap_stats([(y, 1.0)])) for y in datasets])
    return float(np.mean((cis[:, 0] <= MU) & (MU <= cis[:, 1])))


def _simulate(rng: np.random.Generator, sd_seed: float) -> np.ndarray:
    shape = (DATASETS, SEEDS, PROBLEMS)
    return (MU + rng.normal(0, sd_seed, (DATASETS, SEEDS, 1)) + rng.normal(0, SD_PROBLEM, (DATASETS, 1, PROBLEMS))
            + rng.normal(0, SD_NOISE, shape))


def test_hierarchical_bootstrap_covers_95_percent():
    """Measured 0.952, 0.953, 0.960, 0.968 for simulation seeds 0, 1, 2, 2026. Known limit (not
    pinned here): the seed level is a bootstrap of a few values, which understates the seed
    variance by (n-1)/n, so coverage falls when seeds dominate (see the next test) and moves with
    the variance split for 2-4 seeds (0.91-0.97 in this simulation)."""
    assert 0.93 <= _coverage(_simulate(np.random.default_rng(0), SD_SEED)) <= 0.97


def test_resampling_the_seeds_is_what_covers_seed_variance():
    """Seeds varying 3× more: pooled into one row (problems resampled only) the intervals cover
    0.59; resampling seeds too brings them to 0.89 (5 seeds: short of 0.95, the limit above)."""
    seeds_matter = _simulate(np.random.default_rng(7), sd_seed=3 * SD_SEED)
    pooled, hierarchical = _coverage(seeds_matter.mean(axis=1, keepdims=True)), _coverage(seeds_matter)
    assert pooled < 0.7 and hierarchical > pooled + 0.2
