"""The one answer rule: which program of a completion is *the* answer. Every reward, the score
CLI, evaluation (and its early stop) and the W&B tables call ``extract_answer``, so training and
evaluation judge the same program.

Rules, in order:

- a conversational completion (list of {"role", "content"} messages) is reduced to its last
  assistant message; reasoning in ``<think>...</think>`` is removed (an unclosed ``<think>``
  drops everything after it: the model never finished thinking, so nothing after it is an
  answer; a stray leading ``</think>`` drops what precedes it, since chat templates often put
  the opening tag in the prompt);
- the answer is the **first** fenced block tagged ``python``/``py``/``python3`` (or untagged)
  that **defines the entry point** the tests call. Instruct models write "solution block, then
  an example-usage block" (the usage block alone raises NameError) and "a ``pip``/bash block,
  then the solution": both are judged on the solution. A block that is cut off by the token
  budget still counts (its code runs, and fails, as the model wrote it);
- without any fence, the whole text is the answer when it parses and defines the entry point
  (base models write bare code);
- otherwise the completion holds no answer: kind ``no_code`` (never executed, never linted as
  clean code).

"Defines" means a top-level ``def``/``class``/assignment of that name (for a block that does
not parse, a line ``def NAME(`` / ``class NAME``: it is still the program the model meant, and
its SyntaxError is the honest verdict). With ``entry_point=None`` (a dataset that does not name
one and whose tests call none) any non-empty block qualifies.

An answer whose entry point is defined with a trivial body (``pass``, ``...``, a bare ``return``
or ``return None``, ``raise NotImplementedError``; a docstring alone) is kind ``stub``: not a
solution, whatever the linter thinks of it.

``Answer.end`` is the character offset in the think-stripped text where the chosen program ends
(after the closing fence; the end of the text for a truncated block or bare code); lengths up to
it are comparable between training and evaluation. ``code_end`` is the same rule over raw
generated text, and ``closes_answer`` / ``code_end_tokens`` over generated token ids: the stop of
evaluation's generators and of training's rollouts (``eval.stop_at_code_end``,
``train.stop_at_code_end``).
"""

from __future__ import annotations

import ast
import builtins
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

