"""One wording for every numeric range check, so a bad value names its key and the allowed interval.

Called from the schemas' ``__post_init__`` (which `to_config` runs before any job starts); imports
nothing of the project.
"""

from __future__ import annotations

import math


def check_range(
    key: str,
    value: float | None,
    lo: float = -math.inf,
    hi: float = math.inf,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    optional: bool = False,
) -> None:
    """Raise ValueError("key=value is out of range: allowed [lo, hi]") unless lo <= value <= hi
    (strict on an open side). `optional` lets None through, for fields where None means a default."""
    if value is None and optional:
        return
    below = value is None or value < lo or (lo_open and value == lo)
    above = value is not None and (value > hi or (hi_open and value == hi))
    if below or above:
        left = "(" if lo_open or lo == -math.inf else "["
        right = ")" if hi_open or hi == math.inf else "]"
        interval = f"{left}{_num(lo)}, {_num(hi)}{right}"
        suffix = " or null" if optional else ""
        raise ValueError(f"{key}={value} is out of range: allowed {interval}{suffix}")


def _num(x: float) -> str:
    if x == math.inf:
        return "inf"
    if x == -math.inf:
        return "-inf"
    return f"{x:g}"
