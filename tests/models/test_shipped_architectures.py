"""The real Qwen3-0.6B / Llama-3.2-1B shapes ship with the package; their EOS lists survive loading."""

from __future__ import annotations

import pytest
import torch

from rlvr_sweeps.config.model import ModelConfig
from rlvr_sweeps.models.loading import generation_eos, merged_eos, model_config

# Published parameter counts (tied embeddings): what a wrong shipped field would change.
PARAMS = {"qwen3-0.6b": 596_049_920, "llama3.2-1b": 1_235_814_400, "llama3.2-1b-instruct": 1_235_814_400}


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_shipped_shape_has_the_published_parameter_count(name):
    from transformers import AutoModelForCausalLM

    config = model_config(ModelConfig(name=name, arch_config=name, config_overrides={}))  # the shipped shape alone
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    assert sum(p.numel() for p in model.parameters()) == PARAMS[name]


def test_unknown_shipped_config_fails_at_compose_time():
    with pytest.raises(ValueError, match="is not shipped; choose one of"):
        ModelConfig(arch_config="qwen3-8b")


def test_eos_lists_are_kept_and_merged():
    assert merged_eos([151645, 151643], 151645) == [151645, 151643]
    assert merged_eos([128001, 128008, 128009], 128009) == [128009, 128001, 128008]
    assert merged_eos(None, 7) == 7
    assert generation_eos(ModelConfig(arch_config="llama3.2-1b-instruct")) == [128001, 128008, 128009]
    assert generation_eos(ModelConfig(arch_config="llama3.2-1b")) == [128001]


def test_loaded_qwen3_shape_keeps_both_stop_ids(qwen3_tokenizer):
    """A 1-layer Qwen3-0.6B (real width, real vocab) with the real tokenizer: generation stops on
    <|im_end|> and on <|endoftext|>, as the checkpoint's generation_config says."""
    from rlvr_sweeps.models import load_model

    cfg = ModelConfig(name="qwen3-0.6b", arch_config="qwen3-0.6b", tokenizer="x",
                      config_overrides={"num_hidden_layers": 1})
    model = load_model(cfg, 0, tokenizer=qwen3_tokenizer)
    assert model.generation_config.eos_token_id == [151645, 151643]
    assert model.config.vocab_size == 151936 and model.config.hidden_size == 1024
