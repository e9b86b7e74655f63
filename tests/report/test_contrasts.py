"""Contrasts between configurations on hand-built sweeps with known per-task outcomes: the
reference option, pairing by task id, the equal-task-set rule, and the multiplicity correction
(Holm by default, Benjamini-Hochberg as an option) against the textbook formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from report_cells import TASKS, CellSpec, Eval, first, write_sweep

from rlvr_sweeps.report import ReportOptions, build_report
from rlvr_sweeps.report.__main__ import main as report_main
from rlvr_sweeps.report.stats import bootstrap_p, paired_test_p

BASE = Eval(first(4))
PASSING = {"unit": 20, "ruff": 14, "combined": 28}  # tasks passed (of 40) by the trained model, every seed


def _sweep(tmp_path, passing=PASSING, seeds=("0", "1"), specs=None):
    """reward × seed; `specs` replaces the cells it names ((reward, seed) -> CellSpec)."""
    cells = {(("reward", r), ("seed", s)): (specs or {}).get((r, s), CellSpec(BASE, Eval(first(n))))
             for r, n in passing.items() for s in seeds}
    return write_sweep(tmp_path / "sweep", cells)


def _contrasts(sweep, **options) -> pd.DataFrame:
    return build_report([sweep], options=ReportOptions(extras=False, **options)).contrasts.set_index("contrast")


def test_every_option_against_the_first_listed_by_default(tmp_path):
    frame = _contrasts(_sweep(tmp_path))
    assert list(frame.index) == ["reward: ruff − unit", "reward: combined − unit"]
    assert frame.loc["reward: ruff − unit", "delta_pp"] == pytest.approx(100 * (14 - 20) / 40)
    assert frame.loc["reward: combined − unit", "delta_pp"] == pytest.approx(100 * (28 - 20) / 40)
    assert (frame["n_tasks"] == 40).all() and (frame["n_seeds"] == 2).all()
    assert ((frame["ci95_low"] <= frame["delta_pp"]) & (frame["delta_pp"] <= frame["ci95_high"])).all()
    assert frame.loc["reward: ruff − unit", "ci95_high"] < 0 < frame.loc["reward: combined − unit", "ci95_low"]


def test_reference_option_is_configurable(tmp_path):
    sweep = _sweep(tmp_path)
    frame = _contrasts(sweep, reference={"reward": "ruff"})
    assert list(frame.index) == ["reward: unit − ruff", "reward: combined − ruff"]
    assert frame.loc["reward: combined − ruff", "delta_pp"] == pytest.approx(100 * (28 - 14) / 40)
    assert report_main([str(sweep), "-q", "--no-extras", "--reference", "reward=combined"]) == 0
    written = pd.read_csv(sweep / "contrasts.csv")
    assert list(written["contrast"]) == ["reward: unit − combined", "reward: ruff − combined"]


def test_unknown_reference_is_an_error_naming_the_options(tmp_path, capsys):
    sweep = _sweep(tmp_path)
    with pytest.raises(ValueError, match=r"reference reward=grpo is not among the swept options \['unit', 'ruff', 'combined'\]"):
        _contrasts(sweep, reference={"reward": "grpo"})
    assert report_main([str(sweep), "-q", "--no-extras", "--reference", "reward=grpo"]) == 2
    assert "error: reference reward=grpo" in capsys.readouterr().err


def test_tasks_are_paired_by_id_not_by_position(tmp_path):
    """ruff's seed 1 evaluated the same tasks in reverse order: the contrast does not change."""
    reversed_ruff = CellSpec(BASE, Eval(first(14), tasks=tuple(reversed(TASKS))))
    forward = _contrasts(_sweep(tmp_path / "a"))
    backward = _contrasts(_sweep(tmp_path / "b", specs={("ruff", "1"): reversed_ruff}))
    pd.testing.assert_frame_equal(forward, backward)


def test_unequal_task_sets_are_an_error(tmp_path):
    """ruff was evaluated on one task fewer (both seeds, base and trained alike): its own results
    are fine, its contrast with unit is not."""
    fewer = tuple(TASKS[:39])
    short = CellSpec(Eval(first(4), tasks=fewer), Eval(first(14), tasks=fewer))
    sweep = _sweep(tmp_path, specs={("ruff", "0"): short, ("ruff", "1"): short})
    with pytest.raises(ValueError, match=r"reward: ruff − unit: the runs were evaluated on different task sets "
                                         r"\(sizes \[39, 40\]\)"):
        _contrasts(sweep)


def test_holm_adjusts_over_the_whole_family(tmp_path):
    frame = _contrasts(_sweep(tmp_path))
    assert "p_holm" in frame.columns and "p_bh" not in frame.columns
    assert (frame["p_holm"] >= frame["p"]).all()
    small, large = sorted(frame["p"])
    first_holm = min(1.0, 2 * small)
    expected = {small: first_holm, large: min(1.0, max(first_holm, large))}  # Holm (1979), m = 2
    for p, p_holm in zip(frame["p"], frame["p_holm"], strict=True):
        assert p_holm == pytest.approx(expected[p])


