"""Schema of the `model` config group (conf/model/*.yaml). No torch here: compose stays fast."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from .ranges import check_range


class ModelKind(str, Enum):
    """What produces completions: a causal LM, or a pseudo-policy used by evaluation self-checks."""

    hf = "hf"
    reference = "reference"  # the dataset's reference solutions: must score 100 %
    null = "null"  # empty completions: must score 0 %
    replay = "replay"  # completions read from the JSONL file model.path (produced elsewhere)


class ModelInit(str, Enum):
    pretrained = "pretrained"  # load weights from `path` (hub id or local dir)
    random = "random"  # build from the architecture's config with random weights (throughput work, tiny models)


class Arch(str, Enum):
    """Key of `rlvr_sweeps.models.ARCHITECTURES`: the config/model classes used when `path` is empty."""

    qwen3 = "qwen3"
    llama = "llama"


class DType(str, Enum):
    float32 = "float32"
    bfloat16 = "bfloat16"
    float16 = "float16"
    auto = "auto"


# The smallest shape that still exercises every Qwen3 block: what `ModelConfig()` (tiny-qwen3) builds.
TINY_QWEN3_SHAPE: dict[str, int] = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "max_position_embeddings": 2048,
}


@dataclass
class ModelConfig:
    name: str = "tiny-qwen3"  # label in tables and W&B tags
    kind: ModelKind = ModelKind.hf  # hf = a causal LM; reference/null = self-check pseudo-policies; replay = a file
    path: str = ""  # hub id or local directory; "" for tiny models built from `arch` alone
    arch: Arch = Arch.qwen3  # architecture for random init without `path` (with a path, its config decides)
    arch_config: str = ""  # a real model's shape shipped in the package (e.g. qwen3-0.6b): random init, no hub
    init: ModelInit = ModelInit.random  # random = no download, useless outputs; pretrained = real weights
    tokenizer: str = "builtin"  # "" = same as `path`; "builtin" = offline byte-level tokenizer; or a local dir
    chat: bool = True  # prompts as chat messages through the tokenizer's chat template (instruct models)
    enable_thinking: bool = False  # Qwen3 chat template switch; the study used non-thinking mode (shorter)
    dtype: DType = DType.float32  # bfloat16 halves memory on GPUs; float32 is the safe CPU choice
    config_overrides: dict[str, Any] = field(default_factory=lambda: dict(TINY_QWEN3_SHAPE))  # arch fields on random init
    init_seed: int | None = 0  # seed of the random init and the warm start, i.e. of the base model; null = `seed` (then seeds vary base and RL together); an int fixes the base like a published checkpoint, so `seed` varies RL only
    warm_start_steps: int = 1000  # at most this many SFT steps on train references before RL (all of them without a target): >0 = a random model emits code; 0 = off
    warm_start_target: float | None = 0.15  # stop at the first check whose greedy validation pass@1 (eval.during.split) reaches this: seeds comparable; null = all warm_start_steps
    warm_start_min_steps: int = 300  # no target check before this step: checks that cannot succeed cost time (arith: validation pass@1 < 5 % before 300 steps for seeds 0-4); warm_start_steps below it = a fixed step count, the target inactive
    warm_start_check_every: int = 25  # steps between target checks: each costs one greedy evaluation of the validation split; fewer = overshoots the target more
    warm_start_lr: float = 3.0e-3  # full-weight AdamW lr of the warm start: higher = faster fit, less stable
    warm_start_batch_size: int = 8  # train examples per warm-start step: bigger = smoother, slower per step
    cpu_threads: int | None = 1  # torch intra-op threads on CPU: 1 for tiny shapes (thread sync costs more than it saves, and leaves a core to the sandbox); null = torch's default (all cores), right for real models
    lora_target_modules: list[str] = field(  # more modules = more trainable params, closer to full fine-tuning
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )

    @property
    def warm_start_targeted(self) -> bool:
        """The warm start stops on validation checks: a target is set and at least one check can run
        (warm_start_steps below warm_start_min_steps is a fixed step count)."""
        return self.warm_start_target is not None and self.warm_start_steps >= self.warm_start_min_steps

    def __post_init__(self) -> None:
        if self.kind == ModelKind.hf and self.init == ModelInit.pretrained and not self.path:
            raise ValueError(f"model '{self.name}': init=pretrained needs model.path (hub id or local dir)")
        if self.kind == ModelKind.hf and self.tokenizer == "" and not self.path:
            raise ValueError(f"model '{self.name}': tokenizer='' means 'same as model.path', but path is empty")
        if self.arch_config:
            shipped = Path(__file__).resolve().parent.parent / "models" / "configs"
            names = sorted(p.stem for p in shipped.glob("*.json"))
            if self.arch_config not in names:
                raise ValueError(f"model.arch_config={self.arch_config!r} is not shipped; choose one of {names}")
            if self.path:
                raise ValueError(f"model '{self.name}': set model.path or model.arch_config, not both")
        check_range("model.warm_start_steps", self.warm_start_steps, 0)  # 0 = off
        check_range("model.warm_start_lr", self.warm_start_lr, 0, lo_open=True)
        check_range("model.warm_start_batch_size", self.warm_start_batch_size, 1)
        check_range("model.warm_start_target", self.warm_start_target, 0, 1, lo_open=True, optional=True)
        check_range("model.warm_start_check_every", self.warm_start_check_every, 1)
        check_range("model.warm_start_min_steps", self.warm_start_min_steps, 0)  # above warm_start_steps: the target is inactive
        if self.cpu_threads is not None:
            check_range("model.cpu_threads", self.cpu_threads, 1)
