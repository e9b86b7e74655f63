"""`report.html`: the results section as ONE self-contained file (mailable, opens offline).

Why one file: a report people mail around must not depend on a folder of PNGs or on the network,
so every figure is embedded as a base64 data URI and the styles are inline; there is no external
reference at all (a test checks it). Reads only what the report already wrote in `out_dir`:
results.csv, contrasts.csv, flags.json and figures/*.png; a missing piece is said in the page.

A ten-line inline script marks `<body data-figures="loaded/total">` once every image decoded, so
a headless browser check (tests/report) can tell a broken figure from a slow one.
"""

from __future__ import annotations

import base64
import html
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from rlvr_sweeps.results import read_json, write_text_atomic

REPORT_HTML = "report.html"
FIGURES_DIR = "figures"  # the same folder rlvr_sweeps.report.figures writes into
TABLES = (("Results (one row per configuration, seeds aggregated)", "results.csv"),
          ("Contrasts between configurations", "contrasts.csv"))
FLAGS = "flags.json"
# Figures in reading order (rlvr_sweeps.report.figures' file stems); any other PNG follows by name.
FIGURE_ORDER = ("contrasts_forest", "learning_curves", "transitions", "length_distributions", "ruff_severity",
                "error_types")
_FLOAT_DIGITS = 3

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;
color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.8rem;margin:.5rem 0;display:block;overflow-x:auto}
th,td{border:1px solid #ddd;padding:.25rem .45rem;text-align:right;white-space:nowrap}
th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}
.flag{color:#b71c1c;font-weight:600}.ok{color:#2e7d32}.note{color:#666;font-size:.85rem}
figure{margin:1rem 0}figure img{max-width:100%;border:1px solid #eee}figcaption{color:#555;font-size:.85rem}
"""
_SCRIPT = """
(function(){function mark(){var imgs=document.images,n=0;for(var i=0;i<imgs.length;i++){
if(imgs[i].complete&&imgs[i].naturalWidth>0)n++;}document.body.setAttribute('data-figures',n+'/'+imgs.length);}
window.addEventListener('load',mark);mark();})();
"""


def _table(path: Path) -> str:
    if not path.is_file():
        return f'<p class="note">{html.escape(path.name)} was not written.</p>'
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    if frame.empty:
        return f'<p class="note">{html.escape(path.name)} has no rows.</p>'
    frame = frame.drop(columns=[c for c in ("job_dir",) if c in frame.columns])
    return frame.to_html(index=False, escape=True, na_rep="", float_format=lambda x: f"{x:.{_FLOAT_DIGITS}g}",
                         border=0)


def _flags(path: Path) -> str:
    data = read_json(path)
    if data is None:
        return f'<p class="note">{html.escape(path.name)} was not written.</p>'
    items = []
    entries = data.get("configurations", []) if isinstance(data, dict) else []
    for entry in entries:
        raised = entry.get("raised") or []
        conf = entry.get("configuration")
        name = ", ".join(f"{k}={v}" for k, v in conf.items()) if isinstance(conf, dict) else str(conf)
        text = ", ".join(html.escape(str(r)) for r in raised)
        cls = "flag" if raised else "ok"
        items.append(f'<li><b>{html.escape(str(name))}</b>: <span class="{cls}">{text or "no flag raised"}</span></li>')
    thresholds = data.get("thresholds") if isinstance(data, dict) else None
    out = f"<ul>{''.join(items)}</ul>" if items else '<p class="note">No configuration evaluated.</p>'
    if thresholds:
        out += f'<p class="note">Thresholds: {html.escape(json.dumps(thresholds, default=str))}</p>'
    out += (f'<details><summary>Evidence (flags.json)</summary><pre>'
            f'{html.escape(json.dumps(data, indent=1, default=str))}</pre></details>')
    return out


def _figures(fig_dir: Path) -> str:
    pngs = sorted(fig_dir.glob("*.png"), key=lambda p: (FIGURE_ORDER.index(p.stem) if p.stem in FIGURE_ORDER
                                                        else len(FIGURE_ORDER), p.name)) if fig_dir.is_dir() else []
    if not pngs:
        return '<p class="note">No figures were drawn.</p>'
    parts = []
    for png in pngs:
        data = base64.b64encode(png.read_bytes()).decode("ascii")
        title = png.stem.replace("_", " ")
        parts.append(f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,{data}">'
                     f"<figcaption>{html.escape(title)}</figcaption></figure>")
    return "\n".join(parts)


def render_html(out_dir: str | os.PathLike[str], title: str | None = None) -> str:
    out = Path(out_dir)
    title = title or f"rlvr_sweeps report: {out.name}"
    sections: list[tuple[str, Any]] = [(name, _table(out / csv)) for name, csv in TABLES]
    sections.insert(1, ("Failure-mode flags", _flags(out / FLAGS)))
    sections.append(("Figures", _figures(out / FIGURES_DIR)))
    body = "\n".join(f"<h2>{html.escape(name)}</h2>\n{content}" for name, content in sections)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>\n<h1>{html.escape(title)}</h1>"
            f'<p class="note">Built {stamp} from {html.escape(str(out))}. pass@1 in %, Δ in percentage points; '
            f"contrasts compare trained models paired by task, with bootstrap 95 % CIs and multiplicity-adjusted p.</p>\n"
            f"{body}\n<script>{_SCRIPT}</script></body></html>\n")


def write_html(out_dir: str | os.PathLike[str]) -> Path:
    """Write `<out_dir>/report.html` (atomically) and return its path."""
    return write_text_atomic(Path(out_dir) / REPORT_HTML, render_html(out_dir))


__all__ = ["REPORT_HTML", "render_html", "write_html"]
