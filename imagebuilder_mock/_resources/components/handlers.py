"""Components: Create/Import/Get/List/ListBuildVersions/Delete, and `resolve_for_recipe`, which the
recipe families call to check each component a recipe names.

A component is stored per build, keyed by its build ARN (`component/<name>/<x.y.z>/<n>`); ListComponents
shows one entry per version (its latest build). Document rules live in `component_documents`.
Facts and INFERRED choices: docs/notes/components.md.
"""

from __future__ import annotations

import re
from typing import Any, Callable, cast

from ..._backend.caches import memoize
from ..._backend import arns, versions
from ..._backend.context import RequestContext
from ..._engine._errors import (ServiceError, already_exists, dependency, invalid_combination, invalid_value,
                               not_found)
from .._shared import lookup as _lookup
from .._shared import s3
from .. import operation
from . import documents
from .listing import builds_of, name_added, name_removed, status_of, version_arn_of
from .._shared.common import arn_base, member_names, own_tags, require_one, version_references
from .._shared.types import Params, Resource, Result

_TYPE = "Component"
_S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>.+)$")
#: What makes two builds of one version "identical" (tags are not content). INFERRED.
_CONTENT = ("data", "description", "changeDescription", "platform", "supportedOsVersions", "kmsKeyId", "type")


def _active(item: Resource) -> bool:
    status: str | None = item.get("state", {}).get("status")
    return status == "ACTIVE"


def _resolve(ctx: RequestContext, arn: str, param: str, usable: Callable[[Resource], bool] | None = None) -> Resource:
    """`_lookup.resolve`, limited to the caller's region (a component lives in one Region). INFERRED."""
    parsed = arns.parse(arn, param)
    if parsed.resource_type == "component" and parsed.region != ctx.region:
        raise not_found(_TYPE, arn)
    return _lookup.resolve(ctx, arn, "component", param, usable=usable)


# -- used by image and container recipes -------------------------------------------------------
def resolve_for_recipe(ctx: RequestContext, arn: str, param: str, parameters: list[Resource] | None = None,
                       platform: str | None = None, os_version: str | None = None) -> Resource:
    """The component a recipe names (build, version or `x`-wildcard ARN; own, AWS-owned or shared),
    checked for use in a new recipe: ACTIVE, of the recipe's platform (and, when `os_version` is
    known, supporting it by prefix match), and given exactly the parameters its document declares.
    Returns the component dict."""
    try:
        item = _resolve(ctx, arn, param, usable=_active)
    except ServiceError as error:
        if error.code != "ResourceNotFoundException":
            raise
        item = _resolve(ctx, arn, param)  # found only in a DEPRECATED/DISABLED build
    if not _active(item):
        raise invalid_value(param, f"The component '{item['arn']}' has the status {status_of(item)}. Components "
                                   "with a status of DEPRECATED or DISABLED can't be added to new recipes.")
    if platform is not None and item["platform"] != platform:
        raise invalid_value("components", f"Component ARN '{arn}' has the platform {item['platform']}, which does "
                                          f"not match the platform {platform} of the recipe's parent image.")
    supported = item.get("supportedOsVersions")
    if os_version and supported and not any(os_version.startswith(v) for v in supported):
        raise invalid_value("components", f"Component ARN '{arn}' supports the OS versions "
                                          f"{', '.join(supported)}, which do not include {os_version}.")
    if parameters:
        base = param[: -len(".componentArn")] if param.endswith(".componentArn") else param
        check_recipe_parameters(item, parameters, f"{base}.parameters")
    return item


def check_recipe_parameters(item: Resource, given: list[Resource] | None, param: str) -> None:
    """A recipe may set only the parameters the component declares, one value each. A parameter
    without default that the recipe leaves out is not an error here: the build fails (see
    `missing_parameters`)."""
    if not given:
        return  # nothing given: nothing to check, whatever the component declares
    declared = {p["name"]: p for p in item.get("parameters") or []}
    given = given or []
    names: list[Any] = [p.get("name") for p in given]  # required members: validated before a handler runs
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


