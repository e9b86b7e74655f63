"""Class 4 of issue 9: what a child claims is decoded in linear, bounded time and memory. The
attacker writes its claims straight to the result file and exits, so they cost it nothing."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from rlvr_sweeps.sandbox import Job

WRITE = "import os\ndef f(x):\n    {body}\n    os._exit(0)\n"
ATTACKS = {
    # 30,000 ints that all hash to 0, claimed as a set
    "hash_colliding_set": 'os.write(3, (\'{"k":"t","i":0,"r":[[1,{"s":[\' + ",".join(\'{"i":"%x"}\' % (k * (2**61 - 1)) for k in range(1, 30001)) + \']}]],"x":null}\\n\').encode())',
    "hash_colliding_dict": 'os.write(3, (\'{"k":"t","i":0,"r":[[1,{"d":[\' + ",".join(\'[{"i":"%x"},0]\' % (k * (2**61 - 1)) for k in range(1, 25001)) + \']}]],"x":null}\\n\').encode())',
    "newlines": 'os.write(3, b"\\n" * (4 << 20))',
    "junk_lines": 'os.write(3, b"x\\n" * (2 << 20))',
    "sparse_64mb": "os.ftruncate(3, 64 << 20)",
    "escapes": 'os.write(3, b"\\0" * (32 << 20))',
    "deep_nesting": 'os.write(3, b"[" * (1 << 20))',
}


def _parent_cost(ex, code):
    tracemalloc.start()
    t0 = time.thread_time()
    result = ex.run([Job(code, ["assert f(1) == 2"])])[0]
    cpu = time.thread_time() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, cpu, peak


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_decoding_a_claim_is_bounded(ex, name):
    honest, honest_cpu, honest_mem = _parent_cost(ex, "def f(x):\n    return x + 1")
    assert honest.passed
    result, cpu, peak = _parent_cost(ex, WRITE.format(body=ATTACKS[name]))
    assert not result.passed, result
    assert cpu - honest_cpu < 0.5, (name, cpu)
    assert peak - honest_mem < 50 << 20, (name, peak)
    assert ex.run([Job("def f(x):\n    return x + 1", ["assert f(1) == 2"])])[0].passed
