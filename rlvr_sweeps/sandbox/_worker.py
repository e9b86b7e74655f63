"""Sandbox worker: a warm interpreter that forks one isolated child per program.

Run as a script by ``executor.Executor`` (``python -I worker.py CONFIG_JSON``) with an empty
environment. Stdlib only, on purpose: it must start fast and fork thousands of times, and it
must not carry the trainer's modules or memory into untrusted children.

Messages (kinds, keys and framing in ``_wire``) travel on a SOCK_SEQPACKET socket inherited
from the parent: first the isolation report, then job headers in (each with a job memfd and a
result memfd that this process passes to the child unread) and exit reports out.

Isolation (see the threat model in ``executor.py``) is set up here once per worker
(namespaces, mounts) and per child (pid namespace, uid, rlimits, fds). Every step that the
host refuses is reported by name, never skipped silently.
"""

from __future__ import annotations

import _signal
import builtins
import ctypes
import errno
import gc
import importlib
import json
import math
import os
import resource
import selectors
import signal
import socket
import sys
import sysconfig
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _wire  # noqa: E402
from cgroup import oom_kills  # noqa: E402

W = _wire

del sys.path[0]

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38
SYS_MOUNT_SETATTR = 442  # x86_64 and aarch64 share this number
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID = 0x1, 0x2
AT_FDCWD, AT_RECURSIVE = -100, 0x8000

