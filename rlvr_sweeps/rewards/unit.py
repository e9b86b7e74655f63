"""Unit-test reward: the completion's answer (rlvr_sweeps.extract) runs against the task's MBPP
asserts in the sandbox.

``binary`` scores 1 only when every assert held (MBPP's pass@1 criterion, what evaluation
measures); ``fractional`` scores the share that held, a denser signal that also pays for
partial solutions. A completion without a program (``no_code``) or with a stub scores 0 and is
never executed. The dataset must carry ``tests`` (list of assert strings per row) and may carry
``setup`` (MBPP's test_setup_code, run after the solution and before the asserts) and
``entry_point`` (else the function the asserts call).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rlvr_sweeps.config.reward import UnitMode, UnitRewardConfig
from rlvr_sweeps.rewards.batch import NEEDS_TESTS, BatchScorer

SCORES: dict[UnitMode, Callable[[Any], float]] = {
    UnitMode.binary: lambda r: 1.0 if r.passed else 0.0,
    UnitMode.fractional: lambda r: r.tests_passed / r.tests_total if r.tests_total else float(r.passed),
}


class UnitReward:
    """TRL reward function; its ``__name__`` ("unit") is the key of rewards/unit/mean. Shares the
    batch's scoring pass (``BatchScorer``) with the other reward functions and the monitors."""

    __name__ = "unit"

    def __init__(self, cfg: UnitRewardConfig, sandbox_cfg: Any = None, scorer: BatchScorer | None = None) -> None:
        self.score = SCORES[UnitMode(cfg.mode)]
        self.scorer = scorer or BatchScorer(sandbox_cfg, need_unit=True)

    def __call__(self, completions: list[Any], tests: list[list[str]] | None = None, setup: list[str] | None = None,
                 entry_point: list[str | None] | None = None, log_metric=None, log_extra=None, **_: Any) -> list[float]:
        if tests is None:
            raise ValueError(NEEDS_TESTS)
        scores = self.scorer(completions, tests, setup, entry_point, log_metric, unit=True)
        if log_extra is not None:
            log_extra("unit_status", list(scores.labels))
        return [0.0 if r is None else self.score(r) for r in scores.results]


def make_unit_reward(reward_cfg, scorer: BatchScorer) -> UnitReward:
    return UnitReward(reward_cfg.unit, scorer=scorer)
