"""hydra-submitit-launcher's launchers (local and SLURM) made resumable. Hydra only instantiates
launchers defined in its `hydra_plugins` package, so the classes the presets in
launch/hydra/launcher/{local,slurm,...}.yaml name are declared in hydra_plugins/rlvr_sweeps_launchers
from this mixin and the plugin's own launchers.

What changes against the plugin, and why:
- cells whose final.json already says ok are not submitted at all (a finished 100-cell sweep
  re-runs in seconds instead of queueing 100 no-op jobs), and the launcher says which;
- every job is waited for: a job that died without a result (scancel, OOM kill, node failure,
  time limit after the last requeue) is logged with its SLURM state, its cell gets a failed
  final.json (never overwriting one the job wrote), and the other cells still finish and are
  gathered, where the plugin would stop at the first such job.
Submission itself (executor, parameters, job arrays, requeue through `checkpoint`) is the plugin's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, JobStatus, filter_overrides
from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf
from omegaconf import OmegaConf

from rlvr_sweeps.sweep.cell import FINAL, completed_result, record_lost_job

log = logging.getLogger("rlvr_sweeps.sweep")


class ResumableMixin:
    """Put before a BaseSubmititLauncher subclass; overrides `launch` only."""

    _EXECUTOR: str
    config: Any
    hydra_context: Any
    params: dict[str, Any]

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        assert self.config is not None and self.hydra_context is not None
        cells = [self._cell(overrides) for overrides in job_overrides]
        returns: list[JobReturn | None] = [None] * len(job_overrides)
        todo: list[int] = []
        for i, (overrides, (job_dir, _)) in enumerate(zip(job_overrides, cells, strict=True)):
            if completed_result(job_dir) is None:
                todo.append(i)
                continue
            log.info(f"[resume] skip {job_dir.name}: {FINAL} says ok (delete it to re-run this cell)")
            returns[i] = JobReturn(
                overrides=list(overrides), working_dir=str(job_dir), status=JobStatus.COMPLETED
            )
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        log.info(
            f"[resume] {len(job_overrides) - len(todo)} of {len(job_overrides)} cells already ok in {sweep_dir}; "
            f"submitting {len(todo)} to submitit '{self._EXECUTOR}'"
        )
        if todo:
            jobs = self._submit([job_overrides[i] for i in todo], [initial_job_idx + i for i in todo])
            for i, job in zip(todo, jobs, strict=True):
                returns[i] = self._collect(job, job_overrides[i], *cells[i])
        return [r for r in returns if r is not None]

    def _cell(self, overrides: Sequence[str]) -> tuple[Path, dict[str, Any]]:
        """The job dir and config-group choices of a cell, composed exactly as the job will be."""
        assert self.config is not None and self.hydra_context is not None
        cfg = self.hydra_context.config_loader.load_sweep_config(self.config, list(overrides))
        job_dir = Path(str(cfg.hydra.sweep.dir)) / str(cfg.hydra.sweep.subdir)
        choices = OmegaConf.to_container(cfg.hydra.runtime.choices)
        return job_dir.absolute(), {k: v for k, v in choices.items() if not k.startswith("hydra/")}

    def _submit(self, job_overrides: list[Sequence[str]], job_nums: list[int]) -> list[Any]:
        """Build the executor from the preset exactly as the plugin does and submit one array."""
        import submitit  # lazy: Hydra imports every plugin at startup; submitit (~0.2 s) only to submit

        assert self.config is not None
        init_keys = {"submitit_folder", "max_num_timeout"}
        executor = submitit.AutoExecutor(
            cluster=self._EXECUTOR,
            folder=self.params["submitit_folder"],
            **{f"{self._EXECUTOR}_{k}": v for k, v in self.params.items() if k == "max_num_timeout"},
        )
        base = set(OmegaConf.structured(BaseQueueConf).keys())
        executor.update_parameters(
            **{
                k if k in base else f"{self._EXECUTOR}_{k}": v
                for k, v in self.params.items()
                if k not in init_keys
            }
        )
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        args = []
        for num, overrides in zip(job_nums, job_overrides, strict=True):
            log.info(f"\t#{num} : {' '.join(filter_overrides(overrides))}")
            args.append((list(overrides), "hydra.sweep.dir", num, f"job_id_for_{num}", Singleton.get_state()))
        return executor.map_array(self, *zip(*args, strict=True))

    def _collect(
        self, job: Any, overrides: Sequence[str], job_dir: Path, choices: dict[str, Any]
    ) -> JobReturn:
        """The job's own JobReturn; for a job that produced none, a failed cell instead of an exception."""
        from submitit.core.utils import UncompletedJobError  # lazy: as in _submit

        try:
            return job.results()[0]
        except UncompletedJobError:
            state = str(job.state)
        reason = f"{self._EXECUTOR} job {job.job_id} ended {state} without writing a result (its log: {job.paths.stderr})"
        log.error(f"[sweep] cell {job_dir.name}: {reason}")
        record_lost_job(job_dir, state.split()[0], reason, choices)
        return JobReturn(overrides=list(overrides), working_dir=str(job_dir), status=JobStatus.COMPLETED)
