"""Scalars of one evaluation, computed from its per-completion rows only (torch-free), so the
report can recompute them from problems.jsonl.

Names: ``eval/pass@1`` is greedy pass@1 (always); ``eval/pass@k`` for k >= 2 and
``eval/sampled/pass@1`` come from the n sampled completions (Chen et al. estimator, k <= n);
MBPP+ adds the same under ``eval/plus/``. Diagnostics are over the greedy completions:
``eval/length/{mean,median,truncated_share}``, ``eval/ruff/<class>_per_completion`` and
``eval/ruff/clean_share`` (over completions holding code: ``eval/ruff/n_linted`` says how many),
``eval/errors/<label>`` (shares summing to 1).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rlvr_sweeps.diagnostics import ERROR_LABELS, completion_lengths, severity_profile
from rlvr_sweeps.evaluate.passk import mean_pass_at_k

PREFIX = "eval/"


def _pass_counts(rows: Iterable[Mapping[str, Any]], key: str) -> list[tuple[int, int]]:
    by_task: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        by_task[str(r["task_id"])].append(bool(r[key]))
    return [(len(v), sum(v)) for v in by_task.values()]


def _pass_metrics(greedy: Sequence[Mapping], sampled: Sequence[Mapping], ks: Sequence[int], key: str, prefix: str):
    out: dict[str, float] = {}
    if greedy:
        out[f"{prefix}pass@1"] = sum(bool(r[key]) for r in greedy) / len(greedy)
        out[f"{prefix}n_passed"] = float(sum(bool(r[key]) for r in greedy))
    counts = _pass_counts(sampled, key)
    if counts:
        n_min = min(n for n, _ in counts)
        for k in sorted(set(ks)):
            if k <= n_min:
                name = f"{prefix}sampled/pass@1" if k == 1 else f"{prefix}pass@{k}"
                out[name] = mean_pass_at_k(counts, k)
    return out


def diagnostics(
    rows: Sequence[Mapping[str, Any]], max_new_tokens: int, lint_classes: Sequence[str] = ()
) -> tuple[dict[str, float], dict[str, Any]]:
    """(scalars, extras): the length / Ruff / error-type diagnostics; extras holds the top rule codes."""
    scalars: dict[str, float] = {}
    if not rows:
        return scalars, {}
    for name, value in completion_lengths([int(r["n_tokens"]) for r in rows], max_new_tokens).items():
        scalars[f"{PREFIX}length/{name}"] = value
    linted = [{"counts": r["lint"], "codes": r.get("lint_codes") or {}} for r in rows if r.get("lint") is not None]
    scalars[f"{PREFIX}ruff/n_linted"] = float(len(linted))
    extras: dict[str, Any] = {"top_rule_codes": []}
    if linted:
        profile = severity_profile(linted)
        for cls, value in profile["per_completion"].items():
            scalars[f"{PREFIX}ruff/{cls}_per_completion"] = value
        scalars[f"{PREFIX}ruff/clean_share"] = profile["clean_share"]
        extras["top_rule_codes"] = profile["top_codes"]
    else:  # nothing to lint (e.g. model=null): zeros, read next to eval/errors/no_code
        scalars[f"{PREFIX}ruff/clean_share"] = 0.0
    for cls in lint_classes:  # the same keys in every run, so tables line up
        scalars.setdefault(f"{PREFIX}ruff/{cls}_per_completion", 0.0)
    labels = [r["error_type"] for r in rows]
    for label in ERROR_LABELS:
        scalars[f"{PREFIX}errors/{label}"] = labels.count(label) / len(labels)
    return scalars, extras


def summarize_problems(
    rows: Sequence[Mapping[str, Any]], ks: Sequence[int], max_new_tokens: int, lint_classes: Sequence[str] = ()
) -> tuple[dict[str, float], dict[str, Any]]:
    """(flat scalars, extras) of one evaluation from its per-problem rows (``problems.jsonl``).
    Scalars include ``n_tasks``."""
    greedy = [r for r in rows if r["mode"] == "greedy"]
    sampled = [r for r in rows if r["mode"] == "sampled"]
    scalars: dict[str, float] = {"n_tasks": float(len({str(r["task_id"]) for r in rows}))}
    scalars.update(_pass_metrics(greedy, sampled, ks, "passed", PREFIX))
    if any(r.get("plus_passed") is not None for r in rows):
        scalars.update(_pass_metrics(greedy, sampled, ks, "plus_passed", f"{PREFIX}plus/"))
    diag, extras = diagnostics(greedy, max_new_tokens, lint_classes)
    scalars.update(diag)
    if sampled:
        scalars[f"{PREFIX}n_samples"] = float(max(r["sample"] for r in sampled) + 1)
    return scalars, extras
