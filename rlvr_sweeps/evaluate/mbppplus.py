"""MBPP+ (EvalPlus) grading: expected outputs from the canonical solution, run in the sandbox,
turned into assert strings that the sandbox's trusted parent evaluates.

What EvalPlus does (``evalplus/eval/__init__.py``, ``unsafe_execute``): for each input,
``out == exp`` must hold, unless a tolerance applies, in which case
``np.testing.assert_allclose(out, exp, atol=atol)`` (rtol 1e-7, nan equals nan) must hold; the
tolerance is the task's ``atol``, or 1e-6 when ``atol`` is 0 and the expected output is a float
or a flat list/tuple of floats. Base pass = every base input; plus pass = base and plus inputs.

Here each input becomes one assert: ``assert f(*args) == expected`` or, with a tolerance,
``assert (lambda a, b: ...)(f(*args), expected)`` built from builtins and ``math`` only, which
the sandbox evaluates in the trusted parent on plain decoded values (the completion never sees
the expected value and cannot override ``==``). Inputs are decoded as EvalPlus does (tuples,
sets, complex numbers for the tasks that take them: ``evalplus_inputs``).

Per-task oracles of later EvalPlus versions are applied too (``OUTPUT_SET_EQ``,
``OUTPUT_NOT_NONE``). Two tasks of the v0.1 snapshot need EvalPlus's special oracles, because MBPP's reference is
wrong for them and EvalPlus also accepts the constant answer the task text asks for:
Mbpp/164 (``are_equivalent``: matching the canonical OR always True) and Mbpp/295 (``sum_div``:
matching the canonical OR always 0). They are graded with that either-or rule over all inputs
(``SPECIAL_ORACLES``); EvalPlus v0.2 dropped both tasks.

Expected outputs are cached per data file (sha256 of its bytes) in ``eval.oracle_cache``.
"""

from __future__ import annotations

import ast
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr_sweeps.results import write_text_atomic
from rlvr_sweeps.sandbox import Job

RTOL = 1e-07  # np.testing.assert_allclose's default, which EvalPlus uses
FLOAT_ATOL = 1e-06  # EvalPlus's tolerance for float outputs of tasks with atol == 0
CACHE_VERSION = 2

# ---------------------------------------------------------------------------------------------
# inputs, as EvalPlus decodes them (evalplus/data/mbpp.py, mbpp_deserialize_inputs): the JSON
# file stores tuples, sets and complex numbers as lists / strings for these task numbers.


def _tuples(inp):
    return [tuple(x) for x in inp]


def _nested_tuples(inp):
    return [[tuple(x) for x in lst] for lst in inp]


def _deep_tuple(v):
    return tuple(_deep_tuple(x) for x in v) if isinstance(v, list) else v


_DECODERS: dict[int, Callable[[list], list]] = {}
for _n in (2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726, 740,
           744, 809):
    _DECODERS[_n] = _tuples
for _n in (63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780):
    _DECODERS[_n] = _nested_tuples
for _n in (75, 413, 444, 753):
    _DECODERS[_n] = lambda inp: [[tuple(x) for x in inp[0]], inp[1]]
for _n in (106, 750):
    _DECODERS[_n] = lambda inp: [inp[0], tuple(inp[1])]
for _n in (250, 405, 446, 617, 720, 763, 808):
    _DECODERS[_n] = lambda inp: [tuple(inp[0]), *inp[1:]]
for _n in (259, 401, 445):
    _DECODERS[_n] = lambda inp: [tuple(tuple(x) for x in lst) for lst in inp]
for _n in (580, 615, 791):
    _DECODERS[_n] = _deep_tuple
_DECODERS[115] = lambda inp: [[set(x) if isinstance(x, list) and x else {} for x in inp[0]]]
_DECODERS[124] = lambda inp: [float(inp[0]), complex(inp[1])]
_DECODERS[252] = lambda inp: [complex(inp[0])]
_DECODERS[278] = lambda inp: [tuple(tuple(x) if isinstance(x, list) else x for x in inp[0])]
_DECODERS[307] = lambda inp: [tuple(inp[0]), inp[1], inp[2]]
_DECODERS[722] = lambda inp: [{k: tuple(v) for k, v in inp[0].items()}, *inp[1:]]
del _n


