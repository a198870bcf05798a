"""Builds that reach other AWS services under moto (docs/aws-integration.md): AMIs in EC2, launch
templates, SSM parameters, S3 exports, ECR images, SNS messages and EventBridge events, the checks the
service makes, lifecycle actions on the AMIs, and identity as moto sees it."""

from __future__ import annotations

import contextlib

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from imagebuilder_mock import mock_imagebuilder

import factories

from _aws_scenarios import OTHER_REGION, OWNER, REGION, assumed, check_golden_outputs, golden_setup
from _aws_scenarios import in_process as _client
from _aws_scenarios import instance_profile as _instance_profile
from _aws_scenarios import wait as _wait
from _model_features import needs_waiter


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


@pytest.mark.parametrize("order", ORDERS)
def test_pipeline_distributes_amis_templates_parameters_and_notifies(order):
    with both(order):
        ib = _client("imagebuilder")
        pipeline, template_id, url = golden_setup(ib)
        arn = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
        check_golden_outputs(_wait(ib, arn), template_id, url,
                             as_account=lambda account, service: assumed(_client, account, service))


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


@pytest.mark.parametrize("order", ORDERS)
def test_infrastructure_configuration_with_a_missing_instance_profile_is_refused(order):
    with both(order):
        ib = _client("imagebuilder")
        with pytest.raises(ClientError) as caught:
            ib.create_infrastructure_configuration(name="infra-x", instanceProfileName="nonexistent-profile")
        error = caught.value.response
        assert error["Error"]["Code"] == "InvalidParameterValueException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error["Error"]["Message"] == (
            "The value supplied for parameter 'instanceProfileName' is not valid. The provided instance profile "
            "does not exist. Please specify a different instance profile and try again.")
        assert ib.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"] == []

        arn = ib.create_infrastructure_configuration(name="infra-x", instanceProfileName=_instance_profile())[
            "infrastructureConfigurationArn"]
        with pytest.raises(ClientError) as caught:
            ib.update_infrastructure_configuration(infrastructureConfigurationArn=arn,
                                                   instanceProfileName="nonexistent-profile")
        assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
        assert "'instanceProfileName'" in caught.value.response["Error"]["Message"]
        got = ib.get_infrastructure_configuration(infrastructureConfigurationArn=arn)["infrastructureConfiguration"]
        assert got["instanceProfileName"] == "golden-profile" and "dateUpdated" not in got


def test_instance_profile_deleted_after_the_configuration_fails_the_build():
    with both("aws-outside"):
        ib = _client("imagebuilder")
        profile = _instance_profile("short-lived")
        infra = ib.create_infrastructure_configuration(name="infra-x", instanceProfileName=profile)[
            "infrastructureConfigurationArn"]
        _client("iam").delete_instance_profile(InstanceProfileName=profile)
        reason = _failed_reason(ib, _simple_build(ib, infra=infra))
        assert "instance profile does not exist" in reason and "short-lived" in reason


@pytest.mark.parametrize("order", ORDERS)
def test_import_vm_image_needs_a_vm_import_task_in_ec2(order):
    # moto (5.2) has neither ImportImage nor DescribeImportImageTasks: no task can exist there, so
    # every task id is refused; the accepting path needs an EC2 that has VM Import/Export.
    with both(order):
        ib = _client("imagebuilder")
        with pytest.raises(ClientError) as caught:
            ib.import_vm_image(name="imported", semanticVersion="1.0.0", platform="Linux",
                               vmImportTaskId="import-ami-0123456789abcdef0")
        error = caught.value.response
        assert error["Error"]["Code"] == "InvalidParameterValueException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error["Error"]["Message"] == (
            "The value supplied for parameter 'vmImportTaskId' is not valid. The VM import task "
            "'import-ami-0123456789abcdef0' does not exist in this account and Region.")
        assert ib.list_images(owner="Self")["imageVersionList"] == []


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
        [execution] = mock.run_lifecycle_policies()
        assert ib.get_image(imageBuildVersionArn=doomed["arn"])["image"]["state"]["status"] == "DELETED"
        [record] = ib.list_lifecycle_execution_resources(lifecycleExecutionId=execution,
                                                         parentResourceId=doomed["arn"])["resources"]
        assert record["resourceId"] == doomed_ami  # the records name EC2's AMI and snapshots
        assert [s["snapshotId"] for s in record["snapshots"]] == snapshots
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
        imported = ib.import_vm_image(name="imported", semanticVersion="1.0.0", platform="Linux",
                                      vmImportTaskId="import-ami-0123456789abcdef0")["imageArn"]
        assert imported.endswith("image/imported/1.0.0/1")


def _store_images():
    from imagebuilder_mock import _patch

    backend = _patch.current().backend
    return [image for store in backend.stores.values() for image in store.images.values()]


def _doc_examples():
    import pathlib
    import re

    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "aws-integration.md"
    return re.findall(r"```python\n(.*?)```", page.read_text(), re.S)


@needs_waiter("ImageAvailable")  # the page's example waits as a user of the newest botocore does
@pytest.mark.parametrize("index", range(len(_doc_examples())))
def test_the_page_examples_run(index):
    if "moto.server" in _doc_examples()[index]:
        pytest.importorskip("moto.server", reason="the server-mode example needs moto[server] (the `test` extra)",
                            exc_type=ImportError)
    exec(compile(_doc_examples()[index], f"aws-integration.md example {index + 1}", "exec"), {})


def test_the_page_has_its_example_and_table():
    import pathlib

    page = (pathlib.Path(__file__).resolve().parent.parent / "docs" / "aws-integration.md").read_text()
    assert len(_doc_examples()) >= 1 and "| side effect | with moto" in page


