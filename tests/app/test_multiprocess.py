"""A multi-process (DDP) cell: every rank trains and evaluates its share, only rank 0 writes the cell's files.

Runs on CPU with torchrun and the gloo backend, which exercises the same code path as a
multi-GPU cell (accelerate/TRL under RANK/WORLD_SIZE), without needing a GPU.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from appcli import quick

from rlvr_sweeps.results import read_jsonl

# Two evaluation chunks (CHUNK_BATCHES=4 x eval.batch_size=1 tasks each), one per rank, greedy and
# sampled rows; a short warm start (the records only need to be the same, not good).
SHARDED = quick("model.warm_start_steps=80", "data.max_eval_tasks=8", "eval.batch_size=1", "eval.n_samples=2",
                "eval.ks=[1,2]", "eval.max_new_tokens=48")
# torchrun gives each process one thread; the single-process reference gets the same, so both
# compute with the same kernels and any difference in the records is the sharding's.
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "WANDB_MODE": "offline", "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}


def run_cell(cwd: Path, run_dir: Path, processes: int) -> Path:
    launcher = [str(Path(sys.executable).with_name("torchrun")), f"--nproc_per_node={processes}"] if processes > 1 \
        else [sys.executable]
    out = subprocess.run([*launcher, "-m", "rlvr_sweeps", "logger=none", *SHARDED, f"hydra.run.dir={run_dir}"],
                         cwd=cwd, env=ENV, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    return run_dir


@pytest.fixture(scope="module")
def ddp_cell(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("ddp")
    return run_cell(tmp, tmp / "ddp", 2)


def summary(run_dir: Path, label: str) -> dict:
    return json.loads((run_dir / "eval" / label / "summary.json").read_text())


def test_two_process_cell_trains_once_and_writes_once(ddp_cell: Path) -> None:
    final = json.loads((ddp_cell / "final.json").read_text())
    assert final["status"] == "ok" and final["world_size"] == 2
    assert [r["step"] for r in read_jsonl(ddp_cell / "metrics.jsonl")] == [1, 2]
    assert "eval/pass@1" in final["eval"]["trained"]


@pytest.mark.parametrize("label", ["trained", "base"])
def test_both_ranks_evaluate_and_rank_0_writes_the_records_in_task_order(ddp_cell: Path, label: str) -> None:
    s = summary(ddp_cell, label)
    assert s["status"] == "complete" and s["shards"] == {"world_size": 2, "tasks_per_rank": [4, 4]}
    rows = list(read_jsonl(ddp_cell / "eval" / label / "problems.jsonl"))
    order = list(dict.fromkeys(r["task_id"] for r in rows))
    assert order == s["task_ids"] and len(order) == 8
    assert [(r["mode"], r["sample"]) for r in rows[:3]] == [("greedy", 0), ("sampled", 0), ("sampled", 1)]


def test_sharded_evaluation_gives_the_single_process_records(ddp_cell: Path, tmp_path: Path) -> None:
    """The base evaluation is the same policy in both cells (the warm-started weights, adapter off),
    so its records must be identical, row for row; the trained adapters differ (DDP trains on other
    batches) and are not compared."""
    single = run_cell(tmp_path, tmp_path / "single", 1)
    assert summary(single, "base")["shards"] == {"world_size": 1, "tasks_per_rank": [8]}
    assert list(read_jsonl(ddp_cell / "eval/base/problems.jsonl")) == list(read_jsonl(single / "eval/base/problems.jsonl"))
    assert summary(ddp_cell, "base")["metrics"] == summary(single, "base")["metrics"]
