"""The default grid through `hydra/launcher=ray_cluster` on a real (private, single-node) Ray cluster.

Real app, real hydra-ray-launcher, real Ray tasks, tiny random-init models; the head comes from
tests/ray_launcher/up.sh (RAY_ADDRESS), which the preset's `ray.init.address=auto` joins.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sweeprun import CELLS, assert_table, finals, log_of, run, sweep_cmd

BAD_TOKENIZER = "/nonexistent/tokenizer"  # only read when the job loads its tokenizer: that cell raises inside Ray
# The preset reserves 1 GPU and 8 CPUs per cell; the test head has 2 CPUs and no GPU: 2 cells at a time.
RAY = [
    "hydra/launcher=ray_cluster",
    "hydra.launcher.ray.remote.num_gpus=0",
    "hydra.launcher.ray.remote.num_cpus=1",
    "model.warm_start_steps=0",  # the smoke profile's 150 SFT steps would be redone by every fresh worker
]


def _cmd(sweep_dir: Path, *args: str, **kw) -> list[str]:
    return sweep_cmd(sweep_dir, *RAY, *args, **kw)


def test_default_grid_through_ray_cluster(tmp_path: Path) -> None:
    """Every cell ok as a Ray task, the table gathered in the sweep dir; a re-run skips every cell."""
    sweep_dir = tmp_path / "sweep"
    home = {"HOME": str(tmp_path / "home")}  # whatever Ray's driver writes under ~ stays in the temp dir
    first, t_first = run(_cmd(sweep_dir), cwd=tmp_path, **home)
    out = first.stdout + first.stderr
    assert first.returncode == 0, log_of(first)
    assert "Ray Launcher is launching 6 jobs" in out, log_of(first)
    assert "(_run_job pid=" in out, log_of(first)  # the cells' output came back from Ray workers
    results = finals(sweep_dir)
    assert set(results) == CELLS and all(f["status"] == "ok" for f in results.values()), results
    assert "6 cells: 6 done, 0 running, 0 failed, 0 skipped, 0 pending" in out, log_of(first)
    assert_table(sweep_dir, CELLS)
    done = {f["_path"]: f["_path"].read_bytes() for f in results.values()}

    again, t_again = run(_cmd(sweep_dir), cwd=tmp_path, **home)
    out = again.stdout + again.stderr
    assert again.returncode == 0, log_of(again)
    # (Counting the workers' "skipping" lines would be flaky: Ray forwards worker output asynchronously.)
    assert "6 cells: 0 done, 0 running, 0 failed, 6 skipped, 0 pending" in out, log_of(again)
    for path, raw in done.items():
        assert path.read_bytes() == raw, path
    assert_table(sweep_dir, CELLS)
    assert t_again < 0.5 * t_first, (t_first, t_again)


def test_raising_cell_is_reported_failed_while_the_others_finish(tmp_path: Path) -> None:
    sweep_dir = tmp_path / "sweep"
    grid = ["reward=unit,ruff", "algo=grpo", f"model.tokenizer=builtin,{BAD_TOKENIZER}"]
    proc, _ = run(_cmd(sweep_dir, grid=grid), cwd=tmp_path, HOME=str(tmp_path / "home"))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, log_of(proc)  # the sweep fails, after writing the table
    assert "4 cells: 2 done, 0 running, 2 failed, 0 skipped, 0 pending" in out, log_of(proc)
    # the bad path holds "/": its cell dir nests, hence rglob
    records = [json.loads(p.read_text()) for p in sorted(sweep_dir.rglob("final.json"))]
    assert len(records) == 4, records
    by_tokenizer: dict[str, list[str]] = {}
    for f in records:
        tok = next(o.split("=", 1)[1] for o in f["overrides"] if o.startswith("model.tokenizer="))
        by_tokenizer.setdefault(tok, []).append(f["status"])
    assert by_tokenizer == {"builtin": ["ok", "ok"], BAD_TOKENIZER: ["failed", "failed"]}, by_tokenizer
    for f in records:
        if f["status"] == "failed":
            assert BAD_TOKENIZER in f["error"]["message"] and "Traceback" in f["error"]["traceback"], f["error"]
    assert not list(sweep_dir.rglob("running"))
    rows = list(csv.DictReader((sweep_dir / "results.csv").open()))
    assert sorted((r["model.tokenizer"], r["status"]) for r in rows) == sorted(
        [("builtin", "ok")] * 2 + [(BAD_TOKENIZER, "failed")] * 2
    ), rows
