"""GRPO (Shao et al. 2024): token-level importance ratios, group-normalised advantages.

Its rule (token-level ratios) is `rlvr_sweeps.config.rules`'s; here only the GRPOConfig mapping."""

from __future__ import annotations

from rlvr_sweeps.config import AlgoName

from .base import Algorithm

ALGORITHM = Algorithm(name=AlgoName.grpo)
