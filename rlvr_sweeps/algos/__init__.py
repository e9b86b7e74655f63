"""Policy-optimisation algorithms: one module each, registered by name.

An algorithm is a set of TRL GRPOConfig arguments plus the rules that make it meaningful;
we configure TRL's GRPOTrainer and never fork it.
"""

from __future__ import annotations

from . import grpo, gspo
from .base import Algorithm

ALGORITHMS: dict[str, Algorithm] = {a.name: a for a in (grpo.ALGORITHM, gspo.ALGORITHM)}

__all__ = ["ALGORITHMS", "Algorithm"]
