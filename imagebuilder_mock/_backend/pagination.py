"""Opaque, request-bound pagination tokens and the filters List* operations accept.

A token names, by digest, the next `LOOKAHEAD` items and the last `LOOKAHEAD` items of the page it came
with, and where it was. The next page starts at the first of the coming items that is still there,
wherever it is now, so deleting what earlier pages returned (a cleanup loop over a paginator), deleting
what is still to come, or adding items before it neither skips nor repeats anything. Only when every
coming item the token names is gone does the page start after the last of the page's items still there,
and only when those are gone too at a position (the token's, less those items).
Tokens are signed and bound to the caller's account, Region and operation and to the
request's other parameters.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
from typing import Any, Callable, Iterable

from .._engine._errors import ServiceError, invalid_value
from .._engine._json import canonical
from .resource_types import RESOURCE_TYPES

_SECRET = os.urandom(16)
DEFAULT_PAGE = 25
_SIGNATURE = 12  # bytes of the keyed BLAKE2b signature
LOOKAHEAD = 5  # how many of the coming items, and of the page's last items, a token names
#: The member that identifies a listed item, in the order they are looked for: the stored types' (ResourceType
#: table), then a scan finding's (findings are derived from images, not stored).
_IDS = tuple(dict.fromkeys(t.id_member for t in RESOURCE_TYPES)) + ("findingArn",)
_CANONICAL = json.JSONEncoder(sort_keys=True, default=str, separators=(",", ":")).encode


def _bad_token() -> ServiceError:
    return ServiceError("InvalidPaginationTokenException", "The nextToken provided is not valid.")


def _request_hash(scope: tuple[str, ...], params: dict[str, Any]) -> str:
    """What binds a token to its request: its scope (the caller's account, its region, the operation) and
    every parameter but the paging ones."""
    rest = {k: v for k, v in params.items() if k not in ("nextToken", "maxResults")}
    return hashlib.blake2b(canonical([list(scope), rest]), digest_size=8).hexdigest()


def _sign(payload: bytes, secret: bytes = _SECRET) -> bytes:
    return hashlib.blake2b(payload, key=secret, digest_size=_SIGNATURE).digest()


def _key(item: Any) -> str:
    """What identifies `item` in its list: its ARN or id, else a digest of its content."""
    if isinstance(item, dict):
        for name in _IDS:
            value = item.get(name)
            if isinstance(value, str):
                return value
    return hashlib.blake2b(_CANONICAL(item).encode(), digest_size=12).hexdigest()


def _digest(key: str) -> str:
    """A short stand-in for a returned item's key in a token (the page's items travel by digest)."""
    return hashlib.blake2b(key.encode(), digest_size=6).hexdigest()


def _encode(offset: int, coming: list[Any], page: list[Any], request: str, secret: bytes = _SECRET) -> str:
    payload = _CANONICAL([offset, [_digest(_key(item)) for item in coming],
                          [_digest(_key(item)) for item in page[-LOOKAHEAD:]], request]).encode()
    return base64.urlsafe_b64encode(_sign(payload, secret) + payload).decode()


def _decode(token: str, request: str, secret: bytes = _SECRET) -> tuple[int, list[str], list[str]]:
    try:
        raw = base64.urlsafe_b64decode(token.encode())
        signature, payload = raw[:_SIGNATURE], raw[_SIGNATURE:]
        if len(signature) != _SIGNATURE or _sign(payload, secret) != signature:
            raise ValueError
        offset, coming, returned, bound = json.loads(payload)
    except (ValueError, TypeError, UnicodeError):
        raise _bad_token() from None
    if bound != request or not isinstance(offset, int) or offset < 0 or not coming:
        raise _bad_token()
    return offset, coming, returned


def _resume(items: Iterable[Any], offset: int, coming: list[str], returned: list[str]) -> Iterable[Any]:
    """`items` from the first of the `coming` items still there: found where the token saw it (one
    comparison), else wherever it is now; if all are gone, after the last item of the previous page still
    there; else from the position the token saw."""
    items = iter(items)
    head = list(itertools.islice(items, offset + 1))
    if len(head) > offset and _digest(_key(head[offset])) == coming[0]:
        return itertools.chain(head[offset:], items)
    everything = head + list(items)
    digests = [_digest(_key(item)) for item in everything]
    still_coming = set(coming)
    for index, digest in enumerate(digests):
        if digest in still_coming:
            return everything[index:]
    previous_page = set(returned)
    for index in range(len(digests) - 1, -1, -1):
        if digests[index] in previous_page:
            return everything[index + 1:]
    return everything[max(0, offset - len(returned)):]


def paginate(scope: tuple[str, ...], params: dict[str, Any], items: Iterable[Any],
             page_size: int | None = None, secret: bytes = _SECRET) -> tuple[list[Any], str | None]:
    """One page of `items` (lazily consumed) and the token for the next, bound to this request and its
    `scope` (account, region, operation): a token is refused by another caller, Region or operation.
    `secret` signs the tokens (the backend's `token_secret`: seeded mocks repeat their tokens)."""
    size = params.get("maxResults") or page_size or DEFAULT_PAGE
    request = None  # hashed only when a token is read or written (most lists fit one page)
    offset = 0
    token = params.get("nextToken")
    if token:
        request = _request_hash(scope, params)
        offset, key, returned = _decode(token, request, secret)
        items = _resume(items, offset, key, returned)
    page = list(itertools.islice(items, size + LOOKAHEAD))
    if len(page) <= size:
        return page, None
    coming = page[size:]
    del page[size:]
    return page, _encode(offset + size, coming, page, request or _request_hash(scope, params), secret)


def name_matcher(values: list[str]) -> Callable[[str], bool]:
    """The `name` filter: exact, `prefix*` or `*infix*` (case-sensitive)."""
    tests: list[Callable[..., bool]] = []  # lambdas binding their value by a default argument
    for value in values:
        if value.startswith("*") and value.endswith("*") and len(value) > 1:
            infix = value[1:-1]
            tests.append(lambda n, s=infix: s in n)
        elif value.endswith("*"):
            tests.append(lambda n, s=value[:-1]: n.startswith(s))
        else:
            tests.append(lambda n, s=value: n == s)
    return lambda name: any(test(name) for test in tests)


def filtered(items: Iterable[dict[str, Any]], filters: list[dict[str, Any]] | None,
             fields: dict[str, Callable[[dict[str, Any]], Any]]) -> Iterable[dict[str, Any]]:
    """Apply List* filters lazily. `fields` maps each filter name the operation accepts to a getter.

    Values of one filter are ORed, filters are ANDed; an unsupported name is an error.
    """
    if not filters:
        return items
    tests: list[Callable[..., bool]] = []  # lambdas binding their values by default arguments
    for index, flt in enumerate(filters):
        name = flt.get("name")
        values = flt.get("values") or []
        if name not in fields:
            raise invalid_value(f"filters[{index}].name",
                                f"The filter name '{name}' is not supported. Supported filter names: "
                                f"[{', '.join(sorted(fields))}].")
        getter = fields[name]
        if name == "name":
            match = name_matcher(values)
            tests.append(lambda item, g=getter, m=match: m(g(item) or ""))
        else:
            allowed = set(values)
            tests.append(lambda item, g=getter, a=allowed: _any_in(g(item), a))
    return (item for item in items if all(test(item) for test in tests))


def _any_in(value: Any, allowed: set[str]) -> bool:
    if isinstance(value, (list, tuple, set)):
        return any(str(v) in allowed for v in value)
    return value is not None and str(value) in allowed
