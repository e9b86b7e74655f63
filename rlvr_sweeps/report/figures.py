"""The report's pictures (matplotlib, Agg, PNG in `<out_dir>/figures/`), from result files only.

Why pictures: the study's diagnostics (learning curves, completion lengths, Ruff severity profile,
error types, pass/fail transitions, contrasts with their CIs) are things people look at, not
read. `write_figures(cells, out_dir)` draws whatever the files allow and skips a figure whose
data does not exist (no metrics.jsonl, no contrasts.csv), so it also works on a half-run sweep.

Conventions: one colour per configuration label across every figure (`palette`), base in grey,
titles and axis labels with units. matplotlib is imported here only: light entry points
(`--cfg job`, the report's tables) never import this module at start-up.

Cells are read through ONE adapter, `cell_view`, over the report's loader (rlvr_sweeps.report.load):
the record type and the file names change in one place, and a report that already loaded the
cells passes them in (`write_figures(..., data=)`) instead of reading every file again.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display; set before pyplot is imported
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from rlvr_sweeps.sweep.cell import Cell, CellStatus  # noqa: E402

from .contrasts import OWN_COLUMNS  # noqa: E402
from .load import LABELS, CellData  # noqa: E402
from .stats import CORRECTIONS  # noqa: E402

FIGURES_DIR = "figures"
CONTRASTS_CSV = "contrasts.csv"
BASE_COLOUR = "#9e9e9e"
DPI = 110
LEGEND_LINE_IN, LEGEND_CHAR_IN = 0.16, 0.055  # one legend entry's height, one character's width at fontsize 7 (in)
# Learning-curve panels: metrics.jsonl key -> (title, y label). Drawn when the key exists.
CURVES: dict[str, tuple[str, str]] = {
    "train/reward": ("Training reward (weighted sum)", "reward (mean over rollouts)"),
    "train/rewards/unit/mean": ("Unit-test reward", "reward (mean over rollouts)"),
    "train/rewards/ruff/mean": ("Ruff reward", "reward (mean over rollouts)"),
    "train/completions/mean_length": ("Completion length of rollouts", "length (tokens)"),
    "val/pass@1": ("Validation pass@1 (greedy)", "pass@1 (%)"),
    "val/length": ("Validation completion length", "length (tokens)"),
}
PASS_RATE_HINT = "pass_rate"  # any train/... key holding it (the rollouts' unit pass rate) gets a panel
_PERCENT_KEYS = ("val/pass@1", "val/no_code_share")


# ---------------------------------------------------------------- the one adapter over cell records


@dataclass
class CellView:
    """What the figures need of one finished cell."""

    config: str  # the configuration label: swept choices except the seed ("reward=unit,algo=grpo")
    seed: str
    job_dir: Path
    curve: list[dict[str, Any]] = field(default_factory=list)  # metrics.jsonl rows
    problems: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # label -> greedy rows


def cell_view(cell: Cell, swept: Sequence[str], data: CellData | None = None) -> CellView | None:
    """The adapter: a `sweep.cell.Cell` and its files as the report's loader read them (`data`,
    when the report already loaded the cell; else read here). None for a cell that did not end
    ok; nothing else here reads a record or a result file."""
    if cell.status != CellStatus.OK or cell.job_dir is None:
        return None
    data = data if data is not None else CellData.read(cell)
    params = cell.params
    config = ",".join(f"{k}={params[k]}" for k in swept if k != "seed" and k in params) or "all"
    problems = {label: data.rows.get(label, []) for label in LABELS}
    return CellView(config, str(params.get("seed", "0")), Path(cell.job_dir), data.curve, problems)


def swept_keys(cells: Iterable[Any]) -> list[str]:
    """Keys whose value differs between cells, in first-seen order."""
    values: dict[str, set[str]] = {}
    for cell in cells:
        for key, value in cell.params.items():
            values.setdefault(key, set()).add(str(value))
    return [k for k, v in values.items() if len(v) > 1]


# ---------------------------------------------------------------- colours and helpers


def palette(labels: Iterable[str]) -> dict[str, Any]:
    """One stable, distinct colour per label (sorted, so a label keeps its colour in every figure).
    tab10, then tab20 (the study's 12-cell grid would repeat tab10's colours, and two curves would
    read as one), then evenly spaced hues of a continuous map for larger grids."""
    names = sorted(set(labels))
    if len(names) <= 20:
        cmap = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
        return {label: cmap(i) for i, label in enumerate(names)}
    cmap = plt.get_cmap("turbo")
    return {label: cmap(i / (len(names) - 1)) for i, label in enumerate(names)}


def _by_config(views: Sequence[CellView]) -> dict[str, list[CellView]]:
    out: dict[str, list[CellView]] = defaultdict(list)
    for v in views:
        out[v.config].append(v)
    return dict(sorted(out.items()))


def _save(fig: Any, path: Path) -> Path:
    """Write the PNG atomically. Every figure is laid out by constrained layout (legends and
    labels included), so no `bbox_inches="tight"`: that would lay out and draw the figure twice."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fig.savefig(tmp, dpi=DPI, format="png")
    plt.close(fig)
    os.replace(tmp, path)  # atomic, like every other result file
    return path


