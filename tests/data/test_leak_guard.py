"""Training never sees a test problem: the guard every training job calls."""

from __future__ import annotations

import dataclasses

import pytest

from rlvr_sweeps.config.data import DataConfig, DataSource
from rlvr_sweeps.data import TestLeakError, assert_no_test_leak, load_tasks


@pytest.fixture(scope="module")
def mbpp(shared_data):
    cfg = DataConfig(source=DataSource.mbpp, path=str(shared_data / "mbpp" / "mbpp.jsonl"))
    return {s: load_tasks(cfg, s) for s in ("train", "validation", "test")}


@pytest.fixture(scope="module")
def plus(shared_data):
    cfg = DataConfig(source=DataSource.mbppplus, path=str(shared_data / "mbppplus" / "MbppPlus.jsonl"))
    return load_tasks(cfg, "test")


def test_official_splits_pass(mbpp):
    assert_no_test_leak(mbpp["train"], mbpp["test"])
    assert_no_test_leak(mbpp["train"], mbpp["validation"])
    embedded = DataConfig(name="embedded", source=DataSource.embedded)
    assert_no_test_leak(load_tasks(embedded, "train"), load_tasks(embedded, "test"))


def test_a_test_id_in_training_raises(mbpp):
    leaked = [*mbpp["train"], mbpp["test"][42]]
    with pytest.raises(TestLeakError, match=r"training task\(s\) are also evaluation tasks .*'53'"):
        assert_no_test_leak(leaked, mbpp["test"])
    # even when that task is not evaluated in this job (e.g. eval on validation)
    with pytest.raises(TestLeakError, match=r"benchmark test problems .*'53'"):
        assert_no_test_leak(leaked, mbpp["validation"])


def test_overlap_is_found_across_sources(mbpp, plus):
    """MBPP+ reuses MBPP ids: training on MBPP train and evaluating on all of MBPP+ shares
    problems 601-809 (written "601" in one, "Mbpp/601" in the other)."""
    with pytest.raises(TestLeakError, match="also evaluation tasks"):
        assert_no_test_leak(mbpp["train"], plus)
    assert_no_test_leak(mbpp["train"], [t for t in plus if t.number in range(11, 511)])


def test_embedded_test_task_in_training_raises():
    embedded = DataConfig(name="embedded", source=DataSource.embedded)
    test = load_tasks(embedded, "test")
    with pytest.raises(TestLeakError, match="benchmark test problems"):
        assert_no_test_leak([*load_tasks(embedded, "train"), test[0]], [])
    # an embedded id never collides with an MBPP id of the same number: different families
    fake = dataclasses.replace(test[0], source="mbpp", number=700, task_id="700")
    assert_no_test_leak([fake], test)
