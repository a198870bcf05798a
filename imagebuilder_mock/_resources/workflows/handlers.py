"""Workflows: CreateWorkflow, GetWorkflow, ListWorkflows, ListWorkflowBuildVersions, DeleteWorkflow, and
`validate_workflow_configurations` for the images and pipelines that configure workflows."""

from __future__ import annotations

import re
from typing import Iterable, cast

from ..._backend import arns, versions
from ..._backend.context import RequestContext
from ..._backend.pagination import filtered
from ..._engine._errors import ServiceError, already_exists, dependency, invalid_value
from .._shared import catalog
from .. import operation
from . import documents as workflow_documents
from .._shared.common import field, list_response, lookup, own_tags, owned_items, pick, require_one, version_references
from .._shared import s3
from .._shared.lookup import resolve
from .._shared.types import Params, Resource, Result

_TYPE = "Workflow"
_S3_URI = re.compile(r"^s3://([^/]+)/(.+)$")
#: what makes two builds of one version "the same configuration" (tags excluded) — INFERRED
_CONTENT = ("data", "description", "changeDescription", "kmsKeyId")


def _read_uri(ctx: RequestContext, uri: str) -> str:
    """The document at an S3 URI: from the `s3_objects` setting, else moto's in-process S3 (`_shared/s3.py`);
    otherwise the service's error for an unreadable document."""
    if not _S3_URI.match(uri):
        raise invalid_value("uri", f"The URI '{uri}' is not valid. It must be an S3 URL (s3://bucket/key).")
    return s3.read_object(ctx, uri, "uri", f"The workflow document cannot be read from '{uri}'. Make sure the "
                                           "object exists and that you have permission to access it.")


@operation("CreateWorkflow")
def create_workflow(ctx: RequestContext, params: Params) -> Result:
    source = require_one(params, "data", "uri")
    wtype, version = params["type"], params["semanticVersion"]
    versions.parse(version)
    data = params["data"] if source == "data" else _read_uri(ctx, params["uri"])
    doc = workflow_documents.parse(data, wtype, source)
    version_arn = ctx.arn("workflow", params["name"], version, workflow_type=wtype)
    store = ctx.store
    item = pick("Workflow", params, exclude=("tags",))
    item.update(version=version, owner=ctx.account, data=data, parameters=workflow_documents.parameter_details(doc))
    builds = [w for w in store.workflows.values() if w["arn"].rsplit("/", 1)[0] == version_arn]
    if builds:
        latest = max(builds, key=lambda w: w["_build"])
        if all(latest.get(k) == item.get(k) for k in _CONTENT):
            raise already_exists(_TYPE, latest["arn"])
    ctx.check_dry_run(params)
    build = store.next_build(version_arn)
    arn = f"{version_arn}/{build}"
    store.workflows[arn] = dict(item, arn=arn, dateCreated=ctx.iso_now(), tags=own_tags(params),
                                _build=build)
    return {"workflowBuildVersionArn": arn, "latestVersionReferences": version_references(arn)}


@operation("GetWorkflow")
def get_workflow(ctx: RequestContext, params: Params) -> Result:
    item = resolve(ctx, params["workflowBuildVersionArn"], "workflow", "workflowBuildVersionArn")
    return {"workflow": item, "latestVersionReferences": version_references(item["arn"])}


def _version_entries(items: Iterable[Resource], by_name: bool) -> list[Resource]:
    """One WorkflowVersion per version (or per name with byName), from build-version resources."""
    groups: dict[str, list[Resource]] = {}
    for item in items:
        parsed = arns.parse(item["arn"])
        key = parsed._replace(version="x.x.x").version_arn if by_name else parsed.version_arn
        groups.setdefault(key, []).append(item)
    out = []
    for arn, builds in groups.items():
        # a group has one build or more, so there is a latest
        latest = cast(Resource, versions.latest(builds, lambda w: w["version"], lambda w: w["_build"]))
        entry = {"arn": arn, "name": latest["name"], "version": latest["version"], "type": latest["type"],
                 "owner": latest["owner"], "dateCreated": min(b["dateCreated"] for b in builds)}
        if latest.get("description"):
            entry["description"] = latest["description"]
        out.append(entry)
    return out


_LIST_FIELDS = {"name": field("name"), "version": field("version"), "description": field("description"),
                "type": field("type")}


@operation("ListWorkflows")
def list_workflows(ctx: RequestContext, params: Params) -> Result:
    owner = params.get("owner") or "Self"
    filters = params.get("filters") or []
    if params.get("byName") and any(f.get("name") == "version" for f in filters):
        raise ServiceError("InvalidRequestException",
                           "You can't combine byName with the version filter in a ListWorkflows request.")
    if owner in ("Shared", "ThirdParty"):
        raise invalid_value("owner", f"The owner '{owner}' is not supported for workflows. "
                                     "Supported values: [Self, Amazon, AWSMarketplace].")
    items = list(owned_items(ctx, "workflow", owner))  # AWSMarketplace: none
    # Filters apply to the versions; byName aggregates what is left.
    kept = list(filtered(_version_entries(items, False), filters, _LIST_FIELDS))
    if params.get("byName"):
        kept_versions = {(e["name"], e["type"], e["version"]) for e in kept}
        kept = _version_entries([i for i in items if (i["name"], i["type"], i["version"]) in kept_versions], True)
    return list_response(ctx, dict(params, filters=None), kept, {}, "workflowVersionList")