RESULT_FD = 3

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.syscall.restype = ctypes.c_long
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def _check(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def _mount(src: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    def enc(s: str | None) -> bytes | None:
        return None if s is None else s.encode()

    _check(_libc.mount(enc(src), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _prctl(option: int, arg: int) -> None:
    _check(_libc.prctl(option, arg, 0, 0, 0), "prctl")


# ---------------------------------------------------------------------------------------------
# seccomp: a BPF filter, built once in the worker and installed by every child


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


_LD, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
RET_ALLOW, RET_KILL = 0x7FFF0000, 0x80000000


def _errno(e: int) -> int:
    return 0x00050000 | e


# x86_64 only (numbers differ per arch); elsewhere the filter is reported missing.
X86_64 = {"arch": 0xC000003E, "socket": 41, "socketpair": 53, "clone": 56, "clone3": 435,
          "deny": {248: errno.EPERM, 249: errno.EPERM, 250: errno.EPERM,  # add_key request_key keyctl
                   272: errno.EPERM, 308: errno.EPERM,  # unshare setns: no new namespaces
                   321: errno.EPERM, 323: errno.EPERM, 298: errno.EPERM,  # bpf userfaultfd perf_event_open
                   425: errno.ENOSYS, 426: errno.ENOSYS, 427: errno.ENOSYS,  # io_uring
                   165: errno.EPERM, 166: errno.EPERM, 155: errno.EPERM,  # mount umount2 pivot_root
                   101: errno.EPERM}}  # ptrace
ALLOWED_FAMILIES = (1, 2, 10)  # AF_UNIX, AF_INET, AF_INET6 (the latter two see no interface)
NS_FLAGS = 0x7E020080  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME


def seccomp_program(t: dict) -> list[tuple[int, int, int, int]]:
    """Deny keyrings, new namespaces, io_uring, bpf, mounts, ptrace; sockets only of the
    families a test program can use (no AF_VSOCK, netlink, packet, ...); everything else
    allowed (RLIMITs and namespaces bound it). A foreign ABI (x32, i386) is killed."""
    prog = [(_LD, 0, 0, 4), (_JEQ, 1, 0, t["arch"]), (_RET, 0, 0, RET_KILL), (_LD, 0, 0, 0),
            (_JGE, 0, 1, 0x40000000), (_RET, 0, 0, RET_KILL)]
    for nr, err in t["deny"].items():
        prog += [(_JEQ, 0, 1, nr), (_RET, 0, 0, _errno(err))]
    prog += [(_JEQ, 0, 1, t["clone3"]), (_RET, 0, 0, _errno(errno.ENOSYS))]  # flags unreadable: glibc falls back to clone
    prog += [(_JEQ, 0, 4, t["clone"]), (_LD, 0, 0, 16), (_JSET, 0, 1, NS_FLAGS),
             (_RET, 0, 0, _errno(errno.EPERM)), (_RET, 0, 0, RET_ALLOW)]
    for nr in (t["socket"], t["socketpair"]):
        n = len(ALLOWED_FAMILIES)
        prog += [(_JEQ, 0, n + 3, nr), (_LD, 0, 0, 16)]
        prog += [(_JEQ, n - k, 0, fam) for k, fam in enumerate(ALLOWED_FAMILIES)]
        prog += [(_RET, 0, 0, _errno(errno.EAFNOSUPPORT)), (_RET, 0, 0, RET_ALLOW)]
    prog.append((_RET, 0, 0, RET_ALLOW))
    return prog


def build_seccomp() -> _SockFprog | None:
    if os.uname().machine != "x86_64":
        return None
    prog = seccomp_program(X86_64)
    arr = (_SockFilter * len(prog))(*[_SockFilter(*ins) for ins in prog])
    fprog = _SockFprog(len(prog), arr)
    fprog._keep = arr  # the array must live as long as the struct
    return fprog


PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
KEYCTL_JOIN_SESSION_KEYRING = 1
SYS_KEYCTL = 250


def install_seccomp(fprog: _SockFprog) -> None:
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0), "seccomp")


def join_fresh_keyring() -> None:
    """A new, empty, anonymous session keyring: the scorer's keys are out of reach, and the
    keyring dies with the program's last process."""
    if _libc.syscall(SYS_KEYCTL, KEYCTL_JOIN_SESSION_KEYRING, None) < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"keyctl join: {os.strerror(err)}")


# ---------------------------------------------------------------------------------------------
# frames


def read_exact(fd: int, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def write_all(fd: int, data: bytes) -> None:
    n = os.write(fd, data)  # the whole buffer in the common case: no view, no slices
    if n == len(data):
        return
    view = memoryview(data)[n:]
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _refuse(obj: object) -> object:
    raise TypeError(f"not JSON data: {type(obj).__name__}")


# One compact encoder built once here and shared by every fork: ``json.dumps`` with options
# builds a JSONEncoder and a C encoder object on each call, objects a child would allocate
# (copy-on-write faults) for every line it writes. No markers (circularity check): the
# harness only encodes fresh, depth-bounded trees from ``_wire.encode``.
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
if _C_ENCODER is not None:
    _ITERENCODE = _C_ENCODER(None, _refuse, json.encoder.encode_basestring_ascii, None, ":", ",",
                             False, False, False)

    def dumps(obj: object) -> str:
        return "".join(_ITERENCODE(obj, 0))
else:  # pragma: no cover - CPython always has the C accelerator
    def dumps(obj: object) -> str:
        return json.dumps(obj, separators=(",", ":"), allow_nan=False)


# ---------------------------------------------------------------------------------------------
# worker-level isolation


class Isolation:
    def __init__(self) -> None:
        self.active: list[str] = []
        self.missing: dict[str, str] = {}

    def attempt(self, name: str, fn) -> bool:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - reported by name to the parent
            self.missing[name] = str(exc)
            return False
        self.active.append(name)
        return True


def _hidden_ancestor(path: str) -> str | None:
    """The top-most directory on the way to ``path`` that an unprivileged uid cannot enter."""
    parts = os.path.abspath(path).split(os.sep)
    for i in range(2, len(parts) + 1):
        prefix = os.sep.join(parts[:i]) or os.sep
        try:
            mode = os.stat(prefix).st_mode
        except OSError:
            return None
        if not mode & 0o001:
            return prefix
    return None


def expose_interpreter() -> None:
    """The unprivileged child must read the interpreter and its stdlib. When they live in a
    home the child cannot enter (pyenv under /root, mode 0700), cover that home with an empty
    tmpfs (hiding everything else in it) and bind the interpreter's directories back in."""
    needed = {sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))}
    needed |= {p for p in sys.path if p and os.path.isdir(p)}
    plan: dict[str, list[str]] = {}
    for path in sorted(needed):
        top = _hidden_ancestor(path)
        if top is not None and not any(path.startswith(p + os.sep) for p in plan.get(top, [])):
            plan.setdefault(top, []).append(path)
    stage = "/tmp/.rlvr-stage"
    for top, paths in plan.items():
        staged = []
        for k, path in enumerate(paths):
            target = f"{stage}/{k}"
            os.makedirs(target)
            _mount(path, target, None, MS_BIND | MS_REC)
            staged.append((target, path))
        _mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        for target, path in staged:
            os.makedirs(path, mode=0o755, exist_ok=True)
            _mount(target, path, None, MS_MOVE)
            os.rmdir(target)
    if os.path.isdir(stage):
        os.rmdir(stage)


