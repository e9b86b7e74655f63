"""GSPO (Zheng et al. 2025): one length-normalised importance ratio per sequence, tight clipping.

On-policy (every step on freshly generated data) the ratio is exactly 1, the clip never fires and
GSPO reduces to GRPO: a sweep comparing them would compare nothing. So GSPO requires off-policy
steps and refuses to compose otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Algorithm, check_batch_shape, is_off_policy

if TYPE_CHECKING:
    from rlvr_sweeps.config import Config


def validate(cfg: Config) -> None:
    from rlvr_sweeps.config import ConfigError

    check_batch_shape(cfg)
    a = cfg.algo
    if a.importance_sampling_level.value != "sequence":
        raise ConfigError("algo=gspo needs algo.importance_sampling_level=sequence (token-level is GRPO)")
    if a.loss_type.value != "grpo":
        raise ConfigError(f"algo=gspo pairs with algo.loss_type=grpo as TRL expects, got {a.loss_type.value}")
    if not is_off_policy(cfg):
        raise ConfigError(
            "algo=gspo on a fully on-policy setting is identical to GRPO (sequence ratios are all 1, nothing is "
            "clipped): set algo.steps_per_generation > train.gradient_accumulation_steps or algo.num_iterations > 1"
        )


ALGORITHM = Algorithm(name="gspo", validate=validate)
