"""Pseudo-policies for evaluation self-checks: no model, known answers.

``reference`` answers every task with its reference solution in a fenced block, so the whole
pipeline (prompt -> extraction -> sandbox -> statistics) must give pass@1 = 100 %; ``null``
answers with empty text and must give 0 %. Either number being off means the harness is wrong,
whatever any model would score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rlvr_sweeps.evaluate.generators.base import Completion, Generator, Request, Sampling


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
            text = f"```python\n{reference.rstrip()}\n```"
            out.append([Completion(text, self.count(text), False)] * sampling.n)
        return out


class NullGenerator(Generator):
    name = "null"

    def __init__(self, tokenizer: Any = None) -> None:
        del tokenizer

    def generate(self, requests: Sequence[Request], sampling: Sampling) -> list[list[Completion]]:
        return [[Completion("", 0, False)] * sampling.n for _ in requests]
