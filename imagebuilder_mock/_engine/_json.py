"""JSON in and out of the engine: orjson when it is installed (5-7x faster), else the standard library.

Both give the same values: orjson writes non-ASCII text as UTF-8 where `json` writes `\\uXXXX` escapes
(and floats as `1e16` for `1e+16`), which every JSON reader, botocore's included, reads back the same.
Whatever orjson refuses, or would read or write as another value, goes to the standard library:
integers past 64 bits (orjson reads them as floats, and cannot write them), lone surrogates, NaN and
infinities (orjson cannot read them and writes them as null), malformed input and its error message.
"""

from __future__ import annotations

import json
import re
from typing import Any

_STD_ENCODE = json.JSONEncoder(separators=(",", ":")).encode  # json.dumps builds an encoder per call
_STD_CANONICAL = json.JSONEncoder(sort_keys=True, default=str).encode

try:
    import orjson
except ImportError:  # pragma: no cover - tests/test_engine_equivalence.py runs this module without it
    orjson = None  # type: ignore[assignment]  # no orjson: the standard library's functions (below)


def std_dumps(value: Any) -> bytes:
    """Compact JSON (no spaces) as bytes, by the standard library."""
    return _STD_ENCODE(value).encode()


def std_canonical(value: Any) -> bytes:
    """JSON with sorted keys, by the standard library: equal exactly for equal values."""
    return b"s" + _STD_CANONICAL(value).encode()


if orjson is not None:
    _dumps, _loads, _SORT_KEYS, _DecodeError = orjson.dumps, orjson.loads, orjson.OPT_SORT_KEYS, orjson.JSONDecodeError

    def dumps(value: Any) -> bytes:
        """Compact JSON (no spaces) as bytes."""
        try:
            out = _dumps(value)
        except TypeError:  # a big int or a lone surrogate
            return std_dumps(value)
        # orjson writes NaN and infinities as null, and a body has no null of its own (None is
        # dropped): the rare body that mentions it is written again by the standard library.
        return std_dumps(value) if b"null" in out else out

    def canonical(value: Any) -> bytes:
        """JSON with sorted keys, equal exactly for equal values (an idempotency digest's input). The
        standard library's starts with "s", which no JSON document does: the two never collide."""
        try:
            out = _dumps(value, option=_SORT_KEYS)
        except TypeError:
            return std_canonical(value)
        return std_canonical(value) if b"null" in out else out

    def read_request(data: bytes) -> Any:
        """The value of a request body as `json.loads` reads it (and its errors). orjson reads integers of
        2**63 and more otherwise (as floats, or not at all): a body with 19 digits in a row, where such a
        number would be, is read by the standard library (a string holding them is, too: the same value)."""
        if _LONG_DIGITS.search(data):
            return json.loads(data)
        try:
            return _loads(data)
        except _DecodeError:  # NaN, Infinity, 1e999, a BOM, lone surrogates... or malformed
            return json.loads(data)
else:  # pragma: no cover
    # mypy sees orjson installed (it ships types), so this branch is unreachable to it.
    dumps, canonical, read_request = std_dumps, std_canonical, json.loads  # type: ignore[unreachable]


_LONG_DIGITS = re.compile(rb"[0-9]{19}")  # 2**63 has 19 digits


def kept(body: bytes) -> bytes:
    """`body` as it is kept past its request (`m.calls`): a copy of just its bytes. orjson's output holds
    the whole buffer it was written into (4 KiB for a small answer), which 1,000 kept answers would
    multiply into megabytes (the memory benchmark saw it); the standard library's is exact already."""
    return bytes(memoryview(body))
