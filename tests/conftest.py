"""Shared fixtures: offline everything, and the real data in ../shared/data."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from appcli import BAD_TOKENIZER, QUICK, run_app  # tests/appcli.py: this folder is on sys.path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("WANDB_SILENT", "true")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real MBPP / MBPP+ / tokenizer files. Missing data is an error, not a skip:
    CI must never go green by silently skipping the tests that read it."""
    if not (SHARED_DATA / "mbpp" / "mbpp.jsonl").is_file():
        raise FileNotFoundError(f"{SHARED_DATA} is missing: clone the repo next to its shared/ folder")
    return SHARED_DATA


@pytest.fixture(scope="session")
def compose():
    """The one compose helper of the config tests: `compose(*overrides, config_name="config",
    hydra_cfg=False)` returns the composed DictConfig of conf/<config_name>.yaml with the schema
    registered, as `python -m rlvr_sweeps` would see it (no Hydra job is run)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from rlvr_sweeps.config import register_configs
    from rlvr_sweeps.paths import conf_dir

    register_configs()

    def _compose(*overrides: str, config_name: str = "config", hydra_cfg: bool = False):
        with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
            return hydra_compose(config_name, overrides=list(overrides), return_hydra_config=hydra_cfg)

    return _compose


@pytest.fixture(scope="session")
def failed_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """A real 2-cell sweep in which one cell fails at run time, shared by the app and report tests
    that read it: `model.tokenizer=builtin,<missing dir>` composes both cells (the path is only read
    when the job loads its tokenizer), so exactly one cell raises inside its job. logger=wandb, offline."""
    cwd = tmp_path_factory.mktemp("failed_sweep")
    sweep = cwd / "sweep"
    proc = run_app(["-m", f"model.tokenizer=builtin,{BAD_TOKENIZER}", "logger=wandb", *QUICK,
                    f"hydra.sweep.dir={sweep}"], cwd=cwd)
    return sweep, proc
