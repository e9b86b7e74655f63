"""The unbiased pass@k estimator of Chen et al. (2021), "Evaluating Large Language Models
Trained on Code", in its numerically stable product form.

pass@k = 1 - C(n - c, k) / C(n, k) for n samples of which c pass. The binomials overflow
floats for realistic n, so the ratio is written as prod_{i = n-c+1}^{n} (1 - k / i), which
stays in [0, 1] at every step. When fewer than k samples fail (n - c < k), every k-subset
holds a passing sample and pass@k is exactly 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k samples drawn without replacement from n (c correct)
    passes. Raises on impossible counts instead of returning a silently wrong number."""
    if not 0 <= c <= n:
        raise ValueError(f"pass_at_k: need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"pass_at_k: need 1 <= k <= n, got k={k}, n={n}; sample at least k completions")
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def mean_pass_at_k(counts: Sequence[tuple[int, int]], k: int) -> float:
    """Mean of per-problem pass@k over (n, c) pairs: the benchmark score."""
    if not counts:
        raise ValueError("mean_pass_at_k: no problems")
    return math.fsum(pass_at_k(n, c, k) for n, c in counts) / len(counts)
