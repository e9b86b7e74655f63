"""`EvalError`, in a module that imports nothing of the project, so the evaluation engine and the
MBPP+ re-scoring (which builds on the engine) raise one error type without an import cycle."""

from __future__ import annotations


class EvalError(ValueError):
    """Bad evaluation input (no tasks, unknown task ids); the message says what to do."""
