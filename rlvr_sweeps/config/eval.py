"""Schema of the `eval` config group: pass@1 / pass@k evaluation, inside each job and standalone
(`python -m rlvr_sweeps.evaluate`). No torch here."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EvalConfig:
    enabled: bool = True  # evaluate inside each training job (base and trained)
    before: bool = True  # base model (adapter disabled): gives the Δ of every cell
    after: bool = True  # trained adapter
    backend: str = "hf"  # generation backend for model.kind=hf: hf (transformers) | vllm (GPU extra, faster)
    max_new_tokens: int = 64  # generation budget; truncated share is reported
    batch_size: int = 16  # prompts per generate() call: memory vs speed
    stop_at_code_end: bool = True  # stop a row at the fence closing its first code block: faster, same verdict
    n_samples: int = 0  # sampled completions per task for pass@k; 0 = greedy pass@1 only
    ks: list[int] = field(default_factory=lambda: [1, 5, 10])  # pass@k reported for k <= n_samples
    temperature: float = 0.8  # for the sampled completions (greedy pass@1 ignores it)
    top_p: float = 0.95  # nucleus for the sampled completions; 1.0 = full distribution
    timeout_s: float | None = None  # per program; None = sandbox.timeout_s (the one limit source, as the reward)
    task_ids: list[str] = field(default_factory=list)  # evaluate only these task ids ("11", "Mbpp/2"); [] = split
    plus: bool = True  # MBPP+: also score the plus inputs (42k calls in total); false = base inputs only
    oracle_cache: str = ""  # dir caching MBPP+ expected outputs per data file; "" = ~/.cache/rlvr_sweeps
    log_table: bool = True  # W&B table of per-problem rows

    def __post_init__(self) -> None:
        if self.n_samples < 0:
            raise ValueError(f"eval.n_samples must be >= 0, got {self.n_samples}")
        if self.max_new_tokens < 1 or self.batch_size < 1:
            raise ValueError("eval.max_new_tokens and eval.batch_size must be >= 1")
        if self.timeout_s is not None and self.timeout_s <= 0:
            raise ValueError(f"eval.timeout_s must be > 0, got {self.timeout_s}")
        if any(k < 1 for k in self.ks):
            raise ValueError(f"eval.ks must be positive integers, got {self.ks}")
        if self.n_samples and not 0.0 < self.temperature:
            raise ValueError("eval.temperature must be > 0 for sampled completions (n_samples > 0)")
        if not 0.0 < self.top_p <= 1.0:
            raise ValueError(f"eval.top_p must be in (0, 1], got {self.top_p}")
