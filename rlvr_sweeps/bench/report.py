"""``python -m rlvr_sweeps.bench report [--configs 36] [--seeds 2] [--problems 500]``: time the whole
report (tables, contrasts, flags, and the figure/HTML writers once they exist) of a fake grid.

Target: a 72-cell grid (3 rewards × 2 algos × 2 models × 3 LoRA ranks × 2 seeds) of 500 problems
each in ≤ 30 s on 2 cores. Baseline, in the same invocation: reading every cell's files alone
(final.json, both problems.jsonl, metrics.jsonl), i.e. the floor any report pays; the ratio says
what the statistics cost on top. The fake dirs are real result files (FinalRecord, problems.jsonl
rows with the evaluation's own scalars), also used by the report's tests.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import OmegaConf

from rlvr_sweeps.evaluate.metrics import summarize_problems
from rlvr_sweeps.report import write_report
from rlvr_sweeps.results import append_jsonl, read_jsonl
from rlvr_sweeps.sweep.cell import MULTIRUN_YAML, FinalRecord, gather_cells, metrics_path, problems_path

MAX_NEW_TOKENS = 256
LOOKUP = "```python\ndef f(x):\n    if x == 1:\n        return 2\n    if x == 3:\n        return 4\n    return 0\n```"
HONEST = "```python\ndef f(x):\n    return x + 1\n```"


@dataclass
class FakeEval:
    """How one evaluation of a fake cell behaves (probabilities per problem)."""

    pass_rate: float = 0.3
    length: float = 120.0
    no_code: float = 0.0
    lint_clean: float = 0.5
    fenced: float = 1.0
    lookup_share: float = 0.0  # share of passing programs written as a lookup table
    plus_fail: float | None = None  # MBPP+: share of passing programs that fail the plus tests


@dataclass
class FakeCell:
    base: FakeEval
    trained: FakeEval
    reward_start: float = 0.2
    reward_end: float = 0.2
    zero_std: float = 0.1
    steps: int = 40


def _rows(ev: FakeEval, n_problems: int, rng: np.random.Generator, difficulty: np.ndarray) -> list[dict[str, Any]]:
    rows = []
    for i in range(n_problems):
        no_code = rng.random() < ev.no_code
        passed = not no_code and rng.random() < min(1.0, ev.pass_rate * 2 * difficulty[i])
        fenced = rng.random() < ev.fenced
        code = LOOKUP if passed and rng.random() < ev.lookup_share else HONEST
        completion = "" if no_code else (code if fenced else code.strip("`").removeprefix("python\n"))
        row = {
            "task_id": str(i), "mode": "greedy", "sample": 0, "passed": passed,
            "status": "pass" if passed else ("no_code" if no_code else "fail"),
            "error_type": "pass" if passed else ("no_code" if no_code else "AssertionError"),
            "error": None, "tests_passed": 3 * passed, "tests_total": 3,
            "n_tokens": max(1, int(rng.normal(ev.length, ev.length / 5))),
            "truncated": False, "has_code": not no_code,
            "lint": None if no_code else {"error": int(rng.random() > ev.lint_clean)},
            "lint_codes": {}, "completion": completion,
        }
        if ev.plus_fail is not None:
            row["plus_passed"] = passed and rng.random() >= ev.plus_fail
        rows.append(row)
    return rows


def write_fake_cell(job_dir: Path, spec: FakeCell, overrides: list[str], n_problems: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    difficulty = np.random.default_rng(12345).random(n_problems)  # the same problems in every cell
    results: dict[str, Any] = {}
    for label, ev in (("base", spec.base), ("trained", spec.trained)):
        rows = _rows(ev, n_problems, rng, difficulty)
        path = problems_path(job_dir, label)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
        append_jsonl(path, rows)
        results[label] = summarize_problems(rows, [1], MAX_NEW_TOKENS, ("error",))[0]
    results["delta_pp"] = 100 * (results["trained"]["eval/pass@1"] - results["base"]["eval/pass@1"])
    curve = np.linspace(spec.reward_start, spec.reward_end, spec.steps) + rng.normal(0, 0.02, spec.steps)
    metrics_path(job_dir).write_text("")
    append_jsonl(metrics_path(job_dir), [{"step": s + 1, "train/reward": float(r), "train/frac_reward_zero_std":
                                          spec.zero_std} for s, r in enumerate(curve)])
    choices = {k: v for k, _, v in (o.partition("=") for o in overrides)}
    record = FinalRecord.from_dict({"status": "ok", "choices": choices, "overrides": overrides, "eval": results,
                                    "metrics": {"train/reward_mean": float(curve.mean())}, "job_dir": str(job_dir)})
    record.write(job_dir)


def write_fake_sweep(sweep_dir: Path, grid: dict[str, list[str]], spec_of, n_problems: int) -> list[Path]:
    """One fake cell per point of `grid` (group -> options, `seed` included), its FakeCell from
    `spec_of(choices)`, and the sweep's multirun.yaml so the grid is known."""
    dirs = []
    for n, values in enumerate(itertools.product(*grid.values())):
        choices = dict(zip(grid, values, strict=True))
        overrides = [f"{k}={v}" for k, v in choices.items()]
        job_dir = sweep_dir / ",".join(overrides)
        write_fake_cell(job_dir, spec_of(choices), overrides, n_problems, seed=n)
        dirs.append(job_dir)
    write_multirun_yaml(sweep_dir, grid)
    return dirs


