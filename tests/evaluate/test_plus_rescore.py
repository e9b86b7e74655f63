"""eval.plus_rescore: the stored greedy completions of an MBPP evaluation re-scored on MBPP+'s
extra inputs, for the test-range task ids MBPP+ has."""

from __future__ import annotations

import json

import pytest

from rlvr_sweeps.data import load_eval_tasks
from rlvr_sweeps.evaluate import build_generator, evaluate_policy
from rlvr_sweeps.models import load_tokenizer

IDS = [11, 12, 13, 14, 15]  # MBPP+ lacks 13 and 15


def test_plus_rescore_of_stored_completions(tmp_path, shared_data, make_conf):
    plus_path = shared_data / "mbppplus" / "MbppPlus.jsonl"
    plus = {int(r["task_id"].split("/")[1]): r for r in map(json.loads, plus_path.open())}
    mbpp = {r["task_id"]: r for r in map(json.loads, (shared_data / "mbpp" / "mbpp.jsonl").open())}
    rows = []
    for i in IDS:  # MBPP+'s canonical solution where it has one, else MBPP's reference
        code = plus[i]["canonical_solution"] if i in plus else mbpp[i]["code"]
        rows.append({"task_id": str(i), "completion": f"```python\n{code}\n```"})
    rows[0]["completion"] = "```python\ndef remove_Occ(s, ch):\n    return s.replace(ch, '', 1)[::-1][::-1].replace(ch, '', 1)\n```"
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    conf = make_conf("model=replay", f"model.path={path}", "data=mbpp", f"data.path={shared_data / 'mbpp' / 'mbpp.jsonl'}",
                     f"eval.task_ids=[{','.join(map(str, IDS))}]", "eval.plus_rescore=true", f"eval.plus_path={plus_path}",
                     f"eval.oracle_cache={tmp_path / 'cache'}", out_dir=tmp_path)
    tok = load_tokenizer(conf.model)
    m = evaluate_policy(build_generator(conf, tok), tok, load_eval_tasks(conf.data), conf, tmp_path / "eval", "replay")
    assert m["eval/plus_n_tasks"] == 3.0  # 11, 12, 14
    out = [json.loads(line) for line in (tmp_path / "eval" / "replay" / "plus_problems.jsonl").read_text().splitlines()]
    assert [r["task_id"] for r in out] == ["11", "12", "14"]
    # 11 (first and last occurrence removed): the naive double replace passes MBPP's 3 asserts, not MBPP+
    assert out[0]["mbpp_passed"] and not out[0]["plus_passed"]
    assert out[1]["plus_passed"] and out[2]["plus_passed"]
    assert m["eval/plus_pass@1"] == pytest.approx(2 / 3)
    assert m["eval/plus_mbpp_pass@1"] == 1.0 and m["eval/pass@1"] == 1.0


def test_plus_rescore_needs_a_path(make_conf):
    with pytest.raises(Exception, match="eval.plus_path"):
        make_conf("eval.plus_rescore=true")
