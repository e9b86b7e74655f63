"""One scoring pass per rollout batch, shared by every reward function and the monitors.

TRL calls each reward function in turn with the same ``completions`` list. Extracting the
answers, linting them and running them in the sandbox once for all of them (``BatchScorer``)
keeps a combined reward from paying twice, and lets the monitors read what the rewards
computed: a unit-only run still logs its Ruff profile, a Ruff-only run its unit pass rate.
Ruff is started before the sandbox runs and read after it, so the two overlap; a monitor
that needs the other one costs one Ruff (or sandbox) batch in wall time, not a serial pass.

Monitors are logged through TRL's ``log_metric`` hook (averaged over a logging step and
written as ``train/<name>`` to metrics.jsonl and W&B); they never return a reward column, so
they cannot enter the advantage whatever their value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rlvr_sweeps.config.sandbox import SandboxConfig
from rlvr_sweeps.diagnostics import ERROR_LABELS, error_type_label, severity_profile
from rlvr_sweeps.extract import Answer, AnswerKind, entry_point_of, extract_answer
from rlvr_sweeps.lint import LintConfig, LintResult, start_lint
from rlvr_sweeps.sandbox import Job, get_executor

NEEDS_TESTS = "the unit reward needs a `tests` dataset column (a list of assert strings per row)"


@lru_cache(maxsize=4096)
def _entry_point(tests: tuple[str, ...], setup: str) -> str | None:
    return entry_point_of(tests, setup)


@dataclass
class Scores:
    """What one batch got: answers, lint results (None if not linted), sandbox labels/results
    (None if not run; the label of a completion that was not executed is its answer kind)."""

    answers: list[Answer]
    lint: list[LintResult] | None = None
    labels: list[str] | None = None
    results: list[Any] | None = None  # sandbox Result per completion, None where not executed


class BatchScorer:
    """Scores a batch once; ``need_unit`` / ``need_lint`` say which parts the reward functions
    use, ``monitors`` adds the others so every run logs both. The sandbox pool (process-wide,
    one per settings) starts on the first batch, not at construction."""

    def __init__(self, sandbox_cfg: Any = None, lint_cfg: LintConfig | None = None, *,
                 need_unit: bool = False, need_lint: bool = False, monitors: bool = False) -> None:
        self.sandbox_cfg = sandbox_cfg
        self.lint_cfg = lint_cfg or LintConfig()
        self.run_unit = need_unit or monitors
        self.run_lint = need_lint or monitors
        self._key: Sequence[Any] | None = None
        self._scores: Scores | None = None

    def executor(self):
        cfg = self.sandbox_cfg or SandboxConfig()
        return get_executor(workers=cfg.workers, timeout_s=cfg.timeout_s, memory_mb=cfg.memory_mb)

    def __call__(self, completions: Sequence[Any], tests: Sequence[Sequence[str]] | None = None,
                 setup: Sequence[str] | None = None, entry_point: Sequence[str | None] | None = None,
                 log_metric: Callable[[str, float], None] | None = None, *, unit: bool = False,
                 lint: bool = False) -> Scores:
        """The batch's scores; computed on the first call for this ``completions`` object (TRL
        passes the same list to every reward function of a step), cached for the others.
        ``unit`` / ``lint``: what this caller needs (computed even outside run_unit/run_lint)."""
        if self._key is completions and self._scores is not None:
            scores = self._scores
            if (unit and scores.labels is None) or (lint and scores.lint is None):
                self._fill(scores, completions, tests, setup, unit, lint)
            return scores
        n = len(completions)
        setup = list(setup) if setup is not None else [""] * n
        if entry_point is None:
            entry_point = [_entry_point(tuple(t), s or "") for t, s in zip(tests, setup, strict=True)] if tests else [None] * n
        scores = Scores([extract_answer(c, e) for c, e in zip(completions, entry_point, strict=True)])
        self._fill(scores, completions, tests, setup, unit or self.run_unit, lint or self.run_lint)
        self._key, self._scores = completions, scores
        if log_metric is not None:
            log_scores(scores, log_metric)
        return scores

    def _fill(self, scores: Scores, completions, tests, setup, unit: bool, lint: bool) -> None:
        pending = None
        if lint and scores.lint is None:
            pending = start_lint([a.code for a in scores.answers], self.lint_cfg)  # stubs too: the study form lints them
        try:
            if unit and scores.labels is None:
                if tests is None:
                    raise ValueError(NEEDS_TESTS)
                self._run_unit(scores, tests, setup or [""] * len(completions))
        finally:
            if pending is not None:
                scores.lint = pending.result()

    def _run_unit(self, scores: Scores, tests, setup) -> None:
        todo = [i for i, a in enumerate(scores.answers) if a.kind is AnswerKind.code]  # stubs and no_code never run
        results = self.executor().run([Job(scores.answers[i].code, list(tests[i]), setup[i] or "") for i in todo])
        scores.labels = [a.kind.value for a in scores.answers]
        scores.results = [None] * len(scores.answers)
        for i, result in zip(todo, results, strict=True):
            scores.labels[i] = error_type_label(result)
            scores.results[i] = result


def log_scores(scores: Scores, log_metric: Callable[[str, float], None]) -> None:
    """The monitors of one batch: answer kinds, unit outcomes, Ruff profile of the code answers.
    Every key is logged on every batch (0 included): TRL averages a metric over the calls that
    logged it, so a key logged only when present would be biased upwards."""
    n = len(scores.answers)
    kinds = Counter(a.kind for a in scores.answers)
    log_metric("answer/no_code_share", kinds[AnswerKind.no_code] / n)
    log_metric("answer/stub_share", kinds[AnswerKind.stub] / n)
    if scores.labels is not None:
        counts = Counter(scores.labels)
        log_metric("unit/pass_rate", counts["pass"] / n)
        for label in ERROR_LABELS[1:]:
            log_metric(f"unit/error/{label}", counts[label] / n)
    if scores.lint is not None:
        with_code = [r for a, r in zip(scores.answers, scores.lint, strict=True) if a.kind is AnswerKind.code]
        if not with_code:
            return
        profile = severity_profile(with_code)
        log_metric("ruff/issues_per_completion", sum(profile["per_completion"].values()))
        log_metric("ruff/clean_share", profile["clean_share"])
        for cls, mean in profile["per_completion"].items():
            log_metric(f"ruff/{cls}_per_completion", mean)
