"""The prompt every model sees, and the TRL dataset built from it.

The wording is MBPP's standard prompt (Austin et al. 2021, Fig. 1), as used verbatim by
EleutherAI's lm-evaluation-harness (`lm_eval/tasks/mbpp/mbpp.yaml`, `doc_to_text`):
"You are an expert Python programmer, and here is your task: {text} Your code should pass
these tests:\\n\\n{tests}". The few-shot `[BEGIN]`/`[DONE]` markers of that harness are replaced
by an instruction to answer in a ```python block, which is what `extract_answer` reads and what
instruct models produce anyway (lm-eval's `mbpp_instruct` also ends on a ```python fence).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rlvr_sweeps.config.data import PromptTests
from rlvr_sweeps.extract import task_entry_point

from .task import Task

if TYPE_CHECKING:
    import datasets

    from rlvr_sweeps.config.data import DataConfig
    from rlvr_sweeps.config.model import ModelConfig

MBPP_INTRO = "You are an expert Python programmer, and here is your task: {text}"
MBPP_TESTS = " Your code should pass these tests:\n\n{tests}"
ANSWER_FORMAT = "\n\nWrite the code in a single ```python code block."


SHOWN: dict[PromptTests, Callable[[tuple[str, ...]], tuple[str, ...]]] = {
    PromptTests.all: lambda tests: tests,
    PromptTests.first: lambda tests: tests[:1],
    PromptTests.none: lambda tests: (),
}


def shown_tests(task: Task, prompt_tests: PromptTests | str = PromptTests.all) -> tuple[str, ...]:
    """The asserts displayed in the prompt (data.prompt_tests); the reward and evaluation run all."""
    return SHOWN[PromptTests(prompt_tests)](task.tests)


def build_prompt(task: Task, prompt_tests: PromptTests | str = PromptTests.all) -> str:
    """MBPP's standard prompt for `task` with the `prompt_tests` asserts shown (all, as in MBPP)."""
    prompt = MBPP_INTRO.format(text=task.text.strip())
    tests = shown_tests(task, prompt_tests)
    if tests:
        prompt += MBPP_TESTS.format(tests="\n".join(tests))
    return prompt + ANSWER_FORMAT


def prompt_for(task: Task, model_cfg: ModelConfig, data_cfg: DataConfig) -> str | list[dict[str, str]]:
    """A chat message list for chat models (TRL applies the template), the plain string otherwise."""
    text = build_prompt(task, data_cfg.prompt_tests)
    return [{"role": "user", "content": text}] if model_cfg.chat else text


def to_trl_dataset(tasks: list[Task], model_cfg: ModelConfig, data_cfg: DataConfig) -> datasets.Dataset:
    """Columns: `prompt` (conversational or plain, per model.chat), `tests` (list[str]), `setup`
    (str), `task_id` (str) and `entry_point` (str, "" when the tests call none: the answer rule
    of ``rlvr_sweeps.extract``): TRL forwards the extra columns to the reward functions."""
    import datasets  # lazy: ~1 s (pyarrow, pandas), only when a TRL dataset is built

    rows: dict[str, list[Any]] = {
        "prompt": [prompt_for(t, model_cfg, data_cfg) for t in tasks],
        "tests": [list(t.tests) for t in tasks],
        "setup": [t.setup for t in tasks],
        "task_id": [t.task_id for t in tasks],
        "entry_point": [task_entry_point(t) or "" for t in tasks],
    }
    return datasets.Dataset.from_dict(rows)
