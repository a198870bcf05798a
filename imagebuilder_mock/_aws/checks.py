"""What the service checks against other services before a build goes far, each failing the build with
a reason (docs/service-behavior.md, "Builds in other AWS services"): the infrastructure configuration's
instance profile, subnet, security groups and SNS topic, the KMS keys of the recipe and distribution, a
parent image given as an AMI id; before distributing: launch templates, the export bucket, ECR repositories."""

from __future__ import annotations

from typing import Any, Callable

from botocore.exceptions import ClientError

from .sessions import Clients


def _missing(call: Callable[[], object], *codes: str) -> str | None:
    """Run `call`; the error message when it fails with one of `codes` (the resource does not exist)."""
    try:
        call()
    except ClientError as error:
        detail = error.response.get("Error") or {}
        if not codes or detail.get("Code") in codes or "NotFound" in (detail.get("Code") or ""):
            return detail.get("Message") or detail.get("Code") or "not found"
        raise
    return None


def _found(response: dict[str, Any], member: str, code: str, message: str) -> dict[str, Any]:
    """`response`, or the service's NotFound error when its `member` list is empty (an endpoint, moto
    among them, may answer a look-up of a missing id with an empty list)."""
    if not response.get(member):
        raise ClientError({"Error": {"Code": code, "Message": message}}, "Describe")
    return response


def _where(image: dict[str, Any]) -> tuple[str, str]:
    _, _, _, region, account, _ = image["arn"].split(":", 5)
    return region, account


def before_build(clients: Clients, image: dict[str, Any]) -> str | None:
    """The reason the build fails at its start, or None: every dependency it names exists."""
    region, account = _where(image)
    infra = image.get("infrastructureConfiguration") or {}
    profile = infra.get("instanceProfileName")
    if profile:
        iam = clients("iam", account, region)
        if _missing(lambda: iam.get_instance_profile(InstanceProfileName=profile), "NoSuchEntity"):
            return (f"The value supplied for parameter 'instanceProfileName' is not valid. The instance profile "
                    f"does not exist: '{profile}'.")
    ec2 = clients("ec2", account, region)
    subnet = infra.get("subnetId")
    if subnet:
        why = _missing(lambda: ec2.describe_subnets(SubnetIds=[subnet]), "InvalidSubnetID.NotFound")
        if why:
            return f"Unable to launch the build instance in subnet '{subnet}': {why}"
    groups = infra.get("securityGroupIds") or []
    if groups:
        why = _missing(lambda: ec2.describe_security_groups(GroupIds=groups), "InvalidGroup.NotFound")
        if why:
            return f"Unable to launch the build instance with security groups {', '.join(groups)}: {why}"
    topic = infra.get("snsTopicArn")
    if topic:
        _, _, _, topic_region, topic_account, _ = topic.split(":", 5)
        sns = clients("sns", topic_account, topic_region)
        if _missing(lambda: sns.get_topic_attributes(TopicArn=topic), "NotFound", "NotFoundException"):
            return f"The SNS topic '{topic}' does not exist."
    recipe = image.get("imageRecipe") or image.get("containerRecipe") or {}
    keys = [(region, (m.get("ebs") or {}).get("kmsKeyId")) for m in recipe.get("blockDeviceMappings") or []]
    keys += [(region, recipe.get("kmsKeyId"))]
    for entry in (image.get("distributionConfiguration") or {}).get("distributions") or []:
        keys.append((entry["region"], (entry.get("amiDistributionConfiguration") or {}).get("kmsKeyId")))
    for key_region, key in keys:
        if key:
            kms = clients("kms", account, key_region)
            if _missing(lambda: kms.describe_key(KeyId=key), "NotFoundException"):
                return f"The KMS key '{key}' does not exist in Region '{key_region}'."
    parent = recipe.get("parentImage") or ""
    if parent.startswith("ami-"):
        why = _missing(lambda: ec2.describe_images(ImageIds=[parent]), "InvalidAMIID.NotFound",
                       "InvalidAMIID.Malformed")
        if why:
            return f"The parent image '{parent}' does not exist or you do not have access to it: {why}"
    return None


def before_distribution(clients: Clients, image: dict[str, Any]) -> str | None:
    """The reason distribution fails, or None: the launch templates, export buckets and ECR repositories
    it writes to exist."""
    region, owner = _where(image)
    if image.get("type") == "DOCKER":
        repository = ((image.get("containerRecipe") or {}).get("targetRepository") or {}).get("repositoryName")
        targets = [(region, repository)] if repository else []
    else:
        targets = []
    for entry in (image.get("distributionConfiguration") or {}).get("distributions") or []:
        container = entry.get("containerDistributionConfiguration")
        if container and image.get("type") == "DOCKER":
            targets.append((entry["region"], container["targetRepository"]["repositoryName"]))
        for template in entry.get("launchTemplateConfigurations") or [] if image.get("type") != "DOCKER" else []:
            ec2 = clients("ec2", template.get("accountId") or owner, entry["region"])
            template_id = template["launchTemplateId"]
            why = _missing(lambda: _found(ec2.describe_launch_templates(LaunchTemplateIds=[template_id]),
                                          "LaunchTemplates", "InvalidLaunchTemplateId.NotFound",
                                          f"The specified launch template, with template ID {template_id}, does "
                                          "not exist."),
                           "InvalidLaunchTemplateId.NotFound", "InvalidLaunchTemplateId.Malformed")
            if why:
                return (f"Distribution failed in Region '{entry['region']}': the launch template "
                        f"'{template_id}' does not exist: {why}")
        export = entry.get("s3ExportConfiguration")
        if export and image.get("type") != "DOCKER":
            s3 = clients("s3", owner, entry["region"])
            bucket = export["s3Bucket"]
            if _missing(lambda: s3.head_bucket(Bucket=bucket), "404", "NoSuchBucket"):
                return f"Distribution failed in Region '{entry['region']}': the S3 bucket '{bucket}' does not exist."
    for repo_region, repository in targets:
        ecr = clients("ecr", owner, repo_region)
        if _missing(lambda: ecr.describe_repositories(repositoryNames=[repository]), "RepositoryNotFoundException"):
            return (f"The repository with name '{repository}' does not exist in the registry with id '{owner}' "
                    f"in Region '{repo_region}'.")
    return None
