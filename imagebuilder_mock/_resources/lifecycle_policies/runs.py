"""Running lifecycle executions: policy runs, scheduled state updates, cancellation, and the schedule.

The service runs each enabled policy once a day on its own schedule. The mock follows the simulated
clock lazily: a hook (installed once per backend) runs before every request and starts each enabled
policy whose next run time has passed, completes scheduled state updates that are due, and finishes
cancellations. `MockImageBuilder.run_lifecycle_policies()` runs the enabled policies on demand.

An execution record is a dict of LifecycleExecution members plus private keys:
`_subject` (policy ARN, or image ARN for StartResourceStateUpdate), `_resources` (top-level
LifecycleExecutionResource dicts, each with `_children`: its AMIs or container images),
`_due`/`_apply` (scheduled state updates).
"""

from __future__ import annotations

import datetime
from typing import Iterator

from ... import _lifecycle as lifecycle
from ..._backend.context import RequestContext
from ..._backend.store import Backend
from . import rules
from .._shared.types import Params, Resource

IN_FLIGHT = frozenset({"IN_PROGRESS", "PENDING"})
#: The service runs enabled policies once a day at a time it chooses; the mock: every 24 hours
#: from the policy's creation.
RUN_INTERVAL = datetime.timedelta(days=1)


# -- records ---------------------------------------------------------------------------------
def new_execution(ctx: RequestContext, subject: str, policy_arn: str | None = None) -> Resource:
    now = ctx.now()
    execution = {"lifecycleExecutionId": f"lce-{ctx.backend.new_uuid()}", "state": {"status": "IN_PROGRESS"},
                 "startTime": now, "resourcesImpactedSummary": {"hasImpactedResources": False},
                 "_subject": subject, "_resources": []}
    if policy_arn:
        execution["lifecyclePolicyArn"] = policy_arn
    ctx.store.lifecycle_executions[execution["lifecycleExecutionId"]] = execution
    return execution


def finish(execution: Resource, status: str, at: datetime.datetime, reason: str | None = None) -> None:
    execution["state"] = {"status": status, **({"reason": reason} if reason else {})}
    execution["endTime"] = at
    execution["resourcesImpactedSummary"] = {
        "hasImpactedResources": any(r["state"]["status"] != "SKIPPED" for r in execution["_resources"])}


def resource_record(ctx: RequestContext, resource_id: str, action: str, reason: str, status: str,
                    at: datetime.datetime, region: str | None = None, account: str | None = None) -> Resource:
    record = {"accountId": account or ctx.account, "resourceId": resource_id, "region": region or ctx.region,
              "action": {"name": action, "reason": reason}, "state": {"status": status},
              "startTime": at, "_children": []}
    if status != "IN_PROGRESS":
        record["endTime"] = at
    return record


def set_state(record: Resource, status: str, at: datetime.datetime, reason: str | None = None) -> None:
    record["state"] = {"status": status, **({"reason": reason} if reason else {})}
    record["endTime"] = at
    for child in record["_children"]:
        if child["state"]["status"] == "IN_PROGRESS":
            set_state(child, status, at, reason)


# -- acting on images ------------------------------------------------------------------------
def set_image_status(ctx: RequestContext, image: Resource, status: str) -> None:
    """Move an image to `status` through the lifecycle graph (nothing to do when it is there already)."""
    if image["state"]["status"] != status:
        lifecycle.transition(ctx, image, status)


def underlying(ctx: RequestContext, image: Resource, action: str, include: Resource, exclusions: Resource | None,
               at: datetime.datetime, status: str = "SUCCESS") -> list[Resource]:
    """Records for the image's distributed AMIs (with snapshots) or container images that `include` names."""
    outputs = image.get("outputResources") or {}
    children = []
    if include.get("amis"):
        for ami in outputs.get("amis") or []:
            why = rules.ami_exclusion(exclusions, image, ami)
            record = resource_record(ctx, ami.get("image", ""), action, why or f"The {action} action applies to the "
                                     "AMI.", "SKIPPED" if why else status, at, ami.get("region"), ami.get("accountId"))
            if include.get("snapshots") and ami.get("image"):
                record["snapshots"] = [{"snapshotId": rules.snapshot_id(ami["image"]),
                                        "state": dict(record["state"])}]
            children.append(record)
    if include.get("containers"):
        for container in outputs.get("containers") or []:
            uris = container.get("imageUris") or []
            if uris:
                record = resource_record(ctx, uris[0], action, f"The {action} action applies to the container "
                                         "image.", status, at, container.get("region"))
                record["imageUris"] = list(uris)
                children.append(record)
    return children


