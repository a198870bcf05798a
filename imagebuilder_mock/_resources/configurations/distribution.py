"""Distribution configurations: Create/Get/Update/List/Delete. ARN `distribution-configuration/<name>`."""

from __future__ import annotations

import re

from ..._backend.context import RequestContext
from ..._engine._errors import invalid_combination, invalid_value
from .. import operation
from .._shared.common import delete_unused, field, list_response, new_arn, own, own_tags, pick
from .._shared.types import Params, Resource, Result

_ARN_TYPE = "distribution-configuration"
_PARAM = "distributionConfigurationArn"
#: "A property that Image Builder doesn't use. You can't set this property" — always 720 (APIREF example).
TIMEOUT_MINUTES = 720
#: Every member of a Distribution other than `region` is an output.
_OUTPUTS = ("amiDistributionConfiguration", "containerDistributionConfiguration", "licenseConfigurationArns",
            "launchTemplateConfigurations", "s3ExportConfiguration", "fastLaunchConfigurations",
            "ssmParameterConfigurations")
_BUILD_DATE = re.compile(r"\{\{\s*imagebuilder:buildDate\s*\}\}")
_REGION = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$")


def _check_ami(path: str, ami: Resource) -> None:
    name = ami.get("name")
    if name is not None and not _BUILD_DATE.search(name):
        raise invalid_value(f"{path}.name", "The EC2 AMI name must contain '{{ imagebuilder:buildDate }}' to "
                                            "ensure that the name will be unique.")
    groups = (ami.get("launchPermission") or {}).get("userGroups")
    for index, group in enumerate(groups or []):
        if group != "all":
            raise invalid_value(f"{path}.launchPermission.userGroups[{index}]",
                                "The only supported user group is 'all'.")


def _check_launch_templates(path: str, configs: list[Resource], account: str) -> None:
    seen: set[str] = set()
    for index, config in enumerate(configs):
        target = config.get("accountId") or account
        if target in seen:
            raise invalid_value(f"{path}[{index}].accountId",
                                f"Only one launch template configuration is allowed per account, and account "
                                f"'{target}' appears more than once.")
        seen.add(target)


def _check_fast_launch(path: str, configs: list[Resource]) -> None:
    for index, config in enumerate(configs):
        template = config.get("launchTemplate") or {}
        if template.get("launchTemplateId") and template.get("launchTemplateName"):
            raise invalid_combination(f"{path}[{index}].launchTemplate",
                                      "You can specify either launchTemplateName or launchTemplateId, but not both.")


def _check_ssm_parameters(path: str, configs: list[Resource], ami: Resource | None, account: str) -> None:
    targets = set((ami or {}).get("targetAccountIds") or []) | {account}
    names: set[tuple[str, str]] = set()
    for index, config in enumerate(configs):
        owner = config.get("amiAccountId")
        if owner is not None and owner not in targets:
            raise invalid_value(f"{path}[{index}].amiAccountId",
                                f"The account '{owner}' must be a target account of the AMI distribution "
                                "in this Region.")
        key = (owner or account, config["parameterName"])
        if key in names:
            raise invalid_value(f"{path}[{index}].parameterName",
                                f"The parameter '{config['parameterName']}' appears more than once.")
        names.add(key)


def _validate(ctx: RequestContext, distributions: list[Resource]) -> None:
    if not distributions:
        raise invalid_value("distributions", "At least one distribution must be provided.")
    regions: set[str] = set()
    for index, dist in enumerate(distributions):
        path = f"distributions[{index}]"
        region = dist["region"]
        if not _REGION.match(region):
            raise invalid_value(f"{path}.region", f"The Region '{region}' is not a valid AWS Region.")
        if region in regions:
            raise invalid_value(f"{path}.region", f"The Region '{region}' appears more than once. A Region can "
                                                  "appear at most once in a distribution configuration.")
        regions.add(region)
        if not any(dist.get(output) is not None for output in _OUTPUTS):
            raise invalid_value(path, "One or more outputs should be provided for each region in a distribution "
                                      "configuration.")
        if dist.get("amiDistributionConfiguration") is not None:
            _check_ami(f"{path}.amiDistributionConfiguration", dist["amiDistributionConfiguration"])
        if dist.get("launchTemplateConfigurations"):
            _check_launch_templates(f"{path}.launchTemplateConfigurations", dist["launchTemplateConfigurations"],
                                    ctx.account)
        if dist.get("fastLaunchConfigurations"):
            _check_fast_launch(f"{path}.fastLaunchConfigurations", dist["fastLaunchConfigurations"])
        if dist.get("ssmParameterConfigurations"):
            _check_ssm_parameters(f"{path}.ssmParameterConfigurations", dist["ssmParameterConfigurations"],
                                  dist.get("amiDistributionConfiguration"), ctx.account)


def _summary(item: Resource) -> Resource:
    return dict(item, regions=[d["region"] for d in item["distributions"]])


@operation("CreateDistributionConfiguration")
def create_distribution_configuration(ctx: RequestContext, params: Params) -> Result:
    arn = new_arn(ctx, _ARN_TYPE, params["name"])
    _validate(ctx, params["distributions"])
    ctx.check_dry_run(params)
    item = pick("DistributionConfiguration", params, exclude=("tags",))
    item.update({"arn": arn, "timeoutMinutes": TIMEOUT_MINUTES, "dateCreated": ctx.iso_now(),
                 "tags": own_tags(params)})
    ctx.store.distribution_configurations[arn] = item
    return {_PARAM: arn}


@operation("UpdateDistributionConfiguration")
def update_distribution_configuration(ctx: RequestContext, params: Params) -> Result:
    arn, old = own(ctx, params, _PARAM, _ARN_TYPE)
    _validate(ctx, params["distributions"])
    # A full replacement: what the request omits (description) is removed.
    new = pick("DistributionConfiguration", params)
    new.update({"arn": arn, "name": old["name"], "timeoutMinutes": TIMEOUT_MINUTES, "dateCreated": old["dateCreated"],
                "dateUpdated": ctx.iso_now(), "tags": old["tags"]})
    ctx.store.distribution_configurations[arn] = new
    return {_PARAM: arn}


@operation("GetDistributionConfiguration")
def get_distribution_configuration(ctx: RequestContext, params: Params) -> Result:
    return {"distributionConfiguration": own(ctx, params, _PARAM, _ARN_TYPE)[1]}


@operation("ListDistributionConfigurations")
def list_distribution_configurations(ctx: RequestContext, params: Params) -> Result:
    return list_response(ctx, params, ctx.store.distribution_configurations.values(), {"name": field("name")},
                         "distributionConfigurationSummaryList", _summary)


@operation("DeleteDistributionConfiguration")
def delete_distribution_configuration(ctx: RequestContext, params: Params) -> Result:
    return delete_unused(ctx, params, _PARAM, _ARN_TYPE)
