"""Shared fixtures: offline everything, and the real data in ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
