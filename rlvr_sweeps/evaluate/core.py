"""``evaluate_policy``: generate, extract, lint, score, write per-problem rows and a summary.

Signature (what the training job calls, twice: ``label="base"`` inside
``model.disable_adapter()`` and ``label="trained"``)::

    evaluate_policy(generator, tokenizer, tasks, conf, out_dir, label) -> dict[str, float]

- ``generator``: a ``Generator`` (``build_generator(conf, tokenizer)``: hf / vllm / reference /
  null), or a loaded (peft) causal LM, wrapped by ``generator_for`` (eval.backend decides).
- ``tokenizer``: renders chat prompts and counts completion tokens.
- ``tasks``: ``rlvr_sweeps.data.Task`` list (the eval split); ``conf.eval.task_ids`` narrows it.
- ``conf``: the composed ``Config`` (uses eval, model, data, sandbox, reward.ruff.lint, seed).
- ``out_dir``: writes ``out_dir/<label>/problems.jsonl`` (rows appended per chunk of tasks, so a
  crash keeps every finished chunk) and ``out_dir/<label>/summary.json`` (atomic; written with
  ``status: incomplete`` if the evaluation dies, then the exception propagates).
- returns flat scalars: ``eval/pass@1`` (greedy), ``eval/pass@k`` (sampled, k <= n_samples),
  ``eval/plus/...`` (MBPP+), ``eval/length/*``, ``eval/ruff/*``, ``eval/errors/*``,
  ``eval/harness_errors``, ``n_tasks`` (see ``rlvr_sweeps.evaluate.metrics``); with
  ``eval.plus_rescore`` also ``eval/plus_pass@1`` (``rlvr_sweeps.evaluate.plus_rescore``).
- under torch.distributed (a multi-GPU cell) every rank calls it with its own copy of the policy:
  the chunks are shared out between the ranks and rank 0 writes the files a single process would
  write (``rlvr_sweeps.evaluate.shard``).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rlvr_sweeps.config import Config
from rlvr_sweeps.data import prompt_for
from rlvr_sweeps.evaluate.errors import EvalError
from rlvr_sweeps.evaluate.generators import Generator, Request, Sampling, generator_for
from rlvr_sweeps.evaluate.grading import build_suites, grade, harness_error
from rlvr_sweeps.evaluate.metrics import summarize_problems
from rlvr_sweeps.evaluate.plus_rescore import plus_rescore
from rlvr_sweeps.evaluate.records import SUMMARY_FILE, ProblemRow, ProblemsWriter, label_dir
from rlvr_sweeps.evaluate.resume import fingerprint, resume_rows
from rlvr_sweeps.evaluate.shard import Shard, current_shard
from rlvr_sweeps.extract import extract_answer, task_entry_point
from rlvr_sweeps.lint import lint_codes
from rlvr_sweeps.results import write_json_atomic
from rlvr_sweeps.sandbox import get_executor

log = logging.getLogger(__name__)
CHUNK_BATCHES = 4  # tasks per chunk = CHUNK_BATCHES * eval.batch_size: what a crash can lose


def select_tasks(tasks: Sequence[Any], task_ids: Sequence[Any]) -> list[Any]:
    """The tasks named in eval.task_ids (matching "11", 11 or "Mbpp/11"), in the given order."""
    if not tasks:
        raise EvalError("no tasks to evaluate: check data.path / data.eval_split / data.max_eval_tasks")
    if not task_ids:
        return list(tasks)
    index: dict[str, Any] = {}
    for t in tasks:
        index[str(t.task_id)] = t
        index.setdefault(str(getattr(t, "number", t.task_id)), t)
    unknown = [str(i) for i in task_ids if str(i) not in index]
    if unknown:
        sample = ", ".join(str(t.task_id) for t in tasks[:3])
        raise EvalError(f"eval.task_ids {unknown} are not in the eval split ({len(tasks)} tasks, e.g. {sample})")
    return [index[str(i)] for i in dict.fromkeys(str(i) for i in task_ids)]


def render_prompts(tasks: Sequence[Any], tokenizer: Any, conf: Config) -> list[str]:
    """The prompt text each task is completed from (the chat template applied for chat models)."""
    out = []
    for t in tasks:
        prompt = prompt_for(t, conf.model, conf.data)
        if not isinstance(prompt, str):
            from rlvr_sweeps.models import apply_chat  # lazy: rlvr_sweeps.models imports torch/transformers

            prompt = apply_chat(tokenizer, prompt, conf.model)
        out.append(prompt)
    return out


def _lint(codes: list[str], conf: Config) -> list[Any]:
    todo = [i for i, c in enumerate(codes) if c]
    out: list[Any] = [None] * len(codes)
    for i, result in zip(todo, lint_codes([codes[i] for i in todo], conf.reward.ruff.lint) if todo else [], strict=True):
        out[i] = result
    return out


def _rows(task_ids, modes, samples, completions, codes, lints, verdicts) -> list[ProblemRow]:
    rows = []
    for tid, mode, k, comp, code, lint, (base, plus) in zip(
        task_ids, modes, samples, completions, codes, lints, verdicts, strict=True
    ):
        rows.append(ProblemRow(
            task_id=tid, mode=mode, sample=k, passed=base.passed, status=base.status, error_type=base.error_type,
            error=base.error, tests_passed=base.tests_passed, tests_total=base.tests_total, n_tokens=comp.n_tokens,
            truncated=comp.truncated, has_code=bool(code), lint=None if lint is None else dict(lint.counts),
            lint_codes={} if lint is None else dict(lint.codes), completion=comp.text,
            plus_passed=None if plus is None else plus.passed, plus_status=None if plus is None else plus.status,
            plus_error_type=None if plus is None else plus.error_type,
        ))
    return rows


def _score_chunk(tasks, suites, outputs, conf, executor) -> list[ProblemRow]:
    """Rows for one chunk; a harness failure marks the chunk's rows instead of losing them."""
    flat = [(t, s, mode, k, c) for t, s, per_task in zip(tasks, suites, outputs, strict=True)
            for mode, k, c in per_task]
    entry = {t.task_id: task_entry_point(t) for t in tasks}
    answers = [extract_answer(c.text, entry[t.task_id]) for t, *_, c in flat]
    codes = [a.code for a in answers]
    kinds = [a.kind.value for a in answers]
    ids = [t.task_id for t, *_ in flat]
    modes = [m for _, _, m, _, _ in flat]
    samples = [k for _, _, _, k, _ in flat]
    comps = [c for *_, c in flat]
    try:
        lints = _lint(codes, conf)
    except Exception as exc:  # noqa: BLE001 - diagnostics must not cost the verdicts
        log.warning("linting failed for tasks %s..%s: %r", ids[0], ids[-1], exc)
        lints = [None] * len(codes)
    try:
        verdicts = grade(codes, [s for _, s, *_ in flat], executor, kinds)
    except Exception as exc:  # noqa: BLE001 - recorded per row, visible in eval/harness_errors
        log.error("scoring failed for tasks %s..%s: %r", ids[0], ids[-1], exc)
        bad = harness_error(type(exc).__name__)
        verdicts = [(bad, None if s.plus is None else bad) for _, s, *_ in flat]
    return _rows(ids, modes, samples, comps, codes, lints, verdicts)


