"""The worker link's wire format: versioned frames of JSON and raw arrays, safe to decode.

Between a trusted measurer (:mod:`graders.measurer`) and the learner worker (:mod:`graders.worker`)
every message is one frame::

    header  16 bytes   b"LSW", the protocol version (1 byte), JSON length (u32 LE), blob length (u64 LE)
    json    UTF-8 JSON — the message; NaN and ±Infinity are allowed as values
    blob    the bytes of the message's arrays, back to back

An array is a JSON object ``{"__array__": {"dtype": "float32", "shape": [2, 3], "offset": 0,
"as": "torch"}}``: its bytes are ``blob[offset : offset + itemsize × ∏shape]``, little-endian, C
order. A value that cannot be sent (a function, a model, a dict with non-string keys) travels as
``{"__opaque__": {"type": "Linear", "repr": "…"}}`` and arrives as an :class:`Opaque`.

**Decoding executes nothing.** A frame becomes JSON values, :class:`Array` (bytes of an allowed
dtype, bounds-checked against the blob) and :class:`Opaque` — never ``pickle``, never
``torch.load``, no import driven by the data. Sizes are checked from the header *before* the body is
read, so an oversized frame costs nothing to refuse. Every failure is a :class:`WireError`
(:class:`Malformed`, :class:`TooLarge`, :class:`Timeout`, :class:`Closed`); the measurer turns each
into a learner fault.

Arrays arrive as :class:`Array`; ``Array.to_torch()`` / ``to_numpy()`` make a tensor or an
ndarray (a copy). The worker gives the learner's function what the measurer sent: an array sent
from a torch tensor arrives as a torch tensor, from an ndarray as an ndarray.

Standard library only (torch and numpy are imported only to convert arrays that are theirs).
"""

from __future__ import annotations

import json
import math
import socket
import struct
import sys
import time
from collections.abc import Iterator
from typing import Any, Literal

__all__ = ["DTYPES", "MAX_FRAME_BYTES", "MAX_JSON_BYTES", "PROTOCOL_VERSION", "Array", "Closed", "Malformed",
           "Opaque", "Timeout", "TooLarge", "WireError", "decode", "encode", "encode_parts", "receive", "send",
           "send_parts"]

PROTOCOL_VERSION = 1
MAGIC = b"LSW"
HEADER = struct.Struct("<3sBIQ")
MAX_JSON_BYTES = 16 * 1024 * 1024
MAX_FRAME_BYTES = 256 * 1024 * 1024
#: dtype → bytes per element. Nothing else is accepted.
DTYPES: dict[str, int] = {"bool": 1, "uint8": 1, "int8": 1, "int16": 2, "int32": 4, "int64": 8, "float16": 2,
                          "bfloat16": 2, "float32": 4, "float64": 8}
ArrayKind = Literal["torch", "numpy", "array"]

if sys.byteorder != "little":  # pragma: no cover - every platform we grade on is little-endian
    raise ImportError("graders.wire sends arrays as little-endian bytes and needs a little-endian machine")


class WireError(Exception):
    """A frame could not be sent or received. The measurer makes each a learner fault."""


class Malformed(WireError):
    """Bytes that are not a frame of this protocol, or a frame whose content is invalid."""


class TooLarge(WireError):
    """A frame larger than the receiver allows (refused from its header, before the body is read)."""


class Timeout(WireError):
    """No complete frame before the deadline."""


class Closed(WireError):
    """The other end closed the link (its process ended) before a complete frame arrived."""


