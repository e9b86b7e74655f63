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

How long: `model.warm_start_steps` at most; with `model.warm_start_target` it stops at the first
check (every `model.warm_start_check_every` steps from `model.warm_start_min_steps` on) whose
greedy pass@1 on the validation split reaches the target. Why: on arith the held-out pass rate after a fixed 400 steps ranged from 5 %
to 69 % over seeds (the tiny model picks up the copying skill suddenly, at a seed-dependent step),
so RL either had no signal or no room; a target gives every seed a comparable start. Validation
is never trained on and never reported, the test split is never looked at.

Deterministic from the seed (init, batch order); the result is cached in-process, keyed by the
model config, seed, and the exact token ids of the examples (tokenizer + data + prompt format),
so the cells of a one-process sweep pay for it once.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import torch

from rlvr_sweeps.config.model import ModelConfig
from rlvr_sweeps.data import DataError, Task, assert_no_test_leak, load_tasks, prompt_for
from rlvr_sweeps.evaluate import HFGenerator, evaluate_policy, greedy_view
from rlvr_sweeps.extract import fence_code

from .tokenizer import apply_chat

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    from rlvr_sweeps.config import Config
    from rlvr_sweeps.config.data import DataConfig

IGNORE = -100  # label of prompt and padding tokens: no loss there
_CACHE: dict[str, tuple[dict[str, torch.Tensor], WarmStartResult]] = {}  # key -> (state dict on CPU, what it did)
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


