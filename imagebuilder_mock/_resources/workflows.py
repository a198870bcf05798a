"""Workflows: CreateWorkflow, GetWorkflow, ListWorkflows, ListWorkflowBuildVersions, DeleteWorkflow, and
`validate_workflow_configurations` for the images and pipelines that configure workflows."""

from __future__ import annotations

import re

from .._backend import arns, versions
from .._backend.context import RequestContext
from .._backend.pagination import filtered
from .._engine._errors import ServiceError, already_exists, dependency, invalid_value, not_found
from . import catalog, operation, workflow_documents
from ._common import field, list_response, require_one
from ._lookup import resolve

_TYPE = "Workflow"
_S3_URI = re.compile(r"^s3://([^/]+)/(.+)$")
#: what makes two builds of one version "the same configuration" (tags excluded) — INFERRED
_CONTENT = ("data", "description", "changeDescription", "kmsKeyId")


def _references(parsed: arns.Arn, version: str) -> dict:
    return versions.references(
        lambda v: arns.make(parsed.partition, parsed.region, parsed.account, "workflow", parsed.name, v, None,
                            parsed.workflow_type), version)


def _read_uri(ctx: RequestContext, uri: str) -> str:
    """The document at an S3 URI, read from moto's in-process S3 when a test uses moto (the mock never
    touches the network); otherwise the service's error for an unreadable document."""
    match = _S3_URI.match(uri)
    if not match:
        raise invalid_value("uri", f"The URI '{uri}' is not valid. It must be an S3 URL (s3://bucket/key).")
    try:
        from moto.s3.models import s3_backends

        key = s3_backends[ctx.account][ctx.partition].get_object(match.group(1), match.group(2))
    except Exception:  # moto absent, bucket or key missing
        key = None
    if key is None:
        raise invalid_value("uri", f"The workflow document cannot be read from '{uri}'. Make sure the object exists "
                                   "and that you have permission to access it.")
    return key.value.decode("utf-8")


@operation("CreateWorkflow")
def create(ctx: RequestContext, params: dict) -> dict:
    source = require_one(params, "data", "uri")
    wtype = params["type"]
    versions.parse(params["semanticVersion"])
    data = params["data"] if source == "data" else _read_uri(ctx, params["uri"])
    doc = workflow_documents.parse(data, wtype, source)
    version_arn = ctx.arn("workflow", params["name"], params["semanticVersion"], workflow_type=wtype)
    store = ctx.store
    item = {"name": params["name"], "version": params["semanticVersion"], "type": wtype, "owner": ctx.account,
            "data": data, "parameters": workflow_documents.parameter_details(doc)}
    for key in ("description", "changeDescription", "kmsKeyId"):
        if params.get(key) is not None:
            item[key] = params[key]
    builds = [w for w in store.workflows.values() if w["_version_arn"] == version_arn]
    if builds:
        latest = max(builds, key=lambda w: w["_build"])
        if all(latest.get(k) == item.get(k) for k in _CONTENT):
            raise already_exists(_TYPE, latest["arn"])
    ctx.check_dry_run(params)
    build = store.next_build(version_arn)
    arn = f"{version_arn}/{build}"
    item.update(arn=arn, dateCreated=ctx.iso_now(), tags=dict(params.get("tags") or {}), _build=build,
                _version_arn=version_arn)
    store.workflows[arn] = {"arn": arn, **item}
    return {"workflowBuildVersionArn": arn,
            "latestVersionReferences": _references(arns.parse(arn), params["semanticVersion"])}


@operation("GetWorkflow")
def get(ctx: RequestContext, params: dict) -> dict:
    item = resolve(ctx, params["workflowBuildVersionArn"], "workflow", "workflowBuildVersionArn")
    parsed = arns.parse(item["arn"])
    return {"workflow": item, "latestVersionReferences": _references(parsed, item["version"])}


