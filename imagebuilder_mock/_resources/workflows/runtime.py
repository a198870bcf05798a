"""Workflow executions as an image builds: a listener and a gate on the image lifecycle.

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

Deferred runs: a build whose workflows have no WaitForAction step can neither wait nor fail on its own,
so its lifecycle events are only journalled (with the time, caller and AMI each one saw) and replayed,
in order, the first time anything looks at its executions or the build leaves the happy path.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, NamedTuple

from ..._backend import arns, lifecycle
from ..._backend.clock import UTC, iso
from ..._backend.context import RequestContext
from ..._engine._errors import ServiceError
from ..._engine.engine import random_uuid
from . import documents as workflow_documents
from .expressions import condition as _condition
from .expressions import execution_context, step_outputs
from .expressions import resolve as _resolve
from .handlers import resolve_configured

STAGES = {"BUILDING": "BUILD", "TESTING": "TEST", "DISTRIBUTING": "DISTRIBUTION"}
EXECUTION_DONE = frozenset({"COMPLETED", "FAILED", "ROLLBACK_COMPLETED", "CANCELLED", "SKIPPED"})
_DEFAULTS = {"AMI": (("build", "build-image"), ("test", "test-image")),
             "DOCKER": (("build", "build-container"), ("test", "test-container"))}
_NO_WORKFLOWS = {"IMPORT", "IMPORT_ISO"}
_MAX_REPORTED_TIMEOUT = 43200  # model WorkflowStepTimeoutSecondsInteger max


def _now(ctx: RequestContext) -> str:
    return iso(ctx.now())


def _entered(ctx: RequestContext, image: dict) -> str:
    """When the image's latest transition happened (clock mode back-dates transitions)."""
    book = image.get("_lifecycle")
    moment = book.entered if book is not None else None
    return iso(datetime.datetime.fromtimestamp(moment, UTC)) if moment else _now(ctx)


# -- the plan: which workflows this image runs ------------------------------------------------
def plan(ctx: RequestContext, image: dict) -> list[dict]:
    """[{arn, type, parameters, onFailure, parallelGroup}] of the workflows this image runs."""
    return _plan(ctx, image).entries


class _Plan(NamedTuple):
    entries: list[dict]
    stages: frozenset[str]  # the types (BUILD, TEST, ...) it has entries of
    deferrable: bool  # no WaitForAction step

    @classmethod
    def of(cls, entries: list[dict]) -> "_Plan":
        return cls(entries, frozenset(entry["type"] for entry in entries),
                   all(step["action"] != "WaitForAction" for entry in entries for step in entry["steps"]))


def _plan(ctx: RequestContext, image: dict) -> _Plan:
    """The image's own workflows, resolved once (latest builds) and kept on the image; else the
    AWS-managed defaults, which resolve in the (static) catalog: the same for every image of a type and
    Region, built once per process, shared (read-only) and not kept on images (one key less each)."""
    own = image.get("_workflow_plan")
    if own is None and image.get("workflows"):
        own = image["_workflow_plan"] = _plan_entries(ctx, image["workflows"])
    if own is not None:
        return _Plan.of(own)
    image_type = image.get("type")
    if image.get("buildType") in _NO_WORKFLOWS or image_type not in _DEFAULTS:
        return _NO_PLAN
    _, partition, _, region, _ = image["arn"].split(":", 4)  # an image's own ARN: always well formed
    key = (partition, region, ctx.region, image_type)
    shared = _DEFAULT_PLANS.get(key)
    if shared is None:
        shared = _DEFAULT_PLANS[key] = _Plan.of(_plan_entries(ctx, [
            {"workflowArn": arns.make(partition, region, "aws", "workflow", name, "x.x.x", None, wtype)}
            for wtype, name in _DEFAULTS[image_type]]))
    return shared


_NO_PLAN = _Plan.of([])
_DEFAULT_PLANS: dict[tuple, _Plan] = {}


