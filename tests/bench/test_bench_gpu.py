"""`python -m rlvr_sweeps.bench gpu` on a machine without CUDA: one clear line, exit 0; its table
and arithmetic are checked here too (the CUDA legs run only on a GPU, never in a test)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_without_cuda_it_says_so_and_exits_zero():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: the benchmark would run for real")
    proc = subprocess.run([sys.executable, "-m", "rlvr_sweeps.bench", "gpu"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    from rlvr_sweeps.bench.gpu import NO_CUDA

    assert proc.stdout.strip().splitlines()[-1] == NO_CUDA


def test_tokens_per_second_counts_completions_per_optimizer_step(monkeypatch):
    from rlvr_sweeps.bench.gpu import tokens_per_s

    monkeypatch.delenv("WORLD_SIZE", raising=False)
    # paper cell: 8 per device x 2 accumulation = 16 completions per step, 100 tokens each, 4 s per step
    assert tokens_per_s(100.0, 4.0, ["+experiment=paper"]) == pytest.approx(400.0)
    monkeypatch.setenv("WORLD_SIZE", "4")
    assert tokens_per_s(100.0, 4.0, ["+experiment=paper", "train.per_device_train_batch_size=2"]) == \
        pytest.approx(400.0)


def test_table_shows_missing_legs_as_na():
    from rlvr_sweeps.bench.gpu import table

    out = table({"ours": {"s_per_step": 1.5, "eval100_vllm_s": None}})
    assert "| ours | 1.5 | n/a |" in out and out.count("n/a") == 5
