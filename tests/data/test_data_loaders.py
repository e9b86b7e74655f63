"""Every loader on the real shared files: split counts, id ranges, format quirks, errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from rlvr_sweeps.config.data import DataConfig, DataSource
from rlvr_sweeps.data import MBPP_SPLITS, DataError, load_eval_tasks, load_tasks, load_train_tasks


@pytest.fixture(scope="module")
def mbpp_cfg(shared_data: Path) -> DataConfig:
    return DataConfig(name="mbpp", source=DataSource.mbpp, path=str(shared_data / "mbpp" / "mbpp.jsonl"))


@pytest.fixture(scope="module")
def sanitized_cfg(shared_data: Path) -> DataConfig:
    path = shared_data / "mbpp" / "sanitized-mbpp.json"
    return DataConfig(name="mbpp-sanitized", source=DataSource.mbpp_sanitized, path=str(path))


@pytest.fixture(scope="module")
def plus_cfg(shared_data: Path) -> DataConfig:
    path = shared_data / "mbppplus" / "MbppPlus.jsonl"
    return DataConfig(name="mbppplus", source=DataSource.mbppplus, path=str(path), prompt_tests="first")


SPLITS = ("train", "validation", "test", "prompt")


@pytest.mark.parametrize(
    ("cfg_name", "counts"),
    [("mbpp_cfg", (374, 90, 500, 10)), ("sanitized_cfg", (120, 43, 257, 7))],
)
def test_official_split_counts_ranges_and_disjointness(request, cfg_name, counts):
    cfg = request.getfixturevalue(cfg_name)
    by_split = {s: load_tasks(cfg, s) for s in SPLITS}
    assert tuple(len(by_split[s]) for s in SPLITS) == counts
    for split, tasks in by_split.items():
        assert all(t.number in MBPP_SPLITS[split] for t in tasks), split
        assert [t.number for t in tasks] == sorted(t.number for t in tasks)
        assert all(len(t.tests) >= 3 and all(x.startswith("assert") for x in t.tests) for t in tasks)
    ids = [t.task_id for tasks in by_split.values() for t in tasks]
    assert len(ids) == len(set(ids))


def test_mbpp_fields_and_setup_code(mbpp_cfg):
    tasks = {t.number: t for t in load_tasks(mbpp_cfg, "test")}
    first = tasks[11]
    assert first.task_id == "11" and first.source == "mbpp"
    assert first.text.startswith("Write a python function to remove first and last occurrence")
    assert "def remove_Occ" in first.reference
    # the only test task with test_setup_code (367) keeps it: its tests need it
    assert tasks[367].setup.strip() and all(not t.setup for n, t in tasks.items() if n != 367)


def test_sanitized_test_imports_become_setup(sanitized_cfg):
    tasks = {t.number: t for t in load_tasks(sanitized_cfg, "test")}
    sphere = tasks[82]
    assert sphere.setup == "import math"
    assert "math.isclose" in sphere.tests[0]
    assert sphere.text == "Write a function to find the volume of a sphere."
    assert tasks[11].setup == ""


def test_mbppplus_snapshot_parsed(plus_cfg):
    tasks = load_tasks(plus_cfg, "test")
    assert len(tasks) == 399
    assert sum(len(t.base_inputs) for t in tasks) == 1236
    assert sum(len(t.plus_inputs) for t in tasks) == 42082
    by_id = {t.task_id: t for t in tasks}
    two = by_id["Mbpp/2"]
    assert two.number == 2 and two.entry_point == "similar_elements" and two.source == "mbppplus"
    assert two.text == "Write a function to find the shared elements from the given two lists."
    assert two.base_inputs[0] == [[3, 4, 5, 6], [5, 7, 4, 10]]
    assert len(two.tests) == 3 and two.setup == ""
    # an `import math` inside the assertion moves to the setup, never into a test
    assert by_id["Mbpp/82"].setup == "import math" and len(by_id["Mbpp/82"].tests) == 3
    assert {t.atol for t in tasks} >= {0.0, 1e-4}
    assert all(t.tests and all(x.startswith("assert") for x in t.tests) for t in tasks)


def test_mbppplus_release_format_gz(plus_cfg, tmp_path):
    """Released files are gzipped with the prompt as a docstring holding an example assert; some
    exports store the inputs as JSON strings. A .jsonl.gz of that shape gives the same tasks."""
    snapshot = [json.loads(line) for line in Path(plus_cfg.path).read_text().splitlines()[:3]]
    released = []
    for row in snapshot:
        text = row["prompt"].strip().strip("'").strip()
        first_assert = row["assertion"].strip().splitlines()[0]
        released.append(
            {
                **row,
                "prompt": f'"""\n{text}\n{first_assert}\n"""\n',
                "base_input": json.dumps(row["base_input"]),
                "plus_input": json.dumps(row["plus_input"]),
            }
        )
    path = tmp_path / "MbppPlus-v0.1.0.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in released)
    got = load_tasks(DataConfig(source=DataSource.mbppplus, path=str(path)), "test")
    want = load_tasks(plus_cfg, "test")[:3]
    assert got == want


def test_caps_keep_the_first_tasks_by_id(mbpp_cfg):
    capped = DataConfig(**{**mbpp_cfg.__dict__, "max_train_tasks": 3, "max_eval_tasks": 5})
    assert [t.number for t in load_eval_tasks(capped)] == [11, 12, 13, 14, 15]
    assert [t.number for t in load_train_tasks(capped)] == [601, 602, 603]
    assert [t.number for t in load_tasks(capped, "test")] == [11, 12, 13, 14, 15]
    assert len(load_tasks(capped, "validation")) == 90  # not a configured split: no cap
    assert len(load_tasks(capped, "test", limit=2)) == 2


def test_unknown_split_is_one_clear_line(mbpp_cfg, plus_cfg):
    with pytest.raises(
        DataError,
        match=r"split 'dev' does not exist for data.source=mbpp; choose one of .*'validation', 'train'",
    ):
        load_tasks(mbpp_cfg, "dev")
    with pytest.raises(DataError, match="evaluation-only: train with data=mbpp"):
        load_tasks(plus_cfg, "train")


def test_missing_file_empty_split_and_wrong_format(mbpp_cfg, sanitized_cfg, tmp_path):
    with pytest.raises(DataError, match="data file not found: .*nope.jsonl"):
        load_tasks(DataConfig(source=DataSource.mbpp, path=str(tmp_path / "nope.jsonl")), "test")
    only_train = tmp_path / "train_only.jsonl"
    rows = Path(mbpp_cfg.path).read_text().splitlines()[600:]
    only_train.write_text("\n".join(rows) + "\n")
    with pytest.raises(DataError, match="no tasks in split 'test'"):
        load_tasks(DataConfig(source=DataSource.mbpp, path=str(only_train)), "test")
    with pytest.raises(DataError, match="lacks field 'text'.*data.source=mbpp"):
        load_tasks(DataConfig(source=DataSource.mbpp, path=sanitized_cfg.path), "test")
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("not json\n")
    with pytest.raises(DataError, match="is not JSON/JSONL"):
        load_tasks(DataConfig(source=DataSource.mbpp, path=str(garbage)), "test")


def test_mbppplus_needs_a_path():
    with pytest.raises(DataError, match="needs data.path"):
        load_tasks(DataConfig(source=DataSource.mbppplus), "test")


def test_hub_unreachable_says_to_use_a_local_path(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    cfg = DataConfig(
        source=DataSource.mbpp, hub_id="google-research-datasets/mbpp-does-not-exist-here", hub_config="full"
    )
    with pytest.raises(DataError, match="from the hub: .* set data.path to a local copy"):
        load_tasks(cfg, "test")


@pytest.mark.parametrize("bad", [{"max_train_tasks": 0}, {"max_eval_tasks": -1}, {"prompt_tests": "some"}])
def test_config_rejects_bad_caps(bad):
    with pytest.raises(ValueError, match="data\\."):
        DataConfig(**bad)
