"""Our trainer configuration trains the LoRA adapter and leaves the base weights untouched."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir

from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.paths import conf_dir


def compose_conf(tmp_path, *overrides: str):
    register_configs()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        return to_config(compose("config", overrides=[f"output_dir={tmp_path}", *overrides]))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Two GRPO steps on the tiny model. The reward must vary inside a group or every advantage is 0
    and nothing moves: after the job's own warm start the model writes code (a random model writes
    none, and every no_code answer gets the same reward), and the inverse Ruff form grades it."""
    import torch

    from rlvr_sweeps.data import load_tasks
    from rlvr_sweeps.models import load_model, load_tokenizer
    from rlvr_sweeps.models.warm_start import warm_start
    from rlvr_sweeps.train.trainer import build_trainer

    tmp = tmp_path_factory.mktemp("lora")
    conf = compose_conf(tmp, "reward=ruff", "reward.ruff.form=inverse", "train.max_steps=2", "lora.dropout=0",
                        "data.max_train_tasks=4", "train.max_completion_length=24", "logger=none",
                        "model.warm_start_steps=400", "model.warm_start_target=null")  # 4 tasks never reach the target
    tokenizer = load_tokenizer(conf.model)
    model = load_model(conf.model, conf.seed, tokenizer=tokenizer)
    warm_start(model, tokenizer, conf)
    trainer = build_trainer(conf, model, tokenizer, load_tasks(conf.data, conf.data.train_split), tmp / "ckpt")
    before = {n: p.detach().clone() for n, p in trainer.model.named_parameters()}
    trainer.train()
    after = {n: p.detach() for n, p in trainer.model.named_parameters()}
    changed = {n for n in before if not torch.equal(before[n], after[n])}
    return before, changed, trainer


def test_some_lora_weights_change(trained):
    before, changed, _ = trained
    lora = {n for n in before if "lora_" in n}
    assert lora and changed & lora


def test_no_base_weight_changes(trained):
    before, changed, _ = trained
    base = {n for n in before if "lora_" not in n}
    assert base and not changed & base


def test_only_lora_weights_are_trainable(trained):
    _, _, trainer = trained
    trainable = {n for n, p in trainer.model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n for n in trainable)
