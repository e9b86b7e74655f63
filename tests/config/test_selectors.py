"""Every value that selects an implementation is an enum whose lookup table has exactly its members,
so a typo fails at compose time with the allowed values, and a failing job start leaves no stale marker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hydra.errors import ConfigCompositionException

from rlvr_sweeps.config import AlgoName, to_config
from rlvr_sweeps.config.data import DataSource
from rlvr_sweeps.config.eval import EvalBackend
from rlvr_sweeps.config.logger import LoggerName
from rlvr_sweeps.config.model import Arch

REPO = Path(__file__).resolve().parents[2]


def test_every_lookup_table_is_keyed_by_its_enum() -> None:
    from rlvr_sweeps.algos import ALGORITHMS
    from rlvr_sweeps.data.loading import LOADERS
    from rlvr_sweeps.evaluate.generators import BACKENDS
    from rlvr_sweeps.logger import LOGGERS
    from rlvr_sweeps.models.architectures import ARCHITECTURES

    for table, enum in ((ALGORITHMS, AlgoName), (LOADERS, DataSource), (BACKENDS, EvalBackend),
                        (LOGGERS, LoggerName), (ARCHITECTURES, Arch)):
        assert set(table) == set(enum) and all(type(k) is enum for k in table), enum.__name__


@pytest.mark.parametrize(
    ("override", "allowed"),
    [("logger.name=wandbb", "[wandb, none]"), ("algo.name=ppo", "[grpo, gspo]"), ("eval.backend=vlm", "[hf, vllm]"),
     ("algo.importance_sampling_level=seq", "[token, sequence]"), ("model.arch=gpt2", "[qwen3, llama]")],
)
def test_typo_in_a_selector_fails_at_compose_with_the_allowed_values(compose, override: str, allowed: str) -> None:
    with pytest.raises(ConfigCompositionException) as err:
        compose(override)
    assert f"expected one of {allowed}" in str(err.value.__cause__)


def test_cfg_job_refuses_a_logger_typo(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-m", "rlvr_sweeps", "logger.name=wandbb", "--cfg", "job"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "expected one of [wandb, none]" in out.stderr


def test_a_failing_logger_start_is_recorded_and_leaves_no_running_marker(compose, tmp_path: Path, monkeypatch) -> None:
    """The `running` marker and the logger start sit inside the job's failure handler."""
    from rlvr_sweeps import job
    from rlvr_sweeps.sweep.cell import FINAL, RUNNING, FinalRecord

    def broken(_cfg):
        raise RuntimeError("tracker unavailable")

    monkeypatch.setattr(job, "make_logger", broken)
    cfg = compose("logger=none", f"output_dir={tmp_path / 'cell'}")
    job.run_job(to_config(cfg), cfg)
    record = FinalRecord.load(tmp_path / "cell")
    assert (tmp_path / "cell" / FINAL).exists() and record is not None and not record.ok
    assert record.error is not None and "tracker unavailable" in record.error.message
    assert not (tmp_path / "cell" / RUNNING).exists()