def _grid(n: int, width: float = 4.6, height: float = 3.2, legend: Sequence[str] = ()) -> tuple[Any, list[Any]]:
    """Panels three to a row; `legend`: the labels of a figure legend drawn beside the panels,
    for which the figure grows (wide and tall enough for every entry)."""
    cols = min(3, n)
    rows = math.ceil(n / cols)
    extra_w = 0.6 + LEGEND_CHAR_IN * max(map(len, legend)) if legend else 0.0
    size = (width * cols + extra_w, max(height * rows, 1.2 + LEGEND_LINE_IN * len(legend)))
    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False, layout="constrained")
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


# ---------------------------------------------------------------- the figures


def _curve_keys(views: Sequence[CellView]) -> list[str]:
    present = {k for v in views for r in v.curve for k, x in r.items() if isinstance(x, int | float)}
    keys = [k for k in CURVES if k in present]
    keys += sorted(k for k in present if PASS_RATE_HINT in k and k not in keys)
    return keys


def learning_curves(views: Sequence[CellView], colours: dict[str, Any], path: Path) -> Path | None:
    """Mean over seeds per configuration, with a band from the seeds' min to max."""
    keys = _curve_keys(views)
    if not keys:
        return None
    fig, axes = _grid(len(keys), legend=list(_by_config(views)))
    for ax, key in zip(axes, keys, strict=True):
        scale = 100.0 if key in _PERCENT_KEYS else 1.0
        for config, group in _by_config(views).items():
            series = [{int(r["step"]): scale * float(r[key]) for r in v.curve
                       if isinstance(r.get(key), int | float) and "step" in r} for v in group]
            steps = sorted({s for run in series for s in run})
            if not steps:
                continue
            table = np.array([[run.get(s, np.nan) for s in steps] for run in series], dtype=float)
            ax.plot(steps, np.nanmean(table, axis=0), color=colours[config], label=config, lw=1.6)
            if len(series) > 1:
                ax.fill_between(steps, np.nanmin(table, axis=0), np.nanmax(table, axis=0),
                                color=colours[config], alpha=0.2, lw=0)
        title, ylabel = CURVES.get(key, (key.removeprefix("train/").replace("_", " "), "rate"))
        ax.set(title=title, xlabel="training step", ylabel=ylabel)
        ax.grid(alpha=0.3)
    # Outside the panels: with a grid of tens of configurations a legend inside one panel would
    # cover it (and leave constrained layout no room).
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper", fontsize=7,
               title="mean, band = seeds min–max", title_fontsize=7)
    fig.suptitle("Learning curves per configuration")
    return _save(fig, path)


def _percent_hist(values: list[float], bins: np.ndarray) -> np.ndarray:
    return 100.0 * np.histogram(values, bins)[0] / len(values)


