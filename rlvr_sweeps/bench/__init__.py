"""Benchmarks: ``python -m rlvr_sweeps.bench NAME|all``. Each one runs its own baseline in the
same invocation and prints rates and ratios (speed targets live here, never in timed tests).

Each entry is a module exposing ``main(argv) -> int``; modules are imported only when run, so a
benchmark's heavy dependencies never load for another, and a missing one is reported by ``all``.
"""

from __future__ import annotations

BENCHES: dict[str, str] = {
    "sandbox": "rlvr_sweeps.bench.sandbox",
    "ruff": "rlvr_sweeps.bench.ruff",
    "sweep": "rlvr_sweeps.bench.sweep",
    "gpu": "rlvr_sweeps.bench.gpu",
    "vllm": "rlvr_sweeps.bench.vllm",
    "report": "rlvr_sweeps.bench.report",
}
