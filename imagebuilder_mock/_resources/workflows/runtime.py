"""Workflow executions as an image builds: a lifecycle hook (`WORKFLOWS`) and its gate.

- When the image enters BUILDING / TESTING / DISTRIBUTING, the workflows of that stage get an execution
  each (`wf-<uuid>`); the first starts RUNNING with its first step (`step-<uuid>`) RUNNING, the rest PENDING.
- When the image is about to leave the stage, the gate runs the remaining steps in order (an `if` that
  is false makes the step SKIPPED). A `WaitForAction` step stays RUNNING and holds the image in its stage
  (gate False) until SendWorkflowStepAction or its timeout. A failed step with onFailure Abort fails the
  execution, and the image (unless the configuration says onFailure CONTINUE).
- An image that fails or is cancelled fails/cancels what is still running; RetryImage marks the
  executions it re-runs `retried`.

Workflows run: those of `image.workflows`, else the AWS-managed defaults build-image and test-image
(container images: build-container, test-container); no distribution workflow by default.

Deferred: workflows without a WaitForAction step can neither hold nor fail a build, so until something
reads the image's executions (or the build stops) the hook does nothing as it moves; then it runs the
same `_follow` and `advance_stage` over the moves the lifecycle recorded (`Progress.history`), each as
the request that made it saw it (caller, moment, the build's AMI once BUILDING had ended).
"""

from __future__ import annotations

import datetime
import json
from typing import Any, cast

from ... import _lifecycle as lifecycle
from ..._backend import arns
from ..._backend.clock import UTC, iso
from ..._backend.caches import memoize
from ..._backend.context import RequestContext
from ..._backend.store import Backend, Store
from ..._lifecycle.progress import Move
from ..._engine._errors import ServiceError
from . import documents as workflow_documents
from .expressions import condition as _condition
from .expressions import execution_context, step_outputs
from .expressions import resolve as _resolve
from .handlers import resolve_configured
from .._shared.types import Resource

STAGES = {"BUILDING": "BUILD", "TESTING": "TEST", "DISTRIBUTING": "DISTRIBUTION"}
EXECUTION_DONE = frozenset({"COMPLETED", "FAILED", "ROLLBACK_COMPLETED", "CANCELLED", "SKIPPED"})
_DEFAULTS = {"AMI": (("build", "build-image"), ("test", "test-image")),
             "DOCKER": (("build", "build-container"), ("test", "test-container"))}
_NO_WORKFLOWS = {"IMPORT", "IMPORT_ISO"}
_MAX_REPORTED_TIMEOUT = 43200  # model WorkflowStepTimeoutSecondsInteger max


def _now(ctx: RequestContext) -> str:
    return iso(ctx.now())


def _entered(ctx: RequestContext, image: Resource) -> str:
    """When the image's latest transition happened (clock mode back-dates transitions)."""
    progress = image.get("_lifecycle")
    moment = progress.entered if progress is not None else None
    return iso(datetime.datetime.fromtimestamp(moment, UTC)) if moment else _now(ctx)


# -- the plan: which workflows this image runs ------------------------------------------------
def plan(ctx: RequestContext, image: Resource) -> list[Resource]:
    """[{arn, type, steps, waits (a WaitForAction step), parameters, onFailure, parallelGroup}] of the
    workflows this image runs, resolved once and kept on the image: its own (latest builds), else the
    AWS-managed defaults, which resolve in the (static) catalog: the same list for every image of a type
    and Region, built once per process and shared (read-only)."""
    found = image.get("_workflow_plan")
    if found is None:
        found = image["_workflow_plan"] = _resolve_plan(ctx, image)
    return found


def _resolve_plan(ctx: RequestContext, image: Resource) -> list[Resource]:
    if image.get("workflows"):
        return _plan_entries(ctx, image["workflows"])
    image_type = image.get("type")
    if image.get("buildType") in _NO_WORKFLOWS or image_type not in _DEFAULTS:
        return _NO_PLAN
    _, partition, _, region, _ = image["arn"].split(":", 4)  # an image's own ARN: always well formed
    return _default_plan(partition, region, ctx.region, image_type)


