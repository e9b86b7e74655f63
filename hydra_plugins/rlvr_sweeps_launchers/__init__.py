"""rlvr_sweeps' resumable submitit launchers (see rlvr_sweeps.sweep.submitit_launchers for what they
change). They live here because Hydra instantiates launchers only from the `hydra_plugins` package;
without the extra `slurm` (hydra-submitit-launcher) they are simply not defined."""

from __future__ import annotations

try:
    from hydra_plugins.hydra_submitit_launcher import submitit_launcher as _submitit
except ImportError:  # extra `slurm` not installed: the local/slurm presets are unavailable, nothing else
    _submitit = None

if _submitit is not None:
    from rlvr_sweeps.sweep.submitit_launchers import ResumableMixin

    class LocalLauncher(ResumableMixin, _submitit.LocalLauncher):
        """submitit_local that skips finished cells and reports lost jobs per cell."""

    class SlurmLauncher(ResumableMixin, _submitit.SlurmLauncher):
        """submitit_slurm that skips finished cells and reports lost jobs per cell."""
