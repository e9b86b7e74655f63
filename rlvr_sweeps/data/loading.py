"""`load_tasks`: the registry of sources, split selection by task id, and the quick-run caps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rlvr_sweeps.config.data import DataConfig, DataSource

from . import arith
from .mbpp import load_embedded, load_mbpp, load_sanitized
from .mbppplus import load_mbppplus
from .splits import EMBEDDED_SPLITS, MBPP_SPLITS
from .task import DataError, Task


@dataclass(frozen=True)
class Source:
    read: Callable[[DataConfig], list[Task]]  # every task of the source
    splits: Mapping[str, range | None]  # split name -> task-id range (None = every task)
    hint: str = ""  # added to the unknown-split error


# MBPP+ is an evaluation set: its one split is the whole benchmark as EvalPlus reports it. Its
# ids include MBPP train ids (601-809), which the leak guard flags when you also train on those.
LOADERS: dict[DataSource, Source] = {
    DataSource.mbpp: Source(load_mbpp, MBPP_SPLITS),
    DataSource.mbpp_sanitized: Source(load_sanitized, MBPP_SPLITS),
    DataSource.mbppplus: Source(load_mbppplus, {"test": None}, hint="MBPP+ is evaluation-only: train with data=mbpp"),
    DataSource.embedded: Source(load_embedded, EMBEDDED_SPLITS),
    DataSource.arith: Source(arith.load_arith, arith.SPLITS),
}


def _cap_for(data_cfg: DataConfig, split: str) -> int | None:
    if split == data_cfg.train_split:
        return data_cfg.max_train_tasks
    if split == data_cfg.eval_split:
        return data_cfg.max_eval_tasks
    return None


def load_tasks(data_cfg: DataConfig, split: str, limit: int | None = None) -> list[Task]:
    """Tasks of one split, sorted by task id, capped at `limit` or else at data.max_train_tasks
    (when `split` is data.train_split) / data.max_eval_tasks (when it is data.eval_split).
    The cap keeps the first N by id, so capped runs compare the same problems."""
    source_name = DataSource(data_cfg.source).value
    source = LOADERS[DataSource(source_name)]  # an enum: an unknown source failed at compose time
    if split not in source.splits:
        raise DataError(
            f"split {split!r} does not exist for data.source={source_name}; choose one of {list(source.splits)}"
            + (f" ({source.hint})" if source.hint else "")
        )
    ids = source.splits[split]
    tasks = sorted(
        (t for t in source.read(data_cfg) if ids is None or t.number in ids), key=lambda t: t.number
    )
    if not tasks:
        where = data_cfg.path or data_cfg.hub_id or "the package"
        raise DataError(
            f"no tasks in split {split!r} of data.source={source_name} (read from {where}): wrong file?"
        )
    cap = limit if limit is not None else _cap_for(data_cfg, split)
    return tasks[:cap] if cap is not None else tasks


def load_train_tasks(data_cfg: DataConfig) -> list[Task]:
    return load_tasks(data_cfg, data_cfg.train_split, limit=data_cfg.max_train_tasks)


def load_eval_tasks(data_cfg: DataConfig) -> list[Task]:
    return load_tasks(data_cfg, data_cfg.eval_split, limit=data_cfg.max_eval_tasks)
