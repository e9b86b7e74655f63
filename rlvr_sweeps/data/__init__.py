"""Problems for training and evaluation: MBPP, sanitized MBPP, MBPP+ and the embedded set.

`load_tasks(data_cfg, split)` returns `Task` records whatever the source; `to_trl_dataset`
turns them into the prompt dataset TRL trains on; `assert_no_test_leak` is called by every
training job before it starts.
"""

from .loading import LOADERS, Source, load_eval_tasks, load_tasks, load_train_tasks
from .prompts import build_prompt, prompt_for, shown_tests, to_trl_dataset
from .splits import EMBEDDED_SPLITS, MBPP_SPLITS, TestLeakError, assert_no_test_leak, drop_content_leaks
from .task import DataError, Task

__all__ = [
    "EMBEDDED_SPLITS",
    "LOADERS",
    "MBPP_SPLITS",
    "DataError",
    "Source",
    "Task",
    "TestLeakError",
    "assert_no_test_leak",
    "drop_content_leaks",
    "build_prompt",
    "load_eval_tasks",
    "load_tasks",
    "load_train_tasks",
    "prompt_for",
    "shown_tests",
    "to_trl_dataset",
]
