"""The one task record every data source is converted to, so rewards, training and evaluation
never care where a problem came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DataError(ValueError):
    """Bad data input (unknown split, missing file, empty result); the message says what to do."""


@dataclass(frozen=True)
class Task:
    """One programming problem.

    `task_id` is the dataset's own spelling ("11" for MBPP, "Mbpp/11" for MBPP+), so per-problem
    results join with other harnesses; `number` is the integer the official split is defined on,
    and `source` the loader that produced it (MBPP, sanitized MBPP and MBPP+ share one number
    space: that is what lets the leak guard compare them).
    """

    task_id: str
    number: int
    source: str
    text: str  # the natural-language task description
    reference: str  # a solution that passes `tests` (MBPP `code`, MBPP+ `canonical_solution`)
    tests: tuple[str, ...]  # assert statements, each runnable on its own after `setup`
    setup: str = ""  # MBPP test_setup_code; sanitized MBPP test_imports; MBPP+ imports of its assertion
    entry_point: str | None = None  # function under test, where the dataset names it (MBPP+)
    base_inputs: tuple[Any, ...] = field(default=(), repr=False)  # MBPP+: argument lists of the base tests
    plus_inputs: tuple[Any, ...] = field(default=(), repr=False)  # MBPP+: argument lists of the extra tests
    atol: float = 0.0  # MBPP+: absolute tolerance for float outputs (0 = exact)
