"""One tiny training job whose evaluations (base and trained) run through vLLM end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import TINY  # tests/vllm_backend/conftest.py (the rootdir is on sys.path)

pytestmark = pytest.mark.slow


def test_training_job_evaluates_with_vllm(tmp_path):
    env = {**os.environ, "VLLM_ENABLE_V1_MULTIPROCESSING": "0"}
    cmd = [sys.executable, "-m", "rlvr_sweeps", "+experiment=smoke", "train.max_steps=1", "model.warm_start_steps=20",
           "eval.backend=vllm", "eval.plus=false", *TINY, f"hydra.run.dir={tmp_path}"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    final = json.loads((tmp_path / "final.json").read_text())
    assert final["status"] == "ok", (final.get("error"), proc.stderr[-3000:])
    for label in ("base", "trained"):
        summary = json.loads((tmp_path / "eval" / label / "summary.json").read_text())
        assert summary["generator"] == "vllm" and summary["status"] == "complete"
        assert "eval/pass@1" in final["eval"][label]
    assert not list(tmp_path.glob("vllm-base-*")), "the exported base weights are removed after evaluation"
