"""Legitimate programs still pass: values Python accepts as equal, stdlib-heavy solutions,
threads left running; plus the wire encoding and the assert splitting they rely on."""

from __future__ import annotations

import math
import textwrap

import pytest

from rlvr_sweeps.sandbox import STATUSES, Job, Result, _wire, decode_value, plan


@pytest.mark.parametrize("ret, expected", [
    ("collections.namedtuple('P', 'a b')(1, 2)", "(1, 2)"),
    ("collections.OrderedDict([(1, 'a'), (2, 'b')])", "{2: 'b', 1: 'a'}"),
    ("collections.defaultdict(int, {'x': 1})", "{'x': 1}"),
    ("collections.Counter('aab')", "{'a': 2, 'b': 1}"),
    ("2.0", "2"),
    ("True", "1"),
    ("frozenset({1, 2})", "{1, 2}"),
    ("10**40", "10**40"),
    ("float('inf')", "float('inf')"),
    ("b'\\x00\\xff'", "b'\\x00\\xff'"),
    ("1 + 2j", "complex(1, 2)"),
    ("{(1, 2): [3, {4}]}", "{(1, 2): [3, {4}]}"),
], ids=lambda v: v[:20])
def test_equal_values_pass(run1, ret, expected):
    code = f"import collections\ndef f(x):\n    return {ret}"
    result = run1(code, tests=[f"assert f(1) == {expected}"])
    assert result.passed and result.status == "pass", result


def test_tuple_is_not_list(run1):
    result = run1("def f(x):\n    return [1, 2]", tests=["assert f(1) == (1, 2)"])
    assert result.status == "fail"


def test_stdlib_heavy_solution(run1):
    code = textwrap.dedent("""
        import re, math, heapq, bisect, string, decimal, fractions
        from collections import Counter, deque
        from functools import lru_cache, reduce
        from itertools import combinations, accumulate
        @lru_cache(None)
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)
        def f(s):
            words = re.findall(r"[a-z]+", s)
            top = heapq.nlargest(2, Counter(words).items(), key=lambda kv: (kv[1], kv[0]))
            return (top, fib(30), math.gcd(12, 18), list(accumulate([1, 2, 3])),
                    len(list(combinations(range(5), 2))), bisect.bisect([1, 3, 5], 4),
                    reduce(lambda a, b: a * b, range(1, 6)), str(fractions.Fraction(1, 3)),
                    str(decimal.Decimal("1.10") + decimal.Decimal("2.20")), deque([1, 2]).pop(),
                    string.ascii_lowercase[:3])
    """)
    expected = ("([('b', 3), ('a', 2)], 832040, 6, [1, 3, 6], 10, 2, 120, '1/3', '3.30', 2, 'abc')")
    result = run1(code, tests=[f"assert f('a b b a b c') == {expected}"])
    assert result.passed, result


def test_non_daemon_thread_left_running(run1):
    code = "import threading, time\nthreading.Thread(target=time.sleep, args=(60,)).start()\ndef f(x):\n    return x + 1"
    result = run1(code)
    assert result.passed and result.duration_ms < 1500, result


def test_trusted_builtins_and_math_in_asserts(run1):
    code = "import math\ndef f(x):\n    return [3.0000001, 1, 2]"
    tests = ["assert math.isclose(f(1)[0], 3.0, rel_tol=1e-6)", "assert sorted(f(1)[1:]) == [1, 2]",
             "assert set(f(1)) == {1, 2, 3.0000001}", "assert len(f(1)) == 3 and abs(f(1)[1] - 1) < 1e-9"]
    result = run1(code, tests=tests)
    assert result.passed and result.tests_passed == 4, result


def test_setup_names_and_shadowed_builtins(run1):
    """Setup may use classes of the solution; a solution redefining a builtin name is called."""
    code = "class Node:\n    def __init__(self, v):\n        self.v = v\ndef len(n):\n    return n.v * 2"
    result = run1(code, tests=["assert len(root) == 6"], setup="root = Node(3)")
    assert result.passed, result


