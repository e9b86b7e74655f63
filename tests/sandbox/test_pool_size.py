"""The pool is sized from the CPUs the process was given (affinity mask, SLURM), not the host's."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = "from rlvr_sweeps.sandbox.executor import available_cpus; print(available_cpus())"


def _cpus(env_extra: dict, pin: set[int] | None = None) -> int:
    code = PROBE if pin is None else f"import os; os.sched_setaffinity(0, {pin!r}); " + PROBE
    env = {k: v for k, v in os.environ.items() if k != "SLURM_CPUS_PER_TASK"} | env_extra
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no affinity masks on this OS")
def test_affinity_mask_bounds_the_pool():
    first = min(os.sched_getaffinity(0))
    assert _cpus({}, {first}) == 1


def test_slurm_cpus_per_task_sets_the_pool():
    assert _cpus({"SLURM_CPUS_PER_TASK": "7"}) == 7
    assert _cpus({"SLURM_CPUS_PER_TASK": "garbage"}) == len(os.sched_getaffinity(0))


def test_executor_uses_it():
    code = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
            "from rlvr_sweeps.sandbox import Executor\n"
            "with Executor(timeout_s=2) as ex: print(ex.workers_n)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-1] == "1"