def cache_key(model_cfg: ModelConfig, seed: int, vocab_size: int, examples: list[tuple[list[int], list[int]]],
              stop_rule: Any = None) -> str:
    """Model config (every field, warm-start settings included) + seed + vocabulary size + the
    exact token ids of the examples (which tokenizer, which tasks, which prompt format) + what the
    stopping checks depend on beyond those (`stop_rule`: the split and the generation budget)."""
    blob = json.dumps([asdict(model_cfg), seed, vocab_size, examples, stop_rule], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def fine_tune(
    model: PreTrainedModel,
    examples: list[tuple[list[int], list[int]]],
    model_cfg: ModelConfig,
    seed: int,
    pad_id: int,
    check: Callable[[int], bool] | None = None,
) -> list[float]:
    """Up to `model_cfg.warm_start_steps` AdamW steps over shuffled passes of `examples`; returns
    the per-step losses. Every `warm_start_check_every` steps from `warm_start_min_steps` on,
    `check(step)` (if given) may end it early by returning True. Seeded without touching the global RNG (the job seeds it for TRL)."""
    gen = torch.Generator().manual_seed(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=model_cfg.warm_start_lr, weight_decay=0.0)
    size = min(model_cfg.warm_start_batch_size, len(examples))
    order: list[int] = []
    losses = []
    was_training = model.training
    device = next(model.parameters()).device
    with torch.random.fork_rng(devices=[]):  # dropout, if the architecture has any, from the seed too
        torch.manual_seed(seed)
        for step in range(1, model_cfg.warm_start_steps + 1):
            model.train()
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
            due = step >= model_cfg.warm_start_min_steps and step % model_cfg.warm_start_check_every == 0
            if check is not None and due and check(step):
                break
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


@dataclass(frozen=True)
class WarmStartResult:
    """What a warm start did, for final.json: how long it trained and the checks that stopped it."""

    steps: int  # SFT steps taken (0 = off)
    target: float | None  # model.warm_start_target
    checks: tuple[tuple[int, float], ...] = ()  # (step, greedy validation pass@1) at each check
    reached: bool | None = None  # the target was met (None: no target); False = all steps, short of it
    seconds: float = 0.0  # of this process's first warm start with this key (later ones are cache hits)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "checks": [list(c) for c in self.checks]}


def _validation_check(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, conf: Config, train: list[Task],
    trail: list[tuple[int, float]],
) -> Callable[[int], bool] | None:
    """None unless `model.warm_start_targeted`; else `check(step)`: greedy pass@1 of the model as
    it is now on the validation split, by the reported evaluation's own code (prompts, extraction, sandbox), appended
    to `trail`; True once it reaches the target. Always the HF generator: the weights change every
    step, an engine built per check (eval.backend=vllm) would cost more than the steps."""
    if not conf.model.warm_start_targeted:
        return None
    target = conf.model.warm_start_target
    split = conf.eval.during.split
    try:
        tasks = load_tasks(conf.data, split)
    except DataError as exc:
        raise DataError(
            f"model.warm_start_target={target} stops the warm start on the validation split "
            f"(eval.during.split={split}), which cannot be loaded ({exc}); set model.warm_start_target=null "
            "(a fixed model.warm_start_steps, as +experiment=smoke does) or pick data with a validation split"
        ) from None
    assert_no_test_leak(train, tasks)
    view = greedy_view(conf, split)
    generator = HFGenerator(model, tokenizer, conf.eval.batch_size, desc="warm start check", progress=False)

    def check(step: int) -> bool:
        with tempfile.TemporaryDirectory(prefix="warm-start-check-") as scratch:  # rows nobody reads again
            rate = float(evaluate_policy(generator, tokenizer, tasks, view, scratch, f"step-{step}")["eval/pass@1"])
        trail.append((step, rate))
        return rate >= target

    return check


def run_warm_start(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    conf: Config,
    train_tasks: list[Task] | None = None,
    eval_tasks: list[Task] | None = None,
) -> WarmStartResult:
    """Fine-tune `model` in place on `train_tasks` (default: data.train_split) when
    model.warm_start_steps > 0, after checking that none is an evaluation task (default:
    data.eval_split) or a benchmark test problem; a no-op otherwise. With model.warm_start_target
    it stops at the first check whose validation pass@1 reaches the target, so every seed starts RL
    from a comparable base (a fixed step count left seeds between 5 % and 69 % held-out on arith)."""
    model_cfg = conf.model
    if model_cfg.warm_start_steps <= 0:
        return WarmStartResult(steps=0, target=None)
    train = _train_tasks(conf) if train_tasks is None else train_tasks
    held_out = load_tasks(conf.data, conf.data.eval_split) if eval_tasks is None else eval_tasks
    assert_no_test_leak(train, held_out)
    examples = [example_ids(t, tokenizer, model_cfg, conf.data) for t in train]
    stop_rule = None if not model_cfg.warm_start_targeted else [
        conf.eval.during.split, asdict(conf.data), conf.eval.max_new_tokens, conf.eval.stop_at_code_end, conf.sandbox.timeout_s]
    key = cache_key(model_cfg, conf.base_seed, len(tokenizer), examples, stop_rule)
    if key in _CACHE:
        state, result = _CACHE[key]
        model.load_state_dict(state)
        return result
    t0 = time.perf_counter()
    trail: list[tuple[int, float]] = []
    check = _validation_check(model, tokenizer, conf, train, trail)
    losses = fine_tune(model, examples, model_cfg, conf.base_seed, tokenizer.pad_token_id, check)
    reached = None if check is None else bool(trail) and trail[-1][1] >= model_cfg.warm_start_target
    result = WarmStartResult(len(losses), None if check is None else model_cfg.warm_start_target, tuple(trail), reached,
                             round(time.perf_counter() - t0, 2))
    while len(_CACHE) >= _CACHE_MAX:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = ({k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}, result)
    stop = ""
    if check is not None:
        last = f"validation pass@1 {trail[-1][1]:.1%}" if trail else "no check ran"
        stop = (f", {last} >= target {result.target:.0%}" if reached else
                f"; WARNING: {last}, short of model.warm_start_target={result.target} after all "
                f"model.warm_start_steps={model_cfg.warm_start_steps}: RL starts from a weaker base")
    print(
        f"[rlvr_sweeps] warm start: {len(losses)} SFT steps on {len(train)} train tasks in "
        f"{result.seconds:.1f} s, loss {losses[0]:.2f} -> {losses[-1]:.3f}{stop} (cached for this process)",
        file=sys.stderr, flush=True,
    )
    return result


def warm_start(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    conf: Config,
    train_tasks: list[Task] | None = None,
    eval_tasks: list[Task] | None = None,
) -> PreTrainedModel:
    """`run_warm_start`, returning the model (for callers that do not record what it did)."""
    run_warm_start(model, tokenizer, conf, train_tasks, eval_tasks)
    return model


__all__ = ["WarmStartResult", "cache_key", "completion_text", "example_ids", "fine_tune", "run_warm_start", "warm_start"]
