"""Resumable sweeps: which grid cells are done, progress while a sweep runs, SLURM requeue.

A cell's job dir (`hydra.sweep.dir/hydra.sweep.subdir`, the subdir being the override dirname so
that re-running the same command maps every cell to the same dir) holds `final.json` when the job
ended, a `running` marker while it runs, and TRL checkpoints under `checkpoints/`. Everything here
reads or writes those files only and imports no torch: the launcher process stays light.
"""

from rlvr_sweeps.sweep.state import (
    CHECKPOINTS,
    FINAL,
    RUNNING,
    CellStatus,
    cell_status,
    completed_result,
    last_checkpoint,
)

__all__ = [
    "CHECKPOINTS",
    "FINAL",
    "RUNNING",
    "CellStatus",
    "cell_status",
    "completed_result",
    "last_checkpoint",
]
