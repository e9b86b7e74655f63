"""A multi-process (DDP) cell: every rank trains, only rank 0 writes the cell's files.

Runs on CPU with torchrun and the gloo backend, which exercises the same code path as a
multi-GPU cell (accelerate/TRL under RANK/WORLD_SIZE), without needing a GPU.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from appcli import QUICK

from rlvr_sweeps.results import read_jsonl


def test_two_process_cell_trains_once_and_writes_once(tmp_path: Path) -> None:
    run_dir = tmp_path / "ddp"
    torchrun = Path(sys.executable).with_name("torchrun")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "WANDB_MODE": "offline", "PYTHONUNBUFFERED": "1"}
    out = subprocess.run(
        [str(torchrun), "--nproc_per_node=2", "-m", "rlvr_sweeps", "logger=none", *QUICK,
         f"hydra.run.dir={run_dir}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    final = json.loads((run_dir / "final.json").read_text())
    assert final["status"] == "ok" and final["world_size"] == 2
    assert [r["step"] for r in read_jsonl(run_dir / "metrics.jsonl")] == [1, 2]
    assert "eval/pass@1" in final["eval"]["trained"]
