"""`python -m rlvr_sweeps.report` rebuilds the tables of a sweep with a failed and a missing cell."""

from __future__ import annotations

import csv
import shutil

from appcli import explain, run_app
from conftest import BAD_TOKENIZER


def test_rebuild_shows_failed_and_missing_cells(failed_sweep, tmp_path):
    sweep, _ = failed_sweep
    copy = tmp_path / "sweep"
    shutil.copytree(sweep, copy)
    for name in ("results.md", "results.csv", "results.tex"):
        (copy / name).unlink()
    (ok_dir,) = [p.parent for p in copy.rglob("final.json") if '"status": "ok"' in p.read_text()]
    shutil.rmtree(ok_dir)  # the cell that succeeded never ran, as far as the files say
    proc = run_app([str(copy)], cwd=tmp_path, module="rlvr_sweeps.report")
    assert proc.returncode == 0, explain(proc)
    rows = list(csv.DictReader((copy / "results.csv").open()))
    assert {r["model.tokenizer"]: r["status"] for r in rows} == {"builtin": "missing", BAD_TOKENIZER: "failed"}
    assert "missing" in (copy / "results.md").read_text() and "failed" in proc.stdout
    assert (copy / "results.tex").read_text().startswith("\\begin{tabular}")


def test_report_of_a_missing_dir_is_a_one_line_error(tmp_path):
    proc = run_app([str(tmp_path / "nope")], cwd=tmp_path, module="rlvr_sweeps.report")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "not a directory" in proc.stderr
