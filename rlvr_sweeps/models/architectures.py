"""Architectures a model can be built from without a `path`: config class + causal-LM class."""

from __future__ import annotations

from dataclasses import dataclass

from transformers import (
    LlamaConfig,
    LlamaForCausalLM,
    PretrainedConfig,
    PreTrainedModel,
    Qwen3Config,
    Qwen3ForCausalLM,
)


@dataclass(frozen=True)
class Architecture:
    config_class: type[PretrainedConfig]
    model_class: type[PreTrainedModel]


# Keys are the values of rlvr_sweeps.config.model.Arch (checked at compose time).
ARCHITECTURES: dict[str, Architecture] = {
    "qwen3": Architecture(Qwen3Config, Qwen3ForCausalLM),
    "llama": Architecture(LlamaConfig, LlamaForCausalLM),
}
