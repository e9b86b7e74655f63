"""The entry points' modules (compose and validate, the job module, the logger registry, evaluation,
the score CLI, the report) import no torch/transformers/...: `--cfg job`, the report and a launcher
process stay light; the heavy stack is imported inside the functions that need it."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "trl", "peft", "wandb", "matplotlib", "vllm")


@pytest.mark.parametrize("module", ["rlvr_sweeps.__main__", "rlvr_sweeps.cli", "rlvr_sweeps.report", "rlvr_sweeps.job",
                                    "rlvr_sweeps.logger", "rlvr_sweeps.train", "rlvr_sweeps.evaluate.__main__",
                                    "rlvr_sweeps.score"])
def test_module_imports_nothing_heavy(module):
    code = f"import sys, {module}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
