"""`ConfigError`, in a module that imports nothing of the project, so any layer (config, algos,
entry points) can raise or catch it without an import cycle."""

from __future__ import annotations


class ConfigError(ValueError):
    """A composed config that is well-typed but inconsistent; the message says what to change."""
