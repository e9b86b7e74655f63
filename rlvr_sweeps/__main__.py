"""`python -m rlvr_sweeps [-m] key=value ...`: compose, validate, run one job per grid cell.

Thin on purpose: composing and validating import no torch, so `--cfg job` and config errors
are instant; the job (rlvr_sweeps.job, torch-free at import) loads the heavy stack only when it trains.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from rlvr_sweeps.cli import normalize_argv, refuse_invalid_config_to_show
from rlvr_sweeps.config import ConfigError, register_configs, to_config
from rlvr_sweeps.job import run_job
from rlvr_sweeps.paths import conf_dir
from rlvr_sweeps.sweep.cell import FINAL, FinalRecord

register_configs()


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="config")
def main(cfg: DictConfig) -> float | None:
    try:
        conf = to_config(cfg)
    except ConfigError as e:
        # A cross-field mistake is the user's to fix: one line, no traceback, before any job starts work.
        print(f"rlvr_sweeps: config error: {e}", file=sys.stderr)
        sys.exit(2)
    result = run_job(conf, cfg)
    _exit_if_single_run_failed(conf.output_dir)
    return result


def _exit_if_single_run_failed(job_dir: str) -> None:
    """A single run is the whole command: its failure must reach the exit status (scripts, CI, SLURM
    arrays). A multirun records the failure and carries on; GatherCallback exits non-zero at its end."""
    if HydraConfig.get().mode == RunMode.MULTIRUN:
        return
    record = FinalRecord.load(job_dir)
    if record is not None and not record.ok:
        print(f"rlvr_sweeps: job failed: {record.error} (traceback in {Path(job_dir) / FINAL})", file=sys.stderr)
        sys.exit(1)


def cli() -> None:
    sys.argv[1:] = normalize_argv(sys.argv[1:])
    refuse_invalid_config_to_show(sys.argv[1:], "config", "rlvr_sweeps")
    main()


if __name__ == "__main__":
    cli()
