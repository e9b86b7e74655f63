"""Where the shipped config trees live, for both an editable checkout and an installed wheel.

In a checkout conf/ and launch/ sit at the repo root (Hydra convention, easy to find); the
wheel ships them inside the package (pyproject's force-include). Absolute paths make
`python -m rlvr_sweeps` independent of the current directory.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    inside = _PKG / name
    return inside if inside.is_dir() else _PKG.parent / name


def conf_dir() -> Path:
    return _shipped("conf")


def launch_dir() -> Path:
    return _shipped("launch")
