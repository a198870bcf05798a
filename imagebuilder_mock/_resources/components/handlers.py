"""Components: Create/Import/Get/List/ListBuildVersions/Delete, and `resolve_for_recipe`, which the
recipe families call to check each component a recipe names.

A component is stored per build, keyed by its build ARN (`component/<name>/<x.y.z>/<n>`); ListComponents
shows one entry per version (its latest build). Document rules live in `component_documents`.
Facts and INFERRED choices: docs/notes/components.md.
"""

from __future__ import annotations

import contextvars
import functools
import re
import sys
from typing import Iterable, Iterator

from ..._backend import arns, versions
from ..._backend.context import RequestContext
from ..._engine._errors import (ServiceError, already_exists, dependency, invalid_combination, invalid_request,
                               invalid_value, not_found)
from ..._engine._model import service_model
from ..._engine._serializer import Serializer
from .._shared import lookup as _lookup, catalog
from .. import operation
from . import documents
from .._shared.common import arn_base, list_response, member_names, own_tags, require_one

_TYPE = "Component"
_S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>.+)$")
#: What makes two builds of one version "identical" (tags are not content). INFERRED.
_CONTENT = ("data", "description", "changeDescription", "platform", "supportedOsVersions", "kmsKeyId", "type")
_OWNER_ACCOUNTS = {"Amazon": "aws", "ThirdParty": "third-party", "AWSMarketplace": "aws-marketplace"}
_LIST_FILTERS = ("description", "name", "platform", "productCodes", "status", "supportedOsVersion", "type",
                 "version")


def _active(item: dict) -> bool:
    return item.get("state", {}).get("status") == "ACTIVE"


def _status(item: dict) -> str:
    return item.get("state", {}).get("status", "ACTIVE")


def _version_arn(item: dict) -> str:
    return item["arn"].rsplit("/", 1)[0]


def _resolve(ctx: RequestContext, arn: str, param: str, usable=None) -> dict:
    """`_lookup.resolve`, limited to the caller's region (a component lives in one Region). INFERRED."""
    parsed = arns.parse(arn, param)
    if parsed.resource_type == "component" and parsed.region != ctx.region:
        raise not_found(_TYPE, arn)
    return _lookup.resolve(ctx, arn, "component", param, usable=usable)


# -- used by image and container recipes -------------------------------------------------------
def resolve_for_recipe(ctx: RequestContext, arn: str, param: str, parameters: list | None = None,
                       platform: str | None = None, os_version: str | None = None) -> dict:
    """The component a recipe names (build, version or `x`-wildcard ARN; own, AWS-owned or shared),
    checked for use in a new recipe: ACTIVE, of the recipe's platform (and, when `os_version` is
    known, supporting it by prefix match), and given exactly the parameters its document declares.
    Returns the component dict."""
    # the caller's own build at exactly `arn`, found without parsing the ARN (the usual case): what
    # `_resolve` gives for such an ARN whatever `usable` says (an exact build ARN is never resolved further)
    item = ctx.store.components.get(arn)
    if item is None:
        try:
            item = _resolve(ctx, arn, param, usable=_active)
        except ServiceError as error:
            if error.code != "ResourceNotFoundException":
                raise
            item = _resolve(ctx, arn, param)  # found only in a DEPRECATED/DISABLED build
    if item.get("state", {}).get("status") != "ACTIVE":  # (`_active`, inline)
        raise invalid_value(param, f"The component '{item['arn']}' has the status {_status(item)}. Components "
                                   "with a status of DEPRECATED or DISABLED can't be added to new recipes.")
    if platform is not None and item["platform"] != platform:
        raise invalid_value("components", f"Component ARN '{arn}' has the platform {item['platform']}, which does "
                                          f"not match the platform {platform} of the recipe's parent image.")
    supported = item.get("supportedOsVersions")
    if os_version and supported and not any(os_version.startswith(v) for v in supported):
        raise invalid_value("components", f"Component ARN '{arn}' supports the OS versions "
                                          f"{', '.join(supported)}, which do not include {os_version}.")
    if parameters:  # (`check_recipe_parameters` checks nothing without them)
        base = param[: -len(".componentArn")] if param.endswith(".componentArn") else param
        check_recipe_parameters(item, parameters, f"{base}.parameters")
    return item


