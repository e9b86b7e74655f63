"""Class 10 of issue 9: a scorer killed with SIGKILL leaves its temp root; the next executor
removes roots whose owner is gone, and only those."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile

from rlvr_sweeps.sandbox import Executor

KILLED = ("import os, sys\nfrom rlvr_sweeps.sandbox import Executor\n"
          "ex = Executor(workers=1, timeout_s=2)\nprint(ex.tmp_root, flush=True)\nsys.stdin.read()")


def test_root_of_a_killed_scorer_is_removed_by_the_next_executor():
    proc = subprocess.Popen([sys.executable, "-c", KILLED], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    root = proc.stdout.readline().strip()
    assert os.path.isdir(root) and root.startswith(tempfile.gettempdir())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert os.path.isdir(root)  # the kill left it behind
    with Executor(workers=1, timeout_s=2) as ex:
        assert not os.path.exists(root)
        assert os.path.isdir(ex.tmp_root)  # a live owner's root is kept
        with Executor(workers=1, timeout_s=2) as other:
            assert os.path.isdir(ex.tmp_root) and other.tmp_root != ex.tmp_root
    assert not os.path.exists(ex.tmp_root)
