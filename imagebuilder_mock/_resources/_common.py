"""Helpers every resource family shares: copying modelled members, lookups, listing."""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable

from .._backend import arns
from .._backend.context import RequestContext
from .._backend.pagination import filtered, paginate
from .._engine._errors import ServiceError, invalid_value, not_found
from .._engine._model import service_model

_SKIP = frozenset({"clientToken", "dryRun", "nextToken", "maxResults"})


@functools.lru_cache(maxsize=None)
def member_names(shape_name: str) -> frozenset[str]:
    return frozenset(service_model().shape_for(shape_name).members)


def pick(shape_name: str, params: dict, exclude: Iterable[str] = ()) -> dict:
    """The request members that the resource shape `shape_name` also has (a data-driven copy)."""
    names = member_names(shape_name)
    skip = _SKIP.union(exclude)
    return {k: v for k, v in params.items() if k in names and k not in skip and v is not None}


def require_one(params: dict, *names: str, code: str = "InvalidParameterCombinationException") -> str:
    """Exactly one of `names` must be given; returns it."""
    given = [n for n in names if params.get(n) is not None]
    if len(given) != 1:
        which = "both" if len(given) > 1 else "neither"
        raise ServiceError(code, f"You must specify exactly one of {', '.join(repr(n) for n in names)}, "
                                 f"but {which} {'were' if which == 'both' else 'was'} provided.")
    return given[0]


def lookup(collection: dict[str, dict], arn: str, resource_type: str) -> dict:
    """The resource at `arn` or the service's ResourceNotFoundException (404)."""
    item = collection.get(arn)
    if item is None:
        raise not_found(resource_type, arn)
    return item


def check_arn(arn: str, param: str, resource_type: str, versioned: bool | None = None) -> arns.Arn:
    """Parse `arn` and check its resource type (InvalidParameterValueException otherwise)."""
    parsed = arns.parse(arn, param)
    if parsed.resource_type != resource_type:
        raise invalid_value(param, f"The ARN '{arn}' is not a valid {resource_type} ARN.")
    return parsed


def list_response(ctx: RequestContext, params: dict, items: Iterable[dict], fields: dict[str, Callable[[dict], Any]],
                  key: str, view: Callable[[dict], dict] | None = None) -> dict:
    """Filter, paginate and shape one List* response: `{key: [...], "nextToken": ...}`."""
    page, token = paginate(ctx.operation, params, filtered(items, params.get("filters"), fields))
    out: dict = {key: [view(item) for item in page] if view else page}
    if token:
        out["nextToken"] = token
    return out


def field(name: str) -> Callable[[dict], Any]:
    return lambda item: item.get(name)
