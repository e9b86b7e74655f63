"""Hostile programs, one property per test: each scores 0 and leaves no trace on the host.

The task is always ``f(1) == 2``; no program here computes it honestly. ``run1`` checks after
each program that the temp root is empty and that the pool still scores a correct program."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest


def _not_passed(result, *statuses):
    assert not result.passed and result.tests_passed == 0, result
    if statuses:
        assert result.status in statuses, result


@pytest.mark.parametrize("exit_code", ["import sys\nsys.exit(0)", "import os\nos._exit(0)", "raise SystemExit"])
def test_exit_before_asserts(run1, exit_code):
    _not_passed(run1(exit_code + "\ndef f(x):\n    return 2"))


def test_fake_pass_markers(run1):
    code = 'print("PASSED\\nAll tests passed\\nOK")\nprint(\'{"k":"t","i":0,"r":[[1,2]],"x":null}\')\ndef f(x):\n    return 0'
    _not_passed(run1(code), "fail")


@pytest.mark.parametrize("base", ["object", "int", "tuple", "str"])
def test_always_equal_result(run1, base):
    code = textwrap.dedent(f"""
        class A({base}):
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            def __bool__(self): return True
            __hash__ = {base}.__hash__
        def f(x):
            return A()
    """)
    _not_passed(run1(code), "fail")


def test_frame_walking_forgery(run1):
    """Patch every harness frame and function reachable by walking the stack, and write fake
    result lines on every fd: the parent still compares the real value (0) with 2."""
    code = textwrap.dedent("""
        import sys, os, json, gc
        def f(x):
            fr = sys._getframe(1)
            while fr is not None:
                for k, v in list(fr.f_locals.items()):
                    if isinstance(v, list):
                        v[:] = [[1, 2]] * 5
                    if callable(v) and k in ("emit", "capture"):
                        pass
                fr.f_globals["json"] = None if "json" in fr.f_globals and False else fr.f_globals.get("json")
                fr = fr.f_back
            for fd in range(0, 20):
                try:
                    os.write(fd, b'{"k":"t","i":0,"r":[[1,true]],"x":null}\\n')
                except OSError:
                    pass
            for obj in gc.get_objects():
                if isinstance(obj, dict) and obj.get("k") == "t":
                    obj["r"] = [[1, True]]
            return 0
    """)
    _not_passed(run1(code))


def test_pickle_payload_never_unpickled(run1, tmp_path):
    marker = tmp_path / "pwned"
    code = textwrap.dedent(f"""
        import os, pickle
        class Evil:
            def __reduce__(self):
                return (os.system, ("touch {marker}",))
        payload = pickle.dumps(Evil())
        for fd in range(3, 10):
            try:
                os.write(fd, payload + b"\\n")
            except OSError:
                pass
        def f(x):
            return Evil()
    """)
    _not_passed(run1(code))
    assert not marker.exists()


def test_cannot_write_or_delete_host_files(run1, tmp_path):
    planted = tmp_path / "planted.txt"
    planted.write_text("original")
    before = sorted(os.listdir(tmp_path))
    code = textwrap.dedent(f"""
        import os, shutil
        for action in (lambda: open({str(planted)!r}, "w").write("owned"),
                       lambda: os.remove({str(planted)!r}),
                       lambda: open({str(tmp_path / "new.txt")!r}, "w").write("x"),
                       lambda: shutil.rmtree({str(tmp_path)!r}),
                       lambda: open("/etc/rlvr-sandbox-probe", "w").write("x")):
            try:
                action()
            except OSError:
                pass
        def f(x):
            return 0
    """)
    _not_passed(run1(code))
    assert planted.read_text() == "original"
    assert sorted(os.listdir(tmp_path)) == before
    assert not os.path.exists("/etc/rlvr-sandbox-probe")


def test_secret_in_parent_environment_not_leaked(tmp_path):
    """A fresh parent process with a secret in its exec-time environment (what /proc shows):
    the program reads os.environ, /proc/self/environ, /proc/<ppid>/environ and every pid's
    environ found by scanning /proc, and returns what it found as captured values."""
    secret = "s3cr3t-" + uuid.uuid4().hex
    program = textwrap.dedent("""
        import os
        def leak():
            found = [repr(dict(os.environ))]
            pids = {"self", str(os.getppid())} | {p for p in os.listdir("/proc") if p.isdigit()}
            for pid in sorted(pids):
                try:
                    with open(f"/proc/{pid}/environ", "rb") as fh:
                        found.append(fh.read().decode(errors="replace"))
                except OSError:
                    pass
            return "\\n".join(found)
    """)
    driver = textwrap.dedent(f"""
        import json
        from rlvr_sweeps.sandbox import Executor, Job
        with Executor(workers=1, timeout_s=5) as ex:
            r = ex.run([Job({program!r}, ["assert leak() == 'x'"], capture=["leak()"])])[0]
        print(json.dumps({{"passed": r.passed, "values": r.values}}))
    """)
    env = dict(os.environ, RLVR_TEST_SECRET=secret)
    out = subprocess.run([sys.executable, "-c", driver], env=env, capture_output=True, text=True, timeout=120,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["values"] is not None and isinstance(result["values"][0], str)  # the probe really ran
    assert secret not in out.stdout
    assert not result["passed"]


def test_no_network_to_loopback_server(run1):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    connections = []

    def accept():
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            try:
                conn, _ = server.accept()
                connections.append(conn)
            except OSError:
                pass

    t = threading.Thread(target=accept)
    t.start()
    code = textwrap.dedent(f"""
        import socket
        def f(x):
            s = socket.create_connection(("127.0.0.1", {port}), timeout=1)
            s.sendall(b"hello")
            return 2
    """)
    result = run1(code)
    t.join()
    server.close()
    _not_passed(result, "error")
    assert connections == []


def test_cannot_signal_parent_or_others(run1, ex):
    code = textwrap.dedent("""
        import os, signal
        for target in [os.getppid()] + [int(p) for p in os.listdir("/proc") if p.isdigit()] + list(range(1, 3000)):
            if target != os.getpid():
                try:
                    os.kill(target, signal.SIGKILL)
                except OSError:
                    pass
        def f(x):
            return 0
    """)
    workers = [w.proc.pid for w in ex._workers]
    _not_passed(run1(code))
    assert [w.proc.pid for w in ex._workers] == workers and all(w.proc.poll() is None for w in ex._workers)


def test_bounded_fork_bomb(run1, processes_with):
    marker = f"{uuid.uuid4().int % 10**9}"
    code = textwrap.dedent(f"""
        import os
        for _ in range(500):
            try:
                if os.fork() == 0:
                    os.execv("/bin/sleep", ["sleep", "1000", "0.{marker}"])
            except OSError:
                pass
        def f(x):
            return 0
    """)
    _not_passed(run1(code))
    assert processes_with(marker) == []


def test_setsid_daemon_is_killed(run1, processes_with):
    marker = f"{uuid.uuid4().int % 10**9}"
    code = textwrap.dedent(f"""
        import os
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "1000", "0.{marker}"])
            os._exit(0)
        def f(x):
            return 0
    """)
    _not_passed(run1(code))
    time.sleep(0.2)
    assert processes_with(marker) == []


@pytest.mark.parametrize("loop", [
    "while True:\n    pass",
    "sum(range(10**13))",
    "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass",
    "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
], ids=["python-loop", "c-loop", "catch-baseexception", "ignore-sigterm"])
def test_infinite_loops_time_out(run1, loop):
    t0 = time.monotonic()
    result = run1(loop + "\ndef f(x):\n    return 2")
    _not_passed(result, "timeout")
    assert time.monotonic() - t0 < 10


@pytest.mark.parametrize("bomb", [
    "x = bytearray(10**10)",
    "x = []\nwhile True:\n    x.append(bytearray(10**7))",
], ids=["at-once", "growing"])
def test_memory_bombs(run1, bomb):
    """Stopped by the address-space limit; a growing bomb that has to touch 512 MB of pages
    may hit the 2 s wall clock first on a loaded machine, which stops it just as well."""
    statuses = ("memory",) if "10**10" in bomb else ("memory", "timeout")
    _not_passed(run1(bomb + "\ndef f(x):\n    return 2"), *statuses)


def test_huge_file_write_is_capped(run1, sandbox_root):
    code = textwrap.dedent("""
        with open("big.bin", "wb") as fh:
            for _ in range(2000):
                fh.write(b"0" * 10**6)
        def f(x):
            return 2
    """)
    _not_passed(run1(code), "error")


def test_300mb_stdout_is_harmless(run1):
    code = "import sys\nfor _ in range(300):\n    sys.stdout.write('x' * 10**6)\ndef f(x):\n    return 0"
    _not_passed(run1(code), "fail")


def test_ctypes_segfault(run1):
    _not_passed(run1("import ctypes\nctypes.string_at(0)\ndef f(x):\n    return 2"), "crash")


def test_deep_recursion(run1):
    result = run1("def f(x):\n    return f(x) + 1")
    _not_passed(result, "error")
    assert result.exception == "RecursionError"


def test_reading_stdin(run1):
    result = run1("data = input()\ndef f(x):\n    return 2")
    _not_passed(result, "error")
    assert result.exception == "EOFError"


def test_closing_all_fds(run1):
    _not_passed(run1("import os\nos.closerange(0, 65536)\ndef f(x):\n    return 2"), "crash")


def test_kill_minus_one_reaches_only_the_program(run1, ex):
    """os.kill(-1) from inside reaches only the program's own namespace: workers survive."""
    workers = [w.proc.pid for w in ex._workers]
    _not_passed(run1("import os, signal\nos.kill(-1, signal.SIGKILL)\ndef f(x):\n    return 2"))
    assert [w.proc.pid for w in ex._workers] == workers and all(w.proc.poll() is None for w in ex._workers)


