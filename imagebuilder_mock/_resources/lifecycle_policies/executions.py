"""Lifecycle executions: List/Get/ListResources/Cancel, and StartResourceStateUpdate.

How executions start (policy schedule, explicit trigger, scheduled updates) is in _lifecycle_runs.
"""

from __future__ import annotations

import datetime

from ..._backend import arns
from ..._backend.context import RequestContext
from ..._engine._errors import in_use, invalid_value
from . import runs
from .. import operation
from .._shared.common import list_response, lookup
from .rules import as_datetime, not_actionable
from .._shared.types import Params, Resource, Result

_TYPE = "LifecycleExecution"
#: Image statuses StartResourceStateUpdate accepts, and where each may go.
_UPDATABLE = {
    "AVAILABLE": {"DEPRECATED", "DISABLED", "DELETED"},
    "DEPRECATED": {"AVAILABLE", "DISABLED", "DELETED"},
    "DISABLED": {"AVAILABLE", "DEPRECATED", "DELETED"},
    "FAILED": {"DELETED"},
    "CANCELLED": {"DELETED"},
}
_ACTION = {"AVAILABLE": "AVAILABLE", "DEPRECATED": "DEPRECATE", "DISABLED": "DISABLE", "DELETED": "DELETE"}


def _execution(ctx: RequestContext, execution_id: str) -> Resource:
    return lookup(ctx.store.lifecycle_executions, execution_id, _TYPE)


@operation("ListLifecycleExecutions")
def list_lifecycle_executions(ctx: RequestContext, params: Params) -> Result:
    arn = params["resourceArn"]
    parsed = arns.parse(arn, "resourceArn")
    if not (parsed.resource_type == "lifecycle-policy" or (parsed.resource_type == "image" and parsed.build)):
        raise invalid_value("resourceArn", "Specify a lifecycle policy ARN or an image build version ARN.")
    executions = [e for e in ctx.store.lifecycle_executions.values() if e["_subject"] == arn]
    executions.reverse()  # newest first
    return list_response(ctx, params, executions, {}, "lifecycleExecutions")


@operation("GetLifecycleExecution")
def get_lifecycle_execution(ctx: RequestContext, params: Params) -> Result:
    return {"lifecycleExecution": _execution(ctx, params["lifecycleExecutionId"])}


@operation("ListLifecycleExecutionResources")
def list_lifecycle_execution_resources(ctx: RequestContext, params: Params) -> Result:
    execution = _execution(ctx, params["lifecycleExecutionId"])
    parent = params.get("parentResourceId")
    if execution.get("_due") is not None:
        # a scheduled update (StartResourceStateUpdate with updateAt) lists nothing before its time, as
        # the AWS CLI's example shows (`"resources": []`; docs/service-behavior.md)
        items = []
    elif parent is None:
        items = execution["_resources"]
    else:
        items = next((r["_children"] for r in execution["_resources"] if r["resourceId"] == parent), [])
    out = list_response(ctx, params, items, {}, "resources")
    return dict(out, lifecycleExecutionId=execution["lifecycleExecutionId"], lifecycleExecutionState=execution["state"])


@operation("CancelLifecycleExecution")
def cancel_lifecycle_execution(ctx: RequestContext, params: Params) -> Result:
    execution = _execution(ctx, params["lifecycleExecutionId"])
    status = execution["state"]["status"]
    if status not in runs.IN_FLIGHT:
        raise in_use(f"The lifecycle execution '{execution['lifecycleExecutionId']}' is {status} and can no longer "
                     "be cancelled. You can only cancel an execution that hasn't reached a terminal state.")
    runs.cancel(execution)
    return {"lifecycleExecutionId": execution["lifecycleExecutionId"]}


