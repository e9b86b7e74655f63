"""Policy-optimisation algorithms: one module each, registered by `AlgoName`.

An algorithm is a set of TRL GRPOConfig arguments; the rules that make it meaningful are
checked at compose time by `rlvr_sweeps.config.rules`. We configure TRL's GRPOTrainer, never fork it.
"""

from __future__ import annotations

from rlvr_sweeps.config import AlgoName

from . import grpo, gspo
from .base import Algorithm

ALGORITHMS: dict[AlgoName, Algorithm] = {a.name: a for a in (grpo.ALGORITHM, gspo.ALGORITHM)}

__all__ = ["ALGORITHMS", "Algorithm"]
