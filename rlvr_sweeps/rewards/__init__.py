"""Reward functions for TRL's GRPOTrainer (mirrors conf/reward).

Each component of ``reward.components`` becomes one TRL reward function, and its weight one
entry of ``reward_weights``, so its mean is logged under its function name
(``rewards/unit/mean``, ``rewards/ruff/mean``). How they become the advantage is
``reward.aggregation`` (rlvr_sweeps/rewards/aggregation.py). All functions of a job share one
``BatchScorer``: a batch is extracted, linted and executed once, and the monitors log the
unit pass rate, Ruff profile and no_code / stub shares of every batch whatever the reward.
Rewards know the sandbox and the linter, never the trainer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omegaconf import OmegaConf

from rlvr_sweeps.config.reward import RewardConfig, RewardName
from rlvr_sweeps.rewards.aggregation import AGGREGATIONS, GatedReward, trl_aggregation
from rlvr_sweeps.rewards.batch import BatchScorer
from rlvr_sweeps.rewards.ruff import RuffReward, make_ruff_reward
from rlvr_sweeps.rewards.unit import UnitReward, make_unit_reward

RewardFactory = Callable[[RewardConfig, BatchScorer], Callable[..., list[float]]]

REWARDS: dict[RewardName, RewardFactory] = {
    RewardName.unit: make_unit_reward,
    RewardName.ruff: make_ruff_reward,
}


def as_reward_config(reward_cfg: Any) -> RewardConfig:
    """A RewardConfig, or a composed DictConfig validated by turning it into one."""
    if isinstance(reward_cfg, RewardConfig):
        return reward_cfg
    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(RewardConfig), reward_cfg))


def build_reward_funcs(reward_cfg: Any, sandbox_cfg: Any = None) -> tuple[list[Callable], list[float]]:
    """TRL's ``reward_funcs`` and ``reward_weights`` for a reward config."""
    reward_cfg = as_reward_config(reward_cfg)
    names = {RewardName(c.name) for c in reward_cfg.components}
    scorer = BatchScorer(sandbox_cfg, reward_cfg.ruff.lint, need_unit=RewardName.unit in names,
                         need_lint=RewardName.ruff in names, monitors=reward_cfg.monitors)
    funcs = [REWARDS[RewardName(c.name)](reward_cfg, scorer) for c in reward_cfg.components]
    return AGGREGATIONS[reward_cfg.aggregation](reward_cfg, funcs)


__all__ = ["REWARDS", "BatchScorer", "GatedReward", "RuffReward", "UnitReward", "build_reward_funcs",
           "trl_aggregation"]
