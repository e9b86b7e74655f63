"""Benchmark: the sandbox pool vs the naive baseline, on the same MBPP reference programs.

The baseline is what a new user writes: ``subprocess.run([python, '-c', program], timeout=...)``
per program (code + setup + asserts), one after the other, exit status 0 = pass. Verdicts must agree. Programs whose reference needs more than ``--slow-ms`` in the
warm-up are left out of both timed runs (they measure the solution, not the executor); the
count is printed. Targets: >= 400 programs/s with isolation on, and >= 10x the baseline.

    python -m rlvr_sweeps.bench sandbox [--mbpp PATH] [--n 974] [--baseline-n 300] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rlvr_sweeps.bench sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--mbpp", type=Path, default=DEFAULT_MBPP, help="mbpp.jsonl (code, test_list, test_setup_code)")
    parser.add_argument("--n", type=int, default=974, help="programs in the sandbox run (default: all)")
    parser.add_argument("--baseline-n", type=int, default=200, help="programs in the naive run (a prefix of the same list)")
    parser.add_argument("--workers", type=int, default=None, help="sandbox workers (default: CPU count)")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-program timeout, both sides")
    parser.add_argument("--slow-ms", type=float, default=500.0, help="leave out programs slower than this")
    parser.add_argument("--repeats", type=int, default=3, help="sandbox repeats; the best is reported")
    args = parser.parse_args(argv)
    if not args.mbpp.is_file():
        print(f"error: {args.mbpp} not found; pass --mbpp PATH to an mbpp.jsonl", file=sys.stderr)
        return 2
    jobs = load_jobs(args.mbpp)[: args.n]
    with Executor(workers=args.workers, timeout_s=args.timeout) as ex:
        warm = ex.run(jobs)
        keep = [j for j, r in zip(jobs, warm, strict=True) if r.duration_ms <= args.slow_ms]
        rates = []
        for _ in range(max(1, args.repeats)):
            t0 = time.perf_counter()
            ours = ex.run(keep)
            rates.append(len(keep) / (time.perf_counter() - t0))
        isolation = ex.isolation
    rate = max(rates)
    base_jobs = keep[: args.baseline_n]
    threads = os.cpu_count() or 1
    t0 = time.perf_counter()
    base = [naive(j, args.timeout) for j in base_jobs]
    base_rate = len(base_jobs) / (time.perf_counter() - t0)
    agree = sum(b == r.passed for b, r in zip(base, ours[: len(base)], strict=True))
    print(f"programs: {len(keep)} MBPP references ({len(jobs) - len(keep)} slower than {args.slow_ms:.0f} ms left out), "
          f"{sum(r.passed for r in ours)} passed in the sandbox")
    print(f"sandbox : {rate:8.1f} programs/s  (best of {len(rates)}: {', '.join(f'{r:.0f}' for r in rates)}; "
          f"{ex.workers_n} workers x {ex.slots} slots)")
    print(f"baseline: {base_rate:8.1f} programs/s  (a loop of subprocess.run python -c, {len(base_jobs)} programs)")
    print(f"speed-up: {rate / base_rate:8.1f}x   verdicts agree on {agree}/{len(base_jobs)}")
    print(f"isolation active : {', '.join(isolation['active'])}")
    print(f"isolation MISSING: {', '.join(isolation['missing']) or 'none'}")
    ok = rate >= TARGET_RATE and rate / base_rate >= TARGET_SPEEDUP
    print(f"targets (>= {TARGET_RATE:.0f}/s, >= {TARGET_SPEEDUP:.0f}x): {'met' if ok else 'NOT met'}"
          f"  [load average {os.getloadavg()[0]:.1f} on {threads} CPUs]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
