"""The default grid through the local launcher presets, and resuming an interrupted sweep.

Real app, real launchers (hydra-joblib-launcher, submitit local), tiny random-init models.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from sweeprun import CELLS, assert_table, finals, interrupted, log_of, run, submitit_jobs, sweep_cmd

pytestmark = pytest.mark.slow


def _wait_for_ok_cells(sweep_dir: Path, n: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(f["status"] == "ok" for f in finals(sweep_dir).values()) >= n:
            return
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        time.sleep(0.5)
    raise AssertionError(f"fewer than {n} cells finished in {timeout} s")


def test_interrupted_parallel_sweep_reruns_only_missing_cells(tmp_path: Path) -> None:
    """joblib preset: kill the launcher (and its workers) mid-sweep; the same command completes only
    the missing cells, never touches finished ones, gathers the table; a third run skips everything."""
    sweep_dir = tmp_path / "sweep"
    cmd = sweep_cmd(sweep_dir, "hydra/launcher=parallel", "hydra.launcher.n_jobs=2")

    t0 = time.perf_counter()
    with interrupted(cmd, tmp_path) as first:
        _wait_for_ok_cells(sweep_dir, 2, first, timeout=400)
    t_first = time.perf_counter() - t0
    done_before = {
        f["_path"]: f["_path"].read_bytes() for f in finals(sweep_dir).values() if f["status"] == "ok"
    }
    assert 2 <= len(done_before) < len(CELLS)

    second, t_second = run(cmd, cwd=tmp_path)
    assert second.returncode == 0, log_of(second)
    results = finals(sweep_dir)
    assert set(results) == CELLS and all(f["status"] == "ok" for f in results.values()), results
    for path, raw in done_before.items():  # finished cells were skipped, their results untouched
        assert path.read_bytes() == raw
    out = second.stdout + second.stderr
    assert out.count("skipping") == len(done_before), log_of(second)
    assert (
        f"6 cells: {6 - len(done_before)} done, 0 running, 0 failed, {len(done_before)} skipped, 0 pending"
        in out
    )
    assert not list(sweep_dir.glob("*/running"))
    assert_table(sweep_dir, CELLS)

    third, t_third = run(cmd, cwd=tmp_path)
    assert third.returncode == 0, log_of(third)
    assert (third.stdout + third.stderr).count("skipping") == len(CELLS)
    assert "6 cells: 0 done, 0 running, 0 failed, 6 skipped, 0 pending" in third.stdout + third.stderr
    assert t_third < 0.25 * (t_first + t_second), (t_first, t_second, t_third)


def test_default_grid_through_submitit_local(tmp_path: Path) -> None:
    """submitit local preset: every cell its own submitit job; a re-run submits nothing."""
    sweep_dir = tmp_path / "sweep"
    cmd = sweep_cmd(sweep_dir, "hydra/launcher=local")
    first, t_first = run(cmd, cwd=tmp_path)
    assert first.returncode == 0, log_of(first)
    results = finals(sweep_dir)
    assert set(results) == CELLS and all(f["status"] == "ok" for f in results.values()), results
    assert len(submitit_jobs(sweep_dir)) == len(CELLS)  # one submitit job per cell
    assert "6 cells: 6 done, 0 running, 0 failed, 0 skipped, 0 pending" in first.stdout + first.stderr
    assert_table(sweep_dir, CELLS)

    again, t_again = run(cmd, cwd=tmp_path)
    assert again.returncode == 0, log_of(again)
    out = again.stdout + again.stderr
    assert "[resume] 6 of 6 cells already ok" in out and "submitting 0" in out, log_of(again)
    assert len(submitit_jobs(sweep_dir)) == len(CELLS)  # nothing new submitted
    assert t_again < 0.25 * t_first, (t_first, t_again)


def test_training_killed_mid_run_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    """One cell, SIGKILLed after its first checkpoint; the same command continues from that step."""
    sweep_dir = tmp_path / "sweep"
    cmd = sweep_cmd(
        sweep_dir,
        "train.max_steps=12",
        "train.save_steps=2",
        "train.save_total_limit=10",
        "eval.enabled=false",
        grid=["reward=unit", "algo=grpo"],
    )
    with interrupted(cmd, tmp_path) as first:
        deadline = time.monotonic() + 300
        while not list(sweep_dir.glob("*/checkpoints/checkpoint-2/trainer_state.json")):
            assert time.monotonic() < deadline and first.poll() is None, (
                "no checkpoint-2 before the job ended"
            )
            time.sleep(0.1)
    (cell,) = [p.parents[2] for p in sweep_dir.glob("*/checkpoints/checkpoint-2/trainer_state.json")]
    assert not (cell / "final.json").exists()
    saved = {
        p.parent.name: p.stat().st_mtime_ns
        for p in (cell / "checkpoints").glob("checkpoint-*/trainer_state.json")
    }
    assert "checkpoint-2" in saved and "checkpoint-12" not in saved

    second, _ = run(cmd, cwd=tmp_path)
    assert second.returncode == 0, log_of(second)
    final = finals(sweep_dir)["algo=grpo,reward=unit"]
    assert final["status"] == "ok", final
    newest = max(saved, key=lambda name: int(name.split("-")[1]))
    assert Path(final["resumed_from"]).name == newest, (final["resumed_from"], saved)
    # Checkpoints up to the resume point were not re-made: the step counter continued from there.
    for name, mtime in saved.items():
        assert (cell / "checkpoints" / name / "trainer_state.json").stat().st_mtime_ns == mtime, name
    steps = [json.loads(line)["step"] for line in (cell / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 13)), steps
