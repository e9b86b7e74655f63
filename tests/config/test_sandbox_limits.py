"""One sandbox limit source: the reward and evaluation run programs under the same timeout and
memory limit by default, both read from conf/sandbox."""

from __future__ import annotations

from hydra import compose, initialize_config_dir

from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.paths import conf_dir


def _conf(*overrides):
    register_configs()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        return to_config(compose("config", overrides=["output_dir=/tmp/x", *overrides]))


def test_evaluation_reads_the_sandbox_limits():
    conf = _conf()
    assert conf.eval.timeout_s == conf.sandbox.timeout_s == 10.0
    moved = _conf("sandbox.timeout_s=3")
    assert moved.eval.timeout_s == 3.0  # set in one place, both follow
    assert _conf("sandbox.timeout_s=3", "eval.timeout_s=7").eval.timeout_s == 7.0  # an explicit override still wins
