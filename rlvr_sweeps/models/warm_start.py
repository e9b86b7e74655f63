"""Warm start: a short supervised fine-tune of a freshly loaded model on the train split's
reference solutions, before RL (`model.warm_start_steps > 0`).

Why: a random-init tiny model emits noise, so every completion of a group gets the same reward
(unit 0, Ruff -1 for a syntax error), every advantage is 0 and GRPO/GSPO learn nothing. A few
hundred tiny SFT steps make it emit code-shaped completions, some right on train prompts, so
rewards vary within groups and the RL step has a gradient. The examples are exactly what the
policy will see and produce: the prompt rendered as TRL renders it (chat template and
`chat_template_kwargs`), then the reference in a ```python fence and EOS; the loss covers the
completion tokens only. It sees train tasks only (`assert_no_test_leak`), and it is the base
model of the job: the `base` evaluation (adapter off) measures the warm-started weights.

Deterministic from the seed (init, batch order); the result is cached in-process, keyed by the
model config, seed, and the exact token ids of the examples (tokenizer + data + prompt format),
so the cells of a one-process sweep pay for it once.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import asdict
from typing import TYPE_CHECKING

import torch

from rlvr_sweeps.config.model import ModelConfig
from rlvr_sweeps.data import DataError, Task, assert_no_test_leak, load_tasks, prompt_for
from rlvr_sweeps.extract import fence_code

from .tokenizer import apply_chat

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    from rlvr_sweeps.config import Config
    from rlvr_sweeps.config.data import DataConfig

IGNORE = -100  # label of prompt and padding tokens: no loss there
_CACHE: dict[str, dict[str, torch.Tensor]] = {}  # cache key -> warm-started state dict (CPU copies)
_CACHE_MAX = 4  # entries kept (oldest dropped): a one-process sweep over seeds or models stays bounded


def completion_text(task: Task) -> str:
    """What the policy should answer: the reference in the fenced block `extract_code` reads."""
    return fence_code(task.reference)


def example_ids(
    task: Task, tokenizer: PreTrainedTokenizerBase, model_cfg: ModelConfig, data_cfg: DataConfig
) -> tuple[list[int], list[int]]:
    """(prompt ids, completion ids + EOS), tokenized the way TRL tokenizes rollout prompts: chat
    prompts rendered by the template (which holds its own specials), plain ones with the
    tokenizer's specials; the completion on its own, as generation produces it."""
    prompt = prompt_for(task, model_cfg, data_cfg)
    if isinstance(prompt, list):
        prompt_ids = tokenizer(apply_chat(tokenizer, prompt, model_cfg), add_special_tokens=False)["input_ids"]
    else:
        prompt_ids = tokenizer(prompt)["input_ids"]
    completion_ids = tokenizer(completion_text(task), add_special_tokens=False)["input_ids"]
    return list(prompt_ids), [*completion_ids, tokenizer.eos_token_id]


def _batch(examples: list[tuple[list[int], list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-padded input ids, attention mask and completion-only labels."""
    width = max(len(p) + len(c) for p, c in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, (p, c) in enumerate(examples):
        n = len(p) + len(c)
        ids[row, :n] = torch.tensor(p + c)
        labels[row, len(p) : n] = torch.tensor(c)
        mask[row, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def cache_key(model_cfg: ModelConfig, seed: int, vocab_size: int, examples: list[tuple[list[int], list[int]]]) -> str:
    """Model config (every field, warm-start settings included) + seed + vocabulary size + the
    exact token ids of the examples (which tokenizer, which tasks, which prompt format)."""
    blob = json.dumps([asdict(model_cfg), seed, vocab_size, examples], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def fine_tune(
    model: PreTrainedModel,
    examples: list[tuple[list[int], list[int]]],
    model_cfg: ModelConfig,
    seed: int,
    pad_id: int,
) -> list[float]:
    """`model_cfg.warm_start_steps` AdamW steps over shuffled passes of `examples`; returns the
    per-step losses. Seeded without touching the global RNG (the job seeds it for TRL)."""
    gen = torch.Generator().manual_seed(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=model_cfg.warm_start_lr, weight_decay=0.0)
    size = min(model_cfg.warm_start_batch_size, len(examples))
    order: list[int] = []
    losses = []
    was_training = model.training
    model.train()
    device = next(model.parameters()).device
    with torch.random.fork_rng(devices=[]):  # dropout, if the architecture has any, from the seed too
        torch.manual_seed(seed)
        for _ in range(model_cfg.warm_start_steps):
            if len(order) < size:  # a fresh shuffled pass: every example once per epoch
                order += torch.randperm(len(examples), generator=gen).tolist()
            picked, order = order[:size], order[size:]
            batch = {k: v.to(device) for k, v in _batch([examples[i] for i in picked], pad_id).items()}
            loss = model(**batch).loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            losses.append(float(loss.detach()))
    model.train(was_training)
    return losses


def _train_tasks(conf: Config) -> list[Task]:
    try:
        return load_tasks(conf.data, conf.data.train_split)
    except DataError as exc:
        raise DataError(
            f"model.warm_start_steps={conf.model.warm_start_steps} fine-tunes on data.train_split, which "
            f"cannot be loaded ({exc}); set model.warm_start_steps=0 or a data source with a train split"
        ) from None


def warm_start(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    conf: Config,
    train_tasks: list[Task] | None = None,
    eval_tasks: list[Task] | None = None,
) -> PreTrainedModel:
    """Fine-tune `model` in place on `train_tasks` (default: data.train_split) when
    model.warm_start_steps > 0, after checking that none is an evaluation task (default:
    data.eval_split) or a benchmark test problem; a no-op otherwise."""
    model_cfg = conf.model
    if model_cfg.warm_start_steps <= 0:
        return model
    train = _train_tasks(conf) if train_tasks is None else train_tasks
    held_out = load_tasks(conf.data, conf.data.eval_split) if eval_tasks is None else eval_tasks
    assert_no_test_leak(train, held_out)
    examples = [example_ids(t, tokenizer, model_cfg, conf.data) for t in train]
    key = cache_key(model_cfg, conf.seed, len(tokenizer), examples)
    if key not in _CACHE:
        t0 = time.perf_counter()
        losses = fine_tune(model, examples, model_cfg, conf.seed, tokenizer.pad_token_id)
        while len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        print(
            f"[rlvr_sweeps] warm start: {len(losses)} SFT steps on {len(train)} train tasks in "
            f"{time.perf_counter() - t0:.1f} s, loss {losses[0]:.2f} -> {losses[-1]:.3f} (cached for this process)",
            file=sys.stderr, flush=True,
        )
    else:
        model.load_state_dict(_CACHE[key])
    return model


__all__ = ["cache_key", "completion_text", "example_ids", "fine_tune", "warm_start"]
