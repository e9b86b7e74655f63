"""The comparison table of a sweep: one row per grid cell, the swept choices, then key metrics.

Numbers come from each cell's final.json; Δpp's 95 % CI and McNemar's p are recomputed from the
per-problem files (eval/<label>/problems.jsonl) when both exist, and when the cell sampled
(eval.n_samples > 0) the sampled estimate's Δ and CI too (`load.Estimate`). pass@1, shares and Δ are in
percent / percentage points. Failed, running, interrupted and missing cells keep their row with
the status (and the error for failed ones) and empty metrics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from rlvr_sweeps.results import read_jsonl
from rlvr_sweeps.sweep.cell import Cell, problems_path

from .load import Estimate
from .stats import paired_delta, per_task_pass

Runs = dict[Estimate, list[dict[str, float]]]  # estimate -> [base, trained] pass rate per task

TOP_ERRORS = 3  # error types shown per cell (besides pass)
_ERROR_TEXT = 80  # characters of a failed cell's error kept in the table


def _eval(cell: Cell, label: str) -> dict[str, Any]:
    return cell.record.eval.label(label) if cell.record else {}


def _metric(cell: Cell, key: str) -> Any:
    return cell.record.metrics.get(key) if cell.record else None


def _pct(value: Any) -> float | None:
    return 100.0 * value if isinstance(value, int | float) else None


def ruff_per_completion(ev: dict[str, Any]) -> float | None:
    """Issues of every severity class per linted completion (eval/ruff/<class>_per_completion summed)."""
    parts = [v for k, v in ev.items() if k.startswith("eval/ruff/") and k.endswith("_per_completion")]
    return float(sum(parts)) if parts else None


def top_errors(ev: dict[str, Any], k: int = TOP_ERRORS) -> str | None:
    shares = {key.removeprefix("eval/errors/"): v for key, v in ev.items() if key.startswith("eval/errors/")}
    if not shares:
        return None
    top = sorted(((v, e) for e, v in shares.items() if e != "pass" and v > 0), reverse=True)[:k]
    return ", ".join(f"{e} {100 * v:.0f}%" for v, e in top) or "none"


def error_text(cell: Cell) -> str | None:
    err = cell.record.error if cell.record else None
    if err is None:
        return None
    text = " ".join(str(err).split())
    return text if len(text) <= _ERROR_TEXT else text[: _ERROR_TEXT - 1] + "…"


def paired(cell: Cell, runs: Runs | None = None) -> dict[Estimate, dict[str, float]]:
    """The cell's paired base→trained statistics per estimate from its per-problem files (or
    `runs`, when the caller already read them); an estimate the files lack is left out."""
    if runs is None:
        if cell.job_dir is None:
            return {}
        rows = [list(read_jsonl(problems_path(cell.job_dir, label))) for label in ("base", "trained")]
        runs = {e: [per_task_pass(r, e) for r in rows] for e in Estimate}
    return {e: stats for e, pair in runs.items() if all(pair) and (stats := paired_delta(*pair))}


# Metric columns: name -> value of a cell (None = empty). Order is the table's order.
METRICS: dict[str, Callable[[Cell], Any]] = {
    "status": lambda c: c.status.value,
    "steps": lambda c: _metric(c, "train/global_step"),
    "train_reward_last": lambda c: _metric(c, "train/reward_last"),
    "train_reward_mean": lambda c: _metric(c, "train/reward_mean"),
    "n_eval": lambda c: _eval(c, "trained").get("n_tasks") or _eval(c, "base").get("n_tasks"),
    "base_pass@1": lambda c: _pct(_eval(c, "base").get("eval/pass@1")),
    "trained_pass@1": lambda c: _pct(_eval(c, "trained").get("eval/pass@1")),
    "delta_pp": lambda c: c.record.eval.delta_pp if c.record else None,
    "len_mean": lambda c: _eval(c, "trained").get("eval/length/mean"),
    "ruff_per_completion": lambda c: ruff_per_completion(_eval(c, "trained")),
    "lint_clean_%": lambda c: _pct(_eval(c, "trained").get("eval/ruff/clean_share")),
    "top_errors": lambda c: top_errors(_eval(c, "trained")),
    "minutes": lambda c: ((c.record.timings.get("total_s") or 0) / 60 or None) if c.record else None,
    "error": error_text,
}
# Inserted after delta_pp when per-problem files allow a paired analysis, per estimate (McNemar's
# test is for 0/1 outcomes: greedy only).
PAIRED = {
    Estimate.greedy: {"delta_ci95_low": "ci_low_pp", "delta_ci95_high": "ci_high_pp", "mcnemar_p": "mcnemar_p"},
    Estimate.sampled: {"sampled_delta_pp": "delta_pp", "sampled_ci95_low": "ci_low_pp",
                       "sampled_ci95_high": "ci_high_pp"},
}


def swept_keys(cells: list[Cell]) -> list[str]:
    """Keys whose value differs between cells (absent counts as no value, not as a difference);
    with a single cell, its overrides."""
    order: dict[str, None] = {}
    values: dict[str, set[str]] = {}
    for cell in cells:
        for key in [o.partition("=")[0].lstrip("+~") for o in cell.overrides] + list(cell.params):
            order.setdefault(key)
        for key, value in cell.params.items():
            values.setdefault(key, set()).add(value)
    varying = [k for k in order if len(values.get(k, ())) > 1]
    if varying or len(cells) != 1:
        return varying
    return [o.partition("=")[0].lstrip("+~") for o in cells[0].overrides]


def build_table(cells: list[Cell], runs: Callable[[Cell], Runs | None] | None = None) -> pd.DataFrame:
    """One row per cell; `runs(cell)` may supply its already-read base/trained pass per task."""
    keys = swept_keys(cells)
    rows = []
    for cell in cells:
        row: dict[str, Any] = {k: cell.params.get(k) for k in keys}
        stats = paired(cell, runs(cell) if runs else None) if cell.status == "ok" else {}
        for name, get in METRICS.items():
            row[name] = get(cell)
            if name == "delta_pp":
                for estimate, found in stats.items():
                    row.update({col: found[key] for col, key in PAIRED[estimate].items()})
        row["job_dir"] = str(cell.job_dir) if cell.job_dir else None
        rows.append(row)
    columns = [*keys, *METRICS]
    at = columns.index("delta_pp") + 1
    inserted = [col for estimate in Estimate for col in PAIRED[estimate] if any(col in r for r in rows)]
    columns[at:at] = inserted
    frame = pd.DataFrame(rows, columns=[*columns, "job_dir"])
    return frame.dropna(axis=1, how="all")  # e.g. no pass@1 columns when evaluation was off