def check_recipe_parameters(item: dict, given: list | None, param: str) -> None:
    """A recipe may set only the parameters the component declares, one value each. A parameter
    without default that the recipe leaves out is not an error here: the build fails (see
    `missing_parameters`)."""
    if not given:
        return  # nothing given: nothing to check, whatever the component declares
    declared = {p["name"]: p for p in item.get("parameters") or []}
    given = given or []
    names = [p.get("name") for p in given]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise invalid_value(param, f"The following parameters are specified more than once: {', '.join(duplicates)}")
    undefined = [n for n in names if n not in declared]
    if undefined:  # CONFIRMED wording (reference §4)
        raise invalid_combination(param, "The following parameters are not defined in the provided component: "
                                         + ", ".join(undefined))
    for index, entry in enumerate(given):
        values = entry.get("value") or []
        if len(values) != 1:
            raise invalid_value(f"{param}[{index}].value",
                                f"Parameter '{entry['name']}' must have exactly one value, but {len(values)} were "
                                "given.")
        ptype = declared[entry["name"]]["type"]
        doc_type = next(k for k, v in documents.PARAMETER_TYPES.items() if v == ptype)
        documents.check_value(doc_type, values[0], entry["name"], f"{param}[{index}].value")


def missing_parameters(item: dict, given: list | None) -> list[str]:
    """Parameters of component `item` that have no default and that `given` (a recipe's
    ComponentConfiguration.parameters) leaves out: an image build with them fails."""
    names = {p.get("name") for p in given or []}
    return [p["name"] for p in item.get("parameters") or [] if "defaultValue" not in p and p["name"] not in names]


# -- finding builds without scanning the store (lists and creates stay flat in its size) ----------
def _builds_of(store, version_arn: str) -> list[dict]:
    """The store's builds of one version, in creation order: build numbers count up from 1 and are
    never reused (`store.builds`), so no index is needed (nor memory spent on one)."""
    components = store.components
    found = (components.get(f"{version_arn}/{n}") for n in range(1, store.builds.get(version_arn, 0) + 1))
    return [item for item in found if item is not None]


_NAMES = "component_names"  # Store.indexes key: name -> version ARNs of the store's components


def _names(store) -> dict[str, list[str]]:
    """Version ARNs by component name (ListComponents byName): built on first use, then kept up to date
    by create and delete, so stores that are never listed by name spend no memory on it."""
    names = store.indexes.get(_NAMES)
    if names is None:
        names = store.indexes[_NAMES] = {}
        for arn in store.components:
            _name_added(names, arn)
    return names


def _name_added(names: dict[str, list[str]], arn: str) -> None:
    version_arn = arn.rsplit("/", 1)[0]
    versions_of_name = names.setdefault(version_arn.rsplit("/", 2)[1], [])
    if version_arn not in versions_of_name:
        versions_of_name.append(version_arn)


def _name_removed(store, arn: str) -> None:
    names = store.indexes.get(_NAMES)
    version_arn = arn.rsplit("/", 1)[0]
    if names is None or _builds_of(store, version_arn):
        return
    name = version_arn.rsplit("/", 2)[1]
    versions_of_name = names.get(name, [])
    if version_arn in versions_of_name:
        versions_of_name.remove(version_arn)
    if not versions_of_name:
        names.pop(name, None)


def _only(versions_of_name: list[str], version_arn: str) -> bool:
    return len(versions_of_name) == 1 and versions_of_name[0] == version_arn


