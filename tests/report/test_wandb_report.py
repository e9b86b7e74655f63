"""The W&B side of the report: an offline report run holding the tables and figures, and the
dashboard view's spec built without network."""

from __future__ import annotations

import json

from rlvr_sweeps.report.figures import write_figures
from rlvr_sweeps.report.wandb_report import dashboard_view, log_report_run


def test_report_run_holds_tables_and_figures(fake_sweep, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "offline")
    sweep, cells = fake_sweep
    figures = write_figures(cells, sweep)
    run_dir = log_report_run(sweep, group="2026-12-01/12-00-00")
    assert run_dir is not None and run_dir.parent == sweep / "wandb" and run_dir.name.startswith("offline-run-")
    media = run_dir / "files" / "media"
    tables = {p.name.split("_")[0] for p in (media / "table" / "report").glob("*.table.json")}
    assert tables == {"results", "contrasts"}
    results = json.loads(next((media / "table" / "report").glob("results_*.table.json")).read_text())
    assert "trained_pass@1" in results["columns"] and len(results["data"]) == 2
    images = list((media / "images" / "report" / "figures").glob("*.png"))
    assert len(images) == len(figures) == 6
    assert list(run_dir.glob("run-*.wandb"))  # the run itself, syncable with `wandb sync`


def test_dashboard_spec_has_the_study_panels_offline():
    view = dashboard_view("2026-12-01/12-00-00", entity="someone")
    names = [s.name for s in view.sections]
    assert names == ["pass@1 by reward × algo", "Completion length", "Ruff severity", "Error types", "Report"]
    panels = {p.title: p for s in view.sections for p in s.panels}
    pass_panel = panels["pass@1 by reward (mean over seeds, min–max)"]
    assert [m.name for m in pass_panel.metrics] == ["eval/base/pass@1", "eval/trained/pass@1", "eval/delta_pp"]
    assert "val/length" in panels["Rollout completion length"].y
    model = view._to_model()  # the spec W&B would save: builds without network or login
    assert model.entity == "someone" and "2026-12-01/12-00-00" in json.dumps(model.model_dump(), default=str)
