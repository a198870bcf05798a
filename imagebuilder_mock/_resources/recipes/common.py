"""What image recipes and container recipes share: versions (with auto-increment), parents,
components, and the Create/Get/List/Delete operations themselves."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Iterable, cast

from ..._backend.caches import memoize
from ... import _lifecycle as lifecycle
from ..._backend import arns, versions
from ..._backend.context import RequestContext
from ..._backend.resource_types import ARN_TYPES
from ..._engine._errors import ServiceError, already_exists, dependency, invalid_value
from ..._engine._json import canonical
from .._shared import lookup as _lookup
from .._shared.common import arn_base, list_response, lookup, own_tags, owned_items, pick, version_references
from .._shared.types import Params, Resource

if TYPE_CHECKING:
    from ..._backend.store import Store

#: Platform assumed when the parent does not tell (AMI ids, SSM parameters, Marketplace products,
#: registry images): the mock has no EC2 to ask. INFERRED.
DEFAULT_PLATFORM = "Linux"

#: "A recipe can contain a maximum of 20 build and test components ... by default" (MODEL; adjustable quota).
MAX_COMPONENTS = 20
AMI_ID = re.compile(r"^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$")
_MARKETPLACE_PRODUCT = re.compile(r"^(?:prod-[a-z0-9]{8,32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
_VERSION_NODE = re.compile(r"^(?:[0-9]+|x)$")
#: What may follow `ssm:`: an SSM parameter name (`/aws/service/...`, `my-ami-param`; SSM's allowed
#: characters, 2,048 at most) or a parameter ARN (model: "followed by the parameter name or ARN").
SSM_PARAMETER = re.compile(r"^(?:[a-zA-Z0-9_.\-/]{1,2048}|arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[a-zA-Z0-9_.\-/]{1,2048})$")


# -- versions ----------------------------------------------------------------------------------
def concrete_version(collection: dict[str, Resource], arn_of: Callable[[str], str], requested: str,
                     param: str = "semanticVersion") -> str:
    """The version a Create gets: `requested` as is, or with its single `x` node replaced by one more
    than the highest value that node has among the recipe's versions sharing the nodes to its left
    (`1.0.x` after 1.0.7 → 1.0.8; `2.x.0` after 2.3.4 → 2.4.0). Auto-versioning; starts at 0 — INFERRED."""
    exact = _exact_version(requested, param)
    if exact is not None:
        return exact
    nodes = requested.split(".")
    wildcards = [i for i, n in enumerate(nodes) if n == "x"]
    if len(wildcards) > 1:
        raise versions.invalid_version(param, requested, ", and automatic versioning allows a single 'x' node")
    slot = wildcards[0]
    fixed = [None if i == slot else int(n) for i, n in enumerate(nodes)]
    if any(n is not None and n > versions.MAX_NODE for n in fixed):
        raise versions.invalid_version(param, requested)
    prefix = arn_of("0.0.0").rsplit("/", 1)[0] + "/"
    used = []
    for arn in collection:
        if not arn.startswith(prefix):
            continue
        existing = versions.key(arn[len(prefix):])
        if list(existing[:slot]) == fixed[:slot]:  # same nodes left of the `x`
            used.append(existing[slot])
    number = max(used) + 1 if used else 0
    if number > versions.MAX_NODE:
        raise versions.invalid_version(param, requested, ", and no higher version is left for its 'x' node")
    fixed[slot] = number
    return ".".join(str(n) for n in fixed)


@memoize(maxsize=1024)
def _exact_version(requested: str, param: str) -> str | None:
    """`requested` if it is a version without `x` nodes, None if it has some; invalid → InvalidVersionNumber.
    Cached: the string returned is the first one seen, which every recipe of that version then shares."""
    nodes = requested.split(".")
    if len(nodes) != 3 or not all(_VERSION_NODE.match(n) for n in nodes):
        raise versions.invalid_version(param, requested)
    if "x" in nodes:
        return None
    return versions.check(requested, param)  # bounds


# -- parents -----------------------------------------------------------------------------------
def _available(ctx: RequestContext) -> Callable[[Resource], bool]:
    return lambda image: lifecycle.settle(ctx, image)["state"]["status"] == "AVAILABLE"


def parent_image_platform(ctx: RequestContext, arn: str, param: str = "parentImage") -> str:
    """The platform of an Image Builder image used as a parent (own, AWS-owned or shared; version and
    wildcard ARNs resolve to the latest AVAILABLE build). Missing → ResourceNotFoundException."""
    image = _lookup.resolve(ctx, arn, "image", param, usable=_available(ctx))
    return image.get("platform") or DEFAULT_PLATFORM


def ami_parent_platform(ctx: RequestContext, parent: str, param: str = "parentImage") -> str:
    """Validate an image recipe's parentImage (AMI id, image ARN, `ssm:` parameter or Marketplace
    product id) and return the platform it implies."""
    if parent.startswith("arn:"):
        return parent_image_platform(ctx, parent, param)
    if parent.startswith("ssm:"):
        if len(parent) == len("ssm:"):
            raise invalid_value(param, "The SSM parameter name after 'ssm:' must not be empty.")
        if not SSM_PARAMETER.match(parent[4:]):
            raise invalid_value(param, f"The SSM parameter '{parent[4:]}' is not a valid parameter name or ARN: "
                                       "a name has only a-z, A-Z, 0-9, '_', '.', '-' and '/'.")
        return DEFAULT_PLATFORM
    if AMI_ID.match(parent) or _MARKETPLACE_PRODUCT.match(parent):
        return DEFAULT_PLATFORM
    raise invalid_value(param, f"The parent image '{parent}' must be an AMI ID, an Image Builder image ARN, "
                               "an SSM parameter prefixed by 'ssm:', or an AWS Marketplace product ID.")


# -- components --------------------------------------------------------------------------------
def check_components(ctx: RequestContext, components: list[Resource] | None, platform: str) -> list[Resource]:
    """Each component at most once (by name, regardless of version), each one resolvable and valid
    for the recipe (the components module decides: existence, status, platform, parameters).
    Returns the components resolved, in order."""
    if not components:
        return []
    if len(components) > MAX_COMPONENTS:
        raise ServiceError("ServiceQuotaExceededException",
                           f"A recipe can contain a maximum of {MAX_COMPONENTS} build and test components, "
                           f"but {len(components)} were provided.")
    seen: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(components):
        param = f"components[{index}].componentArn"
        parsed = arns.parse(entry["componentArn"], param)
        key = (parsed.account, parsed.name)
        if key in seen:
            raise invalid_value(param, f"The component '{parsed.name}' is already included in the recipe at "
                                       f"components[{seen[key]}]. You can specify each component only one time.")
        seen[key] = index
    from ..components.handlers import resolve_for_recipe as resolve  # here: components imports this package

    return [resolve(ctx, entry["componentArn"], f"components[{index}].componentArn", entry.get("parameters"),
                    platform)
            for index, entry in enumerate(components)]




# -- sharing what many recipes repeat -----------------------------------------------------------
#: Request strings a recipe keeps that many recipes repeat (a container recipe's template can be KBs).
_SHARED_STRINGS = ("parentImage", "dockerfileTemplateData")
#: Entries a sharing table holds before it starts afresh (a bound, not a cache: nothing is looked up
#: in it that could be wrong, and recipes keep what they were given).
_SHARED_MAX = 4096


_SHARED = "recipe_shared"  # Store.indexes key: (strings, component lists) that recipes share


def _share(store: Store, item: Resource) -> None:
    """Replace `item`'s repeated request values (strings, its components list) by the store's copy of
    each: kept once, however many recipes name it. Recipes never change after Create (only their tags,
    which are never shared), and nothing mutates what a recipe holds."""
    tables: tuple[dict[str, str], dict[bytes, list[Resource]]] | None = store.indexes.get(_SHARED)
    if tables is None or len(tables[0]) >= _SHARED_MAX or len(tables[1]) >= _SHARED_MAX:
        tables = store.indexes[_SHARED] = ({}, {})
    strings, lists = tables
    for member in _SHARED_STRINGS:
        value = item.get(member)
        if isinstance(value, str):
            item[member] = strings.setdefault(value, value)
    if item.get("components"):
        key = canonical(item["components"])
        item["components"] = lists.setdefault(key, item["components"])


# -- the operations both families share ---------------------------------------------------------
def create(ctx: RequestContext, params: Params, resource_type: str,
           validate: Callable[[RequestContext, Resource], tuple[str, Resource]]) -> Resource:
    """Create*Recipe: the concrete version, uniqueness, the family's own checks (`validate` returns the
    recipe's platform and the members it adds), the components, then the stored recipe."""
    resource = ARN_TYPES[resource_type]
    type_name = resource.name
    store = ctx.store
    collection = store.collection(resource)
    name = params["name"]
    # every version ARN of the recipe is this prefix and a version (as `ctx.arn` writes it)
    prefix = f"{arn_base(ctx.region, ctx.account)}{resource_type}/{arns.normalize_name(name)}/"
    requested = params["semanticVersion"]
    version = _exact_version(requested, "semanticVersion") or concrete_version(collection, prefix.__add__, requested)
    arn = prefix + version
    if arn in collection:
        raise already_exists(type_name, arn)
    platform, members = validate(ctx, params)
    check_components(ctx, params.get("components"), platform)
    if params.get("dryRun"):
        ctx.check_dry_run(params)
    item = pick(type_name, params, exclude=("tags",))
    item.update(members, arn=arn, version=version, platform=platform, owner=ctx.account, dateCreated=ctx.iso_now(),
                tags=own_tags(params))
    _share(store, item)
    collection[arn] = item
    return {resource.arn_member: arn, "latestVersionReferences": version_references(arn)}


