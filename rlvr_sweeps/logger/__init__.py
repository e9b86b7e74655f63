"""Experiment loggers, by `logger.name` (mirrors conf/logger): `wandb` and `none`.

Importing this package imports no tracker: the W&B client is imported when a W&B run starts,
so `--cfg job` and the report stay fast.
"""

from __future__ import annotations

from collections.abc import Callable

from rlvr_sweeps.config.logger import LoggerConfig

from .base import RunInfo, RunLogger, labelled
from .wandb import WandbLogger

LOGGERS: dict[str, Callable[[LoggerConfig], RunLogger]] = {
    "none": lambda _cfg: RunLogger(),
    "wandb": WandbLogger,
}


def make_logger(cfg: LoggerConfig) -> RunLogger:
    if cfg.name not in LOGGERS:
        raise ValueError(f"logger.name={cfg.name!r} is unknown; choose one of {sorted(LOGGERS)}")
    return LOGGERS[cfg.name](cfg)


__all__ = ["LOGGERS", "RunInfo", "RunLogger", "labelled", "make_logger"]
