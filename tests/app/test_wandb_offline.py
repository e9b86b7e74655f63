"""The offline W&B run of a job really holds its training metrics, read back with wandb's own tool."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from appcli import finals


def wandb_records(run_dir: Path) -> list[dict]:
    """`wandb leet inspect --json`: one JSON object per record of the run's .wandb transaction log."""
    exe = shutil.which("wandb", path=str(Path(sys.executable).parent)) or "wandb"
    out = subprocess.run([exe, "leet", "inspect", "--json", str(run_dir)], capture_output=True, text=True,
                         check=True, timeout=120, env={**os.environ, "WANDB_MODE": "offline"}).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def ok_job_dir(sweep: Path) -> Path:
    (final,) = [f for f in finals(sweep) if f["status"] == "ok"]
    return Path(final["job_dir"])


def test_run_history_holds_every_logged_training_step(failed_sweep):
    job = ok_job_dir(failed_sweep[0])
    (run_dir,) = list((job / "wandb").glob("offline-run-*"))
    history = [r["history"]["item"] for r in wandb_records(run_dir) if r["type"] == "history"]
    logged = {int(h["train/global_step"]): h for h in history if "train/reward" in h}
    rows = [json.loads(line) for line in (job / "metrics.jsonl").read_text().splitlines()]
    with_reward = {r["step"]: r["train/reward"] for r in rows if "train/reward" in r}
    assert with_reward and {s: logged[s]["train/reward"] for s in with_reward} == with_reward


def test_run_is_named_grouped_and_tagged_from_the_sweep(failed_sweep):
    sweep = failed_sweep[0]
    (final,) = [f for f in finals(sweep) if f["status"] == "ok"]
    (run_dir,) = list((Path(final["job_dir"]) / "wandb").glob("offline-run-*"))
    (run,) = [r["run"] for r in wandb_records(run_dir) if r["type"] == "run"]
    assert run["display_name"] == ",".join(final["overrides"])
    assert run["run_group"] == sweep.name and run["job_type"] == "grpo"
    assert "reward=unit" in run["tags"] and "model=tiny-qwen3" in run["tags"]


def test_eval_scalars_and_problem_table_are_logged(failed_sweep):
    (run_dir,) = list((ok_job_dir(failed_sweep[0]) / "wandb").glob("offline-run-*"))
    keys = {k for r in wandb_records(run_dir) if r["type"] == "history" for k in r["history"]["item"]}
    assert {"eval/base/pass@1", "eval/trained/pass@1"} <= keys
    assert any(k.startswith("eval/trained/problems") for k in keys)  # the table, stored as a table-file


def test_wandb_files_stay_inside_the_job_dir(failed_sweep):
    job = ok_job_dir(failed_sweep[0])
    assert (job / "wandb" / ".cache").is_dir() and (job / "wandb" / ".config").is_dir()
    assert not (failed_sweep[0].parent / "wandb").exists()
