"""Result files are written atomically and read tolerantly."""

from __future__ import annotations

import json

import pytest

from rlvr_sweeps.results import append_jsonl, read_json, read_jsonl, write_json_atomic


def test_failed_write_keeps_the_previous_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "final.json"
    write_json_atomic(path, {"status": "ok"})

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("rlvr_sweeps.results.os.fsync", disk_full)
    with pytest.raises(OSError):
        write_json_atomic(path, {"status": "failed", "metrics": list(range(1000))})
    assert read_json(path) == {"status": "ok"}
    assert [p.name for p in tmp_path.iterdir()] == ["final.json"]


def test_nan_is_written_as_null(tmp_path):
    write_json_atomic(tmp_path / "x.json", {"v": float("nan")})
    assert json.loads((tmp_path / "x.json").read_text()) == {"v": None}


def test_torn_last_jsonl_line_is_skipped(tmp_path):
    path = tmp_path / "metrics.jsonl"
    append_jsonl(path, [{"step": 1}, {"step": 2}])
    with path.open("a") as f:
        f.write('{"step": 3, "train/rew')
    assert [r["step"] for r in read_jsonl(path)] == [1, 2]
