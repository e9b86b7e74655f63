"""Schema of the `sandbox` config group: limits of the program executor, the one source for both the
rewards and evaluation (eval.timeout_s = null reads timeout_s here), so a program gets the same verdict in both."""

from __future__ import annotations

from dataclasses import dataclass

from .ranges import check_range


@dataclass
class SandboxConfig:
    timeout_s: float = 10.0  # wall clock per program, reward and evaluation; generous (MBPP references need < 1 s, slow CPUs undercount), a looping rollout holds a worker this long
    memory_mb: int = 1024  # address-space limit per program
    workers: int | None = None  # warm worker processes; None = one per core

    def __post_init__(self) -> None:
        check_range("sandbox.timeout_s", self.timeout_s, 0, lo_open=True)
        check_range("sandbox.memory_mb", self.memory_mb, 1)
        check_range("sandbox.workers", self.workers, 1, optional=True)
