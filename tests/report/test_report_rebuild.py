"""`python -m rlvr_sweeps.report` rebuilds the tables of a sweep with a failed and a missing cell."""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys

from appcli import BAD_TOKENIZER, explain, run_app


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


def test_cell_with_a_live_marker_is_running_and_with_a_dead_one_interrupted(failed_sweep, tmp_path):
    sweep, _ = failed_sweep
    copy = tmp_path / "sweep"
    shutil.copytree(sweep, copy)
    finals = sorted(copy.rglob("final.json"))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    for final, pid in zip(finals, (os.getpid(), int(dead.stdout)), strict=True):
        final.unlink()  # as if the job were still in its training loop
        (final.parent / "running").write_text(json.dumps({"host": socket.gethostname(), "pid": pid}))
    proc = run_app([str(copy)], cwd=tmp_path, module="rlvr_sweeps.report")
    assert proc.returncode == 0, explain(proc)
    rows = list(csv.DictReader((copy / "results.csv").open()))
    assert sorted(r["status"] for r in rows) == ["interrupted", "running"]
