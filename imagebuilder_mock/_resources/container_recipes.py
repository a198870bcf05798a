"""Container recipes: Create/Get/List/Delete. ARN `container-recipe/<name>/<x.y.z>` (no build node)."""

from __future__ import annotations

import re

from .._backend.context import RequestContext
from .._engine._errors import already_exists, invalid_value
from . import _recipes_common as recipes
from . import operation
from ._common import field, lookup, pick, require_one

_TYPE = "ContainerRecipe"
_ARN_TYPE = "container-recipe"
_PARAM = "containerRecipeArn"
#: "For container recipes, the valid owner values are Self, Shared, and Amazon." (MODEL)
_OWNERS = ("Self", "Shared", "Amazon")
_FILTERS = {"containerType": field("containerType"), "name": field("name"), "parentImage": field("parentImage"),
            "platform": field("platform")}
_PLATFORMS = ("Linux", "Windows")
_S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]/.+$")
_ECR_PUBLIC = "public.ecr.aws/"

#: What GetContainerRecipe returns for a recipe created from dockerfileTemplateUri when the mock
#: was given no content for that URI (the mock has no S3): Image Builder's documented default template.
DEFAULT_DOCKERFILE_TEMPLATE = """FROM {{{ imagebuilder:parentImage }}}
{{{ imagebuilder:environments }}}
{{{ imagebuilder:components }}}
"""


def _platform(ctx: RequestContext, params: dict) -> str:
    parent = params["parentImage"]
    override = params.get("platformOverride")
    if override is not None and override not in _PLATFORMS:
        raise invalid_value("platformOverride", "Container recipes support only the Linux and Windows platforms.")
    if parent.startswith("arn:"):
        platform = recipes.parent_image_platform(ctx, parent)
        return override or platform
    if parent.startswith(_ECR_PUBLIC) and override is None:
        raise invalid_value("parentImage", "You must specify a platform override when using ECR Public "
                                           "Repositories as your parent image.")
    if any(c.isspace() for c in parent):
        raise invalid_value("parentImage", f"The parent image '{parent}' is not a valid container image URI.")
    return override or recipes.DEFAULT_PLATFORM


def _dockerfile(ctx: RequestContext, params: dict) -> str:
    given = require_one(params, "dockerfileTemplateData", "dockerfileTemplateUri", code="InvalidRequestException")
    if given == "dockerfileTemplateData":
        return params["dockerfileTemplateData"]
    uri = params["dockerfileTemplateUri"]
    if not _S3_URI.match(uri):
        raise invalid_value("dockerfileTemplateUri", f"The URI '{uri}' must be an Amazon S3 URI: s3://<bucket>/<key>.")
    # Image Builder reads the object once and stores its content (MODEL). The mock has no S3: the
    # content comes from the `s3_objects` setting ({uri: text}) or is the default template.
    objects = ctx.backend.settings.get("s3_objects") or {}
    return objects.get(uri, DEFAULT_DOCKERFILE_TEMPLATE)


def _check_instance_image(params: dict) -> None:
    image = (params.get("instanceConfiguration") or {}).get("image")
    if image is not None and not (image.startswith("ssm:") or re.match(r"^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$", image)):
        raise invalid_value("instanceConfiguration.image",
                            f"The image '{image}' must be an AMI ID or an SSM parameter prefixed by 'ssm:'.")


@operation("CreateContainerRecipe")
def create(ctx: RequestContext, params: dict) -> dict:
    store = ctx.store
    name = params["name"]
    version = recipes.concrete_version(store.container_recipes, lambda v: ctx.arn(_ARN_TYPE, name, v),
                                       params["semanticVersion"])
    arn = ctx.arn(_ARN_TYPE, name, version)
    if arn in store.container_recipes:
        raise already_exists(_TYPE, arn)
    dockerfile = _dockerfile(ctx, params)
    platform = _platform(ctx, params)
    _check_instance_image(params)
    recipes.check_components(ctx, params.get("components"), platform)
    ctx.check_dry_run(params)
    item = pick("ContainerRecipe", params, exclude=("tags",))
    item.update({"arn": arn, "version": version, "platform": platform, "owner": ctx.account,
                 "dockerfileTemplateData": dockerfile, "encrypted": True, "dateCreated": ctx.iso_now(),
                 "tags": dict(params.get("tags") or {})})
    instance_image = (params.get("instanceConfiguration") or {}).get("image")
    if instance_image:
        item["instanceImage"] = instance_image  # ContainerRecipeSummary.instanceImage
    store.container_recipes[arn] = item
    return {"containerRecipeArn": arn, "latestVersionReferences": recipes.references(ctx, _ARN_TYPE, name, version)}


@operation("GetContainerRecipe")
def get(ctx: RequestContext, params: dict) -> dict:
    item = recipes.get(ctx, params[_PARAM], _ARN_TYPE, _PARAM)
    return {"containerRecipe": item, "latestVersionReferences": recipes.references_for(item["arn"])}


@operation("ListContainerRecipes")
def list_(ctx: RequestContext, params: dict) -> dict:
    return recipes.list_by_owner(ctx, params, _ARN_TYPE, _OWNERS, _FILTERS, "containerRecipeSummaryList")


@operation("DeleteContainerRecipe")
def delete(ctx: RequestContext, params: dict) -> dict:
    arn = recipes.exact_version_arn(params[_PARAM], _PARAM, _ARN_TYPE)
    lookup(ctx.store.container_recipes, arn, _TYPE)
    recipes.check_deletable(ctx, arn, "containerRecipeArn")
    del ctx.store.container_recipes[arn]
    return {_PARAM: arn}