#: the plan of an image that runs no workflows: shared, never changed (tests/test_caches.py)
_NO_PLAN: list[Resource] = []


@memoize()
def _default_plan(partition: str, region: str, caller_region: str, image_type: str) -> list[Resource]:
    """The plan entries of the AWS-managed default workflows, which resolve in the static catalog alone
    (so as any caller of `caller_region`): shared, read-only."""
    catalog_ctx = RequestContext(Backend(), "aws", caller_region, "GetWorkflow", "default-workflows")
    return _plan_entries(catalog_ctx, [
        {"workflowArn": arns.make(partition, region, "aws", "workflow", name, "x.x.x", None, wtype)}
        for wtype, name in _DEFAULTS[image_type]])


def _plan_entries(ctx: RequestContext, configs: list[Resource]) -> list[Resource]:
    """Plan entries of WorkflowConfigurations; a workflow that cannot be resolved is left out."""
    entries = []
    for index, config in enumerate(configs):
        try:
            workflow = resolve_configured(ctx, config, f"workflows[{index}].workflowArn")
            details = workflow.get("parameters") or []
            values = workflow_documents.check_parameter_values(details, config.get("parameters"), "workflows")
            doc = workflow_documents.parse(workflow["data"], workflow["type"])
        except ServiceError:  # deleted or changed since the build was requested: not run (INFERRED)
            continue
        entries.append({"arn": workflow["arn"], "type": workflow["type"], "steps": doc["steps"],
                        "waits": any(step["action"] == "WaitForAction" for step in doc["steps"]),
                        "parameters": _typed(details, values), "onFailure": config.get("onFailure", "ABORT"),
                        "parallelGroup": config.get("parallelGroup")})
    return entries


def _typed(details: list[Resource], values: dict[str, list[str]]) -> dict[str, Any]:
    types = {d["name"]: d["type"] for d in details}
    out: dict[str, Any] = {}
    for name, value in values.items():
        ptype = types.get(name)
        first = value[0] if value else None
        if ptype == "stringList":
            out[name] = list(value)
        elif ptype == "boolean":
            out[name] = first == "true"
        elif ptype == "integer" and first is not None:
            out[name] = int(first)
        else:
            out[name] = first
    return out


def store_of(ctx: RequestContext, image: Resource) -> Store:
    """The store of the image's owner (a shared image may be read from another account)."""
    _, _, _, region, account, _ = image["arn"].split(":", 5)  # an image's own ARN: always well formed
    return ctx.backend.store(account, region)


def executions_of(ctx: RequestContext, image: Resource, stage: str | None = None) -> list[Resource]:
    if _deferred(ctx, image):
        _catch_up(ctx, image, image["_lifecycle"].history or [])
    found = (store_of(ctx, image).workflow_executions.get(i) for i in image.get("_workflow_executions", []))
    return [e for e in found if e is not None and (stage is None or e["type"] == stage)]


# -- lifecycle hook ----------------------------------------------------------------------------
_STOPPED = lifecycle.STOPPED


def on_transition(ctx: RequestContext, image: Resource, old: str, new: str) -> None:
    if not _concerns_workflows(old, new):
        return
    if _deferred(ctx, image):
        if new not in _STOPPED:
            return  # recorded in the image's history: run when the executions are read
        _catch_up(ctx, image, image["_lifecycle"].history[:-1])  # a stop shows on the image: run now
    _follow(ctx, image, old, new, _entered(ctx, image))


def _concerns_workflows(old: str, new: str) -> bool:
    """Whether a move enters or leaves a stage with workflows, or stops or resumes a build (not, say,
    PENDING -> CREATING or INTEGRATING -> AVAILABLE)."""
    return old in _STOPPED or new in _STOPPED or old in STAGES or new in STAGES


