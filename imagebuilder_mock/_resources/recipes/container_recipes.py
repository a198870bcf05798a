"""Container recipes: Create/Get/List/Delete. ARN `container-recipe/<name>/<x.y.z>` (no build node)."""

from __future__ import annotations

import re

from ..._backend.context import RequestContext
from ..._engine._errors import invalid_value
from . import common as recipes
from .. import operation
from .._shared import s3
from .._shared.common import field, require_one
from .._shared.types import Params, Resource, Result

_ARN_TYPE = "container-recipe"
#: "For container recipes, the valid owner values are Self, Shared, and Amazon." (MODEL)
_OWNERS = ("Self", "Shared", "Amazon")
_FILTERS = {"containerType": field("containerType"), "name": field("name"), "parentImage": field("parentImage"),
            "platform": field("platform")}
_PLATFORMS = ("Linux", "Windows")
_S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]/.+$")
_ECR_PUBLIC = "public.ecr.aws/"
#: A container image reference as Docker reads one: `[registry[:port]/]path[:tag][@sha256:digest]`, the
#: path lower case (Docker Hub `amazonlinux:latest`, ECR `<account>.dkr.ecr.<region>.amazonaws.com/repo:tag`).
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE_REFERENCE = re.compile(
    rf"^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+(?::[0-9]+)?/|localhost(?::[0-9]+)?/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$")

def _platform(ctx: RequestContext, params: Params) -> str:
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
    if not _IMAGE_REFERENCE.match(parent):
        raise invalid_value("parentImage", f"The parent image '{parent}' is not a valid container image URI: "
                                           "[registry/]repository[:tag][@digest], the repository in lower case.")
    return override or recipes.DEFAULT_PLATFORM


def _dockerfile(ctx: RequestContext, params: Params) -> str:
    given = require_one(params, "dockerfileTemplateData", "dockerfileTemplateUri", code="InvalidRequestException")
    if given == "dockerfileTemplateData":
        data: str = params["dockerfileTemplateData"]
        return data
    uri = params["dockerfileTemplateUri"]
    if not _S3_URI.match(uri):
        raise invalid_value("dockerfileTemplateUri", f"The URI '{uri}' must be an Amazon S3 URI: s3://<bucket>/<key>.")
    # Image Builder reads the object once and stores its content (MODEL): from the `s3_objects` setting,
    # else moto's in-process S3 (`_shared/s3.py`); an object found in neither is unreadable.
    return s3.read_object(ctx, uri, "dockerfileTemplateUri",
                          f"Unable to download the Dockerfile template from '{uri}': the object does not exist "
                          "or Image Builder is not allowed to read it.")


def _validate(ctx: RequestContext, params: Params) -> tuple[str, Resource]:
    """The recipe's platform and the members it stores besides the request's: the Dockerfile
    template's content, `encrypted`, and ContainerRecipeSummary.instanceImage."""
    members = {"dockerfileTemplateData": _dockerfile(ctx, params), "encrypted": True}
    platform = _platform(ctx, params)
    image = (params.get("instanceConfiguration") or {}).get("image")
    if image is not None and not (image.startswith("ssm:") or recipes.AMI_ID.match(image)):
        raise invalid_value("instanceConfiguration.image",
                            f"The image '{image}' must be an AMI ID or an SSM parameter prefixed by 'ssm:'.")
    if image:
        members["instanceImage"] = image
    return platform, members


@operation("CreateContainerRecipe")
def create_container_recipe(ctx: RequestContext, params: Params) -> Result:
    return recipes.create(ctx, params, _ARN_TYPE, _validate)


@operation("GetContainerRecipe")
def get_container_recipe(ctx: RequestContext, params: Params) -> Result:
    return recipes.get(ctx, params, _ARN_TYPE)


@operation("ListContainerRecipes")
def list_container_recipes(ctx: RequestContext, params: Params) -> Result:
    return recipes.list_by_owner(ctx, params, _ARN_TYPE, _OWNERS, _FILTERS, "containerRecipeSummaryList")


@operation("DeleteContainerRecipe")
def delete_container_recipe(ctx: RequestContext, params: Params) -> Result:
    return recipes.delete(ctx, params, _ARN_TYPE)
