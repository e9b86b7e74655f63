"""Schema of the `logger` config group."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class LoggerName(str, Enum):
    """Key of `rlvr_sweeps.logger.LOGGERS`: which tracker mirrors the job's result files."""

    wandb = "wandb"  # W&B run per cell (offline by default)
    none = "none"  # local files only: metrics.jsonl and final.json


class WandbMode(str, Enum):
    offline = "offline"  # default: works with no account; `wandb sync` uploads later
    online = "online"
    disabled = "disabled"


@dataclass
class LoggerConfig:
    name: LoggerName = LoggerName.wandb  # wandb | none (local files only); a typo fails at compose time
    project: str = "rlvr_sweeps"
    entity: str | None = None  # W&B team; None = your default entity
    mode: WandbMode = WandbMode.offline  # WANDB_MODE in the environment wins over this
    group: str | None = None  # None = the sweep (its directory name), so a grid shows as one group
    tags: list[str] = field(default_factory=list)  # extra tags; the config choices are always added
