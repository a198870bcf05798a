"""Builds that reach other AWS services under moto (docs/aws-integration.md): AMIs in EC2, launch
templates, SSM parameters, S3 exports, ECR images, SNS messages and EventBridge events, the checks the
service makes, lifecycle actions on the AMIs, and identity as moto sees it."""

from __future__ import annotations

import contextlib
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from imagebuilder_mock import mock_imagebuilder

import factories

REGION = "us-east-1"
OTHER_REGION = "us-west-2"
TARGET_ACCOUNT = "222233334444"
OWNER = "123456789012"


@contextlib.contextmanager
def both(order: str, **settings):
    """mock_aws and mock_imagebuilder, nested in `order` ("aws-outside" / "aws-inside")."""
    if order == "aws-outside":
        with mock_aws(), mock_imagebuilder(**settings) as mock:
            yield mock
    else:
        with mock_imagebuilder(**settings) as mock, mock_aws():
            yield mock


ORDERS = ["aws-outside", "aws-inside"]


def _client(service, region=REGION):
    return boto3.client(service, region_name=region)


def _instance_profile(name="golden-profile"):
    iam = _client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")
    iam.create_instance_profile(InstanceProfileName=name)
    return name


def _queue_on_topic():
    """An SNS topic with an SQS queue subscribed: (topic ARN, queue URL)."""
    sns, sqs = _client("sns"), _client("sqs")
    topic = sns.create_topic(Name="image-builds")["TopicArn"]
    url = sqs.create_queue(QueueName="image-builds")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic, url


def _messages(url):
    got = _client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(json.loads(m["Body"])["Message"]) for m in got.get("Messages", [])]


def _wait(ib, arn):
    ib.get_waiter("image_available").wait(imageBuildVersionArn=arn)
    return ib.get_image(imageBuildVersionArn=arn)["image"]


def _golden_setup(ib, **infra):
    """Recipe, infrastructure (instance profile, topic) and a distribution to two Regions, the target
    account, a launch template and an SSM parameter: (pipeline ARN, launch template id, queue URL)."""
    ec2 = _client("ec2")
    template = ec2.create_launch_template(LaunchTemplateName="golden",
                                          LaunchTemplateData={"InstanceType": "t3.micro"})["LaunchTemplate"]
    topic, url = _queue_on_topic()
    infra_arn = ib.create_infrastructure_configuration(
        name="golden", instanceProfileName=_instance_profile(), snsTopicArn=topic,
        **infra)["infrastructureConfigurationArn"]
    dist = ib.create_distribution_configuration(name="golden", distributions=[
        {"region": REGION,
         "amiDistributionConfiguration": {
             "name": "golden-{{ imagebuilder:buildDate }}", "description": "the golden image",
             "amiTags": {"team": "platform"}, "targetAccountIds": [OWNER, TARGET_ACCOUNT],
             "launchPermission": {"userIds": ["555566667777"]}},
         "launchTemplateConfigurations": [{"launchTemplateId": template["LaunchTemplateId"],
                                           "setDefaultVersion": True}],
         "ssmParameterConfigurations": [{"parameterName": "/golden/latest", "dataType": "aws:ec2:image"}]},
        {"region": OTHER_REGION, "amiDistributionConfiguration": {"name": "golden-{{ imagebuilder:buildDate }}"}},
    ])["distributionConfigurationArn"]
    pipeline = factories.pipeline(ib, infra=infra_arn, dist=dist)
    return pipeline, template["LaunchTemplateId"], url


