"""Resumable sweeps: which grid cells are done, progress while a sweep runs, SLURM requeue.

A cell's job dir (`hydra.sweep.dir/hydra.sweep.subdir`, the subdir being the override dirname so
that re-running the same command maps every cell to the same dir) holds `final.json` when the job
ended, a `running` marker while it runs, and TRL checkpoints under `checkpoints/`. The names, the
typed record, the status and the discovery of cells are in `rlvr_sweeps.sweep.cell`. Everything
here reads or writes those files only and imports no torch: the launcher process stays light.
"""

from rlvr_sweeps.sweep.cell import (
    CHECKPOINTS,
    FINAL,
    RUNNING,
    Cell,
    CellStatus,
    FinalRecord,
    cell_status,
    completed_result,
    gather_cells,
)
from rlvr_sweeps.sweep.state import last_checkpoint

__all__ = [
    "CHECKPOINTS",
    "FINAL",
    "RUNNING",
    "Cell",
    "CellStatus",
    "FinalRecord",
    "cell_status",
    "completed_result",
    "gather_cells",
    "last_checkpoint",
]
