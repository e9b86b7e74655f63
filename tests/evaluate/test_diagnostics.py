"""Diagnostics and per-problem rows on fixed completions with known outcomes."""

from __future__ import annotations

import json

import pytest

from rlvr_sweeps.data import load_eval_tasks
from rlvr_sweeps.evaluate import evaluate_policy, problems_table_rows, read_problems
from rlvr_sweeps.evaluate.generators import Completion, Generator
from rlvr_sweeps.models import load_tokenizer

FENCE = "```"


class Fixed(Generator):
    """A policy answering each task with a given text (the real interface, no model)."""

    name = "fixed"

    def __init__(self, texts: dict[str, tuple[str, int, bool]]) -> None:
        self.texts = texts

    def generate(self, requests, sampling):
        return [[Completion(*self.texts[r.task.task_id])] * sampling.n for r in requests]


def test_error_types_lengths_lint_and_rows_on_fixed_completions(tmp_path, shared_data, make_conf) -> None:
    conf = make_conf(
        "model=reference", "data=mbpp", f"data.path={shared_data / 'mbpp' / 'mbpp.jsonl'}",
        "eval.task_ids=[11,12,13,14,15,16,17,18]", "eval.max_new_tokens=100", "eval.timeout_s=2",
    )
    tasks = {t.task_id: t for t in load_eval_tasks(conf.data)}
    ref = tasks["11"].reference
    texts = {
        "11": (f"Here you go:\n{FENCE}python\n{ref}\n{FENCE}\n", 40, False),  # pass
        "12": (f"{FENCE}python\ndef sort_matrix(m):\n    return m\n{FENCE}", 100, True),  # AssertionError, truncated
        "13": (f"{FENCE}python\ndef count_common(words:\n{FENCE}", 10, False),  # SyntaxError
        "14": (f"{FENCE}python\ndef find_Volume(l, b, h):\n    return undefined_name\n{FENCE}", 20, False),  # NameError
        "15": (f"{FENCE}python\ndef split_lowerstring(text):\n    return text + 1\n{FENCE}", 20, False),  # TypeError
        "16": (f"{FENCE}python\ndef text_lowercase_underscore(text):\n    while True:\n        pass\n{FENCE}", 30, False),
        "17": (f"{FENCE}python\nimport os\ndef square_perimeter(a):\n    return 4*a\n{FENCE}", 25, False),  # F401
        "18": ("   \n\t  ", 3, False),  # whitespace only: no code, never executed
    }
    m = evaluate_policy(Fixed(texts), load_tokenizer(conf.model), list(tasks.values()), conf, tmp_path, "fixed")
    errors = {k.removeprefix("eval/errors/"): v for k, v in m.items() if k.startswith("eval/errors/")}
    expected = {"pass": 2, "AssertionError": 1, "SyntaxError": 1, "NameError": 1, "TypeError": 1, "timeout": 1,
                "no_code": 1, "stub": 0, "memory": 0, "other": 0}
    assert errors == {k: v / 8 for k, v in expected.items()}
    assert m["eval/pass@1"] == 2 / 8 and m["n_tasks"] == 8
    assert m["eval/length/mean"] == (40 + 100 + 10 + 20 + 20 + 30 + 3 + 25) / 8
    assert m["eval/length/median"] == 22.5 and m["eval/length/truncated_share"] == 1 / 8
    rows = {r["task_id"]: r for r in read_problems(tmp_path, "fixed")}
    assert rows["17"]["lint_codes"].get("F401") == 1 and rows["17"]["lint"]["error"] >= 1
    assert rows["13"]["lint"]["fatal"] >= 1  # the syntax error is fatal for Ruff too
    assert rows["18"]["lint"] is None and rows["18"]["status"] == "no_code" and not rows["18"]["has_code"]
    assert m["eval/ruff/n_linted"] == 7  # everything but the whitespace completion
    assert m["eval/ruff/clean_share"] == sum(rows[t]["lint"] and sum(rows[t]["lint"].values()) == 0
                                             for t in rows if rows[t]["lint"] is not None) / 7
    columns, data = problems_table_rows(tmp_path, "fixed")
    assert columns[:4] == ["task_id", "mode", "sample", "passed"] and columns[-1] == "completion"
    assert [d[0] for d in data] == [str(i) for i in range(11, 19)]
    summary = json.loads((tmp_path / "fixed" / "summary.json").read_text())
    assert ["F401", 1] in summary["top_rule_codes"]


def test_pass_at_k_from_sampled_rows(tmp_path, shared_data, make_conf) -> None:
    """n_samples=3: pass@k uses the sampled rows, pass@1 stays greedy."""
    conf = make_conf(
        "model=reference", "data=mbpp", f"data.path={shared_data / 'mbpp' / 'mbpp.jsonl'}",
        "eval.task_ids=[11,12]", "eval.n_samples=3", "eval.ks=[1,2,5]",
    )
    tasks = load_eval_tasks(conf.data)
    good = f"{FENCE}python\n{tasks[0].reference}\n{FENCE}"

    class Mixed(Generator):
        name = "mixed"

        def generate(self, requests, sampling):
            if sampling.greedy:
                return [[Completion(good if r.task.task_id == "11" else "", 5, False)] for r in requests]
            return [[Completion(good if (r.task.task_id == "11" and k == 0) else "x = (", 5, False)
                     for k in range(sampling.n)] for r in requests]

    m = evaluate_policy(Mixed(), None, tasks, conf, tmp_path, "mixed")
    assert m["eval/pass@1"] == 0.5  # greedy: task 11 passes, 12 does not
    assert m["eval/sampled/pass@1"] == pytest.approx((1 / 3 + 0) / 2)
    assert m["eval/pass@2"] == pytest.approx((1 - 1 / 3 + 0) / 2)  # 1 - C(2,2)/C(3,2) = 2/3 for task 11
    assert "eval/pass@5" not in m  # k > n_samples is not reported
    assert len(list(read_problems(tmp_path, "mixed"))) == 2 * (1 + 3)


def test_a_crash_keeps_the_rows_already_scored(tmp_path, shared_data, make_conf) -> None:
    """Chunks of 4 tasks (batch_size=1): a generator dying on the 2nd chunk loses nothing before."""
    conf = make_conf("model=reference", "data=mbpp", f"data.path={shared_data / 'mbpp' / 'mbpp.jsonl'}",
                     "eval.task_ids=[11,12,13,14,15,16]", "eval.batch_size=1")
    tasks = load_eval_tasks(conf.data)

    class Dies(Generator):
        name = "dies"

        def generate(self, requests, sampling):
            if any(r.task.task_id == "15" for r in requests):
                raise RuntimeError("CUDA out of memory")
            return [[Completion(f"{FENCE}python\n{r.task.reference}\n{FENCE}", 5, False)] for r in requests]

    with pytest.raises(RuntimeError, match="out of memory"):
        evaluate_policy(Dies(), None, tasks, conf, tmp_path, "dies")
    assert [r["task_id"] for r in read_problems(tmp_path, "dies")] == ["11", "12", "13", "14"]
    summary = json.loads((tmp_path / "dies" / "summary.json").read_text())
    assert summary["status"] == "incomplete" and summary["metrics"]["eval/pass@1"] == 1.0