def _plan_entries(ctx: RequestContext, configs: list[dict]) -> list[dict]:
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
                        "parameters": _typed(details, values), "onFailure": config.get("onFailure", "ABORT"),
                        "parallelGroup": config.get("parallelGroup")})
    return entries


def _typed(details: list[dict], values: dict[str, list[str]]) -> dict[str, Any]:
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


def store_of(ctx: RequestContext, image: dict):
    """The store of the image's owner (a shared image may be read from another account)."""
    _, _, _, region, account, _ = image["arn"].split(":", 5)  # an image's own ARN: always well formed
    return ctx.backend.store(account, region)


def executions_of(ctx: RequestContext, image: dict, stage: str | None = None) -> list[dict]:
    if image.get(_JOURNAL) is not None:
        materialise(ctx, image)
    found = (store_of(ctx, image).workflow_executions.get(i) for i in image.get("_workflow_executions", []))
    return [e for e in found if e is not None and (stage is None or e["type"] == stage)]


# -- lifecycle hooks ---------------------------------------------------------------------------
def on_transition(ctx: RequestContext, image: dict, old: str, new: str) -> None:
    journal = image.get(_JOURNAL)
    if journal is None and new in STAGES and old not in _STOPPED and not image.get("_workflow_executions") \
            and _deferrable(ctx, image):
        journal = image[_JOURNAL] = _Journal(_planned(ctx, image).stages)
    if journal is not None:
        if old not in _STOPPED and new not in _STOPPED:
            # a move that neither enters nor leaves a stage with workflows (INTEGRATING -> AVAILABLE, ...)
            # changes nothing here when replayed: not journalled
            if STAGES.get(old) in journal.stages or STAGES.get(new) in journal.stages:
                journal.append(_event(ctx, image, old, new))
            return
        materialise(ctx, image)
    if old in _STOPPED or new in _STOPPED or old in STAGES or new in STAGES:  # else nothing to do
        _apply_transition(ctx, image, old, new, _entered(ctx, image))


def _apply_transition(ctx: RequestContext, image: dict, old: str, new: str, when: str) -> None:
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


def gate(ctx: RequestContext, image: dict, next_status: str) -> bool:
    """False while a workflow of the image's current stage has not finished (a WaitForAction step)."""
    stage = STAGES.get(image["state"]["status"])
    if stage is None or next_status in _STOPPED:
        return True
    journal = image.get(_JOURNAL)
    if journal is not None:  # a deferred run cannot wait: it finishes the stage when replayed
        if stage in journal.stages:
            journal.append(_event(ctx, image, stage, None))
        return True
    if not image.get("_workflow_executions"):
        return True
    return advance_stage(ctx, image, stage)


# -- deferred runs -----------------------------------------------------------------------------
_JOURNAL = "_workflow_journal"
_STOPPED = frozenset({"FAILED", "CANCELLED"})


def _gate_through(ctx: RequestContext, image: dict, passed: tuple[str, ...]) -> bool:
    """A new build (PENDING, no distribution configuration) whose run will be deferred: its gates only
    journal, so `_on_run` can write the journal of the whole run at once. The AMI each event sees is
    then known: none before BUILDING ends, the build's own one after (the only one, without
    distributions)."""
    return passed[0] == "PENDING" and not image.get("distributionConfiguration") and _JOURNAL not in image \
        and not image.get("_workflow_executions") and _deferrable(ctx, image)


def _on_run(ctx: RequestContext, image: dict, passed: tuple[str, ...]) -> None:
    """`gate` and `on_transition` at each step of a run that `_gate_through` let through (at one
    moment): the same journal, from a template per path and plan stages."""
    stages = _planned(ctx, image).stages
    template = _RUN_TEMPLATES.get((passed, stages))
    if template is None:
        template = _RUN_TEMPLATES[(passed, stages)] = _run_template(passed, stages)
    if template is None:
        return  # the run enters no stage: no journal, nothing to do
    # the outputs listener ran first: the build's own AMI, if it made one
    image[_JOURNAL] = _Journal(stages, template, image["_lifecycle"].entered, ctx.account, ctx.region,
                               _own_ami(ctx, image) if template else None)


