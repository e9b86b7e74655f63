"""Class 5 (memory as a whole) and the class 7 remainder (per-slot work dirs) of issue 9.
One property per test; the memory ones need the per-slot memory cgroup and skip with its
reason where the host has none (then the stated fallback bound applies)."""

from __future__ import annotations

import os

import pytest

from rlvr_sweeps.sandbox import Executor, Job

HONEST = Job("def f(x):\n    return x + 1", ["assert f(1) == 2"])

# 10 memfds x 64 MB (each within RLIMIT_FSIZE), never mapped: RLIMIT_AS does not see them.
MEMFD_HOARD = """
import os
def f(x):
    fds = []
    for i in range(10):
        m = os.memfd_create("hoard")
        for _ in range(64):
            os.write(m, b"x" * (1 << 20))
        fds.append(m)
    return x + 1
"""

# 3 forked children x 300 MB, each within RLIMIT_AS (512 MB); the parent answers correctly.
FORK_HOARD = """
import os, time
def f(x):
    for _ in range(3):
        if os.fork() == 0:
            b = bytearray(300 << 20)
            for i in range(0, len(b), 4096):
                b[i] = 1
            time.sleep(3)
            os._exit(0)
    time.sleep(1.5)
    return x + 1
"""

# Fills its work dir's tmpfs while a neighbour (started just after it, same worker) writes a
# small file; the filler then holds on so both run at the same time.
FILLER = """
import os, time
def probe():
    n = 0
    try:
        with open("big", "wb") as f:
            while True:
                f.write(b"x" * (1 << 20))
                n += 1
    except OSError:
        pass
    time.sleep(1.0)
    return n
"""
NEIGHBOUR = """
import time
def probe():
    time.sleep(0.5)
    try:
        with open("small", "wb") as f:
            f.write(b"y" * 4096)
        return "written"
    except OSError as e:
        return e.strerror
"""


@pytest.fixture(scope="module")
def mex():
    with Executor(workers=1, slots=3, timeout_s=8.0, memory_mb=512, workdir_mb=32) as executor:
        if "memory_cgroup" not in executor.isolation["active"]:
            pytest.skip(f"no memory cgroup here: {executor.isolation['missing'].get('memory_cgroup')}")
        yield executor


def _healthy(ex: Executor) -> None:
    assert all(r.passed for r in ex.run([HONEST] * 4))


def test_unmapped_memfds_beyond_the_limit_are_a_memory_verdict(mex):
    result = mex.run([Job(MEMFD_HOARD, ["assert f(1) == 2"])])[0]
    assert (result.passed, result.status) == (False, "memory"), result
    _healthy(mex)


def test_forked_children_beyond_the_limit_are_a_memory_verdict(mex):
    result = mex.run([Job(FORK_HOARD, ["assert f(1) == 2"])])[0]
    assert (result.passed, result.status) == (False, "memory"), result
    _healthy(mex)


def test_an_honest_neighbour_of_a_memory_hog_is_unaffected(mex):
    results = mex.run([Job(MEMFD_HOARD, ["assert f(1) == 2"]), HONEST, HONEST])
    assert [r.status for r in results] == ["memory", "pass", "pass"], results


def test_slot_cgroups_are_removed_with_the_executor():
    with Executor(workers=1, slots=2, timeout_s=5.0, memory_mb=256) as ex:
        paths = list(ex._cgroups)
        if not paths:
            pytest.skip(f"no memory cgroup here: {ex.isolation['missing'].get('memory_cgroup')}")
        assert ex.run([HONEST])[0].passed
        assert all(os.path.isdir(p) for p in paths)
    assert not any(os.path.exists(p) for p in paths)


def test_filling_ones_work_dir_leaves_a_neighbours_writable():
    with Executor(workers=1, slots=2, timeout_s=8.0, workdir_mb=16) as ex:
        if "workdir_per_slot" not in ex.isolation["active"]:
            pytest.skip(f"no per-slot work dir here: {ex.isolation['missing'].get('workdir_per_slot')}")
        filled, neighbour = ex.run([Job(FILLER, [], capture=["probe()"]), Job(NEIGHBOUR, [], capture=["probe()"])])
    assert filled.passed and filled.values[0] >= 15, filled  # it did fill its own 16 MB
    assert neighbour.values == ["written"], neighbour


FORK_COUNT = """
import os, time
def probe():
    n = 0
    for _ in range(20):
        try:
            if os.fork() == 0:
                time.sleep(2)
                os._exit(0)
            n += 1
        except OSError:
            break
    return n
"""


def test_without_a_memory_cgroup_forks_are_bounded_tighter_and_it_is_reported():
    """The fallback bound (no cgroup): at most 8 processes x RLIMIT_AS per program."""
    with Executor(workers=1, slots=1, timeout_s=5.0, disable=["memory_cgroup"]) as ex:
        assert "memory_cgroup" in ex.isolation["missing"]
        result = ex.run([Job(FORK_COUNT, [], capture=["probe()"])])[0]
    assert result.passed and result.values[0] <= 7, result  # 8 processes of the slot's uid