def _wrap(label: str, width: int = 48) -> str:
    """A long configuration label over two lines, broken at a comma (panel titles)."""
    if len(label) <= width or "," not in label:
        return label
    parts = label.split(",")
    cut = min(range(1, len(parts)), key=lambda i: abs(len(",".join(parts[:i])) - len(label) / 2))
    return ",".join(parts[:cut]) + ",\n" + ",".join(parts[cut:])


def _values(group: Sequence[CellView], label: str, key: str) -> list[Any]:
    return [r.get(key) for v in group for r in v.problems.get(label, [])]


def length_distributions(views: Sequence[CellView], colours: dict[str, Any], path: Path) -> Path | None:
    groups = {c: g for c, g in _by_config(views).items() if any(v.problems.get("trained") for v in g)}
    if not groups:
        return None
    lengths = {config: [[float(x) for x in _values(group, label, "n_tokens") if isinstance(x, int | float)]
                        for label in LABELS] for config, group in groups.items()}
    # Shares, not counts, on the same limits in every panel, tick labels on the outer panels
    # only: configurations with different numbers of seeds compare at a glance, and a grid of
    # tens of them draws a fraction of the labels. (Equal limits set by hand: matplotlib's shared
    # axes cost time quadratic in the number of panels.) Legends at a fixed corner: "best"
    # searches every panel's data.
    bins = np.linspace(0, max([x for pair in lengths.values() for side in pair for x in side] + [1.0]), 21)
    hists = {c: [_percent_hist(side, bins) if side else None for side in pair] for c, pair in lengths.items()}
    top = 1.05 * max([float(h.max()) for pair in hists.values() for h in pair if h is not None] + [1.0])
    fig, axes = _grid(len(groups), height=2.6)
    cols = min(3, len(groups))
    for i, (ax, (config, (base, trained))) in enumerate(zip(axes, hists.items(), strict=True)):
        n_base, n_trained = (np.median(side) if side else 0 for side in lengths[config])
        if base is not None:
            ax.stairs(base, bins, lw=1.6, color=BASE_COLOUR, label=f"base (median {n_base:.0f})")
        if trained is not None:
            ax.stairs(trained, bins, fill=True, alpha=0.45, color=colours[config],
                      label=f"trained (median {n_trained:.0f})")
        ax.set(xlim=(bins[0], bins[-1]), ylim=(0, top))
        ax.tick_params(labelbottom=i + cols >= len(groups), labelleft=i % cols == 0)
        ax.set_title(_wrap(config), fontsize=8)
        ax.legend(fontsize=7, loc="upper right")
    fig.supxlabel("completion length (tokens)")
    fig.supylabel("% of completions (all seeds)")
    fig.suptitle("Completion length, base vs trained (greedy, evaluation split)")
    return _save(fig, path)


def _stacked(ax: Any, groups: dict[str, list[CellView]], shares: dict[tuple[str, str], dict[str, float]],
             categories: list[str], ylabel: str, colours: dict[str, Any]) -> None:
    xs = np.arange(len(groups))
    width = 0.38
    cmap = plt.get_cmap("Set2" if len(categories) <= 8 else "tab20")
    for offset, label in ((-width / 2, "base"), (width / 2, "trained")):
        bottom = np.zeros(len(groups))
        for i, cat in enumerate(categories):
            heights = np.array([shares.get((c, label), {}).get(cat, 0.0) for c in groups])
            ax.bar(xs + offset, heights, width, bottom=bottom, color=cmap(i % cmap.N),
                   edgecolor="white", lw=0.5, label=cat if label == "base" else None,
                   hatch="//" if label == "base" else None)
            bottom += heights
    ax.set_xticks(xs, [f"{c}\n(left base, right trained)" for c in groups], fontsize=7)
    for tick, config in zip(ax.get_xticklabels(), groups, strict=True):
        tick.set_color(colours[config])
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7, bbox_to_anchor=(1.01, 1), loc="upper left")
    ax.grid(axis="y", alpha=0.3)