# -- policy runs -----------------------------------------------------------------------------
def run_policy(ctx: RequestContext, policy: Resource) -> Resource:
    """One execution of `policy` against the account's images in its region, completed at once."""
    now = ctx.now()
    execution = new_execution(ctx, policy["arn"], policy["arn"])
    images = []
    for image in list(ctx.store.images.values()):
        lifecycle.settle(ctx, image, poll=False)
        if rules.selects(policy, image):
            images.append(image)
    details = sorted(policy["policyDetails"], key=lambda d: rules.SEVERITY.index(d["action"]["type"]))
    matches = [(detail, rules.filter_matches(detail, images, now)) for detail in details]
    for image in images:
        _apply_rules(ctx, execution, image, matches, now)
    finish(execution, "SUCCESS", now)
    policy["dateLastRun"] = now
    return execution


def _apply_rules(ctx: RequestContext, execution: Resource, image: Resource,
                 matches: list[tuple[Resource, dict[str, str]]], now: datetime.datetime) -> None:
    skipped = None
    for detail, picked in matches:
        action = detail["action"]["type"]
        reason = picked.get(image["arn"])
        if reason is None or image["state"]["status"] not in rules.ACTIONABLE[action]:
            continue
        if rules.excluded_by_tags(detail, image):
            skipped = skipped or resource_record(ctx, image["arn"], action, "The image has a tag that the rule's "
                                                 "exclusion rules exclude.", "SKIPPED", now)
            continue
        include = detail["action"].get("includeResources") or {}
        record = resource_record(ctx, image["arn"], action, reason, "SUCCESS", now)
        record["_children"] = underlying(ctx, image, action, include,
                                         (detail.get("exclusionRules") or {}).get("amis"), now)
        if action == "DELETE" and any(c["state"]["status"] == "SKIPPED" for c in record["_children"]):
            record["state"] = {"status": "SKIPPED", "reason": "An underlying AMI was excluded, so the image is kept."}
        else:
            act_on_image(ctx, image, rules.TARGET_STATUS[action], execution["lifecycleExecutionId"], now,
                         targets=record["_children"])
        execution["_resources"].append(record)
        return
    if skipped is not None:
        execution["_resources"].append(skipped)


def act_on_image(ctx: RequestContext, image: Resource, status: str, execution_id: str | None,
                 at: datetime.datetime, deprecation_time: datetime.datetime | None = None,
                 targets: list[Resource] | None = None) -> None:
    """Move `image` to `status`; `targets` are the execution's records of its AMIs / container images,
    which the lifecycle hooks that act in other services (_aws/policies.py) read as `_lifecycle_targets`."""
    image["_lifecycle_targets"] = targets or []
    try:
        set_image_status(ctx, image, status)
    finally:
        image.pop("_lifecycle_targets", None)
    if status == "DEPRECATED":
        image["deprecationTime"] = deprecation_time or at
    elif status == "AVAILABLE":
        image.pop("deprecationTime", None)
    if execution_id:
        image["lifecycleExecutionId"] = execution_id


# -- the schedule ----------------------------------------------------------------------------
def settle_store(ctx: RequestContext) -> None:
    """Bring the store's executions up to the clock: due scheduled updates, finished cancellations."""
    now = ctx.now()
    for execution in list(ctx.store.lifecycle_executions.values()):
        status = execution["state"]["status"]
        if status == "CANCELLING":
            for record in execution["_resources"]:
                if record["state"]["status"] == "IN_PROGRESS":
                    set_state(record, "SKIPPED", now, "The lifecycle execution was cancelled.")
            finish(execution, "CANCELLED", now, execution["state"].get("reason"))
        elif status in IN_FLIGHT and execution.get("_due") is not None and execution["_due"] <= now:
            _complete_scheduled(ctx, execution)


