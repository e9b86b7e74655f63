"""Pseudo-policies for evaluation self-checks: no model, known answers.

``reference`` answers every task with its reference solution in a fenced block, so the whole
pipeline (prompt -> extraction -> sandbox -> statistics) must give pass@1 = 100 %; ``null``
answers with empty text and must give 0 %. Either number being off means the harness is wrong,
whatever any model would score. ``replay`` answers with completions produced elsewhere (a JSONL
file of ``{"task_id", "completion"}`` rows, several per task for pass@k: evalplus's
``--samples`` convention), so they get exactly the scoring, diagnostics and files of a live model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rlvr_sweeps.evaluate.generators.base import Completion, Generator, Request, Sampling
from rlvr_sweeps.extract import code_end, fence_code, task_entry_point


class _TokenCounter:
    """Counts tokens with the configured tokenizer, so lengths are comparable to a model's."""

    def __init__(self, tokenizer: Any = None) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> int:
        if not text:
            return 0
        if self.tokenizer is None:
            return len(text.split())
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])


class ReferenceGenerator(Generator):
    name = "reference"

    def __init__(self, tokenizer: Any = None) -> None:
        self.count = _TokenCounter(tokenizer)

    def generate(self, requests: Sequence[Request], sampling: Sampling) -> list[list[Completion]]:
        out = []
        for req in requests:
            reference = getattr(req.task, "reference", "") or ""
            if not reference.strip():
                raise ValueError(f"task {req.task.task_id} has no reference solution: model=reference cannot run")
            text = fence_code(reference)
            out.append([Completion(text, self.count(text), False)] * sampling.n)
        return out


class NullGenerator(Generator):
    name = "null"

    def __init__(self, tokenizer: Any = None) -> None:
        del tokenizer

    def generate(self, requests: Sequence[Request], sampling: Sampling) -> list[list[Completion]]:
        return [[Completion("", 0, False)] * sampling.n for _ in requests]


class ReplayError(ValueError):
    """A replay file that cannot answer the requests; the message says what to do."""


def read_replay(path: str | Path) -> dict[str, list[str]]:
    """Completions per task id, in file order (row i of a task is its i-th sample)."""
    if not str(path) or not Path(path).is_file():
        raise ReplayError(f"model=replay: model.path={str(path)!r} is not a file; give a JSONL of "
                          '{"task_id": ..., "completion": ...} rows')
    path = Path(path)
    out: dict[str, list[str]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise ReplayError(f"model=replay: {path}:{n} is not JSON") from None
        if not isinstance(row, dict) or "task_id" not in row or not isinstance(row.get("completion"), str):
            raise ReplayError(f'model=replay: {path}:{n} needs "task_id" and a string "completion"')
        out.setdefault(str(row["task_id"]), []).append(row["completion"])
    return out


class ReplayGenerator(Generator):
    """Greedy requests get each task's first row; ``n`` sampled completions its first ``n`` rows.
    Task ids match as written ("11", "Mbpp/11") or by number. With ``stop_at_code_end`` a text is
    cut at its answer block's end, as a live generator would have stopped (same verdict)."""

    name = "replay"

    def __init__(self, path: str | Path, tokenizer: Any = None) -> None:
        self.path = str(path)
        self.rows = read_replay(path)
        self.count = _TokenCounter(tokenizer)

    def _rows_for(self, task: Any) -> list[str]:
        for key in (str(task.task_id), str(getattr(task, "number", task.task_id))):
            if key in self.rows:
                return self.rows[key]
        raise ReplayError(f"model=replay: {self.path} has no completion for task {task.task_id}; "
                          "add rows for it or narrow the tasks with eval.task_ids / data.max_eval_tasks")

    def generate(self, requests: Sequence[Request], sampling: Sampling) -> list[list[Completion]]:
        out = []
        for req in requests:
            texts = self._rows_for(req.task)
            if len(texts) < sampling.n:
                raise ReplayError(f"model=replay: task {req.task.task_id} has {len(texts)} completions in "
                                  f"{self.path}, eval.n_samples={sampling.n} needs that many")
            comps = []
            for text in texts[: sampling.n]:
                end = code_end(text, task_entry_point(req.task)) if sampling.stop_at_code_end else None
                text = text if end is None else text[:end]
                comps.append(Completion(text, self.count(text), False))
            out.append(comps)
        return out
