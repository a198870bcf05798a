"""Finding a resource by ARN as the caller sees it: its own, AWS-owned (`aws`), or shared with it.

Versioned types (component, image, image-recipe, container-recipe, workflow) accept build ARNs,
version ARNs (latest build) and trailing `x` wildcards (latest match), as the service does.
"""

from __future__ import annotations

import json
from typing import Callable, Iterable, Iterator, cast

from ..._backend import arns, versions
from ..._backend.context import RequestContext
from ..._backend.caches import memoize
from ..._backend.resource_types import ARN_TYPES
from ..._backend.store import Store
from ..._engine._errors import invalid_value, not_found
from . import catalog
from .types import Resource

def type_name(resource_type: str) -> str:
    return ARN_TYPES[resource_type].name


def _allowed_principals(policy: str | None) -> list[str]:
    """The principals (account ids, ARNs, `*`) the Allow statements of a resource policy name."""
    if not policy:
        return []
    try:
        document = json.loads(policy)
    except ValueError:
        return []
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    found: list[str] = []
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal", {})
        names = principal.get("AWS", []) if isinstance(principal, dict) else principal
        found += [names] if isinstance(names, str) else [n for n in names if isinstance(n, str)]
    return found


def grants(policy: str | None, account: str) -> bool:
    """Whether a resource policy allows `account` (by id, root ARN or `*`)."""
    return any(name in ("*", account, f"arn:aws:iam::{account}:root") for name in _allowed_principals(policy))


def shares_with_others(policy: str | None, owner: str) -> bool:
    """Whether a resource policy grants anyone but `owner`: another account, `*`, or a principal that is
    not an account (an organization's). A policy naming only the owner shares nothing: the user guide's
    rule is "Owners cannot delete a shared component, image, or image recipe until it is no longer shared"
    (docs/service-behavior.md, "Deleting a resource with a policy")."""
    return any(name not in (owner, f"arn:aws:iam::{owner}:root") for name in _allowed_principals(policy))


def owner_collection(ctx: RequestContext, parsed: arns.Arn) -> dict[str, Resource] | None:
    """The dict holding resources of `parsed`'s type and account, if the caller may see into it.
    Image Builder resources live in one Region: another Region's ARN finds nothing (INFERRED)."""
    if parsed.resource_type not in ARN_TYPES or parsed.region != ctx.region:
        return None
    if parsed.account in catalog.ACCOUNTS:
        return catalog.view(ctx).collection(parsed.region, parsed.resource_type, parsed.account)
    store: Store = ctx.backend.store(parsed.account, parsed.region)
    return store.collection(ARN_TYPES[parsed.resource_type])


def visible(ctx: RequestContext, parsed: arns.Arn, item: Resource) -> bool:
    """Own and AWS-owned resources are visible; another account's only when shared with the caller."""
    if parsed.account == ctx.account or parsed.account in catalog.ACCOUNTS:
        return True
    owner_store = ctx.backend.store(parsed.account, parsed.region)
    base = item["arn"]
    candidates = [base]
    parsed_item = arns.parse(base)
    if parsed_item.version:
        candidates.append(parsed_item.version_arn)
    return any(grants(owner_store.policies.get(arn), ctx.account) for arn in candidates)


def resolve(ctx: RequestContext, arn: str, resource_type: str, param: str,
            usable: Callable[[Resource], bool] | None = None) -> Resource:
    """The resource `arn` names, as the caller sees it, or ResourceNotFoundException.

    For versioned types a version or wildcard ARN resolves to the latest build (or recipe version)
    that satisfies `usable` (e.g. images: AVAILABLE only).
    """
    parsed = arns.parse(arn, param)
    if parsed.resource_type != resource_type:
        raise invalid_value(param, f"The ARN '{arn}' is not a valid {resource_type} ARN.")
    if parsed.version is not None and "xx" in parsed.version:
        arn, parsed = _single_x(arn, parsed, param)
    collection = owner_collection(ctx, parsed)
    if collection is None:
        raise not_found(type_name(resource_type), arn)
    item = collection.get(arn)
    if item is None and parsed.version is not None and (parsed.build is None or "x" in parsed.version):
        if parsed.build is not None:
            raise invalid_value(param, f"The ARN '{arn}' cannot combine a wildcard version with a build number.")
        pattern = versions.parse(parsed.version, param, wildcards=True)
        if parsed.account != ctx.account and parsed.account not in catalog.ACCOUNTS:
            # another account's: the latest build *shared with the caller*, not the latest build
            check = usable
            usable = lambda i: (check is None or check(i)) and visible(ctx, parsed, i)  # noqa: E731
        if parsed.account in catalog.ACCOUNTS:  # the catalog never changes: its matches of an ARN neither
            view = catalog.view(ctx)
            found = _catalog_matches(arn) if view is catalog.BUILTIN else _matches(view, arn)
            item = next((i for i in found if usable is None or usable(i)), None)
        else:
            item = latest_match(collection.values(), parsed, pattern, resource_type, usable)
    if item is None or not visible(ctx, parsed, item):
        raise not_found(type_name(resource_type), arn)
    return item


