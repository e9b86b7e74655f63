"""TRL's disable_dropout reaches the LoRA dropout modules of the policy it builds: with dropout off
(the default) the old log-probs TRL computes in train mode equal the new ones of an unchanged policy."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir

from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.paths import conf_dir


def _lora_dropout_ps(tmp_path, *overrides: str) -> list[float]:
    import torch

    from rlvr_sweeps.data import load_tasks
    from rlvr_sweeps.models import load_model, load_tokenizer
    from rlvr_sweeps.train.trainer import build_trainer

    register_configs()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        conf = to_config(compose("config", overrides=[f"output_dir={tmp_path}", "logger=none", "lora.dropout=0.05",
                                                      "data.max_train_tasks=4", *overrides]))
    tokenizer = load_tokenizer(conf.model)
    model = load_model(conf.model, conf.seed, tokenizer=tokenizer)
    trainer = build_trainer(conf, model, tokenizer, load_tasks(conf.data, conf.data.train_split), tmp_path / "c")
    return [m.p for n, m in trainer.model.named_modules() if "lora_dropout" in n and isinstance(m, torch.nn.Dropout)]


@pytest.mark.parametrize(("flag", "expected"), [("true", 0.0), ("false", 0.05)])
def test_lora_dropout_follows_train_disable_dropout(tmp_path, flag, expected):
    ps = _lora_dropout_ps(tmp_path, f"train.disable_dropout={flag}")
    assert ps and all(p == pytest.approx(expected) for p in ps)
