"""The hf backend with a tiny random-weight Qwen3 (real transformers generate), and the
code-block stop rule."""

from __future__ import annotations

import pytest

from rlvr_sweeps.data import load_eval_tasks
from rlvr_sweeps.evaluate import build_generator, evaluate_policy, read_problems
from rlvr_sweeps.evaluate.generators import HFGenerator, Request, Sampling, closes_code_block
from rlvr_sweeps.models import load_tokenizer


@pytest.mark.parametrize(
    ("text", "closed"),
    [
        ("```python\nx = 1\n```", True),
        ("Sure:\n```\nx = 1\n```\nmore", True),
        ("```python\nx = 1\n", False),  # still open
        ("x = 1 ``` y", False),  # no opening fence line
        ("<think>```python\nx\n```", False),  # inside unfinished reasoning
        ("<think>a</think>\n```py\nx\n```", True),
    ],
)
def test_closes_code_block(text: str, closed: bool) -> None:
    assert closes_code_block(text) is closed


def test_tiny_qwen3_generates_and_the_eval_writes_its_files(tmp_path, make_conf) -> None:
    conf = make_conf("model=tiny-qwen3", "data=embedded", "model.warm_start_steps=0", "eval.max_new_tokens=12", "eval.batch_size=4",
                     "eval.n_samples=2", "eval.ks=[1,2]", "eval.task_ids=[1001,1002,1003]")
    tok = load_tokenizer(conf.model)
    gen = build_generator(conf, tok)
    assert isinstance(gen, HFGenerator)
    tasks = load_eval_tasks(conf.data)
    m = evaluate_policy(gen, tok, tasks, conf, tmp_path, "base")
    rows = list(read_problems(tmp_path, "base"))
    assert len(rows) == 3 * (1 + 2) and m["n_tasks"] == 3
    assert all(0 < r["n_tokens"] <= 12 for r in rows)  # random weights: text, up to the budget
    assert any(r["completion"] for r in rows)
    assert {"eval/pass@1", "eval/pass@2", "eval/sampled/pass@1", "eval/length/mean"} <= set(m)
    assert m["eval/length/truncated_share"] == sum(r["truncated"] for r in rows if r["mode"] == "greedy") / 3
    assert (tmp_path / "base" / "summary.json").is_file()

    # greedy is deterministic, seeded sampling is reproducible, whatever the batch
    reqs = [Request(t, p) for t, p in zip(tasks[:3], ["def f(x):", "Write code", "```python\n"], strict=True)]
    again = HFGenerator(gen.model, tok, batch_size=1)
    greedy = Sampling(n=1, greedy=True, max_new_tokens=8)
    assert [c[0].text for c in gen.generate(reqs, greedy)] == [c[0].text for c in again.generate(reqs, greedy)]
    was_training = gen.model.training
    sampled = Sampling(n=2, greedy=False, temperature=1.0, top_p=1.0, max_new_tokens=8, seed=3)
    first, second = gen.generate(reqs, sampled), gen.generate(reqs, sampled)
    assert [[c.text for c in s] for s in first] == [[c.text for c in s] for s in second]
    # eval.batch_size counts prompts: one generate() call holds batch_size prompts with their n rows each
    calls = []
    counting = HFGenerator(gen.model, tok, batch_size=2, progress=False)
    inner = counting._generate_batch
    counting._generate_batch = lambda prompts, *a, **k: calls.append(len(prompts)) or inner(prompts, *a, **k)
    counting.generate(reqs, Sampling(n=3, greedy=False, temperature=1.0, top_p=1.0, max_new_tokens=4, seed=3))
    assert calls == [6, 3]
    assert tok.padding_side == "left" and gen.model.training == was_training  # the trainer's mode is restored
