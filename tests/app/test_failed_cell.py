"""One cell of a sweep raises at run time: the other finishes, the failure is recorded and reported."""

from __future__ import annotations

import csv

from appcli import BAD_TOKENIZER, explain, finals


def test_sweep_exits_nonzero_after_writing_the_table(failed_sweep):
    sweep, proc = failed_sweep
    assert proc.returncode == 1, explain(proc)
    assert (sweep / "results.md").is_file(), explain(proc)


def test_the_other_cell_finishes_ok(failed_sweep):
    sweep, proc = failed_sweep
    assert sorted(f["status"] for f in finals(sweep)) == ["failed", "ok"], explain(proc)


def test_failed_cell_records_type_message_and_traceback(failed_sweep):
    sweep, _ = failed_sweep
    (failed,) = [f for f in finals(sweep) if f["status"] == "failed"]
    assert f"model.tokenizer={BAD_TOKENIZER}" in failed["overrides"]
    assert failed["error"]["type"] and BAD_TOKENIZER in failed["error"]["message"]
    assert "Traceback" in failed["error"]["traceback"]


def test_no_running_marker_is_left_behind(failed_sweep):
    sweep, _ = failed_sweep
    assert not list(sweep.rglob("running"))


def test_table_shows_the_failure_next_to_the_ok_cell(failed_sweep):
    sweep, _ = failed_sweep
    rows = list(csv.DictReader((sweep / "results.csv").open()))
    assert {r["model.tokenizer"]: r["status"] for r in rows} == {"builtin": "ok", BAD_TOKENIZER: "failed"}
    (bad,) = [r for r in rows if r["status"] == "failed"]
    assert bad["error"] and not bad["trained_pass@1"]
