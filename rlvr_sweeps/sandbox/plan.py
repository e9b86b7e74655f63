"""Split each assert into a trusted part (evaluated here, in the parent) and untrusted
sub-expressions (evaluated in the sandboxed child, which sends back plain values only).

Why: a harness that runs ``assert f(x) == y`` inside the child can be defeated by the child
(``sys.exit(0)``, an ``__eq__`` that always returns True, frame walking, writing fake result
messages). Here the child only ever learns the *untrusted* sub-expressions (``f(x)``), never
the expected values, and answers with tagged plain data; the comparison ``P0 == y`` runs in the
parent on builtin objects decoded from that data. The worst a hostile child can do is claim
that its function returned some values, which is no stronger than hard-coding answers.

A sub-expression is trusted when every name in it is a trusted builtin (``len``, ``sorted``,
``set``, ``math.isclose``, ...) that the solution, the setup and the test do not rebind.
Nodes with a trusted head (comparisons, boolean/arithmetic operators, displays, subscripts,
calls of trusted builtins) are split recursively; every maximal sub-expression that references
an untrusted name becomes a placeholder.

A placeholder in a pure boolean context (the assert's test itself, the operand of ``not``,
the test of ``x if t else y``, the operands of ``and``/``or`` that sit in such a context, the
argument of ``bool(...)``) is only ever asked for its truth value. For those the child sends
``bool(value)`` (op kind ``"b"``) instead of the value, so ``assert re.search(p, s)`` passes as
in plain Python although a ``re.Match`` is not plain data. This does not weaken verdicts: the
child controlling ``__bool__`` can only choose True or False, which it could equally return.
"""

from __future__ import annotations

import ast
import builtins
import functools
import math
import operator
import warnings
from dataclasses import dataclass

TRUSTED_CALLS = frozenset(
    "abs all any ascii bin bool bytearray bytes chr complex dict divmod enumerate filter float "
    "format frozenset hex int isinstance len list map max min oct ord repr reversed round set "
    "sorted str sum tuple type zip".split()
)
# Names usable inside a trusted part (as values, e.g. ``isinstance(x, int)``), besides calls.
TRUSTED_NAMES = TRUSTED_CALLS | {"Ellipsis", "NotImplemented"}
TRUSTED_MODULES = {
    "math": frozenset(
        "isclose isnan isinf isfinite floor ceil fabs sqrt trunc fsum prod pi e inf nan tau".split()
    )
}
_SAFE_BUILTINS = {name: getattr(builtins, name) for name in TRUSTED_NAMES}
_TRUSTED_HEADS = (
    ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.IfExp, ast.Tuple, ast.List, ast.Set,
    ast.Dict, ast.Subscript, ast.Slice, ast.Starred, ast.JoinedStr, ast.FormattedValue,
)
_GUARDED_OPS = {ast.Pow: "pow", ast.Mult: "mul", ast.LShift: "lshift"}
_MAX_BITS = 1_000_000
_MAX_LEN = 10_000_000

PH = "__rlvr_ph__"
GUARD = "__rlvr_guard__"


class UnsupportedTest(Exception):
    """The test compares untrusted values inside an untrusted sub-expression (e.g. inside a
    comprehension): it cannot be evaluated without trusting the child, so it fails closed."""


@dataclass(frozen=True)
class Check:
    """One assert: ``residual`` (compiled, trusted) over placeholders ``[first, first+n)``."""

    residual: object  # code object
    first: int
    count: int


@dataclass(frozen=True)
class TestPlan:
    """What the child runs for one test string (``ops``) and what the parent checks."""

    ops: tuple  # ("x", source) to exec; ("e", expr) to evaluate and send back; ("b", expr): its bool()
    checks: tuple[Check, ...]
    invalid: str | None = None  # exception name when the test itself cannot be used


_BINDERS = (ast.Name, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Global, ast.Nonlocal,
            ast.alias, ast.MatchAs, ast.MatchStar, ast.MatchMapping, ast.arg)


