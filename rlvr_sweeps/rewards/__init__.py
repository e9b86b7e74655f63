"""Reward functions for TRL's GRPOTrainer (mirrors conf/reward).

Each component of ``reward.components`` becomes one TRL reward function, and its weight one
entry of ``reward_weights``: TRL sums them, and logs each under its function name
(``rewards/unit/mean``, ``rewards/ruff/mean``). The combined reward is exactly that sum, not
a third hand-made function, so its two parts stay visible in every log.
Rewards know the sandbox and the linter, never the trainer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rlvr_sweeps.config.reward import RewardConfig, RewardName
from rlvr_sweeps.rewards.ruff import RuffReward, make_ruff_reward
from rlvr_sweeps.rewards.unit import UnitReward, make_unit_reward

RewardFactory = Callable[[RewardConfig, Any], Callable[..., list[float]]]

REWARDS: dict[RewardName, RewardFactory] = {
    RewardName.unit: make_unit_reward,
    RewardName.ruff: make_ruff_reward,
}


def build_reward_funcs(reward_cfg: RewardConfig, sandbox_cfg: Any = None) -> tuple[list[Callable], list[float]]:
    """TRL's ``reward_funcs`` and ``reward_weights`` for a reward config (a RewardConfig, or a
    composed DictConfig, which is validated by turning it into one)."""
    if not isinstance(reward_cfg, RewardConfig):
        from omegaconf import OmegaConf

        reward_cfg = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(RewardConfig), reward_cfg))
    funcs = [REWARDS[RewardName(c.name)](reward_cfg, sandbox_cfg) for c in reward_cfg.components]
    return funcs, [float(c.weight) for c in reward_cfg.components]


__all__ = ["REWARDS", "RuffReward", "UnitReward", "build_reward_funcs"]
