"""One answer rule everywhere: the unit reward, the evaluator (replay of the same completions)
and the score CLI give every completion shape the same verdict; and replay evaluation on real
MBPP agrees with the score CLI row by row."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rlvr_sweeps.config.reward import UnitRewardConfig
from rlvr_sweeps.config.sandbox import SandboxConfig
from rlvr_sweeps.data.task import Task
from rlvr_sweeps.evaluate import build_generator, evaluate_policy, read_problems
from rlvr_sweeps.models import load_tokenizer
from rlvr_sweeps.rewards.unit import UnitReward

REPO = Path(__file__).resolve().parents[2]
F = "```"
SOL = "def add(a, b):\n    return a + b\n"
WRONG = "def add(a, b):\n    return a - b\n"
TESTS = ["assert add(1, 2) == 3", "assert add(2, 2) == 4"]
SHAPES = {  # name: (completion, expected label)
    "solution_then_usage": (f"{F}python\n{SOL}{F}\nExample usage:\n{F}python\nprint(add(1, 2))\n{F}\n", "pass"),
    "bash_then_solution": (f"{F}bash\npip install nothing\n{F}\nThen:\n{F}python\n{SOL}{F}\n", "pass"),
    "prose_only": ("Use the plus operator to add the two numbers.", "no_code"),
    "two_solutions": (f"{F}python\n{WRONG}{F}\nOr better:\n{F}python\n{SOL}{F}\n", "AssertionError"),  # the first
    "bare_code": (SOL, "pass"),
    "think_blocks": (f"<think>\n{F}python\n{WRONG}{F}\n</think>\n{F}python\n{SOL}{F}", "pass"),
    "stub": (f"{F}python\ndef add(a, b):\n    pass\n{F}", "stub"),
}


def _score_cli(rows, tmp_path):
    inp = tmp_path / "score_in.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = subprocess.run([sys.executable, "-m", "rlvr_sweeps.score", str(inp), "--workers", "1"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_reward_evaluator_and_score_cli_agree(tmp_path, make_conf):
    names = sorted(SHAPES)
    completions = [SHAPES[n][0] for n in names]
    expected = [SHAPES[n][1] for n in names]

    got: dict[str, list[str]] = {}
    reward = UnitReward(UnitRewardConfig(), SandboxConfig(timeout_s=5.0, workers=1))
    scores = reward(completions, tests=[TESTS] * len(names), setup=[""] * len(names),
                    log_extra=lambda key, values: got.__setitem__(key, values))
    assert got["unit_status"] == expected
    assert scores == [1.0 if e == "pass" else 0.0 for e in expected]

    replay = tmp_path / "completions.jsonl"
    replay.write_text("".join(json.dumps({"task_id": str(i), "completion": c}) + "\n" for i, c in enumerate(completions)))
    conf = make_conf("model=replay", f"model.path={replay}", out_dir=tmp_path)
    tasks = [Task(str(i), i, "embedded", "add two numbers", SOL, tuple(TESTS)) for i in range(len(names))]
    tok = load_tokenizer(conf.model)
    evaluate_policy(build_generator(conf, tok), tok, tasks, conf, tmp_path / "eval", "replay")
    rows = {r["task_id"]: r for r in read_problems(tmp_path / "eval", "replay")}
    assert [rows[str(i)]["error_type"] for i in range(len(names))] == expected

    cli = _score_cli([{"id": n, "completion": c, "tests": TESTS} for n, c in zip(names, completions, strict=True)],
                     tmp_path)
    assert [r["error_type"] for r in cli] == expected
    assert [r["answer_kind"] for r in cli] == ["code" if e not in ("no_code", "stub") else e for e in expected]


def test_replay_on_mbpp_equals_score_cli(tmp_path, shared_data, make_conf):
    """Real MBPP tasks, several rows per task (pass@k): the replay evaluator's verdicts equal the
    score CLI's on the same rows."""
    from rlvr_sweeps.data.mbpp import mbpp_task

    mbpp = {str(r["task_id"]): mbpp_task(r) for r in map(json.loads, (shared_data / "mbpp" / "mbpp.jsonl").open())}
    ids = [str(i) for i in range(11, 17)]
    rows = []
    for tid in ids:
        ref = mbpp[tid].reference.rstrip()
        rows.append({"task_id": tid, "completion": f"{F}python\n{ref}\n{F}\nUsage:\n{F}python\nprint(1)\n{F}"})
        rows.append({"task_id": tid, "completion": "I cannot solve this."})
        rows.append({"task_id": tid, "completion": f"{F}python\n{ref.replace('return', 'return 1 or', 1)}\n{F}"})
    path = tmp_path / "samples.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    conf = make_conf("model=replay", f"model.path={path}", "data=mbpp", f"data.path={shared_data / 'mbpp' / 'mbpp.jsonl'}",
                     f"eval.task_ids=[{','.join(ids)}]", "eval.n_samples=3", "eval.ks=[1,2,3]", out_dir=tmp_path)
    tok = load_tokenizer(conf.model)
    tasks = [mbpp[t] for t in ids]
    m = evaluate_policy(build_generator(conf, tok), tok, tasks, conf, tmp_path / "eval", "replay")
    problems = list(read_problems(tmp_path / "eval", "replay"))
    sampled = {(r["task_id"], r["sample"]): r["error_type"] for r in problems if r["mode"] == "sampled"}
    assert len(sampled) == len(rows)
    cli = _score_cli([{"id": i, "completion": r["completion"], "tests": list(mbpp[r["task_id"]].tests),
                       "setup": mbpp[r["task_id"]].setup} for i, r in enumerate(rows)], tmp_path)
    for i, r in enumerate(rows):
        assert sampled[(r["task_id"], i % 3)] == cli[i]["error_type"], (r, cli[i])
    assert m["eval/pass@1"] == 1.0  # greedy = each task's first row: the reference + a usage block
    assert m["eval/errors/no_code"] == 0.0
    assert {cli[i]["error_type"] for i in range(1, len(rows), 3)} == {"no_code"}
    assert m["eval/pass@3"] == 1.0 and 0.0 < m["eval/sampled/pass@1"] < 1.0


def test_replay_cli_missing_task_is_one_line(tmp_path, shared_data):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"task_id": 11, "completion": "x"}) + "\n")
    proc = subprocess.run(
        [sys.executable, "-m", "rlvr_sweeps.evaluate", "model=replay", f"model.path={path}", "data=mbpp",
         f"data.path={shared_data / 'mbpp' / 'mbpp.jsonl'}", "eval.task_ids=[11,12]", f"hydra.run.dir={tmp_path / 'run'}"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode != 0
    assert "no completion for task 12" in proc.stderr.strip().splitlines()[-1]
