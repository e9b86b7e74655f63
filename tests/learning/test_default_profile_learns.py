"""The default profile learns: a unit-reward run raises held-out pass@1 significantly above the
warm-started base, and the same run with the reward's sign flipped lowers it significantly. If the
reward were misaligned with its completions, the advantage sign flipped, the adapter not saved or
the evaluation reading the wrong model, one of the two would fail (issue 13's integration test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from rlvr_sweeps.evaluate import read_problems
from rlvr_sweeps.report.stats import paired_delta, per_task_pass

# The default profile as `make sweep` runs it (arith family, warm start to 15 % validation pass@1,
# 100 RL steps, 240 held-out tasks, 4 samples per task, cells side by side on the cores), unit reward
# only, GRPO, seed 0; the two signs as one multirun. No W&B: the logger is not what is tested here.
# ~2 min on 2 cores.
COMMAND = ["-m", "reward=unit", "reward.components.0.weight=1.0,-1.0", "logger=none", "hydra/launcher=parallel"]


def _delta(job_dir, mode="sampled"):
    """The report's paired Δ on the default profile's estimate: per-task sampled pass rates (greedy's
    0/1 per task gives an interval about 1.6x wider at 240 tasks)."""
    eval_dir = job_dir / "eval"
    return paired_delta(per_task_pass(read_problems(eval_dir, "base"), mode),
                        per_task_pass(read_problems(eval_dir, "trained"), mode))


@pytest.mark.slow
def test_unit_reward_raises_held_out_pass_and_its_negation_lowers_it(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "WANDB_MODE": "offline", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(
        [sys.executable, "-m", "rlvr_sweeps", *COMMAND, f"hydra.sweep.dir={tmp_path}"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    cells = {d.name: d for d in tmp_path.iterdir() if d.is_dir() and (d / "final.json").is_file()}
    assert len(cells) == 2, sorted(cells)
    finals = [json.loads((d / "final.json").read_text()) for d in cells.values()]
    assert all(f["status"] == "ok" for f in finals)
    assert all(f["warm_start"]["reached"] for f in finals), [f["warm_start"] for f in finals]  # the intended base
    up_dir = next(d for name, d in cells.items() if "weight=1.0" in name)
    down_dir = next(d for name, d in cells.items() if "weight=-1.0" in name)
    up, down = _delta(up_dir), _delta(down_dir)
    assert up["n_tasks"] == down["n_tasks"] == 240, (up, down)
    assert up["ci_low_pp"] > 0, up  # RL on the unit reward helps, significantly
    assert down["ci_high_pp"] < 0, down  # and against it hurts, significantly: the sign is wired
    assert _delta(up_dir, "greedy")["delta_pp"] > 0 > _delta(down_dir, "greedy")["delta_pp"]  # greedy agrees in sign
