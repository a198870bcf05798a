"""A function per shape of the model, built once and cached by shape name (validators, serialisers).

The cache lives in the engine's protocol objects, which `engine._protocol` builds once per process (a cache
of `_backend/caches.py`, so `reset` drops them with it); it holds pure functions of the immutable model. It publishes complete functions
only: building runs under a lock, and the functions built for one top-level shape (with everything it
refers to) go into the cache together, once all of them are finished. A recursive shape refers to itself
through a forward reference into the batch being built, which is complete before anyone can call it.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from botocore.model import Shape

_MISSING = object()


class PerShape:
    """Subclasses define `_build(shape)`: the function of one shape (it may call `compile` for members)."""

    def __init__(self) -> None:
        self._done: dict[str, Any] = {}  # shape name -> finished function (read without the lock)
        self._lock = threading.RLock()
        self._batch: dict[str, Any] = {}  # functions finished in the build under way, not yet published
        self._under_way: set[str] = set()  # shapes whose build has started and not finished

    def compile(self, shape: Shape) -> Any:
        """The function of `shape`, built (with its members') on first use."""
        found = self._done.get(shape.name, _MISSING)
        if found is not _MISSING:
            return found
        with self._lock:
            found = self._done.get(shape.name, _MISSING)
            if found is not _MISSING:
                return found
            return self._compile_locked(shape)

    def _compile_locked(self, shape: Shape) -> Any:
        name = shape.name
        if name in self._batch:
            return self._batch[name]
        if name in self._under_way:  # a recursive shape: call what its build will have finished by then
            batch = self._batch
            return _forward(batch, name)
        top_level = not self._under_way
        self._under_way.add(name)
        try:
            self._batch[name] = function = self._build(shape)
        except BaseException:
            if top_level:
                self._batch, self._under_way = {}, set()
            raise
        self._under_way.discard(name)
        if top_level:
            self._done.update(self._batch)
            self._batch = {}
        return function

    def _build(self, shape: Shape) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


def _forward(batch: dict[str, Callable[..., Any]], name: str) -> Callable[..., Any]:
    def forward(*args: Any) -> Any:
        return batch[name](*args)

    return forward
