"""Tokenizers and causal LMs from a `model` config: tiny random-init models that need nothing
from the hub (the default), random init of any architecture, or pretrained weights."""

from .architectures import ARCHITECTURES, Architecture
from .loading import ModelError, load_model, model_config, torch_dtype
from .tokenizer import apply_chat, builtin_tokenizer, chat_template_kwargs, load_tokenizer

__all__ = [
    "ARCHITECTURES",
    "Architecture",
    "ModelError",
    "apply_chat",
    "builtin_tokenizer",
    "chat_template_kwargs",
    "load_model",
    "load_tokenizer",
    "model_config",
    "torch_dtype",
]
