"""Batched Ruff linting with a configurable severity model."""
