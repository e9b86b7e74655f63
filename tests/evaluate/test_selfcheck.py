"""Self-checks of the whole pipeline (prompt -> extraction -> sandbox -> statistics) on the real
MBPP files: reference solutions must score 100 %, empty completions 0 %."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rlvr_sweeps.data import load_eval_tasks
from rlvr_sweeps.evaluate import build_generator, evaluate_policy, read_problems
from rlvr_sweeps.models import load_tokenizer

# The self-checks test correctness, not the machine's load: MBPP task 123 (amicable numbers)
# needs ~5 s of CPU, which on 2 loaded cores is > 20 s of wall clock, past the default 10 s
# wall-clock limit (the sandbox's CPU rlimit, timeout + 1 s, is not what fires). A generous
# wall clock here; the CPU rlimit still stops a runaway reference.
SELFCHECK_TIMEOUT = "eval.timeout_s=120"


def _run(tmp_path, make_conf, *overrides):
    conf = make_conf(SELFCHECK_TIMEOUT, *overrides, out_dir=tmp_path)
    tok = load_tokenizer(conf.model)
    return evaluate_policy(build_generator(conf, tok), tok, load_eval_tasks(conf.data), conf, tmp_path, conf.model.name)


def test_reference_scores_500_of_500_on_mbpp_test(tmp_path, shared_data, make_conf) -> None:
    m = _run(tmp_path, make_conf, "model=reference", "data=mbpp", f"data.path={shared_data / 'mbpp' / 'mbpp.jsonl'}")
    assert (m["n_tasks"], m["eval/n_passed"], m["eval/pass@1"]) == (500, 500, 1.0)
    assert m["eval/errors/pass"] == 1.0 and m["eval/harness_errors"] == 0
    rows = list(read_problems(tmp_path, "reference"))
    assert [r["task_id"] for r in rows] == [str(i) for i in range(11, 511)]  # stable ids, one greedy row each
    assert all(r["passed"] and r["lint"] is not None and r["n_tokens"] > 0 for r in rows)
    summary = json.loads((tmp_path / "reference" / "summary.json").read_text())
    assert summary["status"] == "complete" and summary["metrics"]["eval/pass@1"] == 1.0


def test_reference_scores_257_of_257_on_sanitized_mbpp_test(tmp_path, shared_data, make_conf) -> None:
    path = shared_data / "mbpp" / "sanitized-mbpp.json"
    m = _run(tmp_path, make_conf, "model=reference", "data=mbpp-sanitized", f"data.path={path}")
    assert (m["n_tasks"], m["eval/n_passed"]) == (257, 257)


def test_null_scores_0_of_500(tmp_path, shared_data, make_conf) -> None:
    m = _run(tmp_path, make_conf, "model=null", "data=mbpp", f"data.path={shared_data / 'mbpp' / 'mbpp.jsonl'}")
    assert (m["n_tasks"], m["eval/n_passed"], m["eval/pass@1"]) == (500, 0, 0.0)
    assert m["eval/errors/no_code"] == 1.0
    assert m["eval/ruff/error_per_completion"] == 0.0 and m["eval/ruff/n_linted"] == 0


@pytest.mark.slow
def test_documented_command_prints_pass_line_and_writes_results(tmp_path, shared_data) -> None:
    """The documented CLI, as a user types it (model=null unquoted), on a subset for speed."""
    cmd = [
        sys.executable, "-m", "rlvr_sweeps.evaluate", "model=null", "data=mbpp",
        f"data.path={shared_data / 'mbpp' / 'mbpp.jsonl'}", "data.max_eval_tasks=20", f"hydra.run.dir={tmp_path}",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "pass@1 = 0.0000 (0/20)"
    assert len((tmp_path / "eval" / "null" / "problems.jsonl").read_text().splitlines()) == 20
    bad = subprocess.run([*cmd[:-1], "eval.task_ids=[11,4242]", f"hydra.run.dir={tmp_path}/bad"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert bad.returncode != 0 and "4242" in bad.stderr and "Traceback" not in bad.stderr
