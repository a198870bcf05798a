"""What the tests of builds in other AWS services share (tests/test_aws_integration.py, in process under
moto; tests/test_aws_server.py, the served mock acting on a moto server): the golden-image scenario's
setup in those services, made through a `client(service, region)` factory that says where they are."""

from __future__ import annotations

import json
from typing import Callable

import boto3

import factories
from _model_features import image_available_waiter

REGION = "us-east-1"
OTHER_REGION = "us-west-2"
TARGET_ACCOUNT = "222233334444"
OWNER = "123456789012"


def in_process(service, region=REGION):
    """A client of the process's default endpoint (moto's mock_aws when it is active)."""
    return boto3.client(service, region_name=region)


def instance_profile(name="golden-profile", client: Callable = in_process):
    iam = client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")
    iam.create_instance_profile(InstanceProfileName=name)
    return name


def queue_on_topic(client: Callable = in_process):
    """An SNS topic with an SQS queue subscribed: (topic ARN, queue URL)."""
    sns, sqs = client("sns"), client("sqs")
    topic = sns.create_topic(Name="image-builds")["TopicArn"]
    url = sqs.create_queue(QueueName="image-builds")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic, url


def messages(url, client: Callable = in_process):
    """The SNS messages (each parsed from JSON) the queue holds."""
    got = client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(json.loads(m["Body"])["Message"]) for m in got.get("Messages", [])]


def wait(ib, arn):
    image_available_waiter(ib).wait(imageBuildVersionArn=arn)
    return ib.get_image(imageBuildVersionArn=arn)["image"]


def golden_setup(ib, client: Callable = in_process, owner: str = OWNER, **infra):
    """Recipe, infrastructure (instance profile, topic) and a distribution to two Regions, the owner and
    the target account, a launch template and an SSM parameter: (pipeline ARN, launch template id, queue URL)."""
    ec2 = client("ec2")
    template = ec2.create_launch_template(LaunchTemplateName="golden",
                                          LaunchTemplateData={"InstanceType": "t3.micro"})["LaunchTemplate"]
    topic, url = queue_on_topic(client)
    infra_arn = ib.create_infrastructure_configuration(
        name="golden", instanceProfileName=instance_profile(client=client), snsTopicArn=topic,
        **infra)["infrastructureConfigurationArn"]
    dist = ib.create_distribution_configuration(name="golden", distributions=[
        {"region": REGION,
         "amiDistributionConfiguration": {
             "name": "golden-{{ imagebuilder:buildDate }}", "description": "the golden image",
             "amiTags": {"team": "platform"}, "targetAccountIds": [owner, TARGET_ACCOUNT],
             "launchPermission": {"userIds": ["555566667777"]}},
         "launchTemplateConfigurations": [{"launchTemplateId": template["LaunchTemplateId"],
                                           "setDefaultVersion": True}],
         "ssmParameterConfigurations": [{"parameterName": "/golden/latest", "dataType": "aws:ec2:image"}]},
        {"region": OTHER_REGION, "amiDistributionConfiguration": {"name": "golden-{{ imagebuilder:buildDate }}"}},
    ])["distributionConfigurationArn"]
    pipeline = factories.pipeline(ib, infra=infra_arn, dist=dist)
    return pipeline, template["LaunchTemplateId"], url


def check_golden_outputs(image, template_id, url, client: Callable = in_process, owner: str = OWNER,
                         as_account: Callable = None):
    """The golden build's AMIs, launch template version, SSM parameter and SNS message are where they
    belong: EC2 of the owner in both Regions and of the target account (read through `as_account(account,
    service)`), the template's default version, the parameter, the queue."""
    amis = {(a["region"], a["accountId"]): a["image"] for a in image["outputResources"]["amis"]}
    assert set(amis) == {(REGION, owner), (REGION, TARGET_ACCOUNT), (OTHER_REGION, owner)}
    ec2 = client("ec2")
    described = ec2.describe_images(ImageIds=[amis[(REGION, owner)]])["Images"][0]
    assert described["OwnerId"] == owner
    assert described["Name"].startswith("golden-") and described["Description"] == "the golden image"
    assert {"Key": "team", "Value": "platform"} in described["Tags"]
    assert {"UserId": "555566667777"} in ec2.describe_image_attribute(
        ImageId=amis[(REGION, owner)], Attribute="launchPermission")["LaunchPermissions"]
    west = client("ec2", OTHER_REGION).describe_images(ImageIds=[amis[(OTHER_REGION, owner)]])["Images"]
    assert west[0]["OwnerId"] == owner

    target_ec2 = as_account(TARGET_ACCOUNT, "ec2")  # the target account's copy lives in that account's EC2
    owned = target_ec2.describe_images(ImageIds=[amis[(REGION, TARGET_ACCOUNT)]])["Images"][0]
    assert owned["OwnerId"] == TARGET_ACCOUNT
    assert {"UserId": "555566667777"} in target_ec2.describe_image_attribute(
        ImageId=amis[(REGION, TARGET_ACCOUNT)], Attribute="launchPermission")["LaunchPermissions"]

    template = ec2.describe_launch_templates(LaunchTemplateIds=[template_id])["LaunchTemplates"][0]
    default = ec2.describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=["$Default"])["LaunchTemplateVersions"][0]
    assert template["DefaultVersionNumber"] == 2 and default["LaunchTemplateData"]["ImageId"] == amis[(REGION, owner)]

    parameter = client("ssm").get_parameter(Name="/golden/latest")["Parameter"]
    assert parameter["Value"] == amis[(REGION, owner)] and parameter["DataType"] == "aws:ec2:image"

    got = messages(url, client)
    assert [m["state"]["status"] for m in got] == ["AVAILABLE"]
    assert got[0]["arn"] == image["arn"] and got[0]["outputResources"]["amis"] == image["outputResources"]["amis"]
    return amis


def assumed(client: Callable, account: str, service: str, region=REGION, **endpoint):
    """A client of `service` acting as `account` (credentials from STS AssumeRole through `client`)."""
    creds = client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/reader",
                                      RoleSessionName="test")["Credentials"]
    return boto3.client(service, region_name=region, aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"],
                        **endpoint)