def _follow(ctx: RequestContext, image: Resource, old: str, new: str, when: str) -> None:
    """Executions follow the image: leaving a stage finishes its executions, entering one starts its
    workflows, stopping fails or cancels what runs, RetryImage marks the stopped executions `retried`."""
    if not _concerns_workflows(old, new):
        return
    if old in _STOPPED:
        for execution in executions_of(ctx, image):
            if execution["status"] in _STOPPED:
                execution["retried"] = True
    if old in STAGES and new not in _STOPPED:
        for execution in executions_of(ctx, image, STAGES[old]):
            if execution["status"] not in EXECUTION_DONE:
                _finish(ctx, image, execution, when)
    if new == "FAILED":
        _stop_running(ctx, image, "FAILED", image["state"].get("reason"), when)
    elif new == "CANCELLED":
        _stop_running(ctx, image, "CANCELLED", "The image build was cancelled.", when)
    elif new in STAGES:
        _start_stage(ctx, image, STAGES[new], when)


def gate(ctx: RequestContext, image: Resource, next_status: str) -> bool:
    """False while a workflow of the image's current stage has not finished (a WaitForAction step)."""
    stage = STAGES.get(image["state"]["status"])
    if stage is None or next_status in _STOPPED or _deferred(ctx, image) or not image.get("_workflow_executions"):
        return True
    return advance_stage(ctx, image, stage)


# -- deferred runs -----------------------------------------------------------------------------
def _deferred(ctx: RequestContext, image: Resource) -> bool:
    """Whether this hook has left the image's moves so far for later: it has not run for the image yet
    (no `_workflow_executions` list) and no workflow of its plan has a WaitForAction step."""
    return "_workflow_executions" not in image and not any(entry["waits"] for entry in plan(ctx, image))


def _catch_up(ctx: RequestContext, image: Resource, moves: list[Move]) -> None:
    """Run the hook over `moves` (a new build's moves so far, none of them a stop): for each, the gate
    that let it happen (if it was a step), then `_follow`; from then on the hook runs as the build moves."""
    image["_workflow_executions"] = []
    ami = _own_ami(ctx, image)  # the build Region's AMI: made when BUILDING ended
    built = False
    for move in moves:
        if move.asked_at is not None and move.old in STAGES and image["_workflow_executions"]:  # its gate
            advance_stage(_as_of(ctx.backend, move, move.asked_at, ami if built else None), image, STAGES[move.old])
        built = built or move.old == "BUILDING"
        _follow(_as_of(ctx.backend, move, move.at, ami if built else None), image, move.old, move.new,
                iso(datetime.datetime.fromtimestamp(move.at, UTC)))


class _AsOf:
    """The request context a recorded move had: its backend, caller, a moment, the build's AMI then."""

    def __init__(self, backend: Backend, move: Move, moment: float, own_ami: str | None) -> None:
        self.backend, self.account, self.region, self.own_ami = backend, move.account, move.region, own_ami
        self.moment = datetime.datetime.fromtimestamp(moment, UTC)

    def now(self) -> datetime.datetime:
        return self.moment


def _as_of(backend: Backend, move: Move, moment: float, own_ami: str | None) -> RequestContext:
    """An `_AsOf`, typed as the RequestContext it stands in for (the hook reads only what it has)."""
    return cast(RequestContext, _AsOf(backend, move, moment, own_ami))


def _own_ami(ctx: RequestContext | _AsOf, image: Resource) -> str | None:
    """The AMI of the build Region the caller's Region sees (None before the build made one)."""
    if isinstance(ctx, _AsOf):
        return ctx.own_ami
    outputs = image.get("outputResources")
    for ami in (outputs.get("amis") or ()) if outputs else ():
        if ami.get("region") == ctx.region and ami.get("image"):
            found: str = ami["image"]
            return found
    return None


def _start_stage(ctx: RequestContext, image: Resource, stage: str, when: str) -> None:
    done = {e["workflowBuildVersionArn"] for e in executions_of(ctx, image, stage)
            if e["status"] == "COMPLETED" and not e.get("retried")}
    created = []
    for entry in plan(ctx, image):
        if entry["type"] != stage or entry["arn"] in done:
            continue
        execution = {
            "workflowExecutionId": f"wf-{ctx.backend.new_uuid()}", "workflowBuildVersionArn": entry["arn"],
            "imageBuildVersionArn": image["arn"], "type": stage, "status": "PENDING",
            "totalStepCount": len(entry["steps"]), "totalStepsSucceeded": 0, "totalStepsFailed": 0,
            "totalStepsSkipped": 0, "retried": False, "_plan": entry, "_next": 0, "_current": None,
            "_outputs": {}, "_steps": [],
        }
        if entry.get("parallelGroup"):
            execution["parallelGroup"] = entry["parallelGroup"]
        store_of(ctx, image).workflow_executions[execution["workflowExecutionId"]] = execution
        image.setdefault("_workflow_executions", []).append(execution["workflowExecutionId"])
        created.append(execution)
    if created:
        _run(ctx, image, created[0], when, finish=False)


