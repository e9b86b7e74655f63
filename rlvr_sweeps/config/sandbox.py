"""Schema of the `sandbox` config group: limits of the program executor, the one source for both the
rewards and evaluation (eval.timeout_s = null reads timeout_s here), so a program gets the same verdict in both."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SandboxConfig:
    timeout_s: float = 10.0  # wall clock per program, reward and evaluation; generous (MBPP references need < 1 s, slow CPUs undercount), a looping rollout holds a worker this long
    memory_mb: int = 1024  # address-space limit per program
    workers: int | None = None  # warm worker processes; None = one per core

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.memory_mb <= 0:
            raise ValueError("sandbox.timeout_s and sandbox.memory_mb must be positive")
