"""Weights & Biases: one run per grid cell, offline unless the user says otherwise.

- Identity: project/entity from config; group = the sweep (its directory name) so one grid is one
  W&B group; job_type = the algorithm; tags = the config choices (`reward=unit`, ...) plus
  `logger.tags`; run name = the cell's overrides; config = the full resolved config.
- Offline by default so it works with no account (`wandb sync <job dir>/wandb/offline-run-*`
  uploads later); `WANDB_MODE` in the environment wins over `logger.mode`.
- Confined: W&B's run files, cache, config, data and artifact dirs are set to folders of the job
  dir before the run starts, and the previous environment is restored when it finishes, so
  nothing lands in ~/.cache or ~/.config and several jobs in one process (Hydra's basic launcher
  runs a whole multirun in one) each get their own run in their own dir.
- TRL's `report_to="wandb"` streams the training metrics into the run we opened (transformers'
  WandbCallback reuses `wandb.run` when one exists).
"""

from __future__ import annotations

import json
import os
from typing import Any

from rlvr_sweeps.config.logger import LoggerConfig

from .base import RunInfo, RunLogger, Table, labelled

# W&B's directory variables and the job-dir subfolder each one points to.
_DIRS = {
    "WANDB_DIR": "",  # runs go to <job dir>/wandb/<run>
    "WANDB_CACHE_DIR": "wandb/.cache",
    "WANDB_CONFIG_DIR": "wandb/.config",
    "WANDB_DATA_DIR": "wandb/.data",
    "WANDB_ARTIFACT_DIR": "wandb/.artifacts",
}
_TAG_MAX = 64  # W&B rejects longer tags


def resolve_mode(cfg: LoggerConfig) -> str:
    """`WANDB_MODE` from the environment wins (the W&B convention users expect), else the config."""
    env = os.environ.get("WANDB_MODE", "").strip()
    if env == "dryrun":  # W&B's legacy spelling of offline
        env = "offline"
    return env or cfg.mode.value


def tags_for(info: RunInfo, extra: list[str]) -> list[str]:
    """One tag per config choice (`reward=unit`), Hydra's own groups left out, then the user's."""
    tags = [f"{group}={option}" for group, option in info.choices.items() if not group.startswith("hydra")]
    seen: set[str] = set()
    return [t[:_TAG_MAX] for t in [*tags, *extra] if not (t in seen or seen.add(t))]


def _cell(value: Any) -> Any:
    """W&B table cells must be scalars; nested values become compact JSON text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, default=str)


class WandbLogger(RunLogger):
    def __init__(self, cfg: LoggerConfig) -> None:
        self.cfg = cfg
        self.mode = resolve_mode(cfg)
        # A disabled run needs no trainer integration: transformers would open a run of its own.
        self.report_to = [] if self.mode == "disabled" else ["wandb"]
        self.run = None
        self._saved_env: dict[str, str | None] = {}

    def _confine(self, info: RunInfo) -> None:
        for var, sub in _DIRS.items():
            path = info.job_dir / sub if sub else info.job_dir
            path.mkdir(parents=True, exist_ok=True)
            self._saved_env[var] = os.environ.get(var)
            os.environ[var] = str(path)

    def _restore_env(self) -> None:
        for var, old in self._saved_env.items():
            if old is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = old
        self._saved_env.clear()

    def start(self, info: RunInfo) -> None:
        self._confine(info)
        import wandb  # lazy: logger=none and the report never import wandb

        self.run = wandb.init(
            project=self.cfg.project,
            entity=self.cfg.entity,
            group=self.cfg.group or info.group,
            job_type=info.algo,
            name=info.name,
            tags=tags_for(info, list(self.cfg.tags)),
            config={**info.config, "choices": info.choices, "overrides": info.overrides},
            dir=str(info.job_dir),
            mode=self.mode,
            reinit="finish_previous",  # a run left open by a crashed job never swallows the next one
            # console="off": the job's output is already in the terminal / SLURM log, and routing every
            # progress-bar redraw through W&B costs the training process time on each write.
            settings=wandb.Settings(silent=True, disable_git=True, console="off"),
        )

    def log_eval(self, label: str, metrics: dict[str, Any], table: Table | None = None) -> None:
        if self.run is None:
            return
        import wandb  # lazy: as in start()

        data: dict[str, Any] = {k: v for k, v in labelled(label, metrics).items() if isinstance(v, int | float)}
        if table and table[1]:
            columns, rows = table
            data[f"eval/{label}/problems"] = wandb.Table(columns=columns, data=[[_cell(v) for v in r] for r in rows])
        if data:
            self.run.log(data)

    def log_step(self, metrics: dict[str, float], step: int) -> None:
        if self.run is not None:  # transformers' WandbCallback makes train/global_step every metric's x axis
            self.run.log({**metrics, "train/global_step": step})

    def log_summary(self, summary: dict[str, Any]) -> None:
        if self.run is None:
            return
        for key, value in summary.items():
            if isinstance(value, int | float | str | bool):
                self.run.summary[key] = value

    def finish(self, failed: bool) -> None:
        try:
            if self.run is not None:
                self.run.finish(exit_code=1 if failed else 0)
        finally:
            self.run = None
            self._restore_env()
