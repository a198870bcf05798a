"""Workflow executions and their steps: ListWorkflowExecutions, GetWorkflowExecution,
ListWorkflowStepExecutions, GetWorkflowStepExecution, ListWaitingWorkflowSteps, SendWorkflowStepAction.

The executions themselves come from `workflow_runtime` (a lifecycle hook). Every read
first brings the image up to date (`lifecycle.settle`), so what these operations show agrees with
GetImage.
"""

from __future__ import annotations

import json

from ... import _lifecycle as lifecycle
from ..._backend.context import RequestContext
from ..._engine._errors import in_use, invalid_value
from .. import operation
from . import runtime as workflow_runtime
from .._shared.common import list_response, lookup
from .._shared.types import Params, Resource, Result


def _settled(ctx: RequestContext, collection: dict[str, Resource], key: str, type_name: str) -> Resource:
    """A workflow or step execution by id (ResourceNotFoundException otherwise), its image brought up to date."""
    record = lookup(collection, key, type_name)
    image = ctx.store.images.get(record["imageBuildVersionArn"])
    if image is not None:
        lifecycle.settle(ctx, image, poll=False)
    return record


def _execution(ctx: RequestContext, execution_id: str) -> Resource:
    return _settled(ctx, ctx.store.workflow_executions, execution_id, "WorkflowExecution")


def _step(ctx: RequestContext, step_id: str) -> Resource:
    return _settled(ctx, ctx.store.workflow_step_executions, step_id, "WorkflowStepExecution")


def _image_message(image: Resource) -> Resource:
    reason = image["state"].get("reason") if image["state"]["status"] == "FAILED" else None
    return {"message": reason[:500]} if reason else {}


@operation("ListWorkflowExecutions")
def list_workflow_executions(ctx: RequestContext, params: Params) -> Result:
    arn = params["imageBuildVersionArn"]
    image = lookup(ctx.store.images, arn, "Image")
    lifecycle.settle(ctx, image, poll=False)
    out = list_response(ctx, params, workflow_runtime.executions_of(ctx, image), {}, "workflowExecutions")
    out.update(imageBuildVersionArn=arn, **_image_message(image))
    return out


@operation("GetWorkflowExecution")
def get_workflow_execution(ctx: RequestContext, params: Params) -> Result:
    return dict(_execution(ctx, params["workflowExecutionId"]))


@operation("ListWorkflowStepExecutions")
def list_workflow_step_executions(ctx: RequestContext, params: Params) -> Result:
    execution = _execution(ctx, params["workflowExecutionId"])
    steps = (ctx.store.workflow_step_executions[i] for i in execution["_steps"])
    out = list_response(ctx, params, steps, {}, "steps")
    out.update(workflowBuildVersionArn=execution["workflowBuildVersionArn"],
               workflowExecutionId=execution["workflowExecutionId"],
               imageBuildVersionArn=execution["imageBuildVersionArn"])
    if execution.get("message"):
        out["message"] = execution["message"]
    return out


@operation("GetWorkflowStepExecution")
def get_workflow_step_execution(ctx: RequestContext, params: Params) -> Result:
    return dict(_step(ctx, params["stepExecutionId"]))


def _waiting(step: Resource) -> bool:
    waiting: bool = step["action"] == "WaitForAction" and step["status"] == "RUNNING"
    return waiting


@operation("ListWaitingWorkflowSteps")
def list_waiting_workflow_steps(ctx: RequestContext, params: Params) -> Result:
    # Looking at the account's builds brings them up to date: new waits appear, timed-out ones end.
    for image in list(ctx.store.images.values()):
        if lifecycle.in_progress(image):
            lifecycle.settle(ctx, image, poll=False)
    steps = [s for s in ctx.store.workflow_step_executions.values() if _waiting(s)]
    return list_response(ctx, params, steps, {}, "steps")


@operation("SendWorkflowStepAction")
def send_workflow_step_action(ctx: RequestContext, params: Params) -> Result:
    step_id, image_arn, action = params["stepExecutionId"], params["imageBuildVersionArn"], params["action"]
    step = _step(ctx, step_id)
    if step["imageBuildVersionArn"] != image_arn:
        raise invalid_value("imageBuildVersionArn", f"The workflow step execution '{step_id}' does not belong to the "
                                                    f"image build version '{image_arn}'.")
    if not _waiting(step):
        state = "is not a WaitForAction step" if step["action"] != "WaitForAction" else \
            f"is not waiting for an action (status {step['status']})"
        raise in_use(f"The workflow step execution '{step_id}' {state}.")
    image = lookup(ctx.store.images, image_arn, "Image")  # deleted under a waiting step
    now = ctx.iso_now()
    outputs = {"action": action}
    if params.get("reason"):
        outputs["reason"] = params["reason"]
    if action == "RESUME":
        step.update(status="COMPLETED", endTime=now, outputs=json.dumps(outputs))
    else:
        detail = f"Stopped by SendWorkflowStepAction{': ' + params['reason'] if params.get('reason') else '.'}"
        workflow_runtime.fail_step(step, now, detail, outputs)
    # Move the workflow on now: a STOP that aborts fails the image at once; after a RESUME the
    # remaining steps run and the next read of the image lets the build go on.
    if image["state"]["status"] in workflow_runtime.STAGES:
        workflow_runtime.advance_stage(ctx, image, workflow_runtime.STAGES[image["state"]["status"]])
    return {"stepExecutionId": step_id, "imageBuildVersionArn": image_arn}
