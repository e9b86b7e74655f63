"""Ray launcher tests (marker ``ray``): run by ``make test-ray`` in .venv-ray (hydra-ray-launcher pins
cloudpickle<3) against the private head tests/ray_launcher/up.sh starts; elsewhere they are skipped with the
reason and the command that runs them."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "launch"))  # sweeprun: the launcher tests' helpers

_SPEC = importlib.util.find_spec("hydra_plugins.hydra_ray_launcher")
HAVE_RAY_LAUNCHER = _SPEC is not None and importlib.util.find_spec("ray").origin is not None  # tests/ray_launcher is a namespace "ray"
SKIP_REASON = (
    "needs hydra-ray-launcher and a Ray head in RAY_ADDRESS: `make test-ray` builds .venv-ray, starts a "
    "private head (tests/ray_launcher/up.sh) and runs these"
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/ray_launcher/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.ray)
            if not (HAVE_RAY_LAUNCHER and os.environ.get("RAY_ADDRESS")):
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))
