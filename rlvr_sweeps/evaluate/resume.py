"""Resuming a half-done evaluation from its problems.jsonl (a SLURM time-out, a preemption).

An evaluation writes its rows chunk by chunk, and each chunk's sampling seed depends only on the
chunk's index; so the chunks already on disk are exactly what a fresh run would produce again, and
a restarted evaluation can keep them and continue at the first missing chunk. It resumes only when
`resume.json` (written when the evaluation starts) says the same tasks, chunk size, evaluation
settings, model and seed: anything else starts over. A torn or partial last chunk is dropped.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from rlvr_sweeps.config import Config
from rlvr_sweeps.evaluate.records import PROBLEMS_FILE, SUMMARY_FILE, label_dir
from rlvr_sweeps.results import dumps, read_jsonl, write_json_atomic, write_text_atomic

RESUME_FILE = "resume.json"  # the identity of an evaluation in progress: what a restart must match


def weight_sums(model: Any, keep: Callable[[str, Any], bool]) -> list[float] | str:
    """Weights identified by their values: one sum per kept (name, tensor) of a torch model; a
    non-torch policy (reference, null, replay) by its name. The one way evaluation tells weights apart
    (this module's resume marker, `base_cache`'s key)."""
    named = getattr(model, "named_parameters", None)
    if named is None:
        return str(getattr(model, "name", type(model).__name__))
    return [float(p.detach().float().sum()) for name, p in named() if keep(name, p)]


def base_weights_id(model: Any) -> list[float] | str:
    """The values of the weights the base evaluation runs, the adapter's excluded (they are off then,
    and differ from cell to cell). Adapter tensors are told by the peft tuner's name prefix (`lora_`),
    not by `requires_grad`: peft freezes them inside `disable_adapter()`."""
    prefix = getattr(getattr(model, "base_model", None), "prefix", None) if hasattr(model, "peft_config") else None
    return weight_sums(model, lambda name, _: not (prefix and prefix in name))


def policy_id(policy: Any) -> str:
    """Which weights: for a torch model, the sums of its trainable tensors (the adapter; a requeued
    job whose training ran again differently does not reuse the old rows), or, with none trainable (a
    base evaluation inside peft's `disable_adapter()`, which freezes the adapter), of the base weights:
    a requeued job whose warm start came out differently starts its base evaluation over. Else the
    generator's name."""
    sums = weight_sums(policy, lambda _, p: p.requires_grad)
    if isinstance(sums, str):
        return sums
    sums = sums or base_weights_id(policy)
    return json.dumps([len(sums), sums[:64], sum(sums)])


def fingerprint(tasks: list[Any], chunk: int, conf: Config, policy: Any = None) -> dict[str, Any]:
    ev = asdict(conf.eval) if is_dataclass(conf.eval) else dict(conf.eval)
    return json.loads(json.dumps({"task_ids": [str(t.task_id) for t in tasks], "chunk": chunk, "eval": ev,
                                  "model": conf.model.name, "seed": conf.seed, "policy": policy_id(policy)},
                                 default=str))


def resume_rows(out_dir: str | Path, label: str, ident: dict[str, Any], rows_per_task: int) -> list[dict[str, Any]]:
    """The rows of the complete chunks a previous attempt of this same evaluation left, in order
    (problems.jsonl is rewritten to hold just them), or [] for a fresh start. Records `ident`."""
    folder = label_dir(out_dir, label)
    path, marker = folder / PROBLEMS_FILE, folder / RESUME_FILE
    previous = json.loads(marker.read_text()) if marker.is_file() else None
    summary = folder / SUMMARY_FILE
    finished = summary.is_file() and json.loads(summary.read_text()).get("status") == "complete"
    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomic(marker, ident)
    if previous != ident or finished:
        write_text_atomic(path, "")
        return []
    rows = list(read_jsonl(path))
    counts = Counter(str(r["task_id"]) for r in rows)
    ids, chunk, kept_tasks = ident["task_ids"], ident["chunk"], 0
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        if not all(counts.get(t, 0) == rows_per_task for t in part):
            break
        kept_tasks = start + len(part)
    keep = set(ids[:kept_tasks])
    kept = [r for r in rows if str(r["task_id"]) in keep]
    write_text_atomic(path, "".join(dumps(r) + "\n" for r in kept))
    return kept


__all__ = ["RESUME_FILE", "base_weights_id", "fingerprint", "policy_id", "resume_rows", "weight_sums"]
