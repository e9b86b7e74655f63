"""Sandboxed execution of untrusted programs against assert tests (see ``executor`` for the
threat model). Stdlib only: importing this package must stay cheap (no torch)."""

from rlvr_sweeps.sandbox.executor import (
    STATUSES,
    Executor,
    Job,
    Result,
    decode_value,
    get_executor,
)

__all__ = ["STATUSES", "Executor", "Job", "Result", "decode_value", "get_executor"]
