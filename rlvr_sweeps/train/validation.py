"""Validation during training: greedy pass@1 of the current adapter on the validation split.

Why: the final evaluation gives one point per cell, and `save_total_limit` deletes the
checkpoints that could give more afterwards, so correctness curves must be measured while
training. `ValidationCallback` runs the project's own evaluation (`evaluate_policy`, the same
prompts, extraction, sandbox and metrics as the reported numbers) at step 0 and every
`eval.during.every_steps` steps, and hands `val/pass@1`, `val/length`, `val/no_code_share` to a
sink that appends them to metrics.jsonl (as a row `{"step": s, "val/...": ...}`) and logs them
to the tracker against `train/global_step`. Per-problem rows of each point are kept in
`eval/val/step-<N>/problems.jsonl` like any other evaluation.

Costs: one greedy evaluation of the split per point (sampling, MBPP+ and eval.task_ids are off
here). In a multi-GPU cell only the main process evaluates while the others wait at their next
collective: keep the split small there (`eval.during.max_tasks`).
Imports transformers: load it inside the job only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from rlvr_sweeps.config import Config
from rlvr_sweeps.data import assert_no_test_leak, load_tasks
from rlvr_sweeps.evaluate import evaluate_policy, greedy_view
from rlvr_sweeps.results import append_jsonl

LABEL = "val/step-{step:06d}"  # eval/<label>/problems.jsonl of one validation point
Sink = Callable[[int, dict[str, float]], None]


def val_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    """The evaluation's scalars under the names the curves use."""
    return {
        "val/pass@1": float(metrics.get("eval/pass@1", 0.0)),
        "val/length": float(metrics.get("eval/length/mean", 0.0)),
        "val/no_code_share": float(metrics.get("eval/errors/no_code", 0.0)),
    }


class ValidationCallback(TrainerCallback):
    def __init__(self, conf: Config, tokenizer: Any, tasks: Sequence[Any], out_dir: str | Path, sink: Sink) -> None:
        self.conf = greedy_view(conf, conf.eval.during.split)
        self.every = conf.eval.during.every_steps
        self.tokenizer, self.tasks, self.out_dir, self.sink = tokenizer, list(tasks), Path(out_dir), sink
        self.done: set[int] = set()

    def _run(self, state: Any, model: Any) -> None:
        step = int(state.global_step)
        if not state.is_world_process_zero or step in self.done or model is None:
            return
        self.done.add(step)
        metrics = evaluate_policy(model, self.tokenizer, self.tasks, self.conf, self.out_dir, LABEL.format(step=step))
        self.sink(step, val_metrics(metrics))

    def on_train_begin(self, args, state, control, model=None, **kwargs) -> None:
        if state.global_step == 0:  # the starting point of the curve (a resumed run has it already)
            self._run(state, model)

    def on_step_end(self, args, state, control, model=None, **kwargs) -> None:
        if state.global_step % self.every == 0:
            self._run(state, model)


def validation_callbacks(conf: Config, tokenizer: Any, train_tasks: Sequence[Any], job_dir: Path,
                         metrics_path: Path, rows: list[dict[str, Any]], logger: Any) -> list[TrainerCallback]:
    """[] when `eval.during.every_steps` is 0; else the callback, its split loaded and checked
    disjoint from training, writing into metrics.jsonl (`rows` is the job's in-memory copy) and
    the run logger."""
    during = conf.eval.during
    if during.every_steps <= 0:
        return []
    tasks = load_tasks(conf.data, during.split, limit=during.max_tasks)
    assert_no_test_leak(train_tasks, tasks)

    def sink(step: int, values: dict[str, float]) -> None:
        row = {"step": step, **values}
        rows.append(row)
        append_jsonl(metrics_path, row)
        logger.log_step(values, step)

    return [ValidationCallback(conf, tokenizer, tasks, job_dir / "eval", sink)]


__all__ = ["ValidationCallback", "val_metrics", "validation_callbacks"]