def get(ctx: RequestContext, params: Params, resource_type: str) -> Resource:
    """Get*Recipe by version ARN or trailing-wildcard ARN (latest matching version), as the caller sees it."""
    resource = ARN_TYPES[resource_type]
    item = _lookup.resolve(ctx, params[resource.arn_member], resource_type, resource.arn_member)
    return {_member(resource.name): item, "latestVersionReferences": version_references(item["arn"])}


def list_by_owner(ctx: RequestContext, params: Params, resource_type: str, allowed_owners: Iterable[str],
                  fields: Resource, key: str) -> Resource:
    """List*Recipes: the recipes of the requested owner (Self by default), if the family accepts it."""
    owner = params.get("owner") or "Self"
    if owner not in allowed_owners:
        raise invalid_value("owner", f"The owner '{owner}' is not supported. Supported owners: "
                                     f"[{', '.join(allowed_owners)}].")
    return list_response(ctx, params, owned_items(ctx, resource_type, owner), fields, key)


def delete(ctx: RequestContext, params: Params, resource_type: str) -> Resource:
    """Delete*Recipe: a version ARN (no wildcards) of the caller's, not used by a pipeline nor shared."""
    resource = ARN_TYPES[resource_type]
    type_name, param = resource.name, resource.arn_member
    arn = params[param]
    parsed = arns.parse(arn, param)
    if parsed.resource_type != resource_type or parsed.version is None:
        raise invalid_value(param, f"The ARN '{arn}' is not a valid {resource_type} version ARN.")
    if "x" in parsed.version:
        raise invalid_value(param, f"The ARN '{arn}' must name a version without wildcards.")
    collection = ctx.store.collection(resource)
    lookup(collection, arn, type_name)
    _check_deletable(ctx, arn, param)
    del collection[arn]
    ctx.store.policies.pop(arn, None)
    return {param: arn}


