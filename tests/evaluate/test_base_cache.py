"""The base evaluation is paid for once per process: a second cell with the same base weights,
tasks, settings and seed gets the first cell's rows (which equal a fresh evaluation's), and anything
the rows depend on (the frozen weights, the seed, the settings) makes it evaluate again."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hydra import compose, initialize_config_dir

from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.paths import conf_dir


def _conf(tmp_path, *extra):
    register_configs()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        return to_config(compose("config", overrides=[
            f"output_dir={tmp_path}", "logger=none", "model.warm_start_steps=0", "data.max_eval_tasks=6",
            "eval.batch_size=3", "eval.max_new_tokens=8", "eval.plus=false", "eval.n_samples=2", "eval.ks=[1,2]", *extra]))


class _Counting:
    def __init__(self, inner):
        self.inner, self.calls, self.name = inner, 0, inner.name

    def generate(self, requests, sampling):
        self.calls += 1
        return self.inner.generate(requests, sampling)


@pytest.fixture
def setup(tmp_path):
    from peft import LoraConfig, get_peft_model

    from rlvr_sweeps.data import load_tasks
    from rlvr_sweeps.evaluate import base_cache
    from rlvr_sweeps.evaluate.generators import Generator, HFGenerator
    from rlvr_sweeps.models import load_model, load_tokenizer

    base_cache.clear()
    conf = _conf(tmp_path)
    tok = load_tokenizer(conf.model)
    policy = get_peft_model(load_model(conf.model, conf.base_seed, tokenizer=tok),
                            LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
    counting = type("Counting", (_Counting, Generator), {})

    def generator():
        return counting(HFGenerator(policy, tok, conf.eval.batch_size, progress=False))

    yield conf, tok, policy, load_tasks(conf.data, conf.data.eval_split), generator
    base_cache.clear()


def _files(folder):
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


def test_second_cell_reuses_the_base_rows_exactly_and_any_change_evaluates_again(tmp_path, setup):
    import torch

    from rlvr_sweeps.evaluate import base_cache
    from rlvr_sweeps.evaluate.shard import Shard

    conf, tok, policy, tasks, generator = setup
    with torch.no_grad():  # a trained adapter: it is off in the base evaluation, so it must not matter
        for name, p in policy.named_parameters():
            if "lora_B" in name:
                p.add_(0.05)

    def run(cell, conf=conf):
        gen = generator()
        with policy.disable_adapter():
            metrics = base_cache.evaluate_base(gen, policy, tok, tasks, conf, tmp_path / cell / "eval", Shard())
        return metrics, gen.calls

    first, calls = run("a")
    assert calls == 2  # one chunk of 6 tasks: a greedy and a sampled generate() call
    with torch.no_grad():  # the next cell trained its adapter differently: still the same base
        for name, p in policy.named_parameters():
            if "lora_" in name:
                p.mul_(1.5)
    second, calls = run("b")
    assert calls == 0 and second == first
    a, b = tmp_path / "a/eval/base", tmp_path / "b/eval/base"
    assert _files(b)["problems.jsonl"] == _files(a)["problems.jsonl"]
    assert json.loads(_files(b)["summary.json"])["reused_from"] == str((tmp_path / "a").resolve())

    base_cache.clear()  # what a fresh evaluation of the same base gives: the reused rows, row for row
    fresh, calls = run("c")
    assert calls == 2 and fresh == first
    assert _files(tmp_path / "c/eval/base")["problems.jsonl"] == _files(a)["problems.jsonl"]

    _, calls = run("d", dataclasses.replace(conf, seed=conf.seed + 1))  # other sampling seed
    assert calls == 2
    _, calls = run("e", dataclasses.replace(conf, eval=dataclasses.replace(conf.eval, temperature=0.5)))
    assert calls == 2
    with torch.no_grad():  # another base (a different warm start, a merge round trip that was not exact)
        next(p for p in policy.parameters() if not p.requires_grad).add_(1e-3)
    _, calls = run("f")
    assert calls == 2
    _, calls = run("g")
    assert calls == 0
