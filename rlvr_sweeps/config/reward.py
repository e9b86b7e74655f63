"""Typed schema of the `reward` config group (conf/reward/*.yaml). Imports no torch.

Categorical fields are str-valued Enums, so OmegaConf rejects a typo at compose time; the
rest is checked in ``__post_init__``, which runs when the composed config is turned into
objects (``OmegaConf.to_object``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from rlvr_sweeps.lint.config import LintConfig


class RewardName(str, Enum):
    """A reward function TRL sees; its value is the function's ``__name__`` (the metric key)."""

    unit = "unit"
    ruff = "ruff"


class UnitMode(str, Enum):
    binary = "binary"
    fractional = "fractional"


class RuffForm(str, Enum):
    """How the weighted issue count S = sum_class w * n becomes a reward.

    neg_clipped: -min(clip, S) / clip, in [-1, 0]; linear in S until the clip, so every
        removed issue pays the same, and a hopeless completion cannot dominate the group.
    inverse: 1 / (1 + S / clip), in (0, 1]; the first issues cost most, never saturates.
    """

    neg_clipped = "neg_clipped"
    inverse = "inverse"


@dataclass
class RewardComponent:
    name: RewardName = RewardName.unit
    weight: float = 1.0


@dataclass
class UnitRewardConfig:
    mode: UnitMode = UnitMode.binary


@dataclass
class RuffRewardConfig:
    lint: LintConfig = field(default_factory=LintConfig)
    form: RuffForm = RuffForm.neg_clipped
    clip: float = 10.0
    # None = the form's worst value (-1 for neg_clipped, 0 for inverse). The study-faithful
    # setting lints the empty text as it is, i.e. clean (0 / 1): that rewards emptiness.
    no_code_value: float | None = None

    def __post_init__(self) -> None:
        if self.clip <= 0:
            raise ValueError(f"reward.ruff.clip must be > 0, got {self.clip}")


def _unit_only() -> list[RewardComponent]:
    return [RewardComponent(RewardName.unit, 1.0)]


@dataclass
class RewardConfig:
    name: str = "unit"
    components: list[RewardComponent] = field(default_factory=_unit_only)
    unit: UnitRewardConfig = field(default_factory=UnitRewardConfig)
    ruff: RuffRewardConfig = field(default_factory=RuffRewardConfig)

    def __post_init__(self) -> None:
        if not self.components:
            raise ValueError("reward.components is empty: list at least one of unit, ruff")
        names = [RewardName(c.name).value for c in self.components]
        if len(set(names)) != len(names):
            raise ValueError(
                f"reward.components names {names} repeat: TRL logs by function name, so each reward once"
            )
