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

import base64
import math

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
            return _SEQ_TAGS[tag](decode(x) for x in body)
        if tag == "d":
            if type(body) is not list:
                raise DecodeError("dict body")
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise DecodeError("dict pair")
                out[decode(pair[0])] = decode(pair[1])
            return out
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