def _generate(generator: Generator, requests: list[Request], conf: Config, chunk_index: int):
    ev = conf.eval
    seed = conf.seed * 7919 + chunk_index
    common = {"max_new_tokens": ev.max_new_tokens, "seed": seed, "stop_at_code_end": ev.stop_at_code_end}
    greedy = generator.generate(requests, Sampling(n=1, greedy=True, **common))
    per_task = [[("greedy", 0, g[0])] for g in greedy]
    if ev.n_samples > 0:
        sampled = generator.generate(
            requests, Sampling(n=ev.n_samples, greedy=False, temperature=ev.temperature, top_p=ev.top_p, **common)
        )
        for rows, samples in zip(per_task, sampled, strict=True):
            rows.extend(("sampled", k, c) for k, c in enumerate(samples))
    return per_task


def _evaluate_chunk(generator, tasks, suites, prompts, conf, executor, start: int, chunk: int) -> list[ProblemRow]:
    part = slice(start, start + chunk)
    requests = [Request(t, p) for t, p in zip(tasks[part], prompts[part], strict=True)]
    outputs = _generate(generator, requests, conf, start // chunk)  # seeded by the chunk's index
    return _score_chunk(tasks[part], suites[part], outputs, conf, executor)


def evaluate_policy(
    generator: Generator | Any, tokenizer: Any, tasks: Sequence[Any], conf: Config, out_dir: str | Path, label: str,
    shard: Shard | None = None,
) -> dict[str, float]:
    """Evaluate one policy on ``tasks``; see the module docstring for the contract. Under a
    torch.distributed process group (``shard``, default ``current_shard()``) every rank calls it
    and evaluates its share of the chunks (``rlvr_sweeps.evaluate.shard``); rank 0 writes the
    files, the same files a single process writes, and every rank returns the metrics."""
    shard = current_shard() if shard is None else shard
    ev = conf.eval
    tasks = select_tasks(tasks, ev.task_ids)
    identity = fingerprint(tasks, CHUNK_BATCHES * ev.batch_size, conf, generator)  # before wrapping: the weights
    if not isinstance(generator, Generator):
        generator = generator_for(conf, tokenizer, generator, desc=f"eval {label}")  # eval.backend decides
    started = time.time()
    executor = get_executor(conf.sandbox.workers, ev.timeout_s, conf.sandbox.memory_mb)
    suites = shard.main_first(lambda: build_suites(tasks, conf, executor))  # rank 0 fills the oracle cache
    prompts = render_prompts(tasks, tokenizer, conf)
    summary_path = label_dir(out_dir, label) / SUMMARY_FILE
    chunk = CHUNK_BATCHES * ev.batch_size
    rows: list[dict[str, Any]] = []
    writer = None
    if shard.main:
        rows = resume_rows(out_dir, label, identity, 1 + max(ev.n_samples, 0))
        writer = ProblemsWriter(out_dir, label, fresh=False)  # resume_rows left only the complete chunks
    done = shard.broadcast(len({r["task_id"] for r in rows}))
    if done and shard.main:
        log.info("eval %s: resuming after %d/%d tasks already in problems.jsonl", label, done, len(tasks))
    per_rank = [0] * shard.world_size  # tasks each rank evaluated in this attempt (summary.json: "shards")
    try:
        for turn, mine in shard.turns([s for s in range(0, len(tasks), chunk) if s >= done]):
            results = shard.run_turn(lambda mine=mine: [] if mine is None else _evaluate_chunk(
                generator, tasks, suites, prompts, conf, executor, mine, chunk))
            for rank, chunk_rows in enumerate(results):  # rank order is chunk order within a turn
                per_rank[rank] += len({r.task_id for r in chunk_rows})
                if writer is not None:
                    writer.write(chunk_rows)
                    rows.extend(r.to_dict() for r in chunk_rows)
            if shard.main:
                log.info("eval %s: %d/%d tasks scored", label, min(turn[-1] + chunk, len(tasks)), len(tasks))
    except BaseException:
        if shard.main:
            metrics, extras = summarize_problems(rows, ev.ks, ev.max_new_tokens, conf.reward.ruff.lint.class_names) if rows else ({}, {})
            write_json_atomic(summary_path, {"label": label, "status": "incomplete", "metrics": metrics, **extras})
        raise

    def finish() -> dict[str, float]:
        metrics, extras = summarize_problems(rows, ev.ks, ev.max_new_tokens, conf.reward.ruff.lint.class_names)
        metrics["eval/harness_errors"] = float(sum(r["status"] == "harness_error" for r in rows))
        if ev.plus_rescore:
            try:
                metrics.update(plus_rescore(rows, conf, executor, out_dir, label))
            except EvalError:
                raise
            except Exception as exc:  # noqa: BLE001 - the MBPP verdicts stand; the failure is in the log and the summary
                log.error("eval.plus_rescore failed for %s: %r", label, exc)
                metrics["eval/plus_rescore_failed"] = 1.0
        dropped = {str(t.task_id): s.notes["dropped_inputs"] for t, s in zip(tasks, suites, strict=True)
                   if s.notes.get("dropped_inputs")}
        write_json_atomic(summary_path, {
            "label": label, "status": "complete", "metrics": metrics, **extras,
            "generator": generator.name, "model": conf.model.name, "data": conf.data.name,
            "split": conf.data.eval_split, "task_ids": [str(t.task_id) for t in tasks],
            "mbppplus_dropped_inputs": dropped, "seconds": round(time.time() - started, 2),
            "shards": {"world_size": shard.world_size, "tasks_per_rank": per_rank},  # tasks evaluated by each rank
        })
        return metrics

    return shard.run_turn(lambda: finish() if shard.main else None)[0]  # rank 0 writes, every rank returns


def greedy_view(conf: Config, split: str) -> Config:
    """``conf`` as a quick greedy check on ``split`` sees it (validation during training, the warm
    start's stopping rule): the reported evaluation's prompts, extraction, sandbox and metrics, but
    no sampling, no MBPP+, every task given, no W&B table."""
    ev = dataclasses.replace(conf.eval, n_samples=0, plus=False, task_ids=[], log_table=False)
    return dataclasses.replace(conf, eval=ev, data=dataclasses.replace(conf.data, eval_split=split))


def pass_line(metrics: dict[str, float], key: str = "eval/pass@1") -> str:
    """``pass@1 = 0.9980 (499/500)``: the line the CLI ends with."""
    n = int(metrics.get("n_tasks", 0))
    passed = int(metrics.get(key.replace("pass@1", "n_passed"), 0))
    name = key.removeprefix("eval/")
    return f"{name} = {metrics.get(key, 0.0):.4f} ({passed}/{n})"