class Array:
    """An n-dimensional array as bytes: ``dtype`` (a key of :data:`DTYPES`), ``shape``, ``data``
    (little-endian, C order) and ``as_`` — what it was made from, and what the worker turns it back into."""

    __slots__ = ("as_", "data", "dtype", "shape")

    def __init__(self, dtype: str, shape: tuple[int, ...], data: bytes, as_: ArrayKind = "array") -> None:
        if dtype not in DTYPES:
            raise Malformed(f"array dtype {dtype!r} is not one of {', '.join(DTYPES)}")
        if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in shape):
            raise Malformed(f"array shape {list(shape)} is not a list of non-negative integers")
        if len(data) != DTYPES[dtype] * math.prod(shape):
            raise Malformed(f"array of {dtype} {list(shape)} needs {DTYPES[dtype] * math.prod(shape)} bytes, "
                            f"got {len(data)}")
        self.dtype, self.shape, self.data, self.as_ = dtype, tuple(shape), data, as_

    def __repr__(self) -> str:
        return f"Array({self.dtype}, {list(self.shape)}, as {self.as_})"

    @property
    def nbytes(self) -> int:
        return len(self.data)

    # --- conversions (imported lazily: the worker starts on the standard library alone) -------

    @classmethod
    def from_torch(cls, tensor: Any) -> Array:
        """A copy of ``tensor`` (any device; detached)."""
        import torch

        t = tensor.detach().to("cpu").contiguous()
        dtype = str(t.dtype).removeprefix("torch.")
        if dtype not in DTYPES:
            raise TypeError(f"cannot send a {t.dtype} tensor; send one of {', '.join(DTYPES)}")
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        return cls(dtype, tuple(t.shape), raw, "torch")

    @classmethod
    def from_numpy(cls, array: Any) -> Array:
        import numpy as np

        a = np.ascontiguousarray(array)
        dtype = str(a.dtype)
        if dtype not in DTYPES:
            raise TypeError(f"cannot send a {a.dtype} array; send one of {', '.join(DTYPES)}")
        return cls(dtype, tuple(int(n) for n in a.shape), a.astype(a.dtype.newbyteorder("<")).tobytes(), "numpy")

    def to_torch(self) -> Any:
        """A new CPU tensor holding a copy of the bytes."""
        import torch

        dtype = getattr(torch, self.dtype)
        if not self.data:
            return torch.empty(self.shape, dtype=dtype)
        return torch.frombuffer(bytearray(self.data), dtype=torch.uint8).view(dtype).reshape(self.shape)

    def to_numpy(self) -> Any:
        import numpy as np

        if self.dtype == "bfloat16":
            raise TypeError("numpy has no bfloat16: use to_torch()")
        return np.frombuffer(self.data, dtype=np.dtype(self.dtype).newbyteorder("<")).reshape(self.shape).copy()

    def native(self) -> Any:
        """What it was made from: a tensor, an ndarray, or this Array."""
        if self.as_ == "torch":
            return self.to_torch()
        if self.as_ == "numpy":
            return self.to_numpy()
        return self


class Opaque:
    """A value that could not be sent as data: its type's name and a short ``repr``."""

    __slots__ = ("repr", "type")

    def __init__(self, type_: str, repr_: str) -> None:
        self.type, self.repr = type_, repr_

    def __repr__(self) -> str:
        return f"<{self.type}: {self.repr}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and (self.type, self.repr) == (other.type, other.repr)

    def __hash__(self) -> int:
        return hash((self.type, self.repr))


_RESERVED = ("__array__", "__opaque__")


def _module_of(value: Any) -> str:
    return type(value).__module__.partition(".")[0]


