"""The combined reward in a real (tiny) TRL GRPOTrainer run: unit and ruff are two reward
functions, logged separately, and TRL's logged total is their weighted sum."""

from __future__ import annotations

import json
import math

from rlvr_sweeps.config.reward import RewardComponent, RewardConfig
from rlvr_sweeps.config.sandbox import SandboxConfig
from rlvr_sweeps.rewards import build_reward_funcs

LAMBDA = 0.2


def _mbpp_rows(shared_data, n):
    rows = []
    with open(shared_data / "mbpp" / "mbpp.jsonl", encoding="utf-8") as fh:
        for line in fh:
            task = json.loads(line)
            if 601 <= task["task_id"]:  # train split only
                rows.append(
                    {
                        "prompt": [{"role": "user", "content": task["text"] + "\n" + task["test_list"][0]}],
                        "tests": task["test_list"],
                        "setup": task["test_setup_code"],
                    }
                )
            if len(rows) == n:
                return rows
    return rows


def test_combined_reward_logs_unit_and_ruff_separately(tmp_path, shared_data):
    import torch
    from datasets import Dataset
    from transformers import AutoTokenizer, Qwen3Config, Qwen3ForCausalLM
    from trl import GRPOConfig, GRPOTrainer

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(shared_data / "tokenizers" / "qwen3")
    config = Qwen3Config(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=16,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    model = Qwen3ForCausalLM(config)
    reward_cfg = RewardConfig(
        name="combined", components=[RewardComponent("unit", 1.0), RewardComponent("ruff", LAMBDA)], aggregation="sum"
    )
    funcs, weights = build_reward_funcs(reward_cfg, SandboxConfig(timeout_s=2.0, workers=1))
    args = GRPOConfig(
        output_dir=str(tmp_path),
        per_device_train_batch_size=4,
        num_generations=4,
        max_completion_length=8,
        max_steps=2,
        logging_steps=1,
        learning_rate=1e-4,
        report_to="none",
        use_cpu=True,
        save_strategy="no",
        reward_weights=weights,
        seed=0,
    )
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=funcs,
        args=args,
        train_dataset=Dataset.from_list(_mbpp_rows(shared_data, 4)),
        processing_class=tokenizer,
    )
    trainer.train()

    logs = [entry for entry in trainer.state.log_history if "rewards/unit/mean" in entry]
    assert len(logs) == 2
    for entry in logs:
        unit, ruff = entry["rewards/unit/mean"], entry["rewards/ruff/mean"]
        assert 0.0 <= unit <= 1.0 and -1.0 <= ruff <= 0.0
        assert math.isclose(entry["reward"], unit + LAMBDA * ruff, abs_tol=1e-5)  # TRL summed the two
        # the rewards' own stats came through TRL's log_metric hook
        assert 0.0 <= entry["unit/pass_rate"] <= 1.0
        assert "unit/error/no_code" in entry and "answer/no_code_share" in entry
