"""Render the comparison table as Markdown (for the terminal and READMEs), CSV (full precision,
for pandas) and LaTeX (for papers). Markdown is rendered here (a dozen lines) rather than through
`DataFrame.to_markdown`, which needs the optional `tabulate`."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

# Columns shown as text in Markdown/LaTeX, with their number format; CSV keeps full precision.
_FORMATS = {
    "train_reward_last": "{:.3f}",
    "train_reward_mean": "{:.3f}",
    "base_pass@1": "{:.1f}",
    "trained_pass@1": "{:.1f}",
    "delta_pp": "{:+.1f}",
    "delta_ci95_low": "{:+.1f}",
    "delta_ci95_high": "{:+.1f}",
    "mcnemar_p": "{:.3f}",
    "len_mean": "{:.1f}",
    "ruff_per_completion": "{:.2f}",
    "lint_clean_%": "{:.0f}",
    "minutes": "{:.1f}",
}
_TEXT_ONLY = ("job_dir",)  # long paths: in the CSV, not in the human tables


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _format_of(column: str) -> str | None:
    """The column's number format: listed above, else by the name's convention (Δ in pp signed,
    shares and pass rates in % with one decimal, p-values with three)."""
    if column in _FORMATS:
        return _FORMATS[column]
    if column.startswith(("delta", "ci95_", "sampled_ci95_")) or column.endswith("_pp"):
        return "{:+.1f}"
    if column.startswith("p_") or column == "p":
        return "{:.3f}"
    if column.endswith("%") or "pass@" in column or column.startswith("len_"):
        return "{:.1f}"
    return None


def _fmt(column: str, value: Any) -> str:
    if _is_missing(value):
        return ""
    fmt = _format_of(column)
    if isinstance(value, float) and value.is_integer() and fmt is None:
        return str(int(value))
    if fmt is None and isinstance(value, float):
        fmt = "{:.3g}"
    return fmt.format(value) if fmt and isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Formatted text version for humans (CI merged into one column)."""
    out = frame.drop(columns=[c for c in _TEXT_ONLY if c in frame.columns])
    text = pd.DataFrame({c: [_fmt(c, v) for v in out[c]] for c in out.columns}, index=out.index)
    for prefix in ("delta_ci95", "sampled_ci95", "ci95"):
        low, high = f"{prefix}_low", f"{prefix}_high"
        if {low, high} <= set(text.columns):
            ci = [f"[{lo}, {hi}]" if lo else "" for lo, hi in zip(text[low], text[high], strict=True)]
            at = list(text.columns).index(low)
            text = text.drop(columns=[low, high])
            text.insert(at, prefix, ci)
    return text


def to_markdown(frame: pd.DataFrame) -> str:
    text = display_frame(frame)
    cells = [list(text.columns)] + [[str(v).replace("|", "\\|") for v in row] for row in text.itertuples(index=False)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(text.columns))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])]) + "\n"


def to_latex(frame: pd.DataFrame) -> str:
    return display_frame(frame).to_latex(index=False, escape=True)


def to_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)
