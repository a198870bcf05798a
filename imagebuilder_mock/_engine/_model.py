"""The imagebuilder service model, loaded once per process through botocore's own loader.

botocore is imported on first use, not at import time, so `import imagebuilder_mock` stays cheap.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .._backend.caches import memoize

if TYPE_CHECKING:
    from botocore.loaders import Loader
    from botocore.model import ServiceModel

SERVICE_NAME = "imagebuilder"


@memoize(maxsize=None)
def _loader() -> "Loader":
    """boto3's default session's data loader when there is one (it has usually loaded and cached the
    imagebuilder model already, for the user's client: the same files, read once), else a new one."""
    boto3 = sys.modules.get("boto3")
    session = getattr(boto3, "DEFAULT_SESSION", None)
    botocore_session = getattr(session, "_session", None)
    if botocore_session is not None:
        try:
            loader: Loader = botocore_session.get_component("data_loader")
            return loader
        except Exception:  # noqa: BLE001 - a session we do not understand: use our own loader
            pass
    from botocore.loaders import create_loader

    return create_loader()


def _load(type_name: str) -> dict[str, Any]:
    # The same call (and so the same loader cache entry) botocore's Session makes for a client.
    model: dict[str, Any] = _loader().load_service_model(SERVICE_NAME, type_name=type_name, api_version=None)
    return model


@memoize(maxsize=None)
def service_model() -> "ServiceModel":
    """The botocore ServiceModel for imagebuilder (cached: loading costs ~20-40 ms)."""
    from botocore.model import ServiceModel

    return ServiceModel(_load("service-2"), SERVICE_NAME)


@memoize(maxsize=None)
def paginators() -> dict[str, Any]:
    pagination: dict[str, Any] = _load("paginators-1")["pagination"]
    return pagination


@memoize(maxsize=None)
def waiters() -> dict[str, Any]:
    found: dict[str, Any] = _load("waiters-2")["waiters"]
    return found


@memoize(maxsize=None)
def error_status(code: str) -> int:
    """HTTP status the model gives an error code (400 for codes the model does not know)."""
    model = service_model()
    for shape in model.error_shapes:
        if shape.name == code:
            return int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
    return 400
