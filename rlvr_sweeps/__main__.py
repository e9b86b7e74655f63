"""`python -m rlvr_sweeps [-m] key=value ...`: compose, validate, run one job per grid cell.

Thin on purpose: composing and validating import no torch, so `--cfg job` and config errors
are instant; the job (rlvr_sweeps.job) imports the heavy stack only when it runs.
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.paths import conf_dir

register_configs()


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="config")
def main(cfg: DictConfig) -> float | None:
    conf = to_config(cfg)
    from rlvr_sweeps.job import run_job

    return run_job(conf, cfg)


if __name__ == "__main__":
    main()
