"""Batch execution of untrusted Python programs against assert tests, with trusted verdicts.

Threat model
============
The adversary is the program under test (a model completion): arbitrary Python, running
with the full stdlib (ctypes included), trying to (a) get a test counted as passed without
computing the right values, (b) affect the host: files, processes, the trainer, secrets, the
network, or (c) deny service (CPU, memory, disk, processes, output volume).

Protected (each by the mechanism named in ``Executor.isolation``; missing ones are warned):

* Verdicts. Asserts are split in the parent (``plan.py``): the child evaluates only the
  untrusted sub-expressions (``f(x)``) and returns tagged plain data (``_wire.py``, JSON, no
  pickle); comparisons run in the parent on builtin objects. Exit codes, stdout, exceptions
  it raises, fake messages and patched harness frames can at most *claim* values for those
  sub-expressions, which is no stronger than hard-coding answers. The child never sees the
  expected values. A test without a valid message from the child is not passed. Where a test
  needs only a value's truth (``assert re.match(...)``, ``not f(x)``) the child sends
  ``bool(value)``: choosing ``__bool__`` is no stronger than returning True or False. The
  child writes its messages to a private in-memory file (memfd) that the parent reads, at
  most 1 MB of it, once the child has exited (with pid namespaces: once all its processes
  have).
* Files: the child runs as an unprivileged uid unique to its worker slot (``uid_drop``; the
  programs of a slot run one after the other) with a read-only view of
  the filesystem (``mount_namespace`` + ``readonly_root``), in a fresh 0700 working dir on a
  size-capped tmpfs (``tmpfs_workdir``, one per worker; inside it one size-capped tmpfs per
  slot, ``workdir_per_slot``) removed by the worker after each program, before its result is reported, so no later program can see it; /tmp, /var/tmp, /dev/shm
  and /run are empty private tmpfs (``private_tmp``), which also hides unix sockets there.
  ``RLIMIT_FSIZE`` caps single files.
* Secrets: workers start with an empty environment; ``/proc`` is private to the worker's pid
  namespace and mounted ``hidepid=2``, so a child sees only its own processes, and other
  processes' ``/proc/*/environ`` are neither visible nor readable (different uid,
  non-dumpable).
* Processes: each program is pid 1 of its own pid namespace; killing it (wall-clock deadline,
  or its own exit) makes the kernel kill every process it created, setsid daemons and fork
  bombs included. ``RLIMIT_NPROC`` (effective because the uid is unprivileged) bounds forks.
  It cannot name, signal or ptrace the worker or the trainer (outside its pid namespace,
  other uid). Without pid namespaces the worker kills the process group and then every
  process of the child's unique uid.
* Network: a per-worker network namespace with no interfaces up (loopback included).
* Privileges: ``no_new_privs`` is set once in the worker and inherited (irrevocably) by every
  child, so no setuid binary or file capability can raise a program's privileges.
* Resources: ``RLIMIT_AS`` (memory), ``RLIMIT_CPU`` + wall-clock SIGKILL (time),
  ``RLIMIT_NOFILE``, ``RLIMIT_FSIZE`` (also bounds the result file), ``RLIMIT_CORE=0``,
  stdout/stderr to /dev/null, results capped at 32 MB.

Issue 9 (red-team classes), closed by / state:

1. Sibling data: the parent writes each job into its own memfd and passes it (with an empty
   result memfd) over a SOCK_SEQPACKET socket; the worker hands both fds to the child unread,
   so the image every child forks from never held another program's code, tests, values or
   results (``_wire`` protocol). Tested by a /proc/self/mem + gc search for a sibling's secret.
2. Parent crashes: planning and decoding never raise; a program or test the parser cannot
   handle (depth, size > 1 MB) is that program's ``ParseError``; decoding failures
   ``DecodeError``; an interrupted run restarts busy workers so no stale result is read.
3. Leftovers: work dirs are removed by a non-recursive chdir walk (no recursion, no PATH_MAX);
   programs in flight on a dead or hung worker are re-run once each, alone on a fresh worker.
4. Decoding DoS: at most ``RESULT_CAP`` (1 MB) of a result file is read, from its real size,
   before any expansion; lines are found by a C-speed scan and only tests+8 are parsed; sets
   and dicts whose keys share hashes are refused in linear time; JSON nesting is bounded by the
   interpreter's recursion limit (caught).
5. Memory: the executor makes one memory cgroup per worker slot (``memory_cgroup``, module
   ``cgroup``: v1 memory hierarchy or a cgroup v2 with the memory controller delegated),
   limited to ``memory_mb`` (swap included); each child moves itself in before it reads its
   job, so everything the program holds counts as a whole: every forked child, memfd and tmpfs
   pages, SysV shm. Going over makes the kernel OOM-kill inside the slot only; the worker reads
   the slot's ``oom_kill`` counter around each program and such a program's verdict is
   ``memory`` (never a pass, even if its own process survived). Made once per slot, not per
   program: ~0.1 ms per program for the move. SysV segments die with the program
   (``ipc_namespace_per_program``). Fallback where no cgroup can be made (reported missing with
   the reason, logged): RLIMIT_NPROC 8 and RLIMIT_NOFILE 64 instead of 64/256, so a program holds
   at most 8 x ``memory_mb`` of anonymous memory plus 64 x 64 MB (RLIMIT_FSIZE) of unmapped
   memfd pages plus its work dir; stale slot cgroups of killed scorers are removed at start-up.
6. Keyrings: each child joins a fresh empty session keyring (``fresh_keyring``) and seccomp
   denies keyctl/add_key/request_key, so the scorer's keys are unreachable and no key of a
   sandbox uid can be created to outlive the executor.
7. Channels: ``seccomp`` allows only AF_UNIX/AF_INET/AF_INET6 sockets (no AF_VSOCK, netlink,
   packet, ...) and denies new namespaces, mount, ptrace, bpf, io_uring, userfaultfd,
   perf_event_open; programs running at the same time are in different network namespaces
   (``net_namespace_per_slot``), so no abstract unix socket joins them; /dev/ptmx is /dev/null
   and /dev/pts empty (``no_ptys``). Each slot's work dirs sit on their own size-capped tmpfs
   (``workdir_per_slot``, ``workdir_mb`` each), so a program that fills its own cannot make a
   concurrent neighbour's write fail with ENOSPC (missing: plain dirs on the shared tmpfs).
8. Filesystem answer key: the worker chroots (``minimal_root``) into a tmpfs with read-only
   binds of the standard library, lib-dynload and the system's shared libraries, /dev/null,
   zero, urandom, the hidepid /proc and the work-dir tmpfs: no project tree, no site-packages
   (numpy etc. do not import), no datasets, caches or homes. Without root or a mount namespace
   it is reported missing and the whole read-only filesystem stays readable.
9. Test shapes: asserts nested in for/if/def fail closed (``UnsupportedTest``); an empty test
   list (without captures) is ``NoTests``, never a pass.
10. Killed scorer: temp roots are named ``rlvr-sandbox-<pid>.<start time>-*``; each new
    executor removes roots whose owner process is gone.

Each per-program mechanism is probed once in a throwaway fork at worker start; one that fails
is reported in ``Executor.isolation["missing"]`` and logged as a warning, and the children run
without it (seccomp is x86_64 only; elsewhere it is reported missing).

Not protected:

* Kernel exploits and hardware side channels (seccomp narrows the reachable kernel surface but
  is an allow-by-default filter, no VM).
* Reading the standard library and system libraries (class 8 above); without a memory cgroup,
  memory up to the fallback bound stated in class 5; reclaimable page cache a program leaves
  charged to its slot (the kernel reclaims it before any OOM kill).
* Unix sockets reachable by path on the read-only filesystem outside /run, /tmp, /var/tmp and
  /dev/shm.
* Denial of service below the limits: programs share the CPUs (wall-clock timeouts can fire
  earlier under load), and the parent's evaluation of trusted test code is not sandboxed
  (tests are trusted data; huge arithmetic on child-claimed values is refused).
* Solutions that hard-code expected outputs, or tests that compare two untrusted values
  (``f(x) == g(y)`` with both from the solution or setup): the child controls both sides.
* Tests whose comparisons sit inside a comprehension or lambda over untrusted values cannot be
  split; they fail closed with exception ``UnsupportedTest``.
"""

