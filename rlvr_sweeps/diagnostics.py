"""Diagnostics that evaluation and the rewards report: completion length, Ruff severity
profile and the distribution of execution outcomes. Pure functions over plain data (lists of
numbers, LintResult objects or their dicts, sandbox Result objects or their dicts), so the
report can recompute them from result files without torch or the sandbox.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rlvr_sweeps.lint.result import LintResult

# Fixed label set: the same keys in every job, so tables line up and a metric that is 0 this
# step is logged as 0 rather than missing (TRL averages logged metrics over the calls that
# logged them, so a label logged only when present would be biased upwards).
ERROR_LABELS = ("pass", "AssertionError", "SyntaxError", "NameError", "TypeError", "timeout", "memory", "no_code", "other")
_STATUS_LABELS = ("timeout", "memory", "no_code")  # statuses that are their own label
# Subclasses that mean the same thing to a reader of the table.
_ERROR_ALIASES = {"IndentationError": "SyntaxError", "TabError": "SyntaxError", "UnboundLocalError": "NameError"}


def _field(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, Mapping) else getattr(obj, name, default)


def _nonempty(items: Sequence[Any], what: str) -> None:
    if not items:
        raise ValueError(f"{what}: got no completions; pass at least one")


def completion_lengths(token_counts: Sequence[int], max_len: int) -> dict[str, float]:
    """Mean and median length in tokens, and the share that hit max_len (truncated: their
    code is usually cut mid-statement, so this share explains many syntax errors)."""
    _nonempty(token_counts, "completion_lengths")
    if max_len < 1:
        raise ValueError(f"completion_lengths: max_len must be >= 1, got {max_len}")
    return {
        "mean": float(statistics.fmean(token_counts)),
        "median": float(statistics.median(token_counts)),
        "truncated_share": sum(n >= max_len for n in token_counts) / len(token_counts),
    }


def _as_lint(result: LintResult | Mapping[str, Mapping[str, int]]) -> LintResult:
    return result if isinstance(result, LintResult) else LintResult.from_dict(result)


def severity_profile(lint_results: Sequence[LintResult | Mapping[str, Any]], top_k: int = 10) -> dict[str, Any]:
    """Mean issues per completion per severity class, share of lint-clean completions and the
    most frequent rule codes. Lint an empty completion and it counts as clean: pass only the
    completions that hold code, or read this next to the no_code share."""
    _nonempty(lint_results, "severity_profile")
    results = [_as_lint(r) for r in lint_results]
    classes: dict[str, float] = {}
    codes: Counter[str] = Counter()
    for r in results:
        for cls, n in r.counts.items():
            classes[cls] = classes.get(cls, 0.0) + n
        codes.update(r.codes)
    n = len(results)
    top = sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))[:top_k]
    return {
        "per_completion": {cls: total / n for cls, total in classes.items()},
        "clean_share": sum(r.total == 0 for r in results) / n,
        "top_codes": [[code, count] for code, count in top],
    }


def error_type_label(result: Any) -> str:
    """One of ERROR_LABELS for a sandbox Result (object or dict)."""
    status = _field(result, "status")
    if _field(result, "passed") is True or status == "pass":
        return "pass"
    if status in _STATUS_LABELS:
        return status
    error = _field(result, "exception", _field(result, "error_type"))  # old result files: error_type
    error = _ERROR_ALIASES.get(error, error)
    if error in ERROR_LABELS:
        return error
    if status == "fail" and not error:  # an assert that did not hold, without a recorded type
        return "AssertionError"
    return "other"


def error_type_distribution(sandbox_results: Iterable[Any]) -> dict[str, float]:
    """Share of each ERROR_LABELS label (all present, summing to 1)."""
    labels = [error_type_label(r) for r in sandbox_results]
    _nonempty(labels, "error_type_distribution")
    counts = Counter(labels)
    return {label: counts[label] / len(labels) for label in ERROR_LABELS}
