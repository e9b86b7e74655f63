"""tiny-qwen3 with the real Qwen3 tokenizer (chat template, non-thinking) trains and evaluates."""

from __future__ import annotations

import json

import pytest
from appcli import QUICK, explain, run_app


@pytest.mark.slow
def test_tiny_qwen3_with_real_tokenizer_trains_a_few_steps(shared_data, tmp_path):
    tok = shared_data / "tokenizers" / "qwen3"
    run_dir = tmp_path / "run"
    # Two warm-start steps exercise SFT through the real chat template; QUICK's 150 cost ~300 s here: with a
    # 151,669-token vocabulary each step's logits are ~0.7 GB, and nothing this test asserts needs them.
    quick = [o for o in QUICK if not o.startswith("model.warm_start_steps=")] + ["model.warm_start_steps=2"]
    proc = run_app([f"model.tokenizer={tok}", "logger=none", *quick, f"hydra.run.dir={run_dir}"], cwd=tmp_path)
    final = json.loads((run_dir / "final.json").read_text())
    assert proc.returncode == 0 and final["status"] == "ok", explain(proc)
    steps = [json.loads(line)["step"] for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2] and final["warm_start"]["steps"] == 2
    saved = json.loads((run_dir / "adapter" / "tokenizer_config.json").read_text())
    assert "enable_thinking" in (saved.get("chat_template") or (run_dir / "adapter" / "chat_template.jinja").read_text())
