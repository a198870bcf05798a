"""Lifecycle policies: Create/Get/Update/List/Delete. Runs of the policies are in lifecycle_executions."""

from __future__ import annotations

import copy

from ..._backend.context import RequestContext
from ..._engine._errors import invalid_value
from .. import operation
from .._shared.common import field, list_response, new_arn, own, own_tags, pick
from .rules import validate_policy
from .runs import RUN_INTERVAL, cancel_running, install_schedule
from .._shared.types import Params, Resource, Result

_ARN_TYPE = "lifecycle-policy"
_PARAM = "lifecyclePolicyArn"


def _fill(params: Params, item: Resource) -> Resource:
    item.update(copy.deepcopy(pick("LifecyclePolicy", params, exclude=("tags", "arn", "name"))))
    item.setdefault("status", "ENABLED")
    return item


@operation("CreateLifecyclePolicy")
def create_lifecycle_policy(ctx: RequestContext, params: Params) -> Result:
    arn = new_arn(ctx, _ARN_TYPE, params["name"])
    validate_policy(params)
    ctx.check_dry_run(params)
    now = ctx.now()
    item = {"arn": arn, "name": params["name"], "dateCreated": now, "tags": own_tags(params),
            "_next_run": now + RUN_INTERVAL}
    ctx.store.lifecycle_policies[arn] = _fill(params, item)
    install_schedule(ctx.backend)
    return {_PARAM: arn}


@operation("UpdateLifecyclePolicy")
def update_lifecycle_policy(ctx: RequestContext, params: Params) -> Result:
    arn, old = own(ctx, params, _PARAM, _ARN_TYPE)
    if params["resourceType"] != old["resourceType"]:
        raise invalid_value("resourceType", f"The resource type of a lifecycle policy can't be changed: the policy's "
                                            f"resource type is {old['resourceType']}.")
    validate_policy(params)
    # A full replacement: what the request omits is removed or reset to its default (status ENABLED).
    new: Resource = {key: old[key] for key in ("arn", "name", "dateCreated", "tags", "_next_run", "dateLastRun")
                     if key in old}
    new["dateUpdated"] = ctx.now()
    ctx.store.lifecycle_policies[arn] = _fill(params, new)
    if new["status"] == "DISABLED":
        cancel_running(ctx, arn, "The lifecycle policy was disabled.")
    return {_PARAM: arn}


@operation("GetLifecyclePolicy")
def get_lifecycle_policy(ctx: RequestContext, params: Params) -> Result:
    return {"lifecyclePolicy": own(ctx, params, _PARAM, _ARN_TYPE)[1]}


@operation("ListLifecyclePolicies")
def list_lifecycle_policies(ctx: RequestContext, params: Params) -> Result:
    fields = {"name": field("name"), "resourceType": field("resourceType"), "status": field("status")}
    return list_response(ctx, params, ctx.store.lifecycle_policies.values(), fields, "lifecyclePolicySummaryList")


@operation("DeleteLifecyclePolicy")
def delete_lifecycle_policy(ctx: RequestContext, params: Params) -> Result:
    arn, _ = own(ctx, params, _PARAM, _ARN_TYPE)
    cancel_running(ctx, arn, "The lifecycle policy was deleted.")
    del ctx.store.lifecycle_policies[arn]
    return {_PARAM: arn}
