"""ListComponents and ListComponentBuildVersions, and what finds builds without scanning the store.

ListComponents shows one entry per version (or, byName, per name): its latest kept build. The first page
of a store of any size reads about one build per entry (`_own_entries`, lazily), so listing stays flat in
the store's size (the benchmark's list-scaling guard). Each build keeps its entry in output form (`_view`,
made again when its status changes), passed on as an `EmittedList` (docs/performance.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence, cast

from ..._backend.caches import memoize
from ..._backend import arns, versions
from ..._backend.context import RequestContext
from ..._engine._errors import invalid_request
from ..._engine._model import service_model
from ..._engine._serializer import Serializer
from .. import operation
from .._shared import catalog
from .._shared import lookup as _lookup
from .._shared.common import list_response
from .._shared.types import Params, Resource, Result

if TYPE_CHECKING:
    from ..._backend.store import Store
    from ..._engine._serializer import Emit

_OWNER_ACCOUNTS = {"Amazon": "aws", "ThirdParty": "third-party", "AWSMarketplace": "aws-marketplace"}
_LIST_FILTERS = ("description", "name", "platform", "productCodes", "status", "supportedOsVersion", "type",
                 "version")


def status_of(item: Resource) -> str:
    """A build's status (ACTIVE unless deprecated or disabled)."""
    status: str = item.get("state", {}).get("status", "ACTIVE")
    return status


def version_arn_of(item: Resource) -> str:
    """The version ARN of a build (its ARN without the build node)."""
    arn: str = item["arn"]
    return arn.rsplit("/", 1)[0]


# -- finding builds without scanning the store (lists and creates stay flat in its size) ----------
def builds_of(store: Store, version_arn: str) -> list[Resource]:
    """The store's builds of one version, in creation order: build numbers count up from 1 and are
    never reused (`store.builds`), so no index is needed (nor memory spent on one)."""
    components = store.components
    found = (components.get(f"{version_arn}/{n}") for n in range(1, store.builds.get(version_arn, 0) + 1))
    return [item for item in found if item is not None]


_NAMES = "component_names"  # Store.indexes key: name -> version ARNs of the store's components


def _names(store: Store) -> dict[str, list[str]]:
    """Version ARNs by component name (ListComponents byName): built on first use, then kept up to date
    by create and delete, so stores that are never listed by name spend no memory on it."""
    names: dict[str, list[str]] | None = store.indexes.get(_NAMES)
    if names is None:
        names = store.indexes[_NAMES] = {}
        for arn in store.components:
            _add_name(names, arn)
    return names


def name_added(store: Store, arn: str) -> None:
    """Keep the byName index (when there is one) up to date with a new build `arn`."""
    if _NAMES in store.indexes:
        _add_name(store.indexes[_NAMES], arn)


def _add_name(names: dict[str, list[str]], arn: str) -> None:
    version_arn = arn.rsplit("/", 1)[0]
    versions_of_name = names.setdefault(version_arn.rsplit("/", 2)[1], [])
    if version_arn not in versions_of_name:
        versions_of_name.append(version_arn)


def name_removed(store: Store, arn: str) -> None:
    """Keep the byName index (when there is one) up to date with a deleted build `arn`."""
    names = store.indexes.get(_NAMES)
    version_arn = arn.rsplit("/", 1)[0]
    if names is None or builds_of(store, version_arn):
        return
    name = version_arn.rsplit("/", 2)[1]
    versions_of_name = names.get(name, [])
    if version_arn in versions_of_name:
        versions_of_name.remove(version_arn)
    if not versions_of_name:
        names.pop(name, None)


def _only(versions_of_name: Sequence[str], version_arn: str) -> bool:
    return len(versions_of_name) == 1 and versions_of_name[0] == version_arn


def _own_entries(store: Store, by_name: bool, deprecated: bool) -> Iterator[Resource]:
    """The ListComponents entries (`_view_of`) of the store's latest build of each version (or name)
    among its kept builds (DEPRECATED ones only when `deprecated`), lazily, in the order each key's first
    kept build was created: `_latest_per` without reading the whole store. A first page reads ~one build
    per entry."""
    builds = store.builds
    names = _names(store) if by_name else None
    skipped = None if deprecated else "DEPRECATED"  # the status left out
    seen: set[str] = set()
    for item in store.components.values():
        view = _view_of(item)
        if view["status"] == skipped:
            continue
        version_arn = view["arn"]
        if builds.get(version_arn, 0) <= 1 and (names is None or _only(names.get(version_arn.rsplit("/", 2)[1], ()),
                                                                       version_arn)):
            yield view  # the usual case: the only build its key ever had, so no key to remember
            continue
        key = version_arn if names is None else version_arn.rsplit("/", 2)[1]
        if key in seen:
            continue
        seen.add(key)
        latest = item  # the first kept build of its key: the earliest wins a tie, as in `_latest_per`
        for version in names.get(key, ()) if names is not None else (key,):
            if version == version_arn and builds.get(version, 0) <= 1:
                continue  # a version with one build, this one
            for build in builds_of(store, version):
                if build is not item and (deprecated or status_of(build) != "DEPRECATED") and _newer(build, latest):
                    latest = build
        yield view if latest is item else _view_of(latest)


