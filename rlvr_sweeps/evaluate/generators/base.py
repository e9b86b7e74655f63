"""The generation interface evaluation talks to: requests in, completions out.

A backend only turns prompts into text; building prompts, scoring and statistics live in
evaluation, so a new backend (vLLM, an API) is one small module registered in
``rlvr_sweeps.evaluate.generators.BACKENDS``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rlvr_sweeps.extract import code_end_tokens


@dataclass(frozen=True)
class Request:
    """One task to complete: the task (pseudo-policies read its reference) and its prompt, as
    text already formatted by the chat template when the model is a chat model."""

    task: Any
    prompt: str


@dataclass(frozen=True)
class Sampling:
    """n completions per request; greedy ignores temperature/top_p (and needs n == 1)."""

    n: int = 1
    greedy: bool = True
    temperature: float = 1.0
    top_p: float = 1.0
    max_new_tokens: int = 64
    seed: int = 0
    stop_at_code_end: bool = True

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"Sampling.n must be >= 1, got {self.n}")
        if self.greedy and self.n != 1:
            raise ValueError("greedy decoding gives one completion per prompt: use n=1 or greedy=False")


@dataclass(frozen=True)
class Completion:
    text: str
    n_tokens: int  # generated tokens up to and including EOS / the closing fence
    truncated: bool  # stopped by max_new_tokens, not by EOS or the end of the code block


def cut_completion(tokenizer: Any, ids: Sequence[int], eos: Sequence[int], sampling: Sampling,
                   entry_point: str | None = None) -> Completion:
    """The Completion of a row of generated ids: cut after the first EOS or, with
    ``stop_at_code_end``, after the token that closes the answer block of the task whose entry
    point is ``entry_point`` (``rlvr_sweeps.extract.code_end_tokens``). One rule for every backend:
    hf's stopping criterion only saves the compute after that token, vLLM cannot stop there."""
    ids = list(ids)
    ended = next((k + 1 for k, t in enumerate(ids) if t in eos), None)
    stop = code_end_tokens(tokenizer, ids[:ended], entry_point) if sampling.stop_at_code_end else None
    n = min(x for x in (ended, stop, len(ids)) if x is not None)
    truncated = ended is None and stop is None and n >= sampling.max_new_tokens
    return Completion(tokenizer.decode(ids[:n], skip_special_tokens=True), n, truncated)


def adds_special_tokens(tokenizer: Any, prompt: str) -> bool:
    """Whether tokenizing ``prompt`` should add the tokenizer's special tokens: not when the text
    already starts with BOS (chat templates write it), else the model would see two."""
    bos = getattr(tokenizer, "bos_token", None)
    return not (bos and prompt.startswith(bos))


def prompt_token_ids(tokenizer: Any, prompt: str) -> list[int]:
    """The token ids a backend feeds the model for ``prompt``: one rule for every backend."""
    return list(tokenizer(prompt, add_special_tokens=adds_special_tokens(tokenizer, prompt))["input_ids"])


class Generator(ABC):
    """Produces ``sampling.n`` completions for every request, in request order."""

    name: str = "generator"

    @abstractmethod
    def generate(self, requests: Sequence[Request], sampling: Sampling) -> list[list[Completion]]: ...
