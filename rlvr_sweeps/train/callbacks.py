"""The trainer callback that writes metrics.jsonl (imports transformers: load it inside the job only).

One row per logging step, keys renamed `train/<name>` (our `split/name` convention, the same
names transformers' W&B integration uses), appended and flushed as it happens so a job killed
mid-run keeps every step it logged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from rlvr_sweeps.results import append_jsonl

# Trainer's end-of-training summary keys ("train_runtime") become train/runtime, not train/train_runtime;
# its mean loss over the run must not shadow the last step's train/loss.
_SUMMARY_PREFIX = "train_"
_SUMMARY_RENAMES = {"train_loss": "train/loss_mean"}


def train_key(key: str) -> str:
    if key.startswith("train/"):
        return key
    return "train/" + (key[len(_SUMMARY_PREFIX) :] if key.startswith(_SUMMARY_PREFIX) else key)


class MetricsJsonlCallback(TrainerCallback):
    """Appends `{"step": global_step, "train/...": value}` to `path` on every `on_log`, and keeps
    the rows so the job can summarise them without reading the file back. The Trainer's
    end-of-training log (runtime, samples/s, mean loss) is not a step: it goes to `summary`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows: list[dict[str, Any]] = []
        self.summary: dict[str, Any] = {}

    def on_log(self, args, state, control, logs=None, **kwargs) -> None:
        if not logs or not state.is_world_process_zero:
            return
        values = {k: v for k, v in logs.items() if isinstance(v, int | float | str | bool)}
        if "train_runtime" in values:
            self.summary.update({_SUMMARY_RENAMES.get(k) or train_key(k): v for k, v in values.items() if k != "epoch"})
            return
        row: dict[str, Any] = {"step": state.global_step}
        row.update({train_key(k): v for k, v in values.items()})
        self.rows.append(row)
        append_jsonl(self.path, row)

