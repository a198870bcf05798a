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
