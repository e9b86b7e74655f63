"""Optional vLLM backend (``pip install rlvr_sweeps[vllm]``, GPU): same interface as ``hf``.

Not exercised by CI (no GPU, no vllm wheel there). vLLM has no "closed code block" stop, so
each text is cut after its first closed block instead, which gives the verdict the hf
backend's stopping criterion gives; token counts are of the kept text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rlvr_sweeps.evaluate.generators.base import Completion, Generator, Request, Sampling
from rlvr_sweeps.evaluate.generators.hf import first_block_end


class VLLMGenerator(Generator):
    name = "vllm"

    def __init__(self, conf: Any, tokenizer: Any) -> None:
        try:
            from vllm import LLM
        except ImportError:
            raise ImportError("eval.backend=vllm needs vllm: pip install 'rlvr_sweeps[vllm]' (GPU only)") from None
        self.tokenizer = tokenizer
        self.llm = LLM(model=conf.model.path, seed=conf.seed, dtype=getattr(conf.model.dtype, "value", "auto"))

    def generate(self, requests: Sequence[Request], sampling: Sampling) -> list[list[Completion]]:
        from vllm import SamplingParams

        params = SamplingParams(
            n=sampling.n, temperature=0.0 if sampling.greedy else sampling.temperature,
            top_p=1.0 if sampling.greedy else sampling.top_p, max_tokens=sampling.max_new_tokens, seed=sampling.seed,
        )
        out = []
        for result in self.llm.generate([r.prompt for r in requests], params):
            comps = []
            for o in result.outputs:
                text, n, truncated = o.text, len(o.token_ids), o.finish_reason == "length"
                end = first_block_end(text) if sampling.stop_at_code_end else None
                if end is not None:
                    text = text[:end]
                    n, truncated = len(self.tokenizer(text, add_special_tokens=False)["input_ids"]), False
                comps.append(Completion(text, n, truncated))
            out.append(comps)
        return out
