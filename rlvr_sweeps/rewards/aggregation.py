"""``reward.aggregation``: how the reward components become the advantage TRL trains on.

TRL computes advantages itself (GRPOTrainer._generate_and_score_completions); we only choose
what it is given: the reward functions, their ``reward_weights`` and its
``multi_objective_aggregation``. Trade-offs are in ``rlvr_sweeps.config.reward.Aggregation``;
the pathology that motivates them: with ``sum`` and ``scale_rewards=group`` a group whose unit
rewards are all equal (all fail or all pass, most groups of a small model) is normalised by the
std of lambda * ruff alone, so lambda cancels and "combined" trains like Ruff-only there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rlvr_sweeps.config.reward import Aggregation, RewardConfig

Funcs = tuple[list[Callable[..., list[float]]], list[float]]

# TRL's GRPOConfig.multi_objective_aggregation for each of ours.
TRL_AGGREGATION: dict[Aggregation, str] = {
    Aggregation.sum: "sum_then_normalize",
    Aggregation.gated: "sum_then_normalize",
    Aggregation.normalize_then_sum: "normalize_then_sum",
}


def trl_aggregation(reward_cfg: Any) -> str:
    """GRPOConfig.multi_objective_aggregation for a reward config (RewardConfig or DictConfig)."""
    return TRL_AGGREGATION[Aggregation(reward_cfg.aggregation)]


class GatedReward:
    """unit * (w_unit + lambda * ruff): the Ruff term counts only as far as the unit reward
    does (binary: only for passing completions). Reuses the batch the components scored."""

    __name__ = "gated"

    def __init__(self, unit: Callable, ruff: Callable, w_unit: float, lam: float) -> None:
        self.unit, self.ruff, self.w_unit, self.lam = unit, ruff, w_unit, lam

    def __call__(self, completions: list[Any], **kwargs: Any) -> list[float]:
        quiet = {k: v for k, v in kwargs.items() if k not in ("log_metric", "log_extra")}  # the components logged
        units, ruffs = self.unit(completions=completions, **quiet), self.ruff(completions=completions, **quiet)
        return [u * (self.w_unit + self.lam * r) for u, r in zip(units, ruffs, strict=True)]


def _weighted(reward_cfg: RewardConfig, funcs: list[Callable]) -> Funcs:
    return funcs, [float(c.weight) for c in reward_cfg.components]


def _gated(reward_cfg: RewardConfig, funcs: list[Callable]) -> Funcs:
    by_name = {f.__name__: (f, float(c.weight)) for f, c in zip(funcs, reward_cfg.components, strict=True)}
    (unit, w_unit), (ruff, lam) = by_name["unit"], by_name["ruff"]
    # The components stay TRL reward functions with weight 0: logged (rewards/unit/mean), never in the advantage.
    return [*funcs, GatedReward(unit, ruff, w_unit, lam)], [0.0] * len(funcs) + [1.0]


AGGREGATIONS: dict[Aggregation, Callable[[RewardConfig, list[Callable]], Funcs]] = {
    Aggregation.sum: _weighted,
    Aggregation.gated: _gated,
    Aggregation.normalize_then_sum: _weighted,
}
