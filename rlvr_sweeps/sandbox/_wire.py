"""Tagged plain-data encoding used between the sandboxed child and the trusted parent.

Stdlib only: the worker imports this file directly (without the package) and the parent
imports it as ``rlvr_sweeps.sandbox._wire``. No pickle: values travel as JSON where every
container carries a one-letter tag, so tuple/list, set/frozenset, dicts with non-string keys,
bytes, complex, inf/nan and big ints survive exactly. Anything that is not plain builtin data
(a user object, a generator, a function) becomes an *opaque* marker that equals nothing, so a
user object with an overridden ``__eq__`` never reaches a trusted comparison.

The encoder runs in the untrusted child, so its output is a *claim*; the decoder runs in the
parent and accepts any bytes, building builtin objects only.
"""

from __future__ import annotations

import array
import base64
import json
import math
import socket

MAX_DEPTH = 200
_SMALL_INT = 2**53


def encode(value: object, depth: int = 0) -> object:
    """Turn a value into JSON-safe tagged data (runs in the child; best effort, never raises)."""
    if depth > MAX_DEPTH:
        return {"o": "deep"}
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    try:
        if isinstance(value, bool):  # bool subclasses are impossible, kept for safety
            return bool(value)
        if isinstance(value, int):  # int and subclasses (IntEnum, ...) compare as ints
            v = int.__index__(value)
            return v if -_SMALL_INT < v < _SMALL_INT else {"i": hex(v)}
        if isinstance(value, float):
            v = float.__float__(value)
            return v if math.isfinite(v) else {"f": repr(v)}
        if isinstance(value, str):
            return str.__str__(value)
        if isinstance(value, complex):
            re_, im = complex.real.__get__(value), complex.imag.__get__(value)
            return {"c": [encode(re_), encode(im)]}
        if isinstance(value, (bytes, bytearray)):
            tag = "b" if isinstance(value, bytes) else "B"
            return {tag: base64.b64encode(bytes(value)).decode("ascii")}
        # namedtuple -> tuple; OrderedDict/defaultdict/Counter -> dict: Python compares them
        # equal to the plain types, and the parent only ever sees the plain types.
        if isinstance(value, tuple):
            return {"t": [encode(x, depth + 1) for x in tuple.__iter__(value)]}
        if isinstance(value, list):
            return {"l": [encode(x, depth + 1) for x in list.__iter__(value)]}
        if isinstance(value, frozenset):
            return {"F": [encode(x, depth + 1) for x in frozenset.__iter__(value)]}
        if isinstance(value, set):
            return {"s": [encode(x, depth + 1) for x in set.__iter__(value)]}
        if isinstance(value, dict):
            return {"d": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in dict.items(value)]}
    except BaseException:  # noqa: BLE001 - a hostile value must not break the harness
        return {"o": "error"}
    return {"o": type_name(value)}


def type_name(value: object, default: str = "object") -> str:
    """The class name of a value the child may have forged (a metaclass can make `__name__`
    anything, or raise): `default` unless it is a real str."""
    try:
        name = type(value).__name__
        return name if isinstance(name, str) else default
    except BaseException:  # noqa: BLE001
        return default