def _version_entries(items, by_name: bool) -> list[dict]:
    """One WorkflowVersion per version (or per name with byName), from build-version resources."""
    groups: dict[str, list[dict]] = {}
    for item in items:
        parsed = arns.parse(item["arn"])
        key = arns.make(parsed.partition, parsed.region, parsed.account, "workflow", parsed.name,
                        "x.x.x" if by_name else parsed.version, None, parsed.workflow_type)
        groups.setdefault(key, []).append(item)
    out = []
    for arn, builds in groups.items():
        latest = versions.latest(builds, lambda w: w["version"], lambda w: w["_build"])
        entry = {"arn": arn, "name": latest["name"], "version": latest["version"], "type": latest["type"],
                 "owner": latest["owner"], "dateCreated": min(b["dateCreated"] for b in builds)}
        if latest.get("description"):
            entry["description"] = latest["description"]
        out.append(entry)
    return out


_LIST_FIELDS = {"name": field("name"), "version": field("version"), "description": field("description"),
                "type": field("type")}


@operation("ListWorkflows")
def list_(ctx: RequestContext, params: dict) -> dict:
    owner = params.get("owner") or "Self"
    filters = params.get("filters") or []
    if params.get("byName") and any(f.get("name") == "version" for f in filters):
        raise ServiceError("InvalidRequestException",
                           "You can't combine byName with the version filter in a ListWorkflows request.")
    if owner in ("Shared", "ThirdParty"):
        raise invalid_value("owner", f"The owner '{owner}' is not supported for workflows. "
                                     "Supported values: [Self, Amazon, AWSMarketplace].")
    if owner == "Self":
        items = list(ctx.store.workflows.values())
    elif owner == "Amazon":
        items = list(catalog.workflows(ctx.region).values())
    else:  # AWSMarketplace: no workflows
        items = []
    # Filters apply to the versions; byName aggregates what is left.
    kept = list(filtered(_version_entries(items, False), filters, _LIST_FIELDS))
    if params.get("byName"):
        kept_versions = {(e["name"], e["type"], e["version"]) for e in kept}
        kept = _version_entries([i for i in items if (i["name"], i["type"], i["version"]) in kept_versions], True)
    return list_response(ctx, dict(params, filters=None), kept, {}, "workflowVersionList")


@operation("ListWorkflowBuildVersions")
def list_builds(ctx: RequestContext, params: dict) -> dict:
    version_arn = params.get("workflowVersionArn")
    if version_arn is None:
        items = list(ctx.store.workflows.values())
    else:
        parsed = arns.parse(version_arn, "workflowVersionArn")
        pattern = versions.parse(parsed.version, "workflowVersionArn", wildcards=True)
        if parsed.account == "aws":
            pool = catalog.workflows(parsed.region).values()
        elif parsed.account == ctx.account and parsed.region == ctx.region:
            pool = ctx.store.workflows.values()
        else:
            pool = ()
        items = [w for w in pool
                 if (lambda a: a.name == parsed.name and a.workflow_type == parsed.workflow_type
                     and versions.matches(pattern, a.version))(arns.parse(w["arn"]))]
    return list_response(ctx, params, items, {}, "workflowSummaryList")


def _referenced_by_pipeline(ctx: RequestContext, item: dict) -> bool:
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
def delete(ctx: RequestContext, params: dict) -> dict:
    arn = params["workflowBuildVersionArn"]
    arns.parse(arn, "workflowBuildVersionArn")
    item = ctx.store.workflows.get(arn)
    if item is None:
        raise not_found(_TYPE, arn)
    if _referenced_by_pipeline(ctx, item):
        raise dependency(arn)
    del ctx.store.workflows[arn]
    ctx.store.policies.pop(arn, None)
    return {"workflowBuildVersionArn": arn}


# -- for images and pipelines ------------------------------------------------------------------
def validate_workflow_configurations(ctx: RequestContext, configs: list[dict] | None, param: str = "workflows") -> None:
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


def resolve_configured(ctx: RequestContext, config: dict, arn_param: str, param: str = "workflows") -> dict:
    """The workflow build a WorkflowConfiguration names (latest match for version/wildcard ARNs)."""
    ref = config["workflowArn"]
    parsed = arns.parse(ref, arn_param)
    if parsed.account == "aws" and (parsed.version != "x.x.x" or parsed.build is not None):
        # CONFIRMED message (aws-cdk#29910), with the ARN in place of the service's unfilled placeholder.
        raise invalid_value(param, f"AWS managed workflows must have latest version 'x.x.x' for '{ref}'")
    return resolve(ctx, ref, "workflow", arn_param)