def evalplus_inputs(number: int, inputs: Sequence[Any]) -> list[Any]:
    decode = _DECODERS.get(number)
    return [decode(list(inp)) if decode else list(inp) for inp in inputs]


# ---------------------------------------------------------------------------------------------
# values as Python source


def literal(value: Any) -> str:
    """Python source that evaluates to ``value`` with builtins only (repr, except for the values
    whose repr is not an expression: inf/nan, and containers holding them)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({repr(value)!r})"
    if isinstance(value, complex) and not (math.isfinite(value.real) and math.isfinite(value.imag)):
        return f"complex({literal(value.real)}, {literal(value.imag)})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + "".join(literal(v) + ", " for v in value) + ")"
    if isinstance(value, (set, frozenset)):
        body = "{" + ", ".join(literal(v) for v in value) + "}" if value else "()"
        return f"{type(value).__name__}({body})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _is_floats(x: Any) -> bool:
    """EvalPlus's is_floats: a float, or a list/tuple of floats only."""
    return isinstance(x, float) or (isinstance(x, (list, tuple)) and all(isinstance(i, float) for i in x))


def _close(atol: float) -> str:
    """A trusted element comparison: equal, or two numbers within atol + rtol*|b|, or both nan
    (``x != x``). Only builtins that solutions rarely rebind (a rebound one fails closed)."""
    return (
        f"(lambda a, b: a == b or (type(a) in (int, float) and type(b) in (int, float)"
        f" and (abs(a - b) <= {atol!r} + {RTOL!r} * abs(b) or (a != a and b != b))))"
    )


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def compare(call: str, expected: Any, atol: float) -> str:
    """The assert that ``call`` (untrusted) evaluates to ``expected`` under EvalPlus's rule."""
    tol = atol if atol else (FLOAT_ATOL if _is_floats(expected) else 0.0)
    exp = literal(expected)
    if tol and _number(expected):
        return f"assert {_close(tol)}({call}, {exp})"
    if tol and isinstance(expected, (list, tuple)) and all(_number(v) for v in expected):
        return (
            f"_out = {call}\nassert _out == {exp} or (len(_out) == {len(expected)}"
            f" and all(map({_close(tol)}, _out, {exp})))"
        )
    return f"assert {call} == {exp}"


# ---------------------------------------------------------------------------------------------
# special oracles: accept the canonical outputs, or one constant answer on every input

SPECIAL_ORACLES: dict[str, Any] = {"Mbpp/164": True, "Mbpp/295": 0}

# EvalPlus's later oracles (evalplus/eval/_special_oracle.py), by entry point. SET_EQ: outputs
# whose order depends on set iteration (string hashes are randomised per process, so even the
# canonical solution disagrees with itself) compare as sets. NOT_NONE: outputs that are
# re.Match objects (not plain data) compare by "is not None", or as the bool itself.
OUTPUT_SET_EQ = frozenset({
    "similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly", "larg_nnum",
    "intersection_array", "find_dissimilar", "Diff",
})
OUTPUT_NOT_NONE = frozenset({"check_str", "text_match_three", "text_starta_endb"})


def _special(task_id: str, calls: list[str], expected: list[Any]) -> list[str]:
    const = literal(SPECIAL_ORACLES[task_id])
    outs = "[" + ", ".join(calls) + "]"
    return [f"_outs = {outs}\nassert _outs == {literal(expected)} or _outs == [{const}] * {len(calls)}"]


# ---------------------------------------------------------------------------------------------
# the oracle: expected outputs of the canonical solution


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # an input the canonical solution could not answer with plain data


