"""The compose-time batch check applies TRL's own rule, world size included."""

from __future__ import annotations

import pytest

from rlvr_sweeps.config import ConfigError, to_config
from rlvr_sweeps.config.rules import check_batch_shape


def _trl_accepts(per_device: int, processes: int, spg: int, g: int) -> bool:
    """TRL's GRPOConfig rule, quoted: generation_batch_size % num_generations == 0."""
    return (per_device * processes * spg) % g == 0


@pytest.mark.parametrize(("per_device", "processes", "spg", "g"),
                         [(1, 4, 2, 8), (2, 4, 1, 8), (3, 2, 2, 4), (2, 1, 2, 8), (4, 2, 2, 8)])
def test_shape_check_agrees_with_trl_for_every_world_size(compose, per_device, processes, spg, g):
    conf = to_config(compose(f"train.per_device_train_batch_size={per_device}", f"algo.steps_per_generation={spg}",
                              f"algo.num_generations={g}", "train.gradient_accumulation_steps=1")
                     ) if _trl_accepts(per_device, 1, spg, g) else None
    cfg = conf or to_config(compose())  # a valid base config whose shape we change below
    cfg.train.per_device_train_batch_size, cfg.algo.steps_per_generation, cfg.algo.num_generations = per_device, spg, g
    if _trl_accepts(per_device, processes, spg, g):
        check_batch_shape(cfg, processes)
    else:
        with pytest.raises(ConfigError, match="not divisible"):
            check_batch_shape(cfg, processes)


def test_world_size_comes_from_the_launcher_environment(compose, monkeypatch):
    """1 per device x 2 steps = 2 completions on one process cannot hold a group of 4; on 2 ranks it can."""
    shape = ("train.per_device_train_batch_size=1", "algo.steps_per_generation=2", "algo.num_generations=4")
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    with pytest.raises(ConfigError, match="1 x 1 x 2"):
        to_config(compose(*shape))
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert to_config(compose(*shape)).algo.num_generations == 4
