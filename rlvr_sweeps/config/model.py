"""Schema of the `model` config group (conf/model/*.yaml). No torch here: compose stays fast."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class ModelKind(str, Enum):
    """What produces completions: a causal LM, or a pseudo-policy used by evaluation self-checks."""

    hf = "hf"
    reference = "reference"  # the dataset's reference solutions: must score 100 %
    null = "null"  # empty completions: must score 0 %


class ModelInit(str, Enum):
    pretrained = "pretrained"  # load weights from `path` (hub id or local dir)
    random = "random"  # build from the architecture's config with random weights (throughput work, tiny models)


class DType(str, Enum):
    float32 = "float32"
    bfloat16 = "bfloat16"
    float16 = "float16"
    auto = "auto"


@dataclass
class ModelConfig:
    name: str = "tiny-qwen3"
    kind: ModelKind = ModelKind.hf
    path: str = ""  # hub id or local directory; "" for tiny models built from `arch` alone
    arch: str = "qwen3"  # key of rlvr_sweeps.models.ARCHITECTURES: picks the config class for random init
    init: ModelInit = ModelInit.random
    tokenizer: str = "builtin"  # "" = same as `path`; "builtin" = offline byte-level tokenizer; or a local dir
    chat: bool = True  # prompts as chat messages through the tokenizer's chat template
    enable_thinking: bool = False  # Qwen3 chat template switch; the study used non-thinking mode
    dtype: DType = DType.float32
    config_overrides: dict[str, Any] = field(default_factory=dict)  # applied to the arch config on random init
    lora_target_modules: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )

    def __post_init__(self) -> None:
        if self.kind == ModelKind.hf and self.init == ModelInit.pretrained and not self.path:
            raise ValueError(f"model '{self.name}': init=pretrained needs model.path (hub id or local dir)")
