"""Per-slot memory cgroups (issue 9, class 5): one home for their paths, files and names.

Why per worker *slot* and not per program: a slot runs its programs one after the other, so a
cgroup made once per slot bounds each program as a whole (anonymous memory of every forked
child, memfd/tmpfs/SysV shm pages, kernel memory) at the price of one ``write("0")`` to
``cgroup.procs`` per program (~0.1 ms), where creating and removing a cgroup per program costs
milliseconds and leaves the kernel to reap dying cgroups. A finished program's pages are freed
with its processes, memfds, IPC namespace and work dir; what stays charged is reclaimable page
cache, which the kernel reclaims before it OOM-kills. The verdict ``memory`` comes from the
slot's OOM-kill counter, read before and after each program.

The parent (host mount namespace) creates and removes the cgroups; the worker opens their files
before it chroots, and each child moves itself in before it reads its job.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

CGROUP_FS = "/sys/fs/cgroup"
PREFIX = "rlvr-sandbox-"


@dataclass(frozen=True)
class Layout:
    """Where a memory controller is and which files it names (v1 and v2 differ)."""

    version: int
    base: str  # our own cgroup in that hierarchy: slot cgroups are made below it
    limit: str
    swap: str | None
    oom_file: str  # holds an ``oom_kill N`` line

    def limit_values(self, limit_bytes: int) -> list[tuple[str, str]]:
        vals = [(self.limit, str(limit_bytes))]
        if self.swap:  # no swap escape: v1 memsw counts memory+swap, v2 swap.max swap alone
            vals.append((self.swap, str(limit_bytes) if self.version == 1 else "0"))
        return vals


def _own_path(controller: str | None) -> str | None:
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, names, path = line.rstrip("\n").split(":", 2)
            if (controller is None and names == "") or (controller and controller in names.split(",")):
                return path
    return None


def find() -> Layout:
    """The memory controller we may create cgroups in; OSError saying why not otherwise."""
    v1 = _own_path("memory")
    if v1 is not None:
        base = os.path.join(CGROUP_FS, "memory") + v1.rstrip("/")
        if not os.access(base, os.W_OK):
            raise OSError(f"cgroup v1 memory hierarchy {base} is not writable")
        swap = "memory.memsw.limit_in_bytes" if os.path.exists(os.path.join(base, "memory.memsw.limit_in_bytes")) else None
        return Layout(1, base, "memory.limit_in_bytes", swap, "memory.oom_control")
    v2 = _own_path(None)
    if v2 is None:
        raise OSError("no memory cgroup (neither a v1 memory hierarchy nor cgroup v2) for this process")
    base = CGROUP_FS + v2.rstrip("/")
    try:
        with open(os.path.join(base, "cgroup.subtree_control")) as f:
            enabled = f.read().split()
    except OSError as exc:
        raise OSError(f"cgroup v2 at {base} unreadable: {exc}") from exc
    if "memory" not in enabled:
        try:  # fails (EBUSY) when our own cgroup holds processes and is not the root
            with open(os.path.join(base, "cgroup.subtree_control"), "w") as f:
                f.write("+memory")
        except OSError as exc:
            raise OSError(f"cgroup v2 memory controller not enabled below {base} ({exc}); "
                          "run the scorer in a delegated cgroup with +memory in subtree_control") from exc
    return Layout(2, base, "memory.max", "memory.swap.max", "memory.events")


def create(layout: Layout, name: str, limit_bytes: int) -> str:
    path = os.path.join(layout.base, name)
    os.mkdir(path, 0o700)
    try:
        for fname, value in layout.limit_values(limit_bytes):
            if os.path.exists(os.path.join(path, fname)):
                with open(os.path.join(path, fname), "w") as f:
                    f.write(value)
    except OSError:
        remove(path)
        raise
    return path


def remove(path: str) -> bool:
    """rmdir (a cgroup's files are virtual); False while it still has processes."""
    try:
        os.rmdir(path)
        return True
    except FileNotFoundError:
        return True
    except OSError:
        return False


def remove_stale(layout: Layout, is_stale) -> list[str]:
    """Slot cgroups (``rlvr-sandbox-<owner tag>-...``) of scorers that are gone."""
    removed = []
    try:
        names = os.listdir(layout.base)
    except OSError:
        return removed
    for name in names:
        if name.startswith(PREFIX) and is_stale(name[len(PREFIX):].split("-", 1)[0]):
            path = os.path.join(layout.base, name)
            if remove(path):
                removed.append(path)
    return removed


def oom_kills(fd: int) -> int:
    """The ``oom_kill`` count of an open ``memory.oom_control`` / ``memory.events`` (read by
    the worker after each program: one pread)."""
    for line in os.pread(fd, 4096, 0).split(b"\n"):
        if line.startswith(b"oom_kill "):
            return int(line.split()[1])
    return 0