def _binding_nodes(tree: ast.AST) -> list[ast.AST]:
    """The nodes of ``tree`` that can bind a name, in no particular order. Same nodes as
    ``ast.walk``, about twice as fast (no generators): the parent runs it on every completion."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, _BINDERS):
            found.append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                stack.extend([x for x in value if isinstance(x, ast.AST)])
            elif isinstance(value, ast.AST):
                stack.append(value)
    return found


def bound_names(tree: ast.AST) -> set[str]:
    """Every name the code may bind anywhere (over-approximation: locals count too, which
    only makes more sub-expressions untrusted, never fewer). ``import math`` does not count
    as rebinding ``math``."""
    names: set[str] = set()
    for node in _binding_nodes(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, ast.alias):
            bound = node.asname or node.name.split(".")[0]
            if not (bound in TRUSTED_MODULES and node.name == bound):
                names.add(bound)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


class _Splitter:
    def __init__(self, shadowed: frozenset[str]) -> None:
        self.trusted = TRUSTED_NAMES - shadowed
        self.modules = {m: a for m, a in TRUSTED_MODULES.items() if m not in shadowed}
        self.placeholders: list[tuple[str, str]] = []  # (op kind "e" or "b", source)

    # -- analysis -------------------------------------------------------------------------
    def untrusted(self, node: ast.AST, local: frozenset[str] = frozenset()) -> bool:
        """Does ``node`` reference a name that is neither trusted nor bound locally inside it?"""
        if isinstance(node, ast.Name):
            return node.id not in self.trusted and node.id not in local and node.id not in self.modules
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in self.modules:
            return node.value.id in local or node.attr not in self.modules[node.value.id]
        if isinstance(node, ast.Lambda):
            args = node.args
            params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
            params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
            defaults = [d for d in args.defaults + args.kw_defaults if d is not None]
            return any(self.untrusted(d, local) for d in defaults) or self.untrusted(
                node.body, local | params
            )
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            inner = set(local)
            for gen in node.generators:
                if self.untrusted(gen.iter, frozenset(inner)):
                    return True
                inner |= {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
                if any(self.untrusted(c, frozenset(inner)) for c in gen.ifs):
                    return True
            elts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            return any(self.untrusted(e, frozenset(inner)) for e in elts)
        if isinstance(node, ast.NamedExpr):
            return True  # binding from a test expression: keep it in the child's namespace
        return any(self.untrusted(child, local) for child in ast.iter_child_nodes(node))

    def trusted_head(self, node: ast.AST) -> bool:
        if isinstance(node, _TRUSTED_HEADS):
            return True
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                return f.id in TRUSTED_CALLS and f.id in self.trusted
            return not self.untrusted(f)  # math.isclose and friends
        return False

    # -- rewriting ------------------------------------------------------------------------
    def split(self, node: ast.AST, boolean: bool = False) -> ast.AST:
        """``boolean``: only the truth of ``node`` matters to its parent node."""
        if not self.untrusted(node):
            return node
        if isinstance(node, ast.expr) and not self.trusted_head(node):
            self._check_no_untrusted_compare(node)
            self.placeholders.append(("b" if boolean else "e", ast.unparse(node)))
            index = len(self.placeholders) - 1
            return ast.Call(ast.Name(PH, ast.Load()), [ast.Constant(index)], [])
        for field, value in ast.iter_fields(node):
            inner = self._boolean_field(node, field, boolean)
            if isinstance(value, list):
                setattr(node, field, [self.split(v, inner) if isinstance(v, ast.AST) else v for v in value])
            elif isinstance(value, ast.AST) and not isinstance(value, (ast.expr_context, ast.operator)):
                setattr(node, field, self.split(value, inner))
        if isinstance(node, ast.BinOp) and type(node.op) in _GUARDED_OPS:
            name = _GUARDED_OPS[type(node.op)]
            return ast.Call(ast.Name(GUARD, ast.Load()), [ast.Constant(name), node.left, node.right], [])
        return node

    def _boolean_field(self, node: ast.AST, field: str, boolean: bool) -> bool:
        """Is ``node.field`` in a pure boolean context? (``a or b`` in a value context yields
        an operand's value, so its operands inherit the context rather than becoming boolean.)"""
        if isinstance(node, ast.UnaryOp):
            return isinstance(node.op, ast.Not)
        if isinstance(node, ast.BoolOp):
            return boolean
        if isinstance(node, ast.IfExp):
            return field == "test" or boolean
        if isinstance(node, ast.Call) and field == "args":
            f = node.func
            return (isinstance(f, ast.Name) and f.id == "bool" and "bool" in self.trusted
                    and len(node.args) == 1 and not node.keywords)
        return False

    def _check_no_untrusted_compare(self, node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Compare) and self.untrusted(sub) and _has_comprehension_or_lambda(node):
                raise UnsupportedTest(ast.unparse(sub))


def _has_comprehension_or_lambda(node: ast.AST) -> bool:
    kinds = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp, ast.Lambda)
    return any(isinstance(n, kinds) for n in ast.walk(node))


