"""What every algorithm module provides, and the GRPOConfig arguments they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rlvr_sweeps.config import Config


def is_off_policy(cfg: Config) -> bool:
    """TRL reuses one generation batch for `steps_per_generation` optimizer steps and `num_iterations`
    passes: any step after the first of a generation sees a policy that has moved, so ratios differ from 1."""
    spg = cfg.algo.steps_per_generation or cfg.train.gradient_accumulation_steps
    return spg > cfg.train.gradient_accumulation_steps or cfg.algo.num_iterations > 1


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


def world_size() -> int:
    """Processes of this cell as torchrun/accelerate/submitit export them (1 outside a launcher)."""
    import os

    return int(os.environ.get("WORLD_SIZE", "1"))


def check_batch_shape(cfg: Config, processes: int | None = None) -> None:
    """TRL's own rule (GRPOConfig.__post_init__): the generation batch, per_device_train_batch_size x
    processes x steps_per_generation, must be divisible by num_generations. TRL only checks it after
    the model is loaded; fail at compose time instead. `processes` defaults to WORLD_SIZE, so a shape
    that only works on N GPUs is accepted when composed under torchrun with N processes."""
    from rlvr_sweeps.config import ConfigError

    n = world_size() if processes is None else processes
    g = cfg.algo.num_generations
    spg = cfg.algo.steps_per_generation or cfg.train.gradient_accumulation_steps
    gen_batch = cfg.train.per_device_train_batch_size * n * spg
    if g < 2:
        raise ConfigError(f"algo.num_generations={g}: group-relative advantages need at least 2 completions per prompt")
    if gen_batch % g:
        raise ConfigError(
            f"generation batch = train.per_device_train_batch_size x processes x algo.steps_per_generation = "
            f"{cfg.train.per_device_train_batch_size} x {n} x {spg} = {gen_batch} is not divisible by "
            f"algo.num_generations={g}; change one of them"
        )


@dataclass(frozen=True)
class Algorithm:
    name: str
    validate: Callable[[Config], None]
    trl_args: Callable[[Config], dict[str, Any]] = common_trl_args
