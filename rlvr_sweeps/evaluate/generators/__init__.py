"""Generation backends behind one interface, chosen by name.

``GENERATORS[key](conf, tokenizer) -> Generator``; the key is ``model.kind`` for the
pseudo-policies (reference, null, replay) and ``eval.backend`` for real models (hf, vllm).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rlvr_sweeps.evaluate.generators.base import Completion, Generator, Request, Sampling
from rlvr_sweeps.evaluate.generators.hf import HFGenerator, closes_code_block
from rlvr_sweeps.evaluate.generators.pseudo import (
    NullGenerator,
    ReferenceGenerator,
    ReplayError,
    ReplayGenerator,
)


def _hf(conf: Any, tokenizer: Any) -> Generator:
    from rlvr_sweeps.models import load_model
    from rlvr_sweeps.models.warm_start import warm_start

    model = load_model(conf.model, conf.seed, tokenizer=tokenizer)
    warm_start(model, tokenizer, conf)  # the base model a training job would start from (train split only)
    return HFGenerator(model, tokenizer, conf.eval.batch_size)


def _vllm(conf: Any, tokenizer: Any) -> Generator:
    from rlvr_sweeps.evaluate.generators.vllm import VLLMGenerator

    return VLLMGenerator(conf, tokenizer)


GENERATORS: dict[str, Callable[[Any, Any], Generator]] = {
    "hf": _hf,
    "vllm": _vllm,
    "reference": lambda conf, tokenizer: ReferenceGenerator(tokenizer),
    "null": lambda conf, tokenizer: NullGenerator(tokenizer),
    "replay": lambda conf, tokenizer: ReplayGenerator(conf.model.path, tokenizer),
}


def build_generator(conf: Any, tokenizer: Any) -> Generator:
    kind = getattr(conf.model.kind, "value", conf.model.kind)
    key = conf.eval.backend if kind == "hf" else kind
    if key not in GENERATORS:
        raise ValueError(f"eval.backend={key!r} is unknown; choose one of {sorted(set(GENERATORS) - {'reference', 'null', 'replay'})}")
    return GENERATORS[key](conf, tokenizer)


__all__ = [
    "GENERATORS", "Completion", "Generator", "HFGenerator", "NullGenerator", "ReferenceGenerator", "ReplayError", "ReplayGenerator", "Request",
    "Sampling", "build_generator", "closes_code_block",
]