from __future__ import annotations

import atexit
import itertools
import json
import logging
import os
import random
import re
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from tqdm import tqdm

from rlvr_sweeps.sandbox import _wire, cgroup, plan

log = logging.getLogger(__name__)
W = _wire  # message kinds and keys

PER_PROGRAM = ("seccomp", "fresh_keyring", "ipc_namespace_per_program", "net_namespace_per_slot", "memory_cgroup")
STATUSES = ("pass", "fail", "error", "timeout", "memory", "crash", "no_code")
WORKER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_worker.py")
EXPECTED_MECHANISMS = (
    "empty_environment", "net_namespace", "ipc_namespace", "uts_namespace", "mount_namespace",
    "worker_pid_namespace", "subreaper", "private_mounts", "readonly_root", "private_tmp",
    "tmpfs_workdir", "proc_hidepid", "uid_drop", "rlimits", "no_new_privs", "pdeathsig",
    "wall_clock_kill", "pid_namespace_per_program", "ipc_namespace_per_program", "net_namespace_per_slot",
    "fresh_keyring", "seccomp", "no_ptys", "minimal_root", "memory_cgroup", "workdir_per_slot",
)


@dataclass(frozen=True)
class Job:
    """One program: solution ``code``, then ``setup``, then each assert string in ``tests``.
    ``capture``: expressions evaluated after code+setup whose plain values come back in
    ``Result.values`` (e.g. to compute expected outputs with a trusted canonical solution)."""

    code: str
    tests: list[str] = field(default_factory=list)
    setup: str = ""
    capture: list[str] = field(default_factory=list)


