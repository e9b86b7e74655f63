"""Score a JSONL file of programs in the sandbox, outside training.

    python -m rlvr_sweeps.score INPUT.jsonl [-o OUTPUT.jsonl] [--timeout S] [--memory-mb M]
                                [--workers N] [--lint]

Input lines: ``{"id": ..., "code": "...", "tests": ["assert ..."], "setup": "..."}`` (setup
optional). Output lines: ``id`` + the Result fields, in input order (stdout without ``-o``;
``-o`` is written atomically). A malformed line gets ``status "error", exception
"InvalidInput"`` for that line and the rest is still scored. The exit status is non-zero only
for unusable arguments or files.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence

from rlvr_sweeps.sandbox import Executor, Job, Result

PROGRESS_MIN = 200  # inputs shorter than this finish too fast for a progress bar to help


def parse_line(line: str) -> tuple[object, Job | None]:
    """(id, job) for a valid line, (id or None, None) for a malformed one."""
    try:
        row = json.loads(line)
    except ValueError:
        return None, None
    if not isinstance(row, dict):
        return None, None
    rid = row.get("id")
    code, tests, setup = row.get("code"), row.get("tests", []), row.get("setup") or ""
    if not isinstance(code, str) or not isinstance(setup, str):
        return rid, None
    if not isinstance(tests, list) or not all(isinstance(t, str) for t in tests):
        return rid, None
    return rid, Job(code, tests, setup)


def invalid_result() -> Result:
    return Result(False, "error", "InvalidInput", 0, 0, 0.0)


def _write_atomic(path: str, lines: list[str]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".score-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.writelines(lines)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rlvr_sweeps.score", description=__doc__.splitlines()[0])
    parser.add_argument("input", help="JSONL with id, code, tests, setup")
    parser.add_argument("-o", "--output", help="output JSONL (default: stdout)")
    parser.add_argument("--timeout", type=float, default=5.0, help="wall-clock seconds per program")
    parser.add_argument("--memory-mb", type=int, default=1024, help="address-space limit per program")
    parser.add_argument("--workers", type=int, default=None, help="sandbox workers (default: CPU count)")
    parser.add_argument("--lint", action="store_true", help="add Ruff lint counts per line")
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.memory_mb <= 0 or (args.workers is not None and args.workers <= 0):
        parser.error("--timeout, --memory-mb and --workers must be positive")
    try:
        with open(args.input, encoding="utf-8") as f:
            raw_lines = [line for line in f if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.input}: {exc}", file=sys.stderr)
        return 2
    if args.output and not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        print(f"error: the folder of {args.output} does not exist", file=sys.stderr)
        return 2
    parsed = [parse_line(line) for line in raw_lines]
    valid = [(i, job) for i, (_, job) in enumerate(parsed) if job is not None]
    results: list[Result] = [invalid_result() for _ in parsed]
    with Executor(workers=args.workers, timeout_s=args.timeout, memory_mb=args.memory_mb) as ex:
        scored = ex.run([job for _, job in valid], progress=len(valid) >= PROGRESS_MIN)
    for (i, _), result in zip(valid, scored, strict=True):
        results[i] = result
    lint = [None] * len(parsed)
    if args.lint:
        from rlvr_sweeps.lint import lint_codes

        codes = [job.code if job is not None else "" for _, job in parsed]
        lint = [r.to_dict() if job is not None else None
                for r, (_, job) in zip(lint_codes(codes), parsed, strict=True)]
    out = []
    for (rid, _), result, lint_row in zip(parsed, results, lint, strict=True):
        row = {"id": rid, **result.to_dict()}
        if args.lint:
            row["lint"] = lint_row
        out.append(json.dumps(row) + "\n")
    if args.output:
        _write_atomic(args.output, out)
    else:
        sys.stdout.writelines(out)
        sys.stdout.flush()
    n_pass = sum(r.passed for r in results)
    print(f"{n_pass} passed, {len(results) - n_pass} failed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
