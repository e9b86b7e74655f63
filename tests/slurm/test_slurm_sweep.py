"""The real app on a real SLURM (tests/slurm/up.sh; run by `make test-slurm`), through the CI preset
`hydra/launcher=slurm_cpu` (the `slurm` preset with CPU-sized resources)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "launch"))
from sweeprun import CELLS, assert_table, finals, log_of, run, submitit_jobs, sweep_cmd  # noqa: E402


def _local_cluster() -> bool:
    """SLURM_CONF points at the cluster tests/slurm/up.sh made (never a real site cluster)."""
    conf = Path(os.environ.get("SLURM_CONF", "/nonexistent"))
    return conf.is_file() and "rendered by tests/slurm/up.sh" in conf.read_text()


pytestmark = [
    pytest.mark.slurm,
    pytest.mark.slow,
    pytest.mark.skipif(
        not _local_cluster(), reason="needs the local SLURM of tests/slurm/up.sh: run `make test-slurm`"
    ),
]


def _sacct_states(job_ids: list[str]) -> list[str]:
    """Accounting states of the given jobs (array tasks as `<array>_<i>` or by their own id)."""
    out = subprocess.run(
        ["sacct", "-n", "-X", "-P", "-o", "State", "-j", ",".join(job_ids)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.split()


def _wait_for_long_cell(sweep_dir: Path, sweep: subprocess.Popen) -> str:
    """SLURM job id of the running 100000-step cell with the good tokenizer, from its running marker."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and sweep.poll() is None:
        for marker in sweep_dir.glob("*/running"):
            name = marker.parent.name
            if "max_steps=100000" in name and "builtin" in name:
                info = json.loads(marker.read_text())
                # `<array>_<i>`: slurmctld 22.05 may refuse an array task's own numeric id in scancel
                job = info.get("slurm_array_task") or info.get("slurm_job_id")
                if job:
                    return job
        time.sleep(0.5)
    raise AssertionError("the long cell never started")


def _cancel(job: str) -> None:
    """scancel, retried until accounting says CANCELLED."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        subprocess.run(["scancel", job], capture_output=True)
        time.sleep(1)
        if any(state.startswith("CANCELLED") for state in _sacct_states([job])):
            return
    raise AssertionError(f"scancel {job} did not cancel it")


def test_default_grid_on_slurm(tmp_path: Path) -> None:
    sweep_dir = tmp_path / "sweep"
    proc, seconds = run(sweep_cmd(sweep_dir, "hydra/launcher=slurm_cpu"), cwd=tmp_path, timeout=900)
    assert proc.returncode == 0, log_of(proc)
    results = finals(sweep_dir)
    assert set(results) == CELLS and all(f["status"] == "ok" for f in results.values()), results
    assert_table(sweep_dir, CELLS)
    jobs = submitit_jobs(sweep_dir)
    assert len(jobs) == len(CELLS)
    deadline = time.monotonic() + 60  # a job's batch script may still be exiting after its result landed
    while set(states := _sacct_states(jobs)) != {"COMPLETED"} and time.monotonic() < deadline:
        time.sleep(1)
    assert states == ["COMPLETED"] * len(CELLS)  # they really ran as SLURM jobs
    assert "6 cells: 6 done, 0 running, 0 failed, 0 skipped, 0 pending" in proc.stdout + proc.stderr

    again, again_s = run(sweep_cmd(sweep_dir, "hydra/launcher=slurm_cpu"), cwd=tmp_path, timeout=300)
    assert again.returncode == 0 and "submitting 0" in again.stdout + again.stderr, log_of(again)
    assert len(submitit_jobs(sweep_dir)) == len(CELLS)
    assert again_s < 0.25 * seconds, (seconds, again_s)


def test_failed_and_cancelled_cells_are_reported_while_the_others_finish(tmp_path: Path) -> None:
    """A cell that raises (missing tokenizer dir) is recorded failed by the job; a cell cancelled with
    scancel is reported with its SLURM state and recorded failed by the launcher; the healthy cell
    finishes; the table is gathered and the sweep exits 1 instead of waiting forever."""
    sweep_dir = tmp_path / "sweep"
    cmd = sweep_cmd(
        sweep_dir,
        "hydra/launcher=slurm_cpu",
        "eval.enabled=false",
        grid=["model.tokenizer=builtin,nonexistent-tokenizer-dir", "train.max_steps=2,100000"],
    )
    log = tmp_path / "sweep.log"  # a file, not a pipe: a full pipe would block the launcher
    with log.open("w") as out:
        sweep = subprocess.Popen(cmd, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, text=True)
        try:
            victim = _wait_for_long_cell(sweep_dir, sweep)
            _cancel(victim)
            cancelled_at = time.monotonic()
            sweep.wait(timeout=300)
        finally:
            if sweep.poll() is None:
                sweep.kill()
    output = log.read_text()
    assert time.monotonic() - cancelled_at < 240, "the launcher kept waiting on the cancelled job"
    assert sweep.returncode == 1, output[-6000:]  # a failed cell fails the sweep, after the table

    by_dir = {p.parent.name: json.loads(p.read_text()) for p in sweep_dir.glob("*/final.json")}
    assert len(by_dir) == 4, output[-6000:]
    statuses = {name: f["status"] for name, f in by_dir.items()}
    ok = [n for n, s in statuses.items() if s == "ok"]
    assert len(ok) == 1 and "builtin" in ok[0] and "max_steps=2," in ok[0] + ",", statuses
    cancelled = [n for n, f in by_dir.items() if "CANCELLED" in str(f.get("error"))]
    assert len(cancelled) == 1 and "max_steps=100000" in cancelled[0] and "builtin" in cancelled[0], by_dir
    assert "ended CANCELLED" in output, output[-6000:]
    raised = [f for n, f in by_dir.items() if "nonexistent" in n]
    assert len(raised) == 2 and all(f["status"] == "failed" and f["error"]["type"] for f in raised), raised
    table = (sweep_dir / "results.csv").read_text()
    assert table.count("failed") >= 3 and table.count("\n") == 5, table
