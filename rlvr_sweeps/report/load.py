"""What the report reads of a cell, loaded once: per-problem outcomes of each evaluation (greedy,
and the sampled pass rate when eval.n_samples > 0) and the training curve. Result files only (no torch, no data sets): problems.jsonl and metrics.jsonl.

Why a separate loader: the tables, contrasts, flags and figures all need the same per-problem
data, and reading a 500-problem JSONL per evaluation once per cell keeps a 72-cell report within
seconds. The greedy rows themselves are kept (`rows`) for the figures, which draw from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rlvr_sweeps.extract import extract_code
from rlvr_sweeps.results import read_jsonl
from rlvr_sweeps.sweep.cell import Cell, CellStatus, metrics_path, problems_path

from .stats import per_task_pass

LABELS = ("base", "trained")
FENCE = "```"


class Estimate(StrEnum):
    """Which per-problem pass@1 a paired comparison reads.

    greedy: the one deterministic completion per task (0 or 1), the study's number and immune to
    sharpening. sampled: the mean over the eval.n_samples completions sampled at eval.temperature
    (a rate in [0, 1]), an estimate of the policy's expected pass@1 whose paired intervals are
    tighter (a task that improves a little counts a little); but RL that merely lowers the entropy
    raises it where greedy does not move, so a sampled gain without a greedy one is sharpening."""

    greedy = "greedy"
    sampled = "sampled"


@dataclass
class Outcomes:
    """Outcomes of one evaluation, keyed by task id: greedy (one row per task) and, when it sampled,
    each task's sampled pass rate."""

    passed: dict[str, float] = field(default_factory=dict)
    n_tokens: dict[str, float] = field(default_factory=dict)
    plus_passed: dict[str, float] = field(default_factory=dict)  # MBPP+ only
    fenced: dict[str, bool] = field(default_factory=dict)  # the completion holds a ``` block
    code_chars: dict[str, float] = field(default_factory=dict)  # characters of the program (first code block: rows hold no entry point); 0 for no_code
    passing_programs: list[str] = field(default_factory=list)  # completions that passed, for hard_coding
    sampled: dict[str, float] = field(default_factory=dict)  # share of the task's sampled completions that passed

    def pass_rates(self, estimate: Estimate) -> dict[str, float]:
        return self.sampled if estimate == Estimate.sampled else self.passed

    @classmethod
    def read(cls, rows: Any) -> Outcomes:
        rows = list(rows)
        out = cls(sampled=per_task_pass(rows, Estimate.sampled))
        for r in rows:
            if r.get("mode", "greedy") != Estimate.greedy or "task_id" not in r or "passed" not in r:
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
                out.code_chars[task] = float(len(extract_code(completion).strip())) if r.get("has_code", True) else 0.0
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
        every = {label: list(read_jsonl(problems_path(cell.job_dir, label))) for label in LABELS}
        evals = {label: Outcomes.read(every[label]) for label in LABELS}
        return cls(cell, {k: v for k, v in evals.items() if v.passed}, list(read_jsonl(metrics_path(cell.job_dir))),
                   {label: greedy_rows(rows) for label, rows in every.items()})

    def scalars(self, label: str) -> dict[str, Any]:
        return self.cell.record.eval.label(label) if self.cell.record else {}

    def series(self, key: str) -> list[float]:
        return [float(r[key]) for r in self.curve if isinstance(r.get(key), int | float)]
