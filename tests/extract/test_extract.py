"""extract_code: the thin wrapper over extract_answer (generic rules, no entry point)."""

from __future__ import annotations

import pytest

from rlvr_sweeps.extract import extract_code

FENCE = "```"


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("def f():\n    return 1\n", "def f():\n    return 1\n"),  # bare text is the code
        (f"Here:\n{FENCE}python\nx = 1\n{FENCE}\nDone.", "x = 1\n"),
        (f"{FENCE}py\nx = 1\n{FENCE}", "x = 1\n"),
        (f"{FENCE}\nx = 1\n{FENCE}", "x = 1\n"),  # bare fence
        (f"{FENCE}Python3\nx = 1\n{FENCE}", "x = 1\n"),
        # the *first* block since the one answer rule (was: the last one)
        (f"{FENCE}python\nfirst = 1\n{FENCE}\nfixed:\n{FENCE}python\nsecond = 2\n{FENCE}\n", "first = 1\n"),
        (f"{FENCE}text\noutput\n{FENCE}\n{FENCE}python\nx = 1\n{FENCE}\n", "x = 1\n"),  # first *python* block
        (f"{FENCE}python\ndef f():\n    return 1", "def f():\n    return 1"),  # truncated, never closed
        (f"<think>try {FENCE}python\nwrong = 1\n{FENCE}</think>\n{FENCE}python\nright = 1\n{FENCE}", "right = 1\n"),
        (f"<think>a</think><think>b</think>{FENCE}python\nx = 1\n{FENCE}", "x = 1\n"),
        ("<think>\nstill thinking, x = 1 ...", ""),  # unclosed think: no answer yet
        ("reasoning whose opening tag was in the prompt\n</think>\nx = 1\n", "\nx = 1\n"),
        ("", ""),
        ("   \n\t", ""),
        (f"{FENCE}python\n\n{FENCE}", ""),  # empty block
        (f"{FENCE}bash\npip install numpy\n{FENCE}", ""),  # only non-Python fences: no code
    ],
)
def test_extract(completion, expected):
    assert extract_code(completion) == expected


def test_conversational_uses_last_assistant_message():
    completion = [
        {"role": "assistant", "content": f"{FENCE}python\nold = 1\n{FENCE}"},
        {"role": "user", "content": f"{FENCE}python\nuser_code = 1\n{FENCE}"},
        {"role": "assistant", "content": f"<think>hmm</think>{FENCE}python\nnew = 2\n{FENCE}"},
    ]
    assert extract_code(completion) == "new = 2\n"


def test_conversational_without_assistant_or_with_content_parts():
    assert extract_code([{"role": "user", "content": "x = 1"}]) == ""
    assert extract_code([]) == ""
    parts = [{"role": "assistant", "content": [{"type": "text", "text": f"{FENCE}python\nx = 1\n{FENCE}"}]}]
    assert extract_code(parts) == "x = 1\n"
