"""The one code-extraction function: every reward, the score CLI and evaluation call it, so a
completion is judged on the same code everywhere.

Rules, in order: a conversational completion (list of {"role", "content"} messages) is reduced
to its last assistant message; reasoning in ``<think>...</think>`` is removed (an unclosed
``<think>`` drops everything after it: the model never finished thinking, so nothing after it
is an answer); the last fenced block tagged ``python``/``py``/``python3`` or untagged wins,
because models restate or fix code and the final block is the answer; without any fence the
bare text is the code. Whitespace-only results are "" (no code).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_THINK_CLOSED = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_THINK_OPEN = re.compile(r"<think>.*\Z", re.DOTALL | re.IGNORECASE)
# A stray closing tag (chat templates often put the opening <think> in the prompt).
_THINK_STRAY_CLOSE = re.compile(r"\A.*?</think>", re.DOTALL | re.IGNORECASE)
# An opening fence at the start of a line, its info string, the body, and a closing fence at the
# start of a line or the end of the text (a truncated completion still has its code).
_FENCE = re.compile(
    r"^[ \t]*```[ \t]*(?P<lang>[^\n`]*)\n(?P<body>.*?)(?:^[ \t]*```[ \t]*$|\Z)",
    re.DOTALL | re.MULTILINE,
)
_PY_LANGS = {"", "python", "py", "python3", "py3"}


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


def strip_think(text: str) -> str:
    """Remove reasoning blocks, including an unclosed trailing one."""
    text = _THINK_CLOSED.sub("", text)
    text = _THINK_OPEN.sub("", text)
    return _THINK_STRAY_CLOSE.sub("", text)


def extract_code(completion: str | Sequence[Mapping[str, object]]) -> str:
    """Return the code of a completion, or "" when it holds none."""
    text = strip_think(_message_text(completion))
    blocks = [m.group("body") for m in _FENCE.finditer(text) if m.group("lang").strip().lower() in _PY_LANGS]
    if blocks:
        code = blocks[-1]
    elif "```" in text:
        return ""  # only fences of other languages (bash, output): no Python code
    else:
        code = text
    return code if code.strip() else ""
