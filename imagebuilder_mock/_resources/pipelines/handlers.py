"""Image pipelines: Create/Get/Update/List/Delete, StartImagePipelineExecution, ListImagePipelineImages,
and what a pipeline's schedule does when it comes due (expressions and catch-up: schedules.py)."""

from __future__ import annotations

import copy
import datetime
from typing import Callable

from ... import _lifecycle as lifecycle
from ..._backend import arns
from ..._backend.clock import iso
from ..._backend.context import RequestContext
from ..._engine._errors import ServiceError, already_exists, invalid_value
from .. import operation
from . import schedule_expressions, schedules
from .._shared.common import check_arn, field, list_response, lookup, own_tags, pick, require_one
from .._shared.lookup import resolve
from ..images.options import validate_build_options
from .._shared.types import Params, Resource, Result

_TYPE = "ImagePipeline"
_RECIPE_PARAMS = ("imageRecipeArn", "containerRecipeArn")
_RECIPE_TYPES = {"imageRecipeArn": ("image-recipe", "ImageRecipe"),
                 "containerRecipeArn": ("container-recipe", "ContainerRecipe")}
DEPENDENCY_UPDATES = "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"
#: AutoDisablePolicy doc (MODEL): without a policy, 5 consecutive failed scheduled builds disable the pipeline.
DEFAULT_FAILURE_LIMIT = 5
_FINISHED = frozenset({"AVAILABLE", "FAILED", "CANCELLED"})
_HIDDEN = frozenset({"DELETED"})


# -- validation ------------------------------------------------------------------------------------
def _resolve_references(ctx: RequestContext, params: Params) -> tuple[str, Resource]:
    """The recipe member given and the recipe; infrastructure and distribution must exist too."""
    recipe_param = require_one(params, *_RECIPE_PARAMS, code="InvalidRequestException")
    resource_type, _ = _RECIPE_TYPES[recipe_param]
    recipe = resolve(ctx, params[recipe_param], resource_type, recipe_param)
    infra = params["infrastructureConfigurationArn"]
    resolve(ctx, infra, "infrastructure-configuration", "infrastructureConfigurationArn")
    dist = params.get("distributionConfigurationArn")
    if dist is not None:
        resolve(ctx, dist, "distribution-configuration", "distributionConfigurationArn")
    return recipe_param, recipe


def _validate_options(ctx: RequestContext, params: Params, recipe_param: str) -> None:
    validate_build_options(ctx, params, recipe_param)
    schedule_expressions.validate(params.get("schedule"))


# -- the resource ----------------------------------------------------------------------------------
def _fill(params: Params, item: Resource, recipe: Resource) -> Resource:
    """A full pipeline from a Create/Update request: what the request omits takes its default."""
    item.update(copy.deepcopy(pick("ImagePipeline", params, exclude=("tags", "arn", "name"))))
    item["platform"] = recipe.get("platform")
    item.setdefault("enhancedImageMetadataEnabled", True)
    tests = item.setdefault("imageTestsConfiguration", {})
    tests.setdefault("imageTestsEnabled", True)
    tests.setdefault("timeoutMinutes", 720)
    item.setdefault("status", "ENABLED")
    if item.get("schedule"):
        item["schedule"].setdefault("pipelineExecutionStartCondition", DEPENDENCY_UPDATES)
    return item


def _view(ctx: RequestContext, pipeline: Resource) -> Resource:
    """The pipeline as Get/List return it: its last build settled, dateNextRun from the schedule."""
    last = ctx.store.images.get(pipeline.get("_lastImageArn") or "")
    if last is not None:
        lifecycle.settle(ctx, last, poll=False)
    out = {k: v for k, v in pipeline.items() if not k.startswith("_")}
    due = pipeline.get("_nextDue")
    if due is not None and pipeline["status"] == "ENABLED":
        out["dateNextRun"] = iso(due)
    return out


def _get(ctx: RequestContext, arn: str) -> Resource:
    check_arn(arn, "imagePipelineArn", "image-pipeline")
    return lookup(ctx.store.image_pipelines, arn, _TYPE)


# -- operations ------------------------------------------------------------------------------------
@operation("CreateImagePipeline")
def create_image_pipeline(ctx: RequestContext, params: Params) -> Result:
    arn = ctx.arn("image-pipeline", params["name"])
    store = ctx.store
    if arn in store.image_pipelines:
        raise already_exists(_TYPE, arn)
    recipe_param, recipe = _resolve_references(ctx, params)
    _validate_options(ctx, params, recipe_param)
    ctx.check_dry_run(params)
    now = ctx.now()
    item = {"arn": arn, "name": params["name"], "dateCreated": iso(now), "dateUpdated": iso(now),
            "tags": own_tags(params)}
    _fill(params, item, recipe)
    schedules.arm(ctx.backend, item, now)
    store.image_pipelines[arn] = item
    return {"imagePipelineArn": arn}


