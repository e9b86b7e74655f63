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

from rlvr_sweeps.config.model import Arch


@dataclass(frozen=True)
class Architecture:
    config_class: type[PretrainedConfig]
    model_class: type[PreTrainedModel]


# Keyed by rlvr_sweeps.config.model.Arch: an unknown arch already failed at compose time.
ARCHITECTURES: dict[Arch, Architecture] = {
    Arch.qwen3: Architecture(Qwen3Config, Qwen3ForCausalLM),
    Arch.llama: Architecture(LlamaConfig, LlamaForCausalLM),
}
