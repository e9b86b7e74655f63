"""Ruff reward: forms, no-code value, noqa, logging, and the reward config group wiring."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from rlvr_sweeps.config import register_configs
from rlvr_sweeps.config.reward import RewardComponent, RewardConfig, RuffForm, RuffRewardConfig
from rlvr_sweeps.lint import LintConfig
from rlvr_sweeps.paths import conf_dir
from rlvr_sweeps.rewards import REWARDS, build_reward_funcs
from rlvr_sweeps.rewards.ruff import RuffReward

FENCE = "```"
CLEAN = f"{FENCE}python\ndef add(a, b):\n    return a + b\n{FENCE}"
UNUSED_IMPORT = f"{FENCE}python\nimport os\n\n\ndef add(a, b):\n    return a + b\n{FENCE}"
SYNTAX_ERROR = f"{FENCE}python\ndef add(a, b:\n    return a + b\n{FENCE}"


def compose_reward(name: str):
    register_configs()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        return compose("config", overrides=[f"reward={name}"]).reward


STUB = f"{FENCE}python\ndef add(a, b):\n    pass\n{FENCE}"
LONG_ONE_ISSUE = f"{FENCE}python\nimport os\n\n\ndef add(a, b):\n" + "".join(f"    a = a + {i}\n" for i in range(9)) + f"    return a + b\n{FENCE}"


def test_per_line_default_is_robust():
    """The default normalises per line and gives a stub and no code the worst value."""
    reward = RuffReward(RuffRewardConfig())
    clean, unused, long_unused, syntax, stub, empty = reward([CLEAN, UNUSED_IMPORT, LONG_ONE_ISSUE, SYNTAX_ERROR, STUB, ""])
    assert clean == 0.0
    assert unused == pytest.approx(-3 / 3)  # one F401 (weight 3) over 3 non-blank lines: saturates
    assert unused < long_unused < 0.0  # the same issue in a longer program costs less
    assert long_unused == pytest.approx(-3 / 12)
    assert syntax == stub == empty == -1.0


def test_study_form_is_the_gameable_raw_count():
    """The degeneration the study reports: a stub and the empty text earn the best Ruff reward,
    better than real code with one issue; the penalty is a raw count with a clip."""
    reward = RuffReward(RuffRewardConfig(form=RuffForm.study))
    empty, stub, clean, unused, syntax = reward(["", STUB, CLEAN, UNUSED_IMPORT, SYNTAX_ERROR])
    assert empty == stub == clean == 0.0 > unused
    assert unused == pytest.approx(-0.3)  # error weight 3 / clip 10
    assert syntax == -1.0


def test_inverse_form():
    reward = RuffReward(RuffRewardConfig(form=RuffForm.inverse, clip=3.0))
    clean, unused, empty, stub = reward([CLEAN, UNUSED_IMPORT, "", STUB])
    assert (clean, unused, empty, stub) == (1.0, pytest.approx(0.5), 0.0, 0.0)


def test_paper_experiment_sets_the_study_reward():
    register_configs()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        cfg = compose("config", overrides=["+experiment=paper", "reward=combined"])
    assert cfg.reward.ruff.form == "study" and cfg.reward.aggregation == "sum"
    assert compose_reward("combined").aggregation == "normalize_then_sum"


def test_noqa_written_by_the_policy_does_not_pay():
    reward = RuffReward(RuffRewardConfig())
    gamed = f"{FENCE}python\n# ruff: noqa\nimport os  # noqa\n\n\ndef add(a, b):\n    return a + b\n{FENCE}"
    assert reward([gamed]) == reward([UNUSED_IMPORT])
    honoring = RuffReward(RuffRewardConfig(lint=LintConfig(honor_noqa=True)))
    assert honoring([gamed]) == [0.0]


def test_conversational_completions():
    reward = RuffReward(RuffRewardConfig())
    assert reward([[{"role": "assistant", "content": UNUSED_IMPORT}]]) == pytest.approx([-1.0])


def test_logs_lint_stats_through_trl_hooks():
    metrics, extra = {}, {}
    RuffReward(RuffRewardConfig())(
        [CLEAN, UNUSED_IMPORT, ""], log_metric=metrics.__setitem__, log_extra=extra.__setitem__
    )
    assert metrics["answer/no_code_share"] == pytest.approx(1 / 3)
    assert metrics["ruff/clean_share"] == 0.5  # among the completions with code
    assert metrics["ruff/issues_per_completion"] == 0.5
    assert metrics["ruff/error_per_completion"] == 0.5
    assert extra["ruff_issues"] == [0, 1, None]


def test_registry_and_function_names():
    assert set(REWARDS) == {"unit", "ruff"}
    funcs, weights = build_reward_funcs(
        RewardConfig(components=[RewardComponent("unit", 1.0), RewardComponent("ruff", 0.5)])
    )
    assert [f.__name__ for f in funcs] == ["unit", "ruff"]  # TRL keys rewards/<name>/mean by these
    assert weights == [1.0, 0.5]


@pytest.mark.parametrize(
    ("name", "funcs", "weights"),
    [("unit", ["unit"], [1.0]), ("ruff", ["ruff"], [1.0]), ("combined", ["unit", "ruff"], [1.0, 0.2])],
)
def test_reward_config_group_builds_trl_reward_funcs(name, funcs, weights):
    built, w = build_reward_funcs(compose_reward(name))
    assert [f.__name__ for f in built] == funcs
    assert w == weights


def test_combined_reuses_ruff_yaml_and_it_matches_the_lint_defaults():
    """The score CLI's --lint uses LintConfig() defaults; the reward uses conf/reward/ruff.yaml.
    They must be the same rule set and weights, and combined must inherit them."""
    ruff_lint = OmegaConf.to_container(compose_reward("ruff").ruff.lint)
    assert ruff_lint == OmegaConf.to_container(OmegaConf.structured(LintConfig()))
    assert OmegaConf.to_container(compose_reward("combined").ruff) == OmegaConf.to_container(
        compose_reward("ruff").ruff
    )


def test_schema_rejects_bad_values():
    with pytest.raises(ValueError, match="repeat"):
        RewardConfig(components=[RewardComponent("ruff", 1.0), RewardComponent("ruff", 1.0)])
    with pytest.raises(ValueError, match="empty"):
        RewardConfig(components=[])
    with pytest.raises(ValueError, match="clip"):
        RuffRewardConfig(clip=0.0)
    with pytest.raises(ValueError, match="gated"):
        RewardConfig(aggregation="gated")