def _complete_scheduled(ctx: RequestContext, execution: Resource) -> None:
    due, target = execution.pop("_due"), execution.pop("_apply")
    image = ctx.store.images.get(execution["_subject"])
    record = execution["_resources"][0]
    if image is None or image["state"]["status"] not in ("AVAILABLE", "DISABLED", "DEPRECATED"):
        reason = "The image no longer exists or is no longer in a state that can be deprecated."
        set_state(record, "FAILED", due, reason)
        finish(execution, "FAILED", due, reason)
        return
    act_on_image(ctx, image, target, execution["lifecycleExecutionId"], due, due, targets=record["_children"])
    set_state(record, "SUCCESS", due)
    finish(execution, "SUCCESS", due)


def cancel(execution: Resource, reason: str | None = None) -> None:
    """Cancellation is asynchronous: CANCELLING now, CANCELLED when the store next settles."""
    execution["state"] = {"status": "CANCELLING", **({"reason": reason} if reason else {})}
    execution.pop("_due", None)
    execution.pop("_apply", None)


def cancel_running(ctx: RequestContext, policy_arn: str, reason: str) -> None:
    for execution in ctx.store.lifecycle_executions.values():
        if execution.get("lifecyclePolicyArn") == policy_arn and execution["state"]["status"] in IN_FLIGHT:
            cancel(execution, reason)


def _contexts(backend: Backend, account: str | None = None, region: str | None = None) -> Iterator[RequestContext]:
    for (acct, reg), store in list(backend.stores.items()):
        if (account and acct != account) or (region and reg != region):
            continue
        if store.lifecycle_policies or store.lifecycle_executions:
            yield RequestContext(backend, acct, reg, "LifecycleSchedule", backend.new_uuid())


def catch_up(backend: Backend) -> None:
    """Run what the schedule owes at the simulated clock's current time."""
    with backend.lock:
        wake = None
        for ctx in _contexts(backend):
            settle_store(ctx)
            now = ctx.now()
            for policy in list(ctx.store.lifecycle_policies.values()):
                due = policy.get("_next_run")
                if policy["status"] != "ENABLED" or due is None:
                    continue
                if due <= now:
                    run_policy(ctx, policy)
                    missed = (now - due) // RUN_INTERVAL + 1  # one run catches up every missed day
                    due = policy["_next_run"] = due + missed * RUN_INTERVAL
                wake = due if wake is None else min(wake, due)
            for execution in ctx.store.lifecycle_executions.values():
                due = execution.get("_due")
                if due is not None and execution["state"]["status"] in IN_FLIGHT:
                    wake = due if wake is None else min(wake, due)
        backend.extensions[_WAKE] = wake


#: backend.extensions key: when the hook must next look at the stores (None: not until something
#: changes). Recomputed by every catch-up; any request that may change policies or executions (every
#: operation but Get*/List*) makes the next request look (`_SOON`). So a request with nothing due costs
#: one comparison, however many policies and executions there are.
_WAKE = "lifecycle.wake"
_SOON = "soon"


def run_policies(backend: Backend, account: str | None = None, region: str | None = None) -> list[str]:
    """Run every enabled policy now (optionally of one account/region); the new execution ids."""
    ids = []
    with backend.lock:
        for ctx in _contexts(backend, account, region):
            settle_store(ctx)
            for policy in list(ctx.store.lifecycle_policies.values()):
                if policy["status"] == "ENABLED":
                    ids.append(run_policy(ctx, policy)["lifecycleExecutionId"])
    return ids


def _hook(ctx: RequestContext, params: Params) -> None:
    backend = ctx.backend
    wake = backend.extensions.get(_WAKE, _SOON)
    if wake is _SOON or (wake is not None and wake <= backend.clock.now()):
        catch_up(backend)
    if not ctx.operation.startswith(("Get", "List")):
        backend.extensions[_WAKE] = _SOON  # it may create, change or cancel what is due: look next time


def install_schedule(backend: Backend) -> None:
    """Follow the simulated clock from now on (idempotent per backend; survives reset())."""
    backend.extensions[_WAKE] = _SOON
    if _hook not in backend.hooks:
        backend.hooks.append(_hook)
