"""Command-line conveniences shared by the Hydra entry points (torch-free)."""

from __future__ import annotations

import re

# Hydra's override grammar reads a bare `null` as None, which would drop the group instead of
# selecting the empty-completion pseudo-policy conf/model/null.yaml that `model=null` means.
_NULL_OPTION = re.compile(r"^(\+{0,2}model)=null$")


def normalize_argv(argv: list[str]) -> list[str]:
    """Quote `model=null` so Hydra selects the option named "null"; everything else is untouched."""
    return [_NULL_OPTION.sub(r"\1='null'", a) for a in argv]