# -- StartResourceStateUpdate ----------------------------------------------------------------
def _validate_update(ctx: RequestContext, params: Params, image: Resource) -> datetime.datetime | None:
    target = params["state"]["status"]
    include = params.get("includeResources")
    if (params.get("executionRole") is None) != (include is None):
        raise invalid_value("executionRole" if include is not None else "includeResources",
                            "You must provide executionRole together with includeResources. Neither is valid "
                            "without the other.")
    include = include or {}
    if image.get("type") == "DOCKER":
        if target != "DELETED":
            raise invalid_value("state.status", "For container-based images, only DELETED is supported.")
        if include.get("amis") or include.get("snapshots"):
            raise invalid_value("includeResources", "amis and snapshots apply only to AMI-based images.")
    elif include.get("containers"):
        raise invalid_value("includeResources.containers", "containers apply only to container-based images.")
    if target != "DELETED" and (include.get("snapshots") or include.get("containers")):
        raise invalid_value("includeResources", "Snapshots and containers are only valid for the DELETED state.")
    if include.get("snapshots") and not include.get("amis"):
        raise invalid_value("includeResources.snapshots", "You can only include snapshots together with AMIs.")
    if target == "DELETED" and not any(include.values()):
        raise invalid_value("includeResources", "To set an image to DELETED, you must include its underlying "
                                                "resources. To delete only the Image Builder image record, use "
                                                "the DeleteImage operation instead.")
    update_at = params.get("updateAt")
    if update_at is None:
        return None
    if target != "DEPRECATED":
        raise invalid_value("updateAt", "updateAt is valid only when the target status is DEPRECATED.")
    try:
        moment = as_datetime(update_at)
    except (TypeError, ValueError, OverflowError, OSError):
        raise invalid_value("updateAt", "updateAt must be a timestamp.") from None
    if moment <= ctx.now():
        raise invalid_value("updateAt", "updateAt must be a time in the future.")
    return moment


def _check_image_state(ctx: RequestContext, image: Resource, target: str, starts_execution: bool) -> None:
    status = image["state"]["status"]
    if status not in _UPDATABLE:
        if status == "DELETED":
            raise not_actionable(image, target)
        raise in_use(f"The image '{image['arn']}' is {status}. Its state can be updated once it reaches a terminal "
                     "state.")
    if target not in _UPDATABLE[status]:
        raise not_actionable(image, target)
    if starts_execution and any(e["_subject"] == image["arn"] and e["state"]["status"] in runs.IN_FLIGHT
                                for e in ctx.store.lifecycle_executions.values()):
        raise in_use(f"The image '{image['arn']}' already has a lifecycle execution in progress.")


@operation("StartResourceStateUpdate")
def start_resource_state_update(ctx: RequestContext, params: Params) -> Result:
    arn = params["resourceArn"]
    image = lookup(ctx.store.images, arn, "Image")
    target = params["state"]["status"]
    update_at = _validate_update(ctx, params, image)
    include = params.get("includeResources") or {}
    starts_execution = bool(include) or update_at is not None
    _check_image_state(ctx, image, target, starts_execution)
    now = ctx.now()
    if not starts_execution:  # applies immediately, without a lifecycle execution
        runs.act_on_image(ctx, image, target, None, now)
        return {"resourceArn": arn}
    runs.install_schedule(ctx.backend)
    execution = runs.new_execution(ctx, arn)
    action = _ACTION[target]
    exclusions = (params.get("exclusionRules") or {}).get("amis")
    record = runs.resource_record(ctx, arn, action, f"StartResourceStateUpdate requested {target}.",
                                  "IN_PROGRESS" if update_at else "SUCCESS", now)
    # For a scheduled deprecation the AMIs get their deprecation time now; the image changes at updateAt.
    record["_children"] = runs.underlying(ctx, image, action, include, exclusions, now)
    execution["_resources"].append(record)
    if update_at is not None:
        execution["_due"], execution["_apply"] = update_at, target
        image["deprecationTime"] = update_at
        image["lifecycleExecutionId"] = execution["lifecycleExecutionId"]
    elif target == "DELETED" and any(c["state"]["status"] == "SKIPPED" for c in record["_children"]):
        runs.set_state(record, "SKIPPED", now, "An underlying AMI was excluded, so the image is kept.")
        runs.finish(execution, "SUCCESS", now)
        image["lifecycleExecutionId"] = execution["lifecycleExecutionId"]
    else:
        runs.act_on_image(ctx, image, target, execution["lifecycleExecutionId"], now, targets=record["_children"])
        runs.finish(execution, "SUCCESS", now)
    return {"resourceArn": arn, "lifecycleExecutionId": execution["lifecycleExecutionId"]}
