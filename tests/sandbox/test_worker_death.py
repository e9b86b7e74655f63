"""Class 3 of issue 9: a program's leftovers cannot kill its worker, and a worker death never
costs an innocent program its verdict."""

from __future__ import annotations

import os
import signal
import threading
import time

from rlvr_sweeps.sandbox import Executor, Job

HONEST = Job("import time\ndef f(x):\n    time.sleep(0.3)\n    return x + 1", ["assert f(1) == 2"])
DEEP = Job("import os\nfor _ in range(1500):\n    os.mkdir('d' * 200)\n    os.chdir('d' * 200)\n"
           "open('leaf', 'w').write('x')\ndef f(x):\n    return 2", ["assert f(1) == 2"])


def test_deeply_nested_leftovers_do_not_kill_the_worker(ex, leftovers):
    results = ex.run([HONEST, DEEP, HONEST, HONEST, DEEP, HONEST])
    assert [r.passed for r in results] == [True] * 6, results
    assert leftovers(ex) == []


def test_innocent_programs_survive_a_worker_death():
    with Executor(workers=1, slots=3, timeout_s=10.0) as ex:
        pid = ex._workers[0].proc.pid
        killer = threading.Timer(0.15, os.kill, (pid, signal.SIGKILL))
        killer.start()
        t0 = time.monotonic()
        results = ex.run([HONEST] * 6)
        killer.join()
        assert ex._workers[0].proc.pid != pid  # it really died and was replaced
        assert [(r.passed, r.exception) for r in results] == [(True, None)] * 6, results
        assert time.monotonic() - t0 < 30
