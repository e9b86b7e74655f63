"""Evaluation: pass@1 / pass@k on MBPP-style tasks and MBPP+, with diagnostics and self-checks.

``evaluate_policy`` (see ``rlvr_sweeps.evaluate.core`` for the exact contract) is what every
training job calls for its base and trained models; ``python -m rlvr_sweeps.evaluate`` runs it
standalone. Importing this package stays light (no torch) so the report can use
``problems_table_rows`` / ``summarize_problems``.
"""

from rlvr_sweeps.evaluate.base_cache import evaluate_base
from rlvr_sweeps.evaluate.core import evaluate_policy, greedy_view, pass_line, render_prompts, select_tasks
from rlvr_sweeps.evaluate.errors import EvalError
from rlvr_sweeps.evaluate.generators import BACKENDS, Generator, HFGenerator, build_generator, job_generators
from rlvr_sweeps.evaluate.metrics import summarize_problems
from rlvr_sweeps.evaluate.passk import mean_pass_at_k, pass_at_k
from rlvr_sweeps.evaluate.records import problems_table_rows, read_problems

__all__ = [
    "BACKENDS", "EvalError", "Generator", "HFGenerator", "build_generator", "evaluate_base", "job_generators", "evaluate_policy", "greedy_view", "mean_pass_at_k",
    "pass_at_k", "pass_line", "problems_table_rows", "read_problems", "render_prompts", "select_tasks", "summarize_problems",
]