def _to_json(value: Any, blobs: list[bytes], offset: list[int], depth: int) -> Any:
    if depth > 64:
        return _opaque(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_to_json(v, blobs, offset, depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value) or any(k in value for k in _RESERVED):
            return _opaque(value)
        return {k: _to_json(v, blobs, offset, depth + 1) for k, v in value.items()}
    if isinstance(value, Opaque):
        return {"__opaque__": {"type": value.type, "repr": value.repr}}
    array: Array | None = None
    try:
        if isinstance(value, Array):
            array = value
        elif _module_of(value) == "torch" and hasattr(value, "detach"):
            array = Array.from_torch(value)
        elif _module_of(value) == "numpy" and hasattr(value, "dtype") and hasattr(value, "shape"):
            array = Array.from_numpy(value)
    except (TypeError, RuntimeError, ValueError):
        return _opaque(value)
    if array is None:
        return _opaque(value)
    ref = {"dtype": array.dtype, "shape": list(array.shape), "offset": offset[0], "as": array.as_}
    blobs.append(array.data)
    offset[0] += array.nbytes
    return {"__array__": ref}


def _opaque(value: Any) -> dict[str, Any]:
    try:
        text = repr(value)
    except Exception:  # a learner's __repr__ may raise: the type's name is enough
        text = "?"
    return {"__opaque__": {"type": type(value).__name__, "repr": text[:200]}}


def encode(message: dict[str, Any]) -> bytes:
    """One frame holding ``message``. Tensors and ndarrays become arrays; anything that is not JSON
    becomes an :class:`Opaque` (so a learner's odd return value is reported, not a crash)."""
    return b"".join(encode_parts(message))


def encode_parts(message: dict[str, Any]) -> list[bytes]:
    """The frame of :func:`encode` as pieces to send one after another (header and JSON, then each
    array's bytes): a large array is not copied again into one buffer — what a memory measurement
    that ends when the reply has arrived would otherwise count against the learner."""
    blobs: list[bytes] = []
    body = json.dumps(_to_json(message, blobs, [0], 0), allow_nan=True, separators=(",", ":")).encode()
    size = sum(len(b) for b in blobs)
    return [HEADER.pack(MAGIC, PROTOCOL_VERSION, len(body), size) + body, *blobs]


def _check_header(header: bytes, max_bytes: int) -> tuple[int, int]:
    magic, version, json_len, blob_len = HEADER.unpack(header)
    if magic != MAGIC:
        raise Malformed("not a frame of the grader's protocol (bad header)")
    if version != PROTOCOL_VERSION:
        raise Malformed(f"protocol version {version}, expected {PROTOCOL_VERSION}")
    if json_len > min(MAX_JSON_BYTES, max_bytes) or json_len + blob_len > max_bytes:
        raise TooLarge(f"a frame of {HEADER.size + json_len + blob_len} bytes (the limit is {max_bytes})")
    return json_len, blob_len


def decode(frame: bytes, *, max_bytes: int = MAX_FRAME_BYTES) -> dict[str, Any]:
    """The message of one complete frame. Raises :class:`WireError` for anything else."""
    if len(frame) < HEADER.size:
        raise Malformed("a frame shorter than its header")
    json_len, blob_len = _check_header(frame[:HEADER.size], max_bytes)
    if len(frame) != HEADER.size + json_len + blob_len:
        raise Malformed(f"a frame of {len(frame)} bytes whose header says {HEADER.size + json_len + blob_len}")
    return _decode_body(frame[HEADER.size:HEADER.size + json_len], memoryview(frame)[HEADER.size + json_len:])


def _decode_body(body: bytes, blob: memoryview) -> dict[str, Any]:
    def hook(obj: dict[str, Any]) -> Any:
        if "__array__" in obj:
            spec = obj["__array__"]
            if len(obj) != 1 or not isinstance(spec, dict):
                raise Malformed("an array marker with other keys")
            dtype, shape, start, as_ = spec.get("dtype"), spec.get("shape"), spec.get("offset"), spec.get("as")
            if dtype not in DTYPES or not isinstance(shape, list) or not isinstance(start, int) \
                    or isinstance(start, bool) or as_ not in ("torch", "numpy", "array"):
                raise Malformed(f"an invalid array description: {str(spec)[:120]}")
            if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in shape) or len(shape) > 32:
                raise Malformed(f"an invalid array shape: {str(shape)[:120]}")
            size = DTYPES[dtype] * math.prod(shape)
            if start < 0 or start + size > len(blob):
                raise Malformed(f"an array of {size} bytes at offset {start} outside a blob of {len(blob)} bytes")
            return Array(dtype, tuple(shape), bytes(blob[start:start + size]), as_)
        if "__opaque__" in obj:
            spec = obj["__opaque__"]
            if len(obj) != 1 or not isinstance(spec, dict) or not isinstance(spec.get("type"), str) \
                    or not isinstance(spec.get("repr"), str):
                raise Malformed("an invalid opaque marker")
            return Opaque(spec["type"], spec["repr"])
        return obj

    try:
        message = json.loads(body.decode("utf-8"), object_hook=hook)
    except Malformed:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Malformed(f"the frame's JSON is invalid ({str(exc)[:120]})") from None
    if not isinstance(message, dict):
        raise Malformed(f"a frame holding a {type(message).__name__}, not a message object")
    return message


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    """Send one frame (blocking). ``OSError`` when the other end is gone."""
    send_parts(sock, encode_parts(message))


def send_parts(sock: socket.socket, parts: list[bytes]) -> None:
    """Send the pieces of one frame (:func:`encode_parts`) in order."""
    for part in parts:
        if part:
            sock.sendall(part)


def _read_exactly(sock: socket.socket, n: int, deadline: float | None) -> bytes:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no complete reply before the deadline")
            sock.settimeout(left)
        else:
            sock.settimeout(None)
        try:
            k = sock.recv_into(view[got:], n - got)
        except TimeoutError:
            raise Timeout("no complete reply before the deadline") from None
        except OSError as exc:
            raise Closed(f"the link broke ({exc})") from None
        if k == 0:
            raise Closed("the other end closed the link")
        got += k
    return bytes(buf)


def receive(sock: socket.socket, *, deadline: float | None = None, max_bytes: int = MAX_FRAME_BYTES,
            ) -> dict[str, Any]:
    """The next message on ``sock``; ``deadline`` is a ``time.monotonic()`` instant (None: wait)."""
    json_len, blob_len = _check_header(_read_exactly(sock, HEADER.size, deadline), max_bytes)
    body = _read_exactly(sock, json_len + blob_len, deadline)
    return _decode_body(body[:json_len], memoryview(body)[json_len:])


def iter_arrays(value: Any) -> Iterator[Array]:
    """Every :class:`Array` inside a decoded value (for size accounting and tests)."""
    if isinstance(value, Array):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from iter_arrays(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from iter_arrays(v)
