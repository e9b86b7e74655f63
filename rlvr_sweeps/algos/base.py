"""What every algorithm module provides, and the GRPOConfig arguments they share.

The rules that make an algorithm meaningful (GSPO off-policy, batch shapes) live in
`rlvr_sweeps.config.rules`, so composing a config never imports this package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rlvr_sweeps.config import AlgoName, Config


def common_trl_args(cfg: Config) -> dict[str, Any]:
    """Algorithm fields that map 1:1 onto GRPOConfig."""
    a = cfg.algo
    return {
        "loss_type": a.loss_type.value,
        "importance_sampling_level": a.importance_sampling_level.value,
        "epsilon": a.epsilon,
        "epsilon_high": a.epsilon_high,
        "beta": a.beta,
        "num_generations": a.num_generations,
        "steps_per_generation": a.steps_per_generation,
        "num_iterations": a.num_iterations,
        "scale_rewards": a.scale_rewards.value,
        "mask_truncated_completions": a.mask_truncated_completions,
    }


@dataclass(frozen=True)
class Algorithm:
    name: AlgoName
    trl_args: Callable[[Config], dict[str, Any]] = common_trl_args