@pytest.mark.parametrize("order", ORDERS)
def test_pipeline_distributes_amis_templates_parameters_and_notifies(order):
    with both(order):
        ib = _client("imagebuilder")
        pipeline, template_id, url = _golden_setup(ib)
        arn = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
        image = _wait(ib, arn)
        amis = {(a["region"], a["accountId"]): a["image"] for a in image["outputResources"]["amis"]}
        assert set(amis) == {(REGION, OWNER), (REGION, TARGET_ACCOUNT), (OTHER_REGION, OWNER)}

        described = _client("ec2").describe_images(ImageIds=[amis[(REGION, OWNER)]])["Images"][0]
        assert described["Name"].startswith("golden-") and described["Description"] == "the golden image"
        assert {"Key": "team", "Value": "platform"} in described["Tags"]
        permissions = _client("ec2").describe_image_attribute(ImageId=amis[(REGION, OWNER)],
                                                              Attribute="launchPermission")["LaunchPermissions"]
        assert {"UserId": "555566667777"} in permissions
        west = _client("ec2", OTHER_REGION).describe_images(ImageIds=[amis[(OTHER_REGION, OWNER)]])["Images"]
        assert west[0]["OwnerId"] == OWNER

        # the target account's copy lives in that account's EC2
        creds = _client("sts").assume_role(RoleArn=f"arn:aws:iam::{TARGET_ACCOUNT}:role/reader",
                                           RoleSessionName="test")["Credentials"]
        target_ec2 = boto3.client("ec2", region_name=REGION, aws_access_key_id=creds["AccessKeyId"],
                                  aws_secret_access_key=creds["SecretAccessKey"],
                                  aws_session_token=creds["SessionToken"])
        owned = target_ec2.describe_images(ImageIds=[amis[(REGION, TARGET_ACCOUNT)]])["Images"][0]
        assert owned["OwnerId"] == TARGET_ACCOUNT
        assert {"UserId": "555566667777"} in target_ec2.describe_image_attribute(
            ImageId=amis[(REGION, TARGET_ACCOUNT)], Attribute="launchPermission")["LaunchPermissions"]

        template = _client("ec2").describe_launch_templates(LaunchTemplateIds=[template_id])["LaunchTemplates"][0]
        default = _client("ec2").describe_launch_template_versions(
            LaunchTemplateId=template_id, Versions=["$Default"])["LaunchTemplateVersions"][0]
        assert template["DefaultVersionNumber"] == 2 and default["LaunchTemplateData"]["ImageId"] == amis[(REGION, OWNER)]

        parameter = _client("ssm").get_parameter(Name="/golden/latest")["Parameter"]
        assert parameter["Value"] == amis[(REGION, OWNER)] and parameter["DataType"] == "aws:ec2:image"

        messages = _messages(url)
        assert [m["state"]["status"] for m in messages] == ["AVAILABLE"]
        assert messages[0]["arn"] == arn and messages[0]["outputResources"]["amis"] == image["outputResources"]["amis"]


def _simple_build(ib, recipe=None, infra=None, dist=None):
    """CreateImage of a plain recipe on an infrastructure with an existing instance profile: the image."""
    infra = infra or ib.create_infrastructure_configuration(
        name=factories.unique("infra"), instanceProfileName=_instance_profile(factories.unique("profile")),
    )["infrastructureConfigurationArn"]
    args = dict(imageRecipeArn=recipe or factories.image_recipe(ib), infrastructureConfigurationArn=infra)
    if dist:
        args["distributionConfigurationArn"] = dist
    arn = ib.create_image(**args)["imageBuildVersionArn"]
    return ib.get_image(imageBuildVersionArn=arn)["image"]


@pytest.mark.parametrize("order", ORDERS)
def test_container_pipeline_pushes_the_image_to_ecr(order):
    with both(order):
        ib = _client("imagebuilder")
        _client("ecr").create_repository(repositoryName="golden-app")
        recipe = factories.container_recipe(ib, components=[factories.component(ib)],
                                            targetRepository={"service": "ECR", "repositoryName": "golden-app"})
        infra = ib.create_infrastructure_configuration(
            name="containers", instanceProfileName=_instance_profile())["infrastructureConfigurationArn"]
        pipeline = ib.create_image_pipeline(name="containers", containerRecipeArn=recipe,
                                            infrastructureConfigurationArn=infra)["imagePipelineArn"]
        arn = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
        image = _wait(ib, arn)
        uris = image["outputResources"]["containers"][0]["imageUris"]
        tags = {uri.rsplit(":", 1)[1] for uri in uris}
        pushed = _client("ecr").describe_images(repositoryName="golden-app")["imageDetails"]
        assert len(pushed) == 1 and set(pushed[0]["imageTags"]) == tags == {"1.0.0-1", "latest"}
        assert uris[0].startswith(f"{OWNER}.dkr.ecr.{REGION}.amazonaws.com/golden-app:")


def _failed_reason(ib, image):
    got = ib.get_image(imageBuildVersionArn=image["arn"])["image"]
    assert got["state"]["status"] == "FAILED", got["state"]
    return got["state"]["reason"]


def test_missing_instance_profile_fails_the_build():
    with both("aws-outside"):
        ib = _client("imagebuilder")
        infra = ib.create_infrastructure_configuration(name="infra-x", instanceProfileName="nonexistent-profile")[
            "infrastructureConfigurationArn"]
        reason = _failed_reason(ib, _simple_build(ib, infra=infra))
        assert "instance profile does not exist" in reason and "nonexistent-profile" in reason


