"""What distribution writes besides AMIs: launch template versions, SSM parameters, S3 exports."""

from __future__ import annotations

import hashlib
from typing import Any

from .sessions import Clients


def _ami_of(image: dict[str, Any], region: str, account: str) -> str | None:
    for ami in (image.get("outputResources") or {}).get("amis") or []:
        if ami["region"] == region and ami["accountId"] == account:
            ami_id: str = ami["image"]
            return ami_id
    return None


def launch_templates(clients: Clients, image: dict[str, Any], entry: dict[str, Any], owner: str) -> None:
    """A new version of each launch template with the Region's AMI; the default when `setDefaultVersion`."""
    for config in entry.get("launchTemplateConfigurations") or []:
        account = config.get("accountId") or owner
        ami_id = _ami_of(image, entry["region"], account) or _ami_of(image, entry["region"], owner)
        if ami_id is None:
            continue
        ec2 = clients("ec2", account, entry["region"])
        template_id = config["launchTemplateId"]
        version = ec2.create_launch_template_version(
            LaunchTemplateId=template_id, SourceVersion="$Latest", LaunchTemplateData={"ImageId": ami_id},
            VersionDescription=f"Created by EC2 Image Builder for {image['arn']}",
        )["LaunchTemplateVersion"]["VersionNumber"]
        if config.get("setDefaultVersion"):
            ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion=str(version))


def ssm_parameters(clients: Clients, image: dict[str, Any], entry: dict[str, Any], owner: str) -> None:
    """Each `ssmParameterConfigurations` parameter holds the AMI id of its account in the Region."""
    for config in entry.get("ssmParameterConfigurations") or []:
        account = config.get("amiAccountId") or owner
        ami_id = _ami_of(image, entry["region"], account)
        if ami_id is None:
            continue
        clients("ssm", account, entry["region"]).put_parameter(
            Name=config["parameterName"], Value=ami_id, Type="String",
            DataType=config.get("dataType") or "aws:ec2:image", Overwrite=True)


def export_task_id(ami_id: str) -> str:
    """The VM Import/Export task id of an AMI's export (`export-ami-` and 17 hex digits)."""
    return "export-ami-" + hashlib.sha1(ami_id.encode()).hexdigest()[:17]


def export_key(export: dict[str, Any], ami_id: str) -> str:
    """Where VM Import/Export writes the disk image: `<s3Prefix><task id>.<format>`."""
    prefix = export.get("s3Prefix") or ""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return f"{prefix}{export_task_id(ami_id)}.{export['diskImageFormat'].lower()}"


def s3_export(clients: Clients, image: dict[str, Any], entry: dict[str, Any], owner: str) -> None:
    """The Region's AMI exported as a disk image object to the bucket (the owner's account)."""
    export: Any = entry.get("s3ExportConfiguration")  # a dict whenever ami_id is found
    ami_id = _ami_of(image, entry["region"], owner) if export else None
    if ami_id is None:
        return
    body = (f"imagebuilder-mock disk image of {ami_id} ({export['diskImageFormat']}), "
            f"exported for {image['arn']}\n").encode()
    clients("s3", owner, entry["region"]).put_object(
        Bucket=export["s3Bucket"], Key=export_key(export, ami_id), Body=body)


def distribute(clients: Clients, image: dict[str, Any]) -> None:
    owner = image["arn"].split(":")[4]
    for entry in (image.get("distributionConfiguration") or {}).get("distributions") or []:
        launch_templates(clients, image, entry, owner)
        ssm_parameters(clients, image, entry, owner)
        s3_export(clients, image, entry, owner)
