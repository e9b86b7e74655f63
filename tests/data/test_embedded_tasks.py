"""The embedded set: well-formed, our own, and every reference passes its asserts in the sandbox."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from rlvr_sweeps.config.data import DataConfig, DataSource
from rlvr_sweeps.data import EMBEDDED_SPLITS, load_tasks
from rlvr_sweeps.sandbox import Job, get_executor


@pytest.fixture(scope="module")
def embedded():
    cfg = DataConfig(name="embedded", source=DataSource.embedded)
    return {s: load_tasks(cfg, s) for s in ("train", "test")}


def _function_name(code: str) -> str:
    return next(n.name for n in ast.parse(code).body if isinstance(n, ast.FunctionDef))


def test_shape_and_split(embedded):
    train, test = embedded["train"], embedded["test"]
    assert (len(train), len(test)) == (32, 16)
    tasks = train + test
    assert len({t.task_id for t in tasks}) == 48
    assert not {t.number for t in train} & {t.number for t in test}
    assert all(t.number in EMBEDDED_SPLITS["test"] for t in test)
    assert all(len(t.tests) == 3 and t.text.startswith("Write a function") for t in tasks)
    names = [_function_name(t.reference) for t in tasks]
    assert len(set(names)) == len(names)
    assert all(all(f"{name}(" in x for x in t.tests) for name, t in zip(names, tasks, strict=True))


def test_written_for_this_project_not_copied_from_mbpp(embedded, shared_data):
    rows = [json.loads(x) for x in (shared_data / "mbpp" / "mbpp.jsonl").read_text().splitlines()]
    mbpp_text = {r["text"].strip().lower() for r in rows}
    mbpp_tests = {t for r in rows for t in r["test_list"]}
    for task in embedded["train"] + embedded["test"]:
        assert task.text.strip().lower() not in mbpp_text
        assert not set(task.tests) & mbpp_tests


def test_is_package_data():
    import rlvr_sweeps.data

    assert (Path(rlvr_sweeps.data.__file__).parent / "embedded.jsonl").is_file()


def test_references_pass_and_broken_variants_fail_in_the_sandbox(embedded):
    tasks = embedded["train"] + embedded["test"]
    # a variant that redefines the function to return None must fail every task
    broken = [
        f"{t.reference}\n\ndef {_function_name(t.reference)}(*args, **kwargs):\n    return None\n"
        for t in tasks
    ]
    jobs = [Job(t.reference, list(t.tests), t.setup) for t in tasks]
    jobs += [Job(code, list(t.tests), t.setup) for code, t in zip(broken, tasks, strict=True)]
    results = get_executor(workers=2, timeout_s=10.0).run(jobs)
    good, bad = results[: len(tasks)], results[len(tasks) :]
    assert [(t.task_id, r.status) for t, r in zip(tasks, good, strict=True) if not r.passed] == []
    assert all(r.tests_passed == r.tests_total == 3 for r in good)
    assert [t.task_id for t, r in zip(tasks, bad, strict=True) if r.passed] == []
    assert all(r.status == "fail" and r.exception == "AssertionError" for r in bad)
