"""The unbiased pass@k estimator against values computed by hand from binomials."""

from __future__ import annotations

from math import comb

import pytest

from rlvr_sweeps.evaluate import mean_pass_at_k, pass_at_k


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (1, 0, 1, 0.0),  # one failing sample
        (1, 1, 1, 1.0),
        (10, 0, 1, 0.0),  # c = 0: never passes, for any k
        (10, 0, 10, 0.0),
        (10, 3, 1, 0.3),  # pass@1 = c / n
        (10, 3, 5, 1 - 21 / 252),  # 1 - C(7,5)/C(10,5)
        (10, 3, 10, 1.0),  # n = k with c > 0: the one k-subset holds a pass
        (5, 1, 5, 1.0),  # n = k
        (5, 0, 5, 0.0),  # n = k, c = 0
        (10, 8, 3, 1.0),  # n - c < k
        (200, 1, 100, 0.5),  # 1 - C(199,100)/C(200,100) = 1/2
    ],
)
def test_pass_at_k_hand_values(n: int, c: int, k: int, expected: float) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_matches_binomial_definition_and_stays_stable_for_large_n() -> None:
    for n, c, k in [(20, 7, 4), (50, 1, 10), (100, 37, 25)]:
        assert pass_at_k(n, c, k) == pytest.approx(1 - comb(n - c, k) / comb(n, k), rel=1e-12)
    # C(10000, 5000) overflows a float; the product form does not
    assert pass_at_k(10_000, 1, 5_000) == pytest.approx(0.5, abs=1e-9)
    assert pass_at_k(10_000, 1, 1) == pytest.approx(1e-4, rel=1e-9)


def test_mean_and_bad_counts() -> None:
    assert mean_pass_at_k([(10, 3), (10, 0), (10, 10)], 1) == pytest.approx((0.3 + 0 + 1) / 3)
    with pytest.raises(ValueError, match="k <= n"):
        pass_at_k(5, 1, 10)
    with pytest.raises(ValueError, match="c <= n"):
        pass_at_k(5, 6, 1)
    with pytest.raises(ValueError, match="no problems"):
        mean_pass_at_k([], 1)
