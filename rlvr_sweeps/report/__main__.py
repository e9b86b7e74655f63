"""`python -m rlvr_sweeps.report DIR [DIR ...] [-o OUT] [--wandb-dashboard]`: rebuild the report of one
or several sweeps from their files (results, cells, contrasts, flags.json, figures, report.html);
with --wandb-dashboard also save a W&B view of the sweeps' runs (online). Exit status: 0 done,
2 nothing written (bad arguments, a missing dir, a duplicate cell; or the dashboard was asked for
while W&B is offline), 1 the report was written but the dashboard could not be saved."""

from __future__ import annotations

import argparse
import sys

from rlvr_sweeps.report import ReportOptions, write_report
from rlvr_sweeps.report.flags import FlagThresholds
from rlvr_sweeps.report.load import Estimate
from rlvr_sweeps.report.wandb_report import DashboardError, create_dashboard, require_online, sweep_dashboard


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rlvr_sweeps.report", description=__doc__)
    parser.add_argument("sweep_dirs", nargs="+", metavar="DIR",
                        help="sweep dir(s) (hydra.sweep.dir), e.g. multirun/2026-01-01/12-00-00; several are merged")
    parser.add_argument("-o", "--out", help="where the report goes (default: the sweep dir; required for several)")
    parser.add_argument("--reference", action="append", default=[], metavar="GROUP=OPTION",
                        help="reference option of a group's contrasts (default: the first listed), e.g. reward=unit")
    parser.add_argument("--correction", choices=["holm", "bh"], default="holm",
                        help="multiplicity correction across the contrasts: Holm (family-wise) or Benjamini-Hochberg")
    parser.add_argument("--estimate", choices=[e.value for e in Estimate], default=Estimate.greedy.value,
                        help="per-problem pass@1 the contrasts compare: greedy, or sampled (needs eval.n_samples > 0; "
                             "tighter, but it also rises when RL only sharpens the distribution)")
    parser.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE",
                        help="a flag threshold, e.g. length_ratio=0.4 (see rlvr_sweeps/report/flags.py)")
    parser.add_argument("--no-extras", action="store_true", help="tables and flags only (no figures/HTML)")
    parser.add_argument("-q", "--quiet", action="store_true", help="write the files without printing the tables")
    wandb = parser.add_argument_group("W&B dashboard (online; needs `wandb login`)")
    wandb.add_argument("--wandb-dashboard", action="store_true",
                       help="also save a W&B view of the sweeps' runs: pass@1 by reward × algo, lengths, Ruff, errors")
    wandb.add_argument("--wandb-entity", help="W&B user or team (default: the sweep's logger.entity, "
                                              "$WANDB_ENTITY, then your default entity)")
    wandb.add_argument("--wandb-project", help="W&B project (default: the sweep's logger.project)")
    wandb.add_argument("--wandb-group", help="W&B group of the runs (default: the sweep's, i.e. its dir name)")
    args = parser.parse_args(argv)
    if args.wandb_dashboard:
        try:
            require_online()
        except DashboardError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    try:
        reference = dict(item.split("=", 1) for item in args.reference)
        if any("=" not in item for item in args.reference):
            raise ValueError("--reference takes GROUP=OPTION, e.g. reward=unit")
        options = ReportOptions(reference=reference, correction=args.correction, estimate=Estimate(args.estimate),
                                thresholds=FlagThresholds.parse(args.threshold), extras=not args.no_extras)
        write_report(args.sweep_dirs, args.out, quiet=args.quiet, options=options)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.wandb_dashboard:
        return _dashboard(args)
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    try:
        target = sweep_dashboard(args.sweep_dirs, args.wandb_project, args.wandb_entity, args.wandb_group)
        url = create_dashboard(target)
    except DashboardError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"W&B dashboard for group(s) {', '.join(target.groups)} -> {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
