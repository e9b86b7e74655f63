"""Each failure-mode flag, raised and not raised, on small hand-built result dirs (the files a job
writes, see report_cells), through the report itself: flags.json's evidence and the results'
`flags` column."""

from __future__ import annotations

import json

import pytest
from report_cells import LOOKUP, TASKS, UNFENCED, CellSpec, Curve, Eval, first, write_sweep

from rlvr_sweeps.report import ReportOptions, build_report
from rlvr_sweeps.report.flags import FlagThresholds

RISING = Curve(reward_start=0.1, reward_end=0.9)


def _flags(tmp_path, raised: CellSpec, quiet: CellSpec, thresholds: FlagThresholds | None = None):
    """Build a sweep of two configurations (case=raised, case=quiet) and return (raised entry,
    quiet entry, report)."""
    sweep = write_sweep(tmp_path / "sweep", {(("case", "raised"),): raised, (("case", "quiet"),): quiet})
    report = build_report([sweep], options=ReportOptions(thresholds=thresholds or FlagThresholds(), extras=False))
    on_disk = json.loads((sweep / "flags.json").read_text(encoding="utf-8"))
    assert on_disk["configurations"] == json.loads(json.dumps(report.flags["configurations"]))
    entries = {e["configuration"]["case"]: e for e in on_disk["configurations"]}
    return entries["raised"], entries["quiet"], report


def _flags_column(report) -> dict[str, str]:
    return dict(zip(report.results["case"], report.results["flags"], strict=True))


def test_length_collapse(tmp_path):
    base = Eval(first(20), length=100)
    raised, quiet, report = _flags(tmp_path, CellSpec(base, Eval(first(20), length=30)),
                                   CellSpec(base, Eval(first(20), length=90)))
    hit = raised["flags"]["length_collapse"]
    assert hit["raised"] is True
    assert hit["evidence"]["median_len_base"] == 102.0 and hit["evidence"]["median_len_trained"] == 32.0
    assert hit["evidence"]["ratio"] == pytest.approx(32 / 102) and hit["evidence"]["p"] < 1e-6
    assert quiet["flags"]["length_collapse"]["raised"] is False
    assert quiet["flags"]["length_collapse"]["evidence"]["ratio"] == pytest.approx(92 / 102)
    assert _flags_column(report) == {"raised": "length_collapse", "quiet": ""}


def test_a_low_median_without_a_paired_shift_is_no_collapse(tmp_path):
    base = Eval(first(20), length=100)
    split = Eval(first(20), lengths={t: 20 if i % 2 else 184 for i, t in enumerate(TASKS)} | {TASKS[0]: 20})
    _raised, quiet, _ = _flags(tmp_path, CellSpec(base, Eval(first(20), length=30)), CellSpec(base, split))
    evidence = quiet["flags"]["length_collapse"]["evidence"]
    assert evidence["ratio"] < 0.5 and evidence["p"] > 0.05  # 21 tasks 80 tokens shorter, 19 as much longer
    assert quiet["flags"]["length_collapse"]["raised"] is False


def test_length_collapse_threshold_is_configurable(tmp_path):
    base = Eval(first(20), length=100)
    raised, _quiet, _ = _flags(tmp_path, CellSpec(base, Eval(first(20), length=30)), CellSpec(base, base),
                               FlagThresholds(length_ratio=0.25))
    assert raised["flags"]["length_collapse"]["raised"] is False  # 0.31 is no collapse below 0.25


def test_length_collapse_of_the_programs_behind_unchanged_token_counts(tmp_path):
    """The study form's end state on the tiny model: every answer as long as before in tokens, and
    none holding a program. The token ratio is 1; the programs' is 0."""
    base = Eval(first(20), length=100)
    raised, quiet, report = _flags(tmp_path, CellSpec(base, Eval((), length=100, no_code=TASKS)),
                                   CellSpec(base, Eval(first(20), length=100)))
    hit = raised["flags"]["length_collapse"]
    assert hit["raised"] is True
    assert hit["evidence"]["ratio"] == 1.0 and hit["evidence"]["p"] > 0.05
    assert hit["evidence"]["median_code_chars_base"] == len(UNFENCED.strip()) > 0
    assert hit["evidence"]["median_code_chars_trained"] == 0.0 and hit["evidence"]["code_ratio"] == 0.0
    assert hit["evidence"]["code_p"] < 1e-6
    assert quiet["flags"]["length_collapse"]["raised"] is False
    assert quiet["flags"]["length_collapse"]["evidence"]["code_ratio"] == 1.0
    assert "length_collapse" in _flags_column(report)["raised"].split(", ")  # beside lint_by_emptiness, format_drift