@pytest.mark.parametrize("member, value, fragment", [
    ("subnetId", "subnet-0123456789abcdef0", "subnet-0123456789abcdef0"),
    ("securityGroupIds", ["sg-0123456789abcdef0"], "sg-0123456789abcdef0"),
    ("snsTopicArn", f"arn:aws:sns:{REGION}:{OWNER}:missing-topic", "missing-topic"),
])
def test_missing_network_or_topic_fails_the_build(member, value, fragment):
    with both("aws-inside"):
        ib, ec2 = _client("imagebuilder"), _client("ec2")
        network = {member: value}
        if member == "subnetId":  # the service wants security groups with a subnet: existing ones
            vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
            network["securityGroupIds"] = [ec2.create_security_group(GroupName="build", Description="build",
                                                                     VpcId=vpc)["GroupId"]]
        infra = ib.create_infrastructure_configuration(name="infra-x", instanceProfileName=_instance_profile(),
                                                       **network)["infrastructureConfigurationArn"]
        assert fragment in _failed_reason(ib, _simple_build(ib, infra=infra))


def test_missing_kms_key_fails_the_build():
    with both("aws-outside"):
        ib = _client("imagebuilder")
        key = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-1111-2222-3333-444455556666"
        dist = ib.create_distribution_configuration(name="enc", distributions=[
            {"region": REGION, "amiDistributionConfiguration": {"name": "e-{{ imagebuilder:buildDate }}",
                                                                "kmsKeyId": key}}])["distributionConfigurationArn"]
        assert key in _failed_reason(ib, _simple_build(ib, dist=dist))


def test_parent_ami_must_exist_in_ec2():
    with both("aws-outside"):
        ib = _client("imagebuilder")
        recipe = ib.create_image_recipe(name="from-ami", semanticVersion="1.0.0", parentImage="ami-0123456789abcdef0",
                                        components=[{"componentArn": factories.component(ib)}])["imageRecipeArn"]
        assert "ami-0123456789abcdef0" in _failed_reason(ib, _simple_build(ib, recipe=recipe))
        real = _client("ec2").describe_images(Owners=["amazon"])["Images"][0]["ImageId"]  # one of moto's
        recipe = ib.create_image_recipe(name="from-ami", semanticVersion="1.0.1", parentImage=real,
                                        components=[{"componentArn": factories.component(ib)}])["imageRecipeArn"]
        assert _simple_build(ib, recipe=recipe)["state"]["status"] == "AVAILABLE"


def test_missing_launch_template_fails_distribution():
    with both("aws-outside"):
        ib = _client("imagebuilder")
        dist = ib.create_distribution_configuration(name="dist-lt", distributions=[
            {"region": REGION, "launchTemplateConfigurations": [{"launchTemplateId": "lt-0123456789abcdef0"}]}],
        )["distributionConfigurationArn"]
        image = _simple_build(ib, dist=dist)
        assert "lt-0123456789abcdef0" in _failed_reason(ib, image)
        got = ib.get_image(imageBuildVersionArn=image["arn"])["image"]
        assert got["state"]["failureContext"]["imageStatus"] == "DISTRIBUTING"


def test_s3_export_writes_the_disk_image_and_a_missing_bucket_fails():
    with both("aws-inside"):
        ib = _client("imagebuilder")
        _client("s3").create_bucket(Bucket="exports")
        dist = ib.create_distribution_configuration(name="dist-s3", distributions=[
            {"region": REGION, "amiDistributionConfiguration": {"name": "x-{{ imagebuilder:buildDate }}"},
             "s3ExportConfiguration": {"roleName": "vmimport", "diskImageFormat": "VMDK", "s3Bucket": "exports",
                                       "s3Prefix": "golden/"}}])["distributionConfigurationArn"]
        image = _simple_build(ib, dist=dist)
        assert image["state"]["status"] == "AVAILABLE"
        keys = [o["Key"] for o in _client("s3").list_objects_v2(Bucket="exports")["Contents"]]
        assert len(keys) == 1 and keys[0].startswith("golden/export-ami-") and keys[0].endswith(".vmdk")
        missing = ib.create_distribution_configuration(name="s3-missing", distributions=[
            {"region": REGION, "s3ExportConfiguration": {"roleName": "vmimport", "diskImageFormat": "RAW",
                                                         "s3Bucket": "no-such-bucket"}}])["distributionConfigurationArn"]
        assert "no-such-bucket" in _failed_reason(ib, _simple_build(ib, dist=missing))