def _owned(ctx: RequestContext, owner: str) -> Iterable[Resource]:
    """Every build the caller sees for `owner` (Shared, Amazon, ThirdParty, AWSMarketplace; Self: `_latest_own`)."""
    if owner == "Shared":
        return [item for _account, item in _lookup.shared_items(ctx, "component")]
    account = _OWNER_ACCOUNTS[owner]
    return [i for i in catalog.view(ctx).collection(ctx.region, "component").values() if arns.parse(i["arn"]).account == account]


def _newer(item: Resource, current: Resource | None) -> bool:
    return current is None or (versions.key(item["version"]), item.get("_build", 0)) > \
        (versions.key(current["version"]), current.get("_build", 0))


def _latest_per(builds: Iterable[Resource], key: Callable[[Resource], str]) -> list[Resource]:
    """The latest build for each key, in the order each key first appears."""
    best: dict[str, Resource] = {}
    for item in builds:
        k = key(item)
        if _newer(item, best.get(k)):
            best[k] = item
    return list(best.values())


def _version_view(item: Resource, status: str) -> Resource:
    """The build's ComponentVersion, in its output form (what the serialiser would make of it): the
    entries of a ListComponents page are passed on as they are (`EmittedList`)."""
    view: Resource = {k: item[k] for k in ("name", "version", "description", "platform", "supportedOsVersions", "type",
                                 "owner", "dateCreated", "productCodes") if k in item}
    view["arn"] = version_arn_of(item)
    view["status"] = status
    emitted: Resource = _emit_version()(view)
    return emitted


@memoize()
def _emit_version() -> Emit:
    """The serialiser's function for a ComponentVersion."""
    return cast("Emit", Serializer().emitter(service_model().shape_for("ComponentVersion")))  # a structure has one


def _view_of(item: Resource) -> Resource:
    """The build's ListComponents entry (a ComponentVersion), kept on the build as `_view`: made on its
    first listing and made again when its status changes (state is replaced or changed in place; no
    other member a view holds changes after a build is created, and tags are not in it)."""
    status = status_of(item)
    view = item.get("_view")
    if view is None or view["status"] != status:
        view = item["_view"] = _version_view(item, status)
    return view


def _wants_deprecated(filters: list[Resource] | None) -> bool:
    return any(f.get("name") == "status" and "DEPRECATED" in (f.get("values") or []) for f in filters or [])


@operation("ListComponents")
def list_components(ctx: RequestContext, params: Params) -> Result:
    filters = params.get("filters")
    by_name = bool(params.get("byName"))
    if by_name and filters and any(f.get("name") == "version" for f in filters):
        raise invalid_request("You can't combine byName with the 'version' filter.")
    owner = params.get("owner") or "Self"
    deprecated = bool(filters) and _wants_deprecated(filters)
    if owner == "Self":
        entries: Iterable[Resource] = _own_entries(ctx.store, by_name, deprecated)
    else:
        builds = [b for b in _owned(ctx, owner) if deprecated or status_of(b) != "DEPRECATED"]
        latest = _latest_per(builds, (lambda b: arns.parse(b["arn"]).name) if by_name else version_arn_of)
        entries = map(_view_of, latest)
    return list_response(ctx, params, entries, _LIST_FIELDS, "componentVersionList", emitted=True)


#: Filter getters, over entries (`_view_of`).
_LIST_FIELDS = {name: (lambda key: (lambda view: view.get(key)))(name) for name in _LIST_FILTERS}
_LIST_FIELDS.update(status=lambda view: view["status"], supportedOsVersion=lambda view: view.get("supportedOsVersions"),
                    productCodes=lambda view: [p["productCodeId"] for p in view.get("productCodes") or []])


def _summary(item: Resource) -> Resource:
    names = ("arn", "name", "version", "platform", "supportedOsVersions", "state", "type", "owner", "description",
             "changeDescription", "dateCreated", "tags", "publisher", "obfuscate")
    return {k: item[k] for k in names if k in item}


@operation("ListComponentBuildVersions")
def list_component_build_versions(ctx: RequestContext, params: Params) -> Result:
    arn = params.get("componentVersionArn")
    builds: Iterable[Resource] = builds_of(ctx.store, arn) if arn else ctx.store.components.values()
    builds = (b for b in builds if status_of(b) != "DEPRECATED")
    return list_response(ctx, params, builds, {}, "componentSummaryList", _summary)


