"""A small version of the benchmark's soak (issue 9): mixed honest, failing and hostile
programs through one executor leave no processes, fds, memfds, temp roots, SysV segments or
keys behind, and the parent's RSS stays flat. Run in a fresh process: this session's other
executors would blur the before/after counts."""

from __future__ import annotations

import subprocess
import sys

import pytest

SOAK = ("import sys\nfrom rlvr_sweeps.bench import sandbox as b\n"
        "jobs = b.load_jobs(b.Path(sys.argv[1]))[:100]\nsys.exit(0 if b.soak(jobs, 3000, workers=2) else 1)")


@pytest.mark.slow
def test_small_soak_leaks_nothing(shared_data):
    proc = subprocess.run([sys.executable, "-c", SOAK, str(shared_data / "mbpp" / "mbpp.jsonl")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "soak ok   no keys / key users left" in proc.stdout
