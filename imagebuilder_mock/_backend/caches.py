"""The one home of the process's caches.

Every cache the mock keeps beyond one backend's state is a memoised pure function registered here
(`memoize`): the parsed service model and what is compiled from it, the AWS-owned catalog of a Region,
parsed ARNs, versions and documents. `clear()` empties them all; the handle's `reset()` calls it, so a
reset leaves nothing behind that an earlier test made. Nothing else in the package keeps process-wide
mutable state (tests/test_caches.py looks for it).
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_registry: list[Any] = []
_lock = threading.Lock()


def memoize(maxsize: int | None = None) -> Callable[[F], F]:
    """`functools.lru_cache(maxsize)`, registered so that `clear()` empties it."""

    def register(function: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(function)
        with _lock:
            _registry.append(cached)
        return cached  # type: ignore[return-value]  # the lru_cache wrapper is called like `function`

    return register


def clear() -> None:
    """Empty every registered cache."""
    with _lock:
        registered = list(_registry)
    for cached in registered:
        cached.cache_clear()


def registered() -> list[Any]:
    """The registered caches (for tests and diagnostics)."""
    with _lock:
        return list(_registry)
