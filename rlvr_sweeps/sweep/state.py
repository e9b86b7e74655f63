"""Where an interrupted cell resumes from: its newest complete TRL checkpoint (no torch at import).

Everything else about a cell's on-disk state (file names, the final record, the status, discovery)
lives in `rlvr_sweeps.sweep.cell`.
"""

from __future__ import annotations

import os
from pathlib import Path

from rlvr_sweeps.results import read_json
from rlvr_sweeps.sweep.cell import CHECKPOINTS


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
    from transformers.trainer_utils import (  # lazy: job.py stays torch-free
        get_last_checkpoint,
        sort_checkpoints,
    )

    newest = get_last_checkpoint(str(folder))
    if newest is None:
        return None
    for path in [newest, *reversed(sort_checkpoints(str(folder)))]:
        if isinstance(read_json(Path(path) / "trainer_state.json"), dict):
            return Path(path)
    return None
