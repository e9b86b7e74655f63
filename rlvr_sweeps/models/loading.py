"""`load_model`: a random-init model deterministic from the seed, or pretrained weights."""

from __future__ import annotations

from typing import Any

import torch
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    PretrainedConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from rlvr_sweeps.config.model import ModelConfig, ModelInit, ModelKind

from .architectures import ARCHITECTURES


class ModelError(ValueError):
    """A model config that cannot be built; the message says what to change."""


def torch_dtype(model_cfg: ModelConfig, random_init: bool) -> Any:
    name = model_cfg.dtype.value
    if name == "auto":
        return torch.float32 if random_init else "auto"
    return getattr(torch, name)


def _special_ids(tokenizer: PreTrainedTokenizerBase | None) -> dict[str, int]:
    if tokenizer is None:
        return {}
    ids = {"pad_token_id": tokenizer.pad_token_id, "eos_token_id": tokenizer.eos_token_id}
    if tokenizer.bos_token_id is not None:
        ids["bos_token_id"] = tokenizer.bos_token_id
    return {k: v for k, v in ids.items() if v is not None}


def model_config(model_cfg: ModelConfig, vocab_size: int | None = None, **extra: Any) -> PretrainedConfig:
    """The architecture config for random init: `path`'s config if given, else the `arch`
    defaults; then `config_overrides` (unknown keys are an error, not a silent no-op)."""
    overrides = dict(model_cfg.config_overrides)
    if model_cfg.path:
        config, unused = AutoConfig.from_pretrained(model_cfg.path, return_unused_kwargs=True, **overrides)
        if unused:
            raise ModelError(
                f"model.config_overrides has keys unknown to {type(config).__name__}: {sorted(unused)}"
            )
        if vocab_size is not None and config.vocab_size < vocab_size:
            config.vocab_size = vocab_size
        for key, value in extra.items():
            setattr(config, key, value)
        return config
    config_class = ARCHITECTURES[model_cfg.arch.value].config_class
    defaults = config_class()
    unknown = sorted(k for k in overrides if not hasattr(defaults, k))
    if unknown:
        raise ModelError(f"model.config_overrides has keys unknown to {config_class.__name__}: {unknown}")
    if vocab_size is not None:
        overrides["vocab_size"] = vocab_size
    return config_class(**overrides, **extra)


def load_model(
    model_cfg: ModelConfig,
    seed: int,
    vocab_size: int | None = None,
    tokenizer: PreTrainedTokenizerBase | None = None,
) -> PreTrainedModel:
    """Random init (from `arch` or `path`'s config) seeded by `seed` alone, without touching the
    global RNG; or `from_pretrained(path)`. With `tokenizer`, the vocab is sized to it and its
    pad/eos ids go into the model and generation configs."""
    if model_cfg.kind != ModelKind.hf:
        raise ModelError(f"model.kind={model_cfg.kind.value} is a pseudo-policy: there is no model to load")
    if tokenizer is not None and vocab_size is None:
        vocab_size = len(tokenizer)
    special = _special_ids(tokenizer)
    if model_cfg.init == ModelInit.pretrained:
        model = AutoModelForCausalLM.from_pretrained(model_cfg.path, dtype=torch_dtype(model_cfg, False))
        if vocab_size is not None and model.get_input_embeddings().num_embeddings < vocab_size:
            model.resize_token_embeddings(vocab_size)
    else:
        config = model_config(model_cfg, vocab_size, **special)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = AutoModelForCausalLM.from_config(config)
        model = model.to(torch_dtype(model_cfg, True))
    for key, value in special.items():
        setattr(model.generation_config, key, value)
    return model
