"""Cross-check against another harness: the codefast_study completions (CodeLlama-7b and
Qwen2.5-Coder-7B, greedy, MBPP test 11-510) were graded by HF `evaluate`'s code_eval (one
process per program, 3 s limit). We grade exactly the same programs on the same asserts and
require the same per-problem verdict on at least 99 % of the 1000 programs.

Why 99 % and not 100 %: the only legitimate differences are (a) timeouts near the limit on a
loaded CPU (CodeLlama has a few `timed out` rows) and (b) task 367, whose test_setup_code we
run and code_eval does not (its asserts need the setup's classes). Measured on this machine:
1000/1000 agree (both models fail 367 anyway: their programs never define the asserted
function correctly), so the threshold leaves room for (a) only.
"""

from __future__ import annotations

import json

import pytest

from rlvr_sweeps.config import DataConfig
from rlvr_sweeps.config.data import DataSource
from rlvr_sweeps.data import load_tasks
from rlvr_sweeps.evaluate.grading import Suite, grade
from rlvr_sweeps.sandbox import get_executor

MODELS = ("codellama_7b_mbpp_baseline", "Qwen2.5-Coder-7B_mbpp_baseline")


@pytest.mark.slow
def test_verdicts_agree_with_code_eval_on_codefast_completions(shared_data) -> None:
    root = shared_data / "peer_completions" / "codefast_study" / "results"
    cfg = DataConfig(name="mbpp", source=DataSource.mbpp, path=str(shared_data / "mbpp" / "mbpp.jsonl"))
    tasks = load_tasks(cfg, "test")
    assert [t.number for t in tasks] == list(range(11, 511))
    codes, suites, theirs = [], [], []
    for model in MODELS:
        gens = json.loads((root / model / "generations.json").read_text())
        cases = json.loads((root / model / "test_case.json").read_text())["test_case"]
        codes += [g[0] for g in gens]  # the full program they executed
        suites += [Suite([list(t.tests)], t.setup) for t in tasks]
        theirs += [cases[str(i)][0][1]["passed"] for i in range(500)]
    verdicts = grade(codes, suites, get_executor(None, 3.0, 1024))  # code_eval's 3 s limit
    ours = [base.passed for base, _ in verdicts]
    assert sum(ours[:500]) == pytest.approx(207, abs=5) and sum(ours[500:]) == pytest.approx(296, abs=5)
    agree = sum(o == t for o, t in zip(ours, theirs, strict=True))
    disagree = [(MODELS[i // 500], 11 + i % 500, verdicts[i][0].error) for i in range(1000) if ours[i] != theirs[i]]
    assert agree >= 990, disagree
    assert not ours[367 - 11] and not ours[500 + 367 - 11]  # every peer set fails 367
