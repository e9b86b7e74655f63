"""Multi-GPU cells under submitit: one process per GPU, joined through torch.distributed's env://.

With `hydra.launcher.tasks_per_node=N` (preset `slurm_multigpu`), srun starts N copies of the job;
accelerate (hence TRL's GRPOTrainer) turns them into one DDP run once RANK, WORLD_SIZE, LOCAL_RANK,
MASTER_ADDR and MASTER_PORT are set. submitit knows them; this exports them. Every process keeps
seeing all GPUs of the node and accelerate picks cuda:LOCAL_RANK (submitit's default of one visible
GPU per task would make LOCAL_RANK>0 point past the only visible device).
"""

from __future__ import annotations

import os


def export_distributed_env() -> int:
    """Call at job start, before accelerate/TRL are initialised. Returns this process's global rank
    (0 for an ordinary single-process job, which is left untouched): only rank 0 should write the
    cell's result files."""
    executor = os.environ.get("SUBMITIT_EXECUTOR")
    if executor is None:
        return int(os.environ.get("RANK", "0"))  # torchrun / accelerate launch already set it
    import submitit

    job_env = submitit.JobEnvironment()
    if job_env.num_tasks <= 1:
        return 0
    env = submitit.helpers.TorchDistributedEnvironment().export(
        set_cuda_visible_devices=False, overwrite=True
    )
    return env.rank
