"""The sweep's comparison in W&B: a report run and a saved workspace view for the sweep's group.

Why: W&B shows one run per cell; the comparison (seed-aggregated results, contrasts, figures)
lives in the report dir. `log_report_run` puts it into the sweep's W&B group as one run with
`job_type=report`: results and contrasts as `wandb.Table`s, every figure as a `wandb.Image`.
Offline by default like the cell runs (`WANDB_MODE` wins), confined to `<out_dir>/wandb`.

`dashboard_view` builds a `wandb_workspaces` view filtered to the group(s), with panels for
pass@1 by reward × algo, length curves, Ruff severity and error types, from the summary keys
each cell run carries (`eval/base/...`, `eval/trained/...`, `eval/delta_pp`; rlvr_sweeps.job).
Building it needs no network; `save_dashboard` (online only) saves it. `sweep_dashboard` finds a
sweep dir's W&B group, project and entity as its cell runs used them (the sweep's
multirun.yaml `logger` node, else the defaults), and `create_dashboard` saves that view or
raises `DashboardError` with a one-line reason (offline, not logged in, no network).

    python -m rlvr_sweeps.report DIR [DIR ...] --wandb-dashboard [--wandb-entity E]
    python -m rlvr_sweeps.report.wandb_report OUT_DIR --group G [--dashboard --entity E]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import OmegaConf

from rlvr_sweeps.config.logger import LoggerConfig
from rlvr_sweeps.sweep.cell import MULTIRUN_YAML

TABLES = {"results": "results.csv", "contrasts": "contrasts.csv"}
FIGURES_DIR = "figures"
JOB_TYPE = "report"
# Panel contents of the dashboard: summary/history keys the cell runs log.
PASS_METRICS = ("eval/base/pass@1", "eval/trained/pass@1", "eval/delta_pp")
LENGTH_CURVES = ("train/completions/mean_length", "val/length")
LENGTH_SUMMARY = ("eval/base/length/mean", "eval/trained/length/mean")
RUFF_CLASSES = ("fatal", "error", "warning", "convention")
ERROR_LABELS_SHOWN = ("pass", "AssertionError", "SyntaxError", "NameError", "TypeError", "timeout", "no_code", "stub")


def _table(path: Path) -> Any | None:
    import wandb  # lazy: the report runs without wandb until a W&B run is asked for

    if not path.is_file():
        return None
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return None
    frame = frame.astype(object).where(frame.notna(), None)
    return wandb.Table(dataframe=frame)


def log_report_run(out_dir: str | os.PathLike[str], group: str | None, project: str = "rlvr_sweeps",
                   entity: str | None = None, mode: str = "offline") -> Path | None:
    """One W&B run (job_type=report) in `group` with the tables and figures of `out_dir`; returns
    the run's local dir (None when W&B is disabled)."""
    import wandb  # lazy: as in _table

    out = Path(out_dir)
    mode = os.environ.get("WANDB_MODE", "").strip() or mode
    if mode == "disabled":
        return None
    root = out / "wandb"
    root.mkdir(parents=True, exist_ok=True)
    run = wandb.init(project=project, entity=entity, group=group, job_type=JOB_TYPE, name=f"report:{group or out.name}",
                     dir=str(out), mode=mode, reinit="finish_previous",
                     settings=wandb.Settings(silent=True, disable_git=True, console="off"))
    try:
        data: dict[str, Any] = {}
        for key, name in TABLES.items():
            table = _table(out / name)
            if table is not None:
                data[f"report/{key}"] = table
        for png in sorted((out / FIGURES_DIR).glob("*.png")):
            data[f"report/figures/{png.stem}"] = wandb.Image(str(png), caption=png.stem.replace("_", " "))
        if data:
            run.log(data)
        run_dir = Path(run.dir).parent  # <out>/wandb/offline-run-.../files -> the run dir
    finally:
        run.finish()
    return run_dir


def dashboard_view(group: str | Sequence[str], entity: str, project: str = "rlvr_sweeps") -> Any:
    """The saved view's spec (a `wandb_workspaces.workspaces.Workspace`) over the runs of `group`
    (one sweep's W&B group, or several merged); builds offline."""
    import wandb_workspaces.reports.v2 as wr  # lazy: wandb_workspaces imports wandb
    import wandb_workspaces.workspaces as ws  # lazy: as above
    from wandb_workspaces import expr  # lazy: as above

    def bars(title: str, keys: Any, ylabel: str, groupby: str = "choices.reward") -> Any:
        return wr.BarPlot(title=title, metrics=[wr.SummaryMetric(k) for k in keys], groupby=wr.Config(groupby),
                          groupby_aggfunc="mean", groupby_rangefunc="minmax", title_y=ylabel)

    sections = [
        ws.Section(name="pass@1 by reward × algo", is_open=True, panels=[
            bars("pass@1 by reward (mean over seeds, min–max)", PASS_METRICS, "pass@1 / Δpp"),
            bars("pass@1 by algorithm (mean over seeds, min–max)", PASS_METRICS, "pass@1 / Δpp", "choices.algo"),
        ]),
        ws.Section(name="Completion length", is_open=True, panels=[
            wr.LinePlot(title="Rollout completion length", x="train/global_step", y=list(LENGTH_CURVES),
                        groupby=wr.Config("choices.reward"), groupby_aggfunc="mean", groupby_rangefunc="minmax",
                        title_y="tokens"),
            bars("Evaluation length, base vs trained", LENGTH_SUMMARY, "tokens"),
        ]),
        ws.Section(name="Ruff severity", is_open=True, panels=[
            bars("Ruff issues per completion, trained", [f"eval/trained/ruff/{c}_per_completion" for c in RUFF_CLASSES],
                 "issues per completion"),
            bars("Ruff issues per completion, base", [f"eval/base/ruff/{c}_per_completion" for c in RUFF_CLASSES],
                 "issues per completion"),
        ]),
        ws.Section(name="Error types", is_open=True, panels=[
            bars("Error types, trained (share)", [f"eval/trained/errors/{e}" for e in ERROR_LABELS_SHOWN], "share"),
            bars("Error types, base (share)", [f"eval/base/errors/{e}" for e in ERROR_LABELS_SHOWN], "share"),
        ]),
        ws.Section(name="Report", is_open=True, panels=[
            wr.MediaBrowser(title="Report figures", media_keys=["report/figures/contrasts_forest"]),
        ]),
    ]
    groups = [group] if isinstance(group, str) else list(group)
    return ws.Workspace(entity=entity, project=project, name=f"rlvr_sweeps: {', '.join(groups)}", sections=sections,
                        runset_settings=ws.RunsetSettings(filters=[expr.Metric("Group").isin(groups)],
                                                          groupby=[expr.Config("choices.reward"),
                                                                   expr.Config("choices.algo")]))


