"""Compose the evaluate app's config in-process (the same groups and overrides as the CLI)."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir

from rlvr_sweeps.cli import normalize_argv
from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.paths import conf_dir


def eval_conf(*overrides: str, out_dir=None):
    register_configs()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        cfg = compose("evaluate", overrides=[*normalize_argv(list(overrides)), f"output_dir={out_dir or '.'}"])
    return to_config(cfg)


@pytest.fixture
def make_conf():
    return eval_conf
