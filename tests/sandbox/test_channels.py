"""Classes 5 (SysV part), 6 and 7 of issue 9: keyrings, AF_VSOCK, abstract sockets between
concurrent programs, ptys, SysV segments outliving their program. One property per test."""

from __future__ import annotations

import ctypes
import os

import pytest

from rlvr_sweeps.sandbox import Executor, Job

libc = ctypes.CDLL(None, use_errno=True)
KEY_SPEC_SESSION_KEYRING = -3


def _value(ex, code, expr="probe()"):
    result = ex.run([Job(code, [], capture=[expr])])[0]
    assert result.passed and result.values, result
    return result.values[0]


def test_vsock_is_denied(ex):
    code = "import socket\ndef probe():\n    try:\n        socket.socket(40, socket.SOCK_STREAM).close()\n        return 'open'\n    except OSError as e:\n        return e.errno"
    assert _value(ex, code) != "open"


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="syscall numbers below are x86_64")
def test_scorer_session_keyring_is_out_of_reach():
    key = libc.syscall(248, b"user", b"rlvr-test-secret", b"s3cret", 6, KEY_SPEC_SESSION_KEYRING)  # add_key
    if key < 0:
        pytest.skip(f"add_key refused here: {os.strerror(ctypes.get_errno())}")
    try:
        code = ("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\ndef probe():\n"
                "    k = libc.syscall(250, 10, -3, b'user', b'rlvr-test-secret', 0)\n"  # KEYCTL_SEARCH
                "    if k < 0:\n        return 'hidden'\n"
                "    buf = ctypes.create_string_buffer(64)\n"
                "    n = libc.syscall(250, 11, k, buf, 64)\n"  # KEYCTL_READ
                "    return buf.raw[:max(n, 0)].decode()")
        with Executor(workers=1, timeout_s=5.0) as ex:  # started after the key exists: inherits the keyring
            assert _value(ex, code) == "hidden"
    finally:
        libc.syscall(250, 3, key)  # KEYCTL_REVOKE


def test_concurrent_programs_cannot_talk_over_abstract_sockets():
    server = ("import socket, time\ndef probe():\n    s = socket.socket(socket.AF_UNIX)\n"
              "    s.bind('\\0rlvr-abstract-test')\n    s.listen(1)\n    s.settimeout(2.0)\n"
              "    try:\n        c, _ = s.accept()\n        return 'accepted'\n    except OSError:\n        return 'alone'")
    client = ("import socket, time\ndef probe():\n    time.sleep(0.3)\n    s = socket.socket(socket.AF_UNIX)\n"
              "    try:\n        s.connect('\\0rlvr-abstract-test')\n        return 'connected'\n"
              "    except OSError:\n        return 'refused'")
    with Executor(workers=1, slots=3, timeout_s=5.0) as ex:
        results = ex.run([Job(server, [], capture=["probe()"]), Job(client, [], capture=["probe()"])])
    assert [r.values[0] for r in results] == ["alone", "refused"], results


def test_no_pty_from_the_host_pool(ex):
    code = "import pty\ndef probe():\n    try:\n        pty.openpty()\n        return 'pty'\n    except OSError:\n        return 'none'"
    assert _value(ex, code) == "none"


def test_sysv_segment_dies_with_its_program():
    make = ("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "def probe():\n    return libc.shmget(0x52564c52, 1 << 20, 0o1666)\n")  # IPC_CREAT | 0666
    look = ("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "def probe():\n    return libc.shmget(0x52564c52, 0, 0o666)\n")
    with Executor(workers=1, slots=1, timeout_s=5.0) as ex:
        assert _value(ex, make) >= 0
        assert _value(ex, look) == -1
