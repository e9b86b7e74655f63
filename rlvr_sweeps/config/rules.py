"""Cross-group rules: checks that read more than one config group, owned by the config package so
`to_config` runs them without importing the algorithms (which import the config, not the reverse).

Per-algorithm rules are keyed by `AlgoName`; `rlvr_sweeps.algos` only maps a valid config onto
TRL's GRPOConfig arguments.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from .algo import AlgoName, ImportanceSamplingLevel, LossType
from .errors import ConfigError

if TYPE_CHECKING:
    from . import Config


def is_off_policy(cfg: Config) -> bool:
    """TRL reuses one generation batch for `steps_per_generation` optimizer steps and `num_iterations`
    passes: any step after the first of a generation sees a policy that has moved, so ratios differ from 1."""
    spg = cfg.algo.steps_per_generation or cfg.train.gradient_accumulation_steps
    return spg > cfg.train.gradient_accumulation_steps or cfg.algo.num_iterations > 1


def world_size() -> int:
    """Processes of this cell as torchrun/accelerate/submitit export them (1 outside a launcher)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def check_batch_shape(cfg: Config, processes: int | None = None) -> None:
    """TRL's own rule (GRPOConfig.__post_init__): the generation batch, per_device_train_batch_size x
    processes x steps_per_generation, must be divisible by num_generations. TRL only checks it after
    the model is loaded; fail at compose time instead. `processes` defaults to WORLD_SIZE, so a shape
    that only works on N GPUs is accepted when composed under torchrun with N processes."""
    n = world_size() if processes is None else processes
    g = cfg.algo.num_generations
    spg = cfg.algo.steps_per_generation or cfg.train.gradient_accumulation_steps
    gen_batch = cfg.train.per_device_train_batch_size * n * spg
    if gen_batch % g:
        raise ConfigError(
            f"generation batch = train.per_device_train_batch_size x processes x algo.steps_per_generation = "
            f"{cfg.train.per_device_train_batch_size} x {n} x {spg} = {gen_batch} is not divisible by "
            f"algo.num_generations={g}; change one of them"
        )


def _grpo(cfg: Config) -> None:
    if cfg.algo.importance_sampling_level != ImportanceSamplingLevel.token:
        raise ConfigError(
            "algo=grpo uses token-level importance sampling; importance_sampling_level=sequence is GSPO: use algo=gspo"
        )


def _gspo(cfg: Config) -> None:
    """On-policy the sequence ratio is exactly 1, the clip never fires and GSPO reduces to GRPO: a sweep
    comparing them would compare nothing, so GSPO refuses to compose without off-policy steps."""
    a = cfg.algo
    if a.importance_sampling_level != ImportanceSamplingLevel.sequence:
        raise ConfigError("algo=gspo needs algo.importance_sampling_level=sequence (token-level is GRPO)")
    if a.loss_type != LossType.grpo:
        raise ConfigError(f"algo=gspo pairs with algo.loss_type=grpo as TRL expects, got {a.loss_type.value}")
    if not is_off_policy(cfg):
        raise ConfigError(
            "algo=gspo on a fully on-policy setting is identical to GRPO (sequence ratios are all 1, nothing is "
            "clipped): set algo.steps_per_generation > train.gradient_accumulation_steps or algo.num_iterations > 1"
        )


ALGO_RULES: dict[AlgoName, Callable[[Config], None]] = {AlgoName.grpo: _grpo, AlgoName.gspo: _gspo}


def check_code_end_masking(cfg: Config) -> None:
    """TRL's mask_truncated_completions drops every rollout whose last token is not EOS: with
    train.stop_at_code_end that is every rollout cut at its answer, i.e. every answer."""
    if cfg.train.stop_at_code_end and cfg.algo.mask_truncated_completions:
        raise ConfigError(
            "algo.mask_truncated_completions=true would drop every rollout train.stop_at_code_end cuts at its "
            "answer (TRL counts a completion without EOS as truncated): set one of them false"
        )


def validate(cfg: Config) -> None:
    """Every cross-group rule of a composed config; raises ConfigError with what to change."""
    check_batch_shape(cfg)
    ALGO_RULES[cfg.algo.name](cfg)
    check_code_end_masking(cfg)
