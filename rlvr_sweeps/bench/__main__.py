"""``python -m rlvr_sweeps.bench NAME [ARGS...]`` or ``python -m rlvr_sweeps.bench all``."""

from __future__ import annotations

import importlib
import sys

from rlvr_sweeps.bench import BENCHES


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or (argv[0] not in BENCHES and argv[0] != "all"):
        print(f"usage: python -m rlvr_sweeps.bench {{{'|'.join([*BENCHES, 'all'])}}} [ARGS...]", file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    name, rest = argv[0], argv[1:]
    if name != "all":
        return int(importlib.import_module(BENCHES[name]).main(rest) or 0)
    status = 0
    for bench, module in BENCHES.items():
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            print(f"== {bench}: skipped, module {module} is not there yet", flush=True)
            continue
        print(f"== {bench}", flush=True)
        status = max(status, int(mod.main([]) or 0))
    return status


if __name__ == "__main__":
    sys.exit(main())