def plan_test(source: str, shadowed: frozenset[str]) -> TestPlan:
    """Plan one test string. Statements other than ``assert`` run in the child (untrusted)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except SyntaxError:
        return TestPlan((), (), invalid="SyntaxError")
    except ValueError:
        return TestPlan((), (), invalid="ValueError")
    shadowed = shadowed | (bound_names(tree) & (TRUSTED_NAMES | set(TRUSTED_MODULES)))
    ops: list[tuple[str, str]] = []
    checks: list[Check] = []
    n_ph = 0
    for stmt in tree.body:
        if not isinstance(stmt, ast.Assert):
            # An assert nested in a for/if/def would run in the child, where the program's
            # ``__eq__`` decides it: fail closed rather than trust it.
            if any(isinstance(node, ast.Assert) for node in _binding_free_walk(stmt)):
                return TestPlan((), (), invalid="UnsupportedTest")
            ops.append(("x", ast.unparse(stmt)))
            continue
        splitter = _Splitter(frozenset(shadowed))
        try:
            residual = splitter.split(stmt.test, boolean=True)
        except UnsupportedTest:
            return TestPlan((), (), invalid="UnsupportedTest")
        expr = ast.fix_missing_locations(ast.Expression(residual))
        code = compile(expr, "<test>", "eval")
        ops.extend(splitter.placeholders)
        checks.append(Check(code, n_ph, len(splitter.placeholders)))
        n_ph += len(splitter.placeholders)
    if not checks:
        return TestPlan((), (), invalid="NoAssert")
    return TestPlan(tuple(ops), tuple(checks))


def _binding_free_walk(tree: ast.AST) -> list[ast.AST]:
    """Every node under ``tree``, without recursion (a test string may nest deeply)."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


MAX_TEST_CHARS = 1 << 20


@functools.lru_cache(maxsize=65536)
def plan_test_cached(source: str, shadowed: frozenset[str]) -> TestPlan:
    """GRPO scores many completions against the same tests: plan each (test, shadowing) once.
    Never raises: a test the parser or the splitter cannot handle (too deep, too big: ast
    recursion is bounded by the interpreter's stack) becomes an invalid test, ``ParseError``."""
    if not isinstance(source, str) or len(source) > MAX_TEST_CHARS:
        return TestPlan((), (), invalid="ParseError")
    try:
        return plan_test(source, shadowed)
    except (RecursionError, MemoryError, ValueError, TypeError, SyntaxError, OverflowError):
        return TestPlan((), (), invalid="ParseError")


class PlaceholderError(Exception):
    """The child raised while evaluating an untrusted sub-expression."""

    def __init__(self, type_name: str) -> None:
        super().__init__(type_name)
        self.type_name = type_name


def _guard(op: str, a: object, b: object) -> object:
    """Refuse arithmetic whose result would be huge (a child can claim any values; the parent
    must not be made to compute ``2 ** claimed``)."""
    ints = isinstance(a, int) and isinstance(b, int)
    if op == "pow" and ints and abs(a) > 1 and b > 0 and b * max(a.bit_length(), 1) > _MAX_BITS:
        raise OverflowError("result too large")
    if op == "lshift" and ints and b > _MAX_BITS:
        raise OverflowError("result too large")
    if op == "mul":
        for seq, n in ((a, b), (b, a)):
            if isinstance(seq, (str, bytes, bytearray, list, tuple)) and isinstance(n, int):
                if len(seq) * n > _MAX_LEN:
                    raise OverflowError("result too large")
    return {"pow": operator.pow, "mul": operator.mul, "lshift": operator.lshift}[op](a, b)


def evaluate(check: Check, values: list) -> tuple[bool, str | None]:
    """Evaluate one assert from decoded placeholder results ``values`` (each ``(ok, value_or_
    exception_name)``). Returns (held, the raw exception name or None)."""

    def ph(i: int) -> object:
        ok, value = values[check.first + i]
        if not ok:
            raise PlaceholderError(value)
        return value

    env = {"__builtins__": _SAFE_BUILTINS, PH: ph, GUARD: _guard, "math": math}
    try:
        held = bool(eval(check.residual, env))  # noqa: S307 - trusted residual, plain values only
    except PlaceholderError as exc:
        return False, exc.type_name
    except RecursionError:
        return False, "RecursionError"
    except Exception as exc:  # the same exception plain Python would raise on these values
        return False, type(exc).__name__
    return (True, None) if held else (False, "AssertionError")
