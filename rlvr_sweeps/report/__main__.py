"""`python -m rlvr_sweeps.report SWEEP_DIR`: rebuild results.md/.csv/.tex of a sweep from its files."""

from __future__ import annotations

import argparse
import sys

from rlvr_sweeps.report import write_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rlvr_sweeps.report", description=__doc__)
    parser.add_argument("sweep_dir", help="the sweep dir (hydra.sweep.dir), e.g. multirun/2026-01-01/12-00-00")
    parser.add_argument("-q", "--quiet", action="store_true", help="write the files without printing the table")
    args = parser.parse_args(argv)
    try:
        write_report(args.sweep_dir, quiet=args.quiet)
    except FileNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
