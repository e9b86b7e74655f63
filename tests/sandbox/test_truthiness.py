"""Asserts that only need a value's truth (``assert re.search(...)``, ``not f(x)``, ``and``/
``or``, ``x if f(y) else z``, ``bool(f(x))``) behave exactly as in plain Python, also when the
value is not plain data (a ``re.Match``): the child then sends ``bool(value)``. Value contexts
(``is None``, ``isinstance``, ``== True``) still see the value itself."""

from __future__ import annotations

import pytest

from rlvr_sweeps.sandbox import Job, plan

CODE = (
    "import re\n"
    "def g(s):\n    return re.search('a', s)\n"
    "class Boom:\n    def __bool__(self):\n        raise ValueError('no truth')\n"
    "def boom():\n    return Boom()\n"
    "def empty():\n    return []\n"
)

TESTS = [
    'assert g("a")',
    'assert g("b")',
    'assert not g("b")',
    'assert not g("a")',
    'assert g("a") and g("ba")',
    'assert g("b") and g("a")',
    'assert g("b") or g("a")',
    'assert not (g("b") or g("c"))',
    'assert (1 if g("a") else 0) == 1',
    'assert (g("a") if g("b") else g("ca"))',
    'assert bool(g("a"))',
    'assert bool(g("a")) == True',
    'assert g("a") is not None',
    'assert g("a") is None',
    'assert g("b") is None',
    'assert isinstance(g("a"), list)',
    'assert g("a") == True',
    'assert (g("b") or [1]) == [1]',
    'assert g("a").group() == "a"',
    "assert boom()",
    "assert not boom()",
    "assert empty()",
    "assert not empty()",
]


def _plain_python(code: str, test: str) -> tuple[bool, str | None]:
    ns: dict = {}
    exec(code, ns)  # noqa: S102 - our own fixed code, the reference behaviour
    try:
        exec(test, ns)  # noqa: S102
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__
    return True, None


@pytest.mark.parametrize("test", TESTS)
def test_truth_contexts_match_plain_python(ex, test):
    expected = _plain_python(CODE, test)
    result = ex.run([Job(CODE, [test])])[0]
    assert (result.passed, result.exception) == expected, result


def test_issue_example_passes(run1):
    result = run1("import re\ndef g(s):\n    return re.search('a', s)\n", tests=['assert g("a")'])
    assert result.passed and result.status == "pass", result


def test_raising_bool_is_an_error(run1):
    result = run1(CODE, tests=["assert boom()"])
    assert (result.passed, result.status, result.exception) == (False, "error", "ValueError"), result


def test_falsy_match_fails(run1):
    result = run1(CODE, tests=['assert g("xyz")'])
    assert (result.status, result.exception) == ("fail", "AssertionError"), result


def test_plan_sends_truth_only_in_boolean_contexts():
    def kinds(src: str) -> list[str]:
        return [kind for kind, _ in plan.plan_test(src, frozenset()).ops]

    assert kinds("assert f(1)") == ["b"]
    assert kinds("assert not f(1) and (g(2) or h(3))") == ["b", "b", "b"]
    assert kinds("assert (1 if f(1) else g(2)) == 1") == ["b", "e"]
    assert kinds("assert bool(f(1))") == ["b"]
    assert kinds("assert (f(1) or g(2)) == 3") == ["e", "e"]
    assert kinds("assert f(1) is None") == ["e"]
    assert kinds("assert isinstance(f(1), list)") == ["e"]
    assert kinds("assert f(1) == True") == ["e"]
    assert kinds("assert -f(1)") == ["e"]
    # a solution rebinding ``bool`` makes bool(...) untrusted: the whole call goes to the child
    assert plan.plan_test("assert bool(f(1))", frozenset({"bool"})).ops == (("b", "bool(f(1))"),)
