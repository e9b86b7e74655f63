"""Schema of the `data` config group."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class DataSource(str, Enum):
    embedded = "embedded"  # MBPP-style problems shipped in the package: no network, no files
    mbpp = "mbpp"  # original MBPP (974 tasks), hub or local mbpp.jsonl
    mbpp_sanitized = "mbpp_sanitized"  # the 427 hand-verified problems
    mbppplus = "mbppplus"  # EvalPlus MBPP+ (evaluation only: extra inputs, outputs from the canonical solution)


@dataclass
class DataConfig:
    name: str = "embedded"
    source: DataSource = DataSource.embedded
    path: str = ""  # local file; "" = load from the hub (`hub_id`) or the package
    hub_id: str = ""  # datasets hub id used when `path` is empty
    hub_config: str = ""  # hub config name ("full" / "sanitized")
    train_split: str = "train"  # MBPP official split by task_id: train 601-974
    eval_split: str = "test"  # test 11-510; validation 511-600 for model selection
    max_train_tasks: int | None = None  # cap for quick runs; None = the whole split
    max_eval_tasks: int | None = None  # cap for quick runs; None = the whole split (report it!)
    prompt_tests: int = -1  # asserts shown in the prompt: -1 = all (standard MBPP prompt), k = the first k
