"""Helpers every resource family shares: copying modelled members, lookups, listing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, cast

from ..._backend.caches import memoize
from ..._backend import arns
from ..._backend.context import RequestContext
from ..._backend.pagination import filtered, paginate
from ..._engine._errors import ServiceError, already_exists, dependency, invalid_value, not_found
from ..._engine._model import service_model
from ..._engine._serializer import EmittedList
from . import catalog
from ..._backend.resource_types import ARN_TYPES
from .lookup import shared_items
from .types import Params, Resource, Result

if TYPE_CHECKING:
    from botocore.model import StructureShape

_SKIP = frozenset({"clientToken", "dryRun", "nextToken", "maxResults"})


@memoize(maxsize=None)
def member_names(shape_name: str) -> frozenset[str]:
    return frozenset(cast("StructureShape", service_model().shape_for(shape_name)).members)


@memoize(maxsize=None)
def _member_keys(shape_name: str, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """Member name -> the model's own string object for it (one key object for every stored resource),
    but for `exclude`."""
    return {name: name for name in cast("StructureShape", service_model().shape_for(shape_name)).members
            if name not in _SKIP and name not in exclude}


#: The tags of every resource created without tags: one shared dict, never changed in place (a tag
#: change gives the resource a new dict: tags.py).
NO_TAGS: Resource = {}


def own_tags(params: Params) -> Resource:
    """The tags a create request gives its resource: a copy, or the shared empty NO_TAGS."""
    tags = params.get("tags")
    return dict(tags) if tags else NO_TAGS


def pick(shape_name: str, params: Params, exclude: tuple[str, ...] = ()) -> Resource:
    """The request members that the resource shape `shape_name` also has, but for `exclude` (a data-driven
    copy). Keys are the model's string objects, not the request's freshly decoded ones (~55 bytes per key
    per resource)."""
    names = _member_keys(shape_name, exclude)
    return {names[k]: v for k, v in params.items() if k in names and v is not None}


def require_one(params: Params, *names: str, code: str = "InvalidParameterCombinationException") -> str:
    """Exactly one of `names` must be given; returns it."""
    given = [n for n in names if params.get(n) is not None]
    if len(given) != 1:
        which = "both" if len(given) > 1 else "neither"
        raise ServiceError(code, f"You must specify exactly one of {', '.join(repr(n) for n in names)}, "
                                 f"but {which} {'were' if which == 'both' else 'was'} provided.")
    return given[0]


def lookup(collection: dict[str, Resource], arn: str, resource_type: str) -> Resource:
    """The resource at `arn` or the service's ResourceNotFoundException (404)."""
    item = collection.get(arn)
    if item is None:
        raise not_found(resource_type, arn)
    return item


def check_arn(arn: str, param: str, resource_type: str) -> arns.Arn:
    """Parse `arn` and check its resource type (InvalidParameterValueException otherwise)."""
    parsed = arns.parse(arn, param)
    if parsed.resource_type != resource_type:
        raise invalid_value(param, f"The ARN '{arn}' is not a valid {resource_type} ARN.")
    return parsed


@memoize(maxsize=256)
def arn_base(region: str, account: str) -> str:
    """`arn:<partition>:imagebuilder:<region>:<account>:`, what every ARN `ctx.arn` makes starts with."""
    return f"arn:{arns.partition_for(region)}:imagebuilder:{region}:{account}:"


def new_arn(ctx: RequestContext, resource_type: str, name: str, version: str | None = None) -> str:
    """The ARN a Create* gives `name` (and `version`), or ResourceAlreadyExistsException if the caller has it."""
    arn = ctx.arn(resource_type, name, version)
    resource = ARN_TYPES[resource_type]
    if arn in ctx.store.collection(resource):
        raise already_exists(resource.name, arn)
    return arn


def own(ctx: RequestContext, params: Params, param: str, resource_type: str) -> tuple[str, Resource]:
    """The caller's resource at `params[param]` (an ARN of `resource_type`) and that ARN: a malformed or
    other-typed ARN is InvalidParameterValueException, a missing resource ResourceNotFoundException."""
    arn = params[param]
    check_arn(arn, param, resource_type)
    resource = ARN_TYPES[resource_type]
    return arn, lookup(ctx.store.collection(resource), arn, resource.name)


def used_by_pipeline(ctx: RequestContext, member: str, arn: str) -> bool:
    """Whether one of the caller's image pipelines names `arn` in `member`."""
    return any(pipeline.get(member) == arn for pipeline in ctx.store.image_pipelines.values())


def delete_unused(ctx: RequestContext, params: Params, param: str, resource_type: str) -> Resource:
    """Delete* of a configuration pipelines name in `param` (ResourceDependencyException while one does)."""
    arn, _ = own(ctx, params, param, resource_type)
    if used_by_pipeline(ctx, param, arn):
        raise dependency(arn)
    del ctx.store.collection(ARN_TYPES[resource_type])[arn]
    return {param: arn}


def version_references(arn: str) -> Resource:
    """latestVersionReferences of a stored versioned resource (own, shared or AWS-owned), from its ARN."""
    parsed = arns.parse(arn)
    # a stored resource's ARN is its version ARN, or that and `/<build>`: cut to before the version node
    version_arn = arn.rpartition("/")[0] if parsed.build is not None else arn
    version = cast(str, parsed.version)  # a stored versioned resource's ARN has a version
    stem = version_arn[:-len(version)]
    major, minor, _ = version.split(".")
    return {"latestVersionArn": f"{stem}x.x.x", "latestMajorVersionArn": f"{stem}{major}.x.x",
            "latestMinorVersionArn": f"{stem}{major}.{minor}.x", "latestPatchVersionArn": stem + version}


#: The catalog account each List* `owner` other than Self and Shared stands for.
OWNER_ACCOUNTS = {"Amazon": "aws", "ThirdParty": "third-party", "AWSMarketplace": "aws-marketplace"}


def owned_items(ctx: RequestContext, resource_type: str, owner: str) -> Iterable[Resource]:
    """The resources of `resource_type` a List* request's `owner` covers: the caller's (Self), those
    shared with it (Shared), or a catalog account's (Amazon, ThirdParty, AWSMarketplace)."""
    if owner == "Self":
        return ctx.store.collection(ARN_TYPES[resource_type]).values()
    if owner == "Shared":
        return (item for _account, item in shared_items(ctx, resource_type))
    return catalog.view(ctx).collection(ctx.region, resource_type, OWNER_ACCOUNTS[owner]).values()


def list_response(ctx: RequestContext, params: Params, items: Iterable[Resource],
                  fields: dict[str, Callable[[Resource], Any]], key: str,
                  view: Callable[[Resource], Resource] | None = None, emitted: bool = False) -> Result:
    """Filter, paginate and shape one List* response: `{key: [...], "nextToken": ...}`. `emitted`: the
    items are in their output form already (the serialiser passes the page on as it is)."""
    page, token = paginate((ctx.account, ctx.region, ctx.operation), params,
                           filtered(items, params.get("filters"), fields), secret=ctx.backend.token_secret)
    out: Resource = {key: EmittedList(page) if emitted else [view(item) for item in page] if view else page}
    if token:
        out["nextToken"] = token
    return out


def field(name: str) -> Callable[[Resource], Any]:
    return lambda item: item.get(name)