@dataclass
class Result:
    passed: bool
    status: str
    exception: str | None  # the raw exception name (the diagnostic label is diagnostics.error_type_label)
    tests_passed: int
    tests_total: int
    duration_ms: float
    values: list | None = None

    def to_dict(self) -> dict:
        """JSON-safe: ``values`` use the lossless tagged encoding (``decode_value`` reverses it)."""
        d = asdict(self)
        if self.values is not None:
            d["values"] = [_wire.encode(v) for v in self.values]
        return d


def decode_value(tagged: object) -> object:
    """Inverse of the tagged encoding used in ``Result.to_dict()['values']``."""
    return _wire.decode(tagged)


def _status_for(exception: str) -> str:
    if exception == "AssertionError":
        return "fail"
    if exception == "MemoryError":
        return "memory"
    return "error"


class _Prepared:
    """A job planned in the parent: what the child runs and what the parent checks."""

    __slots__ = ("tests", "ops", "capture")

    def __init__(self, job: Job, shadowed: frozenset[str]) -> None:
        self.tests = [plan.plan_test_cached(t, shadowed) for t in job.tests]
        self.ops = [list(map(list, t.ops)) for t in self.tests]
        self.capture = list(job.capture)


MAX_SOURCE_CHARS = 1 << 20  # a program or setup longer than this is refused (ParseError)


def _prepare(job: Job) -> _Prepared | Result:
    """Plan one job in the parent. Never raises: whatever the program's source does to the
    parser (RecursionError on 20,000 chained operators, MemoryError on 50,000 unary minus
    signs) becomes this program's verdict, and the rest of the batch is still scored."""
    n = len(job.tests) if isinstance(job.tests, (list, tuple)) else 0
    if not isinstance(job.code, str) or not job.code.strip():
        return Result(False, "no_code", None, 0, n, 0.0)
    if not job.tests and not job.capture:  # nothing to check: an error of the task, never a pass
        return Result(False, "error", "NoTests", 0, 0, 0.0)
    if len(job.code) > MAX_SOURCE_CHARS or len(job.setup or "") > MAX_SOURCE_CHARS:
        return Result(False, "error", "ParseError", 0, n, 0.0)
    try:
        with warnings.catch_warnings():  # invalid escapes in the program are its own business
            warnings.simplefilter("ignore")
            shadowed = plan.bound_names(plan.ast.parse(job.code))
            if job.setup:
                shadowed |= plan.bound_names(plan.ast.parse(job.setup))
        keep = frozenset(shadowed & (plan.TRUSTED_NAMES | set(plan.TRUSTED_MODULES)))
        return _Prepared(job, keep)
    except SyntaxError:
        return Result(False, "error", "SyntaxError", 0, n, 0.0)
    except (ValueError, TypeError) as exc:  # null bytes, non-str setup
        return Result(False, "error", type(exc).__name__, 0, n, 0.0)
    except Exception:  # noqa: BLE001 - RecursionError, MemoryError, ...: this program's verdict
        return Result(False, "error", "ParseError", 0, n, 0.0)


