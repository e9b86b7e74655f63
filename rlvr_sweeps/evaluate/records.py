"""Per-completion result rows: what `problems.jsonl` holds, how it is written, and how the job
turns it into a W&B table. Torch-free and sandbox-free: the report and paired statistics read
these files without re-running anything.

One row per completion (greedy: ``mode="greedy", sample=0``; sampled: ``mode="sampled"``,
``sample`` = 0..n-1), keyed by the dataset's own ``task_id`` so rows of two runs join.
Rows are appended per scored chunk and fsynced, so a crash loses at most the chunk in flight;
readers skip a torn last line (``rlvr_sweeps.results.read_jsonl``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rlvr_sweeps.results import append_jsonl, read_jsonl
from rlvr_sweeps.sweep.cell import PROBLEMS as PROBLEMS_FILE  # job-dir file names live in sweep/cell.py
from rlvr_sweeps.sweep.cell import SUMMARY as SUMMARY_FILE  # noqa: F401 - re-exported for evaluate.core


@dataclass
class Verdict:
    """The sandbox's judgement of one completion on one test suite."""

    passed: bool
    status: str  # sandbox status: pass/fail/error/timeout/memory/crash/no_code (+ harness_error)
    error_type: str  # one of rlvr_sweeps.diagnostics.ERROR_LABELS
    error: str | None = None  # the raw exception type name, e.g. ZeroDivisionError
    tests_passed: int = 0
    tests_total: int = 0


@dataclass
class ProblemRow:
    task_id: str
    mode: str  # "greedy" (pass@1) or "sampled" (pass@k)
    sample: int
    passed: bool
    status: str
    error_type: str
    error: str | None
    tests_passed: int
    tests_total: int
    n_tokens: int
    truncated: bool
    has_code: bool
    lint: dict[str, int] | None  # issues per severity class; None when there is no code to lint
    lint_codes: dict[str, int] = field(default_factory=dict)
    completion: str = ""
    plus_passed: bool | None = None  # MBPP+ only: base + plus inputs
    plus_status: str | None = None
    plus_error_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def label_dir(out_dir: str | Path, label: str) -> Path:
    return Path(out_dir) / label


class ProblemsWriter:
    """Appends rows to ``<out_dir>/<label>/problems.jsonl``, starting from an empty file unless
    ``fresh=False`` (a resumed evaluation appends after the chunks it kept)."""

    def __init__(self, out_dir: str | Path, label: str, fresh: bool = True) -> None:
        self.path = label_dir(out_dir, label) / PROBLEMS_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if fresh or not self.path.exists():
            self.path.write_text("", encoding="utf-8")

    def write(self, rows: Iterable[ProblemRow]) -> None:
        append_jsonl(self.path, [r.to_dict() for r in rows])


def read_problems(out_dir: str | Path, label: str) -> Iterator[dict[str, Any]]:
    return read_jsonl(label_dir(out_dir, label) / PROBLEMS_FILE)


BASE_COLUMNS = ("task_id", "mode", "sample", "passed", "error_type", "n_tokens", "truncated")


def problems_table_rows(
    out_dir: str | Path, label: str, mode: str | None = "greedy"
) -> tuple[list[str], list[list[Any]]]:
    """(columns, data) for ``wandb.Table(columns=columns, data=data)`` of one evaluation, read
    from its problems.jsonl (torch-free). ``mode=None`` keeps the sampled rows too. One
    ``lint_<class>`` column per severity class seen, then ``plus_passed`` for MBPP+, then the
    completion text."""
    rows = [r for r in read_problems(out_dir, label) if mode is None or r.get("mode") == mode]
    classes = sorted({c for r in rows for c in (r.get("lint") or {})})
    plus = any(r.get("plus_passed") is not None for r in rows)
    columns = [*BASE_COLUMNS, *(f"lint_{c}" for c in classes), *(["plus_passed"] if plus else []), "completion"]
    data = []
    for r in rows:
        lint = r.get("lint") or {}
        data.append([
            *(r.get(k) for k in BASE_COLUMNS),
            *(lint.get(c, 0) for c in classes),
            *([r.get("plus_passed")] if plus else []),
            r.get("completion", ""),
        ])
    return columns, data
