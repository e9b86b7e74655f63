"""MBPP-format sources: original MBPP, sanitized MBPP, and the embedded set (same fields as MBPP)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from rlvr_sweeps.config.data import DataConfig

from .readers import read_rows, rows_for
from .task import DataError, Task

EMBEDDED_FILE = "embedded.jsonl"


def _row_error(source: str, row: dict[str, Any], e: KeyError) -> DataError:
    return DataError(
        f"{source} row {row.get('task_id', '?')} lacks field {e}: is data.path the right file for data.source={source}?"
    )


def mbpp_task(row: dict[str, Any], source: str = "mbpp") -> Task:
    """Original MBPP row: text, code, task_id, test_setup_code, test_list (challenge tests unused,
    as in every published MBPP number)."""
    try:
        return Task(
            task_id=str(row["task_id"]),
            number=int(row["task_id"]),
            source=source,
            text=row["text"],
            reference=row["code"],
            tests=tuple(row["test_list"]),
            setup=row.get("test_setup_code") or "",
        )
    except KeyError as e:
        raise _row_error(source, row, e) from None


def sanitized_task(row: dict[str, Any]) -> Task:
    """Sanitized MBPP row: the description is `prompt`, and `test_imports` (e.g. `import math`
    for math.isclose asserts) must run before the tests, so it becomes the setup."""
    try:
        return Task(
            task_id=str(row["task_id"]),
            number=int(row["task_id"]),
            source="mbpp_sanitized",
            text=row["prompt"],
            reference=row["code"],
            tests=tuple(row["test_list"]),
            setup="\n".join(row.get("test_imports") or []),
        )
    except KeyError as e:
        raise _row_error("mbpp_sanitized", row, e) from None


def load_mbpp(data_cfg: DataConfig) -> list[Task]:
    return [mbpp_task(r) for r in rows_for(data_cfg)]


def load_sanitized(data_cfg: DataConfig) -> list[Task]:
    return [sanitized_task(r) for r in rows_for(data_cfg)]


def load_embedded(data_cfg: DataConfig) -> list[Task]:
    """The problems shipped in the package (or a file in the same format via `data.path`)."""
    if data_cfg.path:
        rows = read_rows(data_cfg.path)
    else:
        with resources.as_file(resources.files(__package__) / EMBEDDED_FILE) as p:
            rows = read_rows(p)
    return [mbpp_task(r, source="embedded") for r in rows]