def _safe_verdict(prep: _Prepared, msg: dict, memory_mb: int) -> Result:
    """``_verdict`` that never raises: a failure to decode one program's claims fails that
    program only (``DecodeError``), never the batch."""
    try:
        return _verdict(prep, msg, memory_mb)
    except Exception:  # noqa: BLE001
        return Result(False, "error", "DecodeError", 0, len(prep.tests), float(msg.get(W.MS, 0.0)))


def _verdict(prep: _Prepared, msg: dict, memory_mb: int) -> Result:
    """Turn the worker's report (exit status + the child's claimed values) into a Result."""
    by_test: dict[int, dict] = {}
    code_error = values = None
    for line in _lines(msg.get("out", ""), len(prep.tests) + 8):
        try:
            m = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(m, dict):
            continue
        kind = m.get(W.LINE_KIND)
        if kind in (W.L_CODE_ERROR, W.L_SETUP_ERROR) and code_error is None and isinstance(m.get(W.ERR), str):
            code_error = m[W.ERR]
        elif kind == W.L_TEST and isinstance(m.get(W.INDEX), int) and m[W.INDEX] not in by_test:
            by_test[m[W.INDEX]] = m
        elif kind == W.L_VALUES and values is None:
            values = m.get(W.VALUES)
    n = len(prep.tests)
    passed, first_error = 0, None
    for i, test in enumerate(prep.tests):
        err = test.invalid or code_error or _check_test(test, by_test.get(i))
        if err is None:
            passed += 1
        elif first_error is None:
            first_error = err
    ms = float(msg.get(W.MS, 0.0))
    decoded_values = _decode_values(values, len(prep.capture)) if prep.capture else None
    if msg.get(W.OOM):  # over the bound as a whole (e.g. in a forked child): never a pass
        return Result(False, "memory", "MemoryError", passed, n, ms, decoded_values)
    if first_error is None:
        if n == 0 and prep.capture and decoded_values is None:
            return Result(False, "crash", "NoResult", 0, 0, ms, None)
        return Result(True, "pass", None, passed, n, ms, decoded_values)
    if first_error == "NoResult":
        status, first_error = _missing_status(msg, memory_mb)
    else:
        status = _status_for(first_error)
    return Result(False, status, first_error, passed, n, ms, decoded_values)


_LINE = re.compile(r"[^\n]+")


def _lines(text: str, limit: int):
    """The first ``limit`` non-empty lines, found by a C-speed scan: the honest harness writes
    one line per test plus a few, so 4 MB of newlines or junk lines cost a scan, not a parse each."""
    return (m.group() for m in itertools.islice(_LINE.finditer(text), limit))


def _missing_status(msg: dict, memory_mb: int) -> tuple[str, str]:
    if msg.get(W.OOM):  # the slot's memory cgroup killed one of its processes
        return "memory", "MemoryError"
    if msg.get(W.TIMED_OUT):
        return "timeout", "Timeout"
    if msg.get("overflow"):
        return "crash", "OutputLimit"
    sig = msg.get(W.SIG)
    if sig is not None:
        if int(msg.get(W.RSS_KB, 0)) * 1024 >= memory_mb * (1 << 20) * 0.5:
            return "memory", "MemoryError"
        return "crash", f"Signal{sig}"
    return "crash", "NoResult"