_THINK_CLOSED = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_THINK_OPEN = re.compile(r"<think>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)
# An opening fence at the start of a line, its info string, the body, and a closing fence at the
# start of a line or the end of the text (a truncated completion still has its code).
_FENCE = re.compile(
    r"^[ \t]*```[ \t]*(?P<lang>[^\n`]*)\n(?P<body>.*?)(?P<close>^[ \t]*```[ \t]*$|\Z)",
    re.DOTALL | re.MULTILINE,
)
_PY_LANGS = {"", "python", "py", "python3", "py3"}
_BUILTINS = frozenset(dir(builtins))


class AnswerKind(str, Enum):
    """What a completion holds: a program to run, none, or a placeholder for one."""

    code = "code"
    no_code = "no_code"  # no program found (prose, only other-language fences, nothing defines the entry point)
    stub = "stub"  # the entry point exists but its body is trivial (pass, ..., return None, NotImplementedError)


@dataclass(frozen=True)
class Answer:
    code: str  # the chosen program ("" for no_code)
    kind: AnswerKind
    end: int | None  # offset in the think-stripped text where the program ends; None for no_code

    def __bool__(self) -> bool:
        return self.kind is not AnswerKind.no_code


def _message_text(completion: str | Sequence[Mapping[str, object]]) -> str:
    if isinstance(completion, str):
        return completion
    texts = [m.get("content") for m in completion if isinstance(m, Mapping) and m.get("role") == "assistant"]
    if not texts:
        return ""
    content = texts[-1]
    if isinstance(content, list):  # multimodal content parts: keep the text parts
        return "".join(p.get("text", "") for p in content if isinstance(p, Mapping))
    return content if isinstance(content, str) else ""


def _visible_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the raw text that remain once reasoning is removed."""
    start = 0
    first_close = _THINK_CLOSE.search(text)
    first_open = _THINK_OPEN.search(text)
    if first_close and (first_open is None or first_close.start() < first_open.start()):
        start = first_close.end()  # stray leading </think>: its <think> was in the prompt
    spans = []
    pos = start
    while True:
        opening = _THINK_OPEN.search(text, pos)
        if opening is None:
            spans.append((pos, len(text)))
            break
        spans.append((pos, opening.start()))
        closing = _THINK_CLOSE.search(text, opening.end())
        if closing is None:
            break  # unclosed: nothing after it is an answer
        pos = closing.end()
    return [(a, b) for a, b in spans if b > a]


def strip_think(text: str) -> str:
    """Remove reasoning blocks, including an unclosed trailing one and a stray leading close."""
    return "".join(text[a:b] for a, b in _visible_spans(text))


def _names_defined(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _parse(code: str) -> ast.Module | None:
    """The module's AST, or None when it does not parse; pathological source (deep nesting, huge
    operator chains) exhausts the parser's recursion or memory and counts as not parsing, so no
    completion can crash the caller (the sandbox then reports it as that program's ParseError)."""
    try:
        with warnings.catch_warnings():  # invalid escapes in model code: its business, not a log line
            warnings.simplefilter("ignore")
            return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # ValueError: NUL bytes
        return None


def _defines(code: str, entry_point: str | None, tree: ast.Module | None) -> bool:
    if not code.strip():
        return False
    if entry_point is None:
        return True
    if tree is not None:
        return entry_point in _names_defined(tree)
    name = re.escape(entry_point)
    return re.search(rf"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+{name}\b", code, re.MULTILINE) is not None


def _trivial_body(body: list[ast.stmt]) -> bool:
    stmts = list(body)
    if stmts and isinstance(stmts[0], ast.Expr) and isinstance(getattr(stmts[0], "value", None), ast.Constant) \
            and isinstance(stmts[0].value.value, str):
        stmts = stmts[1:]  # the docstring
    for s in stmts:
        if isinstance(s, ast.Pass):
            continue
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and s.value.value is Ellipsis:
            continue
        if isinstance(s, ast.Return) and (s.value is None or (isinstance(s.value, ast.Constant) and s.value.value is None)):
            continue
        if isinstance(s, ast.Raise) and s.exc is not None:
            exc = s.exc.func if isinstance(s.exc, ast.Call) else s.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                continue
        return False
    return True


def is_stub(code: str, entry_point: str | None = None) -> bool:
    """True when the entry point (with None: every top-level function, at least one) is defined
    by a function whose body does nothing."""
    tree = _parse(code)
    if tree is None:
        return False
    funcs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if entry_point is not None:
        funcs = [f for f in funcs if f.name == entry_point]
        if not funcs:
            return False
        return _trivial_body(funcs[-1].body)  # a later def rebinds the name
    return bool(funcs) and all(_trivial_body(f.body) for f in funcs)


@dataclass(frozen=True)
class _Choice:
    code: str
    end: int  # in the think-stripped text
    closed: bool  # the block's closing fence was written (False: truncated block, or bare code)


def _choose(text: str, entry_point: str | None) -> _Choice | None:
    fenced = False
    for m in _FENCE.finditer(text):
        fenced = True
        if m.group("lang").strip().lower() not in _PY_LANGS:
            continue
        body = m.group("body")
        if _defines(body, entry_point, _parse(body)):
            return _Choice(body, m.end(), bool(m.group("close")))
    if fenced or "```" in text:
        return None
    tree = _parse(text)
    if tree is not None and _defines(text, entry_point, tree):
        return _Choice(text, len(text), False)
    return None


def fence_code(code: str) -> str:
    """``code`` as the one ```python block the rule reads first: the form of a reference answer
    (warm-start targets, the reference pseudo-policy, the builtin tokenizer's corpus)."""
    return f"```python\n{code.strip()}\n```"


def extract_answer(completion: str | Sequence[Mapping[str, object]], entry_point: str | None = None) -> Answer:
    """The answer of a completion under the rule in the module docstring."""
    text = strip_think(_message_text(completion))
    choice = _choose(text, entry_point)
    if choice is None:
        return Answer("", AnswerKind.no_code, None)
    kind = AnswerKind.stub if is_stub(choice.code, entry_point) else AnswerKind.code
    return Answer(choice.code, kind, choice.end)


def extract_code(completion: str | Sequence[Mapping[str, object]], entry_point: str | None = None) -> str:
    """The code of the answer, or "" when there is none (a stub's code is returned)."""
    return extract_answer(completion, entry_point).code


def code_end(text: str, entry_point: str | None = None, *, final: bool = True) -> int | None:
    """Offset in the raw generated ``text`` just after the closing fence of its answer block,
    or None while there is none yet: generation can stop there without changing the answer
    (what follows the first qualifying block is never judged). Bare code and an unclosed block
    never stop early: the model may still be writing them. With ``final=False`` (``text`` is a
    prefix still being generated) a closing fence counts once its line is complete: a text that
    ends in a fence may still become "``` 0" or "```python", which the rule does not read as a
    closing fence, so stopping there could change the verdict."""
    spans = _visible_spans(text)
    visible = "".join(text[a:b] for a, b in spans)
    choice = _choose(visible, entry_point)
    if choice is None or not choice.closed:
        return None
    if not final and not visible.startswith("\n", choice.end):
        return None
    offset = choice.end
    for a, b in spans:  # map the offset in the stripped text back to the raw text
        if offset <= b - a:
            return a + offset
        offset -= b - a
    return len(text)


def _completes_fence_line(text: str, token_text: str) -> bool:
    """Whether a newline the last token wrote ends a line that is a bare fence (cheap pre-check)."""
    for i in range(max(0, len(text) - len(token_text)), len(text)):
        if text[i] == "\n" and text[text.rfind("\n", 0, i) + 1 : i].strip(" \t") == "```":
            return True
    return False


def closes_answer(tokenizer: Any, ids: Sequence[int], entry_point: str | None = None) -> bool:
    """True when the last of the generated ``ids`` completes the closing-fence line of the answer
    block: a generator may stop after it, and no continuation changes the answer. The stop
    criterion of every generator (evaluation's hf backend, training's rollouts)."""
    ids = list(ids)
    last = tokenizer.decode(ids[-1:])
    if "\n" not in last:
        return False
    text = tokenizer.decode(ids, skip_special_tokens=True)
    return _completes_fence_line(text, last) and code_end(text, entry_point, final=False) is not None


def code_end_tokens(tokenizer: Any, ids: Sequence[int], entry_point: str | None = None) -> int | None:
    """How many of the generated ``ids`` a completion keeps when it stops at its answer block:
    up to the token that ``closes_answer``, or all of them when the block closes at their very
    end (EOS or the token budget right after the fence); None when they hold no closed answer
    block. Where every generator cuts a row with ``stop_at_code_end``: the hf stopping criterion
    stops on the same token, the vLLM backend and training's rollouts cut there."""
    ids = list(ids)
    for k in range(len(ids)):
        if closes_answer(tokenizer, ids[: k + 1], entry_point):
            return k + 1
    if ids and code_end(tokenizer.decode(ids, skip_special_tokens=True), entry_point) is not None:
        return len(ids)
    return None


def entry_point_of(tests: Iterable[str], setup: str = "") -> str | None:
    """The function the asserts call: the first called name that is neither a builtin nor
    defined by the setup code (MBPP names none; its asserts call it, e.g.
    ``assert set(similar_elements(a, b)) == ...`` -> ``similar_elements``). None if none."""
    setup_tree = _parse(setup or "")
    defined = _names_defined(setup_tree) if setup_tree is not None else set()
    fallback: str | None = None
    for test in tests:
        tree = _parse(test)
        if tree is None:
            continue
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
        calls.sort(key=lambda n: (n.lineno, n.col_offset))
        for call in calls:
            name = call.func.id
            if name not in _BUILTINS and name not in defined:
                return name
            fallback = fallback or (name if name not in defined else None)
    return fallback  # the tests call only builtin names: the task redefines one (MBPP 126: `sum`)


def task_entry_point(task: object) -> str | None:
    """The entry point of a task: the one the dataset names (MBPP+), else the one its tests call."""
    named = getattr(task, "entry_point", None)
    if named:
        return named
    return entry_point_of(getattr(task, "tests", ()) or (), getattr(task, "setup", "") or "")


def answers_for(
    completions: Sequence[object],
    entry_point: Sequence[str | None] | None = None,
    tests: Sequence[Sequence[str]] | None = None,
    setup: Sequence[str] | None = None,
) -> list[Answer]:
    """``extract_answer`` over a reward call's batch: the entry point from the dataset's
    ``entry_point`` column where it has one, else from the row's ``tests`` (and ``setup``)."""
    out = []
    for i, completion in enumerate(completions):
        ep = row_entry_point(entry_point[i] if entry_point is not None else None,
                             tests[i] if tests is not None else None, setup[i] if setup is not None else "")
        out.append(extract_answer(completion, ep))  # type: ignore[arg-type]
    return out


def row_entry_point(entry_point: str | None, tests: Sequence[str] | None = None, setup: str | None = "") -> str | None:
    """The entry point of one row of a TRL dataset (``rlvr_sweeps.data.to_trl_dataset``): its
    ``entry_point`` column ("" = none named), else the one its ``tests`` (and ``setup``) call."""
    if not entry_point and tests is not None:
        entry_point = entry_point_of(tests, setup or "")
    return entry_point or None