def _member(type_name: str) -> str:
    """The request/response member of a type: ImageRecipe -> imageRecipe."""
    return type_name[0].lower() + type_name[1:]




def _check_deletable(ctx: RequestContext, arn: str, pipeline_member: str) -> None:
    """ResourceDependencyException while a pipeline uses the recipe (exactly or through a wildcard
    ARN that selects it) or while it is shared with another account (its resource policy grants one)."""
    store = ctx.store
    parsed = arns.parse(arn)
    for pipeline in store.image_pipelines.values():
        used = pipeline.get(pipeline_member)
        if not used:
            continue
        if used == arn:
            raise dependency(arn)
        used_parsed = arns.parse(used)
        if used_parsed.version and "x" in used_parsed.version and used_parsed._replace(version=None) == \
                parsed._replace(version=None):
            if versions.matches(versions.parse(used_parsed.version, wildcards=True),
                               cast(str, parsed.version)):  # a recipe's ARN has a version
                raise dependency(arn)
    if _lookup.shares_with_others(store.policies.get(arn), ctx.account):
        raise dependency(arn)


def not_windows_agent(params: Params, platform: str) -> None:
    """systemsManagerAgent applies to Linux and macOS only; Windows recipes reject it (MODEL)."""
    agent = (params.get("additionalInstanceConfiguration") or {}).get("systemsManagerAgent")
    if agent is not None and platform == "Windows":
        raise invalid_value("additionalInstanceConfiguration.systemsManagerAgent",
                            "The Systems Manager agent settings apply to Linux and macOS build instances only.")
