"""Gather one or several sweeps into the study's results section (reads result files only: no torch).

`write_report(dirs, out_dir)` writes into `out_dir` (default: the one sweep dir), atomically:
  results.{md,csv,tex}   one row per configuration, seeds aggregated (rlvr_sweeps.report.aggregate)
  cells.{md,csv}         one row per cell, i.e. per seed (rlvr_sweeps.report.table)
  contrasts.{md,csv}     option − reference within and across the other choices (.contrasts)
  flags.json             failure-mode flags with thresholds and evidence (.flags)
then calls the extra writers (`EXTRA_WRITERS`, and the figures/HTML modules once they exist),
which read those files back from `out_dir`. `python -m rlvr_sweeps.report DIR [DIR ...] [-o OUT]`
rebuilds it at any time (also while a sweep runs, or after some cells failed); `GatherCallback`
does it at the end of every multirun (registered in conf/config.yaml under `hydra.callbacks`).

Exit policy of a sweep: after the report is written, GatherCallback exits with status 1 when a
cell failed (visible to `make`, CI and schedulers; the tables say which cell and why); cells
still running or missing do not fail it (another launcher may own them).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from hydra.experimental.callback import Callback

from rlvr_sweeps.results import write_json_atomic, write_text_atomic
from rlvr_sweeps.sweep.cell import Cell, CellStatus, gather_cells

from .aggregate import build_results, configurations
from .contrasts import build_contrasts
from .flags import FlagThresholds, evaluate_flags
from .load import LABELS, CellData, Estimate
from .render import to_csv, to_latex, to_markdown
from .table import build_table

RESULTS, CELLS, CONTRASTS, FLAGS = "results", "cells", "contrasts", "flags.json"
# Writers called after the tables exist: (cells, out_dir) -> files written. Other modules append.
EXTRA_WRITERS: list[Callable[[list[Cell], Path], list[Path]]] = []
# Modules merged later plug in here by name; absent ones are skipped.
_OPTIONAL = (("rlvr_sweeps.report.figures", "write_figures"), ("rlvr_sweeps.report.html", "write_html"))


@dataclass
class ReportOptions:
    reference: dict[str, str] = field(default_factory=dict)  # group -> reference option of contrasts
    correction: str = "holm"  # holm | bh
    estimate: Estimate = Estimate.greedy  # per-problem pass rates of the contrasts: greedy | sampled
    thresholds: FlagThresholds = field(default_factory=FlagThresholds)
    extras: bool = True  # call the figure/HTML writers


@dataclass
class Report:
    cells: pd.DataFrame
    results: pd.DataFrame
    contrasts: pd.DataFrame
    flags: dict[str, Any]
    out_dir: Path
    files: list[Path]


def gather_many(dirs: Sequence[str | os.PathLike[str]]) -> list[Cell]:
    """The cells of several sweep dirs; one configuration+seed found in two dirs is an error."""
    cells: list[Cell] = []
    seen: dict[frozenset, Cell] = {}
    for d in dirs:
        d = Path(d)
        if not d.is_dir():
            raise FileNotFoundError(f"{d} is not a directory: pass the sweep dir (hydra.sweep.dir)")
        for cell in gather_cells(d):
            key = frozenset(cell.params.items())
            other = seen.get(key)
            if other is not None and other.sweep_dir != cell.sweep_dir:
                raise ValueError(f"the same cell ({','.join(f'{k}={v}' for k, v in sorted(cell.params.items()))}) "
                                 f"is in two sweep dirs: {other.job_dir or other.sweep_dir} and "
                                 f"{cell.job_dir or cell.sweep_dir}; drop one of the dirs or one of the cells")
            seen[key] = cell
            cells.append(cell)
    return cells


def _optional_writers(data: list[CellData]) -> list[Callable[[list[Cell], Path], Any]]:
    """The figure and HTML writers, in that order (the page embeds the figures); the figures get
    the cells as already loaded (`data`), so no result file is read twice."""
    writers = []
    for module, name in _OPTIONAL:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        fn = getattr(mod, name)
        if name == "write_html":
            writers.append(lambda _cells, out, fn=fn: fn(out))
        else:
            writers.append(lambda cells, out, fn=fn: fn(cells, out, data))
    return writers


def build_report(dirs: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str] | None = None,
                 options: ReportOptions | None = None) -> Report:
    options = options or ReportOptions()
    if out_dir is None and len(dirs) != 1:
        raise ValueError("several sweep dirs: say where the merged report goes with -o OUT")
    cells = gather_many(dirs)
    out = Path(out_dir if out_dir is not None else dirs[0])
    data = [CellData.read(c) for c in cells]
    keys, confs = configurations(data)
    flags = evaluate_flags(confs, options.thresholds)
    results = build_results(keys, confs)
    if len(results):
        results["flags"] = [", ".join(e["raised"]) for e in flags["configurations"]]
    contrasts = build_contrasts(keys, confs, options.reference, options.correction, options.estimate)
    loaded = {id(d.cell): {e: [d.evals[k].pass_rates(e) if k in d.evals else {} for k in LABELS] for e in Estimate}
              for d in data}
    table = build_table(cells, lambda cell: loaded.get(id(cell)))
    files = [
        write_text_atomic(out / f"{RESULTS}.md", to_markdown(results)),
        write_text_atomic(out / f"{RESULTS}.csv", to_csv(results)),
        write_text_atomic(out / f"{RESULTS}.tex", to_latex(results)),
        write_text_atomic(out / f"{CELLS}.md", to_markdown(table)),
        write_text_atomic(out / f"{CELLS}.csv", to_csv(table)),
        write_text_atomic(out / f"{CONTRASTS}.md", to_markdown(contrasts)),
        write_text_atomic(out / f"{CONTRASTS}.csv", to_csv(contrasts)),
        write_json_atomic(out / FLAGS, flags),
    ]
    if options.extras:
        for writer in [*EXTRA_WRITERS, *_optional_writers(data)]:
            written = writer(cells, out)
            files += [Path(p) for p in (written if isinstance(written, list) else [written]) if p]
    return Report(table, results, contrasts, flags, out, files)


def write_report(dirs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                 out_dir: str | os.PathLike[str] | None = None, quiet: bool = False,
                 options: ReportOptions | None = None) -> Report:
    dirs = [dirs] if isinstance(dirs, str | os.PathLike) else list(dirs)
    report = build_report(dirs, out_dir, options)
    if not quiet:
        counts = report.cells["status"].value_counts().to_dict() if len(report.cells) else {}
        summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no cells"
        parts = [f"\n{to_markdown(report.results)}"]
        if len(report.contrasts):
            parts.append(to_markdown(report.contrasts))
        parts.append(f"{len(report.cells)} cells ({summary}) -> {report.out_dir}/"
                     "{results,cells,contrasts}.* and flags.json")
        print("\n".join(parts))
    return report


def _log_to_wandb(sweep_dir: Path, config: Any) -> None:
    """The comparison as a W&B run (job_type=report) in the cells' group, when the cells logged to
    W&B; a W&B failure costs that run only, never the report files already written."""
    logger = config.get("logger") or {}
    if logger.get("name") != "wandb":
        return
    from rlvr_sweeps.report.wandb_report import log_report_run, sweep_dashboard  # lazy: wandb

    try:
        target = sweep_dashboard([sweep_dir])
        log_report_run(sweep_dir, target.groups[0], target.project, target.entity, mode=str(logger.get("mode") or "offline"))
    except Exception as exc:  # noqa: BLE001 - the report files stand; say what went wrong in one line
        print(f"rlvr_sweeps: the W&B report run was not logged ({type(exc).__name__}: {exc})", file=sys.stderr)


class GatherCallback(Callback):
    """Hydra callback: write the report when a multirun ends (also when some cells failed)."""

    def __init__(self, fail_on_failed_cells: bool = True) -> None:
        self.fail_on_failed_cells = fail_on_failed_cells

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        report = write_report(sweep_dir)
        _log_to_wandb(sweep_dir, config)
        cells = report.cells
        failed = int((cells["status"] == CellStatus.FAILED.value).sum()) if len(cells) else 0
        if failed and self.fail_on_failed_cells:
            print(f"{failed} cell(s) failed: see the error column and their final.json", file=sys.stderr)
            sys.exit(1)


__all__ = ["EXTRA_WRITERS", "Cell", "GatherCallback", "Report", "ReportOptions", "build_report", "build_table",
           "gather_cells", "gather_many", "write_report"]
