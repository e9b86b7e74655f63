"""The MBPP prompt and the dataset TRL trains on."""

from __future__ import annotations

from trl.data_utils import is_conversational

from rlvr_sweeps.config.data import DataConfig
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


def test_prompt_tests_shows_first_k_or_none():
    one = build_prompt(TASK, 1)
    assert "assert add(1, 2) == 3" in one and "assert add(0, 0)" not in one
    none = build_prompt(TASK, 0)
    assert "assert" not in none and "should pass these tests" not in none
    assert build_prompt(TASK, 10) == build_prompt(TASK, -1)


def test_trl_dataset_chat_and_plain():
    data_cfg = DataConfig(prompt_tests=2)
    tasks = load_tasks(DataConfig(), "train")
    chat = to_trl_dataset(tasks, ModelConfig(chat=True), data_cfg)
    assert chat.column_names == ["prompt", "tests", "setup", "task_id"]
    assert len(chat) == len(tasks) == 32
    row = chat[0]
    assert is_conversational(row)
    assert row["prompt"] == [{"role": "user", "content": build_prompt(tasks[0], 2)}]
    assert row["tests"] == list(tasks[0].tests) and row["setup"] == "" and row["task_id"] == tasks[0].task_id
    plain = to_trl_dataset([TASK], ModelConfig(chat=False), data_cfg)
    assert not is_conversational(plain[0])
    assert plain[0]["prompt"] == build_prompt(TASK, 2)
    assert plain[0]["setup"] == "import math"
