"""`+experiment=paper_arch_smoke`: the paper cell with the real Qwen3-0.6B architecture at full size
(random init from the shipped config, the real Qwen3 tokenizer, fp32 on CPU), one optimizer step,
evaluation on 2 MBPP test tasks. Several minutes on 2 cores: slow."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from rlvr_sweeps.results import read_jsonl


@pytest.mark.slow
def test_paper_cell_runs_with_the_real_qwen3_architecture(tmp_path, shared_data):
    run_dir = tmp_path / "cell"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "WANDB_MODE": "offline", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(
        [sys.executable, "-m", "rlvr_sweeps", "+experiment=paper_arch_smoke", "algo=gspo", "reward=combined",
         f"model.tokenizer={shared_data / 'tokenizers' / 'qwen3'}", f"data.path={shared_data / 'mbpp' / 'mbpp.jsonl'}",
         "logger=none", f"hydra.run.dir={run_dir}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1500,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    final = json.loads((run_dir / "final.json").read_text())
    assert final["status"] == "ok", final["error"]
    assert final["choices"]["model"] == "qwen3-0.6b" and final["metrics"]["train/global_step"] == 1
    adapter = json.loads((run_dir / "adapter" / "adapter_config.json").read_text())
    assert adapter["r"] == 16 and set(adapter["target_modules"]) >= {"q_proj", "down_proj"}
    for label in ("base", "trained"):
        rows = list(read_jsonl(run_dir / "eval" / label / "problems.jsonl"))
        assert len(rows) == 2 and all(r["n_tokens"] <= 16 for r in rows)
    assert final["eval"]["trained"]["n_tasks"] == 2
