"""TagResource, UntagResource, ListTagsForResource: on any Image Builder ARN the caller owns.

A tags dict is never changed in place: a tag change gives the resource a new one (so resources may
share one, e.g. an empty sentinel). Recipes and configurations, which images keep by reference as
they were at build time, are themselves replaced by a copy with the new tags (copy-on-write).
"""

from __future__ import annotations

from typing import cast

from ..._backend import arns
from ..._backend.context import RequestContext
from ..._backend.resource_types import ARN_TYPES
from ..._engine._errors import invalid_value
from .. import operation
from .._shared.lookup import find_any, owner_collection
from .._shared.types import Params, Resource, Result



def _retag(ctx: RequestContext, arn: str, item: Resource, parsed: arns.Arn, tags: Resource) -> None:
    """Give the resource at `arn` the new tags dict `tags` (its key keeps its place in the resource)."""
    if ARN_TYPES[parsed.resource_type].held_by_reference:
        replacement = dict(item)
        replacement["tags"] = tags
        # find_any found `item` in this collection, so the caller may see into it
        cast("dict[str, Resource]", owner_collection(ctx, parsed))[arn] = replacement
    else:
        item["tags"] = tags


@operation("TagResource")
def tag_resource(ctx: RequestContext, params: Params) -> Result:
    arn = params["resourceArn"]
    item, parsed = find_any(ctx, arn)
    tags = dict(item.get("tags") or {})
    if len(set(tags) | set(params["tags"])) > 50:
        raise invalid_value("tags", "A resource can have at most 50 tags.")
    tags.update(params["tags"])
    _retag(ctx, arn, item, parsed, tags)
    return {}


@operation("UntagResource")
def untag_resource(ctx: RequestContext, params: Params) -> Result:
    arn = params["resourceArn"]
    item, parsed = find_any(ctx, arn)
    tags = dict(item.get("tags") or {})
    for key in params["tagKeys"]:
        tags.pop(key, None)
    _retag(ctx, arn, item, parsed, tags)
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(ctx: RequestContext, params: Params) -> Result:
    item, _ = find_any(ctx, params["resourceArn"])
    return {"tags": dict(item.get("tags") or {})}
