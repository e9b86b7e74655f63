"""All 974 MBPP reference solutions pass in the sandbox, and a broken variant of each fails."""

from __future__ import annotations

import json

import pytest

from rlvr_sweeps.sandbox import Executor, Job


def _tasks(shared_data):
    with open(shared_data / "mbpp" / "mbpp.jsonl") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def mbpp_ex():
    # Task 123's reference alone needs ~6 s of CPU: a generous timeout for the references.
    with Executor(workers=2, timeout_s=60.0) as ex:
        yield ex


@pytest.mark.slow
def test_all_references_pass(shared_data, mbpp_ex):
    tasks = _tasks(shared_data)
    assert len(tasks) == 974
    jobs = [Job(t["code"], t["test_list"], t["test_setup_code"]) for t in tasks]
    results = mbpp_ex.run(jobs)
    failed = [(t["task_id"], r) for t, r in zip(tasks, results, strict=True) if not r.passed]
    assert failed == []
    assert all(r.tests_passed == r.tests_total == len(t["test_list"]) for t, r in zip(tasks, results, strict=True))


def _broken_variant(i, task):
    """Same tests, solution broken one of three ways (by task index): every function returns
    None; the code is cut in half; the code raises before defining anything."""
    code = task["code"]
    kind = ("none", "truncated", "raising")[i % 3]
    if kind == "none":
        return kind, code + "\n" + "\n".join(f"{name} = lambda *a, **k: None" for name in _defined_functions(code))
    if kind == "truncated":
        return kind, code[: len(code) // 2]
    return kind, "raise RuntimeError('broken')\n" + code


def _defined_functions(code):
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]


@pytest.mark.slow
def test_broken_variants_fail(shared_data):
    tasks = _tasks(shared_data)
    labels, jobs = [], []
    for i, t in enumerate(tasks):
        kind, code = _broken_variant(i, t)
        labels.append((t["task_id"], kind))
        jobs.append(Job(code, t["test_list"], t["test_setup_code"]))
    with Executor(workers=2, timeout_s=3.0) as ex:  # a truncated loop may spin forever
        results = ex.run(jobs)
    passed = [label for label, r in zip(labels, results, strict=True) if r.passed]
    assert passed == []
    raising = [r for (_, kind), r in zip(labels, results, strict=True) if kind == "raising"]
    assert {r.exception for r in raising} == {"RuntimeError"}
