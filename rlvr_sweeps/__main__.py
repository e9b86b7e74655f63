"""`python -m rlvr_sweeps [-m] key=value ...`: compose, validate, run one job per grid cell.

Thin on purpose: composing and validating import no torch, so `--cfg job` and config errors
are instant; the job (rlvr_sweeps.job) imports the heavy stack only when it runs.
"""

from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from rlvr_sweeps.cli import normalize_argv
from rlvr_sweeps.config import ConfigError, register_configs, to_config
from rlvr_sweeps.paths import conf_dir

register_configs()


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="config")
def main(cfg: DictConfig) -> float | None:
    try:
        conf = to_config(cfg)
    except ConfigError as e:
        # A cross-field mistake is the user's to fix: one line, no traceback, before any job starts work.
        print(f"rlvr_sweeps: config error: {e}", file=sys.stderr)
        sys.exit(2)
    from rlvr_sweeps.job import run_job

    return run_job(conf, cfg)


def cli() -> None:
    sys.argv[1:] = normalize_argv(sys.argv[1:])
    main()


if __name__ == "__main__":
    cli()
