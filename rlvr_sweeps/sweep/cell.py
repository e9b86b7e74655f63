"""One grid cell on disk: its file names, its typed final record, its status, and how cells are found.

Why one module: the launcher process (resume), the progress line, the jobs (on other nodes under
SLURM or Ray) and the report all need the same answers to "which files make a cell", "what does
final.json hold" and "is this cell done?", and a shared filesystem is the only thing they share.
Every job-dir file name, the record's shape (with a schema version), the one status function and
the grid expansion live here; nobody else spells a file name. Imports no torch.

Job dir layout (Hydra's job output dir, `hydra.sweep.dir/hydra.sweep.subdir`):
  running              marker while the job runs (who/where), removed when it ends
  final.json           FinalRecord, written atomically once when the job ends (or by the launcher
                       for a job that died without writing one)
  final.previous.json  the failed attempt's record, moved aside when a failed cell is re-run
  metrics.jsonl        one row per logging step, `train/...` keys
  eval/<label>/        problems.jsonl (one row per completion) and summary.json per evaluation
  checkpoints/ adapter/ wandb/   TRL checkpoints, the peft adapter, the W&B run
  .hydra/              Hydra's own record of the job (config, overrides)
"""

from __future__ import annotations

import dataclasses
import os
import socket
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from hydra._internal.config_loader_impl import get_overrides_dirname
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf

from rlvr_sweeps.results import read_json, write_json_atomic

# ---------------------------------------------------------------- file names (the only home)

FINAL = "final.json"
PREVIOUS = "final.previous.json"
RUNNING = "running"
METRICS = "metrics.jsonl"
CHECKPOINTS = "checkpoints"
ADAPTER = "adapter"
EVAL = "eval"
PROBLEMS = "problems.jsonl"
SUMMARY = "summary.json"
WANDB = "wandb"
HYDRA_DIR = ".hydra"
HYDRA_OVERRIDES = "overrides.yaml"
HYDRA_CONFIG = "hydra.yaml"
MULTIRUN_YAML = "multirun.yaml"  # in the sweep dir: the sweep's config, hydra node included
OVERRIDE_DIRNAME = "${hydra.job.override_dirname}"
# A job's own folders: they never hold cells, so discovery does not walk into them.
_NOT_CELLS = {CHECKPOINTS, ADAPTER, WANDB, EVAL, HYDRA_DIR, "__pycache__"}


def problems_path(job_dir: str | os.PathLike[str], label: str) -> Path:
    """Per-completion rows of evaluation `label` (base, trained, ...)."""
    return Path(job_dir) / EVAL / label / PROBLEMS


def metrics_path(job_dir: str | os.PathLike[str]) -> Path:
    return Path(job_dir) / METRICS


# ---------------------------------------------------------------- the final record

SCHEMA_VERSION = 2  # 1 = the untyped dicts written before this module (no `schema_version` key)


class CellStatus(str, Enum):
    """ok / failed: final.json says so. running: a live `running` marker. interrupted: started
    (marker or Hydra's files) but its process is gone without a record. stale: leftovers of an
    earlier attempt (older than the sweep that asks), which this sweep will re-run. missing:
    nothing on disk yet."""

    OK = "ok"
    FAILED = "failed"
    RUNNING = "running"
    INTERRUPTED = "interrupted"
    STALE = "stale"
    MISSING = "missing"


@dataclass
class ErrorInfo:
    type: str  # exception class name, or the scheduler state of a lost job (CANCELLED, TIMEOUT)
    message: str
    traceback: str = ""

    @classmethod
    def from_raw(cls, raw: Any) -> ErrorInfo | None:
        """Today's dict, or a bare "Type: message" string (hand-written and very old records)."""
        if not raw:
            return None
        if isinstance(raw, dict):
            return cls(str(raw.get("type") or ""), str(raw.get("message") or ""), str(raw.get("traceback") or ""))
        kind, sep, message = str(raw).partition(": ")
        return cls(kind, message) if sep else cls("", str(raw))

    def __str__(self) -> str:
        return f"{self.type}: {self.message}" if self.type else self.message


