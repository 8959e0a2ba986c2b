"""The worker link's wire format: what it carries intact, and every way a frame is refused."""

from __future__ import annotations

import json
import math
import socket
import struct
import threading
import time
from collections.abc import Iterator

import pytest

from graders import wire


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    a, b = socket.socketpair()
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def frame(body: bytes, blob: bytes = b"", *, magic: bytes = b"LSW", version: int = wire.PROTOCOL_VERSION) -> bytes:
    return struct.pack("<3sBIQ", magic, version, len(body), len(blob)) + body + blob


def test_json_values_round_trip_including_nan_and_infinity() -> None:
    message = {"op": "call", "args": [1, 2.5, "Ёлка 🙂", None, True, [1, [2, {"k": "v"}]]],
               "edge": [math.inf, -math.inf]}
    back = wire.decode(wire.encode({**message, "nan": math.nan}))
    assert {k: back[k] for k in message} == message
    assert math.isnan(back["nan"])


def test_tuples_arrive_as_lists() -> None:
    assert wire.decode(wire.encode({"v": (1, (2, 3))}))["v"] == [1, [2, 3]]


def test_torch_tensors_round_trip_bit_for_bit_in_every_dtype() -> None:
    torch = pytest.importorskip("torch")
    for dtype in (torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32,
                  torch.int16, torch.int8, torch.uint8, torch.bool):
        t = (torch.arange(24).reshape(2, 3, 4) % 5).to(dtype)
        back = wire.decode(wire.encode({"t": t}))["t"]
        assert isinstance(back, wire.Array) and back.as_ == "torch"
        got = back.to_torch()
        assert got.dtype == dtype and got.shape == t.shape and torch.equal(got, t)
    nan = torch.tensor([math.nan, 1.0])
    assert torch.isnan(wire.decode(wire.encode({"t": nan}))["t"].to_torch()[0])


def test_non_contiguous_views_and_empty_tensors_are_sent_as_their_values() -> None:
    torch = pytest.importorskip("torch")
    t = torch.arange(12.0).reshape(3, 4).t()[1:]  # a strided view
    assert torch.equal(wire.decode(wire.encode({"t": t}))["t"].to_torch(), t)
    empty = torch.empty(0, 5)
    assert wire.decode(wire.encode({"t": empty}))["t"].to_torch().shape == (0, 5)


def test_numpy_arrays_round_trip() -> None:
    np = pytest.importorskip("numpy")
    a = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    back = wire.decode(wire.encode({"a": a}))["a"]
    assert back.as_ == "numpy" and (back.to_numpy() == a).all()


def test_unsendable_values_arrive_as_opaque_not_as_code() -> None:
    class Model:
        def __repr__(self) -> str:
            return "Model()"

    back = wire.decode(wire.encode({"v": [Model(), {1: "int key"}, lambda: 0]}))["v"]
    assert all(isinstance(v, wire.Opaque) for v in back)
    assert back[0] == wire.Opaque("Model", "Model()")
    assert back[1].type == "dict" and back[2].type == "function"


def test_a_dict_using_a_reserved_key_is_opaque_rather_than_taken_for_an_array() -> None:
    back = wire.decode(wire.encode({"v": {"__array__": {"dtype": "float32", "shape": [1000], "offset": 0}}}))
    assert isinstance(back["v"], wire.Opaque)


def test_a_repr_that_raises_does_not_break_encoding() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert wire.decode(wire.encode({"v": Hostile()}))["v"] == wire.Opaque("Hostile", "?")


