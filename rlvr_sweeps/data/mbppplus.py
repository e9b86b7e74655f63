"""EvalPlus MBPP+ (evaluation only): base and plus inputs whose expected outputs come from
running the canonical solution, compared with `atol` for floats.

Reads both the development snapshot (inputs stored as JSON strings, prompt in ''' quotes) and
EvalPlus's released MbppPlus-*.jsonl(.gz) (inputs as lists, prompt in triple double quotes with
the example assert inside). There is no hub copy in this format, so a local path is required.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from rlvr_sweeps.config.data import DataConfig

from .readers import read_rows
from .task import DataError, Task

_QUOTES = re.compile(r"^\s*(?:'''|\"\"\")|(?:'''|\"\"\")\s*$")


def _inputs(value: Any) -> tuple[Any, ...]:
    return tuple(json.loads(value) if isinstance(value, str) else value)


def _description(prompt: str) -> str:
    """The task text without the docstring quotes or the example assert (the prompt shows the
    tests itself, from `tests`)."""
    lines = _QUOTES.sub("", prompt.strip()).strip().splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("assert ")).strip()


def _split_assertion(assertion: str) -> tuple[tuple[str, ...], str]:
    """Each top-level assert becomes one test; anything else (imports) becomes the setup, plus
    `import math` when asserts use math.isclose without importing it."""
    module = ast.parse(assertion)
    tests = tuple(
        ast.get_source_segment(assertion, s) or "" for s in module.body if isinstance(s, ast.Assert)
    )
    setup = [ast.get_source_segment(assertion, s) or "" for s in module.body if not isinstance(s, ast.Assert)]
    if any("math." in t for t in tests) and not any("math" in s for s in setup):
        setup.insert(0, "import math")
    return tests, "\n".join(setup)


def mbppplus_task(row: dict[str, Any]) -> Task:
    try:
        task_id = str(row["task_id"])
        tests, setup = _split_assertion(row["assertion"])
        return Task(
            task_id=task_id,
            number=int(task_id.rsplit("/", 1)[-1]),
            source="mbppplus",
            text=_description(row["prompt"]),
            reference=row["canonical_solution"],
            tests=tests,
            setup=setup,
            entry_point=row["entry_point"],
            base_inputs=_inputs(row["base_input"]),
            plus_inputs=_inputs(row["plus_input"]),
            atol=float(row.get("atol") or 0.0),
        )
    except KeyError as e:
        raise DataError(
            f"MBPP+ row {row.get('task_id', '?')} lacks field {e}: data.path must be an EvalPlus MbppPlus.jsonl"
        ) from None


def load_mbppplus(data_cfg: DataConfig) -> list[Task]:
    if not data_cfg.path:
        raise DataError(
            "data=mbppplus needs data.path: EvalPlus's MbppPlus.jsonl(.gz) (from its GitHub releases); "
            "there is no hub copy in EvalPlus's format"
        )
    return [mbppplus_task(r) for r in read_rows(data_cfg.path)]
