"""`arith`: a seeded family of small MBPP-shaped tasks that a tiny model can learn on a laptop.

Why it exists: the embedded MBPP-style problems are too few and too different for a tiny model
to transfer anything from train to test, so RL on them can only be checked for running, never
for learning. Here every task is "take x, apply 1-3 arithmetic steps (add / subtract / multiply
by a constant), return the result": the solution copies slots from the prompt (the function
name, operators and constants) in a fixed order, so a two-layer model warm-started on the train
references writes plausible code for unseen tasks and gets some of them right. Errors stay
varied (wrong constant, wrong operator, a missing step, broken syntax).

Held out (validation and test) are tasks that use at least one (operator, constant) pair that no
training task contains, so they share every skill with training but no task and no step.

The references are written with a habit Ruff flags, on some lines and not others, as in real
model code: a statement ends with a semicolon (E703) with probability `SEMICOLON_SHARE`, drawn per
line. So the raw issue count grows with the program's length (the study's Ruff form pays for
writing less: its length effect), while the issues per line do not (the robust `per_line` form
pays for dropping the semicolons, not the steps); the unit reward is indifferent to both.

Deterministic from `SEED` alone (no data file, nothing downloaded): the same ids always mean the
same tasks, which is what the leak guard and resuming rely on.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from rlvr_sweeps.config.data import DataConfig

from .task import Task

SEED = 13  # the family's identity: change it and every task id means another task
FIRST_ID = 3001  # outside MBPP (1-974) and the embedded set (1001-1048)
N_TEST, N_VALIDATION, N_TRAIN = 240, 100, 600
NAMES = ("compute", "transform", "adjust", "process", "convert", "update")
CONSTANTS = range(2, 20)
HELD_OUT_SHARE = 0.3  # of the (operator, constant) pairs: only validation and test use them
STEPS = (1, 1, 2, 2, 3)  # steps per task: lengths (and lint counts) vary
SEMICOLON_SHARE = 0.5  # of the reference's statement lines that end with `;` (E703)
TEST_INPUTS = 3  # asserts per task


@dataclass(frozen=True)
class Op:
    symbol: str
    phrase: str  # how the prompt words the step, `{c}` = the constant

    def apply(self, value: int, c: int) -> int:
        return {"+": value + c, "-": value - c, "*": value * c}[self.symbol]


OPS = (Op("+", "adds {c}"), Op("-", "subtracts {c}"), Op("*", "multiplies it by {c}"))

SPLITS: Mapping[str, range] = {
    "test": range(FIRST_ID, FIRST_ID + N_TEST),
    "validation": range(FIRST_ID + N_TEST, FIRST_ID + N_TEST + N_VALIDATION),
    "train": range(FIRST_ID + N_TEST + N_VALIDATION, FIRST_ID + N_TEST + N_VALIDATION + N_TRAIN),
}

Step = tuple[int, int]  # (index into OPS, constant)


def _pairs(rng: random.Random) -> tuple[list[Step], list[Step]]:
    """(train pairs, held-out pairs), held out per operator so that every operator and every
    constant still occurs in training, just not together."""
    train, held = [], []
    for op in range(len(OPS)):
        consts = list(CONSTANTS)
        rng.shuffle(consts)
        cut = round(len(consts) * HELD_OUT_SHARE)
        held += [(op, c) for c in consts[:cut]]
        train += [(op, c) for c in consts[cut:]]
    return train, held


def _program(name: str, steps: tuple[Step, ...], rng: random.Random) -> str:
    lines = [f"x = x {OPS[op].symbol} {c}" for op, c in steps] + ["return x"]
    body = [f"    {line};" if rng.random() < SEMICOLON_SHARE else f"    {line}" for line in lines]
    return "\n".join([f"def {name}(x):", *body])


def _text(name: str, steps: tuple[Step, ...]) -> str:
    phrases = [OPS[op].phrase.format(c=c) for op, c in steps]
    return f"Write a function `{name}` that takes an integer x, {', then '.join(phrases)}, and returns the result."


def _task(number: int, name: str, steps: tuple[Step, ...], rng: random.Random) -> Task:
    inputs = rng.sample(range(-9, 10), TEST_INPUTS)
    tests = []
    for x in inputs:
        value = x
        for op, c in steps:
            value = OPS[op].apply(value, c)
        tests.append(f"assert {name}({x}) == {value}")
    return Task(
        task_id=str(number),
        number=number,
        source="arith",
        text=_text(name, steps),
        reference=_program(name, steps, rng),
        tests=tuple(tests),
        entry_point=name,
    )


def _draw(
    rng: random.Random, pool: list[Step], must: list[Step] | None, seen: set[tuple[str, tuple[Step, ...]]]
) -> tuple[str, tuple[Step, ...]]:
    """A new (name, steps) key: steps from `pool`, at least one from `must` when given."""
    while True:
        k = rng.choice(STEPS)
        steps = [rng.choice(pool) for _ in range(k)]
        if must is not None:
            steps[rng.randrange(k)] = rng.choice(must)
        key = (rng.choice(NAMES), tuple(steps))
        if key not in seen:
            seen.add(key)
            return key


@lru_cache(maxsize=1)
def generate() -> tuple[Task, ...]:
    """Every task of the family, test ids first, then validation, then train."""
    rng = random.Random(SEED)
    train_pairs, held_pairs = _pairs(rng)
    seen: set[tuple[str, tuple[Step, ...]]] = set()
    tasks = []
    number = FIRST_ID
    plan = [(N_TEST, held_pairs), (N_VALIDATION, held_pairs), (N_TRAIN, None)]
    for count, must in plan:
        pool = train_pairs + held_pairs if must is not None else train_pairs
        for _ in range(count):
            name, steps = _draw(rng, pool, must, seen)
            tasks.append(_task(number, name, steps, rng))
            number += 1
    return tuple(tasks)


def load_arith(data_cfg: DataConfig) -> list[Task]:
    """The generated tasks (`data.path` is unused: the family is code, not a file)."""
    del data_cfg
    return list(generate())


__all__ = ["OPS", "SPLITS", "generate", "load_arith"]