@dataclass
class EvalResults:
    """Evaluation scalars by label (`eval/pass@1`, `eval/length/mean`, ... as the evaluation wrote
    them) and the headline Δ. Labels other than base/trained (e.g. a validation set) are kept in
    `other`."""

    base: dict[str, Any] | None = None
    trained: dict[str, Any] | None = None
    delta_pp: float | None = None
    other: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_raw(cls, raw: Any) -> EvalResults:
        raw = dict(raw) if isinstance(raw, dict) else {}
        base, trained, delta = raw.pop("base", None), raw.pop("trained", None), raw.pop("delta_pp", None)
        return cls(
            base=base if isinstance(base, dict) else None,
            trained=trained if isinstance(trained, dict) else None,
            delta_pp=float(delta) if isinstance(delta, int | float) else None,
            other=raw,
        )

    def label(self, name: str) -> dict[str, Any]:
        """The scalars of evaluation `name`, {} when it did not run."""
        value = {"base": self.base, "trained": self.trained}.get(name, self.other.get(name))
        return value if isinstance(value, dict) else {}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k, v in (("base", self.base), ("trained", self.trained)) if v is not None}
        if self.delta_pp is not None:
            out["delta_pp"] = self.delta_pp
        return {**out, **self.other}


@dataclass
class FinalRecord:
    """What `final.json` holds. Written by the job (`rlvr_sweeps.job`) and, for a job that died
    without writing one, by the launcher (`FinalRecord.lost`); read by the resume logic, the
    progress line and the report. Keys this version does not know (a newer writer) are kept in
    `extra` and written back unchanged."""

    status: str  # ok | failed
    error: ErrorInfo | None = None
    choices: dict[str, str] = field(default_factory=dict)  # config-group choices (reward, algo, ...)
    overrides: list[str] = field(default_factory=list)  # the cell's command-line overrides
    metrics: dict[str, Any] = field(default_factory=dict)  # train/... summary (last values, means)
    eval: EvalResults = field(default_factory=EvalResults)
    timings: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str | None] = field(default_factory=dict)
    git: str | None = None
    host: str | None = None
    world_size: int = 1
    job_dir: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    warm_start: dict[str, Any] = field(default_factory=dict)  # rlvr_sweeps.models.warm_start.WarmStartResult
    resumed_from: str | None = None
    schema_version: int = SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == CellStatus.OK.value

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FinalRecord:
        """Any record this project ever wrote: v1 (no version, untyped) and v2 load alike."""
        known = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        get = raw.get
        return cls(
            status=str(get("status") or CellStatus.FAILED.value),
            error=ErrorInfo.from_raw(get("error")),
            choices={str(k): str(v) for k, v in (get("choices") or {}).items() if v is not None},
            overrides=[str(o) for o in get("overrides") or []],
            metrics=dict(get("metrics") or {}),
            eval=EvalResults.from_raw(get("eval")),
            timings=dict(get("timings") or {}),
            versions=dict(get("versions") or {}),
            git=get("git"),
            host=get("host"),
            world_size=int(get("world_size") or 1),
            job_dir=get("job_dir"),
            data=dict(get("data") or {}),
            warm_start=dict(get("warm_start") or {}),
            resumed_from=get("resumed_from"),
            schema_version=int(get("schema_version") or 1),
            extra={k: v for k, v in raw.items() if k not in known},
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "status": self.status,
            "error": dataclasses.asdict(self.error) if self.error else None,
            "choices": self.choices,
            "overrides": self.overrides,
            "metrics": self.metrics,
            "eval": self.eval.to_dict(),
            "timings": self.timings,
            "versions": self.versions,
            "git": self.git,
            "host": self.host,
            "world_size": self.world_size,
            "job_dir": self.job_dir,
            "data": self.data,
        }
        if self.warm_start:
            out["warm_start"] = self.warm_start
        if self.resumed_from is not None:
            out["resumed_from"] = self.resumed_from
        return {**out, **self.extra}

    @classmethod
    def load(cls, job_dir: str | os.PathLike[str]) -> FinalRecord | None:
        """The cell's record; None when absent or torn (a reader never crashes on a dying job)."""
        raw = read_json(Path(job_dir) / FINAL)
        return cls.from_dict(raw) if isinstance(raw, dict) else None

    def write(self, job_dir: str | os.PathLike[str]) -> Path:
        return write_json_atomic(Path(job_dir) / FINAL, self.to_dict())

    @classmethod
    def lost(cls, state: str, message: str, choices: dict[str, Any] | None = None) -> FinalRecord:
        """The record of a job that died without writing one (cancelled, killed, node lost):
        `state` (e.g. the SLURM state CANCELLED) takes the place of an exception type."""
        return cls(
            status=CellStatus.FAILED.value,
            error=ErrorInfo(state, message),
            choices={str(k): str(v) for k, v in (choices or {}).items()},
        )


