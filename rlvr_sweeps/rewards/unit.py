"""Unit-test reward: the completion's code runs against the task's MBPP asserts in the sandbox.

``binary`` scores 1 only when every assert held (MBPP's pass@1 criterion, what evaluation
measures); ``fractional`` scores the share that held, a denser signal that also pays for
partial solutions. A completion without code scores 0 with status ``no_code`` and is never
executed. The dataset must carry ``tests`` (list of assert strings per row) and may carry
``setup`` (MBPP's test_setup_code, run after the solution and before the asserts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from rlvr_sweeps.config.reward import UnitMode, UnitRewardConfig
from rlvr_sweeps.diagnostics import ERROR_LABELS, error_type_label
from rlvr_sweeps.extract import AnswerKind, answers_for

SCORES: dict[UnitMode, Callable[[Any], float]] = {
    UnitMode.binary: lambda r: 1.0 if r.passed else 0.0,
    UnitMode.fractional: lambda r: r.tests_passed / r.tests_total if r.tests_total else float(r.passed),
}


class UnitReward:
    """TRL reward function; its ``__name__`` ("unit") is the key of rewards/unit/mean. The
    sandbox's warm worker pool (process-wide, one per settings) starts on the first call, not
    at construction, so building the reward list (e.g. to validate a config) costs nothing."""

    __name__ = "unit"

    def __init__(self, cfg: UnitRewardConfig, sandbox_cfg: Any = None) -> None:
        self.score = SCORES[UnitMode(cfg.mode)]
        self.sandbox_cfg = sandbox_cfg
        self._executor = None

    @property
    def executor(self):
        if self._executor is not None:
            return self._executor
        from rlvr_sweeps.sandbox import get_executor

        cfg = self.sandbox_cfg
        if cfg is None:
            return get_executor()
        return get_executor(workers=cfg.workers, timeout_s=cfg.timeout_s, memory_mb=cfg.memory_mb)

    def __call__(
        self,
        completions: list[Any],
        tests: list[list[str]] | None = None,
        setup: list[str] | None = None,
        log_metric=None,
        log_extra=None,
        entry_point: list[str | None] | None = None,
        **_: Any,
    ) -> list[float]:
        if tests is None:
            raise ValueError("the unit reward needs a `tests` dataset column (a list of assert strings per row)")
        from rlvr_sweeps.sandbox import Job

        setup = setup if setup is not None else [""] * len(completions)
        answers = answers_for(completions, entry_point, tests, setup)
        codes = [a.code for a in answers]
        todo = [i for i, a in enumerate(answers) if a.kind is AnswerKind.code]  # no_code and stub never run
        results = self.executor.run([Job(codes[i], list(tests[i]), setup[i] or "") for i in todo])
        scores = [0.0] * len(codes)
        labels = [a.kind.value for a in answers]
        for i, result in zip(todo, results, strict=True):
            scores[i] = self.score(result)
            labels[i] = error_type_label(result)
        if log_metric is not None:
            counts = Counter(labels)
            log_metric("unit/pass_rate", counts["pass"] / len(labels))
            for label in ERROR_LABELS[1:]:
                log_metric(f"unit/error/{label}", counts[label] / len(labels))
        if log_extra is not None:
            log_extra("unit_status", labels)
        return scores


def make_unit_reward(reward_cfg, sandbox_cfg) -> UnitReward:
    return UnitReward(reward_cfg.unit, sandbox_cfg)
