"""Command-line conveniences shared by the Hydra entry points (torch-free)."""

from __future__ import annotations

import os
import re
import sys

from hydra._internal.hydra import Hydra
from hydra._internal.utils import create_config_search_path, get_args_parser
from hydra.core.config_search_path import SearchPathQuery
from hydra.core.global_hydra import GlobalHydra
from hydra.types import RunMode

from rlvr_sweeps.config import ConfigError, register_configs, to_config
from rlvr_sweeps.paths import conf_dir

# Hydra's override grammar reads a bare `null` as None, which would drop the group instead of
# selecting the empty-completion pseudo-policy conf/model/null.yaml that `model=null` means.
_NULL_OPTION = re.compile(r"^(\+{0,2}model)=null$")


def normalize_argv(argv: list[str]) -> list[str]:
    """Quote `model=null` so Hydra selects the option named "null"; everything else is untouched."""
    return [_NULL_OPTION.sub(r"\1='null'", a) for a in argv]


def refuse_invalid_config_to_show(argv: list[str], config_name: str, prog: str) -> None:
    """`--cfg job|hydra|all`: Hydra prints the composed config without calling the task function, so
    the range checks and cross-group rules of `to_config` would never run and `lora.r=0 --cfg job`
    would exit 0. Compose the same config first and exit 2 with the one-line error a run would give.
    Anything Hydra itself refuses (a typo in a key or an enum value) is left to Hydra to report."""
    args, _ = get_args_parser().parse_known_args(argv)
    if args.cfg is None or args.multirun or args.config_path is not None:
        return  # not a --cfg run, or one Hydra refuses itself / whose search path only hydra.main knows
    register_configs()
    search_path = create_config_search_path(str(conf_dir()))
    if args.config_dir is not None:
        search_path.prepend(provider="command-line", path=f"file://{os.path.abspath(args.config_dir)}",
                            anchor=SearchPathQuery(provider="schema"))
    try:
        hydra = Hydra.create_main_hydra2(task_name=prog, config_search_path=search_path)
        cfg = hydra.compose_config(args.config_name or config_name, args.overrides, run_mode=RunMode.RUN)
    except Exception:  # Hydra's own --cfg run reports composition errors in its words
        return
    finally:
        GlobalHydra.instance().clear()
    try:
        to_config(cfg)
    except ConfigError as e:
        print(f"{prog}: config error: {e}", file=sys.stderr)
        sys.exit(2)