@operation("ListWorkflowBuildVersions")
def list_workflow_build_versions(ctx: RequestContext, params: Params) -> Result:
    version_arn = params.get("workflowVersionArn")
    if version_arn is None:
        items = list(ctx.store.workflows.values())
    else:
        parsed = arns.parse(version_arn, "workflowVersionArn")
        # the model's pattern of workflowVersionArn requires a version
        pattern = versions.parse(cast(str, parsed.version), "workflowVersionArn", wildcards=True)
        pool: Iterable[Resource]
        if parsed.account == "aws":
            pool = catalog.view(ctx).workflows(parsed.region).values()
        elif parsed.account == ctx.account and parsed.region == ctx.region:
            pool = ctx.store.workflows.values()
        else:
            pool = ()
        items = [w for w in pool
                 if (lambda a: a.name == parsed.name and a.workflow_type == parsed.workflow_type
                     and versions.matches(pattern, cast(str, a.version)))(arns.parse(w["arn"]))]
    # most recent first, and no `tags` member when there are none, as the AWS CLI's example shows (INFERRED
    # from that example: docs/service-behavior.md, "What the AWS CLI and the JS SDK found")
    items.sort(key=_newest_first)
    return list_response(ctx, params, items, {}, "workflowSummaryList", _build_summary)


def _newest_first(workflow: Resource) -> tuple[tuple[int, ...], int]:
    parsed = arns.parse(workflow["arn"])  # a workflow build's ARN: it has a version
    return (tuple(-part for part in versions.key(cast(str, parsed.version))), -int(parsed.build or 0))


def _build_summary(workflow: Resource) -> Resource:
    return workflow if workflow.get("tags") else {k: v for k, v in workflow.items() if k != "tags"}


def _referenced_by_pipeline(ctx: RequestContext, item: Resource) -> bool:
    """Whether an image pipeline names this build, or a version/wildcard ARN that resolves to it."""
    for pipeline in ctx.store.image_pipelines.values():
        for config in pipeline.get("workflows") or []:
            ref = config.get("workflowArn")
            if ref == item["arn"]:
                return True
            try:
                if ref and resolve(ctx, ref, "workflow", "workflowArn")["arn"] == item["arn"]:
                    return True
            except ServiceError:
                continue
    return False


@operation("DeleteWorkflow")
def delete_workflow(ctx: RequestContext, params: Params) -> Result:
    arn = params["workflowBuildVersionArn"]
    arns.parse(arn, "workflowBuildVersionArn")
    item = lookup(ctx.store.workflows, arn, _TYPE)
    if _referenced_by_pipeline(ctx, item):
        raise dependency(arn)
    del ctx.store.workflows[arn]
    ctx.store.policies.pop(arn, None)
    return {"workflowBuildVersionArn": arn}


# -- for images and pipelines ------------------------------------------------------------------
def validate_workflow_configurations(ctx: RequestContext, configs: list[Resource] | None,
                                     param: str = "workflows") -> None:
    """Check the WorkflowConfiguration list of a CreateImage / Create|UpdateImagePipeline request.

    Each workflowArn must exist and be visible (ResourceNotFoundException); AWS-managed workflows
    must be referenced with version `x.x.x`; parameters must be declared by the workflow document,
    typed correctly and complete; `parallelGroup` and `onFailure: CONTINUE` apply to TEST workflows only.
    """
    for index, config in enumerate(configs or []):
        where = f"{param}[{index}]"
        workflow = resolve_configured(ctx, config, f"{where}.workflowArn", param)
        workflow_documents.check_parameter_values(workflow.get("parameters") or [], config.get("parameters"),
                                                  f"{where}.parameters")
        if workflow["type"] != "TEST":
            if config.get("parallelGroup") is not None:
                raise invalid_value(f"{where}.parallelGroup", "A parallel group applies only to TEST workflows.")
            if config.get("onFailure") == "CONTINUE":
                raise invalid_value(f"{where}.onFailure", "onFailure CONTINUE applies only to TEST workflows.")


def resolve_configured(ctx: RequestContext, config: Resource, arn_param: str, param: str = "workflows") -> Resource:
    """The workflow build a WorkflowConfiguration names (latest match for version/wildcard ARNs)."""
    ref = config["workflowArn"]
    parsed = arns.parse(ref, arn_param)
    if parsed.account == "aws" and (parsed.version != "x.x.x" or parsed.build is not None):
        # CONFIRMED message (aws-cdk#29910), with the ARN in place of the service's unfilled placeholder.
        raise invalid_value(param, f"AWS managed workflows must have latest version 'x.x.x' for '{ref}'")
    return resolve(ctx, ref, "workflow", arn_param)
