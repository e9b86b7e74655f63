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
    assert args.importance_sampling_level == "sequence" and args.epsilon == pytest.approx(3e-3)
    assert args.steps_per_generation > args.gradient_accumulation_steps


def test_save_steps_zero_disables_checkpoints_and_positive_enables_them(tmp_path):
    assert grpo_config(tmp_path, "train.save_steps=0").save_strategy.value == "no"
    args = grpo_config(tmp_path, "train.save_steps=3")
    assert (args.save_strategy.value, args.save_steps) == ("steps", 3)


def test_trl_default_activation_checkpointing_is_overridden(tmp_path):
    assert grpo_config(tmp_path).activation_checkpointing is False
    assert grpo_config(tmp_path, "train.gradient_checkpointing=true").activation_checkpointing is True


def test_vllm_knobs_reach_grpo_config(tmp_path):
    args = grpo_config(tmp_path, "train.use_vllm=true", "train.vllm_mode=server",
                       "train.vllm_gpu_memory_utilization=0.55", "train.vllm_max_model_length=1536",
                       "train.vllm_tensor_parallel_size=2", "train.vllm_enable_sleep_mode=true",
                       "train.vllm_server_base_url=http://gpu7:8001")
    assert (args.use_vllm, args.vllm_mode, args.vllm_gpu_memory_utilization) == (True, "server", 0.55)
    assert (args.vllm_max_model_length, args.vllm_tensor_parallel_size) == (1536, 2)
    assert args.vllm_enable_sleep_mode is True and args.vllm_server_base_url == "http://gpu7:8001"


def test_vllm_context_defaults_to_a_bounded_length_not_the_models(tmp_path):
    assert grpo_config(tmp_path).vllm_max_model_length == 2048
    assert grpo_config(tmp_path, "train.vllm_max_model_length=null").vllm_max_model_length is None


@pytest.mark.parametrize("bad", ["train.vllm_gpu_memory_utilization=1.5", "train.vllm_max_model_length=16",
                                 "train.vllm_mode=remote"])
def test_bad_vllm_settings_fail_at_compose_time(tmp_path, bad):
    from hydra.errors import ConfigCompositionException

    from rlvr_sweeps.config import ConfigError

    with pytest.raises((ConfigError, ConfigCompositionException)):
        grpo_config(tmp_path, bad)


def test_dropout_is_off_by_default_and_ddp_skips_the_unused_parameter_search(tmp_path):
    args = grpo_config(tmp_path)
    assert args.disable_dropout is True and args.ddp_find_unused_parameters is False
    assert grpo_config(tmp_path, "train.disable_dropout=false").disable_dropout is False
