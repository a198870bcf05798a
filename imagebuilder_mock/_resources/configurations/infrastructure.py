"""Infrastructure configurations: Create/Get/Update/List/Delete."""

from __future__ import annotations

from ..._backend.context import RequestContext
from ..._engine._errors import invalid_value
from .. import operation
from .._shared.common import delete_unused, field, list_response, new_arn, own, own_tags, pick
from .._shared.types import Params, Resource, Result

_ARN_TYPE = "infrastructure-configuration"
_PARAM = "infrastructureConfigurationArn"
_RESERVED_RESOURCE_TAGS = {"CreatedBy", "Ec2ImageBuilderArn", "Name", "Tags"}


def _validate(params: Params) -> None:
    if params.get("subnetId") and not params.get("securityGroupIds"):
        raise invalid_value("securityGroupIds", "You must specify securityGroupIds when you specify a subnetId.")
    for key in params.get("resourceTags") or {}:
        if key.startswith("aws:") or key in _RESERVED_RESOURCE_TAGS:
            raise invalid_value("resourceTags", f"The resource tag key '{key}' is reserved.")
    _validate_placement(params.get("placement"))


def _check_instance_profile(ctx: RequestContext, params: Params) -> None:
    """Under moto or with `aws_endpoint_url`: the instance profile must exist in IAM (_aws/refusals.py)."""
    from ..._aws.refusals import check_instance_profile

    check_instance_profile(ctx, params.get("instanceProfileName"))


def _validate_placement(placement: Resource | None) -> None:
    """A host target only with tenancy `host`, and at most one of them (MODEL Placement docs; code INFERRED)."""
    if not placement:
        return
    targets = [k for k in ("hostId", "hostResourceGroupArn") if placement.get(k)]
    if len(targets) > 1:
        raise invalid_value("placement", "You can specify either hostId or hostResourceGroupArn, but not both.")
    if targets and placement.get("tenancy") != "host":
        raise invalid_value(f"placement.{targets[0]}", f"{targets[0]} applies only when tenancy is 'host'.")


def _fill(params: Params, item: Resource) -> Resource:
    item.update(pick("InfrastructureConfiguration", params, exclude=("tags",)))
    item.setdefault("terminateInstanceOnFailure", True)
    item.setdefault("terminateInstanceOnCompletion", True)
    return item


@operation("CreateInfrastructureConfiguration")
def create_infrastructure_configuration(ctx: RequestContext, params: Params) -> Result:
    arn = new_arn(ctx, _ARN_TYPE, params["name"])
    _validate(params)
    _check_instance_profile(ctx, params)
    ctx.check_dry_run(params)
    item = _fill(params, {"arn": arn, "dateCreated": ctx.iso_now(), "tags": own_tags(params)})
    ctx.store.infrastructure_configurations[arn] = item
    return {_PARAM: arn}


@operation("UpdateInfrastructureConfiguration")
def update_infrastructure_configuration(ctx: RequestContext, params: Params) -> Result:
    arn, old = own(ctx, params, _PARAM, _ARN_TYPE)
    _validate(params)
    _check_instance_profile(ctx, params)
    # A full replacement: what the request omits is removed or reset to its default.
    new = {"arn": arn, "name": old["name"], "dateCreated": old["dateCreated"], "tags": old["tags"],
           "dateUpdated": ctx.iso_now()}
    ctx.store.infrastructure_configurations[arn] = _fill(dict(params, name=old["name"]), new)
    return {_PARAM: arn}


@operation("GetInfrastructureConfiguration")
def get_infrastructure_configuration(ctx: RequestContext, params: Params) -> Result:
    return {"infrastructureConfiguration": own(ctx, params, _PARAM, _ARN_TYPE)[1]}


@operation("ListInfrastructureConfigurations")
def list_infrastructure_configurations(ctx: RequestContext, params: Params) -> Result:
    return list_response(ctx, params, ctx.store.infrastructure_configurations.values(), {"name": field("name")},
                         "infrastructureConfigurationSummaryList")


@operation("DeleteInfrastructureConfiguration")
def delete_infrastructure_configuration(ctx: RequestContext, params: Params) -> Result:
    return delete_unused(ctx, params, _PARAM, _ARN_TYPE)
