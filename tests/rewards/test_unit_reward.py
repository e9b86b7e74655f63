"""Unit-test reward on real MBPP tasks through the real sandbox."""

from __future__ import annotations

import json

import pytest

from rlvr_sweeps.config.reward import UnitMode, UnitRewardConfig
from rlvr_sweeps.config.sandbox import SandboxConfig
from rlvr_sweeps.diagnostics import ERROR_LABELS
from rlvr_sweeps.rewards.unit import UnitReward

FENCE = "```"
SANDBOX = SandboxConfig(timeout_s=5.0, workers=2)


@pytest.fixture(scope="module")
def mbpp(shared_data):
    with open(shared_data / "mbpp" / "mbpp.jsonl", encoding="utf-8") as fh:
        return {t["task_id"]: t for t in map(json.loads, fh)}


def fenced(code: str) -> str:
    return f"Here is my solution:\n{FENCE}python\n{code}\n{FENCE}\n"


class Recorder:
    """Wraps the real executor to see which jobs reached it."""

    def __init__(self, inner):
        self.inner, self.jobs = inner, []

    def run(self, jobs):
        self.jobs.extend(jobs)
        return self.inner.run(jobs)


@pytest.fixture(scope="module")
def rewards():
    binary = UnitReward(UnitRewardConfig(UnitMode.binary), SANDBOX)
    fractional = UnitReward(UnitRewardConfig(UnitMode.fractional), SANDBOX)
    return binary, fractional


def call(reward, tasks, completions, **hooks):
    return reward(
        completions,
        tests=[t["test_list"] for t in tasks],
        setup=[t["test_setup_code"] for t in tasks],
        **hooks,
    )


def test_reference_solutions_score_one_including_setup_code(rewards, mbpp):
    tasks = [mbpp[i] for i in (2, 11, 12, 17, 927)]  # 927's setup builds trees from the solution's class
    binary, fractional = rewards
    completions = [fenced(t["code"]) for t in tasks]
    assert call(binary, tasks, completions) == [1.0] * 5
    assert call(fractional, tasks, completions) == [1.0] * 5


def test_binary_vs_fractional_on_a_partial_solution(rewards, mbpp):
    task = mbpp[17]  # square_perimeter: only the first assert (a == 10) holds below
    partial = fenced("def square_perimeter(a):\n    return 40 if a == 10 else 4 * a + 1")
    binary, fractional = rewards
    assert call(binary, [task], [partial]) == [0.0]
    assert call(fractional, [task], [partial]) == [pytest.approx(1 / 3)]


def test_no_code_scores_zero_and_is_not_executed(rewards, mbpp):
    binary, _ = rewards
    recorder = Recorder(binary.scorer.executor())
    reward = UnitReward(UnitRewardConfig(UnitMode.fractional), SANDBOX)
    reward.scorer.executor = lambda: recorder
    tasks = [mbpp[17]] * 3
    metrics, extra = {}, {}
    scores = call(
        reward,
        tasks,
        ["", "<think>never finished", fenced(mbpp[17]["code"])],
        log_metric=metrics.__setitem__,
        log_extra=extra.__setitem__,
    )
    assert scores == [0.0, 0.0, 1.0]
    assert len(recorder.jobs) == 1
    assert extra["unit_status"] == ["no_code", "no_code", "pass"]
    assert metrics["unit/pass_rate"] == pytest.approx(1 / 3)
    assert metrics["unit/error/no_code"] == pytest.approx(2 / 3)


def test_error_types_are_logged_for_every_label(rewards, mbpp):
    binary, _ = rewards
    task = mbpp[17]
    completions = [
        fenced("def square_perimeter(a):\n    return a"),  # AssertionError
        fenced("def square_perimeter(a:\n    return 4 * a"),  # SyntaxError
        fenced("def square_perimeter(a):\n    return 4 * b"),  # NameError
        fenced("def square_perimeter(a):\n    return 4 + 'a'"),  # TypeError
    ]
    metrics = {}
    assert call(binary, [task] * 4, completions, log_metric=metrics.__setitem__) == [0.0] * 4
    assert set(metrics) == {"unit/pass_rate", "answer/no_code_share", "answer/stub_share"} | {
        f"unit/error/{label}" for label in ERROR_LABELS[1:]
    }
    for label in ("AssertionError", "SyntaxError", "NameError", "TypeError"):
        assert metrics[f"unit/error/{label}"] == 0.25, label


def test_conversational_completions(rewards, mbpp):
    binary, _ = rewards
    completion = [{"role": "assistant", "content": fenced(mbpp[17]["code"])}]
    assert call(binary, [mbpp[17]], [completion]) == [1.0]


def test_missing_tests_column_is_a_clear_error(rewards):
    binary, _ = rewards
    with pytest.raises(ValueError, match="`tests` dataset column"):
        binary(["x = 1"])
