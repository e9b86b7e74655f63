"""The arith family: seeded, MBPP-shaped, disjoint splits that share skills but no task, references
that pass (100 %) while empty answers fail (0 %), and Ruff issues that grow with program length."""

from __future__ import annotations

import subprocess

import pytest
from hydra import compose, initialize_config_dir

from rlvr_sweeps.cli import normalize_argv
from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.config.data import DataConfig, DataSource
from rlvr_sweeps.data import arith, assert_no_test_leak, load_tasks
from rlvr_sweeps.evaluate import build_generator, evaluate_policy
from rlvr_sweeps.lint import ruff_bin
from rlvr_sweeps.models import load_tokenizer
from rlvr_sweeps.paths import conf_dir

CFG = DataConfig(name="arith", source=DataSource.arith)


def eval_conf(*overrides: str, out_dir):
    """The evaluate app's config, composed in-process as the CLI does."""
    register_configs()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        return to_config(compose("evaluate", overrides=[*normalize_argv(list(overrides)), f"output_dir={out_dir}"]))


@pytest.fixture(scope="module")
def splits():
    return {s: load_tasks(CFG, s) for s in ("train", "validation", "test")}


def _steps(task):
    """The (operator, constant) steps of a reference, read back from its code."""
    lines = [x.strip().rstrip(";") for x in task.reference.splitlines() if x.strip().startswith("x = x ")]
    return {tuple(x.split()[3:5]) for x in lines}


def test_sizes_ids_and_determinism(splits):
    assert {s: len(t) for s, t in splits.items()} == {"train": 600, "validation": 100, "test": 240}
    numbers = [t.number for ts in splits.values() for t in ts]
    assert len(set(numbers)) == len(numbers)
    assert all(t.number in arith.SPLITS["test"] for t in splits["test"])
    arith.generate.cache_clear()
    assert [t.reference for t in load_tasks(CFG, "test")] == [t.reference for t in splits["test"]]


def test_held_out_tasks_share_skills_but_no_task_and_a_new_step(splits):
    train_keys = {(t.entry_point, t.reference.split("\n", 1)[-1]) for t in splits["train"]}
    train_steps = set().union(*(_steps(t) for t in splits["train"]))
    for split in ("validation", "test"):
        for task in splits[split]:
            assert (task.entry_point, task.reference.split("\n", 1)[-1]) not in train_keys
            assert _steps(task) - train_steps, f"{task.task_id} has no held-out (operator, constant) step"
    assert {t.entry_point for t in splits["test"]} <= {t.entry_point for t in splits["train"]}
    assert {op for op, _ in set().union(*(_steps(t) for t in splits["test"]))} == {"+", "-", "*"}
    assert_no_test_leak(splits["train"], splits["test"])


def test_prompts_are_mbpp_shaped(splits):
    for task in splits["test"][:50]:
        assert task.text.startswith(f"Write a function `{task.entry_point}`")
        assert len(task.tests) == 3 and all(x.startswith(f"assert {task.entry_point}(") for x in task.tests)


def test_ruff_issues_grow_with_length_but_not_per_line(splits, tmp_path):
    """The study's raw-count form can pay for writing less, the per-line form cannot: the count of
    E703 habits grows with the number of steps, their share per line stays about the same."""
    tasks = splits["train"]
    for i, t in enumerate(tasks):
        (tmp_path / f"t{i}.py").write_text(t.reference + "\n")
    out = subprocess.run(
        [ruff_bin(), "check", "--isolated", "--select", "E,W,F", "--output-format", "concise", str(tmp_path)],
        capture_output=True, text=True, check=False,
    ).stdout
    issues = [out.count(f"t{i}.py:") for i in range(len(tasks))]
    assert set(out.replace(":", " ").split()) >= {"E703"} and "F401" not in out
    lines = [len(t.reference.splitlines()) for t in tasks]
    assert len(set(lines)) == 3 and 0.1 < sum(i == 0 for i in issues) / len(issues) < 0.5
    by_length = {n: [k for k, m in zip(issues, lines, strict=True) if m == n] for n in set(lines)}
    counts = [sum(v) / len(v) for _, v in sorted(by_length.items())]
    per_line = [c / n for c, n in zip(counts, sorted(by_length), strict=True)]
    assert counts == sorted(counts) and counts[-1] > counts[0] + 0.5
    assert max(per_line) - min(per_line) < 0.15


@pytest.mark.parametrize(("model", "passed"), [("reference", 240), ("null", 0)])
def test_reference_scores_100_and_null_0_percent(tmp_path, model, passed):
    conf = eval_conf(f"model={model}", "data=arith", "eval.plus=false", out_dir=tmp_path)
    tok = load_tokenizer(conf.model)
    tasks = load_tasks(conf.data, conf.data.eval_split)
    m = evaluate_policy(build_generator(conf, tok), tok, tasks, conf, tmp_path, conf.model.name)
    assert (m["n_tasks"], m["eval/n_passed"]) == (240, passed)
