"""A real 2-cell sweep in which one cell fails at run time, shared by the tests that read it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from appcli import BAD_TOKENIZER, QUICK, run_app


@pytest.fixture(scope="session")
def failed_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """`model.tokenizer=builtin,<missing dir>`: both cells compose (the path is only read when the
    job loads its tokenizer), so exactly one cell raises inside its job. logger=wandb, offline."""
    cwd = tmp_path_factory.mktemp("failed_sweep")
    sweep = cwd / "sweep"
    proc = run_app(["-m", f"model.tokenizer=builtin,{BAD_TOKENIZER}", "logger=wandb", *QUICK,
                    f"hydra.sweep.dir={sweep}"], cwd=cwd)
    return sweep, proc
