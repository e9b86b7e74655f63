"""``eval.plus_rescore``: re-score an evaluation's stored completions on MBPP+'s extra inputs.

MBPP's three asserts per task let through many wrong programs; MBPP+ (EvalPlus) has ~35x more
inputs for 399 of MBPP's tasks (numbers 2-809, so part of the test range 11-510). Rather than
generating again, the greedy completions already in ``<label>/problems.jsonl`` are judged by the
same answer rule (the entry point MBPP+ names is the one MBPP's asserts call) against MBPP+'s
base + plus inputs, for the task ids MBPP+ has. Reported as ``eval/plus_pass@1`` (on those
tasks) next to ``eval/plus_mbpp_pass@1`` (MBPP's own verdicts on the same tasks, so the drop is
read on one task set) and ``eval/plus_n_tasks``; rows go to ``<label>/plus_problems.jsonl``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from rlvr_sweeps.config import Config
from rlvr_sweeps.config.data import DataConfig, DataSource
from rlvr_sweeps.data import load_eval_tasks
from rlvr_sweeps.evaluate.errors import EvalError
from rlvr_sweeps.evaluate.grading import build_suites, grade
from rlvr_sweeps.evaluate.records import read_problems
from rlvr_sweeps.extract import extract_answer, task_entry_point
from rlvr_sweeps.results import append_jsonl

PLUS_PROBLEMS_FILE = "plus_problems.jsonl"


def _plus_tasks(conf: Config) -> dict[int, Any]:
    if not conf.eval.plus_path or not Path(conf.eval.plus_path).is_file():
        raise EvalError(f"eval.plus_rescore=true needs eval.plus_path=MbppPlus.jsonl (got {conf.eval.plus_path!r})")
    cfg = DataConfig(name="mbppplus", source=DataSource.mbppplus, path=conf.eval.plus_path)
    return {t.number: t for t in load_eval_tasks(cfg)}


def plus_rescore(rows: Sequence[dict[str, Any]], conf: Config, executor: Any, out_dir: str | Path, label: str) -> dict[str, float]:
    """Scalars of the re-scoring of the greedy ``rows`` (problems.jsonl dicts) of one evaluation."""
    plus = _plus_tasks(conf)
    greedy = [r for r in rows if r["mode"] == "greedy" and str(r["task_id"]).isdigit() and int(r["task_id"]) in plus]
    if not greedy:
        return {"eval/plus_n_tasks": 0.0}
    tasks = [plus[int(r["task_id"])] for r in greedy]
    plus_conf = replace(conf, eval=replace(conf.eval, plus=True), data=replace(conf.data, path=conf.eval.plus_path))
    suites = build_suites(tasks, plus_conf, executor)
    answers = [extract_answer(r["completion"], task_entry_point(t)) for r, t in zip(greedy, tasks, strict=True)]
    verdicts = grade([a.code for a in answers], suites, executor, [a.kind.value for a in answers])
    out = [{"task_id": r["task_id"], "plus_task_id": t.task_id, "mbpp_passed": bool(r["passed"]),
            "plus_passed": bool(v[1].passed if v[1] is not None else v[0].passed),
            "plus_error_type": (v[1] or v[0]).error_type}
           for r, t, v in zip(greedy, tasks, verdicts, strict=True)]
    path = Path(out_dir) / label / PLUS_PROBLEMS_FILE
    path.write_text("", encoding="utf-8")
    append_jsonl(path, out)
    n = len(out)
    return {
        "eval/plus_pass@1": sum(r["plus_passed"] for r in out) / n,
        "eval/plus_mbpp_pass@1": sum(r["mbpp_passed"] for r in out) / n,
        "eval/plus_n_tasks": float(n),
    }


def rescore_stored(conf: Config, executor: Any, out_dir: str | Path, label: str) -> dict[str, float]:
    """``plus_rescore`` over what ``<out_dir>/<label>/problems.jsonl`` holds."""
    return plus_rescore(list(read_problems(out_dir, label)), conf, executor, out_dir, label)