@operation("UpdateImagePipeline")
def update_image_pipeline(ctx: RequestContext, params: Params) -> Result:
    arn = params["imagePipelineArn"]
    old = _get(ctx, arn)
    recipe_param, recipe = _resolve_references(ctx, params)
    current = next(p for p in _RECIPE_PARAMS if old.get(p))
    if recipe_param != current:
        raise invalid_value(recipe_param, f"The recipe must be the same type, image or container, as the "
                                          f"pipeline's current recipe ({current}).")
    _validate_options(ctx, params, recipe_param)
    now = ctx.now()
    # A full replacement: identity, tags and run history stay; every setting comes from the request.
    new = {k: v for k, v in old.items() if k in ("arn", "name", "dateCreated", "tags", "dateLastRun",
                                                  "lastRunStatus") or k.startswith("_")}
    new["dateUpdated"] = iso(now)
    if "consecutiveFailures" in old:
        new["consecutiveFailures"] = 0  # MODEL: an update of the configuration resets the count
    _fill(dict(params, name=old["name"]), new, recipe)
    schedules.arm(ctx.backend, new, now)
    ctx.store.image_pipelines[arn] = new
    return {"imagePipelineArn": arn}


@operation("GetImagePipeline")
def get_image_pipeline(ctx: RequestContext, params: Params) -> Result:
    return {"imagePipeline": _view(ctx, _get(ctx, params["imagePipelineArn"]))}


_FILTERS = {name: field(name) for name in ("description", "distributionConfigurationArn", "imageRecipeArn",
                                           "infrastructureConfigurationArn", "name", "status")}


@operation("ListImagePipelines")
def list_image_pipelines(ctx: RequestContext, params: Params) -> Result:
    return list_response(ctx, params, ctx.store.image_pipelines.values(), _FILTERS, "imagePipelineList",
                         lambda item: _view(ctx, item))


@operation("DeleteImagePipeline")
def delete_image_pipeline(ctx: RequestContext, params: Params) -> Result:
    arn = params["imagePipelineArn"]
    _get(ctx, arn)
    # MODEL: builds it started go on; the images it created are kept.
    del ctx.store.image_pipelines[arn]
    return {"imagePipelineArn": arn}


@operation("StartImagePipelineExecution")
def start_image_pipeline_execution(ctx: RequestContext, params: Params) -> Result:
    pipeline = _get(ctx, params["imagePipelineArn"])
    # MODEL: manual builds run whether the pipeline is enabled or disabled, tagged from the request.
    image = run(ctx, pipeline, build_type="USER_INITIATED", tags=params.get("tags"))
    return {"imageBuildVersionArn": image["arn"]}


_IMAGE_FILTERS = {"name": field("name"), "version": lambda item: item["version"].split("/")[0]}


@operation("ListImagePipelineImages")
def list_image_pipeline_images(ctx: RequestContext, params: Params) -> Result:
    arn = params["imagePipelineArn"]
    pipeline = ctx.store.image_pipelines.get(arn)  # MODEL: an unknown pipeline lists nothing (no error)
    images = [] if pipeline is None else [i for i in ctx.store.images.values() if i.get("sourcePipelineArn") == arn]
    for image in images:
        lifecycle.settle(ctx, image, poll=False)
    images = [i for i in images if i["state"]["status"] not in _HIDDEN]
    return list_response(ctx, params, images, _IMAGE_FILTERS, "imageSummaryList")


# -- builds ----------------------------------------------------------------------------------------
def run(ctx: RequestContext, pipeline: Resource, *, build_type: str, tags: Resource | None) -> Resource:
    """Start one build of `pipeline` (manual or scheduled) and record it on the pipeline."""
    recipe_param = next(p for p in _RECIPE_PARAMS if pipeline.get(p))
    request = {recipe_param: pipeline[recipe_param]}
    for member in ("infrastructureConfigurationArn", "distributionConfigurationArn", "imageTestsConfiguration",
                   "enhancedImageMetadataEnabled", "imageScanningConfiguration", "workflows", "executionRole"):
        if pipeline.get(member) is not None:
            request[member] = copy.deepcopy(pipeline[member])
    image_log = (pipeline.get("loggingConfiguration") or {}).get("imageLogGroupName")
    if image_log:
        request["loggingConfiguration"] = {"logGroupName": image_log}
    if tags:
        request["tags"] = dict(tags)
    dependencies = _dependencies(ctx, pipeline)
    from ..images.builds import start_build  # here: image_builds imports the workflows family

    image = start_build(ctx, request, build_type=build_type, source_pipeline=pipeline)
    ctx.backend.undo_log.keep(pipeline)  # changed in place (the scheduler holds it): undone if the request fails
    pipeline["dateLastRun"] = image["dateCreated"]
    pipeline["lastRunStatus"] = image["state"]["status"]
    pipeline["_lastImageArn"] = image["arn"]
    pipeline["_dependencies"] = dependencies
    pipeline["_inFlight"] = [*pipeline.get("_inFlight", ()), image["arn"]]
    return image