@pytest.mark.parametrize(("raw", "fragment"), [
    (b"", "shorter than its header"),
    (b"XYZ\x01" + b"\0" * 12, "bad header"),
    (frame(b"{}", version=99), "protocol version 99"),
    (frame(b"{not json"), "JSON is invalid"),
    (frame(b"\xff\xfe"), "JSON is invalid"),
    (frame(b"[1, 2]"), "not a message object"),
    (frame(b"[" * 100_000 + b"]" * 100_000), "JSON is invalid"),
    (frame(b'{"v": 1' + b"0" * 5000 + b"}"), "JSON is invalid"),  # an integer of 5000 digits
    (frame(b'{"t": {"__array__": {"dtype": "object", "shape": [1], "offset": 0, "as": "array"}}}', b"\0" * 8),
     "invalid array description"),
    (frame(b'{"t": {"__array__": {"dtype": "float32", "shape": [4], "offset": 0, "as": "array"}}}', b"\0" * 8),
     "outside a blob"),
    (frame(b'{"t": {"__array__": {"dtype": "float32", "shape": [-1], "offset": 0, "as": "array"}}}', b"\0" * 8),
     "invalid array shape"),
    (frame(b'{"t": {"__array__": {"dtype": "float32", "shape": [1], "offset": 6, "as": "array"}}}', b"\0" * 8),
     "outside a blob"),
    (frame(b'{"t": {"__array__": {"dtype": "float32", "shape": [1], "offset": 0, "as": "pickle"}}}', b"\0" * 8),
     "invalid array description"),
    (frame(b'{"t": {"__array__": {}, "x": 1}}'), "array marker with other keys"),
    (frame(b'{"t": {"__opaque__": {"type": 1}}}'), "invalid opaque marker"),
])
def test_malformed_frames_are_refused(raw: bytes, fragment: str) -> None:
    with pytest.raises(wire.Malformed, match=fragment):
        wire.decode(raw)


def test_a_frame_whose_length_disagrees_with_its_header_is_refused() -> None:
    good = wire.encode({"a": 1})
    with pytest.raises(wire.Malformed, match="header says"):
        wire.decode(good + b"extra")


def test_oversized_frames_are_refused_from_the_header_alone(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    # A header announcing 1 GB, and nothing after it: refused at once, without waiting for the body.
    a.sendall(struct.pack("<3sBIQ", b"LSW", wire.PROTOCOL_VERSION, 10, 1 << 30))
    t0 = time.monotonic()
    with pytest.raises(wire.TooLarge, match="the limit is 1048576"):
        wire.receive(b, deadline=time.monotonic() + 5, max_bytes=1 << 20)
    assert time.monotonic() - t0 < 1
    with pytest.raises(wire.TooLarge):
        wire.decode(wire.encode({"s": "x" * 2000}), max_bytes=1000)


def test_json_part_is_limited_on_its_own() -> None:
    with pytest.raises(wire.TooLarge):
        wire.decode(frame(b" " * 10, b""), max_bytes=8)


def test_a_late_reply_times_out(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    whole = wire.encode({"late": True})
    a.sendall(whole[:10])  # half a header, then nothing
    t0 = time.monotonic()
    with pytest.raises(wire.Timeout):
        wire.receive(b, deadline=time.monotonic() + 0.3)
    assert 0.25 < time.monotonic() - t0 < 2


def test_a_closed_link_mid_frame_is_closed_not_a_hang(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    a.sendall(wire.encode({"big": "x" * 1000})[:50])
    a.close()
    with pytest.raises(wire.Closed):
        wire.receive(b, deadline=time.monotonic() + 5)


def test_frames_split_into_many_small_writes_are_reassembled(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    data = wire.encode({"k": list(range(1000))})

    def trickle() -> None:
        for i in range(0, len(data), 7):
            a.sendall(data[i:i + 7])

    thread = threading.Thread(target=trickle)
    thread.start()
    assert wire.receive(b, deadline=time.monotonic() + 10)["k"] == list(range(1000))
    thread.join()


def test_nothing_in_a_frame_is_executed_or_imported() -> None:
    import sys

    before = set(sys.modules)
    body = json.dumps({"t": {"__array__": {"dtype": "float32", "shape": [1], "offset": 0, "as": "array"}},
                       "__reduce__": "os.system", "py/object": "os.system"}).encode()
    message = wire.decode(frame(body, b"\0\0\0\0"))
    assert isinstance(message["t"], wire.Array) and message["py/object"] == "os.system"
    assert set(sys.modules) == before  # decoding to Array imports nothing (no torch, no numpy)
