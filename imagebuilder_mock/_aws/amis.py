"""AMIs in EC2: the build Region's AMI when BUILDING ends, one per distribution Region and target
account when DISTRIBUTING ends, with the distribution's name, description, `amiTags`, the recipe's
block device mappings and `launchPermission` (docs/aws-integration.md)."""

from __future__ import annotations

from typing import Any

from .sessions import Clients

#: The root device of an AMI whose recipe names none (Amazon Linux's).
DEFAULT_ROOT_DEVICE = "/dev/xvda"
_ARCHITECTURES = {"x86": "x86_64", "x86_64": "x86_64", "arm64": "arm64", "arm": "arm64"}


def _block_device_mappings(recipe: dict[str, Any]) -> list[dict[str, Any]]:
    """The recipe's block device mappings in EC2's shape (EBS volumes; `noDevice`; instance stores)."""
    out = []
    for mapping in recipe.get("blockDeviceMappings") or []:
        entry: dict[str, Any] = {"DeviceName": mapping.get("deviceName") or DEFAULT_ROOT_DEVICE}
        ebs = mapping.get("ebs")
        if ebs:
            entry["Ebs"] = {key: ebs[member] for member, key in (
                ("volumeSize", "VolumeSize"), ("volumeType", "VolumeType"), ("deleteOnTermination",
                 "DeleteOnTermination"), ("encrypted", "Encrypted"), ("kmsKeyId", "KmsKeyId"),
                ("snapshotId", "SnapshotId"), ("iops", "Iops"), ("throughput", "Throughput")) if ebs.get(member)
                is not None}
            entry["Ebs"].setdefault("VolumeSize", 8)
        if mapping.get("virtualName"):
            entry["VirtualName"] = mapping["virtualName"]
        if mapping.get("noDevice") is not None:
            entry["NoDevice"] = ""
        out.append(entry)
    return out or [{"DeviceName": DEFAULT_ROOT_DEVICE, "Ebs": {"VolumeSize": 8, "DeleteOnTermination": True}}]


def _architecture(image: dict[str, Any]) -> str:
    recipe = image.get("imageRecipe") or {}
    parent = recipe.get("parentImage") or ""
    for word, architecture in _ARCHITECTURES.items():
        if f"-{word}/" in parent or parent.endswith(f"-{word}"):
            return architecture
    return "x86_64"


def register(clients: Clients, image: dict[str, Any], ami: dict[str, Any], settings: dict[str, Any]) -> str:
    """Register `ami` (an `outputResources.amis` entry: region, accountId, name, description) in EC2 as
    its account; tag it with `amiTags` and grant `launchPermission`. The new AMI's id."""
    recipe = image.get("imageRecipe") or {}
    mappings = _block_device_mappings(recipe)
    ec2 = clients("ec2", ami["accountId"], ami["region"])
    request = {"Name": ami["name"], "Architecture": _architecture(image), "VirtualizationType": "hvm",
               "RootDeviceName": mappings[0]["DeviceName"], "BlockDeviceMappings": mappings,
               "EnaSupport": True}
    if ami.get("description"):
        request["Description"] = ami["description"]
    ami_id: str = ec2.register_image(**request)["ImageId"]
    tags = dict(settings.get("amiTags") or {})
    tags.setdefault("CreatedBy", "EC2 Image Builder")
    tags.setdefault("Ec2ImageBuilderArn", image["arn"])
    ec2.create_tags(Resources=[ami_id], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    permission = settings.get("launchPermission") or {}
    grants = ([{"UserId": user} for user in permission.get("userIds") or []]
              + [{"Group": group} for group in permission.get("userGroups") or []]
              + [{"OrganizationArn": arn} for arn in permission.get("organizationArns") or []]
              + [{"OrganizationalUnitArn": arn} for arn in permission.get("organizationalUnitArns") or []])
    if grants:
        ec2.modify_image_attribute(ImageId=ami_id, LaunchPermission={"Add": grants})
    return ami_id


def settings_for(image: dict[str, Any], region: str, account: str) -> dict[str, Any]:
    """The amiDistributionConfiguration that made the AMI of (`region`, `account`) ({} for none)."""
    owner = image["arn"].split(":")[4]
    for entry in (image.get("distributionConfiguration") or {}).get("distributions") or []:
        settings = entry.get("amiDistributionConfiguration") or {}
        if entry["region"] == region and account in (settings.get("targetAccountIds") or [owner]):
            return settings
    return {}


def register_all(clients: Clients, image: dict[str, Any], registered: dict[tuple[str, str], str]) -> None:
    """Register every AMI of `outputResources.amis` not registered yet; `registered` maps (region, account)
    to the EC2 id of each AMI registered so far, and each entry's `image` becomes that id."""
    for ami in (image.get("outputResources") or {}).get("amis") or []:
        key = (ami["region"], ami["accountId"])
        if key not in registered:
            registered[key] = register(clients, image, ami, settings_for(image, *key))
        ami["image"] = registered[key]


def snapshots_of(clients: Clients, ami: dict[str, Any]) -> list[str]:
    """The EBS snapshot ids behind an AMI (as EC2 describes it; none when it is gone)."""
    ec2 = clients("ec2", ami["accountId"], ami["region"])
    images = ec2.describe_images(Filters=[{"Name": "image-id", "Values": [ami["image"]]}])["Images"]
    return [m["Ebs"]["SnapshotId"] for image in images for m in image.get("BlockDeviceMappings") or []
            if (m.get("Ebs") or {}).get("SnapshotId")]