def _dependencies(ctx: RequestContext, pipeline: Resource) -> tuple[str, ...]:
    """What the recipe resolves to now: recipe, parent image and component builds (version filters
    and version ARNs resolved to their latest match). A change means a dependency update."""
    recipe_param = next(p for p in _RECIPE_PARAMS if pipeline.get(p))
    resource_type = _RECIPE_TYPES[recipe_param][0]

    def latest(arn: str, kind: str, param: str, usable: Callable[[Resource], bool] | None = None) -> str:
        try:
            resolved: str = resolve(ctx, arn, kind, param, usable=usable)["arn"]
            return resolved
        except ServiceError:
            return arn

    recipe_arn = latest(pipeline[recipe_param], resource_type, recipe_param)
    try:
        recipe = resolve(ctx, recipe_arn, resource_type, recipe_param)
    except ServiceError:
        return (recipe_arn,)
    found = [recipe_arn]
    parent = recipe.get("parentImage") or ""
    if parent.startswith("arn:") and ":image/" in parent:
        found.append(latest(parent, "image", "parentImage",
                            lambda i: lifecycle.settle(ctx, i, poll=False)["state"]["status"] == "AVAILABLE"))
    else:
        found.append(parent)
    for entry in recipe.get("components") or []:
        found.append(latest(entry["componentArn"], "component", "components"))
    return tuple(found)


def run_due(ctx: RequestContext, pipeline: Resource, due: datetime.datetime) -> None:
    """One due time of `pipeline` (ctx's clock reads `due`): settle earlier builds, then maybe build."""
    store = ctx.store
    in_flight = []
    for arn in pipeline.get("_inFlight", []):
        image = store.images.get(arn)
        if image is not None and lifecycle.settle(ctx, image, poll=False)["state"]["status"] not in _FINISHED:
            in_flight.append(arn)
    pipeline["_inFlight"] = in_flight
    if pipeline["status"] != "ENABLED":
        return
    schedule = pipeline["schedule"]
    if schedule.get("pipelineExecutionStartCondition") == DEPENDENCY_UPDATES and "_dependencies" in pipeline:
        if _dependencies(ctx, pipeline) == pipeline["_dependencies"]:
            return  # nothing newer matches the recipe's version filters since the last build
    try:
        run(ctx, pipeline, build_type="SCHEDULED", tags=pipeline.get("imageTags"))
    except ServiceError:
        _count_failure(pipeline)  # INFERRED: a scheduled run that cannot start counts as failed



# -- outcomes of builds ----------------------------------------------------------------------------
def _count_failure(pipeline: Resource) -> None:
    count = pipeline.get("consecutiveFailures", 0) + 1
    pipeline["consecutiveFailures"] = count
    policy = (pipeline.get("schedule") or {}).get("autoDisablePolicy") or {}
    if count >= policy.get("failureCount", DEFAULT_FAILURE_LIMIT):
        pipeline["status"] = "DISABLED"


def _on_transition(ctx: RequestContext, image: Resource, old: str, new: str) -> None:
    """Lifecycle hook: lastRunStatus, and consecutiveFailures / auto-disable for scheduled builds."""
    arn = image.get("sourcePipelineArn")
    if not arn:
        return
    parsed = arns.parse(arn)
    pipeline = ctx.backend.store(parsed.account, parsed.region).image_pipelines.get(arn)
    if pipeline is None:
        return
    if pipeline.get("_lastImageArn") == image["arn"]:
        pipeline["lastRunStatus"] = new
    if new == "AVAILABLE":
        # MODEL: a successful run, scheduled or manual, resets the count
        if image.get("buildType") == "SCHEDULED" or "consecutiveFailures" in pipeline:
            pipeline["consecutiveFailures"] = 0
    elif new == "FAILED" and image.get("buildType") == "SCHEDULED":
        _count_failure(pipeline)  # MODEL: a manual failure leaves the count as it is


class _PipelineOutcomes(lifecycle.LifecycleHook):
    """The lifecycle hook of this module (`_on_transition`)."""

    def on_transition(self, ctx: RequestContext, image: Resource, old: str, new: str) -> None:
        _on_transition(ctx, image, old, new)


PIPELINE_OUTCOMES = _PipelineOutcomes()