def ruff_severity(views: Sequence[CellView], colours: dict[str, Any], path: Path) -> Path | None:
    """Ruff issues per completion by severity class (completions without code count as 0 issues)."""
    groups = _by_config(views)
    shares: dict[tuple[str, str], dict[str, float]] = {}
    classes: dict[str, None] = {}
    for config, group in groups.items():
        for label in LABELS:
            rows = [r for v in group for r in v.problems.get(label, [])]
            if not rows:
                continue
            totals: dict[str, float] = defaultdict(float)
            for r in rows:
                for cls, n in (r.get("lint") or {}).items():
                    classes.setdefault(cls)
                    totals[cls] += float(n)
            shares[(config, label)] = {cls: n / len(rows) for cls, n in totals.items()}
    if not shares:
        return None
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(groups) + 3), 4.2), layout="constrained")
    _stacked(ax, groups, shares, list(classes), "Ruff issues per completion", colours)
    ax.set_title("Ruff issues by severity class, base (hatched) vs trained")
    return _save(fig, path)


def error_types(views: Sequence[CellView], colours: dict[str, Any], path: Path) -> Path | None:
    groups = _by_config(views)
    shares: dict[tuple[str, str], dict[str, float]] = {}
    labels_seen: dict[str, None] = {"pass": None}
    for config, group in groups.items():
        for label in LABELS:
            errors = [str(e) for e in _values(group, label, "error_type") if e]
            if not errors:
                continue
            for e in errors:
                labels_seen.setdefault(e)
            shares[(config, label)] = {e: 100.0 * errors.count(e) / len(errors) for e in set(errors)}
    if not shares:
        return None
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(groups) + 3), 4.2), layout="constrained")
    _stacked(ax, groups, shares, list(labels_seen), "share of completions (%)", colours)
    ax.set_title("Outcome / error type, base (hatched) vs trained")
    return _save(fig, path)


TRANSITIONS = ("pass→pass", "fail→pass", "pass→fail", "fail→fail")
_TRANSITION_COLOURS = ("#4caf50", "#1e88e5", "#e53935", "#bdbdbd")


def transitions(views: Sequence[CellView], colours: dict[str, Any], path: Path) -> Path | None:
    """Per configuration, problems by (base verdict → trained verdict), summed over seeds."""
    counts: dict[str, list[int]] = {}
    for config, group in _by_config(views).items():
        c = [0, 0, 0, 0]
        for v in group:
            base = {str(r["task_id"]): bool(r.get("passed")) for r in v.problems.get("base", [])}
            for r in v.problems.get("trained", []):
                b = base.get(str(r["task_id"]))
                if b is None:
                    continue
                t = bool(r.get("passed"))
                c[TRANSITIONS.index(f"{'pass' if b else 'fail'}→{'pass' if t else 'fail'}")] += 1
        if sum(c):
            counts[config] = c
    if not counts:
        return None
    fig, ax = plt.subplots(figsize=(max(6.0, 1.8 * len(counts) + 2), 4.0), layout="constrained")
    xs = np.arange(len(counts))
    width = 0.8 / len(TRANSITIONS)
    for i, (name, colour) in enumerate(zip(TRANSITIONS, _TRANSITION_COLOURS, strict=True)):
        heights = [c[i] for c in counts.values()]
        bars = ax.bar(xs + (i - 1.5) * width, heights, width, color=colour, label=name)
        ax.bar_label(bars, fontsize=7)
    ax.set_xticks(xs, list(counts), fontsize=7)
    for tick, config in zip(ax.get_xticklabels(), counts, strict=True):
        tick.set_color(colours[config])
    ax.set(title="Pass/fail transitions, base → trained (problems, all seeds)", ylabel="problems (count)")
    ax.legend(fontsize=7)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


CONTRAST_COLUMNS = {*OWN_COLUMNS, *(f"p_{c}" for c in CORRECTIONS)}  # every column besides the fixed choices


def read_contrasts(csv: Path) -> tuple[pd.DataFrame, list[str]]:
    """contrasts.csv and its fixed-choice columns (model, lora.r, ...: every column besides the
    contrasts' own), those read as text: `lora.r=8` stays "8", not 8.0 in a column with gaps."""
    columns = list(pd.read_csv(csv, nrows=0).columns)
    fixed = [c for c in columns if c not in CONTRAST_COLUMNS]
    return pd.read_csv(csv, dtype=dict.fromkeys(fixed, str)), fixed