def _run_template(passed: tuple[str, ...], stages: frozenset[str]) -> tuple | None:
    """The events `gate` and `on_transition` journal along `passed` (a new build's deferred run):
    (first, second, whether the build's AMI exists by then); None when the run enters no stage."""
    events: list[tuple] | None = None
    after_build = False
    for old, new in zip(passed, passed[1:]):
        if events is not None and STAGES.get(old) in stages:
            events.append((STAGES[old], None, after_build))  # the gate at the end of `old`
        after_build = after_build or old == "BUILDING"
        if events is None and new in STAGES:
            events = []
        if events is not None and (STAGES.get(old) in stages or STAGES.get(new) in stages):
            events.append((old, new, after_build))
    return None if events is None else tuple(events)


_RUN_TEMPLATES: dict[tuple, tuple | None] = {}


class _Journal:
    """A deferred run's events, in order, and the stages its plan has workflows for. A one-pass run
    (`_on_run`) keeps its events as the shared template of its path and stages plus the run's moment,
    caller and AMI (one small object, not a list of tuples); events appended come after them."""

    __slots__ = ("stages", "template", "when", "account", "region", "built", "appended")

    def __init__(self, stages: frozenset[str], template: tuple = (), when: float | None = None,
                 account: str | None = None, region: str | None = None, built: str | None = None) -> None:
        self.stages = stages
        self.template = template  # (first, second, whether the build's AMI exists by then)
        self.when, self.account, self.region, self.built = when, account, region, built
        self.appended: list[tuple] | None = None

    def append(self, event: tuple) -> None:
        if self.appended is None:
            self.appended = [event]
        else:
            self.appended.append(event)

    def __iter__(self):
        """The events: (first, second, timestamp, account, region, own AMI)."""
        for first, second, after_build in self.template:
            yield first, second, self.when, self.account, self.region, self.built if after_build else None
        if self.appended:
            yield from self.appended


class _Replay:
    """What a journalled event's request context was: its caller, clock reading and build-Region AMI."""

    __slots__ = ("backend", "account", "region", "moment", "own_ami")

    def __init__(self, backend, event: tuple) -> None:
        self.backend = backend
        _, _, when, self.account, self.region, self.own_ami = event
        self.moment = datetime.datetime.fromtimestamp(when, UTC)

    def now(self) -> datetime.datetime:
        return self.moment


def _deferrable(ctx: RequestContext, image: dict) -> bool:
    """Whether the image's run can be deferred (no WaitForAction step); a deferrable plan is kept for
    the `_planned` that follows (same image, same request)."""
    global _DEFERRABLE
    plan = _plan(ctx, image)
    if plan.deferrable:
        _DEFERRABLE = (image, ctx, plan)
    return plan.deferrable


def _planned(ctx: RequestContext, image: dict) -> _Plan:
    """`_plan`, taken from the `_deferrable` just before when it was of this image and request."""
    global _DEFERRABLE
    last_image, last_ctx, plan = _DEFERRABLE
    _DEFERRABLE = _NOTHING_KEPT  # holds no image longer than that
    return plan if last_image is image and last_ctx is ctx else _plan(ctx, image)


_NOTHING_KEPT = (None, None, None)
_DEFERRABLE: tuple = _NOTHING_KEPT  # (image, ctx, plan) of the last deferrable `_deferrable`


def _event(ctx: RequestContext, image: dict, first: str, second: str | None) -> tuple:
    """A transition (`first` -> `second`, when the image entered `second`) or, with `second` None, a
    gate at the end of stage `first` (now): (first, second, timestamp, account, region, own AMI)."""
    when = image["_lifecycle"].entered if second is not None else None
    return (first, second, when or ctx.now().timestamp(), ctx.account, ctx.region, _own_ami(ctx, image))