def _own_entries(store, by_name: bool, deprecated: bool) -> Iterator[dict]:
    """The ListComponents entries (`_view_of`) of the store's latest build of each version (or name)
    among its kept builds (DEPRECATED ones only when `deprecated`), lazily, in the order each key's first
    kept build was created: `_latest_per` without reading the whole store. A first page reads ~one build
    per entry."""
    builds = store.builds
    names = _names(store) if by_name else None
    skipped = None if deprecated else "DEPRECATED"  # the status left out
    seen: set[str] = set()
    for item in store.components.values():
        state, view = item.get("state"), item.get("_view")  # `_view_of`, inlined: one call less per entry
        status = state.get("status", "ACTIVE") if state is not None else "ACTIVE"
        if view is None or view["status"] != status:
            view = item["_view"] = _version_view(item, status)
        if status == skipped:
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
            for build in _builds_of(store, version):
                if build is not item and (deprecated or _status(build) != "DEPRECATED") and _newer(build, latest):
                    latest = build
        yield view if latest is item else _view_of(latest)


# -- creating ----------------------------------------------------------------------------------
def _fetch_s3(ctx: RequestContext, uri: str, param: str = "uri") -> str:
    """The object at `uri`, read through moto's S3 when moto's mock is active in this process (moto
    answers in-process). Without it there is no S3 to read, so the object is unreachable, as a
    missing object is on AWS. The network is never touched."""
    match = _S3_URI.match(uri)
    if not match:
        raise invalid_value(param, f"The URI '{uri}' is not a valid Amazon S3 URI. Specify a URI in the format "
                                   "s3://bucket/key.")
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    if stubber is None or not getattr(stubber, "enabled", False):
        raise invalid_value(param, f"Unable to download the object at '{uri}': the object does not exist or "
                                   "Image Builder is not allowed to read it.")
    import boto3
    from botocore.exceptions import ClientError

    def download() -> str:
        s3 = boto3.client("s3", region_name=ctx.region)
        return s3.get_object(Bucket=match["bucket"], Key=match["key"])["Body"].read().decode("utf-8")

    try:
        # A fresh context: the nested S3 call must not look like the imagebuilder request being served.
        return contextvars.Context().run(download)
    except (ClientError, UnicodeDecodeError) as exc:
        raise invalid_value(param, f"Unable to download the object at '{uri}': {exc}") from None


@functools.cache
def _copied_members() -> frozenset[str]:
    """The Create/ImportComponent request members a build keeps as they are (`_common.pick`, once)."""
    return member_names("Component") - {"tags", "data", "type", "parameters", "clientToken", "dryRun"}


def _same_content(build: dict, item: dict) -> bool:
    return all(build.get(k) == item.get(k) for k in _CONTENT)


def _add_build(ctx: RequestContext, params: dict, data: str, ctype: str, parameters: list[dict]) -> dict:
    """Validate-then-store a new build of `params['name']`/`semanticVersion` (after the dry-run check)."""
    version = params["semanticVersion"]
    store = ctx.store
    version_arn = f"{arn_base(ctx.region, ctx.account)}component/{arns.normalize_name(params['name'])}/{version}"
    copied = _copied_members()
    item = {k: v for k, v in params.items() if k in copied and v is not None}
    item["version"], item["type"], item["data"], item["owner"] = version, ctype, data, ctx.account
    item["encrypted"], item["state"], item["tags"] = True, {"status": "ACTIVE"}, own_tags(params)
    if parameters:
        item["parameters"] = parameters
    if store.builds.get(version_arn):  # an earlier build of this version (the usual create has none)
        latest = versions.latest(_builds_of(store, version_arn), lambda b: b["version"], lambda b: b["_build"])
        if latest is not None and _same_content(latest, item):
            raise already_exists(_TYPE, latest["arn"])
    if params.get("dryRun"):
        ctx.check_dry_run(params)
    build = store.next_build(version_arn)
    arn = f"{version_arn}/{build}"
    item["arn"], item["dateCreated"], item["_build"] = arn, ctx.iso_now(), build
    store.components[arn] = item
    if _NAMES in store.indexes:
        _name_added(store.indexes[_NAMES], arn)
    return item


