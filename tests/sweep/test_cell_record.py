"""rlvr_sweeps.sweep.cell: the typed final record (old records still load), the one status, discovery."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from omegaconf import OmegaConf

from rlvr_sweeps.sweep.cell import (
    FINAL,
    HYDRA_DIR,
    NAME_MAX,
    RUNNING,
    SCHEMA_VERSION,
    CellStatus,
    FinalRecord,
    cell_status,
    expand_grid,
    gather_cells,
    mark_running,
    overlong_subdir_error,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_a_final_json_written_before_the_typed_record_still_loads() -> None:
    raw = json.loads((FIXTURES / "final_v1.json").read_text())
    assert "schema_version" not in raw  # the shape job.py wrote before this module
    record = FinalRecord.from_dict(raw)
    assert record.schema_version == 1 and record.ok and record.choices["reward"] == "unit"
    assert record.eval.trained["eval/pass@1"] == raw["eval"]["trained"]["eval/pass@1"]
    assert record.eval.delta_pp == raw["eval"]["delta_pp"] and record.timings["total_s"] > 0
    again = record.to_dict()
    assert again["schema_version"] == SCHEMA_VERSION
    assert {k: v for k, v in again.items() if k != "schema_version"} == raw  # nothing lost, nothing added


def test_old_lost_job_records_and_string_errors_load() -> None:
    lost = FinalRecord.from_dict({"status": "failed", "error": {"type": "CANCELLED", "message": "by 0", "traceback": ""},
                                  "choices": {"reward": "unit"}, "metrics": {}, "timings": {}, "versions": {}})
    assert not lost.ok and lost.error.type == "CANCELLED" and lost.eval.label("trained") == {}
    bare = FinalRecord.from_dict({"status": "failed", "error": "ValueError: boom"})
    assert (bare.error.type, bare.error.message) == ("ValueError", "boom") and str(bare.error) == "ValueError: boom"


def test_unknown_keys_and_eval_labels_survive_a_round_trip(tmp_path: Path) -> None:
    record = FinalRecord.from_dict({"status": "ok", "eval": {"trained": {"eval/pass@1": 0.5}, "val": {"x": 1}},
                                    "future_field": [1, 2]})
    record.write(tmp_path)
    back = FinalRecord.load(tmp_path)
    assert back.extra == {"future_field": [1, 2]} and back.eval.label("val") == {"x": 1}
    assert json.loads((tmp_path / FINAL).read_text())["schema_version"] == SCHEMA_VERSION
    (tmp_path / FINAL).write_text('{"status": "ok", "met')  # torn
    assert FinalRecord.load(tmp_path) is None


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_every_status_from_the_files(tmp_path: Path) -> None:
    since = time.time()
    assert cell_status(tmp_path / "nothing") is CellStatus.MISSING
    FinalRecord(status="ok").write(tmp_path / "ok")
    assert cell_status(tmp_path / "ok", since=since) is CellStatus.OK
    FinalRecord.lost("CANCELLED", "scancel").write(tmp_path / "failed")
    assert cell_status(tmp_path / "failed", since=since) is CellStatus.FAILED

    mark_running(tmp_path / "alive")  # this process
    assert cell_status(tmp_path / "alive") is CellStatus.RUNNING
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / "dead").mkdir()
    (tmp_path / "dead" / RUNNING).write_text(json.dumps({"host": os.uname().nodename, "pid": int(dead.stdout)}))
    assert cell_status(tmp_path / "dead") is CellStatus.INTERRUPTED
    (tmp_path / "other_node").mkdir()
    (tmp_path / "other_node" / RUNNING).write_text(json.dumps({"host": "gpu-node-elsewhere", "pid": 1}))
    assert cell_status(tmp_path / "other_node") is CellStatus.RUNNING  # cannot be checked from here: trusted

    started = tmp_path / "started" / HYDRA_DIR
    started.mkdir(parents=True)
    (started / "overrides.yaml").write_text("- reward=unit\n")
    assert cell_status(tmp_path / "started") is CellStatus.INTERRUPTED  # Hydra ran it, nothing finished
    _age(started / "overrides.yaml", 60)
    assert cell_status(tmp_path / "started", since=since) is CellStatus.STALE


def _sweep_config(sweep_dir: Path) -> OmegaConf:
    return OmegaConf.create({"hydra": {
        "sweeper": {"_target_": "hydra._internal.core_plugins.basic_sweeper.BasicSweeper", "params": None},
        "overrides": {"task": ["reward=unit,ruff", "seed=0,1"]},
        "sweep": {"dir": str(sweep_dir), "subdir": "${hydra.job.override_dirname}"},
        "job": {"config": {"override_dirname": {"kv_sep": "=", "item_sep": ",", "exclude_keys": []}}},
    }})


def test_grid_expansion_names_dirs_and_gather_shows_missing_cells(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    cfg = _sweep_config(sweep)
    grid = expand_grid(cfg.hydra)
    assert [name for _, name in grid] == ["reward=unit,seed=0", "reward=unit,seed=1",
                                          "reward=ruff,seed=0", "reward=ruff,seed=1"]
    FinalRecord(status="ok", overrides=["reward=ruff", "seed=1"], choices={"reward": "ruff"}).write(
        sweep / "reward=ruff,seed=1")
    nested = sweep / "extra" / "deep"  # a cell of an earlier command into the same dir, nested by a `/` value
    FinalRecord(status="failed", overrides=["reward=combined"]).write(nested)
    (nested / "checkpoints" / "x").mkdir(parents=True)
    OmegaConf.save(cfg, sweep / "multirun.yaml")
    cells = gather_cells(sweep)
    assert [c.status for c in cells] == [CellStatus.MISSING] * 3 + [CellStatus.OK, CellStatus.FAILED]
    assert cells[0].job_dir == sweep / "reward=unit,seed=0" and cells[3].params == {"reward": "ruff", "seed": "1"}
    assert cells[4].job_dir == nested
    shutil.rmtree(sweep / "reward=ruff,seed=1")
    assert [c.status for c in gather_cells(sweep, hydra_cfg=cfg.hydra)][:4] == [CellStatus.MISSING] * 4


LONG = [f"train.{k}={v}" for k, v in [("learning_rate", 0.0002), ("max_steps", 1), ("logging_steps", 1),
                                       ("per_device_train_batch_size", 4), ("max_completion_length", 64)]] + [
    f"eval.{k}={v}" for k, v in [("max_new_tokens", 64), ("n_samples", 0), ("batch_size", 8)]] + [
    "+experiment=smoke", "model.warm_start_steps=0", "lora.alpha=32", "lora.dropout=0.0", "sandbox.timeout_s=10.0"]


def _grid(sweep_dir: Path, task: list[str], exclude: list[str]) -> list:
    cfg = _sweep_config(sweep_dir)
    cfg.hydra.overrides.task = task
    cfg.hydra.job.config.override_dirname.exclude_keys = exclude
    return expand_grid(cfg.hydra)


def test_a_grid_whose_dir_names_pass_255_bytes_is_refused_with_a_fix_that_works(tmp_path: Path) -> None:
    task = [*LONG, "seed=0,1", "reward=unit,ruff"]
    grid = _grid(tmp_path, task, [])
    assert max(len(name.encode()) for _, name in grid) > NAME_MAX
    error = overlong_subdir_error(grid)
    assert error is not None and "\n" not in error and f"over the filesystem's {NAME_MAX}" in error
    keys = error.split("exclude_keys=[")[1].split("]")[0].split(",")
    assert "seed" not in keys and "reward" not in keys and "experiment" in keys  # only what every cell shares
    fixed = _grid(tmp_path, task, keys)
    assert overlong_subdir_error(fixed) is None
    assert len({name for _, name in fixed}) == len(fixed) == 4  # still one dir per cell
    assert overlong_subdir_error(_grid(tmp_path, ["seed=0,1", "reward=unit,ruff"], [])) is None
    # A `/` in a value nests dirs: the limit is per component, so a long path value alone is fine.
    assert overlong_subdir_error(_grid(tmp_path, ["data.path=/" + "/".join(["d" * 200] * 3), "seed=0,1"], [])) is None


def test_the_sweep_command_refuses_overlong_dir_names_in_one_line_before_any_job(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "HF_HUB_OFFLINE": "1",
           "WANDB_MODE": "offline"}
    sweep = tmp_path / "sweep"
    out = subprocess.run([sys.executable, "-m", "rlvr_sweeps", "-m", *LONG, "seed=0,1", f"hydra.sweep.dir={sweep}"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr[-2000:]
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rlvr_sweeps: config error: a cell's dir name is"), out.stderr
    assert not any(sweep.glob("*seed=*"))  # no job ran
