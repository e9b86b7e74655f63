"""Running `python -m rlvr_sweeps` as a user would: a subprocess from a temp dir, offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

BAD_TOKENIZER = "/nonexistent/tokenizer"  # makes exactly one cell of a sweep fail at run time

# The one home of the test sizing: every pipeline test that runs a job of the default profile appends
# QUICK, so the default can grow into a real learning experiment (issue 13: 400 warm-start steps,
# 60 RL steps, 240 eval tasks) while these tests keep the cost of the old 4-step default. Small but
# real: every stage runs (warm start, generation, sandbox rewards, LoRA steps, evaluation).
QUICK = [
    "model.warm_start_steps=150",  # the old default: the tiny model writes code-shaped text; below
    # model.warm_start_min_steps (300), so a fixed count: no validation checks (data=embedded has no such split)
    "train.max_steps=2",
    "train.per_device_train_batch_size=4",
    "algo.num_generations=4",  # one group of 4 per step (the default's 8 needs a batch of 16)
    "data.max_train_tasks=4",
    "data.max_eval_tasks=4",
    "eval.max_new_tokens=16",
    "train.max_completion_length=16",
]


def quick(*overrides: str) -> list[str]:
    """QUICK with some of its keys replaced (Hydra refuses a key given twice)."""
    keys = {o.split("=", 1)[0] for o in overrides}
    return [o for o in QUICK if o.split("=", 1)[0] not in keys] + list(overrides)


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "WANDB_MODE": "offline", "WANDB_SILENT": "true", **extra}


def run_app(args: list[str], cwd: Path, timeout: float = 900, module: str = "rlvr_sweeps",
            **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=env(**extra_env),
                          capture_output=True, text=True, timeout=timeout)


def finals(sweep_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(sweep_dir.rglob("final.json"))]


def explain(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-6000:]}"
