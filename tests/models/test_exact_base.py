"""vLLM training's merge/unmerge round trips drift bf16 base weights; the job's clean copy undoes it,
so the base evaluation afterwards gives exactly a fresh model's completions and verdicts."""

from __future__ import annotations

import torch
from hydra import compose, initialize_config_dir

from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.paths import conf_dir

SYNCS = 250  # what TRL does at every weight sync to vLLM: merge_adapter(), push, unmerge_adapter()


def _conf(tmp_path):
    register_configs()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        return to_config(compose("config", overrides=[
            f"output_dir={tmp_path}", "logger=none", "model.dtype=bfloat16", "model.warm_start_steps=0",
            "data.max_eval_tasks=3", "eval.max_new_tokens=12", "eval.plus=false", "train.use_vllm=true"]))


def _fresh(conf, tokenizer):
    from rlvr_sweeps.models import load_model

    return load_model(conf.model, conf.seed, tokenizer=tokenizer)


def _rows(out, label):
    from rlvr_sweeps.evaluate.records import read_problems

    return [(r["task_id"], r["completion"], r["passed"], r["error_type"]) for r in read_problems(out, label)]


def test_base_after_merge_cycles_is_the_fresh_model(tmp_path):
    from peft import get_peft_model

    from rlvr_sweeps.data import load_tasks
    from rlvr_sweeps.evaluate import evaluate_policy
    from rlvr_sweeps.job import _restore_exact_base, _snapshot_for_exact_base
    from rlvr_sweeps.models import load_tokenizer
    from rlvr_sweeps.train.trainer import lora_config

    conf = _conf(tmp_path)
    tokenizer = load_tokenizer(conf.model)
    tasks = load_tasks(conf.data, conf.data.eval_split)
    model = _fresh(conf, tokenizer)
    assert next(model.parameters()).dtype == torch.bfloat16
    clean = _snapshot_for_exact_base(conf, model)
    policy = get_peft_model(model, lora_config(conf))
    with torch.no_grad():  # a trained adapter: B != 0, so merging changes the weights
        gen = torch.Generator().manual_seed(1)
        for name, p in policy.named_parameters():
            if "lora_B" in name:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.05)
    for _ in range(SYNCS):
        policy.merge_adapter()
        policy.unmerge_adapter()
    fresh_state = _fresh(conf, tokenizer).state_dict()
    drifted = {n: t for n, t in policy.get_base_model().state_dict().items() if "lora_" not in n}
    n_drifted = sum(not torch.equal(t, fresh_state[n.replace(".base_layer", "")]) for n, t in drifted.items())
    assert n_drifted > 0, "the bf16 round trip was exact: this test would prove nothing"

    final: dict = {}
    _restore_exact_base(policy, clean, final)
    assert final["base_tensors_restored"] == n_drifted
    with policy.disable_adapter():
        evaluate_policy(policy, tokenizer, tasks, conf, tmp_path / "job", "base")
    evaluate_policy(_fresh(conf, tokenizer), tokenizer, tasks, conf, tmp_path / "fresh", "base")
    restored, reference = _rows(tmp_path / "job", "base"), _rows(tmp_path / "fresh", "base")
    assert len(restored) == len(tasks) * (1 + conf.eval.n_samples) and restored == reference  # greedy and sampled rows


def test_no_copy_without_vllm(tmp_path):
    from rlvr_sweeps.job import _snapshot_for_exact_base

    conf = _conf(tmp_path)
    conf.train.use_vllm = False
    assert _snapshot_for_exact_base(conf, torch.nn.Linear(2, 2)) is None