def _single_x(arn: str, parsed: arns.Arn, param: str) -> tuple[str, arns.Arn]:
    """`.../xxxx.x.x` as `.../x.x.x`: a node of x's is one wildcard (the API reference's parentImage
    example `windows-server-2016-english-full-base-x86/xxxx.x.x`, the AWS CLI's create-image-recipe)."""
    given = cast(str, parsed.version)  # only called for an ARN with a version
    nodes = [("x" if node and set(node) == {"x"} else node) for node in given.split(".")]
    version = ".".join(nodes)
    stem = arn[:arn.index("/" + given) + 1]
    rest = arn[len(stem) + len(given):]
    arn = stem + version + rest
    return arn, arns.parse(arn, param)


def latest_match(items: Iterable[Resource], parsed: arns.Arn, pattern: tuple[int | None, ...], resource_type: str,
                 usable: Callable[[Resource], bool] | None = None) -> Resource | None:
    """Latest item (highest version, then build) with the same name (and workflow type) whose version
    matches `pattern`. One pass; each ARN parsed once (cached), `usable` asked only of name matches."""
    built = ARN_TYPES[resource_type].built
    best: Resource | None = None
    best_key: tuple[tuple[int, ...], int] | None = None
    for item in items:
        item_arn = arns.parse(item["arn"])
        if item_arn.name != parsed.name or item_arn.workflow_type != parsed.workflow_type:
            continue
        item_version = cast(str, item_arn.version)  # a versioned type's ARN has a version
        if not versions.matches(pattern, item_version):
            continue
        if usable is not None and not usable(item):
            continue
        rank = (versions.key(item_version), int(item.get("_build", 0) or 0) if built else 0)
        if best_key is None or rank > best_key:
            best, best_key = item, rank
    return best


@memoize(maxsize=1024)
def _catalog_matches(arn: str) -> tuple[Resource, ...]:
    """The catalog's items a version or wildcard ARN matches, latest first (ties in catalog order): what
    `latest_match` would pick from, for each `usable`. Memoised (the catalog never changes; a user's ARN may
    be anything, so the cache is bounded)."""
    return _matches(catalog.BUILTIN, arn)


def _matches(view: catalog.CatalogView, arn: str) -> tuple[Resource, ...]:
    """The items of catalog `view` a version or wildcard ARN matches, latest first."""
    parsed = arns.parse(arn)
    pattern = versions.parse(cast(str, parsed.version), wildcards=True)  # a version or wildcard ARN
    candidates = view.by_name(parsed.region, parsed.resource_type, parsed.account).get(parsed.name, ())
    built = ARN_TYPES[parsed.resource_type].built
    found: list[tuple[tuple[tuple[int, ...], int], Resource]] = []
    for item in candidates:
        item_arn = arns.parse(item["arn"])
        item_version = cast(str, item_arn.version)  # a versioned type's ARN has a version
        if item_arn.workflow_type == parsed.workflow_type and versions.matches(pattern, item_version):
            found.append(((versions.key(item_version), int(item.get("_build", 0) or 0) if built else 0), item))
    found.sort(key=lambda pair: pair[0], reverse=True)  # stable: among equal ranks, catalog order stays
    return tuple(item for _rank, item in found)


def find_any(ctx: RequestContext, arn: str, param: str = "resourceArn") -> tuple[Resource, arns.Arn]:
    """Any Image Builder resource of the caller's, by exact ARN (used by the tag operations)."""
    parsed = arns.parse(arn, param)
    collection = owner_collection(ctx, parsed) if parsed.account == ctx.account else None
    item = collection.get(arn) if collection is not None else None
    if item is None:
        name = ARN_TYPES[parsed.resource_type].name if parsed.resource_type in ARN_TYPES else "Resource"
        raise not_found(name, arn)
    return item, parsed


def shared_items(ctx: RequestContext, resource_type: str) -> Iterator[tuple[str, Resource]]:
    """Resources of other accounts in the caller's region that are shared with the caller
    (for `owner="Shared"` in List* operations). Yields (owner_account, resource)."""
    resource = ARN_TYPES[resource_type]
    for (account, region), store in list(ctx.backend.stores.items()):
        if account == ctx.account or region != ctx.region or not store.policies:
            continue
        for item in store.collection(resource).values():
            candidates = [item["arn"]]
            parsed = arns.parse(item["arn"])
            if parsed.version:
                candidates.append(parsed.version_arn)
            if any(grants(store.policies.get(arn), ctx.account) for arn in candidates):
                yield account, item
