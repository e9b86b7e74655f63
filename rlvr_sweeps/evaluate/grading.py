"""Grading completions in the sandbox: the test suite of each task (MBPP asserts, or MBPP+ inputs
checked against the canonical outputs), one Job per (completion, suite part), results mapped to
Verdicts with the shared error-type labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rlvr_sweeps.config import Config
from rlvr_sweeps.diagnostics import error_type_label, raw_exception
from rlvr_sweeps.evaluate import mbppplus
from rlvr_sweeps.evaluate.records import Verdict
from rlvr_sweeps.sandbox import Job


@dataclass(frozen=True)
class Suite:
    """The tests of one task, in parts that each run as one sandbox job within the time limit.
    ``base`` decides pass@1; ``plus`` (MBPP+ only) holds the extra tests: plus = base AND plus."""

    base: list[list[str]]
    setup: str = ""
    plus: list[list[str]] | None = None
    notes: dict[str, Any] = field(default_factory=dict)


NO_CODE = Verdict(False, "no_code", "no_code")
STUB = Verdict(False, "stub", "stub")
UNRUN = {"no_code": NO_CODE, "stub": STUB}  # answer kinds that are judged without running


def verdict(result: Any) -> Verdict:
    return Verdict(
        passed=bool(result.passed),
        status=result.status,
        error_type=error_type_label(result),
        error=raw_exception(result),
        tests_passed=int(result.tests_passed),
        tests_total=int(result.tests_total),
    )


def harness_error(what: str) -> Verdict:
    """The harness (not the completion) failed on this problem: counted as not passed, and
    visible as status harness_error and in eval/harness_errors."""
    return Verdict(False, "harness_error", "other", error=what)


def build_suites(tasks: Sequence[Any], conf: Config, executor: Any) -> list[Suite]:
    """MBPP-style tasks run their asserts; MBPP+ tasks get asserts built from the canonical
    solution's outputs (``rlvr_sweeps.evaluate.mbppplus``)."""
    if not any(getattr(t, "entry_point", None) and getattr(t, "base_inputs", ()) for t in tasks):
        return [Suite([list(t.tests)], t.setup) for t in tasks]
    expected = mbppplus.expected_outputs(
        tasks, executor, conf.eval.oracle_cache, conf.data.path, plus=conf.eval.plus
    )
    suites = []
    for t in tasks:
        base, plus = mbppplus.suites(t, expected[t.task_id], conf.eval.timeout_s)
        notes = {"dropped_inputs": expected[t.task_id].dropped}
        suites.append(Suite(base, t.setup, plus if conf.eval.plus else None, notes))
    return suites


def merge(parts: Sequence[Verdict]) -> Verdict:
    """All parts must pass; the verdict of a failure is its first failing part's."""
    failed = next((v for v in parts if not v.passed), None)
    if failed is not None:
        return failed
    return Verdict(True, "pass", "pass", None, sum(v.tests_passed for v in parts), sum(v.tests_total for v in parts))


def grade(
    codes: Sequence[str], suites: Sequence[Suite], executor: Any, kinds: Sequence[str] | None = None
) -> list[tuple[Verdict, Verdict | None]]:
    """(base verdict, plus verdict or None) per code; codes[i] is graded on suites[i]. ``kinds``
    (``rlvr_sweeps.extract.AnswerKind`` values) marks no_code and stub answers, which are not
    run; without it an empty code is no_code."""
    kinds = [str(getattr(k, "value", k)) for k in kinds] if kinds is not None else [
        "code" if c else "no_code" for c in codes
    ]
    jobs, owners = [], []
    for i, (code, suite, kind) in enumerate(zip(codes, suites, kinds, strict=True)):
        if kind in UNRUN or not code:
            continue
        for part_kind, parts in (("base", suite.base), ("plus", suite.plus or [])):
            for part in parts:
                jobs.append(Job(code, list(part), suite.setup))
                owners.append((i, part_kind))
    results = executor.run(jobs) if jobs else []
    got: dict[tuple[int, str], list[Verdict]] = {}
    for owner, result in zip(owners, results, strict=True):
        got.setdefault(owner, []).append(verdict(result))
    out: list[tuple[Verdict, Verdict | None]] = []
    for i, (code, suite, kind) in enumerate(zip(codes, suites, kinds, strict=True)):
        if kind in UNRUN or not code:
            unrun = UNRUN.get(kind, NO_CODE)
            out.append((unrun, None if suite.plus is None else unrun))
            continue
        base = merge(got.get((i, "base"), []))
        plus = None if suite.plus is None else merge([base, *got.get((i, "plus"), [])])
        out.append((base, plus))
    return out