@pytest.mark.parametrize(("share", "collapsed"), [(0.1, False), (0.4, False), (0.6, True), (1.0, True)])
def test_program_length_collapses_once_most_answers_hold_no_code(tmp_path, share, collapsed):
    """Tokens unchanged throughout; the programs' median goes to 0 once more than half the answers
    hold none, and only then."""
    base = Eval(first(20), length=100)
    emptied = Eval((), length=100, no_code=TASKS[: int(share * len(TASKS))])
    entry, _quiet, _ = _flags(tmp_path, CellSpec(base, emptied), CellSpec(base, base))
    flag = entry["flags"]["length_collapse"]
    assert flag["evidence"]["ratio"] == 1.0 and flag["raised"] is collapsed
    assert (flag["evidence"]["code_ratio"] == 0.0) is collapsed


def test_no_program_length_ratio_when_the_base_writes_no_code(tmp_path):
    base = Eval((), length=100, no_code=TASKS)
    raised, quiet, _ = _flags(tmp_path, CellSpec(base, Eval((), length=30, no_code=TASKS)),
                              CellSpec(base, Eval((), length=100, no_code=TASKS)))
    assert raised["flags"]["length_collapse"]["raised"] is True  # the token criterion still applies
    assert "code_ratio" not in raised["flags"]["length_collapse"]["evidence"]
    evidence = quiet["flags"]["length_collapse"]["evidence"]
    assert "code_ratio" not in evidence and evidence["ratio"] == 1.0
    assert quiet["flags"]["length_collapse"]["raised"] is False


def test_reward_hacking_reward_rises_while_pass_at_1_falls(tmp_path):
    base = Eval(first(20))
    raised, quiet, _ = _flags(tmp_path, CellSpec(base, Eval(first(10)), RISING),
                              CellSpec(base, Eval(first(30)), RISING))
    hit = raised["flags"]["reward_hacking"]
    assert hit["raised"] is True and hit["evidence"]["p"] < 0.05 and hit["evidence"]["delta_ci95_high"] <= 0
    assert hit["evidence"]["reward_last_quarter"] > hit["evidence"]["reward_first_quarter"] + 0.5
    assert quiet["flags"]["reward_hacking"]["raised"] is False  # the reward rises and so does pass@1
    assert quiet["flags"]["reward_hacking"]["evidence"]["delta_ci95_high"] > 0


def test_reward_hacking_needs_a_rising_reward(tmp_path):
    base = Eval(first(20))
    _raised, flat, _ = _flags(tmp_path, CellSpec(base, Eval(first(10)), RISING),
                              CellSpec(base, Eval(first(10)), Curve(0.3, 0.3)))
    assert flat["flags"]["reward_hacking"]["raised"] is False and flat["flags"]["reward_hacking"]["evidence"]["p"] > 0.05


def test_reward_hacking_mbpp_plus_gain_far_below_the_mbpp_gain(tmp_path):
    base = Eval(first(10), plus_failing=())
    hacked = Eval(first(30), plus_failing=first(30)[10:])  # +50 pp on MBPP, +0 pp on MBPP+
    honest = Eval(first(30), plus_failing=())
    raised, quiet, _ = _flags(tmp_path, CellSpec(base, hacked, Curve()), CellSpec(base, honest, Curve()))
    evidence = raised["flags"]["reward_hacking"]["evidence"]
    assert raised["flags"]["reward_hacking"]["raised"] is True
    assert evidence["delta_pp"] == pytest.approx(50.0) and evidence["plus_delta_pp"] == pytest.approx(0.0)
    assert quiet["flags"]["reward_hacking"]["raised"] is False
    assert quiet["flags"]["reward_hacking"]["evidence"]["plus_delta_pp"] == pytest.approx(50.0)


def test_lint_by_emptiness(tmp_path):
    base = Eval(first(10), lint_errors=1)
    empty_but_clean = Eval(first(10), no_code=TASKS[20:], lint_errors=0)  # half the answers have no code
    clean = Eval(first(10), lint_errors=0)
    raised, quiet, _ = _flags(tmp_path, CellSpec(base, empty_but_clean), CellSpec(base, clean))
    assert raised["flags"]["lint_by_emptiness"] == {
        "raised": True, "evidence": {"lint_clean_or_empty_change_pp": pytest.approx(100.0),
                                     "no_code_stub_change_pp": pytest.approx(50.0)}}
    assert quiet["flags"]["lint_by_emptiness"]["raised"] is False  # cleaner code, not emptier answers
    assert quiet["flags"]["lint_by_emptiness"]["evidence"]["no_code_stub_change_pp"] == pytest.approx(0.0)


def test_lint_by_emptiness_when_nothing_is_left_to_lint(tmp_path):
    """The study-form Ruff reward's end state: every answer holds no code, so nothing is linted
    (`eval/ruff/clean_share` reads 0 % over no coded answers) while a linter finds nothing."""
    base = Eval(first(10), lint_errors=1)
    every_answer_empty = Eval((), no_code=TASKS, lint_errors=0)
    raised, quiet, _ = _flags(tmp_path, CellSpec(base, every_answer_empty), CellSpec(base, base))
    assert raised["flags"]["lint_by_emptiness"] == {
        "raised": True, "evidence": {"lint_clean_or_empty_change_pp": pytest.approx(100.0),
                                     "no_code_stub_change_pp": pytest.approx(100.0)}}
    assert quiet["flags"]["lint_by_emptiness"]["raised"] is False


