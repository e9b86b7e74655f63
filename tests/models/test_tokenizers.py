"""The builtin offline tokenizer, and the real Qwen3 tokenizer through the same loader."""

from __future__ import annotations

import pytest

from rlvr_sweeps.config.data import DataConfig, DataSource
from rlvr_sweeps.config.model import ModelConfig, ModelKind
from rlvr_sweeps.data import load_tasks
from rlvr_sweeps.models import apply_chat, chat_template_kwargs, load_tokenizer
from rlvr_sweeps.models import tokenizer as tokenizer_module

NON_THINKING = "<|im_start|>assistant\n<think>\n\n</think>\n\n"
MESSAGES = [{"role": "user", "content": "Write a function to add two numbers."}]


@pytest.fixture(scope="module")
def builtin():
    return load_tokenizer(ModelConfig())


@pytest.mark.parametrize(
    "text",
    [
        "def add(a, b):\n    return a + b\n",
        "\tx = {'k': [1, 2.5e-3]}\r\n# ünïcödé ✓ 日本語 🙂\n",
        "```python\nprint('hi')\n```",
        "",
    ],
)
def test_builtin_round_trips_exactly(builtin, text):
    assert builtin.decode(builtin(text)["input_ids"]) == text


def test_builtin_compresses_code_and_is_deterministic(builtin):
    tasks = load_tasks(DataConfig(name="embedded", source=DataSource.embedded), "test")  # held-out problems: merges generalise, not memorise
    chars = sum(len(t.reference) for t in tasks)
    tokens = sum(len(builtin(t.reference)["input_ids"]) for t in tasks)
    assert tokens < 0.5 * chars
    first = tokenizer_module._builtin_json()
    tokenizer_module._builtin_json.cache_clear()
    assert tokenizer_module._builtin_json() == first


def test_builtin_specials_padding_and_chat_template(builtin):
    assert builtin.padding_side == "left"
    assert builtin.pad_token == "<|endoftext|>" and builtin.eos_token == "<|im_end|>"
    for special in ("<|im_start|>", "<|im_end|>", "<think>", "</think>"):
        assert len(builtin(special)["input_ids"]) == 1
    prompt = apply_chat(builtin, MESSAGES, ModelConfig(enable_thinking=False))
    assert prompt == "<|im_start|>user\nWrite a function to add two numbers.<|im_end|>\n" + NON_THINKING
    thinking = apply_chat(builtin, MESSAGES, ModelConfig(enable_thinking=True))
    assert thinking.endswith("<|im_start|>assistant\n") and "<think>" not in thinking
    assert chat_template_kwargs(builtin, ModelConfig()) == {"enable_thinking": False}
    batch = builtin(["a", "a much longer line of code"], padding=True)
    assert batch["input_ids"][0][0] == builtin.pad_token_id and batch["attention_mask"][0][0] == 0


@pytest.mark.parametrize("kind", [ModelKind.reference, ModelKind.null])
def test_pseudo_policies_get_the_builtin_tokenizer(kind):
    tok = load_tokenizer(ModelConfig(name=kind.value, kind=kind, chat=False))
    assert len(tok("def f():\n    return 1")["input_ids"]) > 0


def test_real_qwen3_tokenizer_non_thinking(shared_data, qwen3_tokenizer):
    cfg = ModelConfig(tokenizer=str(shared_data / "tokenizers" / "qwen3"))
    tok = qwen3_tokenizer
    assert len(tok) == 151669 and tok.padding_side == "left" and tok.pad_token == "<|endoftext|>"
    assert tok("def add(a, b):\n    return a + b")["input_ids"] == [
        750,
        912,
        2877,
        11,
        293,
        982,
        262,
        470,
        264,
        488,
        293,
    ]
    assert apply_chat(tok, MESSAGES, cfg).endswith(NON_THINKING)
    assert not apply_chat(tok, MESSAGES, ModelConfig(tokenizer=cfg.tokenizer, enable_thinking=True)).endswith(
        NON_THINKING
    )


def test_missing_tokenizer_dir_is_a_clear_error(tmp_path):
    with pytest.raises(OSError, match="cannot load tokenizer .* set model.tokenizer to a local directory"):
        load_tokenizer(ModelConfig(tokenizer=str(tmp_path / "missing")))


def test_no_chat_template_says_to_use_plain_prompts():
    tok = load_tokenizer(ModelConfig())  # a fresh instance: the module fixture stays intact
    tok.chat_template = None
    with pytest.raises(ValueError, match="model.chat=false"):
        apply_chat(tok, MESSAGES, ModelConfig())
