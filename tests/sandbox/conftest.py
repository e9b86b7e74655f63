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


@pytest.fixture
def run1(ex, sandbox_root):
    """Run one program; afterwards the executor must be healthy and its temp root empty."""

    def run(code: str, tests=("assert f(1) == 2",), setup: str = "", capture=()) -> Result:
        result = ex.run([Job(code, list(tests), setup, list(capture))])[0]
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
