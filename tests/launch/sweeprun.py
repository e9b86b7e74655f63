"""Running the real app's default grid as a user would (a subprocess per sweep), for the launcher tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# The card's grid (3 rewards x 2 algorithms = 6 cells), sized by +experiment=smoke to seconds per cell.
GRID = ["reward=unit,ruff,combined", "algo=grpo,gspo"]
CELLS = {f"algo={a},reward={r}" for a in ("grpo", "gspo") for r in ("unit", "ruff", "combined")}
SMALL = ["+experiment=smoke"]
PROGRESS = [
    "++hydra.callbacks.progress._target_=rlvr_sweeps.sweep.callbacks.SweepProgress",
    "++hydra.callbacks.progress.interval_s=1",
]


def sweep_cmd(sweep_dir: Path, *args: str, grid: list[str] = GRID) -> list[str]:
    return [
        sys.executable,
        "-m",
        "rlvr_sweeps",
        "-m",
        *grid,
        *SMALL,
        *PROGRESS,
        f"hydra.sweep.dir={sweep_dir}",
        *args,
    ]


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "WANDB_MODE": "offline", **extra}


def run(
    cmd: list[str], cwd: Path, timeout: float = 600, **extra_env: str
) -> tuple[subprocess.CompletedProcess, float]:
    """Run from `cwd` (a temp dir: nothing may depend on the repo being the working directory)."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env(**extra_env), capture_output=True, text=True, timeout=timeout)
    return proc, time.perf_counter() - t0


def cell_name(final: dict[str, Any]) -> str:
    return f"algo={final['choices']['algo']},reward={final['choices']['reward']}"


def finals(sweep_dir: Path) -> dict[str, dict[str, Any]]:
    """`algo=..,reward=..` -> parsed final.json (with its path under `_path`), for cells that have one.
    (The dir names hold every override of the command, smoke sizing included.)"""
    out = {}
    for path in sorted(sweep_dir.glob("*/final.json")):
        final = json.loads(path.read_text())
        out[cell_name(final)] = {**final, "_path": path}
    return out


def log_of(proc: subprocess.CompletedProcess) -> str:
    return f"--- stdout\n{proc.stdout[-6000:]}\n--- stderr\n{proc.stderr[-6000:]}"


def assert_table(sweep_dir: Path, cells: set[str]) -> str:
    """The gathered table exists and has a row per cell (status column included)."""
    table = (sweep_dir / "results.md").read_text()
    csv = (sweep_dir / "results.csv").read_text().splitlines()
    assert len(csv) == 1 + len(cells), csv
    for cell in cells:
        algo, reward = (kv.split("=")[1] for kv in cell.split(","))
        assert any(algo in row and reward in row for row in csv[1:]), (cell, csv)
    return table


def submitit_jobs(sweep_dir: Path) -> list[str]:
    """Ids of the submitit jobs that returned a result (its folder also holds an unexpanded `%j`
    dir, and under SLURM one for the job array itself)."""
    return sorted(p.parent.name for p in (sweep_dir / ".submitit").glob("*/*_result.pkl"))


@contextlib.contextmanager
def interrupted(cmd: list[str], cwd: Path) -> Iterator[subprocess.Popen]:
    """Start a sweep in its own process group and SIGKILL the whole group (launcher, workers, jobs)
    when the block ends, like a lost login session or a killed node."""
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env(), start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
