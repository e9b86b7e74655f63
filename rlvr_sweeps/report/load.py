"""What the report reads of a cell, loaded once: greedy per-problem outcomes of each evaluation and
the training curve. Result files only (no torch, no data sets): problems.jsonl and metrics.jsonl.

Why a separate loader: the tables, contrasts, flags and figures all need the same per-problem
data, and reading a 500-problem JSONL per evaluation once per cell keeps a 72-cell report within
seconds. The greedy rows themselves are kept (`rows`) for the figures, which draw from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rlvr_sweeps.results import read_jsonl
from rlvr_sweeps.sweep.cell import Cell, CellStatus, metrics_path, problems_path

LABELS = ("base", "trained")
FENCE = "```"


@dataclass
class Outcomes:
    """Greedy outcomes of one evaluation, keyed by task id (one row per task)."""

    passed: dict[str, float] = field(default_factory=dict)
    n_tokens: dict[str, float] = field(default_factory=dict)
    plus_passed: dict[str, float] = field(default_factory=dict)  # MBPP+ only
    fenced: dict[str, bool] = field(default_factory=dict)  # the completion holds a ``` block
    passing_programs: list[str] = field(default_factory=list)  # completions that passed, for hard_coding

    @classmethod
    def read(cls, rows: Any) -> Outcomes:
        out = cls()
        for r in rows:
            if r.get("mode", "greedy") != "greedy" or "task_id" not in r or "passed" not in r:
                continue
            task = str(r["task_id"])
            out.passed[task] = float(bool(r["passed"]))
            if isinstance(r.get("n_tokens"), int | float):
                out.n_tokens[task] = float(r["n_tokens"])
            if r.get("plus_passed") is not None:
                out.plus_passed[task] = float(bool(r["plus_passed"]))
            completion = r.get("completion")
            if isinstance(completion, str):
                out.fenced[task] = FENCE in completion
                if r["passed"]:
                    out.passing_programs.append(completion)
        return out


def greedy_rows(rows: Any) -> list[dict[str, Any]]:
    """The rows of the greedy decoding (one per task); sampled rows are another estimate."""
    return [r for r in rows if r.get("mode", "greedy") == "greedy"]


@dataclass
class CellData:
    cell: Cell
    evals: dict[str, Outcomes]
    curve: list[dict[str, Any]]  # metrics.jsonl rows
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # label -> greedy problems.jsonl rows

    @classmethod
    def read(cls, cell: Cell) -> CellData:
        if cell.status is not CellStatus.OK or cell.job_dir is None:
            return cls(cell, {}, [])
        rows = {label: greedy_rows(read_jsonl(problems_path(cell.job_dir, label))) for label in LABELS}
        evals = {label: Outcomes.read(rows[label]) for label in LABELS}
        return cls(cell, {k: v for k, v in evals.items() if v.passed}, list(read_jsonl(metrics_path(cell.job_dir))),
                   rows)

    def scalars(self, label: str) -> dict[str, Any]:
        return self.cell.record.eval.label(label) if self.cell.record else {}

    def series(self, key: str) -> list[float]:
        return [float(r[key]) for r in self.curve if isinstance(r.get(key), int | float)]
