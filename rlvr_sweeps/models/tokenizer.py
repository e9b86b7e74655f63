"""Tokenizers: the offline builtin one, or any tokenizer transformers can load.

The builtin tokenizer is byte-level BPE (every string, unicode included, round-trips exactly)
with merges learned deterministically from the embedded tasks and their prompts, so tiny models
on the default profile see code as a few hundred tokens, not thousands of bytes. Its specials
and ChatML template mirror Qwen3's (including the non-thinking `<think>\\n\\n</think>` prefix),
so the code path of the tiny default is the one the real Qwen3 takes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerBase, PreTrainedTokenizerFast

from rlvr_sweeps.config.data import DataConfig
from rlvr_sweeps.config.model import ModelConfig
from rlvr_sweeps.data import build_prompt
from rlvr_sweeps.data.mbpp import load_embedded
from rlvr_sweeps.extract import fence_code

PAD, IM_START, IM_END, THINK, THINK_END = "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"
SPECIAL_TOKENS = [PAD, IM_START, IM_END, THINK, THINK_END]
BUILTIN_MERGES = 400  # more merges = shorter sequences but a bigger embedding table for tiny models

# ChatML as in Qwen3: string or text-part content; the generation prompt gets an empty think
# block when enable_thinking is false (Qwen3's non-thinking mode).
CHATML_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' -}}"
    "{%- if message['content'] is string -%}{{- message['content'] -}}"
    "{%- else -%}{%- for part in message['content'] -%}{{- part['text'] -}}{%- endfor -%}{%- endif -%}"
    "{{- '<|im_end|>\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}"
    "{%- if enable_thinking is defined and enable_thinking is false -%}{{- '<think>\\n\\n</think>\\n\\n' -}}{%- endif -%}"
    "{%- endif -%}"
)


def _corpus() -> Iterator[str]:
    """What the merges are learned from: the embedded problems as the model sees them (prompt)
    and as it should answer (fenced code)."""
    for task in load_embedded(DataConfig()):
        yield build_prompt(task)
        yield fence_code(task.reference)


@lru_cache(maxsize=1)
def _builtin_json() -> str:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    trainer = trainers.BpeTrainer(
        vocab_size=len(SPECIAL_TOKENS) + len(alphabet) + BUILTIN_MERGES,
        min_frequency=2,
        initial_alphabet=alphabet,
        special_tokens=SPECIAL_TOKENS,
        show_progress=False,
    )
    tok.train_from_iterator(list(_corpus()), trainer)
    return tok.to_str()


def builtin_tokenizer() -> PreTrainedTokenizerFast:
    """A fresh instance each call (callers change padding_side etc.); training happens once."""
    return PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer.from_str(_builtin_json()),
        eos_token=IM_END,
        pad_token=PAD,
        padding_side="left",
        clean_up_tokenization_spaces=False,
        chat_template=CHATML_TEMPLATE,
        model_max_length=4096,
    )


BUILTIN_TOKENIZERS: dict[str, Callable[[], PreTrainedTokenizerBase]] = {"builtin": builtin_tokenizer}


def load_tokenizer(model_cfg: ModelConfig) -> PreTrainedTokenizerBase:
    """model.tokenizer = "builtin" (offline), a local dir or hub id, or "" for model.path.
    Left padding (batched generation needs it) and a pad token are always set."""
    name = model_cfg.tokenizer or model_cfg.path
    if name in BUILTIN_TOKENIZERS:
        tok = BUILTIN_TOKENIZERS[name]()
    else:
        try:
            tok = AutoTokenizer.from_pretrained(name)
        except OSError as e:
            raise OSError(
                f"cannot load tokenizer {name!r} ({str(e).splitlines()[0]}): set model.tokenizer to a local "
                "directory, or 'builtin' for the offline tokenizer"
            ) from None
    tok.padding_side = "left"
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


# The date Llama-3.x chat templates print in their system header ("Today Date: ..."). Unpinned
# they call strftime_now(), so every prompt changed from day to day (and across a resumed run);
# this is the templates' own fallback when no clock is available.
PINNED_DATE = "26 Jul 2024"


def chat_template_kwargs(tokenizer: PreTrainedTokenizerBase, model_cfg: ModelConfig) -> dict[str, Any]:
    """Extra template variables for templates that read them: `enable_thinking` (Qwen3) and a
    pinned `date_string` (Llama 3.x), so a prompt is the same string every day. Also what is
    passed as GRPOConfig(chat_template_kwargs=...), so TRL renders training prompts the same way
    evaluation does."""
    template = (
        tokenizer.chat_template if isinstance(tokenizer.chat_template, str) else str(tokenizer.chat_template)
    ) or ""
    kwargs: dict[str, Any] = {}
    if "enable_thinking" in template:
        kwargs["enable_thinking"] = model_cfg.enable_thinking
    if "date_string" in template or "strftime_now" in template:
        kwargs["date_string"] = PINNED_DATE
    return kwargs


def apply_chat(
    tokenizer: PreTrainedTokenizerBase,
    messages: list[dict[str, Any]],
    model_cfg: ModelConfig,
    add_generation_prompt: bool = True,
) -> str:
    """Render chat messages to the prompt string the model continues."""
    if not tokenizer.chat_template:
        raise ValueError(
            f"model '{model_cfg.name}': tokenizer has no chat template; set model.chat=false for plain prompts"
        )
    return tokenizer.apply_chat_template(
        messages,
        tokenize=False,
        add_generation_prompt=add_generation_prompt,
        **chat_template_kwargs(tokenizer, model_cfg),
    )
