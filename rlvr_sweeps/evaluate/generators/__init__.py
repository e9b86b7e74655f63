"""Generation backends behind one interface, chosen by enum, never by string dispatch.

- ``build_generator(conf, tokenizer)``: ``python -m rlvr_sweeps.evaluate``; the pseudo-policies
  by ``model.kind`` (reference, null, replay), real models by ``eval.backend`` (``BACKENDS``).
- ``job_generators(conf, tokenizer, policy, adapter_dir)``: a training job's trained and base
  generators (one vLLM engine serves both, the adapter through LoRA); a context manager that
  frees the engine and its exported weights.
- ``generator_for(conf, tokenizer, model)``: an in-memory (peft) model as it is now (adapter on,
  or off inside ``disable_adapter()``), for callers that pass a model to ``evaluate_policy``.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr_sweeps.config import Config
from rlvr_sweeps.config.eval import EvalBackend
from rlvr_sweeps.config.model import ModelInit, ModelKind
from rlvr_sweeps.evaluate.generators.base import (
    Completion,
    Generator,
    Request,
    Sampling,
    adds_special_tokens,
    prompt_token_ids,
)
from rlvr_sweeps.evaluate.generators.hf import HFGenerator, closes_code_block
from rlvr_sweeps.evaluate.generators.pseudo import (
    NullGenerator,
    ReferenceGenerator,
    ReplayError,
    ReplayGenerator,
)
from rlvr_sweeps.evaluate.generators.vllm import VLLMEngine, VLLMGenerator


@dataclass(frozen=True)
class JobGenerators:
    trained: Generator  # the policy with its adapter
    base: Generator  # the same weights without it (hf: use it inside policy.disable_adapter())


@dataclass(frozen=True)
class Backend:
    """How one eval.backend makes its generators; see the module docstring for the three uses."""

    standalone: Callable[[Any, Any], Generator]
    job: Callable[[Any, Any, Any, Path], contextlib.AbstractContextManager[JobGenerators]]
    for_model: Callable[[Any, Any, Any, str], Generator]


def _loaded_model(conf: Config, tokenizer: Any) -> Any:
    from rlvr_sweeps.models import load_model  # lazy: rlvr_sweeps.models imports torch/transformers
    from rlvr_sweeps.models.warm_start import warm_start  # lazy: as load_model

    model = load_model(conf.model, conf.base_seed, tokenizer=tokenizer)
    warm_start(model, tokenizer, conf)  # the base model a training job would start from (train split only)
    return model


def _hf_standalone(conf: Config, tokenizer: Any) -> Generator:
    return HFGenerator(_loaded_model(conf, tokenizer), tokenizer, conf.eval.batch_size)


@contextlib.contextmanager
def _hf_job(conf: Config, tokenizer: Any, policy: Any, adapter_dir: Path) -> Iterator[JobGenerators]:
    del adapter_dir  # the in-memory policy is the adapter
    bs = conf.eval.batch_size
    yield JobGenerators(HFGenerator(policy, tokenizer, bs, "eval trained"), HFGenerator(policy, tokenizer, bs, "eval base"))


def _hf_for_model(conf: Config, tokenizer: Any, model: Any, desc: str) -> Generator:
    return HFGenerator(model, tokenizer, conf.eval.batch_size, desc=desc)


def _vllm_standalone(conf: Config, tokenizer: Any) -> Generator:
    if conf.model.init == ModelInit.pretrained and conf.model.warm_start_steps == 0:
        return VLLMGenerator(VLLMEngine(conf, tokenizer, conf.model.path))  # the weights as published
    return VLLMGenerator(VLLMEngine.from_model(conf, tokenizer, _loaded_model(conf, tokenizer)))


@contextlib.contextmanager
def _vllm_job(conf: Config, tokenizer: Any, policy: Any, adapter_dir: Path) -> Iterator[JobGenerators]:
    engine = VLLMEngine.from_model(conf, tokenizer, policy, scratch=adapter_dir.parent)
    try:
        yield JobGenerators(VLLMGenerator(engine, adapter_dir, "eval trained"), VLLMGenerator(engine, None, "eval base"))
    finally:
        engine.close()


def _adapter_active(model: Any) -> bool:
    """A peft model whose adapter is on (False inside ``disable_adapter()``)."""
    if not hasattr(model, "peft_config"):
        return False
    flags = [m.disable_adapters for m in model.modules() if hasattr(m, "disable_adapters") and hasattr(m, "lora_A")]
    return bool(flags) and not all(flags)


def _vllm_for_model(conf: Config, tokenizer: Any, model: Any, desc: str) -> Generator:
    engine = VLLMEngine.from_model(conf, tokenizer, model)
    adapter = None
    if _adapter_active(model):
        adapter = Path(tempfile.mkdtemp(prefix="adapter-", dir=engine.owned_dir))
        model.save_pretrained(adapter)
    return VLLMGenerator(engine, adapter, desc)


BACKENDS: dict[EvalBackend, Backend] = {
    EvalBackend.hf: Backend(_hf_standalone, _hf_job, _hf_for_model),
    EvalBackend.vllm: Backend(_vllm_standalone, _vllm_job, _vllm_for_model),
}
PSEUDO: dict[ModelKind, Callable[[Any, Any], Generator]] = {
    ModelKind.reference: lambda conf, tokenizer: ReferenceGenerator(tokenizer),
    ModelKind.null: lambda conf, tokenizer: NullGenerator(tokenizer),
    ModelKind.replay: lambda conf, tokenizer: ReplayGenerator(conf.model.path, tokenizer),
}


def _backend(conf: Config) -> Backend:
    return BACKENDS[EvalBackend(conf.eval.backend)]


def build_generator(conf: Config, tokenizer: Any) -> Generator:
    """The generator of ``python -m rlvr_sweeps.evaluate``: a pseudo-policy or the configured model."""
    kind = ModelKind(conf.model.kind)
    if kind in PSEUDO:
        return PSEUDO[kind](conf, tokenizer)
    return _backend(conf).standalone(conf, tokenizer)


def job_generators(
    conf: Config, tokenizer: Any, policy: Any, adapter_dir: str | Path
) -> contextlib.AbstractContextManager[JobGenerators]:
    """``with job_generators(...) as g``: ``g.trained`` / ``g.base`` for a job's two evaluations;
    ``adapter_dir`` holds the saved adapter (vLLM serves it via LoRARequest)."""
    return _backend(conf).job(conf, tokenizer, policy, Path(adapter_dir))


def generator_for(conf: Config, tokenizer: Any, model: Any, desc: str = "generate") -> Generator:
    return _backend(conf).for_model(conf, tokenizer, model, desc)


__all__ = [
    "BACKENDS", "Completion", "Generator", "HFGenerator", "JobGenerators", "NullGenerator", "ReferenceGenerator",
    "ReplayError", "ReplayGenerator", "Request", "Sampling", "adds_special_tokens", "build_generator", "closes_code_block", "generator_for",
    "job_generators", "prompt_token_ids",
]
