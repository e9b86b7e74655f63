"""Score a JSONL file of programs in the sandbox, outside training.

    python -m rlvr_sweeps.score INPUT.jsonl [-o OUTPUT.jsonl] [--timeout S] [--memory-mb M]
                                [--workers N] [--lint]

Input lines: ``{"id": ..., "code": "...", "tests": ["assert ..."], "setup": "..."}`` (setup
optional), or ``"completion": "<raw model text>"`` instead of ``code``: the program is then the
answer that training and evaluation judge (``rlvr_sweeps.extract.extract_answer``, entry point
from an optional ``entry_point`` field, else the function the tests call). A stub (entry point
with a trivial body) or no answer is not run: status ``stub`` / ``no_code``.

Output lines: ``id`` + the Result fields, in input order (stdout without ``-o``; ``-o`` is
written atomically), with ``error_type`` the diagnostic label (``rlvr_sweeps.diagnostics.
ERROR_LABELS``: pass, AssertionError, ..., no_code, stub, other), ``exception`` the raw
exception type name and ``answer_kind`` (code / no_code / stub). A malformed line gets
``status "error", exception "InvalidInput"`` for that line and the rest is still scored. The
exit status is non-zero only for unusable arguments or files.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from rlvr_sweeps.diagnostics import error_type_label, raw_exception
from rlvr_sweeps.extract import AnswerKind, entry_point_of, extract_answer, is_stub
from rlvr_sweeps.lint import lint_codes
from rlvr_sweeps.results import write_text_atomic
from rlvr_sweeps.sandbox import Executor, Job, Result

PROGRESS_MIN = 200  # inputs shorter than this finish too fast for a progress bar to help


def parse_line(line: str) -> tuple[object, Job | None, str]:
    """(id, job, answer kind) for a valid line, (id or None, None, "") for a malformed one. The
    job of a no_code or stub answer is built but not run."""
    try:
        row = json.loads(line)
    except ValueError:
        return None, None, ""
    if not isinstance(row, dict):
        return None, None, ""
    rid = row.get("id")
    tests, setup = row.get("tests", []), row.get("setup") or ""
    if not isinstance(setup, str) or not isinstance(tests, list) or not all(isinstance(t, str) for t in tests):
        return rid, None, ""
    entry_point = row.get("entry_point") or entry_point_of(tests, setup)
    if isinstance(row.get("completion"), str) and "code" not in row:
        answer = extract_answer(row["completion"], entry_point if isinstance(entry_point, str) else None)
        return rid, Job(answer.code, tests, setup), answer.kind.value
    code = row.get("code")
    if not isinstance(code, str):
        return rid, None, ""
    if not code.strip():
        return rid, Job(code, tests, setup), AnswerKind.no_code.value
    return rid, Job(code, tests, setup), (AnswerKind.stub if is_stub(code, entry_point) else AnswerKind.code).value


def invalid_result() -> Result:
    return Result(False, "error", "InvalidInput", 0, 0, 0.0)


def unrun_result(kind: str, job: Job) -> Result:
    """The Result of an answer that is judged without running (no_code, stub)."""
    return Result(False, kind, None, 0, len(job.tests), 0.0)


def output_row(rid: object, result: Result, kind: str) -> dict:
    """One output line: the Result's fields, the raw exception and the diagnostic label."""
    return {"id": rid, **result.to_dict(), "exception": raw_exception(result), "error_type": error_type_label(result),
            "answer_kind": kind or None}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rlvr_sweeps.score", description=__doc__.splitlines()[0])
    parser.add_argument("input", help="JSONL with id, code (or completion), tests, setup")
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
    valid = [(i, job) for i, (_, job, kind) in enumerate(parsed) if job is not None and kind == AnswerKind.code.value]
    results: list[Result] = [
        unrun_result(kind, job) if job is not None else invalid_result() for _, job, kind in parsed
    ]
    with Executor(workers=args.workers, timeout_s=args.timeout, memory_mb=args.memory_mb) as ex:
        scored = ex.run([job for _, job in valid], progress=len(valid) >= PROGRESS_MIN)
    for (i, _), result in zip(valid, scored, strict=True):
        results[i] = result
    lint = [None] * len(parsed)
    if args.lint:
        codes = [job.code if job is not None else "" for _, job, _ in parsed]
        lint = [r.to_dict() if job is not None else None
                for r, (_, job, _) in zip(lint_codes(codes), parsed, strict=True)]
    out = []
    for (rid, _, kind), result, lint_row in zip(parsed, results, lint, strict=True):
        row = output_row(rid, result, kind)
        if args.lint:
            row["lint"] = lint_row
        out.append(json.dumps(row) + "\n")
    if args.output:
        write_text_atomic(args.output, "".join(out))
    else:
        sys.stdout.writelines(out)
        sys.stdout.flush()
    n_pass = sum(r.passed for r in results)
    print(f"{n_pass} passed, {len(results) - n_pass} failed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
