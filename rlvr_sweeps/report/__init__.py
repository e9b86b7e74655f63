"""Gather a sweep's results into one comparison table (reads result files only: no torch).

`write_report(sweep_dir)` writes `results.md`, `results.csv` and `results.tex` into the sweep dir
(atomically) and returns the table; `python -m rlvr_sweeps.report SWEEP_DIR` rebuilds them at any
time (also while a sweep runs, or after some cells failed); `GatherCallback` does it at the end
of every multirun (registered in conf/config.yaml under `hydra.callbacks`).

Exit policy of a sweep: after the table is written, GatherCallback exits with status 1 when a
cell failed (the failure is visible to `make`, CI and schedulers, and the table says which
cell and why); cells still running or missing do not fail it (another launcher may own them).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd
from hydra.experimental.callback import Callback

from rlvr_sweeps.results import write_text_atomic
from rlvr_sweeps.sweep.cell import Cell, gather_cells

from .render import to_csv, to_latex, to_markdown
from .table import build_table

OUTPUTS = {"results.md": to_markdown, "results.csv": to_csv, "results.tex": to_latex}


def write_report(sweep_dir: str | os.PathLike[str], quiet: bool = False) -> pd.DataFrame:
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise FileNotFoundError(f"{sweep_dir} is not a directory: pass the sweep dir (hydra.sweep.dir)")
    cells = gather_cells(sweep_dir)
    frame = build_table(cells)
    for name, render in OUTPUTS.items():
        write_text_atomic(sweep_dir / name, render(frame))
    if not quiet:
        counts = frame["status"].value_counts().to_dict() if len(frame) else {}
        summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no cells"
        print(f"\n{to_markdown(frame)}\n{len(frame)} cells ({summary}) -> {sweep_dir}/results.{{md,csv,tex}}")
    return frame


class GatherCallback(Callback):
    """Hydra callback: gather the table when a multirun ends (also when some cells failed)."""

    def __init__(self, fail_on_failed_cells: bool = True) -> None:
        self.fail_on_failed_cells = fail_on_failed_cells

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        frame = write_report(Path(str(config.hydra.sweep.dir)))
        failed = int((frame["status"] == "failed").sum()) if len(frame) else 0
        if failed and self.fail_on_failed_cells:
            print(f"{failed} cell(s) failed: see the error column and their final.json", file=sys.stderr)
            sys.exit(1)


__all__ = ["Cell", "GatherCallback", "build_table", "gather_cells", "write_report"]
