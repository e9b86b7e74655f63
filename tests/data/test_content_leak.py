"""The content leak guard on the real MBPP: train 704 is test 248 (same text, same code)."""

from __future__ import annotations

from rlvr_sweeps.config.data import DataConfig
from rlvr_sweeps.data import drop_content_leaks, load_tasks
from rlvr_sweeps.data.splits import normalized_code


def test_real_mbpp_train_704_is_test_248(shared_data):
    cfg = DataConfig(source="mbpp", path=str(shared_data / "mbpp" / "mbpp.jsonl"))
    train, test = load_tasks(cfg, "train"), load_tasks(cfg, "test")
    kept, dropped = drop_content_leaks(train, test)
    assert "704" in dropped
    assert set(dropped) == {"602", "704", "872"}  # 602 = 217 and 872 = 216 by text
    assert len(kept) + len(dropped) == len(train)
    by_id = {t.task_id: t for t in train + test}
    assert by_id["704"].reference != by_id["248"].reference  # not byte-equal: only the normalised forms match
    assert normalized_code(by_id["704"].reference) == normalized_code(by_id["248"].reference)


def test_nothing_dropped_without_overlap(shared_data):
    cfg = DataConfig(source="mbpp", path=str(shared_data / "mbpp" / "mbpp.jsonl"))
    train = load_tasks(cfg, "train")
    assert drop_content_leaks(train, []) == (train, [])