def advance_stage(ctx: RequestContext, image: Resource, stage: str) -> bool:
    """Run the stage's executions in order; True when all are done and the image may move on."""
    for execution in executions_of(ctx, image, stage):
        if execution.get("retried") or execution["status"] in EXECUTION_DONE:
            continue
        outcome = _run(ctx, image, execution, _now(ctx), finish=True)
        if outcome == "waiting":
            return False
        if outcome == "failed" and execution["_plan"]["onFailure"] != "CONTINUE":
            step = store_of(ctx, image).workflow_step_executions.get(execution.get("_failed_step") or "")
            context = {"workflowExecutionId": execution["workflowExecutionId"],
                       "workflowArn": execution["workflowBuildVersionArn"]}
            if step is not None:
                context.update(stepExecutionId=step["stepExecutionId"], failedStep=step["name"])
            lifecycle.fail(ctx, image, f"Workflow Execution ID: '{execution['workflowExecutionId']}' failed with "
                                       f"reason: {execution.get('message', '')}"[:1024], context)
            return False
    return True


# -- one execution -----------------------------------------------------------------------------
def _run(ctx: RequestContext, image: Resource, execution: Resource, when: str, finish: bool) -> str:
    """Move an execution on: start it and its next step; with `finish`, complete steps until a
    WaitForAction step or the end. Returns "waiting", "running", "failed" or "done"."""
    if execution["status"] == "PENDING":
        execution.update(status="RUNNING", startTime=when)
    steps = execution["_plan"]["steps"]
    step_executions = store_of(ctx, image).workflow_step_executions
    context = None  # built once, when a step first needs it (its members are live references)
    while True:
        current = step_executions.get(execution["_current"] or "")
        if current is not None:
            if current["status"] == "RUNNING":
                if current["action"] == "WaitForAction":
                    if not _timed_out(ctx, current):
                        return "waiting"
                    fail_step(current, _now(ctx), "The step timed out while waiting for an action.")
                elif not finish:
                    return "running"
                else:
                    _complete(ctx, image, execution, current, when)
            if current["status"] == "FAILED":
                execution["totalStepsFailed"] += 1
                if current["onFailure"] != "Continue":
                    execution["_current"] = None
                    execution["_failed_step"] = current["stepExecutionId"]
                    execution.update(status="FAILED", endTime=current.get("endTime", when),
                                     message=f"Step '{current['name']}' failed: {current.get('message', '')}"[:500])
                    return "failed"
            elif current["status"] == "COMPLETED":
                execution["totalStepsSucceeded"] += 1
            execution["_current"] = None
        if execution["_next"] >= len(steps):
            execution.update(status="COMPLETED", endTime=when)
            return "done"
        step_doc = steps[execution["_next"]]
        execution["_next"] += 1
        if context is None:
            context = execution_context(image, execution)
        record = _new_step(ctx, image, execution, step_doc, when, context, step_executions)
        if not _condition(step_doc.get("if"), context) or _nothing_to_run(image, step_doc):
            record.update(status="SKIPPED", endTime=when)
            execution["totalStepsSkipped"] += 1
            continue
        execution["_current"] = record["stepExecutionId"]


def _nothing_to_run(image: Resource, step_doc: Resource) -> bool:
    """An ExecuteComponents step of a build whose recipe has no components is SKIPPED (the AWS CLI's
    example of a recipe without components: BUILD 7/5/2, TEST 4/2/2; docs/service-behavior.md)."""
    if step_doc["action"] != "ExecuteComponents":
        return False
    recipe = image.get("imageRecipe") or image.get("containerRecipe") or {}
    return not recipe.get("components")


