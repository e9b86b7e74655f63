"""Benchmark: the sandbox pool vs the naive baseline, on the same MBPP reference programs.

The baseline is what a new user writes: ``subprocess.run([python, '-c', program], timeout=...)``
per program (code + setup + asserts), one after the other, exit status 0 = pass. Verdicts must
agree. Programs whose reference needs more than ``--slow-ms`` in the warm-up are left out of both
timed runs (they measure the solution, not the executor); the count is printed. Targets: >= 400
programs/s with isolation on, and >= 10x the baseline.

Robust to a shared, noisy machine: both sides run ``--repeats`` times, interleaved, and the best
rate of each is reported, next to the load average. CPU time per program (parent + workers +
programs for the sandbox, the ``python -c`` children for the baseline) is measured too and
turned into the rate the same work would reach on idle cores (the sandbox uses every core, the
baseline loop one at a time); both are printed, measured first.

    python -m rlvr_sweeps.bench sandbox [--mbpp PATH] [--n 974] [--baseline-n 200] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rlvr_sweeps.sandbox import Executor, Job

TARGET_RATE = 400.0
TARGET_SPEEDUP = 10.0
DEFAULT_MBPP = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mbpp" / "mbpp.jsonl"


def load_jobs(path: Path) -> list[Job]:
    with path.open() as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [Job(r["code"], list(r["test_list"]), r.get("test_setup_code") or "") for r in rows]


def naive(job: Job, timeout_s: float) -> bool:
    program = "\n".join([job.code, job.setup, *job.tests])
    try:
        proc = subprocess.run([sys.executable, "-c", program], timeout=timeout_s, capture_output=True)
    except subprocess.TimeoutExpired:
        return False
    return proc.returncode == 0


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def _time_sandbox(ex: Executor, jobs: list[Job]) -> tuple[float, float, float, list]:
    """(programs/s, parent CPU ms/program, pool CPU ms/program, results)."""
    parent0, pool0, t0 = _cpu(resource.RUSAGE_SELF), ex.pool_cpu_s(), time.perf_counter()
    results = ex.run(jobs)
    wall = time.perf_counter() - t0
    parent = (_cpu(resource.RUSAGE_SELF) - parent0) / len(jobs) * 1e3
    pool = (ex.pool_cpu_s() - pool0) / len(jobs) * 1e3
    return len(jobs) / wall, parent, pool, results


def _time_baseline(jobs: list[Job], timeout_s: float) -> tuple[float, float, list[bool]]:
    """(programs/s, CPU ms/program of the parent loop and its python -c children, verdicts)."""
    cpu0, t0 = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    verdicts = [naive(j, timeout_s) for j in jobs]
    wall = time.perf_counter() - t0
    cpu = (_cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - cpu0) / len(jobs) * 1e3
    return len(jobs) / wall, cpu, verdicts


def _rates(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rlvr_sweeps.bench sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--mbpp", type=Path, default=DEFAULT_MBPP, help="mbpp.jsonl (code, test_list, test_setup_code)")
    parser.add_argument("--n", type=int, default=974, help="programs in the sandbox run (default: all)")
    parser.add_argument("--baseline-n", type=int, default=200, help="programs in the naive run (a prefix of the same list)")
    parser.add_argument("--workers", type=int, default=None, help="sandbox workers (default: CPU count)")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-program timeout, both sides")
    parser.add_argument("--slow-ms", type=float, default=500.0, help="leave out programs slower than this")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each side (interleaved); the best is reported")
    args = parser.parse_args(argv)
    if not args.mbpp.is_file():
        print(f"error: {args.mbpp} not found; pass --mbpp PATH to an mbpp.jsonl", file=sys.stderr)
        return 2
    cores = os.cpu_count() or 1
    load_start = os.getloadavg()[0]
    jobs = load_jobs(args.mbpp)[: args.n]
    sandbox, baseline = [], []
    with Executor(workers=args.workers, timeout_s=args.timeout) as ex:
        warm = ex.run(jobs)
        keep = [j for j, r in zip(jobs, warm, strict=True) if r.duration_ms <= args.slow_ms]
        base_jobs = keep[: args.baseline_n]
        for _ in range(max(1, args.repeats)):
            sandbox.append(_time_sandbox(ex, keep))
            baseline.append(_time_baseline(base_jobs, args.timeout))
        isolation, workers_n, slots = ex.isolation, ex.workers_n, ex.slots
    load_end = os.getloadavg()[0]
    rate, _, _, ours = max(sandbox, key=lambda m: m[0])
    base_rate, _, base = max(baseline, key=lambda m: m[0])
    # CPU per program: the least over the repeats (contention only ever adds to it).
    parent_ms = min(m[1] for m in sandbox)
    pool_ms = min(m[2] for m in sandbox)
    cpu_ms = parent_ms + pool_ms
    base_cpu_ms = min(m[1] for m in baseline)
    idle_rate = cores * 1e3 / cpu_ms if cpu_ms > 0 else float("nan")
    idle_base = 1e3 / base_cpu_ms if base_cpu_ms > 0 else float("nan")
    agree = sum(b == r.passed for b, r in zip(base, ours[: len(base)], strict=True))
    print(f"programs: {len(keep)} MBPP references ({len(jobs) - len(keep)} slower than {args.slow_ms:.0f} ms left out), "
          f"{sum(r.passed for r in ours)} passed in the sandbox")
    print(f"sandbox : {rate:8.1f} programs/s  (best of {len(sandbox)}: {_rates([m[0] for m in sandbox])}; "
          f"{workers_n} workers x {slots} slots)")
    print(f"baseline: {base_rate:8.1f} programs/s  (best of {len(baseline)}: {_rates([m[0] for m in baseline])}; "
          f"a loop of subprocess.run python -c, {len(base_jobs)} programs)")
    print(f"speed-up: {rate / base_rate:8.1f}x   verdicts agree on {agree}/{len(base_jobs)}")
    print(f"cpu/program: sandbox {cpu_ms:.2f} ms (parent {parent_ms:.2f} + workers and programs {pool_ms:.2f}) "
          f"-> {idle_rate:.0f}/s on {cores} idle cores; baseline {base_cpu_ms:.1f} ms -> {idle_base:.0f}/s "
          f"(a sequential loop: one core); idle-implied speed-up {idle_rate / idle_base:.1f}x")
    print(f"isolation active : {', '.join(isolation['active'])}")
    print(f"isolation MISSING: {', '.join(isolation['missing']) or 'none'}")
    ok = rate >= TARGET_RATE and rate / base_rate >= TARGET_SPEEDUP
    ok_idle = idle_rate >= TARGET_RATE and idle_rate / idle_base >= TARGET_SPEEDUP
    print(f"targets (>= {TARGET_RATE:.0f}/s, >= {TARGET_SPEEDUP:.0f}x): measured {'met' if ok else 'NOT met'}, "
          f"idle-implied {'met' if ok_idle else 'NOT met'}  "
          f"[load average {load_start:.1f} at start, {load_end:.1f} at end, on {cores} CPUs]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
