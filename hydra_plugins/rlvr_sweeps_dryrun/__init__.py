"""`hydra/launcher=dryrun`: list and validate every cell of a grid without running anything.

Hydra's sweeper composes each cell; this launcher then applies our cross-field rules
(`to_config`) to every cell, so a grid with one bad cell (say GSPO on-policy) is caught before a
cluster allocation is spent, and prints one line per cell with the model it would load.
"""

from __future__ import annotations

from collections.abc import Sequence

from hydra.core.utils import JobReturn, JobStatus
from hydra.plugins.launcher import Launcher
from omegaconf import DictConfig

from rlvr_sweeps.config import ConfigError, to_config


class DryRunLauncher(Launcher):
    def __init__(self) -> None:
        self.config: DictConfig | None = None
        self.hydra_context = None

    def setup(self, *, hydra_context, task_function, config: DictConfig) -> None:  # noqa: ARG002
        self.config = config
        self.hydra_context = hydra_context

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        assert self.config is not None and self.hydra_context is not None
        returns, bad = [], 0
        for idx, overrides in enumerate(job_overrides, start=initial_job_idx):
            cfg = self.hydra_context.config_loader.load_sweep_config(self.config, list(overrides))
            try:
                conf = to_config(cfg)
                what = f"model={conf.model.path or conf.model.name} data={conf.data.name} steps={conf.train.max_steps}"
            except ConfigError as e:
                bad += 1
                what = f"INVALID: {e}"
            print(f"#{idx}: {' '.join(overrides)}  ->  {what}")
            ret = JobReturn(overrides=list(overrides), status=JobStatus.COMPLETED)
            ret.return_value = None
            returns.append(ret)
        print(f"dry run: {len(returns)} cells, {bad} invalid; nothing was run")
        if bad:
            raise SystemExit(2)
        return returns