# ---------------------------------------------------------------- the status (one definition)


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


def _marker_alive(marker: Path) -> bool:
    """A marker whose process is gone on this very host was left by a killed job; a marker from
    another node (SLURM, Ray) cannot be checked from here and is trusted."""
    info = read_json(marker)
    if not isinstance(info, dict) or info.get("host") != socket.gethostname() or not info.get("pid"):
        return True
    try:
        os.kill(int(info["pid"]), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, OverflowError):
        return True
    return True


def cell_status(
    job_dir: str | os.PathLike[str] | None, since: float | None = None, record: FinalRecord | None = None
) -> CellStatus:
    """The status of a cell, for the report (no `since`) and for a sweep in progress (`since` =
    the sweep's start time: files older than it are an earlier attempt's leftovers, `stale`,
    except an ok record, which stays ok and is skipped).

    Order: ok record; failed record (fresh); a fresh marker: running if its process lives, else
    interrupted; an old failed record or marker: stale; Hydra's files only: interrupted (started,
    neither finished nor running), or stale when old; nothing: missing. Pass `record` when it was
    already loaded, to read final.json once."""
    if job_dir is None:
        return CellStatus.MISSING
    job_dir = Path(job_dir)

    def fresh(path: Path) -> bool:
        return since is None or path.stat().st_mtime >= since

    record = record or FinalRecord.load(job_dir)
    marker, hydra = job_dir / RUNNING, job_dir / HYDRA_DIR / HYDRA_OVERRIDES
    try:
        if record is not None and record.ok:
            return CellStatus.OK
        if record is not None and fresh(job_dir / FINAL):
            return CellStatus.FAILED
        if marker.exists():
            if fresh(marker):
                return CellStatus.RUNNING if _marker_alive(marker) else CellStatus.INTERRUPTED
            return CellStatus.STALE
        if record is not None:
            return CellStatus.STALE
        if hydra.exists():
            return CellStatus.INTERRUPTED if fresh(hydra) else CellStatus.STALE
    except FileNotFoundError:  # removed between two looks: the job just ended; look again later
        return CellStatus.RUNNING
    return CellStatus.MISSING


def completed_result(job_dir: str | os.PathLike[str]) -> FinalRecord | None:
    """The cell's record if it says ok, else None (missing, torn, failed): the resume rule. A failed
    or half-written result never counts as done: re-running the sweep retries it."""
    record = FinalRecord.load(job_dir)
    return record if record is not None and record.ok else None


def record_lost_job(
    job_dir: str | os.PathLike[str], state: str, message: str, choices: dict[str, Any] | None = None
) -> bool:
    """Write a failed final.json for a job that died without writing one, so the report shows the
    cell as failed and why. Never overwrites an existing final.json: a result the job wrote itself
    always wins. Returns whether it wrote."""
    job_dir = Path(job_dir)
    if read_json(job_dir / FINAL) is not None:
        return False
    FinalRecord.lost(state, message, choices).write(job_dir)
    clear_running(job_dir)
    return True


# ---------------------------------------------------------------- cells: discovery and the grid