def _check_test(test: plan.TestPlan, msg: dict | None) -> str | None:
    if msg is None:
        return "NoResult"
    if isinstance(msg.get(W.FAILED), str):
        return msg[W.FAILED]
    raw = msg.get(W.VALUES)
    n_eval = sum(1 for kind, _ in test.ops if kind != W.OP_EXEC)
    if not isinstance(raw, list) or len(raw) != n_eval:
        return "NoResult"
    values = []
    for item in raw:
        if not isinstance(item, list) or len(item) != 2 or item[0] not in (0, 1):
            return "NoResult"
        if item[0] == 1:
            try:
                values.append((True, _wire.decode(item[1])))
            except (_wire.DecodeError, RecursionError):
                values.append((True, _wire.Opaque("undecodable")))
        else:
            values.append((False, item[1] if isinstance(item[1], str) else "Exception"))
    for check in test.checks:
        held, err = plan.evaluate(check, values)
        if not held:
            return err
    return None


def _decode_values(raw: object, n: int) -> list | None:
    if not isinstance(raw, list) or len(raw) != n:
        return None
    out = []
    for item in raw:
        value = None
        if isinstance(item, list) and len(item) == 2 and item[0] == 1:
            try:
                value = _wire.decode(item[1])
            except (_wire.DecodeError, RecursionError):
                value = None
        out.append(None if isinstance(value, _wire.Opaque) or _contains_opaque(value) else value)
    return out


def _contains_opaque(value: object) -> bool:
    if isinstance(value, _wire.Opaque):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_contains_opaque(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_opaque(k) or _contains_opaque(v) for k, v in value.items())
    return False


ROOT_PREFIX = "rlvr-sandbox-"


