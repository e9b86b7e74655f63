"""Experiment loggers, by `logger.name` (mirrors conf/logger): `wandb` and `none`.

Importing this package imports no tracker: the W&B client is imported when a W&B run starts,
so `--cfg job` and the report stay fast.
"""

from __future__ import annotations

from collections.abc import Callable

from rlvr_sweeps.config.logger import LoggerConfig, LoggerName

from .base import RunInfo, RunLogger, labelled
from .wandb import WandbLogger

LOGGERS: dict[LoggerName, Callable[[LoggerConfig], RunLogger]] = {
    LoggerName.none: lambda _cfg: RunLogger(),
    LoggerName.wandb: WandbLogger,
}


def make_logger(cfg: LoggerConfig) -> RunLogger:
    """`logger.name` is a LoggerName, so an unknown name already failed at compose time."""
    return LOGGERS[LoggerName(cfg.name)](cfg)


__all__ = ["LOGGERS", "RunInfo", "RunLogger", "labelled", "make_logger"]
