"""Client tokens: a create's first response, remembered under its token and given again on a retry.

`Backend.idempotency` maps (account, region, operation) to a `TokenTable`: the digest of each client token
seen -> an `Entry` (the digest of the request's canonical parameters, the token among them, and the first
response's body as a template). Only a success is remembered, so a replay's status is the operation's.
A retry with the same parameters gets the first body under its own request id; other parameters are an
IdempotentParameterMismatchException (docs/notes/idempotency.md). Everything here runs under the
backend's lock.

Memory: every create through boto3 carries a client token, so every create stores an entry. A body is
mostly the same text for every create of an operation: what differs is the request id, the client token
and the new resource's name (in its ARN and its latestVersionReferences). The template is the body with
those three replaced by placeholders, and a table keeps one copy of each distinct template, so an entry
holds two 8-byte digests, the shared template and the name (~200 bytes where the body is ~650).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, NamedTuple

from ._errors import ServiceError
from ._json import canonical, dumps

# Placeholders start with a NUL byte, which never occurs in a JSON body (JSON escapes control characters),
# and none is a prefix of another: each placeholder in a template is one we put there.
_NAME, _REQUEST_ID, _CLIENT_TOKEN = b"\x00name", b"\x00requestId", b"\x00clientToken"
_FIRST_ARN_NAME = re.compile(rb'"arn:[^"/]*(/[^"/]+)')  # the `/name` after the resource type of an ARN


DIGEST_SIZE = 8


def _digest(data: bytes) -> bytes:
    """An 8-byte BLAKE2b digest: two requests' parameters (or two tokens of one operation) collide with a
    chance of about n**2 / 2**65 among n of them (below one in ten million at a million creates)."""
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest()


class Entry(NamedTuple):
    """A remembered first response: `key` is the digest of its request's parameters (`DIGEST_SIZE` bytes)
    followed by its resource's `/name` (one bytes object: an entry per create, so two objects fewer
    matter to the memory guard), `template` its body with the placeholders."""

    key: bytes
    template: bytes

    @property
    def params_digest(self) -> bytes:
        return self.key[:DIGEST_SIZE]

    def replay(self, token: str, request_id: str) -> bytes:
        """The first body again, with `request_id` where the first request's id was."""
        body = self.template.replace(_CLIENT_TOKEN, dumps(token)).replace(_REQUEST_ID, dumps(request_id))
        return body.replace(_NAME, self.key[DIGEST_SIZE:])


class TokenTable:
    """The client tokens of one operation in one account and region."""

    __slots__ = ("entries", "templates")

    def __init__(self) -> None:
        self.entries: dict[bytes, Entry] = {}  # digest of the client token ->
        self.templates: dict[bytes, bytes] = {}  # one copy of each distinct template

    def remember(self, token_digest: bytes, params_digest: bytes, token: str, request_id: str,
                 body: bytes) -> None:
        match = _FIRST_ARN_NAME.search(body)
        name = match.group(1) if match else b""
        template = body.replace(name, _NAME) if name else body
        # the token and the request id as the JSON strings (quoted) they are in the body
        template = template.replace(dumps(request_id), _REQUEST_ID).replace(dumps(token), _CLIENT_TOKEN)
        if template not in self.templates:  # kept as a copy of its own size (orjson's output may hold more)
            compact = bytes(memoryview(template))
            self.templates[compact] = compact
        template = self.templates[template]
        self.entries[token_digest] = Entry(params_digest + name, template)


class TokenSlot:
    """One request's place in its operation's table of client tokens."""

    __slots__ = ("_table", "_token", "_token_digest", "_params_digest")

    def __init__(self, table: TokenTable, token: str, params: dict[str, Any]) -> None:
        self._table, self._token = table, token
        self._token_digest = _digest(token.encode("utf-8", "surrogatepass"))
        self._params_digest = _digest(canonical(params))

    def replay(self, request_id: str) -> bytes | None:
        """The first response's body under `request_id`; None when the token is new."""
        seen = self._table.entries.get(self._token_digest)
        if seen is None:
            return None
        if seen.params_digest != self._params_digest:
            raise ServiceError("IdempotentParameterMismatchException",
                               f"The client token '{self._token}' was already used with different request "
                               "parameters.")
        return seen.replay(self._token, request_id)

    def remember(self, request_id: str, body: bytes) -> None:
        """Remember a success's body for the token's retries."""
        self._table.remember(self._token_digest, self._params_digest, self._token, request_id, body)


def slot(tables: dict[tuple[str, str, str], TokenTable], account: str, region: str, operation: str, token: str,
         params: dict[str, Any]) -> TokenSlot:
    """The slot of `token` among the tables of `Backend.idempotency`."""
    table = tables.get((account, region, operation))
    if table is None:
        table = tables[(account, region, operation)] = TokenTable()
    return TokenSlot(table, token, params)
