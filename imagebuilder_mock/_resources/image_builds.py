"""Starting image builds: CreateImage and `start_build` (pipelines call it too)."""

from __future__ import annotations

import copy
import sys

from .. import _lifecycle as lifecycle
from .._backend import arns, versions
from .._backend.clock import iso
from .._backend.context import RequestContext
from .._engine._errors import ServiceError, invalid_value
from . import catalog, image_outputs, operation
from ._common import own_tags, require_one
from ._lookup import COLLECTIONS, resolve
from .components import missing_parameters

#: Request members of CreateImage that the image keeps as given.
_ECHOED = ("imageScanningConfiguration", "workflows", "executionRole", "loggingConfiguration")
_LOG_NAMESPACE = "/aws/imagebuilder/"
#: The imageTestsConfiguration of a build that gives none: shared, read-only.
_DEFAULT_TESTS = {"imageTestsEnabled": True, "timeoutMinutes": 720}
#: Members of a CreateImage-shaped request that ask for more than a recipe and infrastructure build
#: (a request with none of them needs neither `_validate_options` nor the copies of `_ECHOED`).
_OPTIONS = frozenset({"distributionConfigurationArn", "imageTestsConfiguration", *_ECHOED})
_RECIPE_NODES = {"image-recipe": ":image-recipe/", "container-recipe": ":container-recipe/"}


def _validate_options(ctx: RequestContext, params: dict) -> dict:
    """Tests, scanning, workflows, role and logging; returns the effective imageTestsConfiguration
    (the shared `_DEFAULT_TESTS` when the request gives none)."""
    given = params.get("imageTestsConfiguration")
    if given:
        tests = dict(given)
        tests.setdefault("imageTestsEnabled", True)
        tests.setdefault("timeoutMinutes", 720)
    else:
        tests = _DEFAULT_TESTS
    scanning = params.get("imageScanningConfiguration") or {}
    if scanning.get("imageScanningEnabled") and not tests["imageTestsEnabled"]:
        raise invalid_value("imageScanningConfiguration",
                            "Image scanning requires image tests to be enabled (imageTestsEnabled).")
    if scanning.get("scanResultCondition") and scanning.get("imageScanningTypes") != ["ON_DEMAND_AMI_CVE"]:
        raise invalid_value("imageScanningConfiguration.scanResultCondition",
                            "You can set scanResultCondition only when imageScanningTypes is ON_DEMAND_AMI_CVE.")
    workflows = params.get("workflows")
    if workflows:
        if not params.get("executionRole"):
            raise invalid_value("executionRole", "You must specify an executionRole when you specify workflows.")
        from .workflows import validate_workflow_configurations

        validate_workflow_configurations(ctx, workflows, "workflows")
    group = (params.get("loggingConfiguration") or {}).get("logGroupName")
    if group and not group.startswith(_LOG_NAMESPACE) and not params.get("executionRole"):
        raise invalid_value("loggingConfiguration.logGroupName",
                            f"A log group outside the {_LOG_NAMESPACE} namespace requires an executionRole "
                            "that can write to it.")
    return tests


def _parent_facts(ctx: RequestContext, recipe: dict) -> tuple[str | None, str]:
    """(osVersion, imageSource) from the recipe's parent image, when the parent tells."""
    parent = recipe.get("parentImage") or ""
    facts = _CATALOG_PARENTS.get((ctx.region, parent))  # the usual parent: an AWS-owned image, seen before
    if facts is not None:
        return facts
    if not parent.startswith("arn:"):  # AMI id, Marketplace product id, ssm: parameter
        return image_outputs.parent_facts(ctx, parent)
    try:
        parsed = arns.parse(parent)
    except ServiceError:
        return None, "CUSTOM"
    source = {"aws": "AMAZON_MANAGED", "aws-marketplace": "AWS_MARKETPLACE"}.get(parsed.account, "CUSTOM")
    if parsed.resource_type != "image":
        return None, source
    if parsed.account in catalog.ACCOUNTS:  # the catalog never changes: resolved once per Region and ARN
        key = (ctx.region, parent)
        facts = _CATALOG_PARENTS.get(key)
        if facts is None:
            if len(_CATALOG_PARENTS) >= _CATALOG_PARENTS_MAX:
                _CATALOG_PARENTS.clear()
            facts = _CATALOG_PARENTS[key] = _resolved_parent_facts(ctx, parent, source)
        return facts
    return _resolved_parent_facts(ctx, parent, source)


_CATALOG_PARENTS: dict[tuple[str, str], tuple[str | None, str]] = {}
_CATALOG_PARENTS_MAX = 1024


def _resolved_parent_facts(ctx: RequestContext, parent: str, source: str) -> tuple[str | None, str]:
    try:
        image = resolve(ctx, parent, "image", "parentImage")
    except ServiceError:
        return None, source
    return image.get("osVersion"), image_outputs.source_of(image)


def _own_or_resolve(ctx: RequestContext, collection: dict, arn: str, resource_type: str, param: str) -> dict:
    """`resolve`, with the usual case first: an exact ARN of one of the caller's own resources (a key of
    its store's collection is such an ARN, of that type, and visible to the caller)."""
    item = collection.get(arn)
    return item if item is not None else resolve(ctx, arn, resource_type, param)


