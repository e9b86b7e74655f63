"""Diagnostics API over plain data: lengths, severity profile, error-type distribution."""

from __future__ import annotations

import math

import pytest

from rlvr_sweeps.diagnostics import (
    ERROR_LABELS,
    completion_lengths,
    error_type_distribution,
    error_type_label,
    severity_profile,
)
from rlvr_sweeps.lint import lint_codes


def test_completion_lengths():
    assert completion_lengths([10, 20, 30, 64], max_len=64) == {"mean": 31.0, "median": 25.0, "truncated_share": 0.25}
    with pytest.raises(ValueError, match="no completions"):
        completion_lengths([], 64)


def test_severity_profile_from_real_lint_and_from_dicts():
    results = lint_codes(["import os\nimport sys\n", "l = 1\n", "def f(:\n", "x = 1\n"])
    profile = severity_profile(results, top_k=2)
    assert profile["per_completion"]["error"] == 0.5  # two F401 over four completions
    assert profile["per_completion"]["warning"] == 0.25
    assert profile["per_completion"]["fatal"] >= 0.25
    assert profile["clean_share"] == 0.25
    assert profile["top_codes"][0] == ["F401", 2]
    assert len(profile["top_codes"]) == 2
    assert severity_profile([r.to_dict() for r in results], top_k=2) == profile  # result files work too


@pytest.mark.parametrize(
    ("result", "label"),
    [
        ({"passed": True, "status": "pass", "error_type": None}, "pass"),
        ({"passed": False, "status": "fail", "error_type": "AssertionError"}, "AssertionError"),
        ({"passed": False, "status": "fail", "error_type": None}, "AssertionError"),
        ({"passed": False, "status": "error", "error_type": "IndentationError"}, "SyntaxError"),
        ({"passed": False, "status": "error", "error_type": "NameError"}, "NameError"),
        ({"passed": False, "status": "error", "error_type": "TypeError"}, "TypeError"),
        ({"passed": False, "status": "error", "error_type": "RecursionError"}, "other"),
        ({"passed": False, "status": "timeout", "error_type": None}, "timeout"),
        ({"passed": False, "status": "memory", "error_type": "MemoryError"}, "memory"),
        ({"passed": False, "status": "no_code", "error_type": None}, "no_code"),
        ({"passed": False, "status": "crash", "error_type": None}, "other"),
        ({"passed": False, "status": "stub", "error_type": None}, "stub"),
        ({"passed": False, "status": "error", "exception": "NameError"}, "NameError"),  # the renamed field
        ({"passed": False, "status": "error", "exception": "TabError", "error_type": "other"}, "SyntaxError"),
    ],
)
def test_error_type_label(result, label):
    assert error_type_label(result) == label


def test_error_type_distribution_has_every_label_and_sums_to_one():
    dist = error_type_distribution(
        [{"passed": True, "status": "pass"}] * 2 + [{"passed": False, "status": "timeout"}, {"status": "no_code"}]
    )
    assert list(dist) == list(ERROR_LABELS)
    assert dist["pass"] == 0.5 and dist["timeout"] == 0.25 and dist["no_code"] == 0.25
    assert math.isclose(sum(dist.values()), 1.0)
