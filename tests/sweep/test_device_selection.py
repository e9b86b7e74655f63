"""Several GPUs and no launcher: one GPU per cell instead of TRL's DataParallel error (faked counts)."""

from __future__ import annotations

import pytest

from rlvr_sweeps.sweep import distributed
from rlvr_sweeps.sweep.distributed import single_device_choice, visible_gpus


def test_visible_gpus_reads_the_mask_then_the_driver():
    assert visible_gpus({"CUDA_VISIBLE_DEVICES": "2,5"}, driver_count=8) == ["2", "5"]
    assert visible_gpus({"CUDA_VISIBLE_DEVICES": ""}, driver_count=8) == []
    assert visible_gpus({}, driver_count=4) == ["0", "1", "2", "3"]


@pytest.mark.parametrize(("env", "gpus", "job_num", "expected"), [
    ({}, [], 0, None),  # CPU machine
    ({}, ["0"], 3, None),  # one GPU: nothing to choose
    ({}, ["0", "1", "2", "3"], 0, "0"),  # no launcher, 4 GPUs: cell 0 takes GPU 0
    ({}, ["0", "1", "2", "3"], 6, "2"),  # cell 6 of a sweep: 6 mod 4
    ({}, ["4", "7"], 1, "7"),  # ids come from the mask, not from positions
    ({"WORLD_SIZE": "4"}, ["0", "1", "2", "3"], 0, None),  # torchrun/accelerate: DDP keeps every GPU
])
def test_single_device_choice(env, gpus, job_num, expected):
    assert single_device_choice(env, gpus, job_num) == expected


def test_select_single_device_narrows_the_mask(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,4,5")
    said: list[str] = []
    assert distributed.select_single_device(say=said.append) == "3"
    import os

    assert os.environ["CUDA_VISIBLE_DEVICES"] == "3" and "3 GPUs visible" in said[0]
    assert distributed.select_single_device(say=said.append) is None  # a second cell in-process: already one


def test_select_single_device_refuses_once_cuda_is_up(monkeypatch):
    import torch

    monkeypatch.delenv("WORLD_SIZE", raising=False)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    with pytest.raises(RuntimeError, match="torchrun/accelerate"):
        distributed.select_single_device(say=lambda _: None)