def test_missing_ecr_repository_fails_the_container_build():
    with both("aws-outside"):
        ib = _client("imagebuilder")
        recipe = factories.container_recipe(ib, components=[factories.component(ib)],
                                            targetRepository={"service": "ECR", "repositoryName": "absent"})
        infra = ib.create_infrastructure_configuration(
            name="infra-c", instanceProfileName=_instance_profile())["infrastructureConfigurationArn"]
        arn = ib.create_image(containerRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
        assert "absent" in _failed_reason(ib, ib.get_image(imageBuildVersionArn=arn)["image"])


def test_lifecycle_delete_deregisters_the_ami_and_its_snapshots_but_delete_image_does_not():
    with both("aws-outside") as mock:
        ib, ec2 = _client("imagebuilder"), _client("ec2")
        recipe = factories.image_recipe(ib, name="web")
        kept = _simple_build(ib, recipe=recipe)
        doomed = _simple_build(ib, recipe=recipe)
        kept_ami = kept["outputResources"]["amis"][0]["image"]
        doomed_ami = doomed["outputResources"]["amis"][0]["image"]
        snapshots = [m["Ebs"]["SnapshotId"] for m in ec2.describe_images(ImageIds=[doomed_ami])["Images"][0][
            "BlockDeviceMappings"] if "Ebs" in m]
        ib.delete_image(imageBuildVersionArn=kept["arn"])  # DeleteImage leaves the AMI
        assert ec2.describe_images(ImageIds=[kept_ami])["Images"]
        ib.create_lifecycle_policy(
            name="clean", executionRole=f"arn:aws:iam::{OWNER}:role/lifecycle", resourceType="AMI_IMAGE",
            resourceSelection={"recipes": [{"name": "web", "semanticVersion": "1.0.0"}]},
            policyDetails=[{"action": {"type": "DELETE", "includeResources": {"amis": True, "snapshots": True}},
              "filter": {"type": "AGE", "value": 1, "unit": "DAYS"}}])
        mock.clock.advance(days=2)
        mock.run_lifecycle_policies()
        assert ib.get_image(imageBuildVersionArn=doomed["arn"])["image"]["state"]["status"] == "DELETED"
        assert ec2.describe_images(Filters=[{"Name": "image-id", "Values": [doomed_ami]}])["Images"] == []
        assert snapshots and not [s for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]
                                  if s["SnapshotId"] in snapshots]
        assert ec2.describe_images(ImageIds=[kept_ami])["Images"]


def test_identity_follows_moto_account_id(monkeypatch):
    with both("aws-outside"):
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "444455556666")
        ib = _client("imagebuilder")
        assert _client("sts").get_caller_identity()["Account"] == "444455556666"
        arn = factories.component(ib)
        assert arn.split(":")[4] == "444455556666"


def test_identity_follows_assumed_role_credentials():
    with both("aws-inside"):
        creds = _client("sts").assume_role(RoleArn="arn:aws:iam::111122223333:role/builder",
                                           RoleSessionName="builder")["Credentials"]
        ib = boto3.client("imagebuilder", region_name=REGION, aws_access_key_id=creds["AccessKeyId"],
                          aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
        assert factories.component(ib).split(":")[4] == "111122223333"
        assert factories.component(_client("imagebuilder")).split(":")[4] == OWNER  # moto's default key


def test_without_moto_builds_make_generated_ids_and_no_checks():
    with mock_imagebuilder():
        ib = _client("imagebuilder")
        infra = ib.create_infrastructure_configuration(name="infra-x", instanceProfileName="nonexistent-profile",
                                                       snsTopicArn=f"arn:aws:sns:{REGION}:{OWNER}:missing")[
            "infrastructureConfigurationArn"]
        arn = ib.create_image(imageRecipeArn=factories.image_recipe(ib),
                              infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
        image = ib.get_image(imageBuildVersionArn=arn)["image"]
        assert image["state"]["status"] == "AVAILABLE"
        assert image["outputResources"]["amis"][0]["image"].startswith("ami-")
        assert "_aws" not in next(iter(_store_images()))


def _store_images():
    from imagebuilder_mock import _patch

    backend = _patch.current().backend
    return [image for store in backend.stores.values() for image in store.images.values()]


def _doc_examples():
    import pathlib
    import re

    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "aws-integration.md"
    return re.findall(r"```python\n(.*?)```", page.read_text(), re.S)


@pytest.mark.parametrize("index", range(len(_doc_examples())))
def test_the_page_examples_run(index):
    exec(compile(_doc_examples()[index], f"aws-integration.md example {index + 1}", "exec"), {})


def test_the_page_has_its_example_and_table():
    import pathlib

    page = (pathlib.Path(__file__).resolve().parent.parent / "docs" / "aws-integration.md").read_text()
    assert len(_doc_examples()) >= 1 and "| side effect | with moto" in page
