"""Operation handlers, one package per resource family.

A handler is registered with `@operation("OpName")` and named after its operation
(`create_image_pipeline` for CreateImagePipeline). `HANDLER_MODULES` lists, in one place, every module
that registers handlers; `operations()` imports them on first use and keeps those the model has (an older
botocore's model lacks newer operations: they are simply not routed there).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable, TypeVar

if TYPE_CHECKING:
    from ._shared.types import Handler

#: Every module that registers operations, relative to this package.
HANDLER_MODULES = (
    "components.handlers",
    "components.listing",
    "recipes.image_recipes",
    "recipes.container_recipes",
    "configurations.infrastructure",
    "configurations.distribution",
    "images.handlers",
    "images.builds",
    "images.imports",
    "images.data",
    "pipelines.handlers",
    "workflows.handlers",
    "workflows.executions",
    "lifecycle_policies.handlers",
    "lifecycle_policies.executions",
    "sharing.policies",
    "tags.handlers",
    "marketplace.handlers",
)

_OPERATIONS: dict[str, Handler] = {}
_ROUTED: dict[str, Handler] = {}
_LOADED = False

_H = TypeVar("_H", bound="Handler")


def operation(name: str) -> Callable[[_H], _H]:
    """Register a handler `(ctx, params) -> result dict` for the model operation `name`."""

    def register(handler: _H) -> _H:
        if name in _OPERATIONS and _OPERATIONS[name] is not handler:
            raise RuntimeError(f"two handlers for {name}")
        _OPERATIONS[name] = handler
        return handler

    return register


def operations() -> dict[str, Handler]:
    """The registered handlers of the operations the loaded model has (importing every module of
    `HANDLER_MODULES` the first time)."""
    global _LOADED
    if not _LOADED:
        for name in HANDLER_MODULES:
            importlib.import_module(f"{__name__}.{name}")
        from .._engine._model import service_model

        modelled = set(service_model().operation_names)
        _ROUTED.update((name, handler) for name, handler in _OPERATIONS.items() if name in modelled)
        _LOADED = True
    return _ROUTED


def unmodelled_handlers() -> list[str]:
    """Operations with a handler that the loaded botocore's model does not have (none on the newest)."""
    operations()
    return sorted(set(_OPERATIONS) - set(_ROUTED))
