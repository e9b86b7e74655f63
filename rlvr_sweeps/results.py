"""Result-file helpers shared by every module that writes into a job or sweep dir.

Why: a job can be killed at any moment (time limit, preemption, Ctrl-C) and a reader (the
report, the resume logic) may run while a job writes. A result file must therefore be either
the old complete version or the new complete version, never half written: write a temp file
in the same directory (same filesystem) and `os.replace` it, which is atomic on POSIX.
JSONL logs are append-only and flushed per row, so a crash loses at most the row being written;
`read_jsonl` skips a torn last line instead of failing.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def _default(obj: Any) -> Any:
    """JSON for what results commonly hold: enums, paths, numpy/torch scalars, sets."""
    value = getattr(obj, "value", None)  # str-Enums of the config
    if isinstance(value, str | int | float):
        return value
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    if hasattr(obj, "item"):  # numpy / torch 0-d
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return repr(obj)


def _finite(obj: Any) -> Any:
    """NaN/inf are not JSON: write them as null so every reader (pandas, jq, JS) accepts the file."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def dumps(obj: Any, indent: int | None = None) -> str:
    return json.dumps(_finite(obj), default=_default, indent=indent, allow_nan=False, sort_keys=False)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write `text` to `path` atomically (temp file in the same dir + fsync + os.replace)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json_atomic(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write `obj` as indented JSON, atomically."""
    return write_text_atomic(path, dumps(obj, indent=2) + "\n")


def read_json(path: str | os.PathLike[str], default: Any = None) -> Any:
    """The parsed file, or `default` when it does not exist or is not valid JSON (a reader must
    never crash on a job that died before finishing its results)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError, UnicodeDecodeError):
        return default


def append_jsonl(path: str | os.PathLike[str], rows: dict[str, Any] | Iterable[dict[str, Any]]) -> None:
    """Append one row (a dict) or several rows, one JSON object per line, flushed to disk."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    batch = [rows] if isinstance(rows, dict) else list(rows)
    if not batch:
        return
    with path.open("a", encoding="utf-8") as f:
        f.write("".join(dumps(r) + "\n" for r in batch))
        f.flush()
        os.fsync(f.fileno())


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Rows of a JSONL file; a missing file yields nothing, an unparsable (torn) line is skipped."""
    try:
        f = Path(path).open(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return
    with f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict):
                yield row