def _references(build_arn: str) -> dict:
    """latestVersionReferences of a build, from its ARN (own, shared or AWS-owned: names in ARNs are
    normalised already, so this is `arns.make` of the ARN's parts without parsing it)."""
    stem, _, version = build_arn[:build_arn.rindex("/")].rpartition("/")
    return versions.references_under(stem + "/", version)


@operation("CreateComponent")
def create_component(ctx: RequestContext, params: dict) -> dict:
    if params.get("data") is not None and params.get("uri") is None:  # the usual case
        source = "data"
    else:
        source = require_one(params, "data", "uri")
    versions.check(params["semanticVersion"], "semanticVersion")
    data = params["data"] if source == "data" else _fetch_s3(ctx, params["uri"])
    ctype, parameters = documents.type_and_parameters(data, params["platform"], source)
    item = _add_build(ctx, params, data, ctype, parameters)
    return {"componentBuildVersionArn": item["arn"], "latestVersionReferences": _references(item["arn"])}


@operation("ImportComponent")
def import_component(ctx: RequestContext, params: dict) -> dict:
    source = require_one(params, "data", "uri")
    versions.parse(params["semanticVersion"], "semanticVersion")
    script = params["data"] if source == "data" else _fetch_s3(ctx, params["uri"])
    if not script.strip():
        raise invalid_value(source, "The script is empty.")
    data = documents.shell_document(params["name"], params.get("description"), script, params["platform"],
                                    params["type"])
    documents.parse(data, params["platform"], source)
    item = _add_build(ctx, params, data, params["type"], [])
    return {"componentBuildVersionArn": item["arn"]}


# -- reading -----------------------------------------------------------------------------------
@operation("GetComponent")
def get_component(ctx: RequestContext, params: dict) -> dict:
    arn = params["componentBuildVersionArn"]
    item = ctx.store.components.get(arn) or _resolve(ctx, arn, "componentBuildVersionArn", usable=_active)
    build_arn = item["arn"]  # (`_references`, inline)
    stem, _, version = build_arn[:build_arn.rindex("/")].rpartition("/")
    return {"component": item, "latestVersionReferences": versions.references_under(stem + "/", version)}


def _owned(ctx: RequestContext, owner: str) -> Iterable[dict]:
    """Every build the caller sees for `owner` (Shared, Amazon, ThirdParty, AWSMarketplace; Self: `_latest_own`)."""
    if owner == "Shared":
        return [item for _account, item in _lookup.shared_items(ctx, "component")]
    account = _OWNER_ACCOUNTS[owner]
    return [i for i in catalog.collection(ctx.region, "component").values() if arns.parse(i["arn"]).account == account]


def _newer(item: dict, current: dict | None) -> bool:
    return current is None or (versions.key(item["version"]), item.get("_build", 0)) > \
        (versions.key(current["version"]), current.get("_build", 0))


def _latest_per(builds: Iterable[dict], key) -> list[dict]:
    """The latest build for each key, in the order each key first appears."""
    best: dict[str, dict] = {}
    for item in builds:
        k = key(item)
        if _newer(item, best.get(k)):
            best[k] = item
    return list(best.values())


def _version_view(item: dict, status: str) -> dict:
    """The build's ComponentVersion, in its output form (what the serialiser would make of it): the
    entries of a ListComponents page are passed on as they are (`EmittedList`)."""
    view = {k: item[k] for k in ("name", "version", "description", "platform", "supportedOsVersions", "type",
                                 "owner", "dateCreated", "productCodes") if k in item}
    view["arn"] = _version_arn(item)
    view["status"] = status
    return _emit_version()(view)


@functools.cache
def _emit_version():
    """The serialiser's function for a ComponentVersion."""
    return Serializer().emitter(service_model().shape_for("ComponentVersion"))


