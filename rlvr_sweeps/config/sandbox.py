"""Schema of the `sandbox` config group: limits of the program executor used by rewards and evaluation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SandboxConfig:
    timeout_s: float = 5.0  # wall clock per program during training; MBPP references need < 1 s
    memory_mb: int = 1024  # address-space limit per program
    workers: int | None = None  # warm worker processes; None = one per core

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.memory_mb <= 0:
            raise ValueError("sandbox.timeout_s and sandbox.memory_mb must be positive")
