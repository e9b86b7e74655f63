"""Batched Ruff linting: known verdicts per severity class, batch mapping, odd inputs, noqa."""

from __future__ import annotations

import pytest

from rlvr_sweeps.lint import SYNTAX_CODE, LintConfig, LintResult, SeverityClass, lint_codes, ruff_bin
from rlvr_sweeps.lint.runner import ruff_command

CLASSES = ["fatal", "error", "warning", "convention"]


def one(code: str, cfg: LintConfig | None = None) -> LintResult:
    (result,) = lint_codes([code], cfg)
    return result


def test_binary_comes_from_the_installed_package():
    from ruff.__main__ import find_ruff_bin

    assert ruff_bin() == str(find_ruff_bin())


@pytest.mark.parametrize(
    ("code", "rule", "cls"),
    [
        ("import os\n", "F401", "error"),
        ("l = 1\n", "E741", "warning"),
        ("def f(:\n    pass\n", SYNTAX_CODE, "fatal"),
        ("def f(x):\n    return [y for y in x]\n", "C416", "convention"),
        ("def f(x):\n    return undefined_name + x\n", "F821", "error"),
    ],
)
def test_known_snippets_get_known_class(code, rule, cls):
    r = one(code)
    assert rule in r.codes
    assert r.counts[cls] >= 1
    assert list(r.counts) == CLASSES  # every class present, in config order
    assert r.total == sum(r.codes.values())


def test_clean_code_is_clean():
    r = one("def add(a, b):\n    return a + b\n")
    assert r.total == 0 and r.codes == {} and r.counts == dict.fromkeys(CLASSES, 0)


def test_missing_final_newline_is_not_an_issue():
    assert one("def add(a, b):\n    return a + b").total == 0  # fences strip it; no W292 for that


def test_empty_completion_is_clean_and_not_linted():
    results = lint_codes(["", "   \n", "import os\n"])
    assert [r.total for r in results] == [0, 0, 1]


def test_longest_prefix_wins_and_fallback_catches_the_rest():
    cfg = LintConfig(
        select=["E", "F", "B"],
        classes=[SeverityClass("bad", ["F401"], 5.0), SeverityClass("pyflakes", ["F"], 2.0), SeverityClass("rest", [], 1.0)],
        fallback_class="rest",
    )
    r = one("import os\n\n\ndef f(x=[]):\n    return y\n", cfg)
    assert r.codes == {"F401": 1, "B006": 1, "F821": 1}
    assert r.counts == {"bad": 1, "pyflakes": 1, "rest": 1}
    assert r.weighted(cfg.weights) == 8.0


def test_weighted_refuses_a_class_without_weight():
    with pytest.raises(ValueError, match="no weight"):
        one("import os\n").weighted({"fatal": 1.0})


def test_select_is_explicit_not_ruff_defaults():
    cmd = ruff_command(LintConfig(select=["F"]))
    assert cmd[cmd.index("--select") + 1] == "F"
    assert "--isolated" in cmd and "--no-cache" in cmd
    assert one("l = 1\n", LintConfig(select=["F"])).total == 0  # E741 not selected
    assert one("import sys\nimport os\n").codes == {"F401": 2}  # isort (I001) is not selected


@pytest.mark.parametrize(
    "code",
    [
        "import os  # noqa\n",
        "import os  # noqa: F401\n",
        "# ruff: noqa\nimport os\n",
        "# ruff: noqa: F401\nimport os\n",
        "# flake8: noqa\nimport os\n",
        "# ruff: disable[F401]\nimport os\n# ruff: enable[F401]\n",  # range suppression
    ],
)
def test_noqa_written_by_the_policy_silences_nothing_by_default(code):
    assert one(code).codes == {"F401": 1}
    assert one(code, LintConfig(honor_noqa=True)).total == 0  # and honoured when configured


def test_odd_unicode_and_very_long_lines():
    codes = [
        's = "héllo wörld ✓ 🙂 \u200b \u202e"\n',
        "def f():\n    return '" + "x" * 20000 + "'\n",
        "\ufeffx = 1\n",  # BOM
        "s = 'lone surrogate \ud800'\n",  # not encodable: replaced, still linted
        "名前 = 1\nprint(名前)\n",
        "x = 1\r\ny = 2\r\n",
    ]
    results = lint_codes(codes)
    assert len(results) == len(codes)
    assert results[0].total == 0
    assert results[1].codes == {"E501": 1}
    assert results[4].total == 0


def test_thousands_of_completions_in_one_call_map_back_in_order():
    codes = [("import os\n" if i % 3 == 0 else "l = 1\n" if i % 3 == 1 else f"x_{i} = {i}\n") for i in range(3000)]
    results = lint_codes(codes)
    assert len(results) == 3000
    for i, r in enumerate(results):
        expected = {0: {"F401": 1}, 1: {"E741": 1}, 2: {}}[i % 3]
        assert r.codes == expected, i


def test_batches_larger_than_one_process_chunk(monkeypatch):
    import rlvr_sweeps.lint.runner as runner

    monkeypatch.setattr(runner, "_FILES_PER_PROCESS", 7)
    codes = ["import os\n" if i % 2 else "y = 2\n" for i in range(30)]
    assert [r.total for r in lint_codes(codes)] == [i % 2 for i in range(30)]


def test_bad_rule_selection_is_a_clear_error():
    with pytest.raises(RuntimeError, match="ruff failed"):
        lint_codes(["x = 1\n"], LintConfig(select=["NOTARULE"]))


def test_config_validation():
    with pytest.raises(ValueError, match="fallback_class"):
        LintConfig(fallback_class="nope")
    with pytest.raises(ValueError, match="empty"):
        LintConfig(select=[])
    with pytest.raises(ValueError, match="duplicate"):
        LintConfig(classes=[SeverityClass("a"), SeverityClass("a")], fallback_class="a")


def test_result_round_trips_through_dict():
    r = one("import os\nl = 1\n")
    assert LintResult.from_dict(r.to_dict()) == r