def _view_of(item: dict) -> dict:
    """The build's ListComponents entry (a ComponentVersion), kept on the build as `_view`: made on its
    first listing and made again when its status changes (state is replaced or changed in place; no
    other member a view holds changes after a build is created, and tags are not in it)."""
    status = _status(item)
    view = item.get("_view")
    if view is None or view["status"] != status:
        view = item["_view"] = _version_view(item, status)
    return view


def _wants_deprecated(filters: list | None) -> bool:
    return any(f.get("name") == "status" and "DEPRECATED" in (f.get("values") or []) for f in filters or [])


@operation("ListComponents")
def list_components(ctx: RequestContext, params: dict) -> dict:
    filters = params.get("filters")
    by_name = bool(params.get("byName"))
    if by_name and filters and any(f.get("name") == "version" for f in filters):
        raise invalid_request("You can't combine byName with the 'version' filter.")
    owner = params.get("owner") or "Self"
    deprecated = bool(filters) and _wants_deprecated(filters)
    if owner == "Self":
        entries: Iterable[dict] = _own_entries(ctx.store, by_name, deprecated)
    else:
        builds = [b for b in _owned(ctx, owner) if deprecated or _status(b) != "DEPRECATED"]
        latest = _latest_per(builds, (lambda b: arns.parse(b["arn"]).name) if by_name else _version_arn)
        entries = map(_view_of, latest)
    return list_response(ctx, params, entries, _LIST_FIELDS, "componentVersionList", emitted=True)


#: Filter getters, over entries (`_view_of`).
_LIST_FIELDS = {name: (lambda key: (lambda view: view.get(key)))(name) for name in _LIST_FILTERS}
_LIST_FIELDS.update(status=lambda view: view["status"], supportedOsVersion=lambda view: view.get("supportedOsVersions"),
                    productCodes=lambda view: [p["productCodeId"] for p in view.get("productCodes") or []])


def _summary(item: dict) -> dict:
    names = ("arn", "name", "version", "platform", "supportedOsVersions", "state", "type", "owner", "description",
             "changeDescription", "dateCreated", "tags", "publisher", "obfuscate")
    return {k: item[k] for k in names if k in item}


@operation("ListComponentBuildVersions")
def list_component_build_versions(ctx: RequestContext, params: dict) -> dict:
    arn = params.get("componentVersionArn")
    builds: Iterable[dict] = _builds_of(ctx.store, arn) if arn else ctx.store.components.values()
    builds = (b for b in builds if _status(b) != "DEPRECATED")
    return list_response(ctx, params, builds, {}, "componentSummaryList", _summary)


# -- deleting ----------------------------------------------------------------------------------
def _recipe_uses(ctx: RequestContext, reference: str, item: dict) -> bool:
    """Whether a recipe's component ARN names `item`: the same build ARN, or a version/wildcard ARN
    that resolves to it now (its latest ACTIVE matching build). INFERRED."""
    if reference == item["arn"]:
        return True
    try:
        parsed = arns.parse(reference)
    except ServiceError:
        return False
    if parsed.resource_type != "component" or parsed.account != ctx.account or parsed.build is not None \
            or parsed.name != arns.parse(item["arn"]).name:
        return False
    pattern = versions.parse(parsed.version, wildcards=True)
    resolved = _lookup.latest_match(ctx.store.components.values(), parsed, pattern, "component", _active)
    return resolved is item


@operation("DeleteComponent")
def delete_component(ctx: RequestContext, params: dict) -> dict:
    arn = params["componentBuildVersionArn"]
    arns.parse(arn, "componentBuildVersionArn")
    store = ctx.store
    item = store.components.get(arn)
    if item is None:
        raise not_found(_TYPE, arn)
    recipes = list(store.image_recipes.values()) + list(store.container_recipes.values())
    used = any(_recipe_uses(ctx, entry.get("componentArn", ""), item)
               for recipe in recipes for entry in recipe.get("components") or [])
    if used or store.policies.get(arn) or store.policies.get(_version_arn(item)):
        raise dependency(arn)
    del store.components[arn]
    _name_removed(store, arn)
    return {"componentBuildVersionArn": arn}
