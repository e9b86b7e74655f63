"""What a job tells its experiment logger, independent of the backend (torch-free).

The job owns the local record (metrics.jsonl, final.json); a logger only mirrors it to an
experiment tracker. TRL/transformers already know how to stream training metrics to the
trackers named in `report_to`, so a logger's main job is to open the run before the trainer
starts (with our names, tags and config) and to add what the trainer does not log: the
evaluation scalars and per-problem tables, and the final summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Table = tuple[list[str], list[list[Any]]]  # (columns, rows) of a per-problem table


def labelled(label: str, metrics: dict[str, Any]) -> dict[str, Any]:
    """`eval/pass@1` of the `base` evaluation -> `eval/base/pass@1`: base and trained share a run."""
    return {f"eval/{label}/{k.removeprefix('eval/')}": v for k, v in metrics.items()}


@dataclass
class RunInfo:
    """Identity of one grid cell, computed once by the job from Hydra's runtime."""

    job_dir: Path
    algo: str  # W&B job_type: groups runs by algorithm in the UI
    name: str  # run name: the cell's overrides ("reward=unit,algo=grpo"), "default" without any
    group: str | None  # the sweep (its directory name); None for a single run
    choices: dict[str, str] = field(default_factory=dict)  # Hydra runtime choices (config groups)
    overrides: list[str] = field(default_factory=list)  # this cell's command-line overrides
    config: dict[str, Any] = field(default_factory=dict)  # the full resolved config


class RunLogger:
    """No tracker: everything stays in the job dir. Base class of the real loggers."""

    report_to: list[str] = []  # transformers `report_to` integrations fed by the trainer

    def start(self, info: RunInfo) -> None:
        """Open the run before the trainer starts (the trainer then logs into it)."""

    def log_eval(self, label: str, metrics: dict[str, Any], table: Table | None = None) -> None:
        """Evaluation scalars (`eval/<label>/...`) and the per-problem table (columns, rows) of one
        evaluation (None when `eval.log_table` is off)."""

    def log_step(self, metrics: dict[str, float], step: int) -> None:
        """Scalars measured at training step `step` outside the trainer's own logging (the
        validation curve, `val/...`), plotted against the same `train/global_step` axis."""

    def log_summary(self, summary: dict[str, Any]) -> None:
        """Final scalars of the job (status, delta, timings) as the run's summary."""

    def finish(self, failed: bool) -> None:
        """Close the run; always called (in a finally), also when start() was not."""