def contrast_label(row: pd.Series, fixed: list[str]) -> str:
    """`reward: ruff − unit  [model=qwen, lora.r=8]`: the contrast and the choices it holds fixed."""
    extra = ", ".join(f"{k}={row[k]}" for k in fixed if isinstance(row[k], str) and row[k])
    return f"{row['contrast']}" + (f"  [{extra}]" if extra else "")


def forest(out_dir: Path, path: Path, config_colours: dict[str, Any]) -> Path | None:
    """Contrasts (option − reference, pp) with their 95 % CIs, read from contrasts.csv."""
    csv = out_dir / CONTRASTS_CSV
    if not csv.is_file():
        return None
    try:
        frame, fixed = read_contrasts(csv)
    except pd.errors.EmptyDataError:
        return None
    if not {"contrast", "delta_pp", "ci95_low", "ci95_high"} <= set(frame.columns) or frame.empty:
        return None
    frame = frame.iloc[::-1].reset_index(drop=True)
    options = [str(o) for o in frame["option"]] if "option" in frame.columns else list(map(str, frame["contrast"]))
    groups = [str(g) for g in frame["group"]] if "group" in frame.columns else [""] * len(frame)
    colours = palette(options)  # an option keeps its configuration's colour when it alone names one
    colours.update({o: config_colours[f"{g}={o}"] for g, o in zip(groups, options, strict=True)
                    if f"{g}={o}" in config_colours})
    fig, ax = plt.subplots(figsize=(8.0, 1.4 + 0.42 * len(frame)), layout="constrained")
    for option in dict.fromkeys(options):  # one errorbar artist per colour, not per row
        rows = [i for i, o in enumerate(options) if o == option]
        sub = frame.iloc[rows]
        ax.errorbar(sub["delta_pp"], rows, xerr=[sub["delta_pp"] - sub["ci95_low"], sub["ci95_high"] - sub["delta_pp"]],
                    fmt="o", color=colours[option], capsize=3, ls="none")
    p_col = next((c for c in ("p_holm", "p_bh", "p") if c in frame.columns), None)
    for i, row in frame.iterrows():
        p = row[p_col] if p_col else None
        if isinstance(p, int | float) and not math.isnan(p):
            ax.annotate(f"{p_col}={p:.3f}", (row["ci95_high"], i), xytext=(5, -3), textcoords="offset points", fontsize=7)
    ax.axvline(0, color="black", lw=0.8, ls="--")
    ax.set_ylim(-0.7, len(frame) - 0.3)
    ax.set_yticks(range(len(frame)), [contrast_label(r, fixed) for _, r in frame.iterrows()], fontsize=7)
    ax.set(title="Contrasts between configurations (trained vs trained, 95 % CI)",
           xlabel="Δ pass@1 (percentage points)")
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def write_figures(cells: Sequence[Cell], out_dir: str | os.PathLike[str],
                  data: Sequence[CellData] | None = None) -> list[Path]:
    """Draw every figure the result files allow into `<out_dir>/figures/`; returns the files.
    `data`: the cells as the report already loaded them (same order), so no file is read twice."""
    out = Path(out_dir)
    fig_dir = out / FIGURES_DIR
    cells = list(cells)
    swept = swept_keys(cells)
    loaded = list(data) if data is not None else [None] * len(cells)
    views = [v for v in (cell_view(c, swept, d) for c, d in zip(cells, loaded, strict=True)) if v is not None]
    colours = palette(v.config for v in views)
    drawn = [
        learning_curves(views, colours, fig_dir / "learning_curves.png"),
        length_distributions(views, colours, fig_dir / "length_distributions.png"),
        ruff_severity(views, colours, fig_dir / "ruff_severity.png"),
        error_types(views, colours, fig_dir / "error_types.png"),
        transitions(views, colours, fig_dir / "transitions.png"),
        forest(out, fig_dir / "contrasts_forest.png", colours),
    ]
    return [p for p in drawn if p is not None]


__all__ = ["FIGURES_DIR", "CellView", "cell_view", "palette", "write_figures"]