SYSTEM_LIBS = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/share/zoneinfo", "/etc/localtime")
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")


def minimal_root(tmp_root: str) -> None:
    """Class 8 of issue 9: chroot the worker (so every child) into a tmpfs holding read-only
    binds of the standard library and the system's shared libraries only: no project tree, no
    site-packages, no datasets, caches or homes. Built before the chroot; any failure leaves the
    old root in place (reported)."""
    new = "/tmp/.rlvr-root"
    os.makedirs(new, exist_ok=True)
    _mount("tmpfs", new, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    base = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}  # not the venv's lib (site-packages)
    stdlib = {sysconfig.get_paths(vars=base)[k] for k in ("stdlib", "platstdlib")}
    stdlib |= {p for p in sys.path if p.endswith("lib-dynload")}
    ro = [p for p in (*sorted(stdlib), *SYSTEM_LIBS) if os.path.exists(p)]
    for path in ("/tmp", "/dev/shm"):
        os.makedirs(new + path, exist_ok=True)
        _mount("tmpfs", new + path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=1777")
    for path in ro + [tmp_root, "/proc", *DEVICES]:
        if not os.path.exists(path):
            continue
        target = new + path
        if os.path.isdir(path):
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            open(target, "a").close()
        _mount(path, target, None, MS_BIND | MS_REC)
        if path in ro:
            _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    site = [p for p in sys.path if "site-packages" in p or "dist-packages" in p]
    for path in site:  # a site dir below a bound stdlib dir (pyenv): hide it
        if os.path.isdir(new + path):
            _mount("tmpfs", new + path, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=0755")
    os.chroot(new)
    os.chdir("/")


def setup_worker(cfg: dict) -> tuple[Isolation, bool]:
    """Namespaces and mounts shared by all children of this worker. Returns (report, is_root)."""
    iso = Isolation()
    parent = cfg["parent_pid"]
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)
    os.environ.clear()  # Python's locale coercion may have set LC_CTYPE after exec
    with open("/proc/self/environ", "rb") as f:
        if f.read():
            iso.missing["empty_environment"] = "the worker was started with environment variables"
        else:
            iso.active.append("empty_environment")
    is_root = os.geteuid() == 0
    if not is_root:
        uid, gid = os.getuid(), os.getgid()

        def userns() -> None:
            _unshare(CLONE_NEWUSER)
            with open("/proc/self/setgroups", "w") as f:
                f.write("deny")
            with open("/proc/self/uid_map", "w") as f:
                f.write(f"0 {uid} 1")
            with open("/proc/self/gid_map", "w") as f:
                f.write(f"0 {gid} 1")

        iso.attempt("user_namespace", userns)
    iso.attempt("net_namespace", lambda: _unshare(CLONE_NEWNET))
    iso.attempt("ipc_namespace", lambda: _unshare(CLONE_NEWIPC))
    iso.attempt("uts_namespace", lambda: _unshare(CLONE_NEWUTS))
    has_mnt = iso.attempt("mount_namespace", lambda: _unshare(CLONE_NEWNS))
    # The worker itself moves into a fresh pid namespace (as its pid 1) so that /proc, mounted
    # below, lists only this worker and its children, never the trainer.
    if iso.attempt("worker_pid_namespace", lambda: _unshare(CLONE_NEWPID)):
        pid = os.fork()
        if pid:  # the outer half only relays the exit status
            while True:
                try:
                    _, status = os.waitpid(pid, 0)
                    break
                except InterruptedError:
                    continue
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    iso.attempt("subreaper", lambda: _prctl(PR_SET_CHILD_SUBREAPER, 1))
    tmp_root = cfg["tmp_root"]
    if has_mnt:
        iso.attempt("private_mounts", lambda: _mount(None, "/", None, MS_REC | MS_PRIVATE))

        def readonly_root() -> None:
            attr = _MountAttr(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, 0, 0)  # nodev would break /dev/null
            _check(_libc.syscall(SYS_MOUNT_SETATTR, AT_FDCWD, b"/", AT_RECURSIVE, ctypes.byref(attr),
                                 ctypes.sizeof(attr)), "mount_setattr")

        iso.attempt("readonly_root", readonly_root)

        def hide_sockets() -> None:  # world-writable unix sockets live under /run and /tmp
            for path in ("/run", "/tmp", "/var/tmp", "/dev/shm"):
                if os.path.isdir(path) and not os.path.islink(path):
                    _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
            os.makedirs(tmp_root, exist_ok=True)

        if iso.attempt("private_tmp", hide_sockets) and is_root:
            iso.attempt("interpreter_visible", expose_interpreter)
        size = int(cfg["workdir_mb"])
        def no_ptys() -> None:  # the host's pty pool is out of reach: no ptmx, an empty /dev/pts
            if os.path.exists("/dev/ptmx"):
                _mount("/dev/null", "/dev/ptmx", None, MS_BIND)
            if os.path.isdir("/dev/pts"):
                _mount("tmpfs", "/dev/pts", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0755")

        iso.attempt("no_ptys", no_ptys)
        if iso.attempt("tmpfs_workdir", lambda: _mount(
                "tmpfs", tmp_root, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size}m,mode=0711")):
            def slot_workdirs() -> None:  # one program filling its tmpfs leaves a neighbour's alone
                for slot in range(int(cfg["slots"])):
                    os.makedirs(os.path.join(tmp_root, f"s{slot}"), 0o711, exist_ok=True)
                    _mount("tmpfs", os.path.join(tmp_root, f"s{slot}"), "tmpfs", MS_NOSUID | MS_NODEV,
                           f"size={size}m,mode=0711")

            iso.attempt("workdir_per_slot", slot_workdirs)
        if "worker_pid_namespace" in iso.active:
            iso.attempt("proc_hidepid", lambda: _mount(
                "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2"))
        if is_root and "proc_hidepid" in iso.active:
            iso.attempt("minimal_root", lambda: minimal_root(tmp_root))
    if is_root:
        iso.active.append("uid_drop")
    else:
        iso.missing["uid_drop"] = "not root: children keep the invoking uid (only mapped in a user namespace)"
    # Inherited by every child and irrevocable: set once here, not per program.
    iso.attempt("no_new_privs", lambda: _prctl(PR_SET_NO_NEW_PRIVS, 1))
    for slot in range(int(cfg["slots"])):  # without the per-slot mounts: plain dirs
        os.makedirs(os.path.join(tmp_root, f"s{slot}"), 0o711, exist_ok=True)
    iso.active += ["rlimits", "pdeathsig", "wall_clock_kill"]
    return iso, is_root


# ---------------------------------------------------------------------------------------------
# the child


def _exc_name(exc: BaseException) -> str:
    return _wire.type_name(exc, "Exception")


def run_child(job: dict, out_fd: int = RESULT_FD) -> None:
    """Run solution, setup, then each test's untrusted parts; write JSON lines to ``out_fd``.
    Everything here is inside the sandbox: what it writes is a claim the parent verifies."""

    def emit(obj: dict) -> None:
        try:
            line = dumps(obj)
        except BaseException as exc:  # noqa: BLE001 - e.g. MemoryError on a huge value
            line = json.dumps({W.LINE_KIND: W.L_ENCODE_ERROR, W.ERR: _exc_name(exc)})
        write_all(out_fd, (line + "\n").encode())

    def capture(src: str, truth: bool = False) -> list:
        try:
            value = eval(compile(src, "<test>", "eval"), ns)  # noqa: S307 - inside the sandbox
            # ``truth``: the test needs only bool(value) (plan.py says why that is safe).
            return [1, bool(value) if truth else _wire.encode(value)]
        except BaseException as exc:  # noqa: BLE001
            return [0, _exc_name(exc)]

    ns = {"__name__": "__main__", "__builtins__": builtins}
    emit({W.LINE_KIND: W.L_START})
    for stage, src in ((W.L_CODE_ERROR, job[W.CODE]), (W.L_SETUP_ERROR, job.get(W.SETUP) or "")):
        if not src.strip():
            continue
        try:
            exec(compile(src, "<solution>" if stage == W.L_CODE_ERROR else "<setup>", "exec"), ns)  # noqa: S102
        except BaseException as exc:  # noqa: BLE001
            emit({W.LINE_KIND: stage, W.ERR: _exc_name(exc)})
            return
    for i, ops in enumerate(job[W.TESTS]):
        results, failed = [], None
        for kind, src in ops:
            if kind == W.OP_EXEC:
                try:
                    exec(compile(src, "<test>", "exec"), ns)  # noqa: S102
                except BaseException as exc:  # noqa: BLE001
                    failed = _exc_name(exc)
                    break
            else:
                results.append(capture(src, kind == W.OP_BOOL))
        emit({W.LINE_KIND: W.L_TEST, W.INDEX: i, W.VALUES: results, W.FAILED: failed})
    if job.get(W.CAPTURE):
        emit({W.LINE_KIND: W.L_VALUES, W.VALUES: [capture(src) for src in job[W.CAPTURE]]})
    emit({W.LINE_KIND: W.L_END})


# Limits that do not depend on the job, built once in the worker.
_FIXED_LIMITS = tuple((res, (val, val)) for res, val in (
    (resource.RLIMIT_NPROC, 64), (resource.RLIMIT_FSIZE, 64 << 20),
    (resource.RLIMIT_NOFILE, 256), (resource.RLIMIT_CORE, 0)))
# Without a memory cgroup (fallback, issue 9 class 5) tighter counts bound memory as a whole:
# anonymous memory <= NPROC x RLIMIT_AS, unmapped memfd/tmpfs pages <= NOFILE x RLIMIT_FSIZE.
_FALLBACK_LIMITS = ((resource.RLIMIT_NPROC, (8, 8)), (resource.RLIMIT_NOFILE, (64, 64)))
# Raw signal numbers: ``signal.signal`` converts to and from enums on every call, which
# touches (and so copies) many pages of the forked child for nothing.
_DEFAULT_SIGNALS = tuple(int(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD))
_SIGKILL = int(signal.SIGKILL)


def _read_job(fd: int) -> dict:
    chunks, n = [], 0
    while True:
        chunk = os.pread(fd, 1 << 20, n)
        if not chunk:
            break
        chunks.append(chunk)
        n += len(chunk)
    return json.loads(b"".join(chunks))


# Set by the worker after probing. "cgroup": per slot (cgroup.procs fd, OOM-counter fd).
CHILD = {"seccomp": None, "keyring": False, "ipc": False, "netns": [], "cgroup": []}


def child_main(job_fd: int, wfd: int, hdr: dict, uid: int | None, workdir: str, is_root: bool,
               null_fd: int, slot: int = 0) -> None:
    """In the forked child: read its one job from its memfd (the worker never read it), lock
    down, then run. Never returns. Every step here runs once per program, so it avoids
    Python-level work (each object touched is a copy-on-write fault); no_new_privs is
    inherited from the worker."""
    try:
        if CHILD["cgroup"]:  # first: everything the program allocates is charged to its slot
            os.write(CHILD["cgroup"][slot][0], b"0")
        _signal.set_wakeup_fd(-1)
        job = _read_job(job_fd)
        if CHILD["ipc"]:
            _unshare(CLONE_NEWIPC)  # SysV segments and queues die with the program
        if CHILD["netns"]:
            _check(_libc.setns(CHILD["netns"][slot], CLONE_NEWNET), "setns net")  # one per slot
        os.dup2(wfd, RESULT_FD, inheritable=False)
        for fd in (0, 1, 2):
            os.dup2(null_fd, fd)
        os.closerange(RESULT_FD + 1, 1 << 16)
        os.setsid()
        os.chdir(workdir)
        mem = int(hdr[W.MEMORY]) << 20
        cpu = int(math.ceil(hdr[W.TIMEOUT])) + 1
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        for res, pair in _FIXED_LIMITS if CHILD["cgroup"] else _FIXED_LIMITS + _FALLBACK_LIMITS:
            resource.setrlimit(res, pair)
        if is_root and uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        _check(_libc.prctl(PR_SET_PDEATHSIG, _SIGKILL, 0, 0, 0), "prctl")  # after setuid, which clears it
        if CHILD["keyring"]:
            join_fresh_keyring()  # as the sandbox uid: owned by it, gone with its processes
        if CHILD["seccomp"] is not None:
            install_seccomp(CHILD["seccomp"])  # last: the steps above need unshare/setns/keyctl
        for sig in _DEFAULT_SIGNALS:
            _signal.signal(sig, _signal.SIG_DFL)
        run_child(job)  # os.environ is already empty: the worker cleared it at start-up
    except BaseException as exc:  # noqa: BLE001 - the harness itself failed: say so, no verdict
        try:
            write_all(RESULT_FD, (json.dumps({W.LINE_KIND: W.L_HARNESS_ERROR, W.ERR: repr(exc)[:300]}) + "\n").encode())
        except BaseException:  # noqa: BLE001
            pass
    os._exit(0)


# ---------------------------------------------------------------------------------------------
# the worker loop


def remove_tree(path: str) -> None:
    """Remove a program's work dir without recursion and without long paths (1,500 nested
    dirs exhaust ``shutil.rmtree``'s recursion; a deep tree of long names exceeds PATH_MAX):
    walk down by ``chdir`` into one short relative name at a time, unlink what is there, and
    come back up with ``..``. Safe because every process of the program is dead by now, so
    nothing can swap a directory for a symlink meanwhile; ``is_dir(follow_symlinks=False)``
    never enters a link. The worker is single-threaded, so changing its cwd is harmless."""
    try:
        os.chdir(path)
    except OSError:
        return
    names: list[str] = []  # the directories walked into, from ``path`` down
    try:
        while True:
            sub = None
            with os.scandir(".") as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        sub = entry.name
                        break
                    try:
                        os.unlink(entry.name)
                    except OSError:
                        pass
            if sub is not None:
                try:
                    os.chmod(sub, 0o700)
                    os.chdir(sub)
                    names.append(sub)
                    continue
                except OSError:
                    return  # cannot enter (not root and not ours): leave it, never loop
            if not names:
                break
            os.chdir("..")
            os.rmdir(names.pop())
    finally:
        os.chdir("/")
    try:
        os.rmdir(path)
    except OSError:
        pass


class Running:
    __slots__ = ("job_id", "pid", "slot", "workdir", "start", "deadline", "status",
                 "rusage", "timed_out", "ooms")

    def __init__(self, job_id, pid, slot, workdir, start, deadline):
        self.job_id, self.pid, self.slot = job_id, pid, slot
        self.workdir, self.start, self.deadline = workdir, start, deadline
        self.status = None
        self.rusage = None
        self.timed_out = False
        self.ooms = 0  # the slot's OOM-kill count before the program started


class Worker:
    def __init__(self, cfg: dict, iso: Isolation, is_root: bool) -> None:
        self.cfg, self.iso, self.is_root = cfg, iso, is_root
        self.slots = list(range(int(cfg["slots"])))
        self.queue: list[tuple[dict, int, int]] = []  # (header, job memfd, result memfd)
        self.running: dict[int, Running] = {}  # pid -> Running
        self.sel = selectors.DefaultSelector()
        self.sock = socket.socket(fileno=int(cfg["sock_fd"]))
        self.pidns = "pid_namespace_per_program" in iso.active
        self.own_pidns = os.open("/proc/self/ns/pid", os.O_RDONLY) if self.pidns else -1
        r, w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.wake_r = r
        signal.set_wakeup_fd(w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.sel.register(self.sock.fileno(), selectors.EVENT_READ, "parent")
        self.sel.register(r, selectors.EVENT_READ, "wake")
        self.null_fd = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
        self.counter = 0

    def uid_for(self, slot: int) -> int:
        return int(self.cfg["uid_base"]) + slot

    def start(self, entry: tuple[dict, int, int]) -> None:
        job, job_fd, out = entry
        slot = self.slots.pop()
        self.counter += 1
        workdir = os.path.join(self.cfg["tmp_root"], f"s{slot}", f"w{self.cfg['index']}-{self.counter}")
        os.mkdir(workdir, 0o700)
        uid = self.uid_for(slot) if self.is_root else None
        if uid is not None:
            os.chown(workdir, uid, uid)
        # Results go to an anonymous in-memory file (made and read by the parent, never by this
        # worker) once the child is gone, not to a pipe: one wake-up per program. The child can
        # write anything there: it is only a claim. RLIMIT_FSIZE bounds its size.
        gc.freeze()  # the child's collector then skips the worker's objects: fewer copy-on-write faults
        if self.pidns:
            _unshare(CLONE_NEWPID)  # the next fork becomes pid 1 of a fresh namespace
        try:
            pid = os.fork()
            if pid == 0:
                child_main(job_fd, out, job, uid, workdir, self.is_root, self.null_fd, slot)
        finally:
            if self.pidns:  # back to our own namespace, so the next unshare is allowed
                _check(_libc.setns(self.own_pidns, CLONE_NEWPID), "setns")
            os.close(job_fd)
            os.close(out)
        now = time.monotonic()
        run = self.running[pid] = Running(job[W.ID], pid, slot, workdir, now, now + float(job[W.TIMEOUT]))
        if CHILD["cgroup"]:  # the child cannot be OOM-killed before it has moved in
            run.ooms = oom_kills(CHILD["cgroup"][slot][1])

    def kill(self, run: Running) -> None:
        try:
            os.kill(run.pid, signal.SIGKILL)  # pid 1 of its namespace: the kernel kills the rest
        except ProcessLookupError:
            pass
        if not self.pidns:
            try:
                os.killpg(run.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def sweep_uid(self, uid: int) -> None:
        """Without pid namespaces: kill every process left with this child's unique uid
        (setsid daemons escape the process group but not their uid). kill(-1) from a helper
        running as that uid reaches exactly those processes; repeat until none is left."""
        for _ in range(5):
            pid = os.fork()
            if pid == 0:
                try:
                    os.setresuid(uid, uid, uid)
                    os.kill(-1, signal.SIGKILL)  # Linux spares the caller itself
                    os._exit(1)
                except ProcessLookupError:
                    os._exit(0)  # nothing left with this uid
                except BaseException:  # noqa: BLE001
                    os._exit(2)
            _, status = os.waitpid(pid, 0)
            if os.WIFEXITED(status) and os.WEXITSTATUS(status) in (0, 2):
                return

    def finish(self, run: Running) -> dict:
        """Clean up after a child that has exited; return its exit report."""
        del self.running[run.pid]
        if self.is_root and not self.pidns:
            self.sweep_uid(self.uid_for(run.slot))
        try:
            os.rmdir(run.workdir)  # the common case: the program wrote nothing
        except OSError:
            remove_tree(run.workdir)
        self.slots.append(run.slot)
        status = run.status
        return {
            W.ID: run.job_id,
            W.MS: (time.monotonic() - run.start) * 1000.0,
            W.EXIT: os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            W.SIG: os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            W.TIMED_OUT: run.timed_out,
            W.RSS_KB: run.rusage.ru_maxrss if run.rusage else 0,
            W.OOM: bool(CHILD["cgroup"]) and oom_kills(CHILD["cgroup"][run.slot][1]) > run.ooms,
        }

    def reap(self) -> None:
        """Collect every exited child; their results leave in one write."""
        frames = []
        while True:
            try:
                pid, status, rusage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            run = self.running.get(pid)
            if run is not None:
                run.status, run.rusage = status, rusage
                frames.append(self.finish(run))
        if frames:
            W.send_msg(self.sock, {W.KIND: W.DONE, W.RESULTS: frames})

    def handle_parent(self) -> bool:
        got = W.recv_msg(self.sock)
        if got is None:
            return False
        msg, fds = got
        headers = msg.get(W.JOB_LIST) if msg.get(W.KIND) == W.JOBS else None
        if not isinstance(headers, list) or len(fds) != 2 * len(headers):
            for fd in fds:
                os.close(fd)
            return True
        for k, hdr in enumerate(headers):
            self.queue.append((hdr, fds[2 * k], fds[2 * k + 1]))
        return True

    def loop(self) -> None:
        while True:
            while self.queue and self.slots:
                self.start(self.queue.pop(0))
            now = time.monotonic()
            for run in list(self.running.values()):
                if run.deadline <= now and not run.timed_out:
                    run.timed_out = True
                    self.kill(run)
            deadlines = [r.deadline for r in self.running.values() if not r.timed_out]
            timeout = max(0.0, min(deadlines) - now) if deadlines else None
            for key, _ in self.sel.select(timeout):
                if key.data == "parent":
                    if not self.handle_parent():
                        for run in list(self.running.values()):
                            self.kill(run)
                        return
                else:
                    try:
                        while os.read(self.wake_r, 4096):
                            pass
                    except BlockingIOError:
                        pass
            self.reap()


# Imported once in the worker so children find them in sys.modules instead of reading disk:
# the modules MBPP solutions and model completions use most (a fork shares them for free).
PRELOAD = (
    "re math cmath collections itertools functools heapq bisect operator string array copy "
    "datetime decimal fractions typing dataclasses enum textwrap unicodedata struct hashlib base64 "
    "calendar numbers"
).split()
# Not preloaded on purpose: threading/queue and random/statistics register at-fork hooks
# (thread bookkeeping, reseeding) that every child would run, ~0.3 ms each; MBPP never
# imports them and a program that does pays the import itself.


def preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def warm_up() -> None:
    """Run the harness once, in the worker, on a trusted program. CPython initialises some
    state lazily on first use and every forked child would pay for it again: the first
    ``compile()`` alone builds all AST node types (~1.5 ms), plus the JSON encoder paths."""
    r, w = os.pipe()
    try:
        run_child({W.CODE: "def f(x):\n    return [x, (x,), {x: x}]", W.SETUP: "y = f(1)",
                   W.TESTS: [[[W.OP_EXEC, "z = 1"], [W.OP_EVAL, "f(2)"], [W.OP_BOOL, "f(1)"], [W.OP_EVAL, "1 / 0"]]],
                   W.CAPTURE: ["y"]}, w)
    finally:
        os.close(w)
        while os.read(r, 1 << 16):
            pass
        os.close(r)


def main() -> None:
    cfg = json.loads(sys.argv[1])
    preload()
    warm_up()
    # Opened before the mounts and the chroot hide /sys/fs/cgroup; children inherit the fds.
    slot_cgroups = [(os.open(os.path.join(path, "cgroup.procs"), os.O_WRONLY | os.O_CLOEXEC),
                     os.open(os.path.join(path, cfg["cgroup_oom_file"]), os.O_RDONLY | os.O_CLOEXEC))
                    for path in cfg.get("cgroups") or ()]
    iso, is_root = setup_worker(cfg)
    iso.attempt("pid_namespace_per_program", lambda: _probe_pidns())
    probe_child_mechanisms(iso, cfg, slot_cgroups)
    W.send_msg(socket.socket(fileno=os.dup(int(cfg["sock_fd"]))),
               {W.KIND: W.HELLO, W.ACTIVE: iso.active, W.MISSING: iso.missing, W.PID: os.getpid()})
    Worker(cfg, iso, is_root).loop()


def _in_probe_child(fn) -> None:
    """Run ``fn`` in a throwaway fork (so it cannot change this worker); raise if it failed."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            fn()
            os._exit(0)
        except BaseException as exc:  # noqa: BLE001
            os.write(w, str(exc).encode()[:500])
            os._exit(1)
    os.close(w)
    why = b""
    while chunk := os.read(r, 4096):
        why += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise OSError(why.decode() or f"probe exit status {status}")


def probe_child_mechanisms(iso: Isolation, cfg: dict, slot_cgroups: list[tuple[int, int]]) -> None:
    """Per-program mechanisms, each tried once here; the child uses only those that worked.
    ``cfg["disable"]`` (benchmarks only: what each one costs) skips some, reported missing."""
    off = set(cfg.get("disable") or ())
    for name in off:
        iso.missing[name] = "disabled by the caller (benchmark)"
    if "memory_cgroup" not in off:
        if not slot_cgroups:
            iso.missing["memory_cgroup"] = cfg.get("cgroup_missing") or "no slot cgroups were made"
        elif iso.attempt("memory_cgroup", lambda: _in_probe_child(lambda: os.write(slot_cgroups[0][0], b"0"))):
            CHILD["cgroup"] = slot_cgroups
    if "ipc_namespace_per_program" not in off and iso.attempt("ipc_namespace_per_program", lambda: _in_probe_child(lambda: _unshare(CLONE_NEWIPC))):
        CHILD["ipc"] = True

    def slot_netns() -> None:
        own = os.open("/proc/self/ns/net", os.O_RDONLY)
        try:
            for _ in range(int(cfg["slots"])):
                _unshare(CLONE_NEWNET)
                CHILD["netns"].append(os.open("/proc/self/ns/net", os.O_RDONLY))
        finally:
            _check(_libc.setns(own, CLONE_NEWNET), "setns net")
            os.close(own)

    if "net_namespace_per_slot" in off or not iso.attempt("net_namespace_per_slot", slot_netns):
        CHILD["netns"] = []
    if "fresh_keyring" not in off and iso.attempt("fresh_keyring", lambda: _in_probe_child(join_fresh_keyring)):
        CHILD["keyring"] = True
    fprog = build_seccomp()
    if fprog is None:
        iso.missing["seccomp"] = f"no syscall table for {os.uname().machine}"
    elif "seccomp" not in off and iso.attempt("seccomp", lambda: _in_probe_child(lambda: install_seccomp(fprog))):
        CHILD["seccomp"] = fprog


def _probe_pidns() -> None:
    """unshare(CLONE_NEWPID) only affects later forks; undo it with setns so the check is free."""
    own = os.open("/proc/self/ns/pid", os.O_RDONLY)
    try:
        _unshare(CLONE_NEWPID)
        _check(_libc.setns(own, CLONE_NEWPID), "setns")
    finally:
        os.close(own)


if __name__ == "__main__":
    try:
        main()
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
