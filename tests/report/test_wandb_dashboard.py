"""`python -m rlvr_sweeps.report DIR --wandb-dashboard`: the view is built for the sweep's own W&B
group/project (as its cell runs logged them), and every way it cannot be saved from here ends in
one clear line and a non-zero exit, not a traceback. Saving itself needs the W&B server."""

from __future__ import annotations

import json

import pytest
from omegaconf import OmegaConf
from report_cells import CellSpec, Eval, first, write_sweep

from rlvr_sweeps.report.__main__ import main as report_main
from rlvr_sweeps.report.wandb_report import (
    DashboardError,
    SweepDashboard,
    create_dashboard,
    dashboard_view,
    sweep_dashboard,
)
from rlvr_sweeps.sweep.cell import MULTIRUN_YAML

SPEC = CellSpec(Eval(first(10)), Eval(first(20)))


@pytest.fixture
def sweep(tmp_path):
    """A sweep in Hydra's default layout, multirun/<date>/<time>."""
    cells = {(("reward", r), ("seed", s)): SPEC for r in ("unit", "ruff") for s in ("0", "1")}
    return write_sweep(tmp_path / "multirun" / "2026-12-01" / "12-00-00", cells)


@pytest.mark.parametrize("mode", ["offline", "disabled"])
def test_offline_is_one_clear_line_and_nothing_is_written(sweep, monkeypatch, capsys, mode):
    monkeypatch.setenv("WANDB_MODE", mode)
    assert report_main([str(sweep), "--wandb-dashboard", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"WANDB_MODE={mode}" in err and "WANDB_MODE=online" in err and "wandb login" in err
    assert not (sweep / "results.csv").exists()


def test_not_logged_in_is_one_clear_line_after_the_report(sweep, monkeypatch, capsys, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    for var in ("WANDB_API_KEY", "WANDB_ENTITY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))  # no ~/.netrc: no stored login
    monkeypatch.setenv("WANDB_CONFIG_DIR", str(home / "wandb"))
    monkeypatch.setenv("WANDB_MODE", "online")
    assert report_main([str(sweep), "--wandb-dashboard", "-q", "--no-extras", "--wandb-entity", "someone"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: could not save the W&B dashboard") and "wandb login" in err
    assert (sweep / "results.csv").is_file()  # the report itself was written


def test_the_view_is_for_the_sweeps_own_group_and_project(sweep, tmp_path):
    target = sweep_dashboard([sweep])
    assert (target.groups, target.project, target.entity) == (["2026-12-01/12-00-00"], "rlvr_sweeps", None)
    other = write_sweep(tmp_path / "other", {(("reward", "unit"), ("seed", "2")): SPEC})
    saved = OmegaConf.load(other / MULTIRUN_YAML)
    saved.logger = {"name": "wandb", "project": "study", "entity": "lab", "group": "seed-2"}
    OmegaConf.save(saved, other / MULTIRUN_YAML)
    with pytest.raises(DashboardError, match="several W&B projects"):
        sweep_dashboard([sweep, other])
    merged = sweep_dashboard([sweep, other], project="study")
    assert (merged.groups, merged.project, merged.entity) == (["2026-12-01/12-00-00", "seed-2"], "study", "lab")
    view = dashboard_view(merged.groups, "lab", merged.project)
    assert [s.name for s in view.sections] == ["pass@1 by reward × algo", "Completion length", "Ruff severity",
                                               "Error types", "Report"]
    titles = [p.title for s in view.sections for p in s.panels]
    assert "pass@1 by reward (mean over seeds, min–max)" in titles and "Rollout completion length" in titles
    spec = json.dumps(view._to_model().model_dump(), default=str)  # what W&B would save; no network
    assert "2026-12-01/12-00-00" in spec and "seed-2" in spec and view.project == "study"


def test_create_dashboard_refuses_offline_before_any_network(monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "dryrun")
    with pytest.raises(DashboardError, match="WANDB_MODE=dryrun"):
        create_dashboard(SweepDashboard(["2026-12-01/12-00-00"], "rlvr_sweeps", "someone"))
