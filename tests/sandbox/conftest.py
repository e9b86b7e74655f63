"""Fixtures for the sandbox suites: one warm pool with a temp root the tests can inspect."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rlvr_sweeps.sandbox import Executor, Job, Result


@pytest.fixture(scope="session")
def sandbox_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("sandbox-root")


@pytest.fixture(scope="session")
def ex(sandbox_root):
    """Short timeout and memory limit: hostile programs hit them fast."""
    with Executor(workers=2, timeout_s=2.0, memory_mb=512, tmp_root=str(sandbox_root)) as executor:
        yield executor


# Runs inside the sandbox. Each worker mounts its own tmpfs over the temp root, so the host
# sees an empty mount point whatever happens; only a program can see its worker's work dirs.
# They are ``s<slot>/w<worker>-<n>`` with n counting that worker's programs; the temp root and
# the slot dirs are mode 0711 (no listing), so the probe stats every earlier name of its own
# worker in every slot dir.
LEFTOVER_PROBE = """
import os
def leftovers():
    slot, me = os.path.split(os.getcwd())
    prefix, n = me.rsplit("-", 1)
    root, slot = os.path.split(slot)
    return [f"{slot}/{me}", [f"s{s}/{prefix}-{i}" for s in range(8) for i in range(1, int(n))
                 if os.path.lexists(os.path.join(root, f"s{s}", f"{prefix}-{i}"))]]
"""


def leftover_workdirs(ex: Executor) -> list[str]:
    """Work dirs of finished programs that still exist, as seen from inside every worker."""
    n = ex.workers_n * ex.slots * 2  # the pool hands each worker up to 2*slots jobs at once
    results = ex.run([Job(LEFTOVER_PROBE, [], capture=["leftovers()"])] * n)
    assert all(r.passed and r.values for r in results), results
    own = {r.values[0][0] for r in results}
    assert {name.split("/")[-1].rsplit("-", 1)[0] for name in own} == {f"w{i}" for i in range(ex.workers_n)}, own
    return sorted({name for r in results for name in r.values[0][1]} - own)


@pytest.fixture
def run1(ex, sandbox_root):
    """Run one program; afterwards the executor must be healthy, no work dir of a finished
    program may be left (checked from inside), and the host's view of the temp root empty."""

    def run(code: str, tests=("assert f(1) == 2",), setup: str = "", capture=()) -> Result:
        result = ex.run([Job(code, list(tests), setup, list(capture))])[0]
        assert leftover_workdirs(ex) == []
        assert list(sandbox_root.iterdir()) == []
        return result

    yield run
    healthy = ex.run([Job("def f(x):\n    return x + 1", ["assert f(1) == 2"])])[0]
    assert healthy.passed, healthy


@pytest.fixture
def processes_with():
    return _processes_with


def _processes_with(marker: str) -> list[int]:
    """Host pids whose command line contains ``marker`` (sandboxed processes are visible here)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(pid))
    return found


@pytest.fixture
def leftovers():
    return leftover_workdirs


@pytest.fixture
def leftover_probe():
    return LEFTOVER_PROBE
