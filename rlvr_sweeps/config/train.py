"""Schema of the `train` config group: everything GRPOConfig needs that is not the algorithm."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TrainConfig:
    max_steps: int = 4  # optimizer steps; the default profile is sized for minutes on 2 CPU cores
    per_device_train_batch_size: int = 4  # completions per device per step (TRL counts completions)
    gradient_accumulation_steps: int = 1  # larger = bigger effective batch, fewer optimizer steps per generation
    learning_rate: float = 2e-4  # LoRA tolerates ~10x the full-finetune rate
    lr_scheduler_type: str = "constant"  # "cosine" for long runs; constant keeps short runs comparable
    warmup_steps: int = 0
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    max_completion_length: int = 32  # tokens per completion: the main cost of a step
    temperature: float = 1.0  # sampling temperature of rollouts; lower = less exploration
    top_p: float = 1.0
    logging_steps: int = 1  # one metrics.jsonl row (and W&B step) per logging step
    save_steps: int = 0  # checkpoint every N steps for resumption; 0 = no intermediate checkpoints
    save_total_limit: int = 2  # checkpoints kept on disk
    bf16: bool = False  # True on Ampere+ GPUs; CPUs stay in float32
    gradient_checkpointing: bool = False  # trades compute for memory on the 1B models
    use_vllm: bool = False  # TRL's vLLM generation (GPU only, needs the `vllm` extra)
    log_completions: bool = False  # TRL prints/logs a sample of completions each logging step

    def __post_init__(self) -> None:
        for name in ("max_steps", "per_device_train_batch_size", "gradient_accumulation_steps", "max_completion_length"):
            if getattr(self, name) <= 0:
                raise ValueError(f"train.{name} must be positive, got {getattr(self, name)}")
