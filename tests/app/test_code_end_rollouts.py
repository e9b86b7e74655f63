"""train.stop_at_code_end in a real (tiny) TRL run: the rollouts TRL trains on end at their answer
block's closing fence, are the stock rollouts cut there token for token, keep the stock rewards and
advantages, and the transformers path stops generating there.

The tiny model is warm-started on "solution block, then an example-usage block" (what instruct
models write): stock TRL rollouts then hold text after the answer, which the stop must remove.
"""

from __future__ import annotations

import dataclasses

import pytest
from hydra import compose, initialize_config_dir

from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.extract import code_end_tokens, task_entry_point
from rlvr_sweeps.paths import conf_dir

pytestmark = pytest.mark.slow  # two warm-started TRL runs: ~40 s on 2 cores


def compose_conf(tmp_path, *overrides: str):
    register_configs()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        return to_config(compose("config", overrides=[f"output_dir={tmp_path}", *overrides]))


def with_usage_block(task):
    """The reference followed by a usage block: the warm start then teaches both blocks."""
    ep = task_entry_point(task)
    return dataclasses.replace(task, reference=f"{task.reference.strip()}\n```\nExample:\n```python\nprint({ep}(1))")


def one_step(tmp_path, stop: bool):
    """One optimizer step; returns (rollouts [(prompt ids, trained completion ids, advantage)],
    the rows generate fed back to the model (one token per decode step), trainer, tokenizer)."""
    from rlvr_sweeps.data import load_tasks
    from rlvr_sweeps.models import load_model, load_tokenizer
    from rlvr_sweeps.models.warm_start import warm_start
    from rlvr_sweeps.train.trainer import build_trainer

    conf = compose_conf(tmp_path, f"train.stop_at_code_end={str(stop).lower()}", "train.max_steps=1",
                        "lora.dropout=0", "data.max_train_tasks=2", "train.max_completion_length=64",
                        "model.warm_start_steps=120", "model.warm_start_target=null", "logger=none", "reward=unit",
                        # the small shipped tasks and one group of 4: the mechanism, not the default profile
                        "data=embedded", "train.per_device_train_batch_size=4", "algo.num_generations=4")
    tasks = [with_usage_block(t) for t in load_tasks(conf.data, conf.data.train_split)]
    tokenizer = load_tokenizer(conf.model)
    model = warm_start(load_model(conf.model, conf.seed, tokenizer=tokenizer), tokenizer, conf, tasks)
    trainer = build_trainer(conf, model, tokenizer, tasks, tmp_path / "ckpt")
    fed = []  # forward calls on one new token: the decode steps of generate, the token of each row

    def record(module, args, kwargs):
        if kwargs["input_ids"].shape[1] == 1:
            fed.append(kwargs["input_ids"][:, 0].tolist())

    hook = trainer.model.get_base_model().register_forward_pre_hook(record, with_kwargs=True)
    trainer.train()
    hook.remove()
    rollouts = []
    for batch in trainer._buffered_inputs:  # what the loss saw: TRL's ids and completion_mask
        for p, pm, c, cm, adv in zip(batch["prompt_ids"], batch["prompt_mask"], batch["completion_ids"],
                                     batch["completion_mask"], batch["advantages"], strict=True):
            rollouts.append((tuple(p[pm.bool()].tolist()), tuple(c[cm.bool()].tolist()), round(float(adv), 5)))
    return rollouts, [list(row) for row in zip(*fed, strict=True)], trainer, tokenizer


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return {stop: one_step(tmp_path_factory.mktemp(f"stop-{stop}"), stop) for stop in (False, True)}


def entry_points(trainer) -> dict[tuple[int, ...], str | None]:
    tok = trainer.processing_class
    out = {}
    for row in trainer.train_dataset:
        text = tok.apply_chat_template(row["prompt"], tokenize=False, add_generation_prompt=True,
                                       **(trainer.chat_template_kwargs or {}))
        out[tuple(tok(text, add_special_tokens=False)["input_ids"])] = row["entry_point"] or None
    return out


def test_trained_completions_end_at_the_answer_fence(runs) -> None:
    rollouts, _, trainer, tok = runs[True]
    eps = entry_points(trainer)
    ends = [code_end_tokens(tok, ids, eps[p]) for p, ids, _ in rollouts]
    assert any(e is not None for e in ends)
    for (_, ids, _), end in zip(rollouts, ends, strict=True):
        assert end is None or end == len(ids), tok.decode(ids)  # nothing after the fence line is trained


def test_stop_equals_the_stock_rollout_cut_at_the_fence(runs) -> None:
    stock, _, trainer, tok = runs[False]
    stopped = runs[True][0]
    eps = entry_points(trainer)
    cut = [(p, ids[: code_end_tokens(tok, ids, eps[p]) or len(ids)], adv) for p, ids, adv in stock]
    assert any(len(c[1]) < len(s[1]) for c, s in zip(cut, stock, strict=True))  # stock wrote past the answer
    # same tokens up to the fence, same rewards hence advantages (TRL shuffles rows: compare as multisets)
    assert sorted(stopped) == sorted(cut)


def stopped_without_eos(rows: list[list[int]], trainer) -> int:
    """Rows that generate turned into padding right after a token that is not EOS."""
    pad, eos = trainer.processing_class.pad_token_id, set(trainer.eos_token_ids)
    firsts = [(row, row.index(pad)) for row in rows if pad in row]
    return sum(1 for row, i in firsts if i > 0 and row[i - 1] not in eos)


def test_generate_stops_rows_at_the_fence_and_metrics_count_them_as_terminated(runs) -> None:
    # the stopping criterion reached TRL's generate: rows end there, without EOS (stock: only at EOS)
    assert stopped_without_eos(runs[True][1], runs[True][2]) > 0
    assert stopped_without_eos(runs[False][1], runs[False][2]) == 0
    logged = runs[True][2].state.log_history[0]
    assert logged["completions/code_end_ratio"] > 0
    assert logged["completions/clipped_ratio"] <= 1 - logged["completions/code_end_ratio"]
