"""Schema of the `train` config group: everything GRPOConfig needs that is not the algorithm."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .ranges import check_range


class VLLMMode(str, Enum):
    """TRL's `vllm_mode`: where rollouts are generated when `use_vllm` is on."""

    colocate = "colocate"  # vLLM inside each training process, sharing its GPU
    server = "server"  # a separate `trl vllm-serve` process (its own GPUs)


@dataclass
class TrainConfig:
    max_steps: int = 100  # optimizer steps; the default profile is sized for minutes on 2 CPU cores
    per_device_train_batch_size: int = 16  # completions per device per micro-step (TRL counts completions)
    gradient_accumulation_steps: int = 1  # micro-steps per optimizer step: completions/step = this x batch x ranks
    learning_rate: float = 1e-3  # LoRA tolerates ~10x the full-finetune rate
    lr_scheduler_type: str = "constant"  # "cosine" for long runs; constant keeps short runs comparable
    warmup_steps: int = 0
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    max_completion_length: int = 48  # tokens per completion: the main cost of a step
    temperature: float = 1.0  # sampling temperature of rollouts; lower = less exploration
    top_p: float = 1.0
    stop_at_code_end: bool = True  # rollouts end at their answer block's closing fence (conf/train: trade-off)
    logging_steps: int = 1  # one metrics.jsonl row (and W&B step) per logging step
    save_steps: int = 0  # checkpoint every N steps for resumption; 0 = no intermediate checkpoints
    save_total_limit: int = 2  # checkpoints kept on disk
    bf16: bool = False  # True on Ampere+ GPUs; CPUs stay in float32
    gradient_checkpointing: bool = False  # trades compute for memory on the 1B models
    use_vllm: bool = False  # TRL's vLLM generation (GPU only, needs the `vllm` extra)
    vllm_mode: VLLMMode = VLLMMode.colocate  # colocate = no extra GPU, shares memory; server = own GPU(s)
    vllm_gpu_memory_utilization: float = 0.3  # colocate: share of GPU memory vLLM reserves (weights + KV cache)
    vllm_max_model_length: int | None = 2048  # vLLM context: prompt + completion; None = model's (40k-131k, big KV)
    vllm_tensor_parallel_size: int = 1  # colocate: GPUs one vLLM engine spans; 1 for the <= 1B models
    vllm_enable_sleep_mode: bool = False  # offload vLLM during the optimizer step: less memory, slower steps
    vllm_server_base_url: str | None = None  # server mode: e.g. http://host:8000; None = host/port defaults
    disable_dropout: bool = True  # dropout (LoRA's too) off, so old and new log-probs of a sample agree
    log_completions: bool = False  # TRL prints/logs a sample of completions each logging step

    def __post_init__(self) -> None:
        for name in ("max_steps", "per_device_train_batch_size", "gradient_accumulation_steps",
                     "max_completion_length", "logging_steps", "save_total_limit", "vllm_tensor_parallel_size"):
            check_range(f"train.{name}", getattr(self, name), 1)
        for name in ("warmup_steps", "weight_decay", "save_steps"):
            check_range(f"train.{name}", getattr(self, name), 0)
        for name in ("learning_rate", "max_grad_norm", "temperature"):
            check_range(f"train.{name}", getattr(self, name), 0, lo_open=True)
        check_range("train.top_p", self.top_p, 0, 1, lo_open=True)
        check_range("train.vllm_gpu_memory_utilization", self.vllm_gpu_memory_utilization, 0, 1, lo_open=True)
        if self.vllm_max_model_length is not None and self.vllm_max_model_length <= self.max_completion_length:
            raise ValueError(
                f"train.vllm_max_model_length={self.vllm_max_model_length} leaves no room for the prompt: it must "
                f"exceed train.max_completion_length={self.max_completion_length} (prompt + completion)"
            )
