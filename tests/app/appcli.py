"""Running `python -m rlvr_sweeps` as a user would: a subprocess from a temp dir, offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

# Small but real: every stage runs (generation, sandbox rewards, LoRA steps, evaluation).
BAD_TOKENIZER = "/nonexistent/tokenizer"  # makes exactly one cell of a sweep fail at run time

QUICK = [
    "train.max_steps=2",
    "data.max_train_tasks=4",
    "data.max_eval_tasks=4",
    "eval.max_new_tokens=16",
    "train.max_completion_length=16",
]


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
