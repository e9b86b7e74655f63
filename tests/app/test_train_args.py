"""GRPOConfig is configured from our Config, and TRL accepts every argument."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir

from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.paths import conf_dir
from rlvr_sweeps.train import grpo_config_kwargs


def grpo_config(tmp_path, *overrides: str):
    from trl import GRPOConfig

    register_configs()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        conf = to_config(compose("config", overrides=[f"output_dir={tmp_path}", *overrides]))
    return GRPOConfig(**grpo_config_kwargs(conf, tmp_path / "ckpt", report_to=["wandb"], use_cpu=True))


def test_gspo_reaches_trl_as_sequence_level_and_off_policy(tmp_path):
    args = grpo_config(tmp_path, "algo=gspo")
    assert args.importance_sampling_level == "sequence" and args.epsilon == pytest.approx(3e-4)
    assert args.steps_per_generation > args.gradient_accumulation_steps


def test_save_steps_zero_disables_checkpoints_and_positive_enables_them(tmp_path):
    assert grpo_config(tmp_path, "train.save_steps=0").save_strategy.value == "no"
    args = grpo_config(tmp_path, "train.save_steps=3")
    assert (args.save_strategy.value, args.save_steps) == ("steps", 3)


def test_trl_default_activation_checkpointing_is_overridden(tmp_path):
    assert grpo_config(tmp_path).activation_checkpointing is False
    assert grpo_config(tmp_path, "train.gradient_checkpointing=true").activation_checkpointing is True
