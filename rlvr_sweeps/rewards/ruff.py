"""Ruff shaping reward: a penalty from lint issues weighted by severity class.

S = sum over classes of weight * count (conf/reward/ruff.yaml); ``RuffForm`` turns it into a
reward (formulas and trade-offs in rlvr_sweeps/config/reward.py):
- ``per_line`` (default): issues per non-blank line, so the penalty does not grow with length
  (a long correct program with one unused import is not scored like a syntax error), and a
  stub or a completion without code gets the worst value, so emptiness never pays.
- ``study``: the study's raw-count penalty; a stub and the empty text lint clean and get the
  best value: the gameable form whose degeneration the study reports (shorter, no more correct).
- ``inverse``: 1 / (1 + S / clip); stub and no code get 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rlvr_sweeps.config.reward import RuffForm, RuffRewardConfig
from rlvr_sweeps.extract import Answer, AnswerKind
from rlvr_sweeps.lint import LintResult
from rlvr_sweeps.rewards.batch import BatchScorer

Form = Callable[[float, Answer, RuffRewardConfig], float]


def _lines(code: str) -> int:
    return max(1, sum(1 for line in code.splitlines() if line.strip() and not line.lstrip().startswith("#")))


FORMS: dict[RuffForm, Form] = {
    RuffForm.per_line: lambda s, a, cfg: 0.0 - min(1.0, s / (cfg.per_line_clip * _lines(a.code))),
    RuffForm.study: lambda s, a, cfg: 0.0 - min(cfg.clip, s) / cfg.clip,  # 0.0 - x: no -0.0 in logs
    RuffForm.inverse: lambda s, a, cfg: 1.0 / (1.0 + s / cfg.clip),
}
# What a stub and a completion without code get; None = lint them as they are (study: clean).
NO_ANSWER: dict[RuffForm, float | None] = {RuffForm.per_line: -1.0, RuffForm.study: None, RuffForm.inverse: 0.0}


class RuffReward:
    """TRL reward function; its ``__name__`` ("ruff") is the key of rewards/ruff/mean."""

    __name__ = "ruff"

    def __init__(self, cfg: RuffRewardConfig, scorer: BatchScorer | None = None) -> None:
        self.cfg = cfg
        self.form = RuffForm(cfg.form)
        self.weights = cfg.lint.weights
        self.scorer = scorer or BatchScorer(lint_cfg=cfg.lint, need_lint=True)

    def value(self, answer: Answer, lint: LintResult) -> float:
        no_answer = NO_ANSWER[self.form]
        if answer.kind is not AnswerKind.code and no_answer is not None:
            return no_answer
        return FORMS[self.form](lint.weighted(self.weights), answer, self.cfg)

    def __call__(self, completions: list[Any], tests=None, setup=None, entry_point=None, log_metric=None,
                 log_extra=None, **_: Any) -> list[float]:
        scores = self.scorer(completions, tests, setup, entry_point, log_metric, lint=True)
        if log_extra is not None:
            log_extra("ruff_issues", [r.total if a.kind is AnswerKind.code else None
                                      for a, r in zip(scores.answers, scores.lint, strict=True)])
        return [self.value(a, r) for a, r in zip(scores.answers, scores.lint, strict=True)]


def make_ruff_reward(reward_cfg, scorer: BatchScorer) -> RuffReward:
    return RuffReward(reward_cfg.ruff, scorer=scorer)
