"""Schema of the `eval` config group."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EvalConfig:
    enabled: bool = True  # evaluate inside each training job (base and trained)
    before: bool = True  # base model (adapter disabled): gives the Δ of every cell
    after: bool = True  # trained adapter
    max_new_tokens: int = 64  # generation budget; truncated share is reported
    batch_size: int = 16  # prompts per generate() call: memory vs speed
    n_samples: int = 0  # sampled completions per task for pass@k; 0 = greedy pass@1 only
    ks: list[int] = field(default_factory=lambda: [1, 5, 10])  # pass@k reported for k <= n_samples
    temperature: float = 0.8  # for the sampled completions (greedy pass@1 ignores it)
    top_p: float = 0.95
    timeout_s: float = 10.0  # per program: generous, a tight limit on a slow CPU halves pass@1
    log_table: bool = True  # W&B table of per-problem rows

    def __post_init__(self) -> None:
        if self.n_samples < 0:
            raise ValueError(f"eval.n_samples must be >= 0, got {self.n_samples}")
