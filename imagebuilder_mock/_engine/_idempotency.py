"""Client-token entries: what a create's first response needs to be given again, in few bytes.

An entry is one bytes object: the 16-byte digest of the request's parameters, the 3-digit status, where
its body is, and the `/name` of the first ARN in the body. The body is kept with that `/name`, the
request id and the client token each taken out (a one-byte mark: JSON escapes control characters, so
they never occur in a body). What is left is mostly the same text for every create of an operation,
so it is kept once, in a bounded table shared by all entries; past the bound an entry carries its own.
Exactly reversible (`replay`); docs/notes/idempotency.md tells what a replay answers. The engine (inline)
files an entry under the token's 16-byte blake2b digest (where the token would take ~85 bytes) and
starts it with the same digest of the canonical parameters.
"""

from __future__ import annotations

import threading

DIGEST = 16  # bytes of the parameters' digest an entry starts with, and of a token's

_TOKEN_MARK, _ID_MARK, _NAME_MARK = b"\x00", b"\x01", b"\x02"
_INLINE = 0xFFFF  # "the body follows the name" (the table is full)
_BODIES: list[bytes] = []  # shared bodies, appended to only (entries point into it)
_BODY_AT: dict[bytes, int] = {}
_BODIES_KEPT = 1024
_lock = threading.Lock()


def entry(digest: bytes, status: int, request_id: str, token: str, body: bytes) -> bytes:
    """The entry for a first response (`body` as sent, with `request_id` and `token` in it)."""
    # `name`: the `/name` of the first ARN in the body (what differs between the answers to two creates)
    start = body.find(b'"arn:') + 1
    name = b""
    if start:
        end = body.find(b'"', start)
        slash = body.find(b"/", start, end)
        if slash >= 0:
            stop = body.find(b"/", slash + 1, end)
            name = body[slash:stop if stop > 0 else end]
            if len(name) >= 10000:  # its length takes 5 digits
                name = b""
    compact = body.replace(name, _NAME_MARK) if name else body
    compact = compact.replace(request_id.encode(), _ID_MARK).replace(token.encode(), _TOKEN_MARK)
    at = _BODY_AT.get(compact)
    if at is None:
        with _lock:
            at = _BODY_AT.get(compact)
            if at is None and len(_BODIES) < _BODIES_KEPT:
                at = _BODY_AT[compact] = len(_BODIES)
                _BODIES.append(compact)
        if at is None:
            return b"%b%03d%05d%05d%b%b" % (digest, status, _INLINE, len(name), name, compact)
    return b"%b%03d%05d%05d%b" % (digest, status, at, len(name), name)


def matches(entry_bytes: bytes, digest: bytes) -> bool:
    return entry_bytes[:DIGEST] == digest


def replay(entry_bytes: bytes, token: str, request_id: str) -> tuple[int, bytes]:
    """(status, body) of the first response, with `request_id` where the first request's id was."""
    status = int(entry_bytes[DIGEST:DIGEST + 3])
    at = int(entry_bytes[DIGEST + 3:DIGEST + 8])
    name_at = DIGEST + 13
    body_at = name_at + int(entry_bytes[DIGEST + 8:name_at])
    name = entry_bytes[name_at:body_at]
    body = entry_bytes[body_at:] if at == _INLINE else _BODIES[at]
    body = body.replace(_TOKEN_MARK, token.encode()).replace(_ID_MARK, request_id.encode())
    return status, body.replace(_NAME_MARK, name) if name else body
