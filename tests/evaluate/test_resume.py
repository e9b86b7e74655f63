"""A half-done evaluation continues where it stopped: the chunks in problems.jsonl are kept, the
rest is generated, and the result equals an uninterrupted run's."""

from __future__ import annotations

import json

import pytest
from hydra import compose, initialize_config_dir

from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.paths import conf_dir


def _flaky_class():
    from rlvr_sweeps.evaluate.generators import Generator

    return type("Flaky", (_Flaky, Generator), {})


class _Flaky:
    """Wraps a real generator that dies (like a time limit) once it has answered `limit` generate calls."""

    def __init__(self, inner, limit=None):
        self.inner, self.limit, self.calls, self.name = inner, limit, 0, inner.name

    def generate(self, requests, sampling):
        if self.limit is not None and self.calls >= self.limit:
            raise KeyboardInterrupt("time limit")
        self.calls += 1
        return self.inner.generate(requests, sampling)


def _setup(tmp_path):
    from rlvr_sweeps.data import load_tasks
    from rlvr_sweeps.evaluate.generators import build_generator
    from rlvr_sweeps.models import load_tokenizer

    register_configs()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        conf = to_config(compose("config", overrides=[
            f"output_dir={tmp_path}", "logger=none", "model.warm_start_steps=0", "data.max_eval_tasks=12",
            "eval.batch_size=1", "eval.max_new_tokens=8", "eval.plus=false", "eval.n_samples=0"]))
    tokenizer = load_tokenizer(conf.model)
    return conf, tokenizer, load_tasks(conf.data, conf.data.eval_split), build_generator(conf, tokenizer)


def Flaky(inner, limit=None):  # noqa: N802 - reads like the class it builds
    return _flaky_class()(inner, limit)


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_interrupted_evaluation_resumes_and_equals_an_uninterrupted_one(tmp_path):
    from rlvr_sweeps.evaluate import evaluate_policy

    conf, tok, tasks, gen = _setup(tmp_path)  # 12 tasks, chunks of 4 (CHUNK_BATCHES x batch_size 1)
    full = evaluate_policy(Flaky(gen), tok, tasks, conf, tmp_path / "full", "base")
    first = Flaky(gen, limit=2)  # chunks 0 and 1 done, dies in chunk 2
    with pytest.raises(KeyboardInterrupt):
        evaluate_policy(first, tok, tasks, conf, tmp_path / "cut", "base")
    assert len(_rows(tmp_path / "cut" / "base" / "problems.jsonl")) == 8
    second = Flaky(gen)
    resumed = evaluate_policy(second, tok, tasks, conf, tmp_path / "cut", "base")
    assert second.calls == 1  # only chunk 2 was generated again
    assert resumed == full
    assert _rows(tmp_path / "cut" / "base" / "problems.jsonl") == _rows(tmp_path / "full" / "base" / "problems.jsonl")


def test_other_settings_start_over(tmp_path):
    from rlvr_sweeps.evaluate import evaluate_policy

    conf, tok, tasks, gen = _setup(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        evaluate_policy(Flaky(gen, limit=2), tok, tasks, conf, tmp_path / "cut", "base")
    conf.eval.max_new_tokens = 6  # a different evaluation: its old rows must not be reused
    again = Flaky(gen)
    evaluate_policy(again, tok, tasks, conf, tmp_path / "cut", "base")
    assert again.calls == 3 and len(_rows(tmp_path / "cut" / "base" / "problems.jsonl")) == 12


def test_a_base_evaluation_is_identified_by_the_base_weights_not_the_frozen_adapter(tmp_path):
    """peft freezes the adapter inside disable_adapter(): the base evaluation's resume marker then
    had no trainable tensor to name and matched any base. It names the base weights now."""
    import torch
    from peft import LoraConfig, get_peft_model

    from rlvr_sweeps.evaluate.resume import policy_id
    from rlvr_sweeps.models import load_model, load_tokenizer

    conf = _setup(tmp_path)[0]
    policy = get_peft_model(load_model(conf.model, conf.base_seed, tokenizer=load_tokenizer(conf.model)),
                            LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
    adapter = next(p for n, p in policy.named_parameters() if "lora_A" in n)
    base = next(p for n, p in policy.named_parameters() if "embed_tokens" in n)
    with policy.disable_adapter():
        assert not any(p.requires_grad for p in policy.parameters())
        before = policy_id(policy)
        with torch.no_grad():
            adapter.add_(1.0)
        assert policy_id(policy) == before  # the adapter is off: it is not what the base rows depend on
        with torch.no_grad():
            base.mul_(1.5)
        assert policy_id(policy) != before  # another warm start: the old base rows are not reused
    trained = policy_id(policy)
    with torch.no_grad():
        adapter.add_(1.0)
    assert policy_id(policy) != trained  # outside, the adapter names a trained policy
