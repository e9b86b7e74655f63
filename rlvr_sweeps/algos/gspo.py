"""GSPO (Zheng et al. 2025): one length-normalised importance ratio per sequence, tight clipping.

GSPO must run off-policy (on-policy it reduces to GRPO); `rlvr_sweeps.config.rules` refuses such a
config at compose time, so the GRPOConfig mapping here needs no check of its own."""

from __future__ import annotations

from rlvr_sweeps.config import AlgoName

from .base import Algorithm

ALGORITHM = Algorithm(name=AlgoName.gspo)
