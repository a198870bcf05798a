"""The imagebuilder service model, loaded once per process through botocore's own loader."""

from __future__ import annotations

import functools

from botocore.loaders import create_loader
from botocore.model import ServiceModel

SERVICE_NAME = "imagebuilder"


@functools.lru_cache(maxsize=None)
def service_model() -> ServiceModel:
    """The botocore ServiceModel for imagebuilder (cached: loading costs ~20 ms)."""
    loader = create_loader()
    return ServiceModel(loader.load_service_model(SERVICE_NAME, "service-2"), SERVICE_NAME)


@functools.lru_cache(maxsize=None)
def paginators() -> dict:
    return create_loader().load_service_model(SERVICE_NAME, "paginators-1")["pagination"]


@functools.lru_cache(maxsize=None)
def waiters() -> dict:
    return create_loader().load_service_model(SERVICE_NAME, "waiters-2")["waiters"]


@functools.lru_cache(maxsize=None)
def error_status(code: str) -> int:
    """HTTP status the model gives an error code (400 for codes the model does not know)."""
    model = service_model()
    for shape in model.error_shapes:
        if shape.name == code:
            return int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
    return 400