def save_dashboard(view: Any) -> str:
    """Save the view to W&B (needs network and a login); returns its URL."""
    saved = view.save()
    return str(saved.url)


class DashboardError(RuntimeError):
    """Why the dashboard could not be saved, in one line that says what to do."""


OFFLINE_MODES = ("offline", "dryrun", "disabled")


@dataclass
class SweepDashboard:
    """Where a sweep's cell runs went in W&B, so the view shows exactly them."""

    groups: list[str]
    project: str
    entity: str | None


def _logger_node(sweep_dir: Path) -> dict[str, Any]:
    path = sweep_dir / MULTIRUN_YAML
    try:
        node = OmegaConf.select(OmegaConf.load(path), "logger", default=None, throw_on_resolution_failure=False)
    except (OSError, ValueError):  # no multirun.yaml (a hand-made dir) or a torn one: the defaults
        return {}
    return OmegaConf.to_container(node, resolve=False) if node is not None else {}  # type: ignore[return-value]


def sweep_dashboard(dirs: Sequence[str | os.PathLike[str]], project: str | None = None, entity: str | None = None,
                    group: str | None = None) -> SweepDashboard:
    """The W&B group(s), project and entity of the sweeps in `dirs` as their cell runs used them:
    the arguments when given, else the sweep's `logger` config (multirun.yaml), else the defaults
    (group = the sweep dir's name, rlvr_sweeps.job.sweep_group; project = LoggerConfig's)."""
    from rlvr_sweeps.job import sweep_group  # lazy: the job module only when a dashboard is asked for

    groups: list[str] = []
    projects, entities = set(), set()
    for d in dirs:
        sweep = Path(d).resolve()
        node = _logger_node(sweep)
        groups.append(group or node.get("group") or sweep_group(str(sweep)) or sweep.name)
        projects.add(node.get("project") or LoggerConfig.project)
        entities.add(node.get("entity"))
    if project is None and len(projects) > 1:
        raise DashboardError(f"the sweeps logged to several W&B projects {sorted(projects)}: pick one with --wandb-project")
    return SweepDashboard(list(dict.fromkeys(groups)), project or next(iter(projects), LoggerConfig.project),
                          entity or os.environ.get("WANDB_ENTITY") or next((e for e in entities if e), None))


def require_online() -> None:
    """DashboardError when WANDB_MODE says not to reach the server (checked before any work)."""
    mode = os.environ.get("WANDB_MODE", "").strip().lower()
    if mode in OFFLINE_MODES:
        raise DashboardError(f"the W&B dashboard is saved on the W&B server but WANDB_MODE={mode}: "
                             "run it with WANDB_MODE=online after `wandb login`")


def create_dashboard(target: SweepDashboard) -> str:
    """Save the view of `target` to W&B and return its URL; DashboardError when it cannot be
    saved from here (WANDB_MODE offline/disabled, no login, no network)."""
    require_online()
    try:
        import wandb  # lazy: the report runs without wandb until W&B is asked for

        entity = target.entity or wandb.Api().default_entity
        if not entity:
            raise DashboardError("no W&B entity: pass --wandb-entity (your W&B user or team)")
        return save_dashboard(dashboard_view(target.groups, entity, target.project))
    except DashboardError:
        raise
    except Exception as exc:  # noqa: BLE001 - login, network and server errors all end the same way
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise DashboardError(f"could not save the W&B dashboard ({type(exc).__name__}: {reason}); "
                             "check the network and `wandb login`") from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rlvr_sweeps.report.wandb_report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", help="the report dir (results.csv, contrasts.csv, figures/)")
    parser.add_argument("--group", help="the sweep's W&B group (default: the dir's name)")
    parser.add_argument("--project", default="rlvr_sweeps")
    parser.add_argument("--entity")
    parser.add_argument("--dashboard", action="store_true", help="also save a W&B view for the group (online)")
    args = parser.parse_args(argv)
    group = args.group or Path(args.out_dir).name
    run_dir = log_report_run(args.out_dir, group, args.project, args.entity)
    print(f"report run -> {run_dir}")
    if args.dashboard:
        try:
            url = create_dashboard(SweepDashboard([group], args.project, args.entity))
        except DashboardError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        print(f"dashboard -> {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["DashboardError", "SweepDashboard", "create_dashboard", "dashboard_view", "log_report_run",
           "require_online", "save_dashboard", "sweep_dashboard"]
