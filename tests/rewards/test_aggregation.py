"""reward.aggregation through TRL's own advantage code (GRPOTrainer._generate_and_score_completions
on a tiny real model): under `sum` lambda cancels in a group whose unit rewards are all equal,
under the default (normalize_then_sum, GDPO) it does not; gated pays Ruff only to passing code."""

from __future__ import annotations

import pytest

from rlvr_sweeps.config.reward import Aggregation, RewardComponent, RewardConfig
from rlvr_sweeps.rewards.aggregation import AGGREGATIONS, trl_aggregation

G = 4
# Group A: every completion passes (constant unit reward), Ruff varies. Group B: unit varies.
UNIT = {"A": [1.0, 1.0, 1.0, 1.0], "B": [1.0, 0.0, 0.0, 1.0]}
RUFF = {"A": [0.0, -0.1, -0.5, -0.9], "B": [-0.2, 0.0, -0.7, -0.3]}


def _fake(name, table):
    def func(prompts, completions, group, **_):
        seen: dict[str, int] = {}
        out = []
        for g in group:
            out.append(table[g][seen.get(g, 0)])
            seen[g] = seen.get(g, 0) + 1
        return out

    func.__name__ = name
    return func


@pytest.fixture(scope="module")
def advantages(tmp_path_factory, shared_data):
    import torch
    from datasets import Dataset
    from transformers import AutoTokenizer, Qwen3Config, Qwen3ForCausalLM
    from trl import GRPOConfig, GRPOTrainer

    tokenizer = AutoTokenizer.from_pretrained(shared_data / "tokenizers" / "qwen3")
    torch.manual_seed(0)
    model = Qwen3ForCausalLM(Qwen3Config(
        vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=1, head_dim=8, pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
    ))
    rows = [{"prompt": "a", "group": "A"}, {"prompt": "b", "group": "B"}]

    def run(aggregation: Aggregation, lam: float) -> list[float]:
        cfg = RewardConfig(name="combined", aggregation=aggregation,
                           components=[RewardComponent("unit", 1.0), RewardComponent("ruff", lam)])
        funcs, weights = AGGREGATIONS[aggregation](cfg, [_fake("unit", UNIT), _fake("ruff", RUFF)])
        args = GRPOConfig(
            output_dir=str(tmp_path_factory.mktemp("trl")), per_device_train_batch_size=2 * G, num_generations=G,
            max_completion_length=2, report_to="none", use_cpu=True, save_strategy="no", reward_weights=weights,
            multi_objective_aggregation=trl_aggregation(cfg), scale_rewards="group", seed=0,
        )
        trainer = GRPOTrainer(model=model, reward_funcs=funcs, args=args, processing_class=tokenizer,
                              train_dataset=Dataset.from_list(rows))
        trainer.model.train()
        out = trainer._generate_and_score_completions([rows[0]] * G + [rows[1]] * G)
        return out["advantages"].tolist()

    return run


def test_default_aggregation_is_one_where_lambda_matters():
    assert RewardConfig().aggregation is Aggregation.normalize_then_sum


def test_lambda_cancels_under_sum_and_matters_under_the_default(advantages):
    sum_big, sum_small = advantages(Aggregation.sum, 0.2), advantages(Aggregation.sum, 0.02)
    # group A: lambda has no effect (the pathology), up to TRL's 1e-4 added to the std (1 % at lambda = 0.02)
    assert sum_big[:G] == pytest.approx(sum_small[:G], rel=0.02)
    gdpo_big, gdpo_small = advantages(Aggregation.normalize_then_sum, 0.2), advantages(Aggregation.normalize_then_sum, 0.02)
    assert max(abs(a - b) for a, b in zip(gdpo_big[:G], gdpo_small[:G], strict=True)) > 0.05
    assert abs(gdpo_big[0]) > 10 * abs(gdpo_small[0]) * 0.5  # Ruff's share of group A's advantage scales with lambda


def test_gated_pays_ruff_only_to_passing_completions(advantages):
    gated = advantages(Aggregation.gated, 0.2)
    b = gated[G:]  # group B: the two failing completions get the same advantage whatever their Ruff value
    assert b[1] == pytest.approx(b[2], abs=1e-4)
    assert b[0] > b[3]  # both pass; the one with the better Ruff value wins
