"""Benchmark: Ruff batched (one process per reward call) vs one Ruff process per completion.

Both run in this invocation on the same generated MBPP-style completions (clean code, unused
imports, ambiguous names, syntax errors, long lines, bugbear and simplify findings, empty
completions), and their verdicts must agree, so the speed-up is not bought with a different
answer. Target: <= 0.2 ms per completion batched and >= 25x faster than per-process.

    python -m rlvr_sweeps.bench ruff [--n 1000] [--baseline-n 300] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

from rlvr_sweeps.lint import LintConfig, lint_codes, ruff_bin

TARGET_MS = 0.2
TARGET_SPEEDUP = 25.0

_TEMPLATES = (
    "def {f}(nums):\n    return sorted(nums)[:{k}]\n",
    "import math\n\n\ndef {f}(a, b):\n    return a * b + {k}\n",
    "def {f}(s):\n    l = len(s)\n    return s[: l // {k}]\n",
    "def {f}(x:\n    return x + {k}\n",
    "def {f}(xs):\n    return [x for x in xs if x % {k} == 0 and x > 0 and x < 1000000 and x != 7 and x != 11 and x != 13]\n",
    "def {f}(items=[]):\n    try:\n        return items[{k}]\n    except:\n        return None\n",
    "def {f}(d):\n    if d.get({k}) == True:\n        return True\n    else:\n        return False\n",
    "import re\nimport os  # noqa\n\n\ndef {f}(text):\n    return re.findall(r'\\d{{{k}}}', text)\n",
    "",
    "from collections import Counter\n\n\ndef {f}(words):\n    c = Counter(words)\n    return [w for w in c]\n",
)


def make_completions(n: int) -> list[str]:
    """n distinct completions cycling through the templates (distinct names and constants)."""
    return [_TEMPLATES[i % len(_TEMPLATES)].format(f=f"func_{i}", k=i % 9 + 1) for i in range(n)]


def _time_ms_per(fn, n_items: int, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3 / n_items)
    return statistics.median(times)


def run(n: int, baseline_n: int, repeats: int) -> dict[str, float]:
    cfg = LintConfig()
    codes = make_completions(n)
    base_codes = codes[:baseline_n]
    lint_codes(codes[:20], cfg)  # warm the page cache and the binary once for both sides
    batched_ms = _time_ms_per(lambda: lint_codes(codes, cfg), n, repeats)
    per_process = []
    t0 = time.perf_counter()
    for code in base_codes:
        per_process.extend(lint_codes([code], cfg))
    per_process_ms = (time.perf_counter() - t0) * 1e3 / len(base_codes)
    batched = lint_codes(base_codes, cfg)
    if [r.to_dict() for r in batched] != [r.to_dict() for r in per_process]:
        raise AssertionError("batched and per-process Ruff disagree on the same completions")
    return {"batched_ms": batched_ms, "per_process_ms": per_process_ms, "speedup": per_process_ms / batched_ms}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rlvr_sweeps.bench ruff", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="completions in the batched run (default 1000)")
    parser.add_argument("--baseline-n", type=int, default=300, help="completions linted one process each (default 300)")
    parser.add_argument("--repeats", type=int, default=3, help="batched repeats; the median is reported")
    args = parser.parse_args(argv)
    if min(args.n, args.baseline_n, args.repeats) < 1 or args.baseline_n > args.n:
        parser.error("--n, --baseline-n and --repeats must be >= 1, and --baseline-n <= --n")
    r = run(args.n, args.baseline_n, args.repeats)
    ok_ms, ok_x = r["batched_ms"] <= TARGET_MS, r["speedup"] >= TARGET_SPEEDUP
    print(f"ruff {ruff_bin()}: {args.n} completions batched, {args.baseline_n} one process each (same inputs, verdicts equal)")
    print(f"  batched (one ruff run)    {r['batched_ms']:8.3f} ms/completion  target <= {TARGET_MS}  {'ok' if ok_ms else 'MISSED'}")
    print(f"  one ruff per completion   {r['per_process_ms']:8.3f} ms/completion")
    print(f"  speed-up                  {r['speedup']:8.1f}x               target >= {TARGET_SPEEDUP:.0f}x  {'ok' if ok_x else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
