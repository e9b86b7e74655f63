"""Paired statistics of the report against hand-computed values."""

from __future__ import annotations

import pytest

from rlvr_sweeps.report.stats import mcnemar_exact_p, paired_delta, per_task_pass


def test_mcnemar_exact_p_matches_the_binomial_tail():
    assert mcnemar_exact_p(0, 5) == pytest.approx(2 / 32)  # 2 * P(X <= 0), X ~ Bin(5, 1/2)
    assert mcnemar_exact_p(1, 4) == pytest.approx(2 * 6 / 32)
    assert mcnemar_exact_p(3, 3) == 1.0 and mcnemar_exact_p(0, 0) == 1.0


def test_paired_delta_counts_gained_and_lost_tasks_over_shared_ones():
    base = {"a": 1.0, "b": 0.0, "c": 0.0, "d": 1.0, "only_base": 1.0}
    trained = {"a": 1.0, "b": 1.0, "c": 1.0, "d": 0.0}
    out = paired_delta(base, trained)
    assert out["n_tasks"] == 4 and (out["gained"], out["lost"]) == (2, 1)
    assert out["delta_pp"] == pytest.approx(25.0)


def test_paired_ci_contains_the_estimate_and_is_degenerate_without_discordance():
    varied = paired_delta({str(i): float(i % 2) for i in range(40)}, {str(i): float(i % 3 == 0) for i in range(40)})
    assert varied["ci_low_pp"] < varied["delta_pp"] < varied["ci_high_pp"]
    same = paired_delta({"a": 1.0, "b": 0.0}, {"a": 1.0, "b": 0.0})
    assert same["ci_low_pp"] == same["ci_high_pp"] == 0.0


def test_per_task_pass_uses_greedy_rows_only():
    rows = [{"task_id": 1, "mode": "greedy", "passed": True}, {"task_id": 1, "mode": "sampled", "passed": False},
            {"task_id": 2, "mode": "greedy", "passed": False}]
    assert per_task_pass(rows) == {"1": 1.0, "2": 0.0}
