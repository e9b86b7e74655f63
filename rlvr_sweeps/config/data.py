"""Schema of the `data` config group (conf/data/*.yaml). No torch here: compose stays fast."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .ranges import check_range


class DataSource(str, Enum):
    """Key of `rlvr_sweeps.data.LOADERS`: how tasks are read."""

    embedded = "embedded"  # MBPP-style problems shipped in the package: no network, no files
    mbpp = "mbpp"  # original MBPP (974 tasks), hub or local mbpp.jsonl
    mbpp_sanitized = "mbpp_sanitized"  # the 427 hand-verified problems
    arith = "arith"  # generated arithmetic-step tasks (rlvr_sweeps/data/arith.py): learnable by tiny models
    mbppplus = "mbppplus"  # EvalPlus MBPP+ (evaluation only: extra inputs, outputs from the canonical solution)


class PromptTests(str, Enum):
    """Which of a task's asserts the prompt shows. The reward and evaluation always run all of
    them, so ``first``/``none`` measure how much a policy relies on (memorises) the shown ones."""

    all = "all"  # the standard MBPP prompt
    first = "first"  # one example assert (EvalPlus's MBPP+ prompt)
    none = "none"  # the description only


@dataclass
class DataConfig:
    name: str = "arith"  # label in tables and W&B tags
    source: DataSource = DataSource.arith  # which loader reads the tasks: the generated family a tiny model can learn
    path: str = ""  # local file (.json/.jsonl/.jsonl.gz); "" = the hub (`hub_id`) or the package
    hub_id: str = ""  # datasets hub id used when `path` is empty: needs network, or a warm HF cache
    hub_config: str = ""  # hub config name ("full" / "sanitized")
    train_split: str = "train"  # MBPP official split by task_id: train 601-974
    eval_split: str = "test"  # test 11-510 (the reported number); validation 511-600 for model selection
    max_train_tasks: int | None = None  # first N tasks by id, for quick runs; None = the whole split
    max_eval_tasks: int | None = None  # first N tasks by id; None = the whole split (report capped numbers as such)
    prompt_tests: PromptTests = PromptTests.all  # asserts the prompt shows: all (MBPP) | first | none; all are run

    def __post_init__(self) -> None:
        for key in ("max_train_tasks", "max_eval_tasks"):
            check_range(f"data.{key}", getattr(self, key), 1, optional=True)  # null = all tasks
        try:
            self.prompt_tests = PromptTests(getattr(self.prompt_tests, "value", self.prompt_tests))
        except ValueError:
            raise ValueError(f"data.prompt_tests must be all, first or none, got {self.prompt_tests!r}") from None
