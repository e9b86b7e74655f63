"""rlvr_sweeps.sweep's file-level contract: what counts as done, running, failed; checkpoints."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from rlvr_sweeps.sweep import CellStatus, cell_status, completed_result, last_checkpoint
from rlvr_sweeps.sweep.cell import FINAL, RUNNING, mark_running, record_lost_job
from rlvr_sweeps.sweep.distributed import export_distributed_env


def _final(job_dir: Path, **fields) -> Path:
    job_dir.mkdir(parents=True, exist_ok=True)
    (job_dir / FINAL).write_text(json.dumps(fields))
    return job_dir / FINAL


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_only_an_ok_final_json_counts_as_done(tmp_path: Path) -> None:
    assert completed_result(tmp_path / "missing") is None
    _final(tmp_path / "ok", status="ok", metrics={"eval/pass@1": 0.5})
    done = completed_result(tmp_path / "ok")
    assert done is not None and done.ok and done.metrics == {"eval/pass@1": 0.5}
    _final(tmp_path / "failed", status="failed", error="boom")
    assert completed_result(tmp_path / "failed") is None
    (tmp_path / "torn").mkdir()
    (tmp_path / "torn" / FINAL).write_text(
        '{"status": "ok", "metr'
    )  # killed while writing without os.replace
    assert completed_result(tmp_path / "torn") is None


def test_cell_status_ignores_leftovers_of_an_earlier_attempt(tmp_path: Path) -> None:
    since = time.time()
    old_failed = _final(tmp_path / "a", status="failed")
    _age(old_failed, 60)
    assert cell_status(tmp_path / "a") is CellStatus.FAILED
    assert (
        cell_status(tmp_path / "a", since=since) is CellStatus.STALE
    )  # will be retried, not yet failed again
    mark_running(tmp_path / "a")
    assert cell_status(tmp_path / "a", since=since) is CellStatus.RUNNING

    mark_running(tmp_path / "b")
    _age(tmp_path / "b" / RUNNING, 60)  # a job SIGKILLed in an earlier run left its marker
    assert cell_status(tmp_path / "b", since=since) is CellStatus.STALE
    assert cell_status(tmp_path / "b") is CellStatus.RUNNING  # this process's pid: alive

    old_ok = _final(tmp_path / "c", status="ok")
    _age(old_ok, 60)
    assert cell_status(tmp_path / "c", since=since) is CellStatus.OK
    assert cell_status(tmp_path / "d", since=since) is CellStatus.MISSING


def test_a_lost_job_is_recorded_failed_but_never_overwrites_a_result(tmp_path: Path) -> None:
    mark_running(tmp_path / "lost")
    assert record_lost_job(
        tmp_path / "lost", "CANCELLED", "slurm job 7 ended CANCELLED by 0", {"reward": "unit"}
    )
    final = json.loads((tmp_path / "lost" / FINAL).read_text())
    assert final["status"] == "failed" and final["choices"] == {"reward": "unit"}
    assert final["error"]["type"] == "CANCELLED" and "slurm job 7" in final["error"]["message"]
    assert not (tmp_path / "lost" / RUNNING).exists()

    _final(tmp_path / "wrote", status="failed", error="ValueError: the job's own record")
    assert not record_lost_job(tmp_path / "wrote", "FAILED", "slurm job 8 ended FAILED")
    assert json.loads((tmp_path / "wrote" / FINAL).read_text())["error"] == "ValueError: the job's own record"


def _checkpoint(job_dir: Path, step: int, complete: bool = True) -> Path:
    path = job_dir / "checkpoints" / f"checkpoint-{step}"
    path.mkdir(parents=True)
    (path / "adapter_model.safetensors").write_bytes(b"\0")
    if complete:
        (path / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    return path


def test_last_checkpoint_is_the_highest_complete_step(tmp_path: Path) -> None:
    assert last_checkpoint(tmp_path) is None
    (tmp_path / "checkpoints").mkdir()
    assert last_checkpoint(tmp_path) is None
    _checkpoint(tmp_path, 2)
    ten = _checkpoint(tmp_path, 10)  # numeric order: 10 > 2 although "10" < "2" as text
    assert last_checkpoint(tmp_path) == ten
    _checkpoint(tmp_path, 12, complete=False)  # killed while saving: no trainer_state.json yet
    assert last_checkpoint(tmp_path) == ten


def test_sweep_package_imports_no_torch() -> None:
    import subprocess

    code = (
        "import sys, rlvr_sweeps.sweep, rlvr_sweeps.sweep.callbacks, rlvr_sweeps.sweep.submitit_launchers, "
        "hydra_plugins.rlvr_sweeps_launchers; print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_distributed_env_is_exported_for_multi_task_submitit_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "environ", dict(os.environ))  # export() writes os.environ: keep it to this test
    for key in ("SUBMITIT_EXECUTOR", "RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(key, raising=False)
    assert export_distributed_env() == 0 and "WORLD_SIZE" not in os.environ
    monkeypatch.setenv("RANK", "3")  # started by torchrun: trust it
    assert export_distributed_env() == 3
    monkeypatch.delenv("RANK")

    slurm = {
        "SUBMITIT_EXECUTOR": "slurm",
        "SLURM_JOB_ID": "42",
        "SLURM_NTASKS": "4",
        "SLURM_PROCID": "2",
        "SLURM_LOCALID": "2",
        "SLURM_JOB_NUM_NODES": "1",
        "SLURM_JOB_NODELIST": "gpu-node7",
        "SLURM_NODEID": "0",
    }
    for key, value in slurm.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,3")
    assert export_distributed_env() == 2
    assert (os.environ["RANK"], os.environ["WORLD_SIZE"], os.environ["LOCAL_RANK"]) == ("2", "4", "2")
    assert os.environ["MASTER_ADDR"] == "gpu-node7" and int(os.environ["MASTER_PORT"]) > 0
    assert (
        os.environ["CUDA_VISIBLE_DEVICES"] == "0,1,2,3"
    )  # every rank sees the node's GPUs, uses cuda:LOCAL_RANK
