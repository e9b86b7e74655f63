"""Class 2 and 9 of issue 9: nothing in a program's source or a test's shape can crash the
parent, lose the batch or pass by default."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rlvr_sweeps.sandbox import Job

HONEST = "def f(x):\n    return x + 1"

PATHOLOGICAL = {
    "chained_binops": "def f(x):\n    return " + "x+" * 20000 + "x\n",
    "unary_minus": "def f(x):\n    return " + "-" * 50000 + "x\n",
    "nested_brackets": "def f(x):\n    return " + "[" * 5000 + "]" * 5000 + "\n",
    "huge_source": HONEST + "\n#" + "x" * (2 << 20),
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_source_is_a_verdict_not_a_crash(ex, name):
    jobs = [Job(HONEST, ["assert f(1) == 2"]), Job(PATHOLOGICAL[name], ["assert f(1) == 2"]),
            Job(HONEST, ["assert f(1) == 2"])]
    first, bad, last = ex.run(jobs)
    assert first.passed and last.passed, (first, last)
    assert not bad.passed and bad.status == "error", bad
    assert ex.run([Job(HONEST, ["assert f(1) == 2"])])[0].passed  # still usable


def test_pathological_test_is_a_verdict_not_a_crash(ex):
    deep = "assert f(1) == " + "1+" * 20000 + "1"
    bad, good = ex.run([Job(HONEST, [deep]), Job(HONEST, ["assert f(1) == 2"])])
    assert (bad.passed, bad.exception) == (False, "ParseError"), bad
    assert good.passed, good


def test_score_cli_survives_pathological_source(tmp_path):
    rows = [{"id": 0, "code": PATHOLOGICAL["chained_binops"], "tests": ["assert f(1) == 2"]},
            {"id": 1, "code": HONEST, "tests": ["assert f(1) == 2"]}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = subprocess.run([sys.executable, "-m", "rlvr_sweeps.score", str(src), "--workers", "1"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["passed"] for r in out] == [False, True]


def test_nested_assert_is_not_decided_by_the_child(run1):
    """The asserts inside the for loop would run in the child, where __eq__ is the program's."""
    code = ("class A:\n    def __eq__(self, o): return True\n    __hash__ = None\n"
            "def f(x):\n    return A() if x != 1 else 2")
    tests = ["assert f(1) == 2\nfor x in (2, 3):\n    assert f(x) == x + 1"]
    result = run1(code, tests=tests)
    assert not result.passed and result.exception == "UnsupportedTest", result


def test_empty_test_list_never_passes(run1):
    result = run1("raise RuntimeError('crash')\n", tests=[])
    assert not result.passed and result.exception == "NoTests", result
