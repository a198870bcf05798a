"""What the loaded botocore's imagebuilder model has, for tests that need a newer model's feature.

`tox -e async` runs the whole suite on the older botocore aiobotocore pins; a test that needs an operation,
member, waiter or rule that model lacks is skipped there, with a reason read from the model (never a list of
versions). On the newest botocore nothing here skips."""

from __future__ import annotations

import re

import botocore
import botocore.session
import pytest
from botocore.exceptions import DataNotFoundError, UnknownServiceError

_SESSION = botocore.session.get_session()
MODEL = _SESSION.get_service_model("imagebuilder")


def _in(what: str) -> str:
    return f"botocore {botocore.__version__}'s imagebuilder model {what}"


def waiter_names() -> list[str]:
    try:
        return list(_SESSION.get_waiter_model("imagebuilder").waiter_names)
    except (DataNotFoundError, UnknownServiceError):  # no waiters-2 file in that botocore
        return []


def waiter_missing(name: str = "ImageAvailable") -> str | None:
    """Why a test of waiter `name` cannot run here (None when the model has it)."""
    return None if name in waiter_names() else _in(f"has no {name} waiter")


def needs_waiter(name: str = "ImageAvailable"):
    reason = waiter_missing(name)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def needs_operation(name: str):
    return pytest.mark.skipif(name not in MODEL.operation_names, reason=_in(f"has no {name} operation"))


def needs_member(shape: str, member: str):
    present = shape in MODEL.shape_names and member in MODEL.shape_for(shape).members
    return pytest.mark.skipif(not present, reason=_in(f"has no {shape}.{member}"))


def needs_filter_value(value: str):
    """Skip where the model's FilterValue pattern refuses `value` (wildcards came with a newer model)."""
    pattern = MODEL.shape_for("FilterValue").metadata.get("pattern", "")
    return pytest.mark.skipif(re.search(pattern, value) is None,
                              reason=_in(f"refuses the filter value {value!r} (FilterValue pattern {pattern})"))


def accepts(shape: str, member: str, value: str) -> bool:
    """Whether the loaded model's pattern of `shape.member` lets `value` through (wildcard versions came
    with newer models in several members)."""
    pattern = MODEL.shape_for(shape).members[member].metadata.get("pattern")
    return pattern is None or re.search(pattern, value) is not None


def needs_accepted(shape: str, member: str, value: str):
    """Skip where the loaded model's pattern of `shape.member` refuses `value`."""
    pattern = MODEL.shape_for(shape).members[member].metadata.get("pattern")
    return pytest.mark.skipif(not accepts(shape, member, value),
                              reason=_in(f"refuses {shape}.{member} {value!r} (pattern {pattern})"))


def max_results(operation: str = "ListImages") -> int:
    """The largest maxResults the model allows `operation`."""
    return int(MODEL.operation_model(operation).input_shape.members["maxResults"].metadata["max"])


def collect(client, method: str, key: str, starting_token: str | None = None, **params) -> list:
    """Every item of a List operation (from `starting_token` on), read through its paginator with the largest
    page the model allows."""
    operation = client.meta.method_to_api_mapping[method]
    config = {"PageSize": max_results(operation), "StartingToken": starting_token}
    pages = client.get_paginator(method).paginate(PaginationConfig=config, **params)
    return [item for page in pages for item in page[key]]


# -- recipes' components: required by older models --------------------------------------------------
_RECIPE_REQUESTS = {"CreateImageRecipe": "CreateImageRecipeRequest", "CreateContainerRecipe": "CreateContainerRecipeRequest"}


def components_required(operation: str = "CreateImageRecipe") -> bool:
    """Whether the loaded model makes `components` a required member of `operation`'s request (older
    models did; newer ones let a recipe have none)."""
    return "components" in MODEL.shape_for(_RECIPE_REQUESTS[operation]).required_members


def components_optional(operation: str = "CreateImageRecipe"):
    """Skip a test about a recipe without components where the loaded model requires them."""
    return pytest.mark.skipif(components_required(operation),
                              reason=_in(f"requires {operation}'s components"))


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def _send_required_components(params: dict, context: dict | None = None, model=None, **_) -> None:
    """botocore `before-parameter-build` handler: a Create*Recipe call without `components`, on a model that
    requires them, gets one AWS-managed update component of the recipe's platform (update-windows for a
    parent or platform override naming Windows, else update-linux). Where the model lets a recipe have
    none (the newest botocore), requests go out exactly as the test wrote them."""
    if "components" in params or model is None or model.name not in _REQUIRED_BY:
        return
    region = (context or {}).get("client_region") or "us-east-1"
    hint = f"{params.get('parentImage', '')} {params.get('platformOverride', '')}".lower()
    name = "update-windows" if "windows" in hint else "update-linux"
    params["components"] = [{"componentArn": f"arn:{_partition(region)}:imagebuilder:{region}:aws:component/"
                                             f"{name}/x.x.x"}]


_REQUIRED_BY = frozenset(op for op in _RECIPE_REQUESTS if components_required(op))


def install_component_filler() -> None:
    """Register `_send_required_components` for every botocore (and aiobotocore) session created from now
    on, where the loaded model requires components (a no-op on the newest botocore)."""
    import botocore.handlers

    for operation in _REQUIRED_BY:
        botocore.handlers.BUILTIN_HANDLERS.append(
            (f"before-parameter-build.imagebuilder.{operation}", _send_required_components))


#: the service's ImageAvailable waiter as the newest botocore ships it (waiters-2), for older models
IMAGE_AVAILABLE = {"version": 2, "waiters": {"ImageAvailable": {
    "operation": "GetImage", "delay": 30, "maxAttempts": 120,
    "acceptors": [{"matcher": "path", "argument": "image.state.status", "expected": "AVAILABLE", "state": "success"},
                  {"matcher": "path", "argument": "image.state.status", "expected": "FAILED", "state": "failure"}]}}}


def image_available_waiter(client):
    """The model's `image_available` waiter where the loaded botocore has it, else the same definition as a
    custom waiter (as a user of that botocore would write it)."""
    if "image_available" in client.waiter_names:
        return client.get_waiter("image_available")
    from botocore.waiter import WaiterModel, create_waiter_with_client

    return create_waiter_with_client("ImageAvailable", WaiterModel(IMAGE_AVAILABLE), client)
