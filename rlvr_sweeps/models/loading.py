"""`load_model`: a random-init model deterministic from the seed, or pretrained weights."""

from __future__ import annotations

import json
from pathlib import Path
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


SHIPPED_CONFIGS = Path(__file__).resolve().parent / "configs"  # <name>.json: real shapes, no weights


def shipped_config(name: str) -> dict[str, Any]:
    """{"config": the model's config.json fields, "generation_eos": its generation_config eos ids}."""
    return json.loads((SHIPPED_CONFIGS / f"{name}.json").read_text())


def generation_eos(model_cfg: ModelConfig) -> list[int]:
    """The stop ids a random-init model of a shipped real architecture keeps (none for tiny ones)."""
    return list(shipped_config(model_cfg.arch_config)["generation_eos"]) if model_cfg.arch_config else []


def model_config(model_cfg: ModelConfig, vocab_size: int | None = None, **extra: Any) -> PretrainedConfig:
    """The architecture config for random init: `path`'s config if given, a shipped real shape
    (`arch_config`), else the `arch` defaults; then `config_overrides` (unknown keys are an error,
    not a silent no-op). A tokenizer larger than the config's vocabulary grows it (e.g. Llama's
    shape with Qwen3's tokenizer); a smaller one keeps the real size."""
    overrides = dict(model_cfg.config_overrides)
    if model_cfg.arch_config:
        fields = {**shipped_config(model_cfg.arch_config)["config"], **overrides}
        config = AutoConfig.for_model(fields.pop("model_type"), **fields)
        if vocab_size is not None and config.vocab_size < vocab_size:
            config.vocab_size = vocab_size
        for key, value in extra.items():
            setattr(config, key, value)
        return config
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
    config_class = ARCHITECTURES[model_cfg.arch].config_class
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
    if model_cfg.cpu_threads is not None:  # process-wide, and only matters where the model runs on CPU
        torch.set_num_threads(model_cfg.cpu_threads)
    if tokenizer is not None and vocab_size is None:
        vocab_size = len(tokenizer)
    special = _special_ids(tokenizer)
    if model_cfg.init == ModelInit.pretrained:
        model = AutoModelForCausalLM.from_pretrained(model_cfg.path, dtype=torch_dtype(model_cfg, False))
        if vocab_size is not None and model.get_input_embeddings().num_embeddings < vocab_size:
            model.resize_token_embeddings(vocab_size)
        model_eos = model.generation_config.eos_token_id  # the checkpoint's generation_config.json
    else:
        config = model_config(model_cfg, vocab_size, **special)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = AutoModelForCausalLM.from_config(config)
        model = model.to(torch_dtype(model_cfg, True))
        model_eos = generation_eos(model_cfg)
    for key, value in special.items():
        setattr(model.generation_config, key, value)
    if "eos_token_id" in special:
        model.generation_config.eos_token_id = merged_eos(model_eos, special["eos_token_id"])
    return model


def _as_ids(value: Any) -> list[int]:
    if value is None:
        return []
    return [int(v) for v in value] if isinstance(value, list | tuple) else [int(value)]


def merged_eos(model_eos: Any, tokenizer_eos: Any) -> int | list[int]:
    """Every id that ends a turn: the tokenizer's EOS first (what prompts and warm start use), then
    the model's own list (Qwen3 [151645, 151643]; Llama-3 Instruct <|eot_id|>, <|eom_id|>,
    <|end_of_text|>), without duplicates. Replacing the list by the tokenizer's single EOS lets a
    model that ends with another of its stop ids run on to max_new_tokens."""
    ids = list(dict.fromkeys(_as_ids(tokenizer_eos) + _as_ids(model_eos)))
    return ids[0] if len(ids) == 1 else ids