@dataclass
class Cell:
    """A grid cell as the files say: its status, identity (overrides, group choices) and record."""

    status: CellStatus
    overrides: list[str]
    choices: dict[str, str] = field(default_factory=dict)
    job_dir: Path | None = None
    record: FinalRecord | None = None
    sweep_dir: Path | None = None

    @property
    def params(self) -> dict[str, str]:
        """What identifies the cell: its config-group choices, then its overrides (`+` / `~` dropped)."""
        out = {k: str(v) for k, v in self.choices.items() if not k.startswith("hydra")}
        for item in self.overrides:
            key, _, value = item.partition("=")
            out[key.lstrip("+~")] = value
        return out

    @property
    def key(self) -> frozenset[str]:
        return frozenset(self.overrides)


def is_job_dir(path: Path) -> bool:
    return (path / FINAL).is_file() or (path / RUNNING).is_file() or (path / HYDRA_DIR / HYDRA_OVERRIDES).is_file()


def find_job_dirs(sweep_dir: str | os.PathLike[str]) -> list[Path]:
    """Job dirs under `sweep_dir`, nested too (an override value holding `/` makes nested subdirs);
    a job's own folders are not entered."""
    found = []
    for root, dirs, _files in os.walk(sweep_dir):
        path = Path(root)
        if is_job_dir(path):
            found.append(path)
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if d not in _NOT_CELLS and not d.startswith("."))
    return found


def _yaml(path: Path) -> Any:
    try:
        return OmegaConf.to_container(OmegaConf.load(path), resolve=False)
    except Exception:  # a torn or absent Hydra file only costs us the cell's labels
        return None


def read_cell(job_dir: Path, since: float | None = None) -> Cell:
    record = FinalRecord.load(job_dir)
    overrides = record.overrides if record is not None and record.overrides else None
    if overrides is None:
        overrides = _yaml(job_dir / HYDRA_DIR / HYDRA_OVERRIDES) or []
    choices = record.choices if record is not None else {}
    if not choices:
        hydra = _yaml(job_dir / HYDRA_DIR / HYDRA_CONFIG) or {}
        runtime = (hydra.get("hydra") or {}).get("runtime") or {}
        choices = {k: str(v) for k, v in (runtime.get("choices") or {}).items() if v is not None}
    return Cell(
        status=cell_status(job_dir, since, record), overrides=[str(o) for o in overrides],
        choices=dict(choices), job_dir=job_dir, record=record,
    )


def expand_grid(hydra_cfg: DictConfig) -> list[tuple[list[str], str | None]] | None:
    """Every cell of a BasicSweeper grid as (overrides, job subdir), expanded with Hydra's own parser,
    sweeper and dirname rule from the sweep's hydra node (the live config, or multirun.yaml's). The
    subdir is None unless `hydra.sweep.subdir` is the override dirname (the project's convention).
    None when the grid cannot be known up front (another sweeper, a sweep that needs the config
    loader such as glob)."""
    try:
        if not str(OmegaConf.select(hydra_cfg, "sweeper._target_", default="")).endswith("BasicSweeper"):
            return None
        params = OmegaConf.select(hydra_cfg, "sweeper.params") or {}
        arguments = [f"{k}={v}" for k, v in params.items()]
        arguments += [str(o) for o in OmegaConf.select(hydra_cfg, "overrides.task") or []]
        sweep = OmegaConf.to_container(hydra_cfg.sweep, resolve=False)
        by_dirname = sweep.get("subdir") == OVERRIDE_DIRNAME
        dirname_cfg = hydra_cfg.job.config.override_dirname
        parser = OverridesParser.create()
        cells = []
        for batch in BasicSweeper.split_arguments(parser.parse_overrides(arguments), None):
            for job in batch:
                name = get_overrides_dirname(
                    parser.parse_overrides(list(job)), exclude_keys=list(dirname_cfg.exclude_keys),
                    item_sep=dirname_cfg.item_sep, kv_sep=dirname_cfg.kv_sep,
                ) if by_dirname else None
                cells.append((list(job), name))
        return cells
    except Exception:  # noqa: BLE001 - an unexpandable sweep only loses the missing cells and the total
        return None


