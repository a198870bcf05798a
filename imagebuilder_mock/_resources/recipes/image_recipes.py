"""Image recipes: Create/Get/List/Delete. ARN `image-recipe/<name>/<x.y.z>` (no build node)."""

from __future__ import annotations

from ..._backend.context import RequestContext
from . import common as recipes
from .. import operation
from .._shared.common import field
from .._shared.types import Params, Resource, Result

_ARN_TYPE = "image-recipe"
#: ListImageRecipes accepts every Ownership value; the catalog has no third-party recipes.
_OWNERS = ("Self", "Shared", "Amazon", "ThirdParty", "AWSMarketplace")
_FILTERS = {"name": field("name"), "parentImage": field("parentImage"), "platform": field("platform")}


def _validate(ctx: RequestContext, params: Params) -> tuple[str, Resource]:
    platform = recipes.ami_parent_platform(ctx, params["parentImage"])
    if platform == "Windows":
        recipes.not_windows_agent(params, platform)
    return platform, _NO_MEMBERS


_NO_MEMBERS: Resource = {}  # what image recipes add to the request's members: nothing (read only)


@operation("CreateImageRecipe")
def create_image_recipe(ctx: RequestContext, params: Params) -> Result:
    return recipes.create(ctx, params, _ARN_TYPE, _validate)


@operation("GetImageRecipe")
def get_image_recipe(ctx: RequestContext, params: Params) -> Result:
    return recipes.get(ctx, params, _ARN_TYPE)


@operation("ListImageRecipes")
def list_image_recipes(ctx: RequestContext, params: Params) -> Result:
    return recipes.list_by_owner(ctx, params, _ARN_TYPE, _OWNERS, _FILTERS, "imageRecipeSummaryList")


@operation("DeleteImageRecipe")
def delete_image_recipe(ctx: RequestContext, params: Params) -> Result:
    return recipes.delete(ctx, params, _ARN_TYPE)