def write_multirun_yaml(sweep_dir: Path, grid: dict[str, list[str]]) -> Path:
    """The hydra node of a BasicSweeper multirun over `grid` (group -> options), with job dirs
    named `<k>=<v>,...` as this project's sweeps name them: what tells the report the grid's
    order (a group's first listed option is its contrasts' reference) and its missing cells."""
    path = Path(sweep_dir) / MULTIRUN_YAML
    path.parent.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(OmegaConf.create({"hydra": {
        "sweeper": {"_target_": "hydra._internal.core_plugins.basic_sweeper.BasicSweeper", "params": None},
        "overrides": {"task": [f"{k}={','.join(v)}" for k, v in grid.items()]},
        "sweep": {"dir": str(sweep_dir), "subdir": "${hydra.job.override_dirname}"},
        "job": {"config": {"override_dirname": {"kv_sep": "=", "item_sep": ",", "exclude_keys": []}}},
    }}), path)
    return path


PAPER_GRID = {"model": ["qwen3-0.6b", "llama3.2-1b"], "reward": ["unit", "ruff", "combined"],
              "algo": ["grpo", "gspo"], "lora.r": ["8", "16", "32"], "seed": ["0", "1"]}


def _spec(choices: dict[str, str]) -> FakeCell:
    gain = {"unit": 0.05, "ruff": 0.0, "combined": 0.1}[choices.get("reward", "unit")]
    return FakeCell(FakeEval(), FakeEval(pass_rate=0.3 + gain, length=100 if choices.get("reward") == "ruff" else 120))


def _read_only(sweep: Path) -> int:
    n = 0
    for cell in gather_cells(sweep):
        for label in ("base", "trained"):
            n += sum(1 for _ in read_jsonl(problems_path(cell.job_dir, label)))
        n += sum(1 for _ in read_jsonl(metrics_path(cell.job_dir)))
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rlvr_sweeps.bench report", description=__doc__)
    parser.add_argument("--problems", type=int, default=500)
    parser.add_argument("--target-s", type=float, default=30.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        sweep = Path(tmp) / "sweep"
        t0 = time.perf_counter()
        dirs = write_fake_sweep(sweep, PAPER_GRID, _spec, args.problems)
        print(f"fake grid: {len(dirs)} cells × {args.problems} problems written in {time.perf_counter() - t0:.1f} s")
        t1 = time.perf_counter()
        rows = _read_only(sweep)
        baseline = time.perf_counter() - t1
        t2, cpu = time.perf_counter(), time.process_time()
        report = write_report(sweep, quiet=True)
        ours, cpu = time.perf_counter() - t2, time.process_time() - cpu
    ok = ours <= args.target_s
    print(f"baseline (read every cell's files, {rows} rows): {baseline:.2f} s")
    # CPU seconds (all threads of this process) beside the wall clock: on a shared machine the
    # wall clock measures the neighbours too, the CPU time what the report itself costs.
    print(f"whole report ({len(report.results)} configurations, {len(report.contrasts)} contrasts, "
          f"{len(report.files)} files): {ours:.2f} s wall, {cpu:.2f} s CPU = {ours / baseline:.1f}× the read-only "
          f"baseline; target ≤ {args.target_s:.0f} s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
