"""TRL's GRPOTrainer configured for one job: LoRA through `peft_config`, rewards, GRPOConfig.

Imports torch/TRL: load it inside a job only. Passing `peft_config` (rather than a PeftModel) is
what TRL documents for LoRA: the trainer wraps the model, freezes the base weights and, with
beta > 0, uses the adapter-disabled model as the reference without a second copy. With
`train.stop_at_code_end` the trainer is `CodeEndGRPOTrainer` (rollouts end at the answer's fence).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from peft import LoraConfig
from trl import GRPOConfig, GRPOTrainer

from rlvr_sweeps.config import Config
from rlvr_sweeps.data import to_trl_dataset
from rlvr_sweeps.models.tokenizer import chat_template_kwargs
from rlvr_sweeps.rewards import build_reward_funcs
from rlvr_sweeps.train import grpo_config_kwargs
from rlvr_sweeps.train.code_end import CodeEndGRPOTrainer


def lora_config(conf: Config) -> LoraConfig:
    return LoraConfig(
        r=conf.lora.r,
        lora_alpha=conf.lora.alpha,
        lora_dropout=conf.lora.dropout,
        target_modules=list(conf.model.lora_target_modules),
        task_type="CAUSAL_LM",
    )


def grpo_args(conf: Config, tokenizer: Any, output_dir: str | Path, report_to: list[str], run_name: str | None,
              reward_weights: list[float]) -> GRPOConfig:
    return GRPOConfig(
        **grpo_config_kwargs(
            conf,
            output_dir,
            report_to=report_to,
            use_cpu=not torch.cuda.is_available(),
            reward_weights=reward_weights,
            run_name=run_name,
            chat_template_kwargs=chat_template_kwargs(tokenizer, conf.model) if conf.model.chat else None,
        )
    )


def build_trainer(
    conf: Config,
    model: Any,
    tokenizer: Any,
    train_tasks: Sequence[Any],
    output_dir: str | Path,
    *,
    report_to: list[str] = (),
    run_name: str | None = None,
    callbacks: list[Any] = (),
) -> GRPOTrainer:
    reward_funcs, reward_weights = build_reward_funcs(conf.reward, conf.sandbox)
    trainer_class = CodeEndGRPOTrainer if conf.train.stop_at_code_end else GRPOTrainer
    return trainer_class(
        model=model,
        reward_funcs=reward_funcs,
        args=grpo_args(conf, tokenizer, output_dir, list(report_to), run_name, reward_weights),
        train_dataset=to_trl_dataset(list(train_tasks), conf.model, conf.data),
        processing_class=tokenizer,
        peft_config=lora_config(conf),
        callbacks=list(callbacks),
    )
