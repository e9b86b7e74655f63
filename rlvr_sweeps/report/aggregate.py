"""The seed-aggregated results table: one row per configuration (the swept choices other than
`seed`), training-seed variance included in Δ's interval.

Δpp's 95 % CI comes from the hierarchical bootstrap of `stats.bootstrap_stats` over the per-seed,
per-problem differences trained − base (resample seeds, then problems); with one seed it falls back
to the paired problem bootstrap and the `ci_method` column says so. The `delta_*` columns read the
greedy completions; when the cells sampled (eval.n_samples > 0) the `sampled_*` columns give the
same analysis of the per-problem sampled pass rates (`load.Estimate`: tighter intervals, but a
sampled gain that greedy does not show is sharpening, not new correct programs). Everything else is the mean
over the configuration's ok seeds of what each cell's evaluation recorded; a metric no seed
recorded (an older record, sampling off, no MBPP+) is left empty.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .load import CellData, Estimate
from .stats import bootstrap_stats, common_tasks, percentile_ci, task_matrix
from .table import error_text, swept_keys

SEED_KEY = "seed"
CI_SEEDS = "seeds+problems"
CI_ONE_SEED = "problems (1 seed)"
TOP_ERRORS = 3


@dataclass
class Configuration:
    """The cells (seeds) of one configuration."""

    choices: dict[str, str]  # the swept choices other than seed
    cells: list[CellData]
    delta: dict[Estimate, dict[str, Any]] = field(default_factory=dict)  # seed_delta's results, once computed

    @property
    def ok(self) -> list[CellData]:
        return [c for c in self.cells if c.cell.status.value == "ok"]

    def paired(self, estimate: Estimate = Estimate.greedy) -> list[CellData]:
        """The ok cells with both evaluations (and, for the sampled estimate, sampled rows in both)."""
        return [c for c in self.ok if all(k in c.evals and c.evals[k].pass_rates(estimate) for k in ("base", "trained"))]

    @property
    def name(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.choices.items()) or "all"


def configurations(data: list[CellData]) -> tuple[list[str], list[Configuration]]:
    """(configuration keys, configurations in first-seen order)."""
    keys = [k for k in swept_keys([d.cell for d in data]) if k != SEED_KEY]
    groups: dict[tuple, Configuration] = {}
    for d in data:
        choice = {k: d.cell.params.get(k) for k in keys}
        groups.setdefault(tuple(choice.values()), Configuration(choice, [])).cells.append(d)
    return keys, list(groups.values())


def _mean(values: list[Any]) -> float | None:
    vals = [float(v) for v in values if isinstance(v, int | float)]
    return float(np.mean(vals)) if vals else None


def _scalar(conf: Configuration, label: str, key: str, scale: float = 1.0) -> float | None:
    value = _mean([c.scalars(label).get(key) for c in conf.ok])
    return None if value is None else scale * value


def _status(conf: Configuration) -> str:
    counts = Counter(c.cell.status.value for c in conf.cells)
    if len(counts) == 1:
        return next(iter(counts))
    return "partial: " + ", ".join(f"{n} {s}" for s, n in counts.most_common())


def seed_delta(conf: Configuration, estimate: Estimate = Estimate.greedy) -> dict[str, Any]:
    """Δpp trained − base over seeds and problems, its CI and how it was computed (computed once
    per configuration and estimate: the table and the flags both read it)."""
    if estimate not in conf.delta:
        conf.delta[estimate] = _seed_delta(conf, estimate)
    return conf.delta[estimate]


def _seed_delta(conf: Configuration, estimate: Estimate) -> dict[str, Any]:
    paired = conf.paired(estimate)
    if not paired:
        return {}
    runs_b = [c.evals["base"].pass_rates(estimate) for c in paired]
    runs_t = [c.evals["trained"].pass_rates(estimate) for c in paired]
    tasks = common_tasks([*runs_b, *runs_t], f"{conf.name}: base vs trained")
    if not tasks:
        return {}
    diffs = task_matrix(runs_t, tasks) - task_matrix(runs_b, tasks)
    low, high = percentile_ci(bootstrap_stats([(diffs, 1.0)]))
    per_seed = 100 * diffs.mean(axis=1)
    return {
        "delta_pp": 100 * float(diffs.mean()),
        "delta_ci95_low": 100 * low,
        "delta_ci95_high": 100 * high,
        "ci_method": CI_SEEDS if len(paired) > 1 else CI_ONE_SEED,
        "delta_min": float(per_seed.min()),
        "delta_max": float(per_seed.max()),
        "n_tasks": len(tasks),
        "base": 100 * float(task_matrix(runs_b, tasks).mean()),
        "trained": 100 * float(task_matrix(runs_t, tasks).mean()),
    }


def _top_errors(conf: Configuration) -> str | None:
    shares: dict[str, list[float]] = {}
    for c in conf.ok:
        for key, v in c.scalars("trained").items():
            if key.startswith("eval/errors/") and isinstance(v, int | float):
                shares.setdefault(key.removeprefix("eval/errors/"), []).append(float(v))
    if not shares:
        return None
    top = sorted(((np.mean(v), e) for e, v in shares.items() if e != "pass" and np.mean(v) > 0), reverse=True)
    return ", ".join(f"{e} {100 * v:.0f}%" for v, e in top[:TOP_ERRORS]) or "none"


def _ruff_classes(confs: list[Configuration]) -> list[str]:
    seen: dict[str, None] = {}
    for conf in confs:
        for c in conf.ok:
            for key in c.scalars("trained"):
                if key.startswith("eval/ruff/") and key.endswith("_per_completion"):
                    seen.setdefault(key.removeprefix("eval/ruff/").removesuffix("_per_completion"))
    return list(seen)


def _passk(confs: list[Configuration]) -> list[str]:
    ks = {int(key.removeprefix("eval/pass@")) for conf in confs for c in conf.ok for key in c.scalars("trained")
          if key.startswith("eval/pass@") and key.removeprefix("eval/pass@").isdigit()}
    return [f"pass@{k}" for k in sorted(ks - {1})]


def results_row(conf: Configuration, ruff: list[str], passk: list[str]) -> dict[str, Any]:
    trained_seeds = [100 * v for c in conf.ok if isinstance(v := c.scalars("trained").get("eval/pass@1"), int | float)]
    len_base, len_trained = _scalar(conf, "base", "eval/length/mean"), _scalar(conf, "trained", "eval/length/mean")
    delta, sampled = seed_delta(conf), seed_delta(conf, Estimate.sampled)
    base = _scalar(conf, "base", "eval/pass@1", 100)
    trained = _scalar(conf, "trained", "eval/pass@1", 100)
    row: dict[str, Any] = {
        **conf.choices,
        "status": _status(conf),
        "n_seeds": len(conf.ok),
        "n_tasks": delta.get("n_tasks"),
        "base_pass@1": base,
        "trained_pass@1": trained,
        "trained_pass@1_sd": float(np.std(trained_seeds, ddof=1)) if len(trained_seeds) > 1 else None,
        "delta_pp": delta.get("delta_pp", None if base is None or trained is None else trained - base),
        "delta_ci95_low": delta.get("delta_ci95_low"),
        "delta_ci95_high": delta.get("delta_ci95_high"),
        "ci_method": delta.get("ci_method"),
        "delta_min": delta.get("delta_min"),
        "delta_max": delta.get("delta_max"),
        "sampled_base_pass@1": sampled.get("base"),
        "sampled_trained_pass@1": sampled.get("trained", _scalar(conf, "trained", "eval/sampled/pass@1", 100)),
        "sampled_delta_pp": sampled.get("delta_pp"),
        "sampled_ci95_low": sampled.get("delta_ci95_low"),
        "sampled_ci95_high": sampled.get("delta_ci95_high"),
        "len_base": len_base,
        "len_trained": len_trained,
        "len_change_%": 100 * (len_trained / len_base - 1) if len_base and len_trained is not None else None,
        "no_code_%": _scalar(conf, "trained", "eval/errors/no_code", 100),
        "stub_%": _scalar(conf, "trained", "eval/errors/stub", 100),
        "truncated_%": _scalar(conf, "trained", "eval/length/truncated_share", 100),
        "lint_clean_%": _scalar(conf, "trained", "eval/ruff/clean_share", 100),
        **{f"ruff_{cls}_per_completion": _scalar(conf, "trained", f"eval/ruff/{cls}_per_completion") for cls in ruff},
        **{k: _scalar(conf, "trained", f"eval/{k}", 100) for k in passk},
        "plus_base_pass@1": _scalar(conf, "base", "eval/plus/pass@1", 100),
        "plus_trained_pass@1": _scalar(conf, "trained", "eval/plus/pass@1", 100),
        "top_errors": _top_errors(conf),
        "flags": "",
        "error": next((e for c in conf.cells if (e := error_text(c.cell))), None),
    }
    return row


def build_results(keys: list[str], confs: list[Configuration]) -> pd.DataFrame:
    ruff, passk = _ruff_classes(confs), _passk(confs)
    rows = [results_row(conf, ruff, passk) for conf in confs]
    columns = list(rows[0]) if rows else [*keys, "status", "n_seeds"]
    unsampled = [c for c in columns if c.startswith("sampled_") and all(r[c] is None for r in rows)]
    return pd.DataFrame(rows, columns=[c for c in columns if c not in unsampled])  # no sampling: no empty columns
