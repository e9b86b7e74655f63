"""The on-disk state of one grid cell, read and written through files only (no torch).

Why files: the launcher process, the jobs (on other nodes under SLURM or Ray) and the report all
need the same answer to "is this cell done?", and a shared filesystem is the only thing they share.
"""

from __future__ import annotations

import os
import socket
import time
from enum import Enum
from pathlib import Path
from typing import Any

from rlvr_sweeps.results import read_json, write_json_atomic

FINAL = "final.json"  # written once by the job when it ends: status ok | failed
RUNNING = "running"  # marker written when a job starts, removed when it ends
CHECKPOINTS = "checkpoints"  # TRL's output_dir for checkpoint-<step> folders


class CellStatus(str, Enum):
    OK = "ok"
    FAILED = "failed"
    RUNNING = "running"
    MISSING = "missing"


def completed_result(job_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The cell's final.json if it says `"status": "ok"`, else None (missing, torn, failed).

    A failed or half-written result never counts as done: re-running the sweep retries it."""
    final = read_json(Path(job_dir) / FINAL)
    if isinstance(final, dict) and final.get("status") == CellStatus.OK.value:
        return final
    return None


def cell_status(job_dir: str | os.PathLike[str], since: float | None = None) -> CellStatus:
    """ok / failed from final.json, else running while the `running` marker exists, else missing.

    With `since` (a sweep's start time), files older than it describe an earlier attempt: a failed
    final.json or a marker left by a killed job then count as missing (the cell will be re-run),
    while an ok final.json stays ok (the cell is skipped)."""
    job_dir = Path(job_dir)

    def fresh(path: Path) -> bool:
        return since is None or path.stat().st_mtime >= since

    final = read_json(job_dir / FINAL)
    try:
        if isinstance(final, dict):
            if final.get("status") == CellStatus.OK.value:
                return CellStatus.OK
            if final.get("status") == CellStatus.FAILED.value and fresh(job_dir / FINAL):
                return CellStatus.FAILED
        if (job_dir / RUNNING).exists() and fresh(job_dir / RUNNING):
            return CellStatus.RUNNING
    except FileNotFoundError:  # removed between the two looks: the job just ended, look again later
        pass
    return CellStatus.MISSING


def mark_running(job_dir: str | os.PathLike[str]) -> None:
    """Write the `running` marker: who runs the cell, so a stale marker can be told apart."""
    info = {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "slurm_job_id": os.environ.get("SLURM_JOB_ID"),  # what scancel/sacct take, also for array tasks
        "slurm_array_task": _array_task(),
        "started": time.time(),
    }
    write_json_atomic(Path(job_dir) / RUNNING, info)


def _array_task() -> str | None:
    """`<array id>_<index>` as squeue shows a job-array task, or None outside an array."""
    array, index = os.environ.get("SLURM_ARRAY_JOB_ID"), os.environ.get("SLURM_ARRAY_TASK_ID")
    return f"{array}_{index}" if array and index else None


def clear_running(job_dir: str | os.PathLike[str]) -> None:
    (Path(job_dir) / RUNNING).unlink(missing_ok=True)


def record_lost_job(
    job_dir: str | os.PathLike[str], state: str, message: str, choices: dict[str, Any] | None = None
) -> bool:
    """Write a failed final.json for a job that died without writing one (cancelled, killed, node
    lost), so the gathered table shows the cell as failed and why; `state` (e.g. the SLURM state
    CANCELLED) takes the place of the exception type of a job's own failure record. Never
    overwrites an existing final.json: a result the job wrote itself always wins. Returns whether
    it wrote."""
    job_dir = Path(job_dir)
    if read_json(job_dir / FINAL) is not None:
        return False
    write_json_atomic(
        job_dir / FINAL,
        {
            "status": CellStatus.FAILED.value,
            "error": {"type": state, "message": message, "traceback": ""},
            "choices": choices or {},
            "metrics": {},
            "timings": {},
            "versions": {},
        },
    )
    clear_running(job_dir)
    return True


def last_checkpoint(job_dir: str | os.PathLike[str]) -> Path | None:
    """The newest complete TRL checkpoint under `<job_dir>/checkpoints`, for
    `trainer.train(resume_from_checkpoint=...)`; None when there is none, so a first attempt starts
    from scratch.

    transformers' `get_last_checkpoint` picks the highest `checkpoint-<step>`; a job killed while
    saving leaves that one without `trainer_state.json` (written last), so then the newest complete
    one is taken instead of crashing the resume. transformers is imported lazily: this package
    stays torch-free for the launcher process."""
    folder = Path(job_dir) / CHECKPOINTS
    if not folder.is_dir():
        return None
    from transformers.trainer_utils import get_last_checkpoint, sort_checkpoints

    newest = get_last_checkpoint(str(folder))
    if newest is None:
        return None
    for path in [newest, *reversed(sort_checkpoints(str(folder)))]:
        if isinstance(read_json(Path(path) / "trainer_state.json"), dict):
            return Path(path)
    return None
