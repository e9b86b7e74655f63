"""GRPO (Shao et al. 2024): token-level importance ratios, group-normalised advantages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Algorithm, check_batch_shape

if TYPE_CHECKING:
    from rlvr_sweeps.config import Config


def validate(cfg: Config) -> None:
    from rlvr_sweeps.config import ConfigError

    check_batch_shape(cfg)
    if cfg.algo.importance_sampling_level.value != "token":
        raise ConfigError(
            "algo=grpo uses token-level importance sampling; importance_sampling_level=sequence is GSPO: use algo=gspo"
        )


ALGORITHM = Algorithm(name="grpo", validate=validate)