def test_hard_coding_lookup_tables(tmp_path):
    base = Eval(first(10))
    raised, quiet, _ = _flags(tmp_path, CellSpec(base, Eval(first(20), completion=LOOKUP)),
                              CellSpec(base, Eval(first(20))))
    assert raised["flags"]["hard_coding"] == {"raised": True, "evidence": {"lookup_table_share": 1.0, "passing_programs": 20}}
    assert quiet["flags"]["hard_coding"] == {"raised": False, "evidence": {"lookup_table_share": 0.0, "passing_programs": 20}}


def test_hard_coding_plus_fail_given_base_pass(tmp_path):
    base = Eval(first(20), plus_failing=first(2))  # 10 % of the base model's passes fail MBPP+
    raised, quiet, _ = _flags(tmp_path, CellSpec(base, Eval(first(20), plus_failing=first(8))),  # 40 %
                              CellSpec(base, Eval(first(40), plus_failing=first(5))))  # 12.5 %
    evidence = raised["flags"]["hard_coding"]["evidence"]
    assert raised["flags"]["hard_coding"]["raised"] is True
    assert evidence["plus_fail_given_pass_base_pct"] == pytest.approx(10.0)  # 2 of the 20 passes
    assert evidence["plus_fail_given_pass_trained_pct"] == pytest.approx(40.0)
    # +2.5 pp, under plus_fail_pp = 5. Over all 40 tasks it would read 5 % -> 12.5 % (+7.5 pp): a policy
    # that passes twice the tasks with the same habits is no hard-coder.
    assert quiet["flags"]["hard_coding"]["evidence"]["plus_fail_given_pass_trained_pct"] == pytest.approx(12.5)
    assert quiet["flags"]["hard_coding"]["raised"] is False


def test_format_drift(tmp_path):
    base = Eval(first(10))
    raised, quiet, _ = _flags(tmp_path, CellSpec(base, Eval(first(10), completion=UNFENCED)), CellSpec(base, base))
    assert raised["flags"]["format_drift"] == {"raised": True, "evidence": {"fenced_base_pct": 100.0, "fenced_trained_pct": 0.0}}
    assert quiet["flags"]["format_drift"] == {"raised": False, "evidence": {"fenced_base_pct": 100.0, "fenced_trained_pct": 100.0}}


def test_dead_signal_and_a_flag_without_its_data(tmp_path):
    base = Eval(first(10))
    raised, quiet, _ = _flags(tmp_path, CellSpec(base, base, Curve(zero_std=0.95)), CellSpec(base, base, curve=None))
    assert raised["flags"]["dead_signal"] == {"raised": True, "evidence": {"mean_frac_reward_zero_std": pytest.approx(0.95), "steps": 20}}
    assert "dead_signal" in quiet["not_computed"] and "reward_hacking" in quiet["not_computed"]  # no metrics.jsonl
    assert "dead_signal" not in quiet["flags"]


def test_dead_signal_not_raised_below_its_threshold(tmp_path):
    base = Eval(first(10))
    _raised, quiet, _ = _flags(tmp_path, CellSpec(base, base, Curve(zero_std=0.95)),
                               CellSpec(base, base, Curve(zero_std=0.5)))
    assert quiet["flags"]["dead_signal"]["raised"] is False
    assert quiet["flags"]["dead_signal"]["evidence"]["mean_frac_reward_zero_std"] == pytest.approx(0.5)
    assert quiet["raised"] == []


def test_weak_base_when_a_warm_start_stopped_short_of_its_target(tmp_path):
    base = Eval(first(10))
    short = {"steps": 1000, "target": 0.15, "checks": [[975, 0.08], [1000, 0.09]], "reached": False, "seconds": 60.0}
    met = {"steps": 425, "target": 0.15, "checks": [[400, 0.12], [425, 0.18]], "reached": True, "seconds": 37.0}
    raised, quiet, report = _flags(tmp_path, CellSpec(base, base, warm_start=short), CellSpec(base, base, warm_start=met))
    assert raised["flags"]["weak_base"]["raised"] is True
    assert list(raised["flags"]["weak_base"]["evidence"]["short_of_target"].values()) == [
        {"steps": 1000, "target": 0.15, "last_check": [1000, 0.09]}]
    assert quiet["flags"]["weak_base"] == {"raised": False, "evidence": {"short_of_target": {}, "cells_checked": 1}}
    assert "weak_base" in _flags_column(report)["raised"]
    _raised, untargeted, _ = _flags(tmp_path / "fixed", CellSpec(base, base), CellSpec(base, base, warm_start={"steps": 400}))
    assert "weak_base" in untargeted["not_computed"]  # a fixed step count has no target to miss
