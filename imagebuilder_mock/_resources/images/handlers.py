"""Images: GetImage, ListImages, ListImageBuildVersions, DeleteImage, CancelImageCreation, RetryImage.

Builds start in image_builds.py (CreateImage) and image_imports.py (imports, DistributeImage);
their progress is the lifecycle graph's (`_lifecycle/`, docs/progression.md), settled on every read.
"""

from __future__ import annotations

from typing import Iterable, cast

from ... import _lifecycle as lifecycle
from ..._backend import arns, versions
from ..._backend.context import RequestContext
from ..._engine._errors import ServiceError, dependency, in_use, invalid_request, not_found
from .._shared import catalog
from .. import operation
from .._shared.common import field, list_response, version_references
from .._shared.lookup import owner_collection, resolve, shared_items, shares_with_others, visible
from .._shared.types import Params, Resource, Result

_TYPE = "Image"
_HIDDEN = {"DELETED"}  # builds that lifecycle actions deleted are gone from every list (INFERRED)


def _available(image: Resource) -> bool:
    status: str = image["state"]["status"]
    return status == "AVAILABLE"


def settle_all(ctx: RequestContext, images: Iterable[Resource]) -> None:
    """Bring builds up to date before a List* reads them (never counts as a poll)."""
    for image in list(images):
        lifecycle.settle(ctx, image, poll=False)


def own_build(ctx: RequestContext, arn: str, param: str = "imageBuildVersionArn") -> Resource:
    """One of the caller's own builds, settled (not a poll), or ResourceNotFoundException."""
    parsed = arns.parse(arn, param)
    image = ctx.store.images.get(arn) if (parsed.account, parsed.region) == (ctx.account, ctx.region) else None
    if image is None:
        raise not_found(_TYPE, arn)
    return lifecycle.settle(ctx, image, poll=False)


def _shared_with_others(ctx: RequestContext, image: Resource) -> bool:
    parsed = arns.parse(image["arn"])
    return any(shares_with_others(ctx.store.policies.get(arn), ctx.account)
               for arn in (image["arn"], parsed.version_arn))


# -- Get ---------------------------------------------------------------------------------------
@operation("GetImage")
def get_image(ctx: RequestContext, params: Params) -> Result:
    arn = params["imageBuildVersionArn"]
    parsed = arns.parse(arn, "imageBuildVersionArn")
    if parsed.build is not None:
        image = resolve(ctx, arn, "image", "imageBuildVersionArn")
        lifecycle.settle(ctx, image)
    else:
        # a version or wildcard ARN: the latest matching build that has reached AVAILABLE
        collection = owner_collection(ctx, parsed)
        if collection is not None:
            settle_all(ctx, (i for i in collection.values() if arns.parse(i["arn"]).name == parsed.name))
        image = resolve(ctx, arn, "image", "imageBuildVersionArn", usable=_available)
    return {"image": image, "latestVersionReferences": version_references(image["arn"])}


# -- List --------------------------------------------------------------------------------------
_FILTERS = {
    "name": field("name"),
    "osVersion": field("osVersion"),
    "platform": field("platform"),
    "type": field("type"),
    "version": lambda item: item["version"].split("/")[0],
}


def _version_entry(image: Resource, owner: str) -> Resource:
    parsed = arns.parse(image["arn"])
    entry = {k: image.get(k) for k in ("name", "type", "platform", "osVersion", "dateCreated", "buildType",
                                       "imageSource")}
    entry.update(arn=parsed.version_arn, version=parsed.version, owner=owner)
    return entry


def _versions(images: Iterable[tuple[str, Resource]], by_name: bool) -> list[Resource]:
    """One entry per image version (latest build's facts), or per name with `byName`."""
    latest: dict[str, tuple[str, Resource]] = {}
    for owner, image in images:
        parsed = arns.parse(image["arn"])
        key = f"{parsed.account}/{parsed.name}" if by_name else parsed.version_arn
        best = latest.get(key)
        if best is None or _order(image) > _order(best[1]):
            latest[key] = (owner, image)
    return [_version_entry(image, owner) for owner, image in latest.values()]