def _owner_tag(pid: int) -> str | None:
    """``pid.starttime``: names a process uniquely across pid reuse (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f"{pid}.{f.read().rsplit(')', 1)[1].split()[19]}"
    except (OSError, IndexError):
        return None


def _is_stale_tag(tag: str) -> bool:
    """A ``pid.starttime`` owner tag whose process is gone (malformed tags are not ours)."""
    pid, _, start = tag.partition(".")
    return pid.isdigit() and start.isdigit() and _owner_tag(int(pid)) != tag


def remove_stale_roots(base: str | None = None) -> list[str]:
    """Remove temp roots (``rlvr-sandbox-<pid>.<start>-*``) whose owner process is gone: a
    scorer killed with SIGKILL cannot clean up, so the next executor does. Roots of live
    owners, of other users, and names this code did not make are left alone."""
    base = base or tempfile.gettempdir()
    removed = []
    try:
        names = os.listdir(base)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(ROOT_PREFIX):
            continue
        if not _is_stale_tag(name[len(ROOT_PREFIX):].split("-", 1)[0]):
            continue
        path = os.path.join(base, name)
        try:
            if os.lstat(path).st_uid != os.geteuid():
                continue
        except OSError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def available_cpus() -> int:
    """CPUs this process was given, not the machine's: a SLURM job or a ``taskset`` mask on a
    big node must not start one worker per host core. ``SLURM_CPUS_PER_TASK`` wins when set
    (SLURM may not pin the process), else the affinity mask, else ``os.cpu_count()``."""
    slurm = os.environ.get("SLURM_CPUS_PER_TASK", "")
    if slurm.strip().isdigit() and int(slurm) > 0:
        return int(slurm)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


RESULT_CAP = 1 << 20  # bytes of a child's result file the parent reads; the rest is ignored
HELLO_TIMEOUT_S = 120.0


def _read_result(fd: int) -> tuple[str, bool]:
    """At most RESULT_CAP bytes of a result memfd, read before any expansion (a sparse
    64 MB file costs nothing); (text, whether the child wrote more)."""
    size = os.fstat(fd).st_size
    chunks, n = [], 0
    while n < min(size, RESULT_CAP):
        chunk = os.pread(fd, min(size, RESULT_CAP) - n, n)
        if not chunk:
            break
        chunks.append(chunk)
        n += len(chunk)
    return b"".join(chunks).decode("utf-8", "replace"), size > RESULT_CAP


class _WorkerProc:
    """Parent-side handle on one worker process."""

    def __init__(self, index: int, cfg: dict) -> None:
        self.index = index
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        cfg = dict(cfg, index=index, uid_base=cfg["uid_base"] + index * cfg["slots"], sock_fd=theirs.fileno(),
                   cgroups=cfg["cgroups"][index] if cfg["cgroups"] else [])
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-B", WORKER_SCRIPT, json.dumps(cfg)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env={}, close_fds=True,
                pass_fds=(theirs.fileno(),),
            )
        finally:
            theirs.close()
        self.sock = ours
        self.rfd = ours.fileno()
        self.in_flight: dict[int, float] = {}  # job index -> dispatch time
        self.out_fds: dict[int, int] = {}  # job index -> its result memfd
        ours.settimeout(HELLO_TIMEOUT_S)
        try:
            got = W.recv_msg(ours)
        except (OSError, ValueError):
            got = None
        if got is None or got[0].get(W.KIND) != W.HELLO:
            self.close()
            raise RuntimeError("sandbox worker failed to start (see stderr above)")
        hello = got[0]
        self.isolation = {"active": hello[W.ACTIVE], "missing": hello[W.MISSING]}
        ours.setblocking(False)

    def send(self, jobs: list[tuple[int, dict, bytes]]) -> None:
        """Several jobs in one datagram (one wake-up of the worker): headers in the message,
        each program in its own memfd, with an empty result memfd the parent keeps."""
        headers, fds, job_fds = [], [], []
        try:
            for i, header, payload in jobs:
                jfd = os.memfd_create("rlvr-job", os.MFD_CLOEXEC)
                job_fds.append(jfd)
                view = memoryview(payload)
                while view:
                    view = view[os.write(jfd, view):]
                ofd = os.memfd_create("rlvr-result", os.MFD_CLOEXEC)
                self.out_fds[i] = ofd
                headers.append(header)
                fds += (jfd, ofd)
            self.sock.setblocking(True)
            try:
                W.send_msg(self.sock, {W.KIND: W.JOBS, W.JOB_LIST: headers}, fds)
            finally:
                self.sock.setblocking(False)
        finally:
            for fd in job_fds:
                os.close(fd)

    def read_frames(self) -> list[dict] | None:
        """Non-blocking: the exit reports available now, each with the child's result text
        (``out``) and whether it overflowed; None when the worker is gone."""
        frames = []
        while True:
            try:
                got = W.recv_msg(self.sock)
            except BlockingIOError:
                break
            except (OSError, ValueError):
                return None
            if got is None:
                return None
            msg, fds = got
            for fd in fds:  # the worker never sends fds
                os.close(fd)
            for report in msg.get(W.RESULTS, []) if msg.get(W.KIND) == W.DONE else []:
                fd = self.out_fds.pop(report.get(W.ID), None) if isinstance(report, dict) else None
                if fd is None:
                    continue
                try:
                    report["out"], report["overflow"] = _read_result(fd)
                finally:
                    os.close(fd)
                frames.append(report)
        return frames

    def close(self) -> None:
        self.sock.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in self.out_fds.values():
            os.close(fd)
        self.out_fds.clear()


class Executor:
    """A pool of warm sandbox workers. ``run(jobs)`` returns one Result per job, in order,
    keeping every worker busy with ``slots`` programs in flight each."""

    def __init__(self, workers: int | None = None, timeout_s: float = 5.0, memory_mb: int = 1024,
                 slots: int = 3, tmp_root: str | None = None, workdir_mb: int = 256,
                 disable: Sequence[str] = ()) -> None:
        """``disable``: per-program protections to leave off (``PER_PROGRAM``), for the benchmark
        that prices each one; never in training."""
        self.workers_n = workers or available_cpus()
        self.timeout_s = float(timeout_s)
        self.memory_mb = int(memory_mb)
        self.slots = int(slots)
        self._own_tmp = tmp_root is None
        if tmp_root is None:
            remove_stale_roots()
        self.tmp_root = tmp_root or tempfile.mkdtemp(prefix=f"{ROOT_PREFIX}{_owner_tag(os.getpid())}-")
        os.makedirs(self.tmp_root, exist_ok=True)
        os.chmod(self.tmp_root, 0o711)
        self._cfg = {
            "parent_pid": os.getpid(), "tmp_root": self.tmp_root, "slots": self.slots,
            "workdir_mb": int(workdir_mb), "disable": [d for d in disable if d in PER_PROGRAM],
            # Unique uids per program slot: children cannot signal each other, and
            # RLIMIT_NPROC counts each program's processes separately.
            "uid_base": 0x40000000 + random.randrange(1 << 18) * 1024,
        }
        self._lock = threading.Lock()
        self._workers: list[_WorkerProc] = []
        self._closed = False
        self._cgroups: list[str] = []
        try:
            self._make_cgroups("memory_cgroup" in disable)
            self._workers = [_WorkerProc(i, self._cfg) for i in range(self.workers_n)]
        except BaseException:
            self.close()
            raise
        self.isolation = self._workers[0].isolation
        for name in EXPECTED_MECHANISMS:
            if name not in self.isolation["active"] and name not in self.isolation["missing"]:
                self.isolation["missing"][name] = "not attempted (depends on a missing mechanism)"
        for name, why in self.isolation["missing"].items():
            log.warning("sandbox isolation mechanism %r is NOT active on this host: %s", name, why)

    def __enter__(self) -> Executor:
        return self

    def _make_cgroups(self, disabled: bool) -> None:
        """One memory cgroup per worker slot, limited to ``memory_mb`` (see ``cgroup``); where
        none can be made the reason reaches the worker, which reports it missing."""
        self._cfg["cgroups"], self._cfg["cgroup_missing"], self._cfg["cgroup_oom_file"] = [], None, ""
        if disabled:
            return
        try:
            layout = cgroup.find()
            cgroup.remove_stale(layout, _is_stale_tag)
            tag = f"{cgroup.PREFIX}{_owner_tag(os.getpid())}-{random.randrange(1 << 30):x}"
            for w in range(self.workers_n):
                paths = []
                for s in range(self.slots):
                    paths.append(cgroup.create(layout, f"{tag}-w{w}s{s}", self.memory_mb << 20))
                    self._cgroups.append(paths[-1])
                self._cfg["cgroups"].append(paths)
            self._cfg["cgroup_oom_file"] = layout.oom_file
        except OSError as exc:
            self._remove_cgroups()
            self._cfg["cgroups"], self._cfg["cgroup_missing"] = [], str(exc)

    def _remove_cgroups(self) -> None:
        """After the workers are gone: their children die with them (pdeathsig) a moment later."""
        deadline = time.monotonic() + 2.0
        while self._cgroups:
            self._cgroups = [p for p in self._cgroups if not cgroup.remove(p)]
            if not self._cgroups or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        if self._cgroups:
            log.warning("sandbox: could not remove memory cgroups %s (still busy)", self._cgroups)

    def pool_cpu_s(self) -> float:
        """CPU seconds used so far by the workers and every program they ran (reaped
        children count in their parent's totals). For benchmarks on a shared machine, where
        CPU time says more than wall time; Linux /proc only, 0.0 where unreadable."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for w in self._workers:
            pids = [w.proc.pid]
            try:  # with a worker pid namespace the worker proper is the relay's only child
                with open(f"/proc/{w.proc.pid}/task/{w.proc.pid}/children") as f:
                    pids += [int(p) for p in f.read().split()]
            except OSError:
                pass
            for pid in pids:
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        return total / tick

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for w in self._workers:
            w.close()
        self._remove_cgroups()
        if self._own_tmp:
            shutil.rmtree(self.tmp_root, ignore_errors=True)

    def _restart(self, w: _WorkerProc) -> _WorkerProc:
        try:
            w.proc.kill()
        except OSError:
            pass
        w.close()
        fresh = _WorkerProc(w.index, self._cfg)
        self._workers[w.index] = fresh
        return fresh

    def run(self, jobs: Sequence[Job], progress: bool = False) -> list[Result]:
        if self._closed:
            raise RuntimeError("Executor is closed")
        with self._lock:
            return self._run(list(jobs), progress)

    def _run(self, jobs: list[Job], progress: bool) -> list[Result]:
        results: list[Result | None] = [None] * len(jobs)
        prepared: dict[int, _Prepared] = {}
        # Planned lazily, as workers have room: the first programs start while the parent still
        # plans the rest, instead of every worker idling through the whole batch's planning.
        pending: deque[int] = deque(range(len(jobs)))
        bar = None
        if progress:
            bar = tqdm(total=len(jobs), file=sys.stderr, unit="prog")
        sel = selectors.DefaultSelector()
        for w in self._workers:
            sel.register(w.rfd, selectors.EVENT_READ, w)
        depth = self.slots * 2  # keep the worker's own queue fed while its children run
        retried: set[int] = set()  # programs in flight on a worker that died, re-run once each, alone
        grace = self.timeout_s * depth + 30.0
        try:
            while pending or any(w.in_flight for w in self._workers):
                for w in self._workers:
                    batch = []
                    while pending and len(w.in_flight) < depth and not (w.in_flight.keys() & retried):
                        i = pending[0]
                        if i in retried and w.in_flight:
                            break  # a re-run goes alone to a worker: no suspect shares it
                        pending.popleft()
                        p = prepared.get(i) or _prepare(jobs[i])
                        if isinstance(p, Result):  # decided without running (no code, syntax error)
                            results[i] = p
                            if bar is not None:
                                bar.update(1)
                            continue
                        prepared[i] = p
                        payload = json.dumps({W.CODE: jobs[i].code, W.SETUP: jobs[i].setup or "",
                                              W.TESTS: p.ops, W.CAPTURE: p.capture}).encode()
                        batch.append((i, {W.ID: i, W.TIMEOUT: self.timeout_s, W.MEMORY: self.memory_mb}, payload))
                        w.in_flight[i] = time.monotonic()
                    if batch:
                        w.send(batch)
                if not any(w.in_flight for w in self._workers):
                    continue  # the rest was decided without running
                for key, _ in sel.select(timeout=1.0):
                    w = key.data
                    frames = w.read_frames()
                    for msg in frames or []:
                        i = msg.get(W.ID)
                        if w.in_flight.pop(i, None) is None:
                            continue  # not this run's (cannot happen; never trusted)
                        results[i] = _safe_verdict(prepared[i], msg, self.memory_mb)
                        if bar is not None:
                            bar.update(1)
                    if frames is None:
                        self._replace(sel, w, results, prepared, "WorkerDied", bar, pending, retried)
                now = time.monotonic()
                for w in list(self._workers):
                    if w.in_flight and now - min(w.in_flight.values()) > grace:
                        self._replace(sel, w, results, prepared, "WorkerHung", bar, pending, retried)
        finally:
            sel.close()
            if bar is not None:
                bar.close()
            for w in list(self._workers):  # interrupted mid-batch: no stale result may reach the next run
                if w.in_flight:
                    self._restart(w)
        return results  # type: ignore[return-value]

    def _replace(self, sel, w: _WorkerProc, results: list, prepared: dict, why: str, bar,
                 pending: deque, retried: set) -> None:
        """A worker died or hung. Which of its in-flight programs caused it is unknown, so each
        is re-run once, alone on a fresh worker: an innocent one gets its real verdict; only a
        program that kills its worker when alone gets ``why`` as its verdict."""
        log.error("sandbox worker %d failed (%s); restarting it", w.index, why)
        again = []
        for i in w.in_flight:
            if i in retried:
                results[i] = Result(False, "crash", why, 0, len(prepared[i].tests), 0.0)
                if bar is not None:
                    bar.update(1)
            else:
                retried.add(i)
                again.append(i)
        pending.extendleft(reversed(again))
        sel.unregister(w.rfd)
        fresh = self._restart(w)
        sel.register(fresh.rfd, selectors.EVENT_READ, fresh)


_POOLS: dict[tuple, Executor] = {}
_POOLS_LOCK = threading.Lock()


def get_executor(workers: int | None = None, timeout_s: float = 5.0, memory_mb: int = 1024) -> Executor:
    """A process-wide pool per settings, started on first use and closed at exit: the reward
    function calls this on every step without paying the worker start-up again."""
    key = (workers, float(timeout_s), int(memory_mb), os.getpid())
    with _POOLS_LOCK:
        ex = _POOLS.get(key)
        if ex is None or ex._closed:
            ex = _POOLS[key] = Executor(workers=workers, timeout_s=timeout_s, memory_mb=memory_mb)
        return ex


@atexit.register
def _close_pools() -> None:
    for ex in list(_POOLS.values()):
        if ex._workers and ex._cfg["parent_pid"] == os.getpid():
            ex.close()