def _new_step(ctx: RequestContext, image: Resource, execution: Resource, doc: Resource, when: str,
              context: Resource, step_executions: Resource) -> Resource:
    action = workflow_documents.ACTIONS[doc["action"]]
    timeout = doc.get("timeoutSeconds", action.default_timeout)
    record = {
        "stepExecutionId": f"step-{ctx.backend.new_uuid()}", "workflowExecutionId": execution["workflowExecutionId"],
        "workflowBuildVersionArn": execution["workflowBuildVersionArn"], "imageBuildVersionArn": image["arn"],
        "name": doc["name"], "action": doc["action"], "status": "RUNNING", "startTime": when,
        "onFailure": doc.get("onFailure", "Abort"), "attemptNumber": 1, "maxAttempts": 1, "_timeout": timeout,
        "inputs": json.dumps(_resolve(doc.get("inputs") or {}, context)),
    }
    if timeout <= _MAX_REPORTED_TIMEOUT:  # longer timeouts (WaitForAction: 3 days) exceed the model's range
        record["timeoutSeconds"] = timeout
    if doc.get("description"):
        record["description"] = str(doc["description"])[:500]
    step_executions[record["stepExecutionId"]] = record
    execution["_steps"].append(record["stepExecutionId"])
    return record


def _complete(ctx: RequestContext, image: Resource, execution: Resource, step: Resource, when: str) -> None:
    outputs = step_outputs(ctx, image, step, _own_ami)
    step.update(status="COMPLETED", endTime=when)
    if outputs is not None:
        step["outputs"] = json.dumps(outputs)
        execution["_outputs"][step["name"]] = outputs


def fail_step(step: Resource, when: str, message: str, outputs: Resource | None = None) -> None:
    step.update(status="FAILED", endTime=when, message=message[:500])
    if outputs is not None:
        step["outputs"] = json.dumps(outputs)


def _timed_out(ctx: RequestContext, step: Resource) -> bool:
    started = datetime.datetime.strptime(step["startTime"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return ctx.now() >= started + datetime.timedelta(seconds=step["_timeout"])


def _finish(ctx: RequestContext, image: Resource, execution: Resource, when: str) -> None:
    """The image left the stage: whatever the execution still had to do counts as done."""
    while _run(ctx, image, execution, when, finish=True) == "waiting":
        step = store_of(ctx, image).workflow_step_executions[execution["_current"]]
        step.update(status="COMPLETED", endTime=when)


def _stop_running(ctx: RequestContext, image: Resource, status: str, reason: str | None, when: str) -> None:
    for execution in executions_of(ctx, image):
        if execution["status"] in EXECUTION_DONE:
            continue
        step = store_of(ctx, image).workflow_step_executions.get(execution["_current"] or "")
        if step is not None and step["status"] == "RUNNING":
            if status == "FAILED":
                fail_step(step, when, reason or "The image build failed.")
                execution["totalStepsFailed"] += 1
                context = image["state"].setdefault("failureContext", {"imageStatus": image["state"]["status"]})
                context.setdefault("workflowExecutionId", execution["workflowExecutionId"])
                context.setdefault("workflowArn", execution["workflowBuildVersionArn"])
                context.setdefault("stepExecutionId", step["stepExecutionId"])
                context.setdefault("failedStep", step["name"])
            else:
                step.update(status="CANCELLED", endTime=when)
        execution["_current"] = None
        execution.update(status=status, endTime=when)
        if reason:
            execution["message"] = reason[:500]


class _Workflows(lifecycle.LifecycleHook):
    """The lifecycle hook of this module: executions follow the stages (`on_transition`), and a stage
    ends only when its executions have (`gate`)."""

    def allows(self, ctx: RequestContext, image: Resource, next_status: str) -> bool:
        return gate(ctx, image, next_status)

    def on_transition(self, ctx: RequestContext, image: Resource, old: str, new: str) -> None:
        on_transition(ctx, image, old, new)


WORKFLOWS = _Workflows()
