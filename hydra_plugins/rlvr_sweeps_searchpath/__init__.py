"""Adds rlvr_sweeps' launcher presets (launch/) to Hydra's search path, so that
`hydra/launcher=slurm` and friends work from any directory, installed or editable."""

from __future__ import annotations

from hydra.core.config_search_path import ConfigSearchPath
from hydra.plugins.search_path_plugin import SearchPathPlugin

from rlvr_sweeps.paths import launch_dir


class RlvrSweepsSearchPathPlugin(SearchPathPlugin):
    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        search_path.append(provider="rlvr_sweeps", path=f"file://{launch_dir()}")
