"""Batched Ruff linting with a configurable severity model (stdlib + the ruff binary only).

``lint_codes(codes, cfg)`` lints a whole batch in one Ruff process and returns one
``LintResult`` per code: issue counts per severity class and per rule code.
"""

from rlvr_sweeps.lint.config import SYNTAX_CODE, LintConfig, SeverityClass
from rlvr_sweeps.lint.result import LintResult
from rlvr_sweeps.lint.runner import PendingLint, lint_codes, ruff_bin, start_lint

__all__ = ["SYNTAX_CODE", "LintConfig", "LintResult", "PendingLint", "SeverityClass", "lint_codes", "ruff_bin", "start_lint"]
