"""Multi-GPU cells under submitit: one process per GPU, joined through torch.distributed's env://.

With `hydra.launcher.tasks_per_node=N` (preset `slurm_multigpu`), srun starts N copies of the job;
accelerate (hence TRL's GRPOTrainer) turns them into one DDP run once RANK, WORLD_SIZE, LOCAL_RANK,
MASTER_ADDR and MASTER_PORT are set. submitit knows them; this exports them. Every process keeps
seeing all GPUs of the node and accelerate picks cuda:LOCAL_RANK (submitit's default of one visible
GPU per task would make LOCAL_RANK>0 point past the only visible device).
"""

from __future__ import annotations

import os
import sys

from hydra.core.hydra_config import HydraConfig


def export_distributed_env() -> int:
    """Call at job start, before accelerate/TRL are initialised. Returns this process's global rank
    (0 for an ordinary single-process job, which is left untouched): only rank 0 should write the
    cell's result files."""
    executor = os.environ.get("SUBMITIT_EXECUTOR")
    if executor is None:
        return int(os.environ.get("RANK", "0"))  # torchrun / accelerate launch already set it
    import submitit  # lazy: an optional extra (slurm), only under a submitit launcher

    job_env = submitit.JobEnvironment()
    if job_env.num_tasks <= 1:
        return 0
    env = submitit.helpers.TorchDistributedEnvironment().export(
        set_cuda_visible_devices=False, overwrite=True
    )
    return env.rank


# ---------------------------------------------------------------- one process, several GPUs

_NVIDIA_PROC = "/proc/driver/nvidia/gpus"  # one entry per GPU the driver sees; read without initialising CUDA


def visible_gpus(env: dict[str, str] | None = None, driver_count: int | None = None) -> list[str]:
    """The GPU ids this process would see: CUDA_VISIBLE_DEVICES when set (empty = none), else every
    GPU the NVIDIA driver lists. Torch-free and CUDA-free, so the choice below can still change what
    CUDA will see when it initialises."""
    env = os.environ if env is None else env
    if "CUDA_VISIBLE_DEVICES" in env:
        return [d.strip() for d in env["CUDA_VISIBLE_DEVICES"].split(",") if d.strip()]
    if driver_count is None:
        driver_count = len(os.listdir(_NVIDIA_PROC)) if os.path.isdir(_NVIDIA_PROC) else 0
    return [str(i) for i in range(driver_count)]


def single_device_choice(env: dict[str, str], gpus: list[str], job_num: int) -> str | None:
    """The one GPU a single-process cell should use when it sees several, or None to leave
    CUDA_VISIBLE_DEVICES alone. TRL refuses nn.DataParallel (what transformers' Trainer does with
    several visible GPUs and no launcher), so such a cell would fail; a launched multi-process cell
    (WORLD_SIZE > 1) keeps all GPUs (accelerate picks cuda:LOCAL_RANK). Cell k of a sweep takes GPU
    k mod N, so cells that run at once on one node (launcher `local` or `parallel`) get one GPU each."""
    if int(env.get("WORLD_SIZE", "1")) > 1 or len(gpus) <= 1:
        return None
    return gpus[job_num % len(gpus)]


def _hydra_job_num() -> int:
    return int(HydraConfig.get().job.get("num", 0) or 0) if HydraConfig.initialized() else 0


def select_single_device(say=print) -> str | None:
    """Apply `single_device_choice` to this process (call before anything initialises CUDA). If
    CUDA is already up with several GPUs (an earlier cell of a one-process sweep could not be
    narrowed), raise a one-line error that says what to do. Returns the chosen id, if any."""
    gpus = visible_gpus()
    choice = single_device_choice(dict(os.environ), gpus, _hydra_job_num())
    if "CUDA_VISIBLE_DEVICES" in os.environ and not gpus and os.environ.get("SUBMITIT_EXECUTOR") == "local":
        say("CUDA_VISIBLE_DEVICES is empty (hydra.launcher.gpus_per_node=0): this cell runs on CPU")
    if choice is None:
        return None
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_initialized():
        raise RuntimeError(
            f"{len(gpus)} GPUs visible to one process and CUDA already initialised: TRL cannot use them "
            "without a launcher. Run with CUDA_VISIBLE_DEVICES=<one id>, or start the cell with "
            "torchrun/accelerate for multi-GPU (launch/README.md)"
        )
    os.environ["CUDA_VISIBLE_DEVICES"] = choice
    say(f"{len(gpus)} GPUs visible and no launcher: this cell uses GPU {choice} only "
        "(torchrun/accelerate for a multi-GPU cell, launch/README.md)")
    return choice
