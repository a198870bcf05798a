"""TagResource, UntagResource, ListTagsForResource: on any Image Builder ARN the caller owns."""

from __future__ import annotations

from .._backend.context import RequestContext
from .._engine._errors import invalid_value
from . import operation
from ._lookup import find_any


@operation("TagResource")
def tag(ctx: RequestContext, params: dict) -> dict:
    item, _ = find_any(ctx, params["resourceArn"])
    tags = item.setdefault("tags", {})
    if len(set(tags) | set(params["tags"])) > 50:
        raise invalid_value("tags", "A resource can have at most 50 tags.")
    tags.update(params["tags"])
    return {}


@operation("UntagResource")
def untag(ctx: RequestContext, params: dict) -> dict:
    item, _ = find_any(ctx, params["resourceArn"])
    tags = item.setdefault("tags", {})
    for key in params["tagKeys"]:
        tags.pop(key, None)
    return {}


@operation("ListTagsForResource")
def list_tags(ctx: RequestContext, params: dict) -> dict:
    item, _ = find_any(ctx, params["resourceArn"])
    return {"tags": dict(item.get("tags") or {})}
