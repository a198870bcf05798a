"""Opaque, request-bound pagination tokens and the filters List* operations accept."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
from typing import Any, Callable, Iterable

from .._engine._errors import ServiceError, invalid_value

_SECRET = os.urandom(16)
DEFAULT_PAGE = 25


def _bad_token() -> ServiceError:
    return ServiceError("InvalidPaginationTokenException", "The nextToken provided is not valid.")


def _request_hash(operation: str, params: dict) -> str:
    rest = {k: v for k, v in params.items() if k not in ("nextToken", "maxResults")}
    data = json.dumps([operation, rest], sort_keys=True, default=str).encode()
    return hashlib.sha1(data).hexdigest()[:16]


def _sign(payload: bytes) -> str:
    return hmac.new(_SECRET, payload, hashlib.sha256).hexdigest()[:24]


def paginate(operation: str, params: dict, items: Iterable[Any], page_size: int | None = None) -> tuple[list, str | None]:
    """One page of `items` (lazily consumed) and the token for the next, bound to this request."""
    size = params.get("maxResults") or page_size or DEFAULT_PAGE
    request = None  # hashed only when a token is read or written (most lists fit one page)
    offset = 0
    token = params.get("nextToken")
    if token:
        request = _request_hash(operation, params)
        try:
            body, signature = token.rsplit(".", 1)
            payload = base64.urlsafe_b64decode(body.encode())
            if not hmac.compare_digest(_sign(payload), signature):
                raise ValueError
            offset, bound = json.loads(payload)
        except (ValueError, TypeError, UnicodeError):
            raise _bad_token() from None
        if bound != request:
            raise _bad_token()
    page = list(itertools.islice(items, offset, offset + size + 1))
    if len(page) <= size:
        return page, None
    payload = json.dumps([offset + size, request or _request_hash(operation, params)]).encode()
    return page[:size], base64.urlsafe_b64encode(payload).decode() + "." + _sign(payload)


def name_matcher(values: list[str]) -> Callable[[str], bool]:
    """The `name` filter: exact, `prefix*` or `*infix*` (case-sensitive)."""
    tests = []
    for value in values:
        if value.startswith("*") and value.endswith("*") and len(value) > 1:
            infix = value[1:-1]
            tests.append(lambda n, s=infix: s in n)
        elif value.endswith("*"):
            tests.append(lambda n, s=value[:-1]: n.startswith(s))
        else:
            tests.append(lambda n, s=value: n == s)
    return lambda name: any(test(name) for test in tests)


def filtered(items: Iterable[dict], filters: list[dict] | None, fields: dict[str, Callable[[dict], Any]]) -> Iterable[dict]:
    """Apply List* filters lazily. `fields` maps each filter name the operation accepts to a getter.

    Values of one filter are ORed, filters are ANDed; an unsupported name is an error.
    """
    if not filters:
        return items
    tests = []
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


def _any_in(value: Any, allowed: set) -> bool:
    if isinstance(value, (list, tuple, set)):
        return any(str(v) in allowed for v in value)
    return value is not None and str(value) in allowed
