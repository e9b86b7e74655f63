"""Class 1 of issue 9: a child's address space holds no other program's code, tests or values.

The searcher walks ``gc.get_objects()`` and reads its whole ``/proc/self/mem`` for a secret
planted in sibling jobs queued on the same worker at the same time."""

from __future__ import annotations

import secrets

import pytest

from rlvr_sweeps.sandbox import Executor, Job

SEARCH = r'''
import ctypes, gc, re
PAT = re.compile(rb"SIBLING_SECRET_([0-9a-f]{40})")
def search():
    found = set()
    for obj in gc.get_objects():
        for s in (obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else ()):
            if isinstance(s, str):
                found.update(m.decode() for m in PAT.findall(s.encode("utf-8", "replace")))
    ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: a uid-dropped child may read itself
    scanned = 0
    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
        for line in maps:
            addr, perms = line.split()[:2]
            if not perms.startswith("r") or "[v" in line:
                continue
            lo, hi = (int(x, 16) for x in addr.split("-"))
            try:
                mem.seek(lo)
                data = mem.read(hi - lo)
            except (OSError, OverflowError, ValueError):
                continue
            scanned += len(data)
            found.update(m.decode() for m in PAT.findall(data))
    return [sorted(found), scanned]
'''


@pytest.mark.slow
def test_child_cannot_find_a_sibling_jobs_secret():
    secret = secrets.token_hex(20)
    sibling = Job(f"import time\nSECRET = 'SIBLING_SECRET_{secret}'\ndef f(x):\n    time.sleep(0.2)\n    return 2",
                  [f"assert f(1) == 2  # SIBLING_SECRET_{secret}"], setup=f"y = 'SIBLING_SECRET_{secret}'")
    jobs = [sibling] * 2 + [Job(SEARCH, [], capture=["search()"])] + [sibling] * 3
    with Executor(workers=1, slots=1, timeout_s=20.0) as ex:
        for _ in range(2):  # the second round runs after the worker has seen the first
            results = ex.run(jobs)
            probe = results[2]
            assert probe.passed and probe.values, probe
            found, scanned = probe.values[0]
            assert scanned > 1 << 20, probe  # the search really read its memory
            assert secret not in found, found
            assert all(r.passed for i, r in enumerate(results) if i != 2), results