def start_build(ctx: RequestContext, params: dict, *, build_type: str = "USER_INITIATED",
                source_pipeline: dict | None = None) -> dict:
    """Validate a CreateImage-shaped request, create the image (PENDING) and return it.

    `params` uses CreateImage's member names. `source_pipeline` (a pipeline dict) sets
    sourcePipelineArn and lets `fail_builds(match=<pipeline ARN>)` select the build.

    The image keeps its recipe and configurations as they are now, for good, by reference: recipes never
    change, configuration updates and TagResource/UntagResource replace a resource's dict (tags.py), so
    the dict an image holds is never changed under it.
    """
    store = ctx.store
    if params.get("imageRecipeArn") is not None and params.get("containerRecipeArn") is None:  # the usual case
        recipe_param, recipe_type, recipes = "imageRecipeArn", "image-recipe", store.image_recipes
    else:
        recipe_param = require_one(params, "imageRecipeArn", "containerRecipeArn", code="InvalidRequestException")
        recipe_type = "image-recipe" if recipe_param == "imageRecipeArn" else "container-recipe"
        recipes = getattr(store, COLLECTIONS[recipe_type][0])
    recipe_arn = params[recipe_param]
    recipe = recipes.get(recipe_arn)  # the caller's own, by exact ARN (the usual case): no resolve
    own_recipe = recipe is not None
    if not own_recipe:
        recipe = resolve(ctx, recipe_arn, recipe_type, recipe_param)
    infra = store.infrastructure_configurations.get(params["infrastructureConfigurationArn"])
    if infra is None:
        infra = resolve(ctx, params["infrastructureConfigurationArn"], "infrastructure-configuration",
                        "infrastructureConfigurationArn")
    dist = None
    options = not _OPTIONS.isdisjoint(params)
    if options and params.get("distributionConfigurationArn"):
        dist = _own_or_resolve(ctx, store.distribution_configurations, params["distributionConfigurationArn"],
                               "distribution-configuration", "distributionConfigurationArn")
    tests = _validate_options(ctx, params) if options else _DEFAULT_TESTS
    os_version, image_source = _parent_facts(ctx, recipe)

    version = recipe["version"]
    if own_recipe:  # the caller's `...:<recipe type>/<normalised name>/<version>`: the image's, but its type
        version_arn = recipe_arn.replace(_RECIPE_NODES[recipe_type], ":image/", 1)
    else:
        version_arn = ctx.arn("image", recipe["name"], version)
    build = store.next_build(version_arn)
    arn = f"{version_arn}/{build}"
    now = ctx.now()
    image = {
        "arn": arn,
        "type": "AMI" if recipe_type == "image-recipe" else "DOCKER",
        "name": recipe["name"],
        "version": sys.intern(f"{version}/{build}"),  # "1.0.0/1" of most images: one string
        "platform": recipe.get("platform"),
        "osVersion": os_version,
        "enhancedImageMetadataEnabled": params.get("enhancedImageMetadataEnabled") is not False,
        "state": {"status": "PENDING"},
        "imageRecipe" if recipe_type == "image-recipe" else "containerRecipe": recipe,
        "infrastructureConfiguration": infra,
        "imageTestsConfiguration": tests,
        "dateCreated": iso(now),
        "tags": own_tags(params),
        "buildType": build_type,
        "imageSource": image_source,
        "owner": ctx.account,
        "_build": build,
    }
    if dist is not None:
        image["distributionConfiguration"] = dist
    if options:
        for member in _ECHOED:
            if params.get(member) is not None:
                image[member] = copy.deepcopy(params[member])
    match = (recipe_arn, recipe["arn"])
    if source_pipeline is not None:
        image["sourcePipelineArn"] = source_pipeline["arn"]
        image["_sourcePipelineName"] = source_pipeline.get("name")
        match += (source_pipeline["arn"],)
    path = lifecycle.BUILD_PATH if tests["imageTestsEnabled"] else lifecycle.UNTESTED_PATH
    # the lifecycle book keeps the start (the buildDate of the AMI names, to the microsecond)
    lifecycle.begin(ctx, image, path, match=match, at=now.timestamp())
    reason = _missing_parameters_reason(ctx, recipe, store.components)
    if reason:
        lifecycle.fail_when(image, "BUILDING", reason)
    store.images[arn] = image
    return image


def _missing_parameters_reason(ctx: RequestContext, recipe: dict, components: dict) -> str | None:
    """Why the build of `recipe` fails when a component parameter without a default is not supplied
    ("any required parameters that are not included will result in a build failure": CONFIRMED by the
    service team's aws-cdk docs; the reason's wording is INFERRED)."""
    for entry in recipe.get("components") or []:
        component = components.get(entry["componentArn"])  # the caller's own build (the usual case)
        if component is None:
            try:
                component = resolve(ctx, entry["componentArn"], "component", "componentArn")
            except ServiceError:
                continue
        if not component.get("parameters"):
            continue  # declares no parameters: none missing
        missing = missing_parameters(component, entry.get("parameters"))
        if missing:
            return (f"Component '{component['arn']}' requires a value for the parameters "
                    f"{', '.join(missing)}, which have no default value and were not supplied by the recipe.")
    return None


def version_references(image: dict) -> dict:
    """latestVersionReferences of an image (x.x.x, 1.x.x, 1.0.x, 1.0.0 version ARNs). The last ones made
    are shared (read-only) with the next image of that version (CreateImage, then GetImage, ask again)."""
    global _last_references
    # an image's ARN is always `<...>:image/<normalised name>/<version>/<build>`: plain string cuts
    version_arn = image["arn"].rpartition("/")[0]
    last = _last_references
    if last[0] == version_arn:
        return last[1]
    stem, _, version = version_arn.rpartition("/")
    references = versions.references_under(stem + "/", version)
    _last_references = (version_arn, references)
    return references


_last_references: tuple = ("", {})  # (image version ARN, its latestVersionReferences) of the last call


@operation("CreateImage")
def create_image(ctx: RequestContext, params: dict) -> dict:
    image = start_build(ctx, params)
    return {"imageBuildVersionArn": image["arn"], "latestVersionReferences": version_references(image)}
