"""Hand-built cells of a sweep, written with the project's own writers, for the report's unit tests.

Every file is what a job writes: problems.jsonl through `ProblemsWriter` (rows are `ProblemRow`s),
the evaluation scalars through `evaluate.metrics.summarize` (as evaluate_policy computes them),
metrics.jsonl rows with the `train/...` keys of MetricsJsonlCallback, final.json through
`FinalRecord.write`, and multirun.yaml as a BasicSweeper multirun leaves it. Outcomes are given
per task (no randomness), so a test can assert exact numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr_sweeps.bench.report import HONEST, LOOKUP, write_multirun_yaml
from rlvr_sweeps.evaluate.metrics import summarize_problems
from rlvr_sweeps.evaluate.records import ProblemRow, ProblemsWriter
from rlvr_sweeps.results import append_jsonl
from rlvr_sweeps.sweep.cell import EVAL, EvalResults, FinalRecord, metrics_path

MAX_NEW_TOKENS = 256
TASKS = [f"task{i:02d}" for i in range(40)]
N_SAMPLES = 4  # sampled rows per task of an Eval with `sampled`
UNFENCED = HONEST.strip("`").removeprefix("python\n")


@dataclass
class Eval:
    """One evaluation: which tasks pass (by id) and what the completions look like."""

    passing: Sequence[str] = ()
    length: int = 100  # tokens; each task adds i % 5 so lengths are not all tied
    lengths: Mapping[str, int] = field(default_factory=dict)  # tasks of another length (exactly)
    completion: str = HONEST  # the program of every completion that holds code
    no_code: Sequence[str] = ()  # tasks answered without code (empty completion, nothing linted)
    lint_errors: int = 1  # Ruff `error` issues of every completion with code
    plus_failing: Sequence[str] | None = None  # MBPP+: passing tasks that fail the plus tests
    tasks: Sequence[str] = tuple(TASKS)
    sampled: Mapping[str, int] = field(default_factory=dict)  # task -> passing samples of N_SAMPLES ({} = no sampling)

    def rows(self) -> list[ProblemRow]:
        return self.greedy_rows() + self.sampled_rows()

    def sampled_rows(self) -> list[ProblemRow]:
        """N_SAMPLES rows per task when `sampled` is given: the first `sampled[task]` pass."""
        if not self.sampled:
            return []
        return [ProblemRow(
            task_id=task, mode="sampled", sample=k, passed=k < self.sampled.get(task, 0),
            status="pass" if k < self.sampled.get(task, 0) else "AssertionError",
            error_type="pass" if k < self.sampled.get(task, 0) else "AssertionError", error=None, tests_passed=0,
            tests_total=3, n_tokens=self.length, truncated=False, has_code=True, lint={"error": 0, "warning": 0},
            completion=self.completion) for task in self.tasks for k in range(N_SAMPLES)]

    def greedy_rows(self) -> list[ProblemRow]:
        rows = []
        for i, task in enumerate(self.tasks):
            empty = task in self.no_code
            passed = task in self.passing and not empty
            error = "pass" if passed else "no_code" if empty else "AssertionError"
            rows.append(ProblemRow(
                task_id=task, mode="greedy", sample=0, passed=passed, status="pass" if passed else error,
                error_type=error, error=None if passed or empty else "AssertionError",
                tests_passed=3 if passed else 0, tests_total=3, n_tokens=self.lengths.get(task, self.length + i % 5), truncated=False,
                has_code=not empty, lint=None if empty else {"error": self.lint_errors, "warning": 0},
                completion="" if empty else self.completion,
                plus_passed=None if self.plus_failing is None else passed and task not in self.plus_failing,
            ))
        return rows


@dataclass
class Curve:
    """metrics.jsonl: the training reward from `reward_start` to `reward_end` over `steps`, and the
    share of zero-variance groups at every step."""

    reward_start: float = 0.3
    reward_end: float = 0.3
    zero_std: float = 0.1
    steps: int = 20

    def rows(self) -> list[dict[str, Any]]:
        span = self.reward_end - self.reward_start
        return [{"step": s + 1, "train/reward": self.reward_start + span * s / (self.steps - 1)
                 + 0.01 * (s % 3), "train/frac_reward_zero_std": self.zero_std} for s in range(self.steps)]


@dataclass
class CellSpec:
    base: Eval
    trained: Eval
    curve: Curve | None = field(default_factory=Curve)
    warm_start: dict | None = None  # final.json's warm_start record (WarmStartResult.to_dict)


def first(n: int) -> list[str]:
    return TASKS[:n]


def write_cell(sweep: Path, params: dict[str, str], spec: CellSpec) -> Path:
    """One ok cell in `sweep/<k>=<v>,...` (the project's job-dir naming)."""
    overrides = [f"{k}={v}" for k, v in params.items()]
    job = sweep / ",".join(overrides)
    scalars = {}
    for label, ev in (("base", spec.base), ("trained", spec.trained)):
        rows = ev.rows()
        ProblemsWriter(job / EVAL, label).write(rows)
        scalars[label] = summarize_problems([r.to_dict() for r in rows], [1], MAX_NEW_TOKENS, ("error", "warning"))[0]
    if spec.curve is not None:
        append_jsonl(metrics_path(job), spec.curve.rows())
    delta = 100 * (scalars["trained"]["eval/pass@1"] - scalars["base"]["eval/pass@1"])
    FinalRecord(status="ok", choices={k: v for k, v in params.items() if k != "seed"}, overrides=overrides,
                eval=EvalResults(base=scalars["base"], trained=scalars["trained"], delta_pp=delta),
                job_dir=str(job), warm_start=spec.warm_start or {}).write(job)
    return job


def write_sweep(sweep: Path, cells: dict[tuple[tuple[str, str], ...], CellSpec]) -> Path:
    """Cells keyed by their (key, value) pairs, plus the multirun.yaml of the grid they span
    (options in first-seen order)."""
    grid: dict[str, list[str]] = {}
    for params, spec in cells.items():
        for k, v in params:
            options = grid.setdefault(k, [])
            if v not in options:
                options.append(v)
        write_cell(sweep, dict(params), spec)
    write_multirun_yaml(sweep, grid)
    return sweep


__all__ = ["LOOKUP", "N_SAMPLES", "TASKS", "UNFENCED", "CellSpec", "Curve", "Eval", "first", "write_cell", "write_sweep"]