def _two_region_image(ib, recipe_name):
    """An AVAILABLE build of recipe `recipe_name` with an AMI in REGION and one in OTHER_REGION: the image
    and its AMI ids by Region."""
    dist = ib.create_distribution_configuration(name=factories.unique("dist"), distributions=[
        {"region": region, "amiDistributionConfiguration": {"name": "web-{{ imagebuilder:buildDate }}"}}
        for region in (REGION, OTHER_REGION)])["distributionConfigurationArn"]
    image = _simple_build(ib, recipe=factories.image_recipe(ib, name=recipe_name), dist=dist)
    assert image["state"]["status"] == "AVAILABLE"
    return image, {ami["region"]: ami["image"] for ami in image["outputResources"]["amis"]}


def _run_policy(mock, ib, recipe_name, action: dict, exclusion_rules: dict | None = None):
    """A policy on recipe `recipe_name` with one AGE rule of `action`, run two days on: its record of the
    image it acted on, and the children records (AMIs) by Region."""
    detail = {"action": action, "filter": {"type": "AGE", "value": 1, "unit": "DAYS"}}
    if exclusion_rules:
        detail["exclusionRules"] = exclusion_rules
    policy = ib.create_lifecycle_policy(
        name=factories.unique("policy"), executionRole=f"arn:aws:iam::{OWNER}:role/lifecycle",
        resourceType="AMI_IMAGE", resourceSelection={"recipes": [{"name": recipe_name, "semanticVersion": "1.0.0"}]},
        policyDetails=[detail])["lifecyclePolicyArn"]
    mock.clock.advance(days=2)  # the policy's daily run is due: the next request makes it
    [execution] = ib.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"]
    execution = execution["lifecycleExecutionId"]
    [resource] = ib.list_lifecycle_execution_resources(lifecycleExecutionId=execution)["resources"]
    children = ib.list_lifecycle_execution_resources(lifecycleExecutionId=execution,
                                                     parentResourceId=resource["resourceId"])["resources"]
    return resource, {child["region"]: child for child in children}


def _ec2_state(ami_id, region):
    """The AMI's State in EC2 ("available", "disabled"), or None when it is gone."""
    images = _client("ec2", region).describe_images(
        Filters=[{"Name": "image-id", "Values": [ami_id]}], IncludeDisabled=True)["Images"]
    return images[0]["State"] if images else None


def test_lifecycle_disable_acts_on_the_amis_its_exclusion_rules_leave():
    with both("aws-outside") as mock:
        ib = _client("imagebuilder")
        image, amis = _two_region_image(ib, "web")
        resource, children = _run_policy(mock, ib, "web", {"type": "DISABLE", "includeResources": {"amis": True}},
                                         {"amis": {"regions": [OTHER_REGION]}})
        assert resource["resourceId"] == image["arn"] and resource["state"]["status"] == "SUCCESS"
        assert ib.get_image(imageBuildVersionArn=image["arn"])["image"]["state"]["status"] == "DISABLED"
        assert children[REGION]["state"]["status"] == "SUCCESS" and children[REGION]["resourceId"] == amis[REGION]
        assert children[OTHER_REGION]["state"]["status"] == "SKIPPED"
        assert _ec2_state(amis[REGION], REGION) == "disabled"
        assert _ec2_state(amis[OTHER_REGION], OTHER_REGION) == "available"  # excluded: left alone


def test_lifecycle_action_without_amis_included_changes_the_image_only():
    with both("aws-inside") as mock:
        ib = _client("imagebuilder")
        image, amis = _two_region_image(ib, "web")
        _, children = _run_policy(mock, ib, "web", {"type": "DISABLE"})
        assert ib.get_image(imageBuildVersionArn=image["arn"])["image"]["state"]["status"] == "DISABLED"
        assert children == {}
        assert {_ec2_state(amis[r], r) for r in amis} == {"available"}


def test_lifecycle_delete_without_snapshots_keeps_them_and_an_excluded_ami_keeps_everything():
    with both("aws-outside") as mock:
        ib, ec2 = _client("imagebuilder"), _client("ec2")
        image, amis = _two_region_image(ib, "web")
        snapshots = [m["Ebs"]["SnapshotId"] for m in ec2.describe_images(ImageIds=[amis[REGION]])["Images"][0][
            "BlockDeviceMappings"] if "Ebs" in m]
        _, children = _run_policy(mock, ib, "web", {"type": "DELETE", "includeResources": {"amis": True}})
        assert ib.get_image(imageBuildVersionArn=image["arn"])["image"]["state"]["status"] == "DELETED"
        assert "snapshots" not in children[REGION]
        assert _ec2_state(amis[REGION], REGION) is None and _ec2_state(amis[OTHER_REGION], OTHER_REGION) is None
        assert snapshots and {s["SnapshotId"] for s in ec2.describe_snapshots(SnapshotIds=snapshots)["Snapshots"]} \
            == set(snapshots)

        kept, kept_amis = _two_region_image(ib, "api")
        resource, children = _run_policy(mock, ib, "api", {"type": "DELETE", "includeResources": {
            "amis": True, "snapshots": True}}, {"amis": {"regions": [OTHER_REGION]}})
        assert resource["state"]["status"] == "SKIPPED" and children[OTHER_REGION]["state"]["status"] == "SKIPPED"
        assert ib.get_image(imageBuildVersionArn=kept["arn"])["image"]["state"]["status"] == "AVAILABLE"
        assert {_ec2_state(kept_amis[r], r) for r in kept_amis} == {"available"}
