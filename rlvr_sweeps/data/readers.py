"""Raw rows from a local file or the HF hub: the only place that touches files or the network."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from rlvr_sweeps.config.data import DataConfig

from .task import DataError


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a .json (array), .jsonl or .jsonl.gz file (EvalPlus releases are gzipped)."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise DataError(f"data file not found: {p} (set data.path to an existing file, or '' for the hub)")
    opener = gzip.open if p.suffix == ".gz" else open
    with opener(p, "rt", encoding="utf-8") as f:
        text = f.read()
    try:
        if text.lstrip().startswith("["):
            return list(json.loads(text))
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as e:
        raise DataError(f"{p} is not JSON/JSONL ({e}): point data.path at the dataset file") from None


def read_hub(data_cfg: DataConfig) -> list[dict[str, Any]]:
    """Every split of a hub dataset, concatenated: we re-split by task id ourselves, so the
    split never depends on how a hub revision happens to name or cut its splits."""
    if not data_cfg.hub_id:
        raise DataError(f"data '{data_cfg.name}' has no hub_id: set data.path to a local file")
    import datasets  # lazy: ~1 s (pyarrow, pandas), only when the hub is used

    try:
        dsets = datasets.load_dataset(data_cfg.hub_id, data_cfg.hub_config or None)
    except Exception as e:  # offline, gated, renamed: all end the same way for the user
        raise DataError(
            f"cannot load {data_cfg.hub_id!r} ({data_cfg.hub_config or 'default'}) from the hub: "
            f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''} -- set data.path to a local copy"
        ) from None
    return [dict(row) for split in dsets.values() for row in split]


def rows_for(data_cfg: DataConfig) -> list[dict[str, Any]]:
    return read_rows(data_cfg.path) if data_cfg.path else read_hub(data_cfg)