def materialise(ctx: RequestContext, image: dict) -> None:
    """Replay a deferred run's journal: its executions and steps exist, exactly as if run eagerly."""
    journal = image.pop(_JOURNAL, None) or ()
    for event in journal:
        replay = _Replay(ctx.backend, event)
        first, second = event[:2]
        if second is not None:
            _apply_transition(replay, image, first, second, iso(replay.moment))
        elif image.get("_workflow_executions"):
            advance_stage(replay, image, first)


def _own_ami(ctx, image: dict) -> str | None:
    """The AMI of the build Region the caller's Region sees (None before the build made one)."""
    if type(ctx) is _Replay:
        return ctx.own_ami
    outputs = image.get("outputResources")
    for ami in (outputs.get("amis") or ()) if outputs else ():
        if ami.get("region") == ctx.region and ami.get("image"):
            return ami["image"]
    return None


def _start_stage(ctx: RequestContext, image: dict, stage: str, when: str) -> None:
    done = {e["workflowBuildVersionArn"] for e in executions_of(ctx, image, stage)
            if e["status"] == "COMPLETED" and not e.get("retried")}
    created = []
    for entry in plan(ctx, image):
        if entry["type"] != stage or entry["arn"] in done:
            continue
        execution = {
            "workflowExecutionId": f"wf-{random_uuid()}", "workflowBuildVersionArn": entry["arn"],
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


def advance_stage(ctx: RequestContext, image: dict, stage: str) -> bool:
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
def _run(ctx: RequestContext, image: dict, execution: dict, when: str, finish: bool) -> str:
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
        record = _new_step(image, execution, step_doc, when, context, step_executions)
        if not _condition(step_doc.get("if"), context):
            record.update(status="SKIPPED", endTime=when)
            execution["totalStepsSkipped"] += 1
            continue
        execution["_current"] = record["stepExecutionId"]


def _new_step(image: dict, execution: dict, doc: dict, when: str, context: dict, step_executions: dict) -> dict:
    action = workflow_documents.ACTIONS[doc["action"]]
    timeout = doc.get("timeoutSeconds", action.default_timeout)
    record = {
        "stepExecutionId": f"step-{random_uuid()}", "workflowExecutionId": execution["workflowExecutionId"],
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


def _complete(ctx: RequestContext, image: dict, execution: dict, step: dict, when: str) -> None:
    outputs = step_outputs(ctx, image, step, _own_ami)
    step.update(status="COMPLETED", endTime=when)
    if outputs is not None:
        step["outputs"] = json.dumps(outputs)
        execution["_outputs"][step["name"]] = outputs


def fail_step(step: dict, when: str, message: str, outputs: dict | None = None) -> None:
    step.update(status="FAILED", endTime=when, message=message[:500])
    if outputs is not None:
        step["outputs"] = json.dumps(outputs)


def _timed_out(ctx: RequestContext, step: dict) -> bool:
    started = datetime.datetime.strptime(step["startTime"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return ctx.now() >= started + datetime.timedelta(seconds=step["_timeout"])


def _finish(ctx: RequestContext, image: dict, execution: dict, when: str) -> None:
    """The image left the stage: whatever the execution still had to do counts as done."""
    while _run(ctx, image, execution, when, finish=True) == "waiting":
        step = store_of(ctx, image).workflow_step_executions[execution["_current"]]
        step.update(status="COMPLETED", endTime=when)


def _stop_running(ctx: RequestContext, image: dict, status: str, reason: str | None, when: str) -> None:
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


on_transition.run = _on_run  # type: ignore[attr-defined]
gate.through = _gate_through  # type: ignore[attr-defined]

if on_transition not in lifecycle.listeners:
    lifecycle.listeners.append(on_transition)
if gate not in lifecycle.gates:
    lifecycle.gates.append(gate)