def test_flooding_the_result_channel(run1):
    """40 MB of junk on the harness's own result fd: the worker keeps only the first 32 MB,
    so the real result lines behind it are lost and the program crashes with OutputLimit."""
    code = textwrap.dedent("""
        import os
        block = b"x" * (1 << 20)
        for _ in range(40):
            os.write(3, block)
        def f(x):
            return 0
    """)
    result = run1(code)
    _not_passed(result, "crash")
    assert result.exception == "OutputLimit"


def test_program_credentials(run1, ex):
    """What the program runs as: an unprivileged uid with no capabilities and no_new_privs
    (inherited from the worker), parent-death signal set, empty environment."""
    code = textwrap.dedent("""
        import os
        def status():
            fields = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
            return {k: fields[k].split() for k in ("Uid", "CapEff", "NoNewPrivs")}
        def deathsig():
            import ctypes
            sig = ctypes.c_int(-1)
            ctypes.CDLL(None).prctl(2, ctypes.byref(sig), 0, 0, 0)  # PR_GET_PDEATHSIG
            return sig.value
        def env():
            return dict(os.environ)
    """)
    result = run1(code, tests=[], capture=["status()", "deathsig()", "env()"])
    status, deathsig, env = result.values
    if "uid_drop" in ex.isolation["active"]:
        assert int(status["Uid"][0]) > 65535 and len(set(status["Uid"])) == 1, status
    assert int(status["CapEff"][0], 16) == 0 and status["NoNewPrivs"] == ["1"], status
    assert deathsig == 9 and env == {}
