"""A small version of the benchmark's soak (issue 9): mixed honest, failing and hostile
programs through one executor leave no processes, fds, memfds, temp roots, SysV segments or
keys behind, and the parent's RSS stays flat."""

from __future__ import annotations

import pytest

from rlvr_sweeps.bench import sandbox as bench


@pytest.mark.slow
def test_small_soak_leaks_nothing(shared_data):
    jobs = bench.load_jobs(shared_data / "mbpp" / "mbpp.jsonl")[:100]
    assert bench.soak(jobs, 3000, workers=2)
