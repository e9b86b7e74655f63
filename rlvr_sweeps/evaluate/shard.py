"""Rank-sharded evaluation: the processes of a multi-GPU cell split one evaluation between them.

Why: a DDP cell has N processes, each with its own copy of the policy on its own GPU; if rank 0
evaluated alone, N-1 GPUs would idle through the longest part of a paper cell.

The unit of sharding is the evaluation's chunk (``rlvr_sweeps.evaluate.core``: CHUNK_BATCHES x
eval.batch_size tasks, sampling seeded by the chunk's index), not the task: a row's sampled tokens
depend on its batch (one random stream per batch) and batches are formed inside a chunk, so only
whole chunks evaluated as a single process would evaluate them give the same records. The chunks
still to do are dealt out in turns, chunk ``turn * world_size + rank`` to each rank; after each
turn every rank's rows reach every rank (``all_gather_object``), and rank 0 appends them to
problems.jsonl in chunk order. The file therefore grows exactly as a single process writes it,
chunk after chunk, so resuming (``rlvr_sweeps.evaluate.resume``, done by rank 0 and broadcast)
works the same whatever the world size of the attempt that wrote it. Only rank 0 writes.

``Shard()`` is one process; ``current_shard()`` reads torch.distributed when a process group is up
(accelerate starts one for a DDP cell) without importing torch otherwise.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


class ShardError(RuntimeError):
    """Another rank's part of a sharded evaluation failed (its message says which and why)."""


@dataclass(frozen=True)
class Shard:
    rank: int = 0
    world_size: int = 1

    @property
    def main(self) -> bool:
        return self.rank == 0

    def all_gather(self, obj: Any) -> list[Any]:
        """``obj`` of every rank, in rank order (a collective: every rank must call it)."""
        if self.world_size == 1:
            return [obj]
        import torch.distributed as dist

        out: list[Any] = [None] * self.world_size
        dist.all_gather_object(out, obj)
        return out

    def broadcast(self, obj: Any) -> Any:
        """Rank 0's ``obj`` on every rank."""
        if self.world_size == 1:
            return obj
        import torch.distributed as dist

        box = [obj]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def main_first(self, fn: Callable[[], T]) -> T:
        """``fn()`` on rank 0, then on the others: work that fills a cache on disk (the MBPP+
        oracle outputs) is done once, and read by the other ranks."""
        if self.world_size == 1:
            return fn()
        kept: list[T] = []
        self.run_turn(lambda: kept.append(fn()) if self.main else None)  # the others wait (or fail with it)
        return kept[0] if self.main else fn()

    def turns(self, starts: list[int]) -> list[tuple[list[int], int | None]]:
        """(the chunk starts of each turn, this rank's start in it or None) over ``starts``."""
        out = []
        for i in range(0, len(starts), self.world_size):
            turn = starts[i : i + self.world_size]
            out.append((turn, turn[self.rank] if self.rank < len(turn) else None))
        return out

    def run_turn(self, work: Callable[[], T]) -> list[T]:
        """Every rank's result of ``work()`` for one turn, in rank order. A failure on any rank
        fails every rank (no rank is left waiting for rows that will never come): the failing
        rank raises its own exception, the others a ShardError naming it."""
        if self.world_size == 1:
            return [work()]
        try:
            mine: tuple[str, Any] = ("ok", work())
        except Exception as exc:  # noqa: BLE001 - re-raised below, after the other ranks are told
            failure = exc
            mine = ("error", f"{type(exc).__name__}: {exc}")
        else:
            failure = None
        gathered = self.all_gather(mine)
        if failure is not None:
            raise failure
        for rank, (kind, value) in enumerate(gathered):
            if kind == "error":
                raise ShardError(f"sharded evaluation failed on rank {rank}/{self.world_size}: {value}")
        return [value for _, value in gathered]


def current_shard() -> Shard:
    """This process's place in the torch.distributed process group, or ``Shard()`` without one."""
    torch = sys.modules.get("torch")  # a process that never imported torch has no process group
    if torch is None:
        return Shard()
    dist = torch.distributed
    if not (dist.is_available() and dist.is_initialized()):
        return Shard()
    return Shard(dist.get_rank(), dist.get_world_size())


__all__ = ["Shard", "ShardError", "current_shard"]
