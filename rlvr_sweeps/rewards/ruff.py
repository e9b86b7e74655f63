"""Ruff shaping reward: a penalty from lint issues weighted by severity class.

S = sum over classes of weight * count (conf/reward/ruff.yaml). Forms (``RuffForm``):
- ``neg_clipped`` (default): -min(clip, S) / clip, in [-1, 0]. Linear, so removing any issue
  pays the same until the clip; the clip keeps one hopeless completion from dominating the
  group statistics, and the [-1, 0] range makes lambda in the combined reward readable
  (lambda = 0.2 can never outweigh a passing test).
- ``inverse``: 1 / (1 + S / clip), in (0, 1]. Never saturates; the first issues cost most.

A completion without code gets ``no_code_value``; None means the form's worst value. The
study-faithful choice lints the empty text as it is: it is clean, so it earns the best reward
(0 or 1), and a Ruff-only policy is then paid to say nothing: the degeneration the study
reports (shorter completions, no more correct). Keep None unless you reproduce that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rlvr_sweeps.config.reward import RuffForm, RuffRewardConfig
from rlvr_sweeps.diagnostics import severity_profile
from rlvr_sweeps.extract import answers_for
from rlvr_sweeps.lint import lint_codes

FORMS: dict[RuffForm, Callable[[float, float], float]] = {
    RuffForm.neg_clipped: lambda s, clip: 0.0 - min(clip, s) / clip,  # 0.0 - x: no -0.0 in logs
    RuffForm.inverse: lambda s, clip: 1.0 / (1.0 + s / clip),
}
WORST: dict[RuffForm, float] = {RuffForm.neg_clipped: -1.0, RuffForm.inverse: 0.0}


class RuffReward:
    """TRL reward function; its ``__name__`` ("ruff") is the key of rewards/ruff/mean."""

    __name__ = "ruff"

    def __init__(self, cfg: RuffRewardConfig) -> None:
        self.cfg = cfg
        self.form = RuffForm(cfg.form)
        self.weights = cfg.lint.weights
        self.no_code_value = WORST[self.form] if cfg.no_code_value is None else float(cfg.no_code_value)

    def __call__(
        self, completions: list[Any], log_metric=None, log_extra=None, entry_point=None, tests=None, setup=None,
        **_: Any,
    ) -> list[float]:
        codes = [a.code for a in answers_for(completions, entry_point, tests, setup)]
        lint = lint_codes(codes, self.cfg.lint)
        form = FORMS[self.form]
        scores = [
            form(r.weighted(self.weights), self.cfg.clip) if code else self.no_code_value
            for code, r in zip(codes, lint, strict=True)
        ]
        if log_metric is not None:
            self._log(codes, lint, log_metric)
        if log_extra is not None:
            log_extra("ruff_issues", [r.total if code else None for code, r in zip(codes, lint, strict=True)])
        return scores

    @staticmethod
    def _log(codes, lint, log_metric) -> None:
        with_code = [r for code, r in zip(codes, lint, strict=True) if code]
        log_metric("ruff/no_code_share", 1.0 - len(with_code) / len(codes))
        if not with_code:
            return
        profile = severity_profile(with_code)
        log_metric("ruff/issues_per_completion", sum(profile["per_completion"].values()))
        log_metric("ruff/clean_share", profile["clean_share"])
        for cls, mean in profile["per_completion"].items():
            log_metric(f"ruff/{cls}_per_completion", mean)


def make_ruff_reward(reward_cfg, sandbox_cfg) -> RuffReward:
    return RuffReward(reward_cfg.ruff)
