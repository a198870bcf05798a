"""Image recipes: Create/Get/List/Delete. ARN `image-recipe/<name>/<x.y.z>` (no build node)."""

from __future__ import annotations

from .._backend.context import RequestContext
from .._engine._errors import already_exists
from . import _recipes_common as recipes
from . import operation
from ._common import field, lookup, pick

_TYPE = "ImageRecipe"
_ARN_TYPE = "image-recipe"
_PARAM = "imageRecipeArn"
#: ListImageRecipes accepts every Ownership value; the catalog has no third-party recipes.
_OWNERS = ("Self", "Shared", "Amazon", "ThirdParty", "AWSMarketplace")
_FILTERS = {"name": field("name"), "parentImage": field("parentImage"), "platform": field("platform")}


@operation("CreateImageRecipe")
def create(ctx: RequestContext, params: dict) -> dict:
    store = ctx.store
    name = params["name"]
    version = recipes.concrete_version(store.image_recipes, lambda v: ctx.arn(_ARN_TYPE, name, v),
                                       params["semanticVersion"])
    arn = ctx.arn(_ARN_TYPE, name, version)
    if arn in store.image_recipes:
        raise already_exists(_TYPE, arn)
    platform = recipes.ami_parent_platform(ctx, params["parentImage"])
    recipes.not_windows_agent(params, platform)
    recipes.check_components(ctx, params.get("components"), platform)
    ctx.check_dry_run(params)
    item = pick("ImageRecipe", params, exclude=("tags",))
    item.update({"arn": arn, "version": version, "platform": platform, "owner": ctx.account,
                 "dateCreated": ctx.iso_now(), "tags": dict(params.get("tags") or {})})
    store.image_recipes[arn] = item
    return {"imageRecipeArn": arn, "latestVersionReferences": recipes.references(ctx, _ARN_TYPE, name, version)}


@operation("GetImageRecipe")
def get(ctx: RequestContext, params: dict) -> dict:
    item = recipes.get(ctx, params[_PARAM], _ARN_TYPE, _PARAM)
    return {"imageRecipe": item, "latestVersionReferences": recipes.references_for(item["arn"])}


@operation("ListImageRecipes")
def list_(ctx: RequestContext, params: dict) -> dict:
    return recipes.list_by_owner(ctx, params, _ARN_TYPE, _OWNERS, _FILTERS, "imageRecipeSummaryList")


@operation("DeleteImageRecipe")
def delete(ctx: RequestContext, params: dict) -> dict:
    arn = recipes.exact_version_arn(params[_PARAM], _PARAM, _ARN_TYPE)
    lookup(ctx.store.image_recipes, arn, _TYPE)
    recipes.check_deletable(ctx, arn, "imageRecipeArn")
    del ctx.store.image_recipes[arn]
    return {_PARAM: arn}