def missing_parameters(item: Resource, given: list[Resource] | None) -> list[str]:
    """Parameters of component `item` that have no default and that `given` (a recipe's
    ComponentConfiguration.parameters) leaves out: an image build with them fails."""
    names = {p.get("name") for p in given or []}
    return [p["name"] for p in item.get("parameters") or [] if "defaultValue" not in p and p["name"] not in names]


# -- creating ----------------------------------------------------------------------------------
def _fetch_s3(ctx: RequestContext, uri: str, param: str = "uri") -> str:
    """The object at `uri`: from the `s3_objects` setting, else moto's in-process S3 (`_shared/s3.py`)."""
    if not _S3_URI.match(uri):
        raise invalid_value(param, f"The URI '{uri}' is not a valid Amazon S3 URI. Specify a URI in the format "
                                   "s3://bucket/key.")
    return s3.read_object(ctx, uri, param, f"Unable to download the object at '{uri}': the object does not exist "
                                           "or Image Builder is not allowed to read it.")


@memoize()
def _copied_members() -> frozenset[str]:
    """The Create/ImportComponent request members a build keeps as they are (`_common.pick`, once)."""
    return member_names("Component") - {"tags", "data", "type", "parameters", "clientToken", "dryRun"}


def _same_content(build: Resource, item: Resource) -> bool:
    return all(build.get(k) == item.get(k) for k in _CONTENT)


def _add_build(ctx: RequestContext, params: Params, data: str, ctype: str, parameters: list[Resource]) -> Resource:
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
        latest = versions.latest(builds_of(store, version_arn), lambda b: b["version"], lambda b: b["_build"])
        if latest is not None and _same_content(latest, item):
            raise already_exists(_TYPE, latest["arn"])
    if params.get("dryRun"):
        ctx.check_dry_run(params)
    build = store.next_build(version_arn)
    arn = f"{version_arn}/{build}"
    item["arn"], item["dateCreated"], item["_build"] = arn, ctx.iso_now(), build
    store.components[arn] = item
    name_added(store, arn)
    return item


@operation("CreateComponent")
def create_component(ctx: RequestContext, params: Params) -> Result:
    source = require_one(params, "data", "uri")
    versions.check(params["semanticVersion"], "semanticVersion")
    data = params["data"] if source == "data" else _fetch_s3(ctx, params["uri"])
    ctype, parameters = documents.type_and_parameters(data, params["platform"], source)
    item = _add_build(ctx, params, data, ctype, parameters)
    return {"componentBuildVersionArn": item["arn"], "latestVersionReferences": version_references(item["arn"])}


@operation("ImportComponent")
def import_component(ctx: RequestContext, params: Params) -> Result:
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
def get_component(ctx: RequestContext, params: Params) -> Result:
    arn = params["componentBuildVersionArn"]
    item = _resolve(ctx, arn, "componentBuildVersionArn", usable=_active)
    return {"component": item, "latestVersionReferences": version_references(item["arn"])}


# -- deleting ----------------------------------------------------------------------------------
def _recipe_uses(ctx: RequestContext, reference: str, item: Resource) -> bool:
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
    pattern = versions.parse(cast(str, parsed.version), wildcards=True)  # a component's ARN has one
    resolved = _lookup.latest_match(ctx.store.components.values(), parsed, pattern, "component", _active)
    return resolved is item


@operation("DeleteComponent")
def delete_component(ctx: RequestContext, params: Params) -> Result:
    arn = params["componentBuildVersionArn"]
    arns.parse(arn, "componentBuildVersionArn")
    store = ctx.store
    item = store.components.get(arn)
    if item is None:
        raise not_found(_TYPE, arn)
    recipes = list(store.image_recipes.values()) + list(store.container_recipes.values())
    used = any(_recipe_uses(ctx, entry.get("componentArn", ""), item)
               for recipe in recipes for entry in recipe.get("components") or [])
    if used or any(_lookup.shares_with_others(store.policies.get(key), ctx.account)
                   for key in (arn, version_arn_of(item))):
        raise dependency(arn)
    del store.components[arn]
    store.policies.pop(arn, None)
    name_removed(store, arn)
    return {"componentBuildVersionArn": arn}
