"""Class 8 of issue 9: the child sees the standard library, not the project, datasets,
site-packages or homes, so no program can look its answers up on disk."""

from __future__ import annotations

import os
from pathlib import Path

import rlvr_sweeps

PROBE = """
import os
def probe(paths):
    return [os.path.exists(p) for p in paths]
"""


def test_project_data_and_site_packages_are_invisible(ex, shared_data=None):
    package = Path(rlvr_sweeps.__file__).resolve().parent
    data = package.parents[1] / "shared" / "data"
    secret_paths = [str(package), str(package / "sandbox" / "executor.py"), str(data), "/etc/passwd",
                    os.path.expanduser("~/.cache"), *[p for p in __import__("sys").path if "site-packages" in p]]
    secret_paths = [p for p in secret_paths if os.path.exists(p)]
    assert secret_paths
    from rlvr_sweeps.sandbox import Job

    result = ex.run([Job(PROBE, [], capture=[f"probe({secret_paths!r})"])])[0]
    assert result.passed and result.values == [[False] * len(secret_paths)], (secret_paths, result)


def test_standard_library_still_imports(run1):
    code = "import heapq, decimal, json, random, fractions, statistics, datetime, re, collections\ndef f(x):\n    return heapq.nlargest(1, [x + 1])[0]"
    assert run1(code).passed
