"""Whether moto's `mock_aws` is active in this process, read without importing moto (the request path
asks it once per request where moto is imported: a plain module lookup and two attribute reads)."""

from __future__ import annotations

import sys


def moto_active() -> bool:
    """True while a moto `mock_aws` is active (moto's public `botocore_stubber` switches with it)."""
    models = sys.modules.get("moto.core.models")
    if models is None:
        return False
    stubber = getattr(models, "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", False))