def _order(image: Resource) -> tuple[tuple[int, ...], int]:
    parsed = arns.parse(image["arn"])
    return versions.key(cast(str, parsed.version)), int(parsed.build or 0)  # an image ARN has a version


@operation("ListImages")
def list_images(ctx: RequestContext, params: Params) -> Result:
    owner = params.get("owner") or "Self"
    filters = params.get("filters") or []
    if params.get("byName") and any(f.get("name") == "version" for f in filters):
        raise invalid_request("You can't combine byName with the version filter.")
    if owner == "Self":
        settle_all(ctx, ctx.store.images.values())
        images = [(ctx.account, i) for i in ctx.store.images.values()]
    elif owner == "Shared":
        images = list(shared_items(ctx, "image"))
        settle_all(ctx, (i for _, i in images))
    elif owner == "Amazon":
        images = [("Amazon", i) for i in catalog.view(ctx).images(ctx.region).values()
                  if params.get("includeDeprecated") or i["state"]["status"] != "DEPRECATED"]
    else:  # ThirdParty, AWSMarketplace: no such images in the mock
        images = []
    images = [(o, i) for o, i in images if i["state"]["status"] not in _HIDDEN]
    entries = _versions(images, bool(params.get("byName")))
    return list_response(ctx, params, entries, _FILTERS, "imageVersionList")


@operation("ListImageBuildVersions")
def list_image_build_versions(ctx: RequestContext, params: Params) -> Result:
    version_arn = params.get("imageVersionArn")
    if version_arn is None:
        builds = list(ctx.store.images.values())
    else:
        parsed = arns.parse(version_arn, "imageVersionArn")
        collection = owner_collection(ctx, parsed) or {}
        builds = [i for i in collection.values()
                  if arns.parse(i["arn"]).version_arn == version_arn and visible(ctx, parsed, i)]
    settle_all(ctx, builds)
    builds = [i for i in builds if i["state"]["status"] not in _HIDDEN]
    return list_response(ctx, params, builds, _FILTERS, "imageSummaryList")


# -- Delete, Cancel, Retry ---------------------------------------------------------------------
@operation("DeleteImage")
def delete_image(ctx: RequestContext, params: Params) -> Result:
    arn = params["imageBuildVersionArn"]
    image = own_build(ctx, arn)
    if lifecycle.in_progress(image):
        # INFERRED code: the model documents the refusal, not its code (docs/notes/images.md)
        raise ServiceError("ResourceDependencyException",
                           f"Resource dependency error: The image '{arn}' cannot be deleted while its build is "
                           f"in progress (status {image['state']['status']}). Cancel the build with "
                           "CancelImageCreation first.")
    if _shared_with_others(ctx, image):
        raise dependency(arn)
    del ctx.store.images[arn]
    ctx.store.policies.pop(arn, None)
    return {"imageBuildVersionArn": arn}


@operation("CancelImageCreation")
def cancel_image_creation(ctx: RequestContext, params: Params) -> Result:
    arn = params["imageBuildVersionArn"]
    image = own_build(ctx, arn)
    if not lifecycle.in_progress(image):
        raise in_use(f"The image '{arn}' cannot be cancelled because it is in a terminal state "
                     f"({image['state']['status']}). Only images in a non-terminal state can be cancelled.")
    lifecycle.cancel(ctx, image)
    return {"imageBuildVersionArn": arn}


@operation("RetryImage")
def retry_image(ctx: RequestContext, params: Params) -> Result:
    arn = params["imageBuildVersionArn"]
    image = own_build(ctx, arn)
    status = image["state"]["status"]
    if status not in ("FAILED", "CANCELLED"):
        raise in_use(f"The image '{arn}' cannot be retried because its status is {status}. "
                     "Only FAILED or CANCELLED images can be retried.")
    if image.get("type") != "AMI":
        raise invalid_request(f"The image '{arn}' cannot be retried. Retry is only supported for AMI-based images.")
    match = tuple(a for a in ((image.get("imageRecipe") or {}).get("arn"), image.get("sourcePipelineArn")) if a)
    lifecycle.retry(ctx, image, match=match)
    return {"imageBuildVersionArn": arn}


