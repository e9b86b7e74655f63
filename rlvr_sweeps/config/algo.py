"""Schema of the `algo` config group. Field names are TRL GRPOConfig's own."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .ranges import check_range


class AlgoName(str, Enum):
    """Key of `rlvr_sweeps.algos.ALGORITHMS` and of the cross-group rules in `config.rules`."""

    grpo = "grpo"  # token-level ratios (Shao et al. 2024)
    gspo = "gspo"  # sequence-level ratios (Zheng et al. 2025): must be off-policy to differ from GRPO


class LossType(str, Enum):
    grpo = "grpo"
    dr_grpo = "dr_grpo"
    dapo = "dapo"
    bnpo = "bnpo"
    cispo = "cispo"
    sapo = "sapo"
    luspo = "luspo"
    vespo = "vespo"


class ImportanceSamplingLevel(str, Enum):
    token = "token"  # GRPO: one ratio per token
    sequence = "sequence"  # GSPO: one length-normalised ratio per sequence


class ScaleRewards(str, Enum):
    group = "group"
    batch = "batch"
    none = "none"


@dataclass
class AlgoConfig:
    name: AlgoName = AlgoName.grpo  # which algorithm's rules and GRPOConfig arguments apply
    loss_type: LossType = LossType.grpo
    importance_sampling_level: ImportanceSamplingLevel = ImportanceSamplingLevel.token
    epsilon: float = 0.2  # lower clip range of the ratio
    epsilon_high: float | None = None  # upper clip range; None = epsilon
    beta: float = 0.0  # KL to the reference; 0 skips loading a reference model
    num_generations: int = 8  # group size G: more = better advantage estimates, more compute; 4 leaves most arith groups all-fail
    steps_per_generation: int | None = 2  # > gradient_accumulation_steps makes later steps off-policy
    num_iterations: int = 1  # μ: optimisation passes over each generation batch
    scale_rewards: ScaleRewards = ScaleRewards.group
    mask_truncated_completions: bool = False  # DAPO: drop truncated completions from the loss

    def __post_init__(self) -> None:
        if self.num_generations < 2:  # its own wording: the reason matters more than the bound
            raise ValueError(
                f"algo.num_generations={self.num_generations} is out of range: allowed [2, inf) "
                "(group-relative advantages need at least 2 completions per prompt)"
            )
        check_range("algo.epsilon", self.epsilon, 0, 1, lo_open=True, hi_open=True)
        check_range("algo.epsilon_high", self.epsilon_high, 0, lo_open=True, optional=True)
        check_range("algo.beta", self.beta, 0)
        check_range("algo.steps_per_generation", self.steps_per_generation, 1, optional=True)
        check_range("algo.num_iterations", self.num_iterations, 1)
