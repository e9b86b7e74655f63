"""Find the grid cells of a sweep dir and their state, from result files only (no torch).

A cell is a job dir: it holds `final.json` (ended), a `running` marker, or Hydra's `.hydra/`.
The expected grid is re-expanded from the sweep's `multirun.yaml` (the sweeper's params plus the
command-line overrides, as Hydra's basic sweeper expands them), so a cell that never started
shows as `missing` instead of silently vanishing from the table.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from rlvr_sweeps.results import read_json
from rlvr_sweeps.sweep import FINAL, RUNNING

MULTIRUN_YAML = "multirun.yaml"
_SKIP_DIRS = {"checkpoints", "adapter", "wandb", "eval", ".hydra", "__pycache__"}


@dataclass
class Cell:
    status: str  # ok | failed | running | interrupted | missing
    overrides: list[str]
    choices: dict[str, str] = field(default_factory=dict)
    job_dir: Path | None = None
    final: dict[str, Any] | None = None

    @property
    def params(self) -> dict[str, str]:
        """What identifies the cell: its config-group choices, then its overrides (`+` / `~` dropped)."""
        out = {k: str(v) for k, v in self.choices.items() if not k.startswith("hydra")}
        for item in self.overrides:
            key, _, value = item.partition("=")
            out[key.lstrip("+~")] = value
        return out


def _is_job_dir(path: Path) -> bool:
    return (path / FINAL).is_file() or (path / RUNNING).is_file() or (path / ".hydra" / "overrides.yaml").is_file()


def find_job_dirs(sweep_dir: Path) -> list[Path]:
    """Job dirs under `sweep_dir` (nested too: an override value holding `/` makes nested subdirs)."""
    found = []
    for root, dirs, _files in os.walk(sweep_dir):
        path = Path(root)
        if _is_job_dir(path):
            found.append(path)
            dirs[:] = []  # a job's own folders (checkpoints, wandb) hold no cells
            continue
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
    return found


def _hydra_file(job_dir: Path, name: str) -> Any:
    path = job_dir / ".hydra" / name
    try:
        return OmegaConf.to_container(OmegaConf.load(path), resolve=False)
    except Exception:  # a torn or absent Hydra file only costs us the cell's labels
        return None


def _marker_alive(job_dir: Path) -> bool:
    """A `running` marker whose process is gone on this very host was left by a killed job."""
    info = read_json(job_dir / RUNNING)
    if not isinstance(info, dict) or info.get("host") != socket.gethostname() or not info.get("pid"):
        return True  # another node (SLURM): trust the marker
    try:
        os.kill(int(info["pid"]), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, OverflowError):
        return True
    return True


def read_cell(job_dir: Path) -> Cell:
    final = read_json(job_dir / FINAL)
    if not isinstance(final, dict):
        final = None
    overrides = (final or {}).get("overrides")
    if overrides is None:
        overrides = _hydra_file(job_dir, "overrides.yaml") or []
    choices = (final or {}).get("choices")
    if not choices:
        hydra = _hydra_file(job_dir, "hydra.yaml") or {}
        choices = (hydra.get("hydra") or {}).get("runtime", {}).get("choices") or {}
    if final is not None and final.get("status") in ("ok", "failed"):
        status = final["status"]
    elif (job_dir / RUNNING).is_file():
        status = "running" if _marker_alive(job_dir) else "interrupted"
    else:
        status = "interrupted"  # started (Hydra wrote its files) but neither finished nor running
    return Cell(status=status, overrides=[str(o) for o in overrides], choices=dict(choices), job_dir=job_dir,
                final=final)


def expected_overrides(sweep_dir: Path) -> list[list[str]] | None:
    """Every cell's override list, re-expanded like Hydra's basic sweeper; None when unknown
    (no multirun.yaml, or a sweeper whose grid is not a plain product, e.g. Optuna)."""
    path = sweep_dir / MULTIRUN_YAML
    if not path.is_file():
        return None
    try:
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
        from hydra.core.override_parser.overrides_parser import OverridesParser

        cfg = OmegaConf.load(path)
        params = OmegaConf.select(cfg, "hydra.sweeper.params") or {}
        args = [f"{k}={v}" for k, v in params.items()]
        args += [str(o) for o in OmegaConf.select(cfg, "hydra.overrides.task") or []]
        parsed = OverridesParser.create().parse_overrides(args)
        return BasicSweeper.split_arguments(parsed, None)[0]
    except Exception:  # an unreadable or exotic sweep only loses the `missing` rows
        return None


def gather_cells(sweep_dir: str | os.PathLike[str]) -> list[Cell]:
    """Every cell of the sweep: found ones first in grid order, then found ones the grid does not
    list (an earlier command into the same dir), with the expected-but-absent ones as `missing`."""
    sweep_dir = Path(sweep_dir)
    found = [read_cell(d) for d in find_job_dirs(sweep_dir)]
    by_key = {frozenset(c.overrides): c for c in found}
    grid = expected_overrides(sweep_dir)
    if grid is None:
        return found
    cells: list[Cell] = []
    for overrides in grid:
        cell = by_key.pop(frozenset(overrides), None)
        cells.append(cell or Cell(status="missing", overrides=list(overrides)))
    return cells + [c for c in found if frozenset(c.overrides) in by_key]
