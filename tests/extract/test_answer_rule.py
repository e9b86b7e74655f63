"""extract_answer: the one answer rule (first fenced Python block defining the entry point,
bare code that parses, else no_code), stub detection, the stop rule (over text, and over generated
tokens: where evaluation's generators and training's rollouts end a completion; cutting there never
changes the answer) and entry points."""

from __future__ import annotations

import json

import pytest

from rlvr_sweeps.config.model import ModelConfig
from rlvr_sweeps.data import Task
from rlvr_sweeps.evaluate.generators import ReferenceGenerator, Request, Sampling
from rlvr_sweeps.extract import (
    AnswerKind,
    closes_answer,
    code_end,
    code_end_tokens,
    entry_point_of,
    extract_answer,
    fence_code,
    is_stub,
    task_entry_point,
)
from rlvr_sweeps.models import load_tokenizer

F = "```"
SOL = "def add(a, b):\n    return a + b\n"
USAGE = "print(add(1, 2))\n"

# The six shapes of issue 10, shared with the reward / evaluator / score-CLI agreement test.
CASES = {
    "solution_then_usage": (f"Here:\n{F}python\n{SOL}{F}\nExample usage:\n{F}python\n{USAGE}{F}\n", AnswerKind.code, SOL),
    "bash_then_solution": (f"Install:\n{F}bash\npip install nothing\n{F}\nThen:\n{F}python\n{SOL}{F}\n", AnswerKind.code, SOL),
    "prose_only": ("You can add two numbers with the plus operator.", AnswerKind.no_code, ""),
    "two_solutions": (
        f"{F}python\n{SOL}{F}\nOr:\n{F}python\ndef add(a, b):\n    return sum([a, b]) + 1\n{F}\n", AnswerKind.code, SOL
    ),
    "bare_code": (SOL, AnswerKind.code, SOL),
    "think_blocks": (
        f"<think>draft:\n{F}python\ndef add(a, b):\n    return a - b\n{F}\n</think>\n{F}python\n{SOL}{F}", AnswerKind.code, SOL
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_issue_shapes(name):
    completion, kind, code = CASES[name]
    answer = extract_answer(completion, "add")
    assert answer.kind is kind
    assert answer.code == code


def test_usage_block_alone_is_not_the_answer():
    assert extract_answer(f"{F}python\n{USAGE}{F}", "add").kind is AnswerKind.no_code
    assert extract_answer(f"{F}python\n{USAGE}{F}", None).kind is AnswerKind.code  # no entry point: any block


def test_bare_text_must_parse_and_define():
    assert extract_answer("add = lambda a, b: a + b\n", "add").kind is AnswerKind.code
    assert extract_answer("def other(a):\n    return a\n", "add").kind is AnswerKind.no_code
    assert extract_answer("The answer is def add(a, b) obviously", "add").kind is AnswerKind.no_code
    assert extract_answer("", "add").kind is AnswerKind.no_code
    assert not extract_answer("   ", None)


def test_broken_block_that_means_the_entry_point_is_the_answer():
    broken = "def add(a, b)\n    return a + b\n"
    answer = extract_answer(f"{F}python\n{broken}{F}\n{F}python\n{SOL}{F}", "add")
    assert answer.code == broken  # its SyntaxError is the verdict, not a later block


def test_truncated_block_counts_and_ends_at_the_text_end():
    text = f"Sure.\n{F}python\ndef add(a, b):\n    return a +"
    answer = extract_answer(text, "add")
    assert answer.kind is AnswerKind.code and answer.end == len(text)
    assert code_end(text, "add") is None  # an unclosed block never stops generation


@pytest.mark.parametrize(
    "body",
    ["pass", "...", "return", "return None", "raise NotImplementedError", "raise NotImplementedError('todo')",
     '"""Add a and b."""', '"""Doc."""\n    pass'],
)
def test_stub(body):
    code = f"def add(a, b):\n    {body}\n"
    answer = extract_answer(f"{F}python\n{code}{F}", "add")
    assert answer.kind is AnswerKind.stub
    assert answer.code == code
    assert is_stub(code, "add") and is_stub(code)


@pytest.mark.parametrize("body", ["return 0", "return a + b", '"""Doc."""\n    return a', "raise ValueError('no')"])
def test_not_stub(body):
    code = f"def add(a, b):\n    {body}\n"
    assert extract_answer(code, "add").kind is AnswerKind.code


def test_stub_is_about_the_entry_point():
    code = "def helper():\n    pass\n\ndef add(a, b):\n    return a + b\n"
    assert extract_answer(code, "add").kind is AnswerKind.code
    assert extract_answer("def add(a, b):\n    return a\n\ndef add(a, b):\n    pass\n", "add").kind is AnswerKind.stub


def test_end_is_after_the_chosen_blocks_fence():
    completion, _, _ = CASES["solution_then_usage"]
    answer = extract_answer(completion, "add")
    assert completion[: answer.end].endswith(f"{SOL}{F}")
    assert "print" not in completion[: answer.end]


def test_code_end_maps_back_to_the_raw_text():
    completion, _, _ = CASES["think_blocks"]
    end = code_end(completion, "add")
    assert end == len(completion)
    raw = "<think>\n" + f"{F}python\n{SOL}{F}" + "\n</think>\nok:\n" + f"{F}python\n{SOL}{F}" + "\nmore text"
    end = code_end(raw, "add")
    assert raw[:end].endswith(f"ok:\n{F}python\n{SOL}{F}")
    assert code_end(f"{F}bash\nls\n{F}\n", "add") is None  # a bash block does not stop generation
    assert code_end(f"{F}python\n{USAGE}{F}\n", "add") is None  # nor a usage block
    assert code_end("<think>\n" + f"{F}python\n{SOL}{F}", "add") is None  # still thinking
    assert code_end(SOL, "add") is None  # bare code: the model may still be writing it


@pytest.mark.parametrize(
    ("tests", "setup", "expected"),
    [
        (["assert remove_Occ('hello', 'l') == 'heo'"], "", "remove_Occ"),
        (["assert set(similar_elements((3, 4), (5, 4))) == set((4,))"], "", "similar_elements"),
        (["assert math.isclose(area(2), 12.56, rel_tol=0.001)"], "import math", "area"),
        (["assert sum(10, 15) == 6"], "", "sum"),  # MBPP 126 redefines a builtin
        (["assert f(make(1)) == 2"], "def make(x):\n    return x", "f"),  # setup helpers are not the entry point
        (["not python ("], "", None),
    ],
)
def test_entry_point_of(tests, setup, expected):
    assert entry_point_of(tests, setup) == expected


def test_real_references_are_answers(shared_data):
    """On all of MBPP, every reference in a fence (``fence_code``, the form warm start trains on and
    the reference pseudo-policy answers with) is kind code for the entry point its tests call, and
    the program the rule reads back is the reference itself."""
    from rlvr_sweeps.data.mbpp import mbpp_task

    rows = [json.loads(line) for line in (shared_data / "mbpp" / "mbpp.jsonl").read_text().splitlines() if line]
    tasks = [mbpp_task(r) for r in rows]
    answers = {t.task_id: extract_answer(fence_code(t.reference), task_entry_point(t)) for t in tasks}
    assert all(answers[t.task_id].code == t.reference.strip() + "\n" for t in tasks)
    kinds = {tid: a.kind for tid, a in answers.items()}
    assert len(kinds) == 974
    assert {k for k in kinds.values()} == {AnswerKind.code}


def test_a_reference_answer_has_one_form_everywhere():
    """The reference pseudo-policy answers with exactly fence_code's block (the one formatter, which
    warm start trains on too): surrounding blank lines (MBPP task 219, every MBPP+ solution) dropped."""
    task = Task("t1", 1, "test", "add", "\r\n" + SOL + "\n\n", ("assert add(1, 2) == 3",))
    text = fence_code(task.reference)
    assert text == f"{F}python\n{SOL.strip()}\n{F}"
    ((completion,),) = ReferenceGenerator().generate([Request(task, "")], Sampling())
    assert completion.text == text


@pytest.fixture(scope="module", params=["builtin", "qwen3"])
def tok(request, shared_data):
    """The tiny models' byte-level BPE and Qwen3's (which merges a fence and its newline)."""
    name = "builtin" if request.param == "builtin" else str(shared_data / "tokenizers" / "qwen3")
    return load_tokenizer(ModelConfig(tokenizer=name))


def test_a_fence_at_the_end_of_a_prefix_is_not_closed_yet():
    block = f"{F}python\n{SOL}{F}"
    assert code_end(block, "add") == len(block)  # a finished text: closed
    assert code_end(block, "add", final=False) is None  # may still become "``` 0" or "```python"
    assert code_end(block + "\n", "add", final=False) == len(block)
    assert code_end(block + " 0\nmore", "add") is None  # "``` 0" is no closing fence: the block is unclosed


@pytest.mark.parametrize("name", sorted(CASES))
def test_cutting_at_the_stop_keeps_the_answer(tok, name):
    completion, _, _ = CASES[name]
    ids = tok(completion + "\nAnd more text.", add_special_tokens=False)["input_ids"]
    k = code_end_tokens(tok, ids, "add")
    full = extract_answer(tok.decode(ids, skip_special_tokens=True), "add")  # as every generator decodes
    if k is None:  # nothing to stop at: bare code, prose
        assert name in {"bare_code", "prose_only"}
        return
    kept = tok.decode(ids[:k], skip_special_tokens=True)
    assert (extract_answer(kept, "add").code, extract_answer(kept, "add").kind) == (full.code, full.kind)
    assert not any(closes_answer(tok, ids[:j], "add") for j in range(1, k))  # the first token that can stop
    assert "And more text" not in kept and kept.rstrip().endswith(F)
    if name == "solution_then_usage":
        assert "print" not in kept


def test_a_fence_that_turns_out_not_to_close_does_not_stop(tok):
    ids = tok(f"{F}python\n{SOL}{F} 0\nreturn 1\n", add_special_tokens=False)["input_ids"]
    assert code_end_tokens(tok, ids, "add") is None  # the block never closes: the rule reads it to the end


def test_a_block_closed_by_eos_or_the_budget_keeps_every_token(tok):
    ids = tok(f"{F}python\n{SOL}{F}", add_special_tokens=False)["input_ids"]
    assert code_end_tokens(tok, ids, "add") == len(ids)  # the budget ended right after the fence
    assert code_end_tokens(tok, [*ids, tok.eos_token_id], "add") == len(ids) + 1  # EOS stays


def test_rollouts_and_their_logprobs_are_cut_together(tok):
    from rlvr_sweeps.train.code_end import cut_at_code_end

    answer = tok(f"{F}python\n{SOL}{F}\n", add_special_tokens=False)["input_ids"]
    after = tok("Example:\nprint(add(1, 2))\n", add_special_tokens=False)["input_ids"]
    prose = tok("No idea.", add_special_tokens=False)["input_ids"]
    rows = [answer + after, prose]
    logprobs = [[-float(i) for i in range(len(r))] for r in rows]
    ids, lps, cut = cut_at_code_end(tok, rows, logprobs, ["add", "add"])
    k = code_end_tokens(tok, answer + after, "add")
    assert k is not None and len(answer) <= k < len(answer) + len(after)
    assert ids == [rows[0][:k], prose] and lps == [logprobs[0][:k], logprobs[1]] and cut == [True, False]
    assert cut_at_code_end(tok, rows, None, ["add", "add"])[1] is None  # the transformers path has no logprobs
