"""The base evaluation, paid for once per process: the cells of a one-process sweep that share a base
model, tasks, evaluation settings and seed reuse the first cell's base rows instead of generating them again.

Why it is exact, not an approximation: the base evaluation runs the frozen weights with the adapter
off, greedy decoding is deterministic, and every sampled chunk is seeded by `seed` and the chunk's
index only (`core._generate`); so two cells whose base weights, prompts, evaluation settings, linter,
sandbox and seed agree produce the same rows. The weights are identified by their values (a sum per
base tensor, as `resume.policy_id` does for the trained ones), not by the config that made them, so a
base that differs for any reason (another warm start, a restored vLLM merge) is a miss, never a wrong hit.

What the reuse writes: the cell's own `eval/<label>/` with the same files the first cell wrote (rows,
summary, resume marker), the summary saying `reused_from` which cell's run generated them. The cache
lives in this process only (Hydra's basic launcher runs a sweep's cells in one process, and each
joblib worker of `hydra/launcher=parallel`, which `make sweep` uses, runs several cells in turn; a
SLURM or Ray cell is its own process and evaluates its base itself) and holds a few entries (rows of one evaluation
are kilobytes to a few MB). A sharded (multi-GPU) evaluation is not cached: its ranks must all
take part in the same turns.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rlvr_sweeps.config import Config
from rlvr_sweeps.evaluate.core import evaluate_policy, select_tasks
from rlvr_sweeps.evaluate.records import SUMMARY_FILE, label_dir
from rlvr_sweeps.evaluate.resume import base_weights_id
from rlvr_sweeps.evaluate.shard import Shard
from rlvr_sweeps.results import write_text_atomic

_CACHE: dict[str, tuple[dict[str, str], dict[str, float], str]] = {}  # key -> (files of the label dir, metrics, origin)
_CACHE_MAX = 4  # evaluations kept (oldest dropped): a one-process sweep over seeds or models stays bounded


def base_key(model: Any, tasks: list[Any], conf: Config) -> str:
    """Everything the base rows depend on: the weights' values, the tasks, and the config groups the
    evaluation reads (eval, data for the prompts, model for the chat template and generation, sandbox,
    the Ruff linter's rule set) plus the sampling seed."""
    blob = json.dumps({
        "weights": base_weights_id(model), "tasks": [str(t.task_id) for t in tasks], "seed": conf.seed,
        "eval": asdict(conf.eval), "data": asdict(conf.data), "model": asdict(conf.model),
        "sandbox": asdict(conf.sandbox), "lint": asdict(conf.reward.ruff.lint),
    }, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def reuse(key: str, out_dir: str | Path, label: str) -> dict[str, float] | None:
    """Write the cached evaluation's files into `out_dir/<label>/` and return its metrics; None on a miss."""
    hit = _CACHE.get(key)
    if hit is None:
        return None
    files, metrics, origin = hit
    folder = label_dir(out_dir, label)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, text in files.items():
        if name == SUMMARY_FILE:
            text = json.dumps({**json.loads(text), "reused_from": origin}, indent=2) + "\n"
        write_text_atomic(folder / name, text)
    return dict(metrics)


def remember(key: str, out_dir: str | Path, label: str, metrics: dict[str, float]) -> None:
    """Keep the just-written `out_dir/<label>/` (a complete evaluation) for the next cell."""
    folder = label_dir(out_dir, label)
    files = {p.name: p.read_text() for p in sorted(folder.iterdir()) if p.is_file()}
    while len(_CACHE) >= _CACHE_MAX:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (files, dict(metrics), str(Path(out_dir).resolve().parent))


def evaluate_base(
    generator: Any, model: Any, tokenizer: Any, tasks: list[Any], conf: Config, out_dir: str | Path,
    shard: Shard, label: str = "base",
) -> dict[str, float]:
    """`evaluate_policy` for the base model (`model` with its adapter off, `generator` its generator),
    or the rows of an identical base evaluation this process already ran."""
    if shard.world_size > 1:
        return evaluate_policy(generator, tokenizer, tasks, conf, out_dir, label, shard)
    key = base_key(model, select_tasks(tasks, conf.eval.task_ids), conf)
    cached = reuse(key, out_dir, label)
    if cached is not None:
        return cached
    metrics = evaluate_policy(generator, tokenizer, tasks, conf, out_dir, label, shard)
    remember(key, out_dir, label, metrics)
    return metrics


def clear() -> None:
    """Forget every cached base evaluation (tests; a process that changes the sandbox under a sweep)."""
    _CACHE.clear()


__all__ = ["base_key", "clear", "evaluate_base", "remember", "reuse"]
