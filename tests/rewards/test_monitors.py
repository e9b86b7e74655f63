"""Monitors: every reward logs the batch's unit pass rate, Ruff profile and no_code / stub shares,
and a batch is extracted, linted and executed once for all reward functions."""

from __future__ import annotations

import json

import pytest

from rlvr_sweeps.config.reward import RewardComponent, RewardConfig
from rlvr_sweeps.config.sandbox import SandboxConfig
from rlvr_sweeps.rewards import build_reward_funcs

FENCE = "```"
SANDBOX = SandboxConfig(timeout_s=5.0, workers=1)


@pytest.fixture(scope="module")
def task(shared_data):
    with open(shared_data / "mbpp" / "mbpp.jsonl", encoding="utf-8") as fh:
        return next(t for t in map(json.loads, fh) if t["task_id"] == 17)


def _batch(task):
    completions = [
        f"{FENCE}python\n{task['code']}\n{FENCE}",  # pass
        f"{FENCE}python\nimport os\ndef square_perimeter(a):\n    return a\n{FENCE}",  # AssertionError, F401
        f"{FENCE}python\ndef square_perimeter(a):\n    pass\n{FENCE}",  # stub
        "I cannot solve this.",  # no_code
    ]
    return completions, {"tests": [task["test_list"]] * 4, "setup": [task["test_setup_code"]] * 4}


@pytest.mark.parametrize("names", [["unit"], ["ruff"], ["unit", "ruff"]])
def test_every_reward_logs_every_monitor_once(task, names):
    funcs, _ = build_reward_funcs(
        RewardConfig(name="x", components=[RewardComponent(n, 1.0) for n in names], aggregation="sum"), SANDBOX
    )
    completions, cols = _batch(task)
    logged: list[tuple[str, float]] = []
    for f in funcs:
        f(completions=completions, log_metric=lambda k, v: logged.append((k, v)), **cols)
    metrics = dict(logged)
    assert len(logged) == len(metrics)  # one pass per batch, whatever the number of functions
    assert metrics["unit/pass_rate"] == 0.25
    assert metrics["unit/error/AssertionError"] == 0.25
    assert metrics["answer/stub_share"] == metrics["answer/no_code_share"] == 0.25
    assert metrics["unit/error/stub"] == metrics["unit/error/no_code"] == 0.25
    assert metrics["ruff/error_per_completion"] == 0.5  # the F401, over the 2 code answers
    assert metrics["ruff/clean_share"] == 0.5


def test_monitors_off_logs_only_what_the_reward_computes(task):
    funcs, _ = build_reward_funcs(RewardConfig(monitors=False, aggregation="sum"), SANDBOX)
    completions, cols = _batch(task)
    metrics: dict[str, float] = {}
    funcs[0](completions=completions, log_metric=metrics.__setitem__, **cols)
    assert "unit/pass_rate" in metrics and not any(k.startswith("ruff/") for k in metrics)
