"""Several sweep dirs merged into one report (`python -m rlvr_sweeps.report DIR DIR -o OUT`):
seeds run in different dirs aggregate, and one cell (same configuration and seed) in two dirs
is an error that names both."""

from __future__ import annotations

import pandas as pd
import pytest
from report_cells import CellSpec, Eval, first, write_sweep

from rlvr_sweeps.report import ReportOptions, build_report
from rlvr_sweeps.report.__main__ import main as report_main

SPEC = CellSpec(Eval(first(10)), Eval(first(20)))


def _dir(root, name, seeds):
    return write_sweep(root / name, {(("reward", r), ("seed", s)): SPEC for r in ("unit", "ruff") for s in seeds})


def test_seeds_of_two_dirs_aggregate_into_one_row_per_configuration(tmp_path):
    a, b, out = _dir(tmp_path, "cluster_a", ["0"]), _dir(tmp_path, "cluster_b", ["1"]), tmp_path / "merged"
    report = build_report([a, b], out, ReportOptions(extras=False))
    assert list(report.results["reward"]) == ["unit", "ruff"] and list(report.results["n_seeds"]) == [2, 2]
    assert len(report.cells) == 4 and (out / "results.csv").is_file() and not (a / "results.csv").exists()
    assert list(pd.read_csv(out / "contrasts.csv")["n_seeds"]) == [2]


def test_one_cell_in_two_dirs_is_an_error_naming_both(tmp_path, capsys):
    a, b = _dir(tmp_path, "cluster_a", ["0", "1"]), _dir(tmp_path, "cluster_b", ["1", "2"])
    with pytest.raises(ValueError, match="is in two sweep dirs") as err:
        build_report([a, b], tmp_path / "merged", ReportOptions(extras=False))
    message = str(err.value)
    assert "reward=unit,seed=1" in message
    assert str(a / "reward=unit,seed=1") in message and str(b / "reward=unit,seed=1") in message
    assert report_main([str(a), str(b), "-o", str(tmp_path / "merged"), "-q", "--no-extras"]) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and str(a) in stderr and str(b) in stderr
    assert not (tmp_path / "merged").exists()  # nothing written


def test_several_dirs_need_an_output_dir(tmp_path):
    a, b = _dir(tmp_path, "cluster_a", ["0"]), _dir(tmp_path, "cluster_b", ["1"])
    with pytest.raises(ValueError, match="say where the merged report goes with -o OUT"):
        build_report([a, b])
