"""Numeric fields with a range refuse values outside it before any job starts, naming the range;
a single run whose job fails exits non-zero with one line (the traceback stays in final.json)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rlvr_sweeps.config import ConfigError, to_config
from rlvr_sweeps.config.ranges import check_range

REPO = Path(__file__).resolve().parents[2]

# (override, the allowed range the message must name)
BAD = [
    ("lora.r=0", "[1, inf)"),
    ("lora.r=-4", "[1, inf)"),
    ("train.learning_rate=-1", "(0, inf)"),
    ("algo.num_generations=1", "[2, inf)"),
    ("train.max_completion_length=0", "[1, inf)"),
    ("eval.n_samples=-3", "[0, inf)"),
    ("sandbox.timeout_s=0", "(0, inf)"),
    ("algo.epsilon=-0.2", "(0, 1)"),
    ("lora.dropout=1.0", "[0, 1)"),
    ("train.top_p=1.5", "(0, 1]"),
    ("eval.vllm.memory=0", "(0, 1]"),
    ("data.max_eval_tasks=0", "[1, inf) or null"),
    ("algo.num_iterations=0", "[1, inf)"),
]
IDS = [o for o, _ in BAD]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "WANDB_MODE": "offline"}
    return subprocess.run([sys.executable, "-m", "rlvr_sweeps", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(("override", "allowed"), BAD, ids=IDS)
def test_out_of_range_value_is_refused_with_its_range(compose, override: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as err:
        to_config(compose(override))
    key, value = override.split("=")
    assert f"{key}={value}" in str(err.value) or f"{key}={float(value)}" in str(err.value)
    assert f"allowed {allowed}" in str(err.value)


@pytest.mark.parametrize("override", IDS[:8], ids=IDS[:8])
def test_single_run_refuses_out_of_range_with_one_line(tmp_path: Path, override: str) -> None:
    out = _cli(override, f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert out.returncode == 2, out.stderr[-2000:]
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rlvr_sweeps: config error:") and "allowed" in lines[0]
    assert not (tmp_path / "run" / "final.json").exists()  # nothing started


@pytest.mark.parametrize("override", ["lora.r=0", "train.learning_rate=-1", "algo.epsilon=-0.2"])
def test_cfg_job_refuses_out_of_range_with_its_range(tmp_path: Path, override: str) -> None:
    """Hydra's --cfg job never calls the task function: the range is checked before it prints, no torch."""
    allowed = dict(BAD)[override]
    probe = (
        f"import sys, runpy; sys.argv=['rlvr_sweeps', '--cfg', 'job', {override!r}]\n"
        "try:\n    runpy.run_module('rlvr_sweeps', run_name='__main__')\n"
        "except SystemExit as e:\n    print('EXIT', e.code, 'torch' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "EXIT 2 False", out.stdout[-2000:] + out.stderr[-2000:]
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rlvr_sweeps: config error:") and f"allowed {allowed}" in lines[0]


def test_cfg_job_refuses_a_cross_group_rule_and_still_prints_a_valid_config(tmp_path: Path) -> None:
    bad = _cli("--cfg", "job", "algo=gspo", "algo.steps_per_generation=1", cwd=tmp_path)
    assert bad.returncode == 2 and "on-policy" in bad.stderr and not bad.stdout, bad.stderr[-2000:]
    good = _cli("--cfg", "job", "lora.r=8", cwd=tmp_path)
    assert good.returncode == 0 and "r: 8" in good.stdout, good.stderr[-2000:]


def test_evaluate_cfg_job_refuses_out_of_range(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-m", "rlvr_sweeps.evaluate", "--cfg", "job", "eval.n_samples=-3"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "rlvr_sweeps.evaluate: config error: eval.n_samples=-3" in out.stderr
    assert "allowed [0, inf)" in out.stderr


def test_dryrun_refuses_out_of_range_cells(tmp_path: Path) -> None:
    out = _cli("-m", "lora.r=0,16", "hydra/launcher=dryrun", f"hydra.sweep.dir={tmp_path / 's'}", cwd=tmp_path)
    assert out.returncode == 2, out.stderr[-2000:]
    assert "2 cells, 1 invalid" in out.stdout and "allowed [1, inf)" in out.stdout


def test_boundaries_are_inclusive_or_open_as_named() -> None:
    check_range("k", 1, 1)
    check_range("k", 1.0, 0, 1)
    check_range("k", None, 1, optional=True)
    with pytest.raises(ValueError, match=r"k=0 is out of range: allowed \(0, 1\]"):
        check_range("k", 0, 0, 1, lo_open=True)
    with pytest.raises(ValueError, match=r"allowed \[0, 1\)"):
        check_range("k", 1, 0, 1, hi_open=True)
    with pytest.raises(ValueError, match="k=None"):
        check_range("k", None, 1)


def test_failed_single_run_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    """The job fails fast (a data file that does not exist): exit 1, one stderr line saying why and
    where the traceback is; final.json records the failure with its traceback."""
    job = tmp_path / "run"
    out = _cli("data=mbpp", f"data.path={tmp_path / 'missing.jsonl'}", "logger=none",
               f"hydra.run.dir={job}", cwd=tmp_path)
    assert out.returncode == 1, out.stderr[-3000:]
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("rlvr_sweeps: job failed:") and str(job / "final.json") in last
    assert "Traceback" not in out.stderr
    record = json.loads((job / "final.json").read_text())
    assert record["status"] == "failed" and "Traceback" in record["error"]["traceback"]
    assert not (job / "running").exists()
