"""``python -m rlvr_sweeps.score``: order, bad lines, atomic -o, exit status, --lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _score(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "rlvr_sweeps.score", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def _write_input(path: Path) -> None:
    rows = [
        json.dumps({"id": "a", "code": "def f(x):\n    return x + 1", "tests": ["assert f(1) == 2"]}),
        "{not json",
        json.dumps({"id": "c", "code": 5, "tests": []}),
        json.dumps({"id": 4, "code": "import os\ndef f(x):\n    return x", "tests": ["assert f(1) == 2"], "setup": ""}),
        json.dumps({"id": 5, "code": "", "tests": ["assert f(1) == 2"]}),
    ]
    path.write_text("\n".join(rows) + "\n")


def test_score_to_stdout_in_order(tmp_path):
    inp = tmp_path / "in.jsonl"
    _write_input(inp)
    proc = _score(inp, "--timeout", "3", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", None, "c", 4, 5]
    assert [r["status"] for r in rows] == ["pass", "error", "error", "fail", "no_code"]
    assert rows[1]["exception"] == rows[2]["exception"] == "InvalidInput"
    assert [r["error_type"] for r in rows] == ["pass", "other", "other", "AssertionError", "no_code"]
    assert proc.stderr.strip().splitlines()[-1] == "1 passed, 4 failed"


def test_score_to_file_with_lint(tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(inp)
    proc = _score(inp, "-o", out, "--lint", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[3]["lint"]["codes"].get("F401") == 1
    assert rows[1]["lint"] is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_unusable_arguments_exit_nonzero(tmp_path):
    assert _score(tmp_path / "missing.jsonl").returncode != 0
    inp = tmp_path / "in.jsonl"
    _write_input(inp)
    assert _score(inp, "--timeout", "0").returncode != 0
    assert _score(inp, "-o", tmp_path / "nodir" / "out.jsonl").returncode != 0