class Opaque:
    """A value the child returned that is not plain data: it equals nothing, not even itself,
    and refuses truthiness, ordering and hashing-by-value, so no assert can pass through it."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        raise TypeError(f"opaque {self.type_name} value has no truth value in a test")

    def __repr__(self) -> str:
        return f"<opaque {self.type_name}>"


class DecodeError(ValueError):
    """The child sent something that is not a valid tagged value."""


_SEQ_TAGS = {"t": tuple, "l": list, "s": set, "F": frozenset}
MAX_SHARED_HASHES = 32


def _refuse_collisions(keys: list) -> None:
    """Building a set or dict costs O(n^2) when many keys share one hash (40,000 ints that
    are multiples of 2**61 - 1 all hash to 0: seconds in the parent). The child built the
    container, so its keys are distinct; distinct keys with equal hashes are rare honestly
    (-1 and -2), so more than a few of them is an attack: refuse in linear time."""
    if len(keys) > MAX_SHARED_HASHES and len(keys) - len({hash(k) for k in keys}) > MAX_SHARED_HASHES:
        raise DecodeError("hash-colliding keys")


def decode(data: object) -> object:
    """Build builtin objects (or Opaque) from tagged data. Raises DecodeError on bad input."""
    t = type(data)
    if data is None or t is bool or t is str or t is int:
        return data
    if t is float:
        return data
    if t is not dict or len(data) != 1:
        raise DecodeError(f"untagged {t.__name__}")
    ((tag, body),) = data.items()
    try:
        if tag in _SEQ_TAGS:
            if type(body) is not list:
                raise DecodeError("sequence body")
            items = [decode(x) for x in body]
            if tag in ("s", "F"):
                _refuse_collisions(items)
            return _SEQ_TAGS[tag](items)
        if tag == "d":
            if type(body) is not list:
                raise DecodeError("dict body")
            keys, vals = [], []
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise DecodeError("dict pair")
                keys.append(decode(pair[0]))
                vals.append(decode(pair[1]))
            _refuse_collisions(keys)
            return dict(zip(keys, vals, strict=True))
        if tag == "i" and type(body) is str:
            return int(body, 16)
        if tag == "f" and body in ("inf", "-inf", "nan"):
            return float(body)
        if tag == "c" and type(body) is list and len(body) == 2:
            re_, im = decode(body[0]), decode(body[1])
            if type(re_) is not float or type(im) is not float:
                raise DecodeError("complex parts")
            return complex(re_, im)
        if tag in ("b", "B") and type(body) is str:
            raw = base64.b64decode(body.encode("ascii"), validate=True)
            return raw if tag == "b" else bytearray(raw)
        if tag == "o" and type(body) is str:
            return Opaque(body[:100])
    except DecodeError:
        raise
    except (TypeError, ValueError, RecursionError) as exc:  # unhashable keys, bad hex/base64
        raise DecodeError(str(exc)) from None
    raise DecodeError(f"bad tag {tag!r}")


# ---------------------------------------------------------------------------------------------
# The protocol. One home for every message kind and key, used by executor.py (parent),
# _worker.py (worker) and the child harness.
#
# parent <-> worker: one JSON object per SOCK_SEQPACKET datagram (the socket keeps message
# boundaries, so there is no length prefix), fds attached with SCM_RIGHTS. The worker never
# sees a program's code, tests or results: the parent writes each job into a memfd and passes
# it, with an empty result memfd, to the worker, which hands both to the forked child and
# closes its copies. So the worker's memory, from which every child is forked, holds no other
# program's data (issue 9, class 1).
#
# child -> parent: JSON lines in the result memfd (a claim, see executor.py).

KIND = "kind"
HELLO, JOBS, DONE = "hello", "jobs", "done"  # worker->parent, parent->worker, worker->parent
# HELLO keys
ACTIVE, MISSING, PID = "active", "missing", "pid"
# JOBS: JOB_LIST of {ID, TIMEOUT, MEMORY}; fds: [job memfd, result memfd] per job, in order
JOB_LIST, ID, TIMEOUT, MEMORY = "jobs", "id", "timeout_s", "memory_mb"
# the job memfd: {CODE, SETUP, TESTS, CAPTURE}
CODE, SETUP, TESTS, CAPTURE = "code", "setup", "tests", "capture"
# DONE: RESULTS of {ID, MS, EXIT, SIG, TIMED_OUT, RSS_KB, OOM}; OOM: the slot's memory cgroup
# OOM-killed one of the program's processes while it ran
RESULTS, MS, EXIT, SIG, TIMED_OUT, RSS_KB, OOM = "results", "ms", "exit", "sig", "timeout", "rss_kb", "oom"

# child result lines: {LINE_KIND: one of the L_* kinds, ...}
LINE_KIND = "k"
L_START, L_CODE_ERROR, L_SETUP_ERROR, L_TEST, L_VALUES, L_END = "start", "c", "s", "t", "v", "end"
L_ENCODE_ERROR, L_HARNESS_ERROR = "encode_error", "harness_error"
ERR, INDEX, VALUES, FAILED = "e", "i", "r", "x"  # exception name, test index, claimed values, statement error
# test ops (plan.TestPlan.ops kinds): exec a statement, evaluate and send, send only bool()
OP_EXEC, OP_EVAL, OP_BOOL = "x", "e", "b"

MAX_MSG = 1 << 20  # a control datagram (headers only: never a program's data)
MAX_FDS = 250  # SCM_MAX_FD is 253


def send_msg(sock, obj: dict, fds: list[int] = ()) -> None:  # type: ignore[assignment]
    """One datagram; raises OSError when the peer is gone."""
    body = json.dumps(obj, separators=(",", ":")).encode()
    if fds:
        sock.sendmsg([body], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    else:
        sock.send(body)


def recv_msg(sock) -> tuple[dict, list[int]] | None:
    """One datagram and its fds; None at end of stream. Malformed bodies raise ValueError."""
    fds = array.array("i")
    msg, anc, _flags, _addr = sock.recvmsg(MAX_MSG, socket.CMSG_LEN(MAX_FDS * fds.itemsize))
    for level, type_, data in anc:
        if level == socket.SOL_SOCKET and type_ == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    if not msg and not fds:
        return None
    obj = json.loads(msg)
    if not isinstance(obj, dict):
        raise ValueError("message is not an object")
    return obj, list(fds)
