"""The report, the job module and the logger registry import no torch/transformers: `--cfg job`, the
report and a launcher process stay light."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "trl", "peft", "wandb")


@pytest.mark.parametrize("module", ["rlvr_sweeps.report", "rlvr_sweeps.job", "rlvr_sweeps.logger", "rlvr_sweeps.train"])
def test_module_imports_nothing_heavy(module):
    code = f"import sys, {module}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
