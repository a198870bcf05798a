"""Distribution configurations through boto3: every member, validation, replacement updates, errors."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import factories
from factories import error_detail
from _model_features import needs_filter_value

ACCOUNT = "123456789012"
OTHER = "210987654321"
AMI_NAME = "golden-{{ imagebuilder:buildDate }}"
FULL_DISTRIBUTIONS = [
    {
        "region": "us-east-1",
        "amiDistributionConfiguration": {
            "name": "app {{ imagebuilder:buildDate }}",
            "description": "the app AMI",
            "targetAccountIds": [OTHER],
            "amiTags": {"team": "platform"},
            "kmsKeyId": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "launchPermission": {
                "userIds": [OTHER],
                "userGroups": ["all"],
                "organizationArns": [f"arn:aws:organizations::{ACCOUNT}:organization/o-abcdefghij"],
                "organizationalUnitArns": [f"arn:aws:organizations::{ACCOUNT}:ou/o-abcdefghij/ou-ab12-abcdefgh"],
            },
        },
        "licenseConfigurationArns": [
            f"arn:aws:license-manager:us-east-1:{ACCOUNT}:license-configuration:lic-0123456789abcdef0123456789abcdef"],
        "launchTemplateConfigurations": [
            {"launchTemplateId": "lt-0123456789abcdef0", "setDefaultVersion": True},
            {"launchTemplateId": "lt-0fedcba9876543210", "accountId": OTHER, "setDefaultVersion": False},
        ],
        "s3ExportConfiguration": {"roleName": "vmimport", "diskImageFormat": "VMDK", "s3Bucket": "exports",
                                  "s3Prefix": "images/"},
        "fastLaunchConfigurations": [{
            "enabled": True, "snapshotConfiguration": {"targetResourceCount": 5}, "maxParallelLaunches": 6,
            "launchTemplate": {"launchTemplateId": "lt-0123456789abcdef0", "launchTemplateVersion": "1"},
            "accountId": ACCOUNT,
        }],
        "ssmParameterConfigurations": [
            {"parameterName": "/golden/latest", "dataType": "aws:ec2:image"},
            {"parameterName": "/golden/shared", "amiAccountId": OTHER, "dataType": "text"},
        ],
    },
    {
        "region": "eu-west-1",
        "containerDistributionConfiguration": {"description": "copy", "containerTags": ["latest", "v1"],
                                               "targetRepository": {"service": "ECR", "repositoryName": "app"}},
    },
]


def _get(ib, arn):
    return ib.get_distribution_configuration(distributionConfigurationArn=arn)["distributionConfiguration"]


def _create_error(ib, distributions, **kw):
    with pytest.raises(ClientError) as exc:
        ib.create_distribution_configuration(name=kw.pop("name", "failing"), distributions=distributions, **kw)
    assert ib.list_distribution_configurations()["distributionConfigurationSummaryList"] == []
    return error_detail(exc)


def test_create_returns_normalized_arn_token_and_request_id(ib):
    out = ib.create_distribution_configuration(
        name="My_Dist Config", clientToken="tok",
        distributions=[{"region": "us-east-1", "amiDistributionConfiguration": {"name": AMI_NAME}}])
    assert out["distributionConfigurationArn"] == \
        f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:distribution-configuration/my-dist-config"
    assert out["clientToken"] == "tok" and out["requestId"]


def test_every_member_round_trips_and_defaults(ib):
    arn = ib.create_distribution_configuration(name="full-dist", description="everything",
                                               distributions=FULL_DISTRIBUTIONS,
                                               tags={"env": "dev"})["distributionConfigurationArn"]
    item = _get(ib, arn)
    assert item["distributions"] == FULL_DISTRIBUTIONS
    assert item["description"] == "everything"
    assert item["timeoutMinutes"] == 720
    assert item["tags"] == {"env": "dev"}
    assert item["name"] == "full-dist" and item["arn"] == arn
    assert item["dateCreated"].endswith("Z")
    assert "dateUpdated" not in item


def test_untagged_configuration_has_empty_tags(ib):
    assert _get(ib, factories.distribution(ib))["tags"] == {}


def test_region_only_entry_is_rejected_verbatim(ib):
    code, message, status = _create_error(ib, [{"region": "us-east-1"}])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == ("The value supplied for parameter 'distributions[0]' is not valid. One or more outputs "
                       "should be provided for each region in a distribution configuration.")


def test_region_only_entry_is_named_by_its_index(ib):
    dists = [{"region": "us-east-1", "amiDistributionConfiguration": {"name": AMI_NAME}}, {"region": "us-west-2"}]
    _, message, _ = _create_error(ib, dists)
    assert "'distributions[1]'" in message


@pytest.mark.parametrize("output", [
    {"licenseConfigurationArns": [
        f"arn:aws:license-manager:us-east-1:{ACCOUNT}:license-configuration:lic-0123456789abcdef0123456789abcdef"]},
    {"launchTemplateConfigurations": [{"launchTemplateId": "lt-0123456789abcdef0"}]},
    {"s3ExportConfiguration": {"roleName": "vmimport", "diskImageFormat": "RAW", "s3Bucket": "b"}},
    {"containerDistributionConfiguration": {"targetRepository": {"service": "ECR", "repositoryName": "r"}}},
    {"ssmParameterConfigurations": [{"parameterName": "/p"}]},
    {"fastLaunchConfigurations": [{"enabled": False}]},
])
def test_each_output_kind_alone_is_enough(ib, output):
    arn = ib.create_distribution_configuration(name="one-output",
                                               distributions=[dict(region="us-east-1", **output)])[
        "distributionConfigurationArn"]
    assert _get(ib, arn)["distributions"] == [dict(region="us-east-1", **output)]


def test_a_region_at_most_once(ib):
    dist = {"region": "us-east-1", "amiDistributionConfiguration": {"name": AMI_NAME}}
    code, message, status = _create_error(ib, [dist, dict(dist)])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "distributions[1].region" in message


def test_unknown_region_is_rejected(ib):
    code, message, status = _create_error(
        ib, [{"region": "moon-base-1x", "amiDistributionConfiguration": {"name": AMI_NAME}}])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "distributions[0].region" in message


def test_ami_name_must_contain_build_date(ib):
    code, message, status = _create_error(
        ib, [{"region": "us-east-1", "amiDistributionConfiguration": {"name": "AmazonLinux2-EKS-1.27"}}])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == ("The value supplied for parameter 'distributions[0].amiDistributionConfiguration.name' is "
                       "not valid. The EC2 AMI name must contain '{{ imagebuilder:buildDate }}' to ensure that the "
                       "name will be unique.")


def test_ami_name_pattern_from_the_model(ib):
    code, message, status = _create_error(
        ib, [{"region": "us-east-1", "amiDistributionConfiguration": {"name": "bad/name {{ imagebuilder:buildDate }}"}}])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "amiDistributionConfiguration.name" in message


def test_ami_distribution_without_name_is_fine(ib):
    arn = ib.create_distribution_configuration(
        name="unnamed-ami", distributions=[{"region": "us-east-1",
                                            "amiDistributionConfiguration": {"amiTags": {"a": "b"}}}])[
        "distributionConfigurationArn"]
    assert "name" not in _get(ib, arn)["distributions"][0]["amiDistributionConfiguration"]


def test_launch_permission_user_group_must_be_all(ib):
    code, message, status = _create_error(ib, [{"region": "us-east-1", "amiDistributionConfiguration": {
        "name": AMI_NAME, "launchPermission": {"userGroups": ["everyone"]}}}])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "userGroups[0]" in message


@pytest.mark.parametrize("path, ami", [
    ("targetAccountIds", {"targetAccountIds": ["12345"]}),
    ("launchPermission.userIds", {"launchPermission": {"userIds": ["not-an-account"]}}),
    ("launchPermission.organizationArns", {"launchPermission": {"organizationArns": ["arn:aws:organizations::1:o"]}}),
])
def test_account_and_organization_patterns(ib, path, ami):
    code, message, status = _create_error(
        ib, [{"region": "us-east-1", "amiDistributionConfiguration": dict(name=AMI_NAME, **ami)}])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert path in message


def test_launch_template_id_pattern(ib):
    code, message, _ = _create_error(
        ib, [{"region": "us-east-1", "launchTemplateConfigurations": [{"launchTemplateId": "template-1"}]}])
    assert code == "InvalidParameterValueException" and "launchTemplateId" in message


def test_one_launch_template_configuration_per_account(ib):
    code, message, status = _create_error(ib, [{"region": "us-east-1", "launchTemplateConfigurations": [
        {"launchTemplateId": "lt-0123456789abcdef0"},
        {"launchTemplateId": "lt-0fedcba9876543210", "accountId": ACCOUNT}]}])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "launchTemplateConfigurations[1].accountId" in message


def test_s3_export_disk_format_enum(ib):
    code, message, status = _create_error(ib, [{"region": "us-east-1", "s3ExportConfiguration": {
        "roleName": "vmimport", "diskImageFormat": "QCOW2", "s3Bucket": "b"}}])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "diskImageFormat" in message


def test_s3_export_requires_its_members_server_side(imagebuilder_mock):
    loose = boto3.client("imagebuilder", region_name="us-east-1", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as exc:
        loose.create_distribution_configuration(name="no-bucket", clientToken="t", distributions=[
            {"region": "us-east-1", "s3ExportConfiguration": {"roleName": "vmimport", "diskImageFormat": "RAW"}}])
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidRequestException", 400)
    assert "s3Bucket" in message


def test_fast_launch_template_by_id_or_name_not_both(ib):
    code, message, status = _create_error(ib, [{"region": "us-east-1", "fastLaunchConfigurations": [{
        "enabled": True, "launchTemplate": {"launchTemplateId": "lt-0123456789abcdef0",
                                            "launchTemplateName": "fast"}}]}])
    assert (code, status) == ("InvalidParameterCombinationException", 400)
    assert "fastLaunchConfigurations[0].launchTemplate" in message


def test_fast_launch_snapshot_count_range(ib):
    code, message, _ = _create_error(ib, [{"region": "us-east-1", "fastLaunchConfigurations": [{
        "enabled": True, "snapshotConfiguration": {"targetResourceCount": 10001}}]}])
    assert code == "InvalidParameterValueException" and "targetResourceCount" in message


def test_ssm_parameter_account_must_be_a_target_account(ib):
    code, message, status = _create_error(ib, [{"region": "us-east-1", "ssmParameterConfigurations": [
        {"parameterName": "/p", "amiAccountId": OTHER}]}])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "ssmParameterConfigurations[0].amiAccountId" in message


def test_ssm_parameter_name_pattern_and_data_type(ib):
    code, message, _ = _create_error(ib, [{"region": "us-east-1", "ssmParameterConfigurations": [
        {"parameterName": "bad name"}]}])
    assert code == "InvalidParameterValueException" and "parameterName" in message
    code, message, _ = _create_error(ib, [{"region": "us-east-1", "ssmParameterConfigurations": [
        {"parameterName": "/p", "dataType": "integer"}]}])
    assert code == "InvalidParameterValueException" and "dataType" in message


def test_container_target_repository_service_enum(ib):
    code, message, _ = _create_error(ib, [{"region": "us-east-1", "containerDistributionConfiguration": {
        "targetRepository": {"service": "DOCKERHUB", "repositoryName": "r"}}}])
    assert code == "InvalidParameterValueException" and "service" in message


def test_empty_distribution_list_is_rejected(ib):
    code, message, status = _create_error(ib, [])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "'distributions'" in message


def test_duplicate_name_is_already_exists(ib):
    arn = factories.distribution(ib, name="dup-dist")
    with pytest.raises(ClientError) as exc:
        factories.distribution(ib, name="DUP_dist")
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceAlreadyExistsException", 400)
    assert message == f"The following resource 'DistributionConfiguration' already exists: '{arn}'."


def test_update_replaces_everything_and_sets_date_updated(ib, imagebuilder_mock):
    arn = ib.create_distribution_configuration(name="upd", description="old", distributions=FULL_DISTRIBUTIONS,
                                               tags={"keep": "yes"})["distributionConfigurationArn"]
    created = _get(ib, arn)["dateCreated"]
    imagebuilder_mock.clock.advance(60)
    new = [{"region": "us-west-2", "amiDistributionConfiguration": {"name": AMI_NAME}}]
    out = ib.update_distribution_configuration(distributionConfigurationArn=arn, distributions=new,
                                               clientToken="u1")
    assert out["distributionConfigurationArn"] == arn and out["clientToken"] == "u1" and out["requestId"]
    item = _get(ib, arn)
    assert item["distributions"] == new
    assert "description" not in item
    assert item["dateCreated"] == created and item["dateUpdated"] > created
    assert item["tags"] == {"keep": "yes"} and item["timeoutMinutes"] == 720 and item["name"] == "upd"


def test_update_validates_like_create(ib):
    arn = factories.distribution(ib)
    with pytest.raises(ClientError) as exc:
        ib.update_distribution_configuration(distributionConfigurationArn=arn, distributions=[{"region": "us-east-1"}])
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)
    assert _get(ib, arn)["distributions"][0]["amiDistributionConfiguration"]["name"] == AMI_NAME
    assert "dateUpdated" not in _get(ib, arn)


def test_get_update_delete_of_missing_configuration_is_not_found(ib):
    arn = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:distribution-configuration/ghost"
    dists = [{"region": "us-east-1", "amiDistributionConfiguration": {"name": AMI_NAME}}]
    for call in (lambda: ib.get_distribution_configuration(distributionConfigurationArn=arn),
                 lambda: ib.update_distribution_configuration(distributionConfigurationArn=arn, distributions=dists),
                 lambda: ib.delete_distribution_configuration(distributionConfigurationArn=arn)):
        with pytest.raises(ClientError) as exc:
            call()
        code, message, status = error_detail(exc)
        assert (code, status) == ("ResourceNotFoundException", 404)
        assert message == f"The following required resource 'DistributionConfiguration' cannot be found: '{arn}'."


def test_arn_pattern_is_checked(ib):
    with pytest.raises(ClientError) as exc:
        ib.get_distribution_configuration(distributionConfigurationArn="distribution-configuration/x")
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)


@needs_filter_value("*")
def test_list_summaries_have_regions_and_filter_by_name(ib):
    arn = ib.create_distribution_configuration(name="multi-region", description="d",
                                               distributions=FULL_DISTRIBUTIONS)["distributionConfigurationArn"]
    factories.distribution(ib, name="single")
    out = ib.list_distribution_configurations(filters=[{"name": "name", "values": ["*region*"]}])
    [summary] = out["distributionConfigurationSummaryList"]
    assert summary["arn"] == arn and summary["regions"] == ["us-east-1", "eu-west-1"]
    assert summary["description"] == "d" and summary["tags"] == {}
    assert "distributions" not in summary and "timeoutMinutes" not in summary


def test_list_rejects_unsupported_filter(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_distribution_configurations(filters=[{"name": "region", "values": ["us-east-1"]}])
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)


def test_list_paginates_and_rejects_bad_tokens(ib):
    arns = [factories.distribution(ib, name=f"dist-{i}") for i in range(3)]
    first = ib.list_distribution_configurations(maxResults=2)
    assert [s["arn"] for s in first["distributionConfigurationSummaryList"]] == arns[:2]
    rest = ib.list_distribution_configurations(maxResults=2, nextToken=first["nextToken"])
    assert [s["arn"] for s in rest["distributionConfigurationSummaryList"]] == arns[2:]
    assert "nextToken" not in rest
    with pytest.raises(ClientError) as exc:
        ib.list_distribution_configurations(nextToken="garbage")
    assert error_detail(exc)[0::2] == ("InvalidPaginationTokenException", 400)


def test_delete_and_dependency(ib, imagebuilder_mock):
    used = factories.distribution(ib)
    free = factories.distribution(ib)
    factories.pipeline_record(imagebuilder_mock, distributionConfigurationArn=used)
    with pytest.raises(ClientError) as exc:
        ib.delete_distribution_configuration(distributionConfigurationArn=used)
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceDependencyException", 400)
    assert message == f"Resource dependency error: The resource ARN '{used}' has other resources depended on it."
    out = ib.delete_distribution_configuration(distributionConfigurationArn=free)
    assert out["distributionConfigurationArn"] == free
    remaining = [s["arn"] for s in ib.list_distribution_configurations()["distributionConfigurationSummaryList"]]
    assert remaining == [used]


def test_dry_run(ib):
    dists = [{"region": "us-east-1", "amiDistributionConfiguration": {"name": AMI_NAME}}]
    with pytest.raises(ClientError) as exc:
        ib.create_distribution_configuration(name="dry", distributions=dists, dryRun=True)
    assert error_detail(exc)[0::2] == ("DryRunOperationException", 412)
    assert ib.list_distribution_configurations()["distributionConfigurationSummaryList"] == []


def test_idempotency_both_ways(ib):
    dists = [{"region": "us-east-1", "amiDistributionConfiguration": {"name": AMI_NAME}}]
    first = ib.create_distribution_configuration(name="idem", distributions=dists, clientToken="t")
    again = ib.create_distribution_configuration(name="idem", distributions=dists, clientToken="t")
    assert again["distributionConfigurationArn"] == first["distributionConfigurationArn"]
    with pytest.raises(ClientError) as exc:
        ib.create_distribution_configuration(name="idem", distributions=dists + [
            {"region": "us-west-2", "amiDistributionConfiguration": {"name": AMI_NAME}}], clientToken="t")
    assert error_detail(exc)[0::2] == ("IdempotentParameterMismatchException", 400)
    assert len(ib.list_distribution_configurations()["distributionConfigurationSummaryList"]) == 1