@dataclass(frozen=True)
class Expected:
    """Expected outputs of one task and the canonical solution's time per input (ms), which
    sizes the sandbox jobs; MISSING entries are skipped and counted in ``dropped``."""

    base: list[Any]
    plus: list[Any]
    base_ms: list[float]
    plus_ms: list[float]

    @property
    def dropped(self) -> int:
        return sum(v is MISSING for v in self.base + self.plus)


def call_source(task: Any, args: Sequence[Any]) -> str:
    return f"{task.entry_point}(*{literal(list(args))})"


def capture_source(task: Any, args: Sequence[Any]) -> str:
    """Captured as a 1-tuple: the sandbox reports a failed or non-plain capture as None, which
    must not be confused with a function that returns None."""
    if task.entry_point in OUTPUT_NOT_NONE:
        return f"({call_source(task, args)} is not None,)"
    return f"({call_source(task, args)},)"


def task_compare(task: Any, call: str, expected: Any) -> str:
    """``compare`` with EvalPlus's per-task oracles."""
    if task.entry_point in OUTPUT_NOT_NONE:
        return f"assert (lambda o: o == {expected!r} if type(o) is bool else (o is not None) == {expected!r})({call})"
    if task.entry_point in OUTPUT_SET_EQ:
        return f"assert set({call}) == set({literal(expected)})"
    return compare(call, expected, task.atol)


def _cache_path(cache_dir: str, data_path: str, plus: bool) -> Path | None:
    if not data_path or not Path(data_path).is_file():
        return None
    digest = hashlib.sha256(Path(data_path).read_bytes()).hexdigest()[:16]
    root = Path(cache_dir) if cache_dir else Path.home() / ".cache" / "rlvr_sweeps"
    return root / f"mbppplus-expected-v{CACHE_VERSION}-{digest}{'' if plus else '-base'}.json"


def _encode(values: list[Any]) -> list[str | None]:
    """Cache form: the literal source of each value, null for MISSING."""
    return [None if v is MISSING else literal(v) for v in values]


_LITERAL_CALLS = {"float": float, "complex": complex, "set": set, "frozenset": frozenset}