def test_benjamini_hochberg_is_an_option(tmp_path):
    frame = _contrasts(_sweep(tmp_path), correction="bh")
    assert "p_bh" in frame.columns and "p_holm" not in frame.columns
    small, large = sorted(frame["p"])
    expected = {small: min(large, 2 * small), large: large}  # BH (1995), m = 2: p_(i) * m / i, step-up
    for p, p_bh in zip(frame["p"], frame["p_bh"], strict=True):
        assert p_bh == pytest.approx(expected[p])
    assert (frame["p_bh"] >= frame["p"]).all()


def test_pooled_row_over_the_other_choices(tmp_path):
    cells = {(("reward", r), ("model", m)): CellSpec(BASE, Eval(first(n + shift)))
             for r, n in (("unit", 20), ("ruff", 10)) for m, shift in (("a", 0), ("b", 4))}
    frame = build_report([write_sweep(tmp_path / "sweep", cells)], options=ReportOptions(extras=False)).contrasts
    ruff = frame[frame["contrast"] == "reward: ruff − unit"].set_index("model")
    assert list(ruff.index) == ["a", "b", "*"] and list(ruff["n_pairs"]) == [1, 1, 2]
    assert list(ruff["delta_pp"]) == pytest.approx([-25.0, -25.0, -25.0])
    assert list(ruff["n_seeds"]) == [1, 1, 1]


def test_seeds_shared_by_both_sides_are_resampled_together(tmp_path):
    """A seed fixes the warm start both rewards start from: seed 0 is a strong base, seed 1 a weak
    one, and ruff trails unit by the same 4 tasks in each. Paired by seed, the seed-to-seed swing
    cancels and the CI excludes 0; resampled independently (seeds no side shares) it would not."""
    passing = {("unit", "0"): 30, ("unit", "1"): 8, ("ruff", "0"): 26, ("ruff", "1"): 4}
    specs = {key: CellSpec(BASE, Eval(first(n))) for key, n in passing.items()}
    paired = _contrasts(_sweep(tmp_path / "paired", passing={"unit": 0, "ruff": 0}, specs=specs))
    row = paired.loc["reward: ruff − unit"]
    assert row["seed_pairing"] == "paired" and row["delta_pp"] == pytest.approx(-10.0)
    assert row["ci95_high"] < 0
    specs_apart = {("unit", "0"): specs[("unit", "0")], ("unit", "1"): specs[("unit", "1")],
                   ("ruff", "2"): specs[("ruff", "0")], ("ruff", "3"): specs[("ruff", "1")]}
    cells = {(("reward", r), ("seed", s)): spec for (r, s), spec in specs_apart.items()}
    apart = _contrasts(write_sweep(tmp_path / "apart" / "sweep", cells)).loc["reward: ruff − unit"]
    assert apart["seed_pairing"] == "independent" and apart["delta_pp"] == pytest.approx(-10.0)
    assert apart["ci95_low"] < 0 < apart["ci95_high"]


def test_p_carries_the_seeds_variance_as_the_ci_does(tmp_path):
    """ruff beats unit by 20 tasks at seed 0 and trails it by 12 at seed 1. Averaged over seeds, 8
    tasks favour ruff and none unit, so a per-problem test alone calls it significant (p < 0.01);
    with two seeds that disagree, the bootstrap p (the CI's own resampling) does not."""
    passing = {("unit", "0"): 10, ("unit", "1"): 22, ("ruff", "0"): 30, ("ruff", "1"): 10}
    specs = {key: CellSpec(BASE, Eval(first(n))) for key, n in passing.items()}
    row = _contrasts(_sweep(tmp_path, passing={"unit": 0, "ruff": 0}, specs=specs)).loc["reward: ruff − unit"]
    assert row["delta_pp"] == pytest.approx(100 * (40 - 32) / 2 / 40)
    assert row["ci95_low"] < 0 < row["ci95_high"]
    assert row["p_test"] == "bootstrap" and row["p"] > 0.2
    assert paired_test_p(np.array([0.5] * 8 + [0.0] * 32)) < 0.01  # what the per-problem test alone says


def test_one_seed_per_side_uses_the_per_problem_test(tmp_path):
    frame = _contrasts(_sweep(tmp_path, seeds=("0",)))
    assert (frame["p_test"] == "wilcoxon").all()
    ruff = frame.loc["reward: ruff − unit"]  # 14 vs 20 tasks: 6 tasks lost, none gained
    assert ruff["p"] == pytest.approx(paired_test_p(np.array([-1.0] * 6)))


def test_bootstrap_p_has_no_resampling_floor():
    """A tail count at 0 could not go below 2/(B+1) = 0.001 for B = 2000; Holm over 50 contrasts
    would then make nothing significant. The z-test on the bootstrap's spread has no such floor."""
    stats = np.random.default_rng(0).normal(0.05, 0.01, size=2000)  # Δ 5 pp, se 1 pp
    assert bootstrap_p(stats, 0.05) < 1e-5
    assert bootstrap_p(stats - 0.05, 0.0) == pytest.approx(1.0)
    assert 0.04 < bootstrap_p(stats - 0.05 + 0.0196, 0.0196) < 0.06  # 1.96 se: p = 0.05
