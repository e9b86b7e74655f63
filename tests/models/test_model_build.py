"""Tiny real-architecture models: seeded random init, vocab sized to the tokenizer, every init path."""

from __future__ import annotations

import pytest
import torch

from rlvr_sweeps.config.model import Arch, ModelConfig, ModelInit, ModelKind
from rlvr_sweeps.models import ARCHITECTURES, ModelError, apply_chat, load_model, load_tokenizer

TINY = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 512,
}
TINY_CFGS = {
    "qwen3": ModelConfig(name="tiny-qwen3", arch=Arch.qwen3, config_overrides={**TINY, "head_dim": 8}),
    "llama": ModelConfig(name="tiny-llama", arch=Arch.llama, config_overrides=TINY),
}


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_registry_matches_the_config_enum():
    assert set(ARCHITECTURES) == {a.value for a in Arch}


@pytest.mark.parametrize("arch", sorted(TINY_CFGS))
def test_seeded_random_init_is_deterministic_and_leaves_global_rng_alone(arch):
    cfg = TINY_CFGS[arch]
    tok = load_tokenizer(cfg)
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    a = load_model(cfg, seed=0, tokenizer=tok)
    assert torch.equal(torch.rand(3), expected_next)  # global RNG untouched
    b = load_model(cfg, seed=0, tokenizer=tok)
    c = load_model(cfg, seed=1, tokenizer=tok)
    assert type(a) is ARCHITECTURES[arch].model_class
    assert _same_weights(a, b) and not _same_weights(a, c)
    assert a.get_input_embeddings().num_embeddings == len(tok)
    assert a.config.hidden_size == 32 and a.config.num_hidden_layers == 2
    assert a.generation_config.pad_token_id == tok.pad_token_id
    assert next(a.parameters()).dtype == torch.float32


def test_tiny_llama_batched_generation_with_left_padding():
    cfg = TINY_CFGS["llama"]
    tok = load_tokenizer(cfg)
    model = load_model(cfg, seed=0, tokenizer=tok)
    prompts = [
        apply_chat(tok, [{"role": "user", "content": c}], cfg) for c in ("hi", "a longer request here")
    ]
    batch = tok(prompts, return_tensors="pt", padding=True)
    out = model.generate(**batch, max_new_tokens=5, do_sample=False)
    assert out.shape[0] == 2 and out.shape[1] > batch["input_ids"].shape[1]
    single = model.generate(**tok(prompts[:1], return_tensors="pt"), max_new_tokens=5, do_sample=False)
    # left padding does not change the greedy continuation of the shorter prompt
    n = single.shape[1] - len(tok(prompts[0])["input_ids"])
    assert out[0, batch["input_ids"].shape[1] :][:n].tolist() == single[0, -n:].tolist()


def test_tiny_qwen3_with_the_real_qwen3_tokenizer_generates_non_thinking(shared_data, qwen3_tokenizer):
    cfg = ModelConfig(
        name="tiny-qwen3",
        tokenizer=str(shared_data / "tokenizers" / "qwen3"),
        config_overrides=TINY_CFGS["qwen3"].config_overrides,
    )
    tok = qwen3_tokenizer
    model = load_model(cfg, seed=0, tokenizer=tok)
    assert model.get_input_embeddings().num_embeddings == len(tok) == 151669
    prompt = apply_chat(tok, [{"role": "user", "content": "Write a function to add two numbers."}], cfg)
    assert prompt.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    ids = tok(prompt, return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=4, do_sample=False)
    assert out.shape[1] > ids["input_ids"].shape[1]
    assert isinstance(tok.decode(out[0, ids["input_ids"].shape[1] :]), str)


def test_random_init_from_a_path_config_and_pretrained_reload(tmp_path):
    cfg = TINY_CFGS["qwen3"]
    tok = load_tokenizer(cfg)
    saved = load_model(cfg, seed=3, tokenizer=tok)
    saved.save_pretrained(tmp_path)
    # init=random with a path: that config, new random weights, overrides still applied
    rand = load_model(ModelConfig(path=str(tmp_path), config_overrides={"num_hidden_layers": 1}), seed=3)
    assert rand.config.num_hidden_layers == 1 and rand.config.hidden_size == 32
    assert _same_weights(
        rand, load_model(ModelConfig(path=str(tmp_path), config_overrides={"num_hidden_layers": 1}), 3)
    )
    # init=pretrained: exactly the saved weights, whatever the seed
    pre = load_model(ModelConfig(path=str(tmp_path), init=ModelInit.pretrained, tokenizer="builtin"), seed=99)
    assert _same_weights(pre, saved)


def test_bad_model_configs_fail_clearly():
    with pytest.raises(ModelError, match="unknown to Qwen3Config: \\['hiden_size'\\]"):
        load_model(ModelConfig(config_overrides={"hiden_size": 8}), seed=0)
    with pytest.raises(ModelError, match="pseudo-policy"):
        load_model(ModelConfig(name="reference", kind=ModelKind.reference), seed=0)
    with pytest.raises(ValueError, match="init=pretrained needs model.path"):
        ModelConfig(init=ModelInit.pretrained)
