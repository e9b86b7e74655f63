"""The real Qwen3 tokenizer takes seconds to load: once per session."""

from __future__ import annotations

import pytest

from rlvr_sweeps.config.model import ModelConfig
from rlvr_sweeps.models import load_tokenizer


@pytest.fixture(scope="session")
def qwen3_tokenizer(shared_data):
    return load_tokenizer(ModelConfig(tokenizer=str(shared_data / "tokenizers" / "qwen3")))
