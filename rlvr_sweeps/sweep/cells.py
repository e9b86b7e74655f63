"""Which job dirs a multirun will use, computed in the launching process before any job starts.

Why: resume and progress must know a cell's dir without running it. With the project's convention
`hydra.sweep.subdir=${hydra.job.override_dirname}`, the dir of a cell is a pure function of its
overrides, computed here with Hydra's own parser, sweeper expansion and dirname rule.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf

OVERRIDE_DIRNAME = "${hydra.job.override_dirname}"


def expected_cells(config: DictConfig) -> list[Path] | None:
    """The job dirs of every cell of a BasicSweeper grid, or None when they cannot be known up front
    (another sweeper, another subdir pattern, a sweep needing the config loader such as glob)."""
    from hydra._internal.config_loader_impl import get_overrides_dirname
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    hydra_cfg = config.hydra
    if not str(hydra_cfg.sweeper.get("_target_", "")).endswith("BasicSweeper"):
        return None
    if OmegaConf.to_container(hydra_cfg.sweep, resolve=False).get("subdir") != OVERRIDE_DIRNAME:
        return None
    params = hydra_cfg.sweeper.get("params") or {}
    arguments = [f"{k}={v}" for k, v in params.items()] + list(hydra_cfg.overrides.task)
    dirname_cfg = hydra_cfg.job.config.override_dirname
    parser = OverridesParser.create()
    try:
        batches = BasicSweeper.split_arguments(parser.parse_overrides(arguments), None)
        names = [
            get_overrides_dirname(
                parser.parse_overrides(list(job)),
                exclude_keys=list(dirname_cfg.exclude_keys),
                item_sep=dirname_cfg.item_sep,
                kv_sep=dirname_cfg.kv_sep,
            )
            for batch in batches
            for job in batch
        ]
    except Exception:  # noqa: BLE001 - an unexpandable sweep only loses the progress total
        return None
    sweep_dir = Path(str(hydra_cfg.sweep.dir))
    return [sweep_dir / name for name in names]


def scanned_cells(sweep_dir: Path) -> list[Path]:
    """Job dirs found on disk: every subdir Hydra wrote a `.hydra/` into (hidden dirs excluded)."""
    if not sweep_dir.is_dir():
        return []
    return sorted(p for p in sweep_dir.iterdir() if not p.name.startswith(".") and (p / ".hydra").is_dir())
