"""Sweep progress as a Hydra callback; add it under `hydra.callbacks` (see launch/README.md).

`SweepProgress` runs in the launching process and prints done/running/failed/skipped counts while
the cells run, from the job dirs alone (final.json, and the `running` marker each job writes at
start), so it works with every launcher whose jobs share the sweep dir's filesystem.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from rlvr_sweeps.sweep.cell import Cell, CellStatus, expand_grid, gather_cells, overlong_subdir_error

log = logging.getLogger("rlvr_sweeps.sweep")


class SweepProgress(Callback):
    """Prints `[sweep] N cells: a done, b running, c failed, d skipped, e pending` (and `f
    interrupted` when a job died without a record) each time a count changes (polled every
    `interval_s`), and a summary with the failed cells at the end.

    skipped = already ok when the sweep started (resume); done/failed = finished during this sweep;
    pending = missing, or stale leftovers of an earlier attempt that this sweep will re-run.

    It also refuses, before the first job, a grid whose job dir names the filesystem cannot hold
    (`cell.overlong_subdir_error`): it is the one callback that expands the grid up front."""

    def __init__(self, interval_s: float = 5.0) -> None:
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: str | None = None

    def __getstate__(self) -> dict[str, Any]:
        """Launchers pickle the callbacks along with the job (submitit, Ray): ship the settings only."""
        return {"interval_s": self.interval_s}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        error = overlong_subdir_error(expand_grid(config.hydra))
        if error:  # before any job starts (or is queued): one line, like the config checks
            print(f"rlvr_sweeps: config error: {error}", file=sys.stderr)
            sys.exit(2)
        self._sweep_dir = Path(str(config.hydra.sweep.dir)).absolute()
        self._hydra = config.hydra
        self._started = time.time()
        self._skipped = {c.key for c in self._cells() if c.status is CellStatus.OK}
        self._report()
        self._stop.clear()
        self._thread = threading.Thread(target=self._poll, name="sweep-progress", daemon=True)
        self._thread.start()

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        counts = self._report(force=True)
        for cell in self._cells():
            if cell.status is CellStatus.FAILED:
                log.error("[sweep] failed: %s", cell.job_dir)
        log.info("[sweep] finished in %.0f s: %s", time.time() - self._started, _summary(counts))

    def _cells(self) -> list[Cell]:
        return gather_cells(self._sweep_dir, since=self._started, hydra_cfg=self._hydra)

    def counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for cell in self._cells():
            if cell.status is CellStatus.OK:
                counts["skipped" if cell.key in self._skipped else "done"] += 1
            elif cell.status in (CellStatus.MISSING, CellStatus.STALE):
                counts["pending"] += 1
            else:
                counts[cell.status.value] += 1
        return counts

    def _report(self, force: bool = False) -> Counter[str]:
        counts = self.counts()
        line = _summary(counts)
        if force or line != self._last:
            log.info("[sweep] %s", line)
            self._last = line
        return counts

    def _poll(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self._report()
            except OSError as err:  # a flaky shared filesystem must not kill the sweep
                log.warning("[sweep] progress poll failed: %s", err)


def _summary(counts: Counter[str]) -> str:
    total = sum(counts.values())
    keys = ("done", "running", "failed", "skipped", "pending", *(["interrupted"] if counts["interrupted"] else []))
    parts = ", ".join(f"{counts[k]} {k}" for k in keys)
    return f"{total} cells: {parts}"
