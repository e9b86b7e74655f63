"""Every conf/experiment/*.yaml runs end to end at tiny size (as lightning-hydra-template runs each
experiment with a fast-dev flag): the experiment's own overrides, then the model swapped for the tiny
random Qwen3 and a few steps. A broken experiment file, or one whose values no longer fit the code,
fails here rather than on a cluster.

paper_arch_smoke is the paper cell at the real architecture's size; it has its own slow test
(tests/app/test_paper_arch_smoke.py), and its `arch_config: ${model.name}` cannot take a tiny model.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rlvr_sweeps.paths import conf_dir
from rlvr_sweeps.sweep.cell import FinalRecord

OWN_SLOW_TEST = {"paper_arch_smoke"}
REPO = Path(__file__).resolve().parents[2]
EXPERIMENTS = sorted(p.stem for p in (conf_dir() / "experiment").glob("*.yaml"))

# The model swap and a few steps; everything else stays the experiment's.
TINY = [
    "model=tiny-qwen3", "model.warm_start_steps=1", "model.warm_start_batch_size=2", "logger=none",
    "train.max_steps=1", "train.logging_steps=1", "train.per_device_train_batch_size=2", "train.gradient_accumulation_steps=1",
    "train.max_completion_length=8", "train.warmup_steps=0", "train.save_steps=0", "train.bf16=false",
    "algo.num_generations=2", "algo.steps_per_generation=2",
    "data.max_train_tasks=4", "data.max_eval_tasks=2",
    "eval.max_new_tokens=8", "eval.batch_size=2", "eval.plus=false", "eval.timeout_s=5",
]


def test_the_list_covers_every_experiment_file() -> None:
    assert set(EXPERIMENTS) >= OWN_SLOW_TEST and len(EXPERIMENTS) > len(OWN_SLOW_TEST)


@pytest.mark.slow  # one training step and two evaluations per experiment: ~15-30 s each on 2 cores
@pytest.mark.parametrize("experiment", [e for e in EXPERIMENTS if e not in OWN_SLOW_TEST])
def test_experiment_runs_end_to_end_at_tiny_size(compose, shared_data: Path, tmp_path: Path, experiment: str) -> None:
    base = compose(f"+experiment={experiment}")
    local = [f"data.path={shared_data / 'mbpp' / 'mbpp.jsonl'}"] if base.data.source == "mbpp" and not base.data.path else []
    sampled = ["eval.n_samples=2"] if base.eval.n_samples else []  # keeps pass@k sampling, with 2 samples
    job = tmp_path / "cell"
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "WANDB_MODE": "offline"}
    proc = subprocess.run(
        [sys.executable, "-m", "rlvr_sweeps", f"+experiment={experiment}", *TINY, *local, *sampled,
         f"hydra.run.dir={job}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    record = FinalRecord.load(job)
    assert record is not None and record.ok, record
    assert record.metrics.get("train/global_step") == 1, sorted(record.metrics)
    assert record.eval.label("trained")["n_tasks"] == 2
