"""MBPP+ grading: EvalPlus's comparison rule as trusted asserts, and the canonical solutions
graded by expected outputs computed from themselves (the self-check of the oracle)."""

from __future__ import annotations

import json

import pytest

from rlvr_sweeps.data import load_eval_tasks
from rlvr_sweeps.evaluate import build_generator, evaluate_policy, read_problems
from rlvr_sweeps.evaluate.mbppplus import SPECIAL_ORACLES, compare, evalplus_inputs, literal
from rlvr_sweeps.models import load_tokenizer
from rlvr_sweeps.sandbox import Job, get_executor


def _passes(code: str, tests: list[str]) -> list[bool]:
    return [r.passed for r in get_executor(None, 5.0, 1024).run([Job(code, [t]) for t in tests])]


def test_evalplus_comparison_rule_runs_as_trusted_asserts() -> None:
    code = (
        "def f(x):\n    return x\n"
        "class Cheat:\n    def __eq__(self, o):\n        return True\n"
        "def g(x):\n    return Cheat()\n"
    )
    tests = [
        compare("f(0.1 + 0.2)", 0.3, 0.0),  # float output: EvalPlus's 1e-6 tolerance
        compare("f(0.3001)", 0.3, 0.0),  # too far
        compare("f(float('nan'))", float("nan"), 0.0),  # nan equals nan (assert_allclose)
        compare("f([1.0, 2.0000001])", [1.0, 2.0], 0.0),  # flat float list, elementwise
        compare("f([1.0, 2.1])", [1.0, 2.0], 0.0),
        compare("f(3)", 3, 0.0),  # ints: exact
        compare("f(3.00001)", 3, 1e-4),  # task atol applies to numbers
        compare("f((1, 2))", [1, 2], 0.0),  # a tuple is not a list (EvalPlus: out == exp)
        compare("g(1)", 1, 0.0),  # an object claiming equality never reaches ==
        compare("g(1)", 1.5, 1e-4),
        compare("f('a')", 1.0, 1e-4),  # wrong type under tolerance: fails, no crash
    ]
    assert _passes(code, tests) == [True, False, True, True, False, True, True, False, False, False, False]
    assert eval(literal([float("inf"), {1, 2}, frozenset(), (1,), complex(1, 2), {"a": None}])) == [  # noqa: S307
        float("inf"), {1, 2}, frozenset(), (1,), complex(1, 2), {"a": None},
    ]


def test_inputs_are_decoded_like_evalplus() -> None:
    assert evalplus_inputs(2, [[[3, 4], [5, 6]]]) == [[(3, 4), (5, 6)]]  # tuples for Mbpp/2
    assert evalplus_inputs(252, [["(1+2j)"]]) == [[complex(1, 2)]]
    assert evalplus_inputs(11, [["hello", "l"]]) == [["hello", "l"]]  # untouched elsewhere


@pytest.mark.slow
def test_canonical_solutions_pass_their_own_oracle_on_base_inputs(tmp_path, shared_data, make_conf) -> None:
    """All 399 canonical solutions against expected outputs computed from themselves on the 1236
    base inputs, plus the dataset's own asserts: 397/399, failing exactly the two tasks that
    need EvalPlus's special oracles (164, 295), which our either-or oracle grades correctly."""
    conf = make_conf("model=reference", "data=mbppplus", f"data.path={shared_data / 'mbppplus' / 'MbppPlus.jsonl'}",
                     "eval.plus=false", f"eval.oracle_cache={tmp_path / 'cache'}", "eval.batch_size=128")
    tasks = load_eval_tasks(conf.data)
    tok = load_tokenizer(conf.model)
    m = evaluate_policy(build_generator(conf, tok), tok, tasks, conf, tmp_path, "reference")
    assert m["n_tasks"] == 399 and m["eval/n_passed"] >= 397, [
        r["task_id"] for r in read_problems(tmp_path, "reference") if not r["passed"]
    ]
    own = get_executor(None, conf.eval.timeout_s, 1024).run([Job(t.reference, list(t.tests), t.setup) for t in tasks])
    failing = sorted(t.task_id for t, r in zip(tasks, own, strict=True) if not r.passed)
    assert failing == sorted(SPECIAL_ORACLES)  # the data README's 397/399
    summary = json.loads((tmp_path / "reference" / "summary.json").read_text())
    assert summary["mbppplus_dropped_inputs"] == {}  # Match outputs graded by EvalPlus's not-None oracle
    by_id = {r["task_id"]: r for r in read_problems(tmp_path, "reference")}
    assert all(by_id[t]["passed"] for t in SPECIAL_ORACLES)


@pytest.mark.slow
def test_plus_inputs_catch_what_base_inputs_miss(tmp_path, shared_data, make_conf) -> None:
    """Base and plus reported separately; a solution right on the base inputs only passes base."""
    conf = make_conf("model=reference", "data=mbppplus", f"data.path={shared_data / 'mbppplus' / 'MbppPlus.jsonl'}",
                     "eval.task_ids=[Mbpp/2,Mbpp/3,Mbpp/4,Mbpp/6,Mbpp/7]", f"eval.oracle_cache={tmp_path / 'c'}")
    tasks = load_eval_tasks(conf.data)
    tok = load_tokenizer(conf.model)
    m = evaluate_policy(build_generator(conf, tok), tok, tasks, conf, tmp_path, "reference")
    assert m["eval/pass@1"] == 1.0 and m["eval/plus/pass@1"] == 1.0 and m["n_tasks"] == 5
    rows = list(read_problems(tmp_path, "reference"))
    assert all(r["plus_passed"] for r in rows)
    assert all(r["tests_total"] < 10 for r in rows)  # the base suite alone decides pass@1

    from rlvr_sweeps.evaluate.generators import Completion, Generator

    class BaseOnly(Generator):
        """Mbpp/3 is_not_prime memorised from the base inputs (1, 2, 10, 35, 37): EvalPlus's point."""

        name = "base-only"

        def generate(self, requests, sampling):
            code = "def is_not_prime(n):\n    return n in (1, 10, 35)\n"
            return [[Completion(f"```python\n{code if r.task.task_id == 'Mbpp/3' else r.task.reference}\n```", 9,
                                False)] for r in requests]

    m2 = evaluate_policy(BaseOnly(), tok, tasks, conf, tmp_path, "base-only")
    assert m2["eval/pass@1"] == 1.0 and m2["eval/plus/pass@1"] == 4 / 5
