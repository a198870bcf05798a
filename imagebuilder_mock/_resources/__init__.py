"""Operation handlers, one module per resource family. A module registers its handlers with
`@operation("OpName")`; every module of this package is imported on first use."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

_OPERATIONS: dict[str, Callable] = {}
_LOADED = False


def operation(name: str) -> Callable[[Callable], Callable]:
    """Register a handler `(ctx, params) -> result dict` for the model operation `name`."""

    def register(handler: Callable) -> Callable:
        if name in _OPERATIONS and _OPERATIONS[name] is not handler:
            raise RuntimeError(f"two handlers for {name}")
        _OPERATIONS[name] = handler
        return handler

    return register


def operations() -> dict[str, Callable]:
    """All registered handlers (importing every module of this package the first time)."""
    global _LOADED
    if not _LOADED:
        for info in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{info.name}")
        from .._engine._model import service_model

        unknown = set(_OPERATIONS) - set(service_model().operation_names)
        if unknown:
            raise RuntimeError(f"handlers for operations the model does not have: {sorted(unknown)}")
        _LOADED = True
    return _OPERATIONS
