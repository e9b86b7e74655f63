"""The MBPP prompt and the dataset TRL trains on."""

from __future__ import annotations

import pytest
from trl.data_utils import is_conversational

from rlvr_sweeps.config.data import DataConfig, DataSource
from rlvr_sweeps.config.model import ModelConfig
from rlvr_sweeps.data import Task, build_prompt, load_tasks, to_trl_dataset

TASK = Task(
    task_id="7",
    number=7,
    source="mbpp",
    text="Write a function to add two numbers. ",
    reference="def add(a, b):\n    return a + b",
    tests=("assert add(1, 2) == 3", "assert add(0, 0) == 0", "assert add(-1, 1) == 0"),
    setup="import math",
)


def test_standard_mbpp_wording_with_all_tests():
    assert build_prompt(TASK) == (
        "You are an expert Python programmer, and here is your task: Write a function to add two numbers."
        " Your code should pass these tests:\n\n"
        "assert add(1, 2) == 3\nassert add(0, 0) == 0\nassert add(-1, 1) == 0"
        "\n\nWrite the code in a single ```python code block."
    )


def test_prompt_tests_all_first_none():
    one = build_prompt(TASK, "first")
    assert "assert add(1, 2) == 3" in one and "assert add(0, 0)" not in one
    none = build_prompt(TASK, "none")
    assert "assert" not in none and "should pass these tests" not in none
    assert all(t in build_prompt(TASK, "all") for t in TASK.tests)
    assert build_prompt(TASK) == build_prompt(TASK, "all")


@pytest.mark.parametrize("shown", ["first", "none"])
def test_reward_columns_keep_every_test_whatever_the_prompt_shows(shown):
    row = to_trl_dataset([TASK], ModelConfig(chat=False), DataConfig(prompt_tests=shown))[0]
    assert row["tests"] == list(TASK.tests) and len(TASK.tests) == 3
    assert sum(t in row["prompt"] for t in TASK.tests) == {"first": 1, "none": 0}[shown]


def test_trl_dataset_chat_and_plain():
    data_cfg = DataConfig(prompt_tests="first")
    tasks = load_tasks(DataConfig(name="embedded", source=DataSource.embedded), "train")
    chat = to_trl_dataset(tasks, ModelConfig(chat=True), data_cfg)
    assert chat.column_names == ["prompt", "tests", "setup", "task_id", "entry_point"]
    assert len(chat) == len(tasks) == 32
    row = chat[0]
    assert is_conversational(row)
    assert row["prompt"] == [{"role": "user", "content": build_prompt(tasks[0], "first")}]
    assert row["entry_point"] and f"def {row['entry_point']}" in tasks[0].reference
    assert row["tests"] == list(tasks[0].tests) and row["setup"] == "" and row["task_id"] == tasks[0].task_id
    plain = to_trl_dataset([TASK], ModelConfig(chat=False), data_cfg)
    assert not is_conversational(plain[0])
    assert plain[0]["prompt"] == build_prompt(TASK, "first")
    assert plain[0]["setup"] == "import math"
