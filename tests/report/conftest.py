"""A small fake sweep on disk (the files real jobs write) plus the tables the report writes, so the
figure/HTML/W&B writers are tested on result files without training anything."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from rlvr_sweeps.sweep.cell import gather_cells

TASKS = [str(1001 + i) for i in range(16)]
ERRORS = ("AssertionError", "NameError", "no_code", "SyntaxError")


def _problems(rng: random.Random, p_pass: float, mean_len: int) -> list[dict]:
    rows = []
    for task in TASKS:
        passed = rng.random() < p_pass
        error = "pass" if passed else rng.choice(ERRORS)
        code = error != "no_code"
        rows.append({
            "task_id": task, "mode": "greedy", "sample": 0, "passed": passed, "status": "pass" if passed else "fail",
            "error_type": error, "n_tokens": max(1, int(rng.gauss(mean_len, 6))), "truncated": False,
            "has_code": code, "lint": {"fatal": int(error == "SyntaxError"), "error": rng.randint(0, 2),
                                       "warning": rng.randint(0, 3), "convention": rng.randint(0, 1)} if code else None,
            "completion": "```python\ndef f():\n    return 1\n```" if code else "I cannot.",
        })
    return rows


def write_cell(sweep: Path, reward: str, seed: int) -> Path:
    rng = random.Random(f"{reward}{seed}")
    job = sweep / f"reward={reward},seed={seed}"
    for label, p, length in (("base", 0.3, 40), ("trained", 0.6 if reward == "unit" else 0.35, 30)):
        (job / "eval" / label).mkdir(parents=True)
        rows = _problems(rng, p, length)
        (job / "eval" / label / "problems.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    curve = []
    for step in range(1, 9):
        curve.append({"step": step, "train/reward": 0.1 * step + rng.random() * 0.1,
                      "train/rewards/unit/mean": 0.05 * step, "train/completions/mean_length": 40 - step})
        if step % 4 == 0:
            curve.append({"step": step, "val/pass@1": 0.1 * step / 4 + rng.random() * 0.05, "val/length": 30.0})
    (job / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in curve))
    final = {"status": "ok", "choices": {"reward": reward, "algo": "grpo"},
             "overrides": [f"reward={reward}", f"seed={seed}"], "metrics": {}, "eval": {}}
    (job / "final.json").write_text(json.dumps(final))
    return job


CONTRASTS_CSV = (
    "contrast,group,option,reference,delta_pp,ci95_low,ci95_high,p,p_holm,n_tasks,n_seeds,n_pairs\n"
    "reward: ruff − unit,reward,ruff,unit,-21.9,-37.5,-6.2,0.01,0.02,16,2,1\n"
    "reward: combined − unit,reward,combined,unit,3.1,-9.4,15.6,0.6,0.6,16,2,1\n"
)
RESULTS_CSV = "reward,n_seeds,base_pass@1,trained_pass@1,delta_pp,flags\nunit,2,30.0,60.0,30.0,\nruff,2,30.0,35.0,5.0,length_collapse\n"
FLAGS = {"thresholds": {"length_ratio": 0.5}, "configurations": [
    {"configuration": {"reward": "unit"}, "flags": {}, "not_computed": [], "raised": []},
    {"configuration": {"reward": "ruff"}, "flags": {"length_collapse": {"raised": True, "evidence": {"ratio": 0.4}}},
     "not_computed": [], "raised": ["length_collapse"]}]}


@pytest.fixture
def fake_sweep(tmp_path: Path) -> tuple[Path, list]:
    """Two rewards x two seeds, ok cells, with the report's tables already written."""
    sweep = tmp_path / "sweep"
    for reward in ("unit", "ruff"):
        for seed in (0, 1):
            write_cell(sweep, reward, seed)
    (sweep / "contrasts.csv").write_text(CONTRASTS_CSV, encoding="utf-8")
    (sweep / "results.csv").write_text(RESULTS_CSV, encoding="utf-8")
    (sweep / "flags.json").write_text(json.dumps(FLAGS), encoding="utf-8")
    return sweep, gather_cells(sweep)
