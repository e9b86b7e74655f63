"""Official splits by task id, and the guards that keep test problems out of training: by id
(``assert_no_test_leak``) and by content (``drop_content_leaks``: MBPP train 704 is test 248
under another id, the same text and code).

MBPP's split is defined on task ids (Austin et al. 2021, and the HF `mbpp` dataset's split
sizes 374/90/500/10): prompt/few-shot 1-10, test 11-510, validation 511-600, train 601-974.
Sanitized MBPP and MBPP+ reuse MBPP's ids, so one range table serves all three, and a model
trained on MBPP train and evaluated on MBPP+ is checked against the same numbers.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping

from .task import Task

MBPP_SPLITS: Mapping[str, range] = {
    "prompt": range(1, 11),
    "test": range(11, 511),
    "validation": range(511, 601),
    "train": range(601, 975),
}
# The embedded set: ids 1001-1048 (outside MBPP's 1-974), test first so that adding training
# problems at the end never moves a test problem.
EMBEDDED_SPLITS: Mapping[str, range] = {
    "test": range(1001, 1017),
    "train": range(1017, 2000),
}
# Sources that share a task-id space (same number = same problem).
FAMILY: Mapping[str, str] = {
    "mbpp": "mbpp",
    "mbpp_sanitized": "mbpp",
    "mbppplus": "mbpp",
    "embedded": "embedded",
    "arith": "arith",
}
# The arith family's test ids (rlvr_sweeps/data/arith.py SPLITS; not imported: arith imports nothing from here).
ARITH_TEST = range(3001, 3241)
TEST_RANGES: Mapping[str, range] = {
    "mbpp": MBPP_SPLITS["test"],
    "embedded": EMBEDDED_SPLITS["test"],
    "arith": ARITH_TEST,
}


class TestLeakError(AssertionError):
    """Training would see a problem it is evaluated on, or a benchmark test problem."""

    __test__ = False  # not a pytest test class


def _key(task: Task) -> tuple[str, int]:
    return FAMILY[task.source], task.number


def assert_no_test_leak(train_tasks: Iterable[Task], eval_tasks: Iterable[Task]) -> None:
    """Raise TestLeakError if a training task is also an evaluation task (same problem, across
    MBPP/sanitized/MBPP+), or is in its family's test range (MBPP 11-510) at all: the study's
    numbers are only meaningful if training never saw a test problem."""
    train = list(train_tasks)
    eval_keys = {_key(t) for t in eval_tasks}
    shared = sorted(t.task_id for t in train if _key(t) in eval_keys)
    if shared:
        raise TestLeakError(
            f"{len(shared)} training task(s) are also evaluation tasks (e.g. {shared[:5]}): "
            "use disjoint splits (data.train_split / data.eval_split)"
        )
    leaked = sorted(t.task_id for t in train if t.number in TEST_RANGES[FAMILY[t.source]])
    if leaked:
        raise TestLeakError(
            f"{len(leaked)} training task(s) are benchmark test problems (e.g. {leaked[:5]}): "
            "train on the 'train' split, never on 'test'"
        )


_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalized_text(text: str) -> str:
    """Case, punctuation and whitespace removed: "Write a function to ..." twice, differently typed."""
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def normalized_code(code: str) -> str:
    """The program's AST (layout, comments and line endings do not count); whitespace-collapsed
    text for code that does not parse."""
    try:
        return ast.dump(ast.parse(code))
    except (SyntaxError, ValueError):
        return " ".join(code.split())


def drop_content_leaks(train_tasks: Iterable[Task], eval_tasks: Iterable[Task]) -> tuple[list[Task], list[str]]:
    """(kept training tasks, ids of the dropped ones): a training task whose normalised text or
    reference code equals an evaluation task's is the same problem under another id, which the
    id guard cannot see. Dropped, not raised on: the official MBPP train split has such tasks."""
    evals = list(eval_tasks)
    texts = {normalized_text(t.text) for t in evals if t.text.strip()}
    codes = {normalized_code(t.reference) for t in evals if t.reference.strip()}
    kept, dropped = [], []
    for t in train_tasks:
        same = (t.text.strip() and normalized_text(t.text) in texts) or (
            t.reference.strip() and normalized_code(t.reference) in codes
        )
        if same:
            dropped.append(t.task_id)
        else:
            kept.append(t)
    return kept, dropped
