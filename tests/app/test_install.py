"""A non-editable install runs from any directory: conf/ ships inside the package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from appcli import explain

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_installed_wheel_composes_from_another_directory(tmp_path):
    target, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    build = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                            "--target", str(target), str(REPO)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, explain(build)
    env = {**os.environ, "PYTHONPATH": str(target), "HF_HUB_OFFLINE": "1"}
    where = subprocess.run([sys.executable, "-c", "import rlvr_sweeps, sys; print(rlvr_sweeps.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert where.stdout.strip().startswith(str(target)), explain(where)  # the installed copy, not the checkout
    proc = subprocess.run([sys.executable, "-m", "rlvr_sweeps", "--cfg", "job", "reward=combined"],
                          cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, explain(proc)
    assert "reward:" in proc.stdout and "name: combined" in proc.stdout and "lora_target_modules" in proc.stdout