NAME_MAX = 255  # bytes per path component on Linux filesystems (ext4, xfs, tmpfs, NFS, Lustre)


def overlong_subdir_error(grid: list[tuple[list[str], str | None]] | None) -> str | None:
    """None, or what to do about a grid whose job dir names do not fit the filesystem.

    Why up front: the override dirname joins every override of a cell, so a dozen overrides pass
    `NAME_MAX` bytes, and the mkdir (or the first stat of the dir) fails with ENAMETOOLONG in the
    launcher, after the queue wait on a cluster. Checked per path component, since a value holding
    `/` (a data path) makes nested dirs. The fix it names keeps dirs unique: the keys every cell
    sets to the same value cannot tell cells apart, so leaving them out of the name is safe."""
    named = [(overrides, subdir) for overrides, subdir in grid or [] if subdir]
    if not named:
        return None
    worst, worst_subdir = max((max(len(part.encode()) for part in subdir.split("/")), subdir)
                              for _, subdir in named)
    if worst <= NAME_MAX:
        return None
    shared = set.intersection(*(set(overrides) for overrides, _ in named))
    keys = sorted({o.key_or_group for o in OverridesParser.create().parse_overrides(sorted(shared))})  # Hydra's exclude_keys match
    fix = (f"leave the overrides every cell shares out of it: "
           f"'hydra.job.config.override_dirname.exclude_keys=[{','.join(keys)}]'" if keys else
           "put the overrides into an experiment config (conf/experiment)")
    return (f"a cell's dir name is {worst} bytes, over the filesystem's {NAME_MAX} "
            f"({worst_subdir[:60]}...); {fix}, or name cells by number: 'hydra.sweep.subdir=${{hydra.job.num}}'")


def saved_hydra_config(sweep_dir: Path) -> DictConfig | None:
    """The hydra node of the sweep's multirun.yaml, when the sweep wrote one."""
    path = sweep_dir / MULTIRUN_YAML
    if not path.is_file():
        return None
    try:
        node = OmegaConf.select(OmegaConf.load(path), "hydra")
    except Exception:  # a torn or foreign file only loses the missing cells
        return None
    return node if isinstance(node, DictConfig) else None


def gather_cells(
    sweep_dir: str | os.PathLike[str], since: float | None = None, hydra_cfg: DictConfig | None = None
) -> list[Cell]:
    """Every cell of a sweep: the grid's cells in grid order (found on disk or `missing`), then the
    found ones the grid does not list (an earlier command into the same dir). The grid comes from
    `hydra_cfg` (a running sweep's) or else the sweep's multirun.yaml."""
    sweep_dir = Path(sweep_dir)
    found = [read_cell(d, since) for d in find_job_dirs(sweep_dir)] if sweep_dir.is_dir() else []
    for cell in found:
        cell.sweep_dir = sweep_dir
    hydra_cfg = hydra_cfg if hydra_cfg is not None else saved_hydra_config(sweep_dir)
    grid = expand_grid(hydra_cfg) if hydra_cfg is not None else None
    if grid is None:
        return found
    by_key = {c.key: c for c in found}
    cells: list[Cell] = []
    for overrides, subdir in grid:
        cell = by_key.pop(frozenset(overrides), None)
        if cell is None:
            job_dir = sweep_dir / subdir if subdir else None
            cell = Cell(status=cell_status(job_dir, since), overrides=overrides, job_dir=job_dir, sweep_dir=sweep_dir)
        cells.append(cell)
    return cells + [c for c in found if c.key in by_key]


__all__ = [
    "ADAPTER", "CHECKPOINTS", "EVAL", "FINAL", "METRICS", "MULTIRUN_YAML", "PREVIOUS", "PROBLEMS", "RUNNING",
    "SCHEMA_VERSION", "SUMMARY", "WANDB", "Cell", "CellStatus", "ErrorInfo", "EvalResults", "FinalRecord",
    "cell_status", "clear_running", "completed_result", "expand_grid", "find_job_dirs", "gather_cells",
    "mark_running", "metrics_path", "problems_path", "read_cell", "record_lost_job",
]