def test_fractional_counts_and_statuses(run1):
    code = "def f(x):\n    return x + 1"
    result = run1(code, tests=["assert f(1) == 2", "assert f(2) == 4", "assert g(1) == 2", "assert f(1) == 2"])
    assert (result.tests_passed, result.tests_total, result.status, result.exception) == (2, 4, "fail", "AssertionError")
    assert run1("def f(x) return", tests=["assert f(1) == 2"]).exception == "SyntaxError"
    assert run1("def f(x):\n    return x + 'a'").exception == "TypeError"
    assert run1("import no_such_module_xyz\ndef f(x):\n    return 2").exception == "ModuleNotFoundError"
    assert run1("   \n").status == "no_code"


def test_batch_mixing_parent_decided_and_run_programs(ex):
    """Jobs decided without running (no code, syntax error) are planned lazily among the
    others: each result stays at its job's position, and a batch of only such jobs returns."""
    ok = Job("def f(x):\n    return x", ["assert f(3) == 3"])
    bad = Job("def f(x):\n    return -x", ["assert f(3) == 3"])
    jobs = [Job("  "), ok, Job("def f(:", ["assert f(1)"]), bad, Job(""), ok]
    statuses = [(r.status, r.exception) for r in ex.run(jobs)]
    assert statuses == [("no_code", None), ("pass", None), ("error", "SyntaxError"),
                        ("fail", "AssertionError"), ("no_code", None), ("pass", None)]
    assert [r.status for r in ex.run([Job(""), Job("def f(:")])] == ["no_code", "error"]


def test_capture_returns_plain_values(run1):
    code = "import collections\ndef f(x):\n    return collections.namedtuple('P', 'a')(x)"
    result = run1(code, tests=[], capture=["f(1)", "f", "1/0", "{1: (2, 3)}"])
    assert result.passed and result.values == [(1,), None, None, {1: (2, 3)}]
    d = result.to_dict()
    assert [decode_value(v) for v in d["values"]] == result.values


def test_wire_roundtrip_and_opaque():
    values = [None, True, 3, -(10**50), 1.5, math.inf, "s", b"b", bytearray(b"x"), (1, [2]), {3}, frozenset({4}),
              {(1,): {"a": None}}, complex(1, -2)]
    for v in values:
        assert _wire.decode(_wire.encode(v)) == v
        assert type(_wire.decode(_wire.encode(v))) is type(v)
    assert math.isnan(_wire.decode(_wire.encode(math.nan)))
    opaque = _wire.decode(_wire.encode(object()))
    assert opaque != opaque and not (opaque == 1)
    with pytest.raises(TypeError):
        bool(opaque)
    for bad in ({"x": 1}, [1], {"l": 1}, {"d": [[{"l": []}, 1]]}, {"i": "zz"}):
        with pytest.raises(_wire.DecodeError):
            _wire.decode(bad)


def test_plan_hides_expected_values_from_the_child():
    tp = plan.plan_test("assert f([1, 2], 3) == (4, 5)", frozenset())
    assert tp.ops == (("e", "f([1, 2], 3)"),)
    tp = plan.plan_test("assert all([f(i) == i for i in range(3)])", frozenset())
    assert tp.invalid == "UnsupportedTest"
    assert plan.plan_test("assert f(", frozenset()).invalid == "SyntaxError"


def test_result_api():
    assert STATUSES == ("pass", "fail", "error", "timeout", "memory", "crash", "no_code")
    r = Result(True, "pass", None, 1, 1, 1.0)
    assert r.to_dict()["values"] is None
    job = Job("x = 1", ["assert x == 1"])
    with pytest.raises(AttributeError):
        job.code = "y"


def test_bound_names_sees_binders_at_every_depth():
    """The parent's fast AST walk must reach every nesting level ``ast.walk`` reaches."""
    code = textwrap.dedent("""
        import math, os.path
        from a import b as c
        class C:
            def m(self, *v, kw=1, **kk):
                global g
                async def af():
                    lambda q, *, r=2: [t for t in (w := [1])]
                for i, (j, k) in []:
                    with open(x) as (y, z):
                        del dd
                match x:
                    case {"a": 1, **rest}: pass
                    case [1, *tail]: pass
                    case P(p) as len: pass
    """)
    expected = {"c", "os", "C", "m", "self", "v", "kw", "kk", "g", "af", "q", "r", "t", "w", "i",
                "j", "k", "y", "z", "dd", "rest", "tail", "p", "len"}
    assert plan.bound_names(plan.ast.parse(code)) == expected
