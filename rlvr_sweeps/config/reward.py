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
    """How the weighted issue count S = sum_class w * n becomes a reward (rlvr_sweeps/rewards/ruff.py).

    per_line (default, robust): -min(1, S / (per_line_clip * lines)), in [-1, 0]; issues per
        non-blank line, so a long correct program is not punished for its length; a stub and a
        completion without code get -1 (no answer is the worst answer).
    study: -min(clip, S) / clip, in [-1, 0], the study's raw-count penalty; the empty text and a
        stub lint clean and score 0, the best value: gameable (the policy is paid to write
        `def f(x): pass` or nothing), which is the degeneration the study reports. Kept to reproduce it.
    inverse: 1 / (1 + S / clip), in (0, 1]; the first issues cost most, never saturates; stub
        and no code get 0.
    """

    per_line = "per_line"
    study = "study"
    inverse = "inverse"


class Aggregation(str, Enum):
    """How the components become the advantage TRL trains on (rlvr_sweeps/rewards/aggregation.py).

    sum: TRL's weighted sum, then the algo's scale_rewards. With scale_rewards=group, a group whose
        unit rewards are all equal gets its advantages from the Ruff term alone, divided by its own
        std: lambda cancels, and "combined" trains like Ruff-only on those prompts.
    gated: one reward unit * (w_unit + lambda * ruff): the Ruff term counts only for completions
        that pass (a lint-clean stub earns nothing); the components stay visible with weight 0.
        Under scale_rewards=group lambda still cancels inside an all-pass group.
    normalize_then_sum: TRL's multi_objective_aggregation=normalize_then_sum (GDPO): each component
        is normalised within its group, weighted, summed, then normalised over the batch; lambda
        sets Ruff's share of the advantage against the unit term's in every group.
    """

    sum = "sum"
    gated = "gated"
    normalize_then_sum = "normalize_then_sum"


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
    form: RuffForm = RuffForm.per_line
    clip: float = 10.0  # study / inverse: weighted issues at which the penalty saturates (halves)
    per_line_clip: float = 1.0  # per_line: weighted issues per line at which the penalty saturates

    def __post_init__(self) -> None:
        if self.clip <= 0 or self.per_line_clip <= 0:
            raise ValueError(f"reward.ruff.clip and per_line_clip must be > 0, got {self.clip}, {self.per_line_clip}")


def _unit_only() -> list[RewardComponent]:
    return [RewardComponent(RewardName.unit, 1.0)]


@dataclass
class RewardConfig:
    name: str = "unit"
    components: list[RewardComponent] = field(default_factory=_unit_only)
    unit: UnitRewardConfig = field(default_factory=UnitRewardConfig)
    ruff: RuffRewardConfig = field(default_factory=RuffRewardConfig)
    aggregation: Aggregation = Aggregation.normalize_then_sum
    # Rollout monitors (unit pass rate, Ruff profile, no_code / stub shares) logged every step
    # whatever the reward; never a reward column, so they cannot enter the advantage.
    monitors: bool = True

    def __post_init__(self) -> None:
        if not self.components:
            raise ValueError("reward.components is empty: list at least one of unit, ruff")
        names = [RewardName(c.name).value for c in self.components]
        if len(set(names)) != len(names):
            raise ValueError(
                f"reward.components names {names} repeat: TRL logs by function name, so each reward once"
            )
        if Aggregation(self.aggregation) is Aggregation.gated and set(names) != {"unit", "ruff"}:
            raise ValueError(
                f"reward.aggregation=gated gates the ruff term by the unit reward: it needs components unit and ruff, "
                f"got {names} (use reward=combined, or aggregation=sum)"
            )