def _eval_literal(source: str) -> Any:
    """Evaluate a ``literal()`` string: plain literals and the float()/complex()/set() calls it emits."""
    tree = ast.parse(source, mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in _LITERAL_CALLS:
            raise ValueError(f"unexpected name in cached value: {node.id}")
        if isinstance(node, (ast.Attribute, ast.Lambda)):
            raise ValueError("unexpected expression in cached value")
    return eval(compile(tree, "<cache>", "eval"), {"__builtins__": {}}, dict(_LITERAL_CALLS))  # noqa: S307


def _decode(sources: list[str | None]) -> list[Any]:
    return [MISSING if s is None else _eval_literal(s) for s in sources]


def expected_outputs(
    tasks: Sequence[Any], executor: Any, cache_dir: str = "", data_path: str = "", chunk: int = 32,
    plus: bool = True,
) -> dict[str, Expected]:
    """Run each task's canonical solution on its base (and, with ``plus``, plus) inputs in the
    sandbox and collect the outputs: ``chunk`` inputs per job, then one job per input for chunks
    that ran out of time (an input whose canonical run alone exceeds the limit stays MISSING).
    Cached per data file; without ``plus`` the plus lists are empty."""
    path = _cache_path(cache_dir, data_path, plus)
    cached: dict[str, Any] = {}
    if path is not None and path.is_file():
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            cached = {}
    out: dict[str, Expected] = {}
    todo = []
    for t in tasks:
        hit = cached.get(t.task_id)
        if hit is not None:
            out[t.task_id] = Expected(_decode(hit["base"]), _decode(hit["plus"]), hit["base_ms"], hit["plus_ms"])
        else:
            todo.append(t)
    if not todo:
        return out
    calls = {t.task_id: [capture_source(t, a) for a in _inputs(t, plus)] for t in todo}
    values = {tid: [MISSING] * len(c) for tid, c in calls.items()}
    cost = {tid: [0.0] * len(c) for tid, c in calls.items()}
    by_id = {t.task_id: t for t in todo}
    spans = [(tid, s, min(s + chunk, len(c))) for tid, c in calls.items() for s in range(0, len(c), chunk)]
    for _ in range(2):  # chunks first, then one job per input of the chunks that failed
        jobs = [Job(by_id[tid].reference, [], by_id[tid].setup, calls[tid][a:b]) for tid, a, b in spans]
        retry = []
        for (tid, a, b), result in zip(spans, executor.run(jobs), strict=True):
            got = _captured(result, b - a)
            if got is None:
                retry.extend((tid, i, i + 1) for i in range(a, b))
                continue
            values[tid][a:b] = got
            cost[tid][a:b] = [float(result.duration_ms) / (b - a)] * (b - a)
        spans = retry
        if not spans:
            break
    for t in todo:
        n = len(t.base_inputs)
        e = Expected(values[t.task_id][:n], values[t.task_id][n:], cost[t.task_id][:n], cost[t.task_id][n:])
        out[t.task_id] = e
        cached[t.task_id] = {"base": _encode(e.base), "plus": _encode(e.plus), "base_ms": e.base_ms, "plus_ms": e.plus_ms}
    if path is not None:
        write_text_atomic(path, json.dumps(cached))
    return out


def _inputs(task: Any, plus: bool) -> list[Any]:
    base = evalplus_inputs(task.number, task.base_inputs)
    return base + evalplus_inputs(task.number, task.plus_inputs) if plus else base


def _plain(value: Any) -> bool:
    """Only builtin data survives as an expected value (an opaque or error capture does not)."""
    if value is None or type(value) in (bool, int, float, complex, str, bytes):
        return True
    if type(value) in (list, tuple, set, frozenset):
        return all(_plain(v) for v in value)
    if type(value) is dict:
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return False


def _captured(result: Any, n: int) -> list[Any] | None:
    """Values of a canonical run (None when the job produced none: timeout, crash); an input
    whose call raised or returned non-plain data is MISSING."""
    boxes = getattr(result, "values", None)
    if boxes is None or len(boxes) != n:
        return None
    return [box[0] if type(box) is tuple and len(box) == 1 and _plain(box[0]) else MISSING for box in boxes]


def _pack(tests: list[str], costs: list[float], budget_ms: float, max_tests: int = 64) -> list[list[str]]:
    """Group tests into parts whose canonical time stays under budget_ms (each part is one job)."""
    parts: list[list[str]] = []
    used = budget_ms
    for test, ms in zip(tests, costs, strict=True):
        if not parts or used + ms > budget_ms or len(parts[-1]) >= max_tests:
            parts.append([])
            used = 0.0
        parts[-1].append(test)
        used += ms
    return parts


def suites(task: Any, expected: Expected, timeout_s: float) -> tuple[list[list[str]], list[list[str]]]:
    """(base parts, plus-only parts) of assert strings; base + plus-only = EvalPlus's plus.
    A part holds at most a quarter of ``timeout_s`` of canonical run time, so a completion
    several times slower than the canonical solution still fits the limit."""
    budget = timeout_s * 1000.0 / 4
    base_in = evalplus_inputs(task.number, task.base_inputs)
    plus_in = evalplus_inputs(task.number, task.plus_inputs)

    def build(inputs, outs, costs):
        keep = [(a, o, c) for a, o, c in zip(inputs, outs, costs, strict=True) if o is not MISSING]
        if task.task_id in SPECIAL_ORACLES:  # one either-or assert over all inputs
            return [_special(task.task_id, [call_source(task, a) for a, _, _ in keep], [o for _, o, _ in keep])] if keep else []
        tests = [task_compare(task, call_source(task, a), o) for a, o, _ in keep]
        return _pack(tests, [c for _, _, c in keep], budget)

    plus_parts = build(plus_in, expected.plus, expected.plus_ms) if len(expected.plus) == len(plus_in) else []
    return build(base_in, expected.base, expected.base_ms), plus_parts
